.algorithm == "ecdsa-p256" and (.key_id | test("^[0-9a-f]{64}$")) and .role == "targets"
and .audit_log == "audit.log" and .signature == "data.sig" and .input == "data"
and .key == "pkcs11:token=ota-example;object=targets-1?pin-source=file:" + (.key | split("file:")[1])
and .input_sha256 == "239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5"
