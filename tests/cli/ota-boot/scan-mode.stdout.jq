.booted.slot == "B" and .path == "scan" and .bcr == null and .trial == {"n": 1, "of": 3}
and (.checks | length == 2) and (.writes | length == 1)
and .health.action == "confirm" and .health.done
and .final.boot_control.active_slot == "B" and .final.boot_control.slots[0].state == "confirmed"
and .final.boot_control.slots[0].priority == 14 and .final.boot_control.seq == 2
