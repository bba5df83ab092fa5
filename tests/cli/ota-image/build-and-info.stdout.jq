.kind == "flash" and .file == "flash.img" and .layout.device == "mcu-example"
and .layout_problem == null and .keys_problem == null and .rot_problem == null and .bcr_problem == null
and .slots[0].region == "slot_a" and .slots[0].empty == false
and .slots[0].verification.result == "OK" and .slots[0].verification.trusted_signatures == 1
and .slots[0].image.header.rom_fixed and .slots[0].image.header.load_addr == 134348800
and .boot_control.record.slots[0].state == "confirmed" and .boot_control.record.active_slot == "A"
and .boot_control.record.slots[0].digest32 == .slots[0].image.digest[0:8]
and .slots[0].image.security_counter == 16908291
and .root_of_trust.counter == .slots[0].image.security_counter
and (.bootloader_keys | length == 1 and .[0].provisioned)
and .slots[1].region == "slot_b" and .slots[1].empty
and .boot_control.record.slots[1].state == "empty"
