.booted.slot == "B" and .booted.version == "2.0.0+0" and .path == "normal" and .writes == [] and .flash_written == false
and .final.boot_control.active_slot == "B" and .final.boot_control.slots[1].state == "confirmed"
