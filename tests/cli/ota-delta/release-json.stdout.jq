.index.format == "ota-delta-release" and .index.format_version == 1
and .index.target.name == "v2" and .index.target.size > 0
and (.index.sources | map(.version)) == ["1.0", "0.5"]
and .index.sources[0].delivery == "delta" and .index.sources[0].delta.ratio_to_full < 0.6
and .index.sources[0].patch.size == .index.sources[0].delta.size
and .index.sources[1].delivery == "full" and .index.sources[1].patch == null
and .index.sources[1].delta.ratio_to_full >= 0.6
and .index.fallback_threshold == 0.6
and (.sources | length) == 2 and (.sources[0].candidates | length) == 4
