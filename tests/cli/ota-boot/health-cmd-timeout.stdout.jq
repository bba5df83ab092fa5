.booted.slot == "B" and .path == "trial" and .health.result == "hang" and .health.timed_out and .health.exit_code == null
and .health.action == "none" and .health.writes == []
and .final.boot_control.slots[1].state == "trial" and .final.boot_control.slots[1].tries_left == 2
and .final.boot_control.pending_slot == "B"
