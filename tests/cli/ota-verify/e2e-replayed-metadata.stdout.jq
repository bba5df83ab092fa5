.final_state == "refused" and (.steps[-1].detail | test("director"))
