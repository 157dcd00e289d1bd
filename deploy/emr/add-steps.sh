#!/usr/bin/env bash
# Submits silo-reports jobs as EMR steps (EMR 7.x: Spark 3.5, Java 17).
#
#   deploy/emr/add-steps.sh stream  CLUSTER_ID            # the streaming job (long-running step)
#   deploy/emr/add-steps.sh report  CLUSTER_ID JOB_ID     # one report request (report_jobs row JOB_ID)
#   deploy/emr/add-steps.sh migrate CLUSTER_ID            # schema migrations
#   deploy/emr/add-steps.sh backfill CLUSTER_ID --from 2026-11-01 --to 2026-11-20
#
# Environment: ARTIFACTS=s3://bucket/silo-reports (holds silo-reports-shaded.jar and emr.properties, uploaded by
# `deploy/emr/add-steps.sh upload`), AWS_REGION. The DB password is read by the job from the environment of the
# driver: pass it as SILO_REPORTS_DB_PASSWORD through spark.yarn.appMasterEnv (resolved here from AWS Secrets
# Manager when DB_SECRET_ID is set; it is never printed).
set -euo pipefail
cmd=${1:?usage: add-steps.sh upload|stream|report|migrate|backfill CLUSTER_ID [args]}
ARTIFACTS=${ARTIFACTS:?set ARTIFACTS=s3://bucket/prefix}
cd "$(dirname "$0")/../.."

if [[ "$cmd" == upload ]]; then
  mvn -B -q -ntp -DskipTests package
  aws s3 cp target/silo-reports-*-shaded.jar "$ARTIFACTS/silo-reports-shaded.jar"
  aws s3 cp conf/emr.properties "$ARTIFACTS/emr.properties"
  echo "uploaded to $ARTIFACTS"
  exit 0
fi

cluster=${2:?cluster id}
shift 2
secret_conf=()
if [[ -n "${DB_SECRET_ID:-}" ]]; then
  pw=$(aws secretsmanager get-secret-value --secret-id "$DB_SECRET_ID" --query SecretString --output text \
       | python3 -c 'import json,sys; s=sys.stdin.read(); print(json.loads(s).get("password", s) if s.startswith("{") else s)')
  secret_conf=(--conf "spark.yarn.appMasterEnv.SILO_REPORTS_DB_PASSWORD=$pw")
fi

spark_args=(spark-submit --deploy-mode cluster --class io.siloreports.cli.Main
  --files "$ARTIFACTS/emr.properties"
  --conf spark.sql.session.timeZone=UTC
  --conf spark.driver.extraJavaOptions=-Duser.timezone=UTC
  --conf spark.executor.extraJavaOptions=-Duser.timezone=UTC
  "${secret_conf[@]}")

case "$cmd" in
  stream)  name="silo-reports stream"; on_failure=CONTINUE; args=(stream --config emr.properties "$@") ;;
  report)  job=${1:?job id}; shift; name="silo-reports report $job"; on_failure=CONTINUE
           args=(report --config emr.properties --job-id "$job" "$@") ;;
  migrate) name="silo-reports migrate"; on_failure=CONTINUE; args=(migrate --config emr.properties "$@") ;;
  backfill) name="silo-reports backfill"; on_failure=CONTINUE; args=(backfill --config emr.properties "$@") ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac

step_args=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' \
  "${spark_args[@]}" "$ARTIFACTS/silo-reports-shaded.jar" "${args[@]}")
steps=$(python3 -c 'import json,sys; print(json.dumps([{"Type":"CUSTOM_JAR","Name":sys.argv[1],"ActionOnFailure":sys.argv[2],
  "Jar":"command-runner.jar","Args":json.loads(sys.argv[3])}]))' "$name" "$on_failure" "$step_args")
aws emr add-steps --cluster-id "$cluster" --steps "$steps" --query 'StepIds[0]' --output text
