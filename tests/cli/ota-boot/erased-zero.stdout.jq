.booted.slot == "B" and .path == "normal" and .writes == [] and .flash_written == false
and .final.boot_control.active_slot == "B" and .final.boot_control.slots[0].priority == 14
