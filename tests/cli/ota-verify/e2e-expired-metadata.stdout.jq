.final_state == "refused" and .running.slot == "A" and (.steps[-1].detail | test("expired"))
