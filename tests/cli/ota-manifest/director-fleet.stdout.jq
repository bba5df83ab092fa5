(.first.vehicles | map(.vehicle)) == ["VIN-A", "VIN-B"]
and .first.vehicles[0].created and .first.vehicles[0].assigned[0].image == "ecu/fw2.bin"
and (.first.vehicles[1].assigned | length) == 0
and .vin_b.vehicle == "VIN-B" and .vin_b.verified
and (.again.vehicles | map(.created)) == [false, false]
and .again.vehicles[0].versions.targets == 3
