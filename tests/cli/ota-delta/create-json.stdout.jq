.patch == "p" and (.candidates | length) == 4 and .trailer == true
and .patch_size == ([.candidates[].patch_size] | min)
and .source_size == 100000
and (.algorithm | IN("bsdiff", "zstd", "vcdiff", "ota"))
and (.target_sha256 | test("^[0-9a-f]{64}$"))
