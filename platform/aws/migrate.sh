#!/bin/sh
# Run a deployed stack's migrate task (manage.py migrate) to completion; exit 0 only if it exited 0.
#
#   platform/aws/migrate.sh ConsoleProduction
#
# Reads the cluster, task definition, subnets and security group from the stack's outputs, so it
# runs the migrate task definition the last `cdk deploy` registered (MigrateImageTag, or ImageTag).
# Needs the AWS CLI v2 and credentials for the stack's account and region.
set -eu

stack="${1:?usage: migrate.sh STACK_NAME}"
aws="${AWS:-aws}"

output() {
  "$aws" cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue | [0]" --output text
}

cluster="$(output ClusterName)"
task_definition="$(output MigrateTaskDefinitionArn)"
subnets="$(output MigrateSubnetIds)"
security_group="$(output MigrateSecurityGroupId)"

task="$("$aws" ecs run-task --cluster "$cluster" --task-definition "$task_definition" \
  --launch-type FARGATE --started-by console-migrate \
  --network-configuration "awsvpcConfiguration={subnets=[$subnets],securityGroups=[$security_group],assignPublicIp=DISABLED}" \
  --query 'tasks[0].taskArn' --output text)"
echo "migrate: started $task ($task_definition)"

# `aws ecs wait tasks-stopped` gives up after 10 minutes; a long migration may take longer.
while :; do
  status="$("$aws" ecs describe-tasks --cluster "$cluster" --tasks "$task" \
    --query 'tasks[0].lastStatus' --output text)"
  [ "$status" = "STOPPED" ] && break
  sleep 10
done

code="$("$aws" ecs describe-tasks --cluster "$cluster" --tasks "$task" \
  --query 'tasks[0].containers[0].exitCode' --output text)"
reason="$("$aws" ecs describe-tasks --cluster "$cluster" --tasks "$task" \
  --query 'tasks[0].stoppedReason' --output text)"
echo "migrate: exit code $code ($reason); logs: /console/<stage>/migrate"
[ "$code" = "0" ]
