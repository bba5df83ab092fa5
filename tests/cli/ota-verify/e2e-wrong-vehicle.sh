# Director metadata signed for VIN1 is refused by VIN2.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
printf 'vin: VIN2\necu_serial: ECU-1\n' > device.yaml
"$OTA_VERIFY" e2e "${e2e_args[@]}" --json
