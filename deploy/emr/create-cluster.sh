#!/usr/bin/env bash
# Creates the EMR cluster silo-reports runs on: EMR 7.11 (Spark 3.5.6, Java 17), Spark only, managed scaling, logs
# on S3, and a step concurrency high enough for the stream (a step that never ends) plus reports and backfills side
# by side: with the default of 1, every report would wait behind the stream for ever.
#
#   SUBNET_ID=subnet-... LOG_URI=s3://bucket/emr-logs/ deploy/emr/create-cluster.sh [cluster name]
#
# Environment: SUBNET_ID (a private subnet that reaches RDS and MSK), LOG_URI, INSTANCE_PROFILE (default
# EMR_EC2_DefaultRole), SERVICE_ROLE (default EMR_DefaultRole_V2), RELEASE (default emr-7.11.0), STEP_CONCURRENCY
# (default 10), MIN_UNITS / MAX_UNITS (managed scaling, default 2 / 10 instances), INSTANCE_TYPE (m6i.xlarge),
# AWS_REGION or AWS_DEFAULT_REGION, AWS_CLI_EXTRA (options for the aws call). Prints the cluster id.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=${1:-silo-reports}
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region 2>/dev/null || true)}}
[[ -n "$region" ]] || { echo "set AWS_REGION (or AWS_DEFAULT_REGION)" >&2; exit 2; }
type=${INSTANCE_TYPE:-m6i.xlarge}
# shellcheck disable=SC2206
aws=(aws --region "$region" ${AWS_CLI_EXTRA:-})
"${aws[@]}" emr create-cluster \
  --name "$name" \
  --release-label "${RELEASE:-emr-7.11.0}" \
  --applications Name=Spark \
  --log-uri "${LOG_URI:?set LOG_URI=s3://bucket/prefix/}" \
  --service-role "${SERVICE_ROLE:-EMR_DefaultRole_V2}" \
  --ec2-attributes "SubnetId=${SUBNET_ID:?set SUBNET_ID},InstanceProfile=${INSTANCE_PROFILE:-EMR_EC2_DefaultRole}" \
  --instance-groups "InstanceGroupType=MASTER,InstanceCount=1,InstanceType=$type" \
                    "InstanceGroupType=CORE,InstanceCount=${MIN_UNITS:-2},InstanceType=$type" \
  --managed-scaling-policy "ComputeLimits={UnitType=Instances,MinimumCapacityUnits=${MIN_UNITS:-2},MaximumCapacityUnits=${MAX_UNITS:-10}}" \
  --step-concurrency-level "${STEP_CONCURRENCY:-10}" \
  --configurations "file://$here/configurations.json" \
  --tags "app=silo-reports" \
  --query ClusterId --output text
