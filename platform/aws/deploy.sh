#!/bin/sh
# Deploy a new image to a stage, migrations first:
#
#   platform/aws/deploy.sh production 3f34953
#
# 1. register the migrate task definition of the new image (the services keep running the old one);
# 2. run it to completion (migrate.sh), stopping here if it fails;
# 3. roll the services onto the new image (circuit breaker: a deploy that never gets healthy rolls back).
# Migrations must therefore work with the code still running (add first, remove a release later).
# Other parameters keep their previous values (cdk's --previous-parameters). Needs the stack to exist:
# the first deployment is README.md's "First deployment".
set -eu

stage="${1:?usage: deploy.sh STAGE IMAGE_TAG}"
tag="${2:?usage: deploy.sh STAGE IMAGE_TAG}"
here="$(cd "$(dirname "$0")" && pwd)"
stack="Console$(printf '%s' "$stage" | cut -c1 | tr '[:lower:]' '[:upper:]')$(printf '%s' "$stage" | cut -c2-)"
cdk="${CDK:-npx --yes aws-cdk@2}"

cd "$here"
$cdk deploy "$stack" -c "stages=$stage" --require-approval never --parameters "MigrateImageTag=$tag"
"$here/migrate.sh" "$stack"
$cdk deploy "$stack" -c "stages=$stage" --require-approval never --parameters "ImageTag=$tag"
