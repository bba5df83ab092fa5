#!/usr/bin/env bash
# ota-keys/ota-sign <-> SoftHSM2 2.6, pkcs11-tool (OpenSC), p11tool and openssl; error paths
# against SoftHSM2 and tests/fakes/fake_pkcs11. Env: OTA_KEYS OTA_SIGN FAKE_PKCS11 KEYS_EXAMPLE.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
for v in OTA_KEYS OTA_SIGN FAKE_PKCS11 KEYS_EXAMPLE; do
  [ -n "${!v:-}" ] && [ -e "${!v}" ] || fail "$v is not set or does not exist ('${!v:-}')"
  printf -v "$v" '%s' "$(realpath "${!v}")"
done
MOD=/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so
[ -e "$MOD" ] || fail "SoftHSM2 missing ($MOD; apt-get install softhsm2)"
for c in softhsm2-util pkcs11-tool p11tool openssl jq; do
  command -v "$c" >/dev/null || fail "$c not installed (see /work/shared/HSM-NOTES.md)"
done
unset OTA_PKCS11_PIN OTA_AUDIT_LOG OTA_KEY_PASSPHRASE FAKE_PKCS11_MODE FAKE_PKCS11_PIN
WORK=$(mktemp -d /tmp/ota-softhsm.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
checks=0
pass() { checks=$((checks + 1)); }

# run CODE CMD...: CMD (stdin /dev/null) must exit CODE; stdout in out, stderr in err,
# and no PIN of this script may show up in err.
run() {
  local want=$1 rc; shift
  "$@" </dev/null >out 2>err && rc=0 || rc=$?
  [ "$rc" = "$want" ] || fail "exit $rc, expected $want: $*; stderr: $(cat err)"
  for pin in 246810 000000 87654321 1234 13579; do
    ! grep -qwF "$pin" err || fail "stderr shows a PIN: $*; stderr: $(cat err)"
  done
  pass
}
# refuse CODE PHRASE OUT CMD...: exit CODE, one stderr line containing PHRASE, OUT not created.
refuse() {
  local want=$1 phrase=$2 out=$3; shift 3
  rm -f "$out"
  run "$want" "$@"
  [ "$(wc -l <err)" = 1 ] || fail "stderr is not one line: $*; stderr: $(cat err)"
  grep -qF -- "$phrase" err || fail "stderr lacks '$phrase': $*; stderr: $(cat err)"
  [ ! -e "$out" ] || fail "'$out' was left behind: $*"
  pass
}
flip_last() { # flip the low bit of the last byte of FILE
  local n b; n=$(($(stat -c %s "$1") - 1)); b=$(od -An -tu1 -j"$n" -N1 "$1" | tr -d ' ')
  printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$n" conv=notrunc status=none
}
# p11_field LABEL FIELD: a field of the private key LABEL in pkcs11-tool --list-objects output.
p11_field() {
  awk -v L="$1" -v F="$2:" '/^[^ ]/ { priv = /^Private Key Object/; lab = "" }
    priv && $1 == "label:" { sub(/^ *label: */, ""); lab = $0; next }
    priv && lab == L && $1 == F { sub(/^ *[A-Za-z]+: */, ""); print }' objects.txt
}

# The token (no keys), through the example script.
eval "$("$KEYS_EXAMPLE/softhsm-token.sh" "$WORK/hsm")"
[ "$OTA_EXAMPLE_TOKEN" = ota-example ] && [ -f "$SOFTHSM2_CONF" ] || fail "softhsm-token.sh did not set up the token"
PINSRC="pin-source=$OTA_EXAMPLE_PIN_SOURCE"   # file:$WORK/hsm/user.pin
T="pkcs11:token=ota-example"
P11=(pkcs11-tool --module "$MOD" --token-label ota-example)
P11L=("${P11[@]}" --login --pin 246810)
head -c 100000 /dev/urandom >data
cp data data.mod; printf 'x' >>data.mod

# ota-made keys: generate, sign, verify with PEM, TUF JSON, the URI itself, and openssl.
for algo in ed25519 ecdsa-p256 rsa-pss-3072; do
  k=ota-$algo
  if [ $algo = ed25519 ]; then  # PIN from the URI's pin-source for one, from the env for the rest
    run 0 "$OTA_KEYS" --json generate --algo $algo --key "$T;object=$k?$PINSRC"
  else
    run 0 env OTA_PKCS11_PIN=246810 "$OTA_KEYS" --json generate --algo $algo --key "$T;object=$k"
  fi
  jq -e --arg a $algo '.algorithm == $a' out >/dev/null || fail "generate --json: algorithm is not $algo"
  jq -r .key_id out >$k.gen-id; pass
  if [ $algo = rsa-pss-3072 ]; then
    run 0 "$OTA_SIGN" --key "$T;object=$k?$PINSRC" --in data --out $k.sig
  else
    run 0 env OTA_PKCS11_PIN=246810 "$OTA_SIGN" --key "$T;object=$k" --in data --out $k.sig
  fi
  run 0 "$OTA_KEYS" public --key "$T;object=$k" --format pem --out $k.pem
  run 0 "$OTA_KEYS" public --key "$T;object=$k" --out $k.json
  run 0 "$OTA_KEYS" --json public --key "$T;object=$k"
  [ "$(jq -r .keyid out)" = "$(cat $k.gen-id)" ] || fail "$k: public --json keyid differs from generate's key_id"; pass
  [ "$(jq -r .keyid $k.json)" = "$(cat $k.gen-id)" ] || fail "$k: keyid in $k.json differs"; pass
  openssl pkey -pubin -in $k.pem -noout || fail "openssl cannot read $k.pem"; pass
  for pub in $k.pem $k.json "$T;object=$k"; do
    run 0 "$OTA_SIGN" verify --pub "$pub" --in data --sig $k.sig
  done
  case $algo in
    ed25519) openssl pkeyutl -verify -pubin -inkey $k.pem -rawin -in data -sigfile $k.sig >/dev/null ;;
    ecdsa-p256) openssl dgst -sha256 -verify $k.pem -signature $k.sig data >/dev/null ;;
    rsa-pss-3072) openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
                    -sigopt rsa_mgf1_md:sha256 -verify $k.pem -signature $k.sig data >/dev/null ;;
  esac || fail "openssl rejects the $algo signature ota-sign made in SoftHSM"
  pass
  # Tampering: a flipped signature byte, a modified message, another key: all exit 3.
  cp $k.sig $k.bad; flip_last $k.bad
  cmp -s $k.sig $k.bad && fail "flip_last did not change $k.bad"
  run 3 "$OTA_SIGN" verify --pub $k.pem --in data --sig $k.bad
  run 3 "$OTA_SIGN" verify --pub $k.pem --in data.mod --sig $k.sig
