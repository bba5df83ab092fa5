.result == "OK" and .hash_ok and .trusted_signatures == 1 and .file == "fw.slot"
and .version == "1.2.3+0" and .security_counter == 16908291 and .hardware_id == "tcu-revA"
and (.digest | test("^[0-9a-f]{64}$"))
and (.signatures | length == 1 and .[0].type == "ECDSA_SIG" and .[0].trusted and .[0].verified)
