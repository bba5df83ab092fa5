.patch == "p" and (.candidates | length) == 3 and .trailer == true
and .patch_size == ([.candidates[].patch_size] | min)
and .source_size == 100000
and (.algorithm == "bsdiff" or .algorithm == "zstd" or .algorithm == "vcdiff")
and (.target_sha256 | test("^[0-9a-f]{64}$"))
