#!/usr/bin/env bash
# Runs every AWS CLI command of deploy/emr/README.md and of the scripts against a dead endpoint: the CLI checks the
# options and their values before it sends anything, so a command it would refuse fails here with its usage error,
# and a command it accepts fails only to connect. Nothing reaches AWS.
#   deploy/emr/check-cli-syntax.sh [aws binary ...]      # e.g. /usr/bin/aws (CLI v2) and a CLI v1
set -uo pipefail
cd "$(dirname "$0")/../.."
export AWS_ACCESS_KEY_ID=check AWS_SECRET_ACCESS_KEY=check AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1
export ARTIFACTS=s3://example-silo-reports/silo-reports AWS_CLI_EXTRA="--endpoint-url http://127.0.0.1:9"
bins=("$@"); [[ ${#bins[@]} -gt 0 ]] || bins=(aws)
fails=0
check() { # check <description> <command...>: ok when the only complaint is the unreachable endpoint
  local what=$1 out
  shift
  out=$("$@" 2>&1)
  if grep -qiE "could not connect|connection refused|Connect timeout|endpoint url" <<<"$out"; then
    printf 'ok    %s\n' "$what"
  else
    printf 'FAIL  %s\n%s\n' "$what" "$(sed 's/^/      /' <<<"$out" | head -8)"; fails=$((fails + 1))
  fi
}
for bin in "${bins[@]}"; do
  echo "== $("$bin" --version 2>&1)"
  dir=$(mktemp -d); ln -s "$(command -v "$bin")" "$dir/aws"; PATH="$dir:$PATH"
  e=(--endpoint-url http://127.0.0.1:9)
  check "s3 mb" aws s3 mb s3://example-silo-reports --region eu-west-1 "${e[@]}"
  check "emr create-default-roles" aws emr create-default-roles --region eu-west-1 "${e[@]}"
  check "iam put-role-policy" aws iam put-role-policy --role-name EMR_EC2_DefaultRole --policy-name silo-reports \
    --policy-document file://deploy/emr/iam/instance-profile-policy.json "${e[@]}"
  check "secretsmanager create-secret" aws secretsmanager create-secret --region eu-west-1 --name silo-reports/rds \
    --secret-string '{"username":"silo_reports","password":"CHANGE-ME"}' "${e[@]}"
  check "create-cluster.sh" env SUBNET_ID=subnet-0123456789abcdef0 LOG_URI=s3://example-silo-reports/emr-logs/ \
    deploy/emr/create-cluster.sh
  for c in "migrate" "stream" "report --job-id r-2026-11-30 --silos 1,3 --from 2026-11-01 --to 2026-11-08" \
           "backfill --from 2026-11-01 -- --driver-memory 4g" "stop-stream"; do
    read -r -a words <<<"$c"
    check "add-steps.sh $c" deploy/emr/add-steps.sh "${words[0]}" j-ABCDEFGHIJKLM "${words[@]:1}"
  done
  check "s3 cp (upload)" aws s3 cp conf/emr.properties "$ARTIFACTS/emr.properties" "${e[@]}"
  check "s3api put-bucket-lifecycle-configuration" aws s3api put-bucket-lifecycle-configuration \
    --bucket example-silo-reports --lifecycle-configuration file://deploy/emr/s3-lifecycle.json "${e[@]}"
  check "iam put-role-policy (report service)" aws iam put-role-policy --role-name silo-reports-service \
    --policy-name silo-reports-service --policy-document file://deploy/emr/iam/report-service-policy.json "${e[@]}"
  rm -rf "$dir"
done
[[ $fails -eq 0 ]] && echo "all commands accepted by the CLI" || { echo "$fails command(s) refused"; exit 1; }
