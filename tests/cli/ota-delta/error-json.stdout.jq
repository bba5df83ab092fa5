.error.code == "not_found" and .error.exit_code == 4 and (.error.message | test("absent"))
