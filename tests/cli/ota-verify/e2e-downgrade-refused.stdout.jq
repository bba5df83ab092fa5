.final_state == "refused" and .running.version == "1.1.0+0" and (.steps[-1].detail | test("below the device.s anti-rollback counter"))
