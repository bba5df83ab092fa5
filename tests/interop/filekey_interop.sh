#!/usr/bin/env bash
# ota-keys/ota-sign file: keys <-> openssl 3: keys and signatures both ways, and refusals.
# Env: OTA_KEYS OTA_SIGN (FAKE_PKCS11, KEYS_EXAMPLE unused here).
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
for v in OTA_KEYS OTA_SIGN; do
  [ -n "${!v:-}" ] && [ -x "${!v}" ] || fail "$v is not set or not executable ('${!v:-}')"
  printf -v "$v" '%s' "$(realpath "${!v}")"
done
command -v openssl >/dev/null || fail "openssl not installed"
unset OTA_KEY_PASSPHRASE OTA_AUDIT_LOG OTA_PKCS11_PIN
WORK=$(mktemp -d /tmp/ota-filekey.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
umask 022   # so the 0600 of key files is the tool's doing
checks=0
pass() { checks=$((checks + 1)); }

# run CODE CMD...: CMD (stdin /dev/null) must exit CODE; stdout in out, stderr in err;
# the passphrases of this script must not show up in err.
run() {
  local want=$1 rc; shift
  "$@" </dev/null >out 2>err && rc=0 || rc=$?
  [ "$rc" = "$want" ] || fail "exit $rc, expected $want: $*; stderr: $(cat err)"
  ! grep -qwE 'example|wrong-pass-42' err || fail "stderr shows a passphrase: $*; stderr: $(cat err)"
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
# ossl_verify ALGO PUB SIG: openssl checks SIG over data, the way HSM-NOTES.md shows.
ossl_verify() {
  case $1 in
    ed25519) openssl pkeyutl -verify -pubin -inkey "$2" -rawin -in data -sigfile "$3" ;;
    ecdsa-p256) openssl dgst -sha256 -verify "$2" -signature "$3" data ;;
    rsa-pss-3072) openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
                    -sigopt rsa_mgf1_md:sha256 -verify "$2" -signature "$3" data ;;
  esac >/dev/null || fail "openssl rejects the $1 signature '$3' (public key '$2')"
  pass
}
head -c 100000 /dev/urandom >data

# ota-keys generate file:: 0600 PEM that openssl reads, never overwritten; signs for openssl.
declare -A text=([ed25519]='ED25519 Private-Key' [ecdsa-p256]='NIST CURVE: P-256'
                 [rsa-pss-3072]='Private-Key: (3072 bit')
for algo in ed25519 ecdsa-p256 rsa-pss-3072; do
  k=gen-$algo.pem
  run 0 "$OTA_KEYS" generate --algo $algo --key file:$k
  [ "$(stat -c %a $k)" = 600 ] || fail "$k has mode $(stat -c %a $k), expected 600"; pass
  openssl pkey -in $k -noout || fail "openssl cannot read $k"; pass
  openssl pkey -in $k -noout -text | grep -qF "${text[$algo]}" || fail "$k is not an $algo key to openssl"; pass
  cp $k $k.copy
  refuse 2 "already exists" none.out "$OTA_KEYS" generate --algo $algo --key file:$k
  cmp -s $k $k.copy || fail "generate changed the existing $k"; pass
  openssl pkey -in $k -pubout -out $k.pub || fail "openssl cannot derive the public key of $k"
  run 0 "$OTA_KEYS" public --key file:$k --format pem --out $k.ours.pub
  cmp -s $k.pub $k.ours.pub || fail "ota-keys public differs from openssl's public key for $k"; pass
  run 0 "$OTA_SIGN" --key file:$k --in data --out $k.sig
  ossl_verify $algo $k.pub $k.sig
done

