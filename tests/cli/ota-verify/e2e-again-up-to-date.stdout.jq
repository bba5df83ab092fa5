.final_state == "updated" and .power_cycles == 1 and .install_attempts == 0 and .bytes.downloaded == 0 and (.steps[-1].detail | startswith("up-to-date"))
