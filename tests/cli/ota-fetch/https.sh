. "$(dirname "$0")/../fetch_setup.sh"; make_repo
# A certificate authority of our own and a server certificate for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=test-ca \
  -keyout ca.key -out ca.pem 2>/dev/null || exit 9
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 -keyout srv.key -out srv.csr 2>/dev/null || exit 9
printf 'subjectAltName=IP:127.0.0.1\n' > san.ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out srv.pem 2>/dev/null || exit 9
serve repo --tls srv.pem srv.key
URL=${URL/http:/https:}
"$OTA_FETCH" --metadata-dir md init repo/metadata/1.root.json 2>/dev/null || exit 9
# A server whose certificate the system does not trust is refused.
fetch refresh 2> untrusted.err && exit 9
grep -qi "certificate" untrusted.err || { cat untrusted.err >&2; exit 9; }
# With the CA: the whole download over https.
download --ca-file ca.pem --target-name ecu/fw.bin 2>/dev/null || exit 9
cmp tg/ecu%2Ffw.bin fw.bin || exit 9
# A redirect from https to http is refused (a downgrade) before anything is asked there.
echo '{"/metadata/timestamp.json": {"redirect_to": "http://127.0.0.1:1/metadata/timestamp.json"}}' > control.json
kill $SERVER_PID; serve repo --tls srv.pem srv.key --control control.json
URL=${URL/http:/https:}
rm -rf md; "$OTA_FETCH" --metadata-dir md init repo/metadata/1.root.json 2>/dev/null || exit 9
fetch --ca-file ca.pem refresh 2> downgrade.err
code=$?
grep -q "redirects to 'http://127.0.0.1:1/metadata/timestamp.json': refusing to leave https$" downgrade.err ||
  { cat downgrade.err >&2; exit 9; }
exit $code
