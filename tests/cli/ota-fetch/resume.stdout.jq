.targets[0].resumed_from == 100000 and .targets[0].bytes_downloaded == 200000 and .targets[0].downloaded
