.result == "booted" and .flash == "flash.img" and .device == "mcu-example"
and .booted.slot == "A" and .booted.region == "slot_a" and .booted.version == "1.0.0+0"
and .booted.security_counter == 1 and (.booted.digest | length == 64) and .booted.payload_size == 15
and .path == "normal" and .trial == null and .reason == "slot A is the confirmed active slot"
and .bcr == {"copy": 0, "seq": 1} and .floor == {"before": 1, "after": 1}
and (.checks | length == 1) and .checks[0].result == "OK" and .checks[0].bootable and .checks[0].record_match
and .writes == [] and .health.result == "ok" and .health.action == "none" and .health.writes == []
and .final.boot_control.seq == 1 and .final.boot_control.active_slot == "A" and .final.floor == 1
and .final.boot_control.slots[0].digest32 == .booted.digest[0:8]
and .flash_written == false
