#!/usr/bin/env bash
# Creates the EMR cluster silo-reports runs on: EMR 7.11 (Spark 3.5.6, Java 17), Spark only, managed scaling, logs
# on S3, and a step concurrency high enough for the stream (a step that never ends) plus reports and backfills side
# by side: with the default of 1, every report would wait behind the stream for ever.
#
#   SUBNET_ID=subnet-... LOG_URI=s3://bucket/emr-logs/ deploy/emr/create-cluster.sh [cluster name]
#
# It uses what deploy/emr/create-roles.sh made: the service role silo-reports-emr-service (AmazonEMRServicePolicy_v2),
# the instance profile silo-reports-emr-ec2, and the project's security groups in the subnet's VPC; the cluster is
# tagged for-use-with-amazon-emr-managed-policies=true, without which the v2 policy may launch nothing.
#
# Environment: SUBNET_ID (the private subnet create-roles.sh tagged), LOG_URI, SERVICE_ROLE, INSTANCE_PROFILE (the
# project's by default), EMR_PRIMARY_SG / EMR_CORE_SG / EMR_SERVICE_ACCESS_SG (looked up by name by default), RELEASE
# (default emr-7.11.0), STEP_CONCURRENCY (default 10), MIN_UNITS / MAX_UNITS (managed scaling, default 2 / 10
# instances), INSTANCE_TYPE (m6i.xlarge), AWS_REGION or AWS_DEFAULT_REGION, AWS_CLI_EXTRA (options for the aws
# calls). Prints the cluster id.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/emr/lib.sh
. "$here/lib.sh"
name=${1:-silo-reports}
subnet=${SUBNET_ID:?set SUBNET_ID}
log_uri=${LOG_URI:?set LOG_URI=s3://bucket/prefix/}
type=${INSTANCE_TYPE:-m6i.xlarge}
vpc=$(vpc_of "$subnet")
sg() { # sg NAME OVERRIDE: the override, else the project's group NAME in the subnet's VPC
  local id=${2:-$(security_group "$1" "$vpc")}
  [ -n "$id" ] || { echo "no security group $1 in $vpc: run deploy/emr/create-roles.sh first" >&2; return 1; }
  printf '%s' "$id"
}
primary=$(sg "$SG_PRIMARY" "${EMR_PRIMARY_SG:-}")
core=$(sg "$SG_CORE" "${EMR_CORE_SG:-}")
service_access=$(sg "$SG_SERVICE_ACCESS" "${EMR_SERVICE_ACCESS_SG:-}")
"${aws[@]}" emr create-cluster \
  --name "$name" \
  --release-label "${RELEASE:-emr-7.11.0}" \
  --applications Name=Spark \
  --log-uri "$log_uri" \
  --service-role "${SERVICE_ROLE:-$SERVICE_ROLE_NAME}" \
  --ec2-attributes "SubnetId=$subnet,InstanceProfile=${INSTANCE_PROFILE:-$INSTANCE_ROLE_NAME},EmrManagedMasterSecurityGroup=$primary,EmrManagedSlaveSecurityGroup=$core,ServiceAccessSecurityGroup=$service_access" \
  --instance-groups "InstanceGroupType=MASTER,InstanceCount=1,InstanceType=$type" \
                    "InstanceGroupType=CORE,InstanceCount=${MIN_UNITS:-2},InstanceType=$type" \
  --managed-scaling-policy "ComputeLimits={UnitType=Instances,MinimumCapacityUnits=${MIN_UNITS:-2},MaximumCapacityUnits=${MAX_UNITS:-10}}" \
  --step-concurrency-level "${STEP_CONCURRENCY:-10}" \
  --configurations "file://$here/configurations.json" \
  --tags "app=silo-reports" "$V2_TAG=true" \
  --query ClusterId --output text
