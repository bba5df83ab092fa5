.final_state == "refused" and (.steps[-1].detail | test("vehicle .VIN1., this is .VIN2."))
