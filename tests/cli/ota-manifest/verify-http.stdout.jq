.verified and .target.name == "ecu/fw.bin" and .target.length == 14
