# Raising a percentage only adds vehicles; a new inventory snapshot (vehicles added and
# removed) keeps every remaining vehicle's place relative to the others.
source "$CLI_DIR/release_setup.sh"
release_setup
"$OTA_RELEASE" plan --config rel/release.yaml --out a 2>/dev/null || exit 10
sed -i 's/{name: broad, percent: 25}/{name: broad, percent: 30}/' rel/release.yaml
"$OTA_RELEASE" plan --config rel/release.yaml --out b 2>/dev/null || exit 11
early() { awk -F, '$3 == "canary" || $3 == "early" || $3 == "broad" {print $4}' "$1/cohorts.csv" | sort; }
[ -z "$(comm -23 <(early a) <(early b))" ] || exit 12      # nobody left the first three stages
[ "$(early b | wc -l)" -gt "$(early a | wc -l)" ] || exit 13
# a new snapshot: drop every 7th vehicle, add 100 new ones
awk -F, 'NR == 1 || (NR - 2) % 7 != 0' rel/fleet.csv >f && mv f rel/fleet.csv
for i in $(seq 0 99); do printf 'NEW%014d,N%06d,tcu-revA,2.3.0,EU\n' "$i" "$i"; done >>rel/fleet.csv
"$OTA_RELEASE" plan --config rel/release.yaml --out c 2>/dev/null || exit 14
order() { awk -F, -v s="$2" '$1 == s && $4 !~ /^NEW/ {print $4}' "$1/cohorts.csv"; }
kept() { grep -Fxf <(order c EU/tcu-revA) <(order b EU/tcu-revA); }
[ "$(kept)" = "$(order c EU/tcu-revA)" ] || exit 15       # same relative order
