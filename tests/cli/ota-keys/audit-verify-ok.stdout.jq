.records == 4 and .valid == true and (.head_sha256 | test("^[0-9a-f]{64}$")) and .log == "audit.log"
