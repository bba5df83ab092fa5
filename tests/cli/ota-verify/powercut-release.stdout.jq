.tried > 3000 and .passed == .tried and all(.sweeps[]; .config == "test-board" and .programs > 256)