done
run 3 "$OTA_SIGN" verify --pub ota-rsa-pss-3072.pem --in data --sig ota-ecdsa-p256.sig
run 3 "$OTA_SIGN" verify --pub ota-ed25519.pem --in data --sig ota-ecdsa-p256.sig

# The key template, as ota-keys reports it and as pkcs11-tool and p11tool see it.
run 0 env OTA_PKCS11_PIN=246810 "$OTA_KEYS" --json list --token "$T"
cp out list.json
for algo in ed25519 ecdsa-p256 rsa-pss-3072; do
  jq -e --arg l ota-$algo --arg a $algo '[.keys[] | select(.class == "private" and .label == $l)]
      | length == 1 and (.[0] | .algorithm == $a and (.attributes | .sensitive and .always_sensitive
        and .never_extractable and .sign and (.extractable | not) and (.decrypt | not)
        and (.unwrap | not) and (.derive | not)))' list.json >/dev/null ||
    fail "ota-keys list: private key ota-$algo is not sensitive/never-extractable/sign-only"
  pass
done
"${P11L[@]}" --list-objects >objects.txt 2>/dev/null || fail "pkcs11-tool --list-objects failed"
for algo in ed25519 ecdsa-p256 rsa-pss-3072; do
  [ "$(p11_field ota-$algo Usage)" = sign ] ||
    fail "pkcs11-tool: ota-$algo Usage is '$(p11_field ota-$algo Usage)', expected 'sign'"
  access=$(p11_field ota-$algo Access)
  for a in "sensitive" "always sensitive" "never extractable" "local"; do
    grep -qE "(^|, )$a(,|$)" <<<"$access" || fail "pkcs11-tool: ota-$algo Access '$access' lacks '$a'"
  done
  pass
  # Reading the private value must yield nothing. pkcs11-tool 0.23 refuses but exits 0,
  # so the check is that no bytes come out; p11tool --export must fail outright.
  rm -f priv.out
  "${P11L[@]}" --read-object --type privkey --label ota-$algo -o priv.out >/dev/null 2>&1 || rc=$?
  [ ! -s priv.out ] || fail "pkcs11-tool read the private value of ota-$algo"
  pass
  rc=0; GNUTLS_PIN=246810 p11tool --provider "$MOD" --login --export \
    "$T;object=ota-$algo;type=private" >priv.out 2>/dev/null || rc=$?
  [ "$rc" != 0 ] && [ ! -s priv.out ] || fail "p11tool exported the private key ota-$algo"
  pass
