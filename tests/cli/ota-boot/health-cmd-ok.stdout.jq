.booted.slot == "B" and .path == "trial" and .trial == {"n": 1, "of": 3}
and .health.command != null and .health.result == "ok" and .health.exit_code == 0 and .health.timed_out == false
and .health.action == "confirm" and .health.done and (.health.writes | length == 1)
and .health.detail == "slot B confirmed; slot A stays the fallback"
and .final.boot_control.active_slot == "B" and .final.boot_control.pending_slot == "none"
and .final.boot_control.slots[1].state == "confirmed" and .final.boot_control.slots[0].priority == 14