# Keys made by openssl, in every accepted PEM form; ota-sign signs, openssl verifies.
openssl genpkey -algorithm ed25519 -out p8-ed25519.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p8-p256.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out p8-rsa.pem 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out sec1-p256.pem
openssl genrsa -traditional -out pkcs1-rsa.pem 3072 2>/dev/null
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:example -in p8-p256.pem -out enc-p256.pem
for spec in p8-ed25519:'PRIVATE KEY' p8-p256:'PRIVATE KEY' p8-rsa:'PRIVATE KEY' \
            sec1-p256:'EC PRIVATE KEY' pkcs1-rsa:'RSA PRIVATE KEY' enc-p256:'ENCRYPTED PRIVATE KEY'; do
  [ "$(head -1 ${spec%%:*}.pem)" = "-----BEGIN ${spec#*:}-----" ] || fail "${spec%%:*}.pem is not a '${spec#*:}' PEM"
  pass
done
for spec in p8-ed25519:ed25519 p8-p256:ecdsa-p256 p8-rsa:rsa-pss-3072 sec1-p256:ecdsa-p256 pkcs1-rsa:rsa-pss-3072; do
  k=${spec%%:*} algo=${spec#*:}
  openssl pkey -in $k.pem -pubout -out $k.pub
  run 0 "$OTA_SIGN" --algo $algo --key file:$k.pem --in data --out $k.sig
  ossl_verify $algo $k.pub $k.sig
done
# Encrypted PKCS#8: the passphrase comes from OTA_KEY_PASSPHRASE only.
openssl pkey -in enc-p256.pem -passin pass:example -pubout -out enc-p256.pub
run 0 env OTA_KEY_PASSPHRASE=example "$OTA_SIGN" --key file:enc-p256.pem --in data --out enc-p256.sig
ossl_verify ecdsa-p256 enc-p256.pub enc-p256.sig
refuse 2 OTA_KEY_PASSPHRASE enc.sig "$OTA_SIGN" --key file:enc-p256.pem --in data --out enc.sig
refuse 3 "wrong passphrase" enc.sig env OTA_KEY_PASSPHRASE=wrong-pass-42 "$OTA_SIGN" --key file:enc-p256.pem --in data --out enc.sig

# Ed25519 is deterministic: ota-sign's signature is openssl's, byte for byte.
openssl pkeyutl -sign -inkey p8-ed25519.pem -rawin -in data -out p8-ed25519.ossl.sig
cmp -s p8-ed25519.sig p8-ed25519.ossl.sig || fail "ota-sign and openssl Ed25519 signatures differ"; pass

# Signatures made by openssl verify with ota-sign; the wrong RSA schemes are rejected (exit 3).
openssl dgst -sha256 -sign p8-p256.pem -out o-p256.sig data
openssl dgst -sha256 -sign sec1-p256.pem -out o-sec1.sig data
openssl pkeyutl -sign -inkey p8-ed25519.pem -rawin -in data -out o-ed25519.sig
pss() { openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:$1 -sigopt rsa_mgf1_md:sha256 "${@:2}"; }
pss 32 -sign p8-rsa.pem -out o-rsa.sig data
pss 32 -sign pkcs1-rsa.pem -out o-pkcs1.sig data
pss 20 -sign p8-rsa.pem -out o-rsa-salt20.sig data
openssl dgst -sha256 -sign p8-rsa.pem -out o-rsa-v15.sig data
run 0 "$OTA_SIGN" verify --pub p8-p256.pub --in data --sig o-p256.sig
run 0 "$OTA_SIGN" verify --pub sec1-p256.pub --in data --sig o-sec1.sig
run 0 "$OTA_SIGN" verify --pub p8-ed25519.pub --in data --sig o-ed25519.sig
run 0 "$OTA_SIGN" verify --pub p8-rsa.pub --in data --sig o-rsa.sig
run 0 "$OTA_SIGN" verify --pub pkcs1-rsa.pub --in data --sig o-pkcs1.sig
pss 32 -verify p8-rsa.pub -signature o-rsa-salt20.sig data >/dev/null 2>&1 && fail "openssl: salt-20 PSS verifies as salt 32"
openssl dgst -sha256 -verify p8-rsa.pub -signature o-rsa-v15.sig data >/dev/null || fail "openssl: bad v1.5 signature"
run 3 "$OTA_SIGN" verify --pub p8-rsa.pub --in data --sig o-rsa-v15.sig     # PKCS#1 v1.5: not our scheme
run 3 "$OTA_SIGN" verify --pub p8-rsa.pub --in data --sig o-rsa-salt20.sig  # PSS, salt 20 instead of 32
run 3 "$OTA_SIGN" verify --pub p8-p256.pub --in data --sig o-sec1.sig       # another P-256 key

# Keys ota-sign refuses: one line that names the problem, no signature file.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048.pem 2>/dev/null
openssl genrsa -traditional -out rsa2048-pkcs1.pem 2048 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem
openssl ecparam -name secp384r1 -genkey -noout -out p384-sec1.pem
openssl req -x509 -new -key p8-p256.pem -subj /CN=ota-interop -days 1 -out cert.pem 2>/dev/null
refuse 1 3072 o.sig "$OTA_SIGN" --key file:rsa2048.pem --in data --out o.sig
refuse 1 3072 o.sig "$OTA_SIGN" --key file:rsa2048-pkcs1.pem --in data --out o.sig
refuse 1 P-256 o.sig "$OTA_SIGN" --key file:p384.pem --in data --out o.sig
refuse 1 P-256 o.sig "$OTA_SIGN" --key file:p384-sec1.pem --in data --out o.sig
refuse 1 "PEM 'CERTIFICATE'" o.sig "$OTA_SIGN" --key file:cert.pem --in data --out o.sig
refuse 1 "PEM 'PUBLIC KEY'" o.sig "$OTA_SIGN" --key file:p8-p256.pub --in data --out o.sig
refuse 2 "not the requested ed25519" o.sig "$OTA_SIGN" --algo ed25519 --key file:p8-p256.pem --in data --out o.sig
cp p8-p256.pem unreadable.pem; chmod 000 unreadable.pem
if [ "$(id -u)" -ne 0 ]; then
  refuse 4 unreadable.pem o.sig "$OTA_SIGN" --key file:unreadable.pem --in data --out o.sig
else
  # root reads any file: run the tool as nobody, in a directory nobody may write to.
  command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed to drop root for the unreadable-key check"
  chmod 755 "$WORK"; chmod 644 data
  out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$OTA_SIGN" --key file:unreadable.pem \
          --in data --out nobody.sig 2>&1) && rc=0 || rc=$?
  [ "$rc" -eq 4 ] || fail "unreadable key as nobody: exit $rc, expected 4: $out"
  [[ $out == *"unreadable.pem"*"Permission denied"* ]] || fail "unreadable key message: $out"
  [ ! -e nobody.sig ] || fail "nobody.sig written"; pass
fi
refuse 4 "does not exist" o.sig "$OTA_SIGN" --key file:missing.pem --in data --out o.sig

# --out naming --in (also through a symlink) is a usage error (exit 2); data keeps its bytes.
cp data data.orig; ln -s data data.link
run 2 "$OTA_SIGN" --key file:p8-p256.pem --in data --out data
run 2 "$OTA_SIGN" --key file:p8-p256.pem --in data --out ./data.link
cmp -s data data.orig || fail "ota-sign wrote over its --in"; pass
# A directory as the key file is a usage error, as a directory given as --in (exit 2).
mkdir keydir
refuse 2 "not a regular file" o.sig "$OTA_SIGN" --key file:keydir --in data --out o.sig
# The key file and the audit log are inputs too: --out naming one of them is exit 2 as well.
cp p8-p256.pem key.pem; cp key.pem key.orig
run 2 "$OTA_SIGN" --key file:key.pem --in data --out key.pem
cmp -s key.pem key.orig || fail "ota-sign wrote its signature over the private key file"; pass
run 2 "$OTA_KEYS" public --key file:key.pem --out key.pem
cmp -s key.pem key.orig || fail "ota-keys public wrote the public key over the private key file"; pass
run 0 "$OTA_SIGN" --key file:key.pem --in data --out first.sig --audit-log audit.log
cp audit.log audit.orig
run 2 "$OTA_SIGN" --key file:key.pem --in data --out audit.log --audit-log audit.log
cmp -s audit.log audit.orig || fail "ota-sign wrote its signature over the audit log"; pass

echo "filekey interop: $checks checks passed, 0 failed"
