"""Build the CDK app: one stack per stage of stages.py, environment-agnostic."""

import os
from pathlib import Path

from aws_cdk import App, Tags

from console_cdk.stack import ConsoleStack
from console_cdk.stages import STAGES

OUTDIR = Path(__file__).resolve().parent.parent / "cdk.out"

# The behaviour this app is written for, set here rather than left to cdk.json, so `python app.py`
# and `cdk synth` synthesize the same templates.
FEATURE_FLAGS = {
    "@aws-cdk/core:enablePartitionLiterals": True,
    "@aws-cdk/aws-iam:minimizePolicies": True,  # one statement per action set, not one per grant
    "@aws-cdk/aws-ecs:arnFormatIncludesClusterName": True,
    "@aws-cdk/aws-ec2:restrictDefaultSecurityGroup": False,  # would add a custom-resource Lambda (an asset)
}


def stack_name(stage: str) -> str:
    return f"Console{stage.title()}"


def build_app(outdir: Path | str | None = None, stages: list[str] | None = None, bootstrap: bool | None = None) -> App:
    """Every stage (or those of `-c stages=a,b`); `-c bootstrap=true` leaves the ECS services out, for
    the first deployment, whose migrations must run before any web task can be ready (README.md)."""
    # The cdk CLI says where through CDK_OUTDIR; `python app.py` writes to platform/aws/cdk.out/.
    outdir = outdir or os.environ.get("CDK_OUTDIR") or OUTDIR
    app = App(outdir=str(outdir), analytics_reporting=False, context=dict(FEATURE_FLAGS))
    wanted = stages or app.node.try_get_context("stages") or list(STAGES)
    if isinstance(wanted, str):
        wanted = wanted.split(",")
    if bootstrap is None:
        bootstrap = str(app.node.try_get_context("bootstrap") or "false").lower() == "true"
    for name in wanted:
        stack = ConsoleStack(
            app,
            stack_name(name),
            stage=STAGES[name],
            bootstrap=bootstrap,
            description=f"API governance console, {name} (platform/aws)",
            termination_protection=name == "production",
        )
        Tags.of(stack).add("application", "api-governance-console")
        Tags.of(stack).add("stage", name)
    return app
