#!/usr/bin/env bash
# Runs every AWS CLI command of deploy/emr-serverless/README.md against a dead endpoint, as deploy/emr/check-cli-syntax.sh
# does for deploy/emr: the CLI checks the options, their values and the JSON it is given (application.json, the job
# driver) against its model of the service before it sends anything, so a command it would refuse fails here with
# its error, and a command it accepts fails only to connect. Nothing reaches AWS.
#   deploy/emr-serverless/check-cli-syntax.sh [aws binary ...]      # e.g. /usr/bin/aws (CLI v2) and a CLI v1
set -uo pipefail
cd "$(dirname "$0")/../.."
export AWS_ACCESS_KEY_ID=check AWS_SECRET_ACCESS_KEY=check AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1
export ARTIFACTS=s3://example-silo-reports/silo-reports
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
role=arn:aws:iam::123456789012:role/silo-reports-emr-serverless-job
driver='{"sparkSubmit": {"entryPoint": "s3://example-silo-reports/silo-reports/silo-reports-shaded.jar",
    "entryPointArguments": ["report", "--config", "emr.properties", "--job-id", "r-1"],
    "sparkSubmitParameters": "--class io.siloreports.cli.Main --files s3://example-silo-reports/silo-reports/emr.properties --conf spark.sql.session.timeZone=UTC"}}'
for bin in "${bins[@]}"; do
  echo "== $("$bin" --version 2>&1)"
  dir=$(mktemp -d); ln -s "$(command -v "$bin")" "$dir/aws"; PATH="$dir:$PATH"
  e=(--endpoint-url http://127.0.0.1:9)
  check "s3 cp (jar)" aws s3 cp pom.xml "$ARTIFACTS/silo-reports-shaded.jar" "${e[@]}"
  check "s3 cp (emr.properties)" aws s3 cp conf/emr.properties "$ARTIFACTS/emr.properties" "${e[@]}"
  check "iam create-role" aws iam create-role --role-name silo-reports-emr-serverless-job \
    --assume-role-policy-document file://deploy/emr-serverless/iam/job-role-trust-policy.json "${e[@]}"
  check "iam put-role-policy (job role)" aws iam put-role-policy --role-name silo-reports-emr-serverless-job \
    --policy-name silo-reports --policy-document file://deploy/emr-serverless/iam/job-role-policy.json "${e[@]}"
  check "emr-serverless create-application" aws emr-serverless create-application --region eu-west-1 \
    --cli-input-json file://deploy/emr-serverless/application.json "${e[@]}"
  check "emr-serverless get-application" aws emr-serverless get-application --region eu-west-1 \
    --application-id 00fexample0app1 "${e[@]}"
  check "iam put-role-policy (worker)" aws iam put-role-policy --role-name silo-reports-service \
    --policy-name silo-reports-emr-serverless --policy-document file://deploy/emr-serverless/iam/worker-policy.json "${e[@]}"
  check "emr-serverless start-job-run" aws emr-serverless start-job-run --region eu-west-1 \
    --application-id 00fexample0app1 --execution-role-arn "$role" --name silo-reports-report-r-1 \
    --retry-policy maxAttempts=1 --job-driver "$driver" "${e[@]}"
  check "emr-serverless get-job-run" aws emr-serverless get-job-run --region eu-west-1 \
    --application-id 00fexample0app1 --job-run-id 00fexample0run1 "${e[@]}"
  check "emr-serverless cancel-job-run" aws emr-serverless cancel-job-run --region eu-west-1 \
    --application-id 00fexample0app1 --job-run-id 00fexample0run1 "${e[@]}"
  rm -rf "$dir"
done
[[ $fails -eq 0 ]] && echo "all commands accepted by the CLI" || { echo "$fails command(s) refused"; exit 1; }