done
GNUTLS_PIN=246810 p11tool --provider "$MOD" --login --list-all-privkeys "$T" >p11tool.txt 2>/dev/null ||
  fail "p11tool --list-all-privkeys failed"
[ "$(grep -c 'CKA_NEVER_EXTRACTABLE; CKA_SENSITIVE' p11tool.txt)" = 3 ] ||
  fail "p11tool does not show all 3 private keys sensitive and never extractable"
pass

# Keys made by the peer (pkcs11-tool): ota-sign signs, openssl verifies with pkcs11-tool's export.
"${P11L[@]}" --keypairgen --key-type EC:prime256v1 --id a1 --label peer-p256 >/dev/null 2>&1 || fail "pkcs11-tool EC keypairgen"
"${P11L[@]}" --keypairgen --key-type EC:edwards25519 --id a2 --label peer-ed25519 >/dev/null 2>&1 || fail "pkcs11-tool EdDSA keypairgen"
"${P11L[@]}" --keypairgen --key-type rsa:3072 --id a3 --label peer-rsa3072 >/dev/null 2>&1 || fail "pkcs11-tool RSA keypairgen"
"${P11L[@]}" --list-objects >objects.txt 2>/dev/null
grep -q 'EC_PARAMS: *130c656477617264733235353139' objects.txt ||
  fail "pkcs11-tool did not write the PrintableString edwards25519 EC_PARAMS this test relies on"
run 0 env OTA_PKCS11_PIN=246810 "$OTA_KEYS" --json list --token "$T?$PINSRC"
for spec in peer-p256:a1:ecdsa-p256 peer-ed25519:a2:ed25519 peer-rsa3072:a3:rsa-pss-3072; do
  IFS=: read -r k id algo <<<"$spec"
  jq -e --arg l $k --arg i $id --arg a $algo '[.keys[] | select(.label == $l)] | length == 2 and
      all(.id == $i and .algorithm == $a)' out >/dev/null || fail "ota-keys list: $k is not shown as $algo (id $id)"
  pass
done
for spec in peer-p256:ecdsa-p256 peer-ed25519:ed25519 peer-rsa3072:rsa-pss-3072; do
  k=${spec%%:*} algo=${spec#*:}
  run 0 env OTA_PKCS11_PIN=246810 "$OTA_SIGN" --algo $algo --key "$T;object=$k" --in data --out $k.sig
  "${P11[@]}" --read-object --type pubkey --label $k -o $k.p11 >/dev/null 2>&1 || fail "pkcs11-tool cannot export $k"
  if grep -q -- '-----BEGIN' $k.p11; then openssl pkey -pubin -in $k.p11 -out $k.pem  # EdDSA: PEM
  else openssl pkey -pubin -inform DER -in $k.p11 -out $k.pem; fi
  run 0 "$OTA_KEYS" public --key "$T;object=$k" --format pem --out $k.ours.pem
  cmp -s $k.pem $k.ours.pem || fail "$k: ota-keys public PEM differs from pkcs11-tool's export"
  pass
  case $algo in
    ed25519) openssl pkeyutl -verify -pubin -inkey $k.pem -rawin -in data -sigfile $k.sig >/dev/null ;;
    ecdsa-p256) openssl dgst -sha256 -verify $k.pem -signature $k.sig data >/dev/null ;;
    rsa-pss-3072) openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
                    -sigopt rsa_mgf1_md:sha256 -verify $k.pem -signature $k.sig data >/dev/null ;;
  esac || fail "openssl rejects ota-sign's signature with pkcs11-tool's key $k"
  pass
