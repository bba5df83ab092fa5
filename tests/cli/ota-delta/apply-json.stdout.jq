.verified == true and .algorithm == "zstd" and .output == "result"
