.index.sources[0].delivery == "full" and .index.sources[0].patch == null and .index.fallback_threshold == 0.0001
