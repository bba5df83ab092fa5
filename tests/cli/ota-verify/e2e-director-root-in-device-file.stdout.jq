.final_state == "updated" and .running.version == "1.1.0+0"
