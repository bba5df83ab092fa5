.final_state == "nothing-assigned" and .ok and .install_attempts == 0 and .running.slot == "A"
