.verified == true and .versions.targets == 2 and .target.name == "ecu/fw.bin" and .target.custom.hardware_ids == ["hw"] and .target.length == 14
