.result == "OK" and .trusted_signatures == 1 and .security_counter == 2 and .version == "2.0.0+0"
and .signatures[0].type == "ECDSA_SIG" and .signatures[0].verified
