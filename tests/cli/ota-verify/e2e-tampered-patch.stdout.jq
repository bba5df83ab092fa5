.final_state == "refused" and .running == {"slot": "A", "version": "1.0.0+0"} and (.steps[-1].detail | test("does not match its signed hash"))
