.result == "OK" and .trusted_signatures == 3
and ([.signatures[].type] | sort) == ["ECDSA_SIG", "ED25519", "RSA3072_PSS"]
and all(.signatures[]; .trusted and .verified)
