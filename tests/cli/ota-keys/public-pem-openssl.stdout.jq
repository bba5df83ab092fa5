(.keyid | test("^[0-9a-f]{64}$")) and .key.keytype == "ed25519" and .key.scheme == "ed25519"
