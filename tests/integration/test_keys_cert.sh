#!/usr/bin/env bash
# plaint keys cert: the report signing key (RSA-3072, PKCS#8, 0600) and its self-signed
# certificate, checked with openssl; refuses to overwrite without --force; bad options are
# usage or input errors. No database is involved.
. "$(dirname "$0")/lib/common.sh"

H=$(new_home)
export PLAINT_HOME=$H
unset PLAINT_TOKEN
KEY=$H/keys/report-signing-key.pem
CERT=$H/keys/report-signing-cert.pem

expect_exit 0 "keys cert --help" -- "$PLAINT_BIN" keys cert --help
check "help names the options" -- grep -q -- "--subject DN" "$TMP_OUT"
expect_exit 0 "keys cert" -- "$PLAINT_BIN" keys cert
cp "$TMP_OUT" "$H/first.out"
check "key is PKCS#8 PEM" -- grep -q "^-----BEGIN PRIVATE KEY-----$" "$KEY"
check "key mode 0600" -- test "$(stat -c %a "$KEY")" = 600
check "key is RSA 3072" -- sh -c "openssl pkey -in '$KEY' -noout -text | grep -q 'Private-Key: (3072 bit'"
check "key and certificate match" -- test "$(openssl pkey -in "$KEY" -pubout)" = "$(openssl x509 -in "$CERT" -noout -pubkey)"
openssl x509 -in "$CERT" -noout -text >"$H/cert.txt"
check "default subject" -- grep -q "Subject: CN = plaint report signing (demo), O = plaint demo" "$H/cert.txt"
check "self-signed (issuer = subject)" -- grep -q "Issuer: CN = plaint report signing (demo), O = plaint demo" "$H/cert.txt"
check "sha256WithRSAEncryption" -- grep -q "Signature Algorithm: sha256WithRSAEncryption" "$H/cert.txt"
check "keyUsage digitalSignature, nonRepudiation (critical)" -- sh -c "grep -A1 'X509v3 Key Usage: critical' '$H/cert.txt' | grep -q 'Digital Signature, Non Repudiation'"
check "basicConstraints CA:FALSE (critical)" -- sh -c "grep -A1 'X509v3 Basic Constraints: critical' '$H/cert.txt' | grep -q 'CA:FALSE'"
check "subject key identifier" -- grep -q "X509v3 Subject Key Identifier" "$H/cert.txt"
check "version 3" -- grep -q "Version: 3 (0x2)" "$H/cert.txt"
check "self-signature verifies" -- sh -c "openssl verify -CAfile '$CERT' -partial_chain '$CERT' | grep -q ': OK'"
days=$(( ( $(date -d "$(openssl x509 -in "$CERT" -noout -enddate | cut -d= -f2)" +%s) - $(date -d "$(openssl x509 -in "$CERT" -noout -startdate | cut -d= -f2)" +%s) ) / 86400 ))
check "valid for 825 days" -- test "$days" = 825
FP=$(openssl x509 -in "$CERT" -noout -fingerprint -sha256 | cut -d= -f2)
check "printed fingerprint is the certificate's SHA-256" -- grep -q "^SHA-256 fingerprint $FP$" "$H/first.out"
check "printed paths" -- sh -c "grep -q '^private key $KEY (RSA-3072, mode 0600)$' '$H/first.out' && grep -q '^certificate $CERT$' '$H/first.out'"

# Never overwritten without --force; the files stay as they were.
expect_exit 5 "second keys cert refused" -- "$PLAINT_BIN" keys cert
check "refusal names the file and --force" -- grep -q "exists; refusing to overwrite it (--force" "$TMP_ERR"
check "certificate unchanged" -- test "$(openssl x509 -in "$CERT" -noout -fingerprint -sha256 | cut -d= -f2)" = "$FP"
expect_exit 0 "--force replaces both" -- "$PLAINT_BIN" keys cert --force --subject 'CN=Łódź Müller\, Reports,O=Ørsted plc,C=GB' --days 30
check "new certificate" -- test "$(openssl x509 -in "$CERT" -noout -fingerprint -sha256 | cut -d= -f2)" != "$FP"
check "UTF-8 subject with an escaped comma (one CN)" -- sh -c "openssl x509 -in '$CERT' -noout -subject -nameopt RFC2253,-esc_msb | grep -qF 'C=GB,O=Ørsted plc,CN=Łódź Müller\\, Reports'"
check "key and new certificate match" -- test "$(openssl pkey -in "$KEY" -pubout)" = "$(openssl x509 -in "$CERT" -noout -pubkey)"
check "key still 0600" -- test "$(stat -c %a "$KEY")" = 600

# Bad input.
expect_exit 3 "subject without CN" -- "$PLAINT_BIN" keys cert --force --subject 'O=x'
check "names the field" -- grep -q "field subject" "$TMP_ERR"
expect_exit 3 "unknown attribute" -- "$PLAINT_BIN" keys cert --force --subject 'CN=a,XX=b'
expect_exit 3 "not NAME=VALUE" -- "$PLAINT_BIN" keys cert --force --subject 'hello'
expect_exit 2 "--days 0" -- "$PLAINT_BIN" keys cert --force --days 0
expect_exit 2 "--days not a number" -- "$PLAINT_BIN" keys cert --force --days ten
expect_exit 2 "an operand" -- "$PLAINT_BIN" keys cert extra
check "the failed runs left the last pair in place" -- test "$(openssl pkey -in "$KEY" -pubout)" = "$(openssl x509 -in "$CERT" -noout -pubkey)"

# Configured paths (report.signing_key / signing_cert) are honoured, directories created.
H2=$(new_home)
expect_exit 0 "keys cert at configured paths" -- env PLAINT_HOME="$H2" PLAINT_REPORT_KEY="$H2/elsewhere/k.pem" PLAINT_REPORT_CERT="$H2/elsewhere/c.pem" "$PLAINT_BIN" keys cert
check "key at the configured path" -- test -f "$H2/elsewhere/k.pem"
check "certificate at the configured path" -- test -f "$H2/elsewhere/c.pem"
check "nothing at the default path" -- test ! -e "$H2/keys/report-signing-key.pem"

finish
