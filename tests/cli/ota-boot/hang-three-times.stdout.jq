.booted.slot == "A" and .path == "rollback" and .trial == null
and .reason == "slot B used all its trial boots without a confirm: rolled back to slot A"
and (.writes | length == 1) and (.writes[0] | startswith("boot-control record seq 7: slot B FAILED (tries-exhausted)"))
and .health.result == "hang" and .health.action == "none"
and .final.boot_control.slots[1].state == "failed" and .final.boot_control.slots[1].reason == "tries-exhausted"
and .final.boot_control.boot_attempts == 3 and .flash_written