done

# Refusals: exact exit code, one clear line, no output, no PIN on stderr.
U="$T;object=ota-ecdsa-p256"
refuse 5 CKR_PIN_INCORRECT o.sig env OTA_PKCS11_PIN=000000 "$OTA_SIGN" --key "$U" --in data --out o.sig
echo 000000 >wrong.pin
refuse 5 CKR_PIN_INCORRECT o.sig "$OTA_SIGN" --key "$U?pin-source=file:$WORK/wrong.pin" --in data --out o.sig
refuse 5 "no token matches" o.sig env OTA_PKCS11_PIN=246810 "$OTA_SIGN" --key "pkcs11:token=nope;object=ota-ecdsa-p256" --in data --out o.sig
refuse 5 "no private key 'object=nope'" o.sig env OTA_PKCS11_PIN=246810 "$OTA_SIGN" --key "$T;object=nope" --in data --out o.sig
refuse 2 "not the requested ed25519" o.sig env OTA_PKCS11_PIN=246810 "$OTA_SIGN" --algo ed25519 --key "$U" --in data --out o.sig
refuse 5 "/nonexistent.so" o.sig env OTA_PKCS11_PIN=246810 "$OTA_SIGN" --module /nonexistent.so --key "$U" --in data --out o.sig
refuse 5 "C_GetFunctionList" o.sig env OTA_PKCS11_PIN=246810 "$OTA_SIGN" --module /usr/lib/x86_64-linux-gnu/libz.so.1 --key "$U" --in data --out o.sig
refuse 5 OTA_PKCS11_PIN o.sig "$OTA_SIGN" --key "$U" --in data --out o.sig   # no PIN, stdin /dev/null
# A pin-value in the URI is masked wherever the URI is echoed.
refuse 5 "pin-value=***" o.sig "$OTA_SIGN" --key "pkcs11:token=nope;object=x?pin-value=000000" --in data --out o.sig

# The fake module: lock-out and failures SoftHSM2 cannot produce (right PIN 1234).
FU="pkcs11:token=fake-token;object=k"
fake() { local mode=$1 pin=$2; shift 2; env FAKE_PKCS11_MODE=$mode OTA_PKCS11_PIN=$pin "$@"; }
refuse 5 "is locked (CKF_USER_PIN_LOCKED)" o.sig fake locked 1234 "$OTA_SIGN" --module "$FAKE_PKCS11" --key "$FU" --in data --out o.sig
refuse 5 "is locked (CKF_USER_PIN_LOCKED)" list.out fake locked 1234 "$OTA_KEYS" --module "$FAKE_PKCS11" list --token pkcs11:token=fake-token
refuse 5 "the token is now locked" o.sig fake final-try 13579 "$OTA_SIGN" --module "$FAKE_PKCS11" --key "$FU" --in data --out o.sig
refuse 5 "no private key 'object=k'" o.sig fake final-try 1234 "$OTA_SIGN" --module "$FAKE_PKCS11" --key "$FU" --in data --out o.sig
refuse 5 "failed to initialise: CKR_GENERAL_ERROR" o.sig fake init-fails 1234 "$OTA_SIGN" --module "$FAKE_PKCS11" --key "$FU" --in data --out o.sig
refuse 5 "the module shows no token" o.sig fake no-token 1234 "$OTA_SIGN" --module "$FAKE_PKCS11" --key "$FU" --in data --out o.sig
refuse 5 CKR_PIN_INCORRECT o.sig fake sign-fails 13579 "$OTA_SIGN" --module "$FAKE_PKCS11" --key "$FU" --in data --out o.sig
# sign-fails: the token accepts C_SignInit, then C_Sign fails with a device error.
refuse 5 "CKR_DEVICE_ERROR" o.sig fake sign-fails 1234 "$OTA_SIGN" --module "$FAKE_PKCS11" --key "$FU" --in data --out o.sig

