(.staged | map(.name)) == ["ecu-a/app.bin", "ecu-a/app.bin.from-1.0.patch", "ecu-b/app.bin"]
and .staged[0].length == 150002
