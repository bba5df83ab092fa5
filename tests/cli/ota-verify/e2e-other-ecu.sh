# The director assigns nothing to ECU-2: nothing is installed; that is not the update the
# caller expected (exit 1), but --expect any accepts it.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
printf 'vin: VIN1\necu_serial: ECU-2\n' > device.yaml
"$OTA_VERIFY" e2e "${e2e_args[@]}" --expect any --json || exit 98
"$OTA_VERIFY" e2e "${e2e_args[@]}" 2>/dev/null
