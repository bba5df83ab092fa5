.final_state == "updated" and .delivery == "full" and .retries > 5
and .faults.dropped > 0 and .faults.corrupted > 0 and .faults.truncated > 0
and .bytes.downloaded >= .bytes.image and .running.version == "1.1.0+0"
