.final_state == "updated" and .ok == true and .running == {"slot": "B", "version": "1.1.0+0"}
and .delivery == "delta" and .bytes.downloaded == .bytes.payload and .bytes.payload < .bytes.image / 10
and .power_cycles == 3 and ([.steps[].step] | index("install") != null)
and ([.steps[] | select(.step == "boot") | .detail] | .[1] | test("trial boot 1 of 3"))
