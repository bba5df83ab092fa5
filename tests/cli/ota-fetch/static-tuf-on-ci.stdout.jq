.versions == {"root": 1, "timestamp": 2, "snapshot": 2, "targets": 1} and .targets[0].role == "delegatedrole" and .targets[0].length == 34
