.booted.slot == "B" and .health.result == "fail" and .health.exit_code == 1 and .health.action == "mark-bad" and .health.done
and .final.boot_control.slots[1].state == "failed" and .final.boot_control.slots[1].reason == "marked-bad"
and .final.boot_control.pending_slot == "none"
