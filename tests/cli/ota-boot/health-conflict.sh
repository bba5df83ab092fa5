# --health and --health-cmd together: a usage error (exit 2).
source "$CLI_COMMON"
"$OTA_BOOT" --flash flash.img --health fail --health-cmd true