# Audit log: 3 signatures -> 3 chained records; a failed signing adds none; OTA_AUDIT_LOG works.
for i in 1 2 3; do
  run 0 "$OTA_SIGN" --key "$U?$PINSRC" --role targets --audit-log audit.log --in data --out a$i.sig
done
run 0 "$OTA_KEYS" --json audit verify audit.log
jq -e '.valid == true and .records == 3' out >/dev/null || fail "audit verify: $(cat out)"; pass
[ "$(jq -r .key_id audit.log | sort -u)" = "$(cat ota-ecdsa-p256.gen-id)" ] || fail "audit records name another key"; pass
! grep -qwF 246810 audit.log || fail "the audit log contains the PIN"; pass
cp audit.log audit.before
refuse 5 CKR_PIN_INCORRECT a4.sig env OTA_PKCS11_PIN=000000 "$OTA_SIGN" --key "$U" --audit-log audit.log --in data --out a4.sig
cmp -s audit.log audit.before || fail "a failed signing changed the audit log"; pass
run 0 "$OTA_KEYS" --json audit verify audit.log
jq -e '.records == 3' out >/dev/null || fail "audit log no longer has 3 records"; pass
sed 's/"seq":2/"seq":9/' audit.log >audit.bad
run 3 "$OTA_KEYS" audit verify audit.bad
run 0 env OTA_AUDIT_LOG=env.log OTA_PKCS11_PIN=246810 "$OTA_SIGN" --key "$U" --in data --out a5.sig
run 0 "$OTA_KEYS" --json audit verify env.log
jq -e '.valid == true and .records == 1' out >/dev/null || fail "OTA_AUDIT_LOG: $(cat out)"; pass
refuse 5 CKR_PIN_INCORRECT a6.sig env OTA_AUDIT_LOG=env.log OTA_PKCS11_PIN=000000 "$OTA_SIGN" --key "$U" --in data --out a6.sig
run 0 "$OTA_KEYS" --json audit verify env.log
jq -e '.records == 1' out >/dev/null || fail "a failed signing added a record to OTA_AUDIT_LOG"; pass

# generate refuses an existing label (ours or the peer's), and the token keeps its objects.
count() { "${P11L[@]}" --list-objects 2>/dev/null | grep -c 'Object;'; }
before=$(count)
[ "$before" = 12 ] || fail "expected 12 objects on the token, found $before"
refuse 2 "already holds an object labelled 'ota-ecdsa-p256'" gen.out env OTA_PKCS11_PIN=246810 "$OTA_KEYS" generate --algo ed25519 --key "$U"
refuse 2 "already holds an object labelled 'peer-p256'" gen.out "$OTA_KEYS" generate --algo ecdsa-p256 --key "$T;object=peer-p256?$PINSRC"
[ "$(count)" = "$before" ] || fail "a refused generate changed the token's object count ($before -> $(count))"
run 0 env OTA_PKCS11_PIN=246810 "$OTA_KEYS" --json list --token "$T"
[ "$(jq '.keys | length' out)" = "$before" ] || fail "ota-keys list shows $(jq '.keys | length' out) keys, expected $before"
pass

# --out naming an input (here the pin-source file) is a usage error and must leave it alone.
cp hsm/user.pin pin.copy; chmod 600 pin.copy; cp pin.copy pin.orig
run 2 "$OTA_SIGN" --key "$U?pin-source=file:$WORK/pin.copy" --in data --out pin.copy
cmp -s pin.copy pin.orig || fail "ota-sign overwrote its pin-source file with --out"
pass

echo "softhsm interop: $checks checks passed, 0 failed"
