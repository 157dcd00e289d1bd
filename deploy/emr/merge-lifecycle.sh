#!/usr/bin/env bash
# Puts the project's S3 lifecycle rules (deploy/emr/s3-lifecycle.json: the reports expire after 35 days) into a
# bucket WITHOUT dropping its other rules: PutBucketLifecycleConfiguration replaces a bucket's whole configuration,
# and this bucket also holds the raw input, the checkpoints and the logs. It reads the configuration, merges by rule
# ID (deploy/emr/lifecycle_merge.py) and writes the merged one back; run it again at any time.
#
#   deploy/emr/merge-lifecycle.sh BUCKET [RULES.json]       # DRY_RUN=1 prints the merged configuration only
#
# Between the read and the write another writer's change would be lost (S3 offers no conditional write here):
# run it when nobody else changes the bucket's rules.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/emr/lib.sh
. "$here/lib.sh"
bucket=${1:?usage: merge-lifecycle.sh BUCKET [RULES.json]}
rules=${2:-$here/s3-lifecycle.json}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! "${aws[@]}" s3api get-bucket-lifecycle-configuration --bucket "$bucket" --output json >"$tmp/existing.json" \
     2>"$tmp/err"; then
  grep -q NoSuchLifecycleConfiguration "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  echo '{}' >"$tmp/existing.json"
fi
python3 "$here/lifecycle_merge.py" "$tmp/existing.json" "$rules" >"$tmp/merged.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); open(sys.argv[2],"w").write(json.dumps(d["configuration"])); print(d["transition_default_minimum_object_size"] or "")' \
  "$tmp/merged.json" "$tmp/configuration.json" >"$tmp/size"
size=$(cat "$tmp/size")
if [ -n "${DRY_RUN:-}" ]; then
  cat "$tmp/configuration.json"; echo
  exit 0
fi
# The bucket's default minimum transition size is a setting of the configuration: kept when it is not the default.
extra=()
[ "$size" = varies_by_storage_class ] && extra=(--transition-default-minimum-object-size "$size")
"${aws[@]}" s3api put-bucket-lifecycle-configuration --bucket "$bucket" \
  --lifecycle-configuration "file://$tmp/configuration.json" ${extra[@]+"${extra[@]}"}
echo "lifecycle of $bucket merged"
