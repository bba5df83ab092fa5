.final_state == "rolled-back" and (.ok | not) and .running.slot == "A" and .power_cycles == 5 and ([.steps[] | select(.step == "agent") | .detail] | map(startswith("hung")) | index(true) == 0)
