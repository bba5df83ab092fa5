length == 3 and all(.[]; .result == "OK" and .trusted_signatures == 1)
and [.[].signatures[0].type] == ["ECDSA_SIG", "ECDSA_SIG", "ED25519"]
and (map(.digest) | unique | length) == 1
