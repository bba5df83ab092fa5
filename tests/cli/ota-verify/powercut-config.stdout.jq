.tried > 500 and .passed == .tried and .failed == 0 and (.sweeps | length) == 2 and all(.sweeps[]; .operations > 40 and .tried == .operations * 6 and .max_slot_sector_erases == 1)
