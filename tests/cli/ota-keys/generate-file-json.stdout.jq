.algorithm == "ed25519" and .key == "file:dev.pem" and (.key_id | test("^[0-9a-f]{64}$"))
and .tuf_key.keytype == "ed25519" and .tuf_key.scheme == "ed25519"
and (.tuf_key.keyval.public | test("^[0-9a-f]{64}$")) and (.public_key_pem | startswith("-----BEGIN PUBLIC KEY-----\n"))
