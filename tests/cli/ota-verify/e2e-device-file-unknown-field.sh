source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
printf 'vin: VIN1\necu_serial: ECU-1\nserial: 7\n' > device.yaml
"$OTA_VERIFY" e2e "${e2e_args[@]}"
