# shellcheck shell=bash disable=SC2034  # sourced: the names below are used by the scripts that source it
# Shared by the deploy/emr scripts (sourced, not run). Bash 3.2 (stock macOS) and later: no associative arrays, no
# mapfile, and an array that may be empty is expanded as ${a[@]+"${a[@]}"} (before bash 4.4, "${a[@]}" of an empty
# array is an unbound variable under set -u).

# The region: AWS_REGION, else AWS_DEFAULT_REGION (all the AWS CLI v1 reads), else the CLI profile's; passed to every
# call. AWS_CLI_EXTRA adds options to every aws call (e.g. --endpoint-url for a check).
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region 2>/dev/null || true)}}
[ -n "$region" ] || { echo "set AWS_REGION (or AWS_DEFAULT_REGION)" >&2; exit 2; }
# shellcheck disable=SC2206
aws=(aws --region "$region" ${AWS_CLI_EXTRA:-})

# The project's names: the roles and instance profile of its own (nothing is added to the account's default roles)
# and the security groups create-roles.sh makes, tagged for AmazonEMRServicePolicy_v2.
SERVICE_ROLE_NAME=silo-reports-emr-service
INSTANCE_ROLE_NAME=silo-reports-emr-ec2
SG_PRIMARY=silo-reports-emr-primary
SG_CORE=silo-reports-emr-core
SG_SERVICE_ACCESS=silo-reports-emr-service-access
V2_TAG=for-use-with-amazon-emr-managed-policies

# already_ok CODE COMMAND...: runs an aws command; when it fails only because AWS answers CODE (the thing exists
# already), says so and succeeds, so a script can be run again.
already_ok() {
  local code=$1 err
  shift
  err=$("$@" 2>&1 >/dev/null) && return 0
  if printf '%s' "$err" | grep -q "($code)"; then
    echo "  already there ($code): ${*:2:3}"
    return 0
  fi
  printf '%s\n' "$err" >&2
  return 1
}

# vpc_of SUBNET_ID: the subnet's VPC id.
vpc_of() {
  "${aws[@]}" ec2 describe-subnets --subnet-ids "$1" --query 'Subnets[0].VpcId' --output text
}

# security_group NAME VPC_ID: the id of the project's security group NAME in the VPC, or nothing.
security_group() {
  local id
  id=$("${aws[@]}" ec2 describe-security-groups --filters "Name=group-name,Values=$1" "Name=vpc-id,Values=$2" \
    --query 'SecurityGroups[0].GroupId' --output text)
  [ "$id" = None ] || printf '%s\n' "$id"
}
