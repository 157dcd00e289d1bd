#!/usr/bin/env bash
# Once per account, by an administrator (deploy/emr/iam/setup-policy.json is exactly what it calls): everything
# silo-reports' EMR cluster needs that a fresh account lacks, from this folder's own IAM documents. Run it again at
# any time: what exists is kept, the inline policies are rewritten.
#
#   BUCKET=example-silo-reports SUBNET_ID=subnet-... MSK_CLUSTER=silo-reports [SECRET_NAME=silo-reports/rds] \
#     [KMS_KEY_ID=<key id of a customer managed key encrypting the secret>] deploy/emr/create-roles.sh
#
# It creates:
#  - the service role silo-reports-emr-service: trusted by EMR of this account only (iam/service-role-trust-policy.json),
#    with the managed AmazonEMRServicePolicy_v2 and leave to pass the project's instance role to the cluster's nodes
#    (iam/service-role-pass-instance-role.json: the v2 policy may pass only EMR_EC2_DefaultRole);
#  - the instance role and instance profile silo-reports-emr-ec2 (one name for both, as EMR requires) with the
#    least-privilege iam/instance-profile-policy.json; the account's EMR_EC2_DefaultRole is left alone;
#  - EMR's service-linked cleanup role (AWSServiceRoleForEMRCleanup), which the first cluster of an account would
#    otherwise create with the operator's rights;
#  - the tag for-use-with-amazon-emr-managed-policies=true on the subnet, and three security groups of the project in
#    its VPC created with that tag (primary, core, service access: the v2 policy launches only into tagged ones).
# Then prints the security groups, for the database's and Kafka's ingress rules (deploy/emr/README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/emr/lib.sh
. "$here/lib.sh"
bucket=${BUCKET:?set BUCKET (the bucket of the artifacts, reports, checkpoints and logs)}
subnet=${SUBNET_ID:?set SUBNET_ID (a private subnet that reaches the database and Kafka)}
msk=${MSK_CLUSTER:?set MSK_CLUSTER (the MSK cluster name)}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
account=$("${aws[@]}" sts get-caller-identity --query Account --output text)
render() { # render DOCUMENT: this folder's IAM document with the account's values, as a file for file://
  python3 "$here/iam/render.py" "$here/iam/$1" ACCOUNT="$account" REGION="$region" BUCKET="$bucket" \
    SECRET_NAME="${SECRET_NAME:-silo-reports/rds}" MSK_CLUSTER="$msk" KMS_KEY_ID="${KMS_KEY_ID:-}" >"$tmp/$1" || return 1
  printf 'file://%s' "$tmp/$1"
}
# Rendered first, each in an assignment of its own, so that a refused value stops the script here.
service_trust=$(render service-role-trust-policy.json)
service_pass_role=$(render service-role-pass-instance-role.json)
instance_trust=$(render instance-role-trust-policy.json)
instance_policy=$(render instance-profile-policy.json)

echo "service role $SERVICE_ROLE_NAME"
already_ok EntityAlreadyExists "${aws[@]}" iam create-role --role-name "$SERVICE_ROLE_NAME" \
  --assume-role-policy-document "$service_trust" \
  --description "silo-reports: EMR service role (AmazonEMRServicePolicy_v2)" --tags Key=app,Value=silo-reports
"${aws[@]}" iam attach-role-policy --role-name "$SERVICE_ROLE_NAME" \
  --policy-arn arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2
"${aws[@]}" iam put-role-policy --role-name "$SERVICE_ROLE_NAME" --policy-name pass-instance-role \
  --policy-document "$service_pass_role"

echo "instance role and profile $INSTANCE_ROLE_NAME"
already_ok EntityAlreadyExists "${aws[@]}" iam create-role --role-name "$INSTANCE_ROLE_NAME" \
  --assume-role-policy-document "$instance_trust" \
  --description "silo-reports: EMR cluster nodes (least privilege)" --tags Key=app,Value=silo-reports
"${aws[@]}" iam put-role-policy --role-name "$INSTANCE_ROLE_NAME" --policy-name silo-reports \
  --policy-document "$instance_policy"
already_ok EntityAlreadyExists "${aws[@]}" iam create-instance-profile --instance-profile-name "$INSTANCE_ROLE_NAME"
roles=$("${aws[@]}" iam get-instance-profile --instance-profile-name "$INSTANCE_ROLE_NAME" \
  --query 'InstanceProfile.Roles[].RoleName' --output text)
case " $roles " in
  *" $INSTANCE_ROLE_NAME "*) ;;
  *) "${aws[@]}" iam add-role-to-instance-profile --instance-profile-name "$INSTANCE_ROLE_NAME" \
       --role-name "$INSTANCE_ROLE_NAME" ;;
esac

echo "EMR's cleanup service-linked role"
if ! "${aws[@]}" iam get-role --role-name AWSServiceRoleForEMRCleanup >/dev/null 2>&1; then
  "${aws[@]}" iam create-service-linked-role --aws-service-name elasticmapreduce.amazonaws.com >/dev/null
fi

echo "network: tag $subnet, security groups"
vpc=$(vpc_of "$subnet")
"${aws[@]}" ec2 create-tags --resources "$subnet" --tags "Key=$V2_TAG,Value=true"
tags="ResourceType=security-group,Tags=[{Key=$V2_TAG,Value=true},{Key=app,Value=silo-reports}]"
for name in "$SG_PRIMARY" "$SG_CORE" "$SG_SERVICE_ACCESS"; do
  already_ok InvalidGroup.Duplicate "${aws[@]}" ec2 create-security-group --group-name "$name" --vpc-id "$vpc" \
    --description "silo-reports EMR ($name); EMR manages its rules" --tag-specifications "$tags"
  echo "  $name: $(security_group "$name" "$vpc")"
done
echo "done: account $account, region $region; next: deploy/emr/merge-lifecycle.sh, then deploy/emr/create-cluster.sh"
