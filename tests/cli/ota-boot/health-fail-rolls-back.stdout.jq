.booted.slot == "A" and .path == "normal" and .writes == []
and .reason == "slot A is the confirmed active slot; the last operation was mark-bad"
and .final.boot_control.op == "mark-bad" and .final.boot_control.pending_slot == "none"
and .final.boot_control.slots[1].state == "failed" and .final.boot_control.slots[1].reason == "marked-bad"
and .final.boot_control.slots[1].tries_left == 0 and .final.boot_control.boot_attempts == 1
