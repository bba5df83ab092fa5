.verified and .target.custom.vehicle == "VIN1"
and .target.custom.ecu_identifiers["ECU-A"].delta_from == "1"
and .target.custom.ecu_identifiers["ECU-A"].release_counter == 5
and (.target.custom.ecu_identifiers | has("ECU-B") | not)
