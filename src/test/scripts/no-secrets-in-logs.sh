#!/usr/bin/env bash
# no-secrets-in-logs.sh SECRETS_FILE DIR...
# Fails when a test's output under the DIRs (surefire's and failsafe's *-output.txt, and *.log files) holds one of the
# secrets listed in SECRETS_FILE, or the signature of a presigned link (S3's X-Amz-Signature, the local download
# links' signature): links may be logged only without it. Says where, never the secret itself. Finding no file at all
# fails too: a scan of nothing would pass whatever the tests logged.
set -euo pipefail
secrets_file=$1
shift
mapfile -t secrets < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$secrets_file" | grep -v '^$')
files=()
while IFS= read -r -d '' f; do
  files+=("$f")
done < <(find "$@" -type f \( -name '*-output.txt' -o -name '*.log' \) -print0 2>/dev/null)
findings=0
for f in "${files[@]}"; do
  for s in "${secrets[@]}"; do
    line=$(grep -nF -m1 -- "$s" "$f" | cut -d: -f1 || true)
    if [ -n "$line" ]; then
      echo "no-secrets-in-logs: $f line $line holds the test secret '${s:0:3}...'" >&2
      findings=$((findings + 1))
    fi
  done
  line=$(grep -nE -m1 -- 'X-Amz-Signature=[0-9a-fA-F]{8}|[?&]signature=[0-9a-fA-F]{8}' "$f" | cut -d: -f1 || true)
  if [ -n "$line" ]; then
    echo "no-secrets-in-logs: $f line $line holds a presigned link with its signature" >&2
    findings=$((findings + 1))
  fi
done
if [ "${#files[@]}" -eq 0 ]; then
  echo "no-secrets-in-logs: no test output file under $* (*-output.txt, *.log): nothing was checked" >&2
  exit 1
fi
echo "no-secrets-in-logs: ${#files[@]} test output files checked for ${#secrets[@]} secrets and link signatures:" \
  "$findings finding(s)"
[ "$findings" -eq 0 ]
