"$OTA_VERIFY" powercut --config uniform-4k/ws8/ff --replay 'scenario=rollback;layout=uniform-4k;ws=8;erased=ff;seed=2;cuts=150:torn-program'
