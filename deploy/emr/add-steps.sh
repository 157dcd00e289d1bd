#!/usr/bin/env bash
# Submits silo-reports jobs as EMR steps (EMR 7.x: Spark 3.5, Java 17), with the step definitions of
# deploy/silo_reports_steps.py (the same code the Airflow DAGs use).
#
#   deploy/emr/add-steps.sh upload                                 # build (-Pemr-7.11); upload the jar and conf/emr.properties
#   deploy/emr/add-steps.sh migrate  CLUSTER_ID                    # schema migrations (one YARN attempt)
#   deploy/emr/add-steps.sh stream   CLUSTER_ID                    # the stream: a step that keeps running
#   deploy/emr/add-steps.sh report   CLUSTER_ID --job-id r1 [--silos 1,3 --from 2026-11-01 --to 2026-11-08]
#   deploy/emr/add-steps.sh backfill CLUSTER_ID --from 2026-11-01 [--to 2026-11-20]
#   deploy/emr/add-steps.sh stop-stream CLUSTER_ID [--kill]        # stop the stream step (its step ends COMPLETED)
#
# Job flags come after CLUSTER_ID; spark-submit options after a lone "--":
#   deploy/emr/add-steps.sh backfill j-ABC --from 2026-11-01 -- --driver-memory 4g --conf spark.executor.instances=4
#
# Environment: ARTIFACTS=s3://bucket/prefix (holds silo-reports-shaded.jar and emr.properties); DB_SECRET_ID (the
# Secrets Manager secret of the database password: the job reads it itself, no password is in the step); the region
# from AWS_REGION, else AWS_DEFAULT_REGION, else the CLI profile (AWS CLI v1 reads only AWS_DEFAULT_REGION, so it is
# passed explicitly). AWS_CLI_EXTRA adds options to every aws call (e.g. --endpoint-url for a check). EMR_PROFILE: the
# Maven profile of the cluster's EMR release (default emr-7.11, the release create-cluster.sh starts).
#
# Runs on bash 3.2 (stock macOS) and later.
set -euo pipefail
cmd=${1:?usage: add-steps.sh upload|migrate|stream|report|backfill|stop-stream CLUSTER_ID [job flags] [-- spark-submit options]}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=deploy/emr/lib.sh
. "$here/lib.sh"
# The EMR release's profile: the Kafka connector in the jar matches that release's Spark (pom.xml, emr-7.11).
EMR_PROFILE=${EMR_PROFILE:-emr-7.11}

if [ "$cmd" = upload ]; then
  ARTIFACTS=${ARTIFACTS:?set ARTIFACTS=s3://bucket/prefix}
  (cd "$root" && mvn -B -q -ntp -P"$EMR_PROFILE" -DskipTests package)
  "${aws[@]}" s3 cp "$(ls "$root"/target/silo-reports-*-shaded.jar)" "$ARTIFACTS/silo-reports-shaded.jar"
  "${aws[@]}" s3 cp "$root/conf/emr.properties" "$ARTIFACTS/emr.properties"
  echo "uploaded to $ARTIFACTS"
  exit 0
fi

cluster=${2:?cluster id (j-...)}
shift 2

if [ "$cmd" = stop-stream ] && [ "${1:-}" != --kill ]; then
  # A planned stop: the stream's stop file (stream.stop-file, ${checkpoint.dir}/STOP in emr.properties), which the
  # running stream notices between micro-batches; it stops its queries, deletes the file and returns normally, so its
  # step ends COMPLETED. A new stream step resumes from the checkpoint.
  checkpoints=$(sed -n 's/^checkpoint\.dir=//p' "$root/conf/emr.properties" | sed 's#^s3a://#s3://#')
  [ -n "$checkpoints" ] || { echo "no checkpoint.dir in conf/emr.properties" >&2; exit 2; }
  printf 'stop requested %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" | "${aws[@]}" s3 cp - "$checkpoints/STOP"
  echo "asked the stream to stop ($checkpoints/STOP): its step ends COMPLETED within a micro-batch"
  exit 0
fi
if [ "$cmd" = stop-stream ]; then
  # --kill, for a stream that does not answer: its YARN application is killed by a step of its own (cancelling its
  # step stops only spark-submit), and its step ends FAILED. Safe at any moment all the same: every micro-batch
  # commits with its batch id, and a new stream step resumes from the checkpoint without losing or double counting.
  # shellcheck disable=SC2016  # $2 and $1 are awk's, on the node
  kill='yarn application -list -appStates RUNNING,ACCEPTED 2>/dev/null | awk '"'"'$2 == "silo-reports-stream" {print $1}'"'"' | xargs -r -n1 yarn application -kill'
  stop=$(python3 -c 'import json,sys; print(json.dumps([{"Type": "CUSTOM_JAR", "Name": "silo-reports stop stream",
    "ActionOnFailure": "CONTINUE", "Jar": "command-runner.jar", "Args": ["bash", "-c", sys.argv[1]]}]))' "$kill")
  "${aws[@]}" emr add-steps --cluster-id "$cluster" --steps "$stop" --query 'StepIds[0]' --output text
  exit 0
fi

ARTIFACTS=${ARTIFACTS:?set ARTIFACTS=s3://bucket/prefix}
secret=()
[ -n "${DB_SECRET_ID:-}" ] && secret=(--db-secret-id "$DB_SECRET_ID")
steps_json=$(python3 "$root/deploy/silo_reports_steps.py" step "$cmd" --artifacts "$ARTIFACTS" \
  ${secret[@]+"${secret[@]}"} "$@")
"${aws[@]}" emr add-steps --cluster-id "$cluster" --steps "$steps_json" --query 'StepIds[0]' --output text
