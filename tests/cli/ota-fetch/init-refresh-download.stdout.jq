.command == "download" and .versions == {"root": 1, "timestamp": 2, "snapshot": 2, "targets": 2}
and (.targets | length) == 1 and .targets[0].path == "ecu/fw.bin" and .targets[0].downloaded
and .targets[0].length == 14 and .targets[0].resumed_from == 0 and .targets[0].bytes_downloaded == 14
and (.targets[0].file | endswith("tg/ecu%2Ffw.bin")) and .targets[0].role == "targets"
