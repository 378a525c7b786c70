"""The AWS CDK app (platform/aws): synthesized once, offline, then read as CloudFormation.

One test per promise of platform/aws/README.md: the network, the ECS services, the load balancer,
the WAF, PostgreSQL, Redis, the secrets, logs and alarms, sizes from stages.py; then cfn-lint and
checkov over every synthesized template (checkov's only accepted failures are
platform/aws/checkov-skips.yaml's). Needs neither PostgreSQL, Redis nor an AWS account.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
AWS_DIR = ROOT / "platform" / "aws"
SKIPS_FILE = AWS_DIR / "checkov-skips.yaml"
CHECKOV = Path(os.environ.get("CHECKOV", AWS_DIR / ".venv-checkov" / "bin" / "checkov"))
STAGE_NAMES = ("staging", "production")

# The app's package (platform/ is no package: see ARCHITECTURE.md). stages.py is plain Python; the CDK
# itself (jsii, node) is imported by the fixtures only, so collecting the suite does not start it.
sys.path.append(str(AWS_DIR))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from console_cdk import stages  # noqa: E402
from console_cdk.stages import SECRET_NAMES  # noqa: E402


def stack_name(stage_name):
    from console_cdk.app import stack_name

    return stack_name(stage_name)


def build_app(**kwargs):
    from console_cdk.app import build_app

    return build_app(**kwargs)


ROLES = ("web", "worker", "worker-reviews", "beat", "migrate")
SERVICES = ("web", "worker", "worker-reviews", "beat")


@pytest.fixture(scope="module")
def assembly(tmp_path_factory):
    """Both stages, synthesized once for the module into a directory of its own (never cdk.out/,
    which `make synth` owns)."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    build_app(outdir=outdir).synth()
    templates = {name: json.loads((outdir / f"{stack_name(name)}.template.json").read_text()) for name in STAGE_NAMES}
    return outdir, templates


@pytest.fixture(scope="module")
def templates(assembly):
    return assembly[1]


@pytest.fixture(scope="module")
def prod(templates):
    return templates["production"]


@pytest.fixture(scope="module")
def prod_template(prod):
    from aws_cdk.assertions import Template

    return Template.from_json(prod)


@pytest.fixture(scope="module")
def linters(assembly):
    """cfn-lint and checkov over every template, started together (they take the two cores)."""
    outdir = assembly[0]
    if not CHECKOV.exists():
        pytest.fail(
            f"checkov not found at {CHECKOV}: python3.11 -m venv platform/aws/.venv-checkov && "
            "platform/aws/.venv-checkov/bin/pip install -r platform/aws/requirements-checkov.txt"
        )
    files = sorted(str(path) for path in outdir.glob("*.template.json"))
    cfn_lint = subprocess.Popen(
        [str(Path(sys.executable).with_name("cfn-lint")), "--format", "json", *files],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    checkov = subprocess.Popen(
        [str(CHECKOV), "-d", str(outdir), "--framework", "cloudformation", "--skip-download", "-o", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Offline: no guideline download, no update check.
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"},
    )
    results = {}
    for name, process in (("cfn-lint", cfn_lint), ("checkov", checkov)):
        out, err = process.communicate(timeout=300)
        results[name] = (process.returncode, out, err)
    return results


# --- helpers -----------------------------------------------------------------------------------


def resources(template, type_):
    return {key: value for key, value in template["Resources"].items() if value["Type"] == type_}


def only(template, type_):
    found = resources(template, type_)
    assert len(found) == 1, (type_, list(found))
    return next(iter(found.items()))


def containers(template):
    """Container definitions by name, across the task definitions."""
    found = {}
    for task in resources(template, "AWS::ECS::TaskDefinition").values():
        for container in task["Properties"]["ContainerDefinitions"]:
            found[container["Name"]] = (container, task["Properties"])
    return found


def services(template):
    """ECS services by the name of their task definition's container."""
    by_task = {key: task for key, task in resources(template, "AWS::ECS::TaskDefinition").items()}
    found = {}
    for key, service in resources(template, "AWS::ECS::Service").items():
        task = by_task[service["Properties"]["TaskDefinition"]["Ref"]]
        (container,) = task["Properties"]["ContainerDefinitions"]
        found[container["Name"]] = (key, service["Properties"])
    return found


def refs(value):
    """Every logical id a value refers to (Ref or Fn::GetAtt), at any depth."""
    if isinstance(value, dict):
        if "Ref" in value:
            return {value["Ref"]}
        if "Fn::GetAtt" in value:
            return {value["Fn::GetAtt"][0]}
        return set().union(*(refs(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(refs(v) for v in value)) if value else set()
    return set()


def subnets_of_type(template, kind):
    return {
        key
        for key, subnet in resources(template, "AWS::EC2::Subnet").items()
        if {"Key": "aws-cdk:subnet-type", "Value": kind} in subnet["Properties"]["Tags"]
    }


# --- the tests ---------------------------------------------------------------------------------


def test_the_vpc_spans_two_azs_with_tasks_private_and_data_stores_isolated(prod, prod_template):
    prod_template.resource_count_is("AWS::EC2::VPC", 1)
    public, private, isolated = (subnets_of_type(prod, kind) for kind in ("Public", "Private", "Isolated"))
    assert len(public) == len(private) == len(isolated) == 2
    subnets = resources(prod, "AWS::EC2::Subnet")
    for group in (public, private, isolated):  # one subnet of each kind in each of two AZs
        azs = {json.dumps(subnets[key]["Properties"]["AvailabilityZone"]) for key in group}
        assert len(azs) == 2, azs
    for key in public:  # nothing launched there gets a public address by default
        assert subnets[key]["Properties"]["MapPublicIpOnLaunch"] is False
    # Isolated subnets have no route out at all; private ones go out through a NAT gateway.
    routes = resources(prod, "AWS::EC2::Route")
    tables = {
        assoc["Properties"]["SubnetId"]["Ref"]: assoc["Properties"]["RouteTableId"]["Ref"]
        for assoc in resources(prod, "AWS::EC2::SubnetRouteTableAssociation").values()
    }
    for key in isolated:
        assert not [r for r in routes.values() if r["Properties"]["RouteTableId"]["Ref"] == tables[key]]
    for key in private:
        (route,) = [r for r in routes.values() if r["Properties"]["RouteTableId"]["Ref"] == tables[key]]
        assert "NatGatewayId" in route["Properties"]
    prod_template.resource_count_is("AWS::EC2::NatGateway", stages.PRODUCTION.nat_gateways)

    # Tasks in the private subnets without public addresses; the database and Redis in the isolated ones.
    for name, (_, service) in services(prod).items():
        network = service["NetworkConfiguration"]["AwsvpcConfiguration"]
        assert network["AssignPublicIp"] == "DISABLED", name
        assert refs(network["Subnets"]) == private, name
    _, db_subnets = only(prod, "AWS::RDS::DBSubnetGroup")
    assert refs(db_subnets["Properties"]["SubnetIds"]) == isolated
    _, cache_subnets = only(prod, "AWS::ElastiCache::SubnetGroup")
    assert refs(cache_subnets["Properties"]["SubnetIds"]) == isolated
    _, db = only(prod, "AWS::RDS::DBInstance")
    assert db["Properties"]["PubliclyAccessible"] is False
    # The data stores admit their port from the task security groups only.
    task_groups = {key for key in resources(prod, "AWS::EC2::SecurityGroup") if key.startswith(("Web", "Tasks"))}
    for port in (stages.DATABASE_PORT, stages.REDIS_PORT):
        rules = [
            r["Properties"]
            for r in resources(prod, "AWS::EC2::SecurityGroupIngress").values()
            if r["Properties"]["FromPort"] == port
        ]
        assert {ref for rule in rules for ref in refs(rule["SourceSecurityGroupId"])} == task_groups, port
        assert not [rule for rule in rules if "CidrIp" in rule], port


def test_ecs_runs_each_role_with_rollback_one_beat_autoscaling_and_a_graceful_stop(prod, prod_template):
    found = services(prod)
    assert set(found) == set(SERVICES)  # migrate is a task definition without a service
    assert "migrate" in containers(prod)
    for name, (_, service) in found.items():
        deployment = service["DeploymentConfiguration"]
        assert deployment["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}, name
        assert service["LaunchType"] == "FARGATE"

    # Exactly one beat, even during a deploy: the old task stops before the new one starts.
    _, beat = found["beat"]
    assert beat["DesiredCount"] == 1
    assert beat["DeploymentConfiguration"]["MaximumPercent"] == 100
    assert beat["DeploymentConfiguration"]["MinimumHealthyPercent"] == 0
    # Autoscaled services leave the count to the scaling policy (a deploy never resets it).
    for name in ("web", "worker", "worker-reviews"):
        assert "DesiredCount" not in found[name][1], name
        assert found[name][1]["DeploymentConfiguration"]["MinimumHealthyPercent"] == 100

    # The command is the entrypoint's role, with the image's entrypoint named explicitly.
    dockerfile = (ROOT / "platform" / "docker" / "Dockerfile").read_text()
    (entrypoint,) = re.findall(r"^ENTRYPOINT\s+(\[.*\])\s*$", dockerfile, re.M)
    by_name = containers(prod)
    for name, role in [("web", "web"), ("worker", "worker"), ("worker-reviews", "worker"), ("beat", "beat")] + [
        ("migrate", "migrate")
    ]:
        container, _ = by_name[name]
        assert container["EntryPoint"] == json.loads(entrypoint) == [stages.ENTRYPOINT], name
        assert container["Command"] == [role], name
        assert container["LinuxParameters"]["InitProcessEnabled"] is True  # signals forwarded, zombies reaped
    env = {n: {e["Name"]: e["Value"] for e in c["Environment"]} for n, (c, _) in by_name.items()}
    assert env["worker"]["WORKER_QUEUES"] == "default,notices,usage"
    assert env["worker-reviews"]["WORKER_QUEUES"] == "reviews" and env["worker-reviews"]["WORKER_CONCURRENCY"] == "1"

    # stopTimeout leaves a margin over gunicorn's graceful timeout and Celery's soft shutdown,
    # read from the files that set them.
    graceful = int(
        re.search(r'"GUNICORN_GRACEFUL_TIMEOUT", (\d+)', (ROOT / "platform" / "gunicorn.conf.py").read_text())[1]
    )
    soft = float(
        re.search(
            r'"CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", env\.float, ([\d.]+)', (ROOT / "config/settings.py").read_text()
        )[1]
    )
    assert graceful == stages.GUNICORN_GRACEFUL_TIMEOUT and soft == stages.CELERY_SOFT_SHUTDOWN_TIMEOUT
    assert by_name["web"][0]["StopTimeout"] >= graceful + 10
    assert env["web"]["GUNICORN_GRACEFUL_TIMEOUT"] == str(graceful)
    for name in ("worker", "worker-reviews"):
        assert by_name[name][0]["StopTimeout"] >= soft + 10, name
    for name in ROLES:
        assert 30 <= by_name[name][0]["StopTimeout"] <= 120, name  # Fargate's ceiling is 120 s

    # The image comes from the ECR repository and tag parameters: nothing is built at synthesis.
    for name in SERVICES:
        image = json.dumps(by_name[name][0]["Image"])
        assert '{"Ref": "ImageRepositoryName"}' in image and '{"Ref": "ImageTag"}' in image, name
    assert "MigrateImageTagIsEmpty" in json.dumps(by_name["migrate"][0]["Image"])

    # Autoscaling: web on CPU and ALB requests per target, workers on CPU and on their queue backlog.
    targets = resources(prod, "AWS::ApplicationAutoScaling::ScalableTarget")
    bounds = {
        json.dumps(t["Properties"]["ResourceId"]): (t["Properties"]["MinCapacity"], t["Properties"]["MaxCapacity"])
        for t in targets.values()
    }
    assert len(bounds) == 3
    assert (stages.PRODUCTION.web.min_tasks, stages.PRODUCTION.web.max_tasks) in bounds.values()
    policies = [p["Properties"] for p in resources(prod, "AWS::ApplicationAutoScaling::ScalingPolicy").values()]
    tracked = [
        p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"]
        for p in policies
        if p["PolicyType"] == "TargetTrackingScaling"
    ]
    assert sorted(tracked) == ["ALBRequestCountPerTarget"] + ["ECSServiceAverageCPUUtilization"] * 3
    assert len([p for p in policies if p["PolicyType"] == "StepScaling"]) == 4  # out and in, per worker
    backlog_alarms = [
        a["Properties"]
        for a in resources(prod, "AWS::CloudWatch::Alarm").values()
        if stages.QUEUE_LENGTH_METRIC in json.dumps(a["Properties"].get("Metrics", ""))
        or a["Properties"].get("MetricName") == stages.QUEUE_LENGTH_METRIC
    ]
    assert len(backlog_alarms) == 4
    prod_template.has_resource_properties(
        "AWS::ECS::Cluster", {"ClusterSettings": [{"Name": "containerInsights", "Value": "enhanced"}]}
    )


def test_the_alb_serves_https_redirects_http_and_checks_readiness(prod, prod_template):
    from aws_cdk.assertions import Match

    _, alb = only(prod, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert alb["Properties"]["Scheme"] == "internet-facing"
    assert refs(alb["Properties"]["Subnets"]) == subnets_of_type(prod, "Public")
    attributes = {a["Key"]: a["Value"] for a in alb["Properties"]["LoadBalancerAttributes"]}
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["deletion_protection.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"

    assert prod["Parameters"]["CertificateArn"]["Type"] == "String"
    prod_template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": {"Ref": "CertificateArn"}}],
            "SslPolicy": Match.string_like_regexp("^ELBSecurityPolicy-TLS13-"),
            "DefaultActions": [Match.object_like({"Type": "forward"})],
        },
    )
    prod_template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 80,
            "Protocol": "HTTP",
            "DefaultActions": [
                {
                    "Type": "redirect",
                    "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
                }
            ],
        },
    )
    prod_template.resource_count_is("AWS::ElasticLoadBalancingV2::Listener", 2)
    _, group = only(prod, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["Properties"]["HealthCheckPath"] == "/readyz"
    assert group["Properties"]["Port"] == stages.APP_PORT and group["Properties"]["TargetType"] == "ip"
    assert group["Properties"]["Matcher"] == {"HttpCode": "200"}
    # /metrics is for Prometheus inside the VPC, never through the ALB.
    prod_template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {
            "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/metrics", "/metrics/*"]}}],
            "Actions": [Match.object_like({"Type": "fixed-response"})],
        },
    )
    # Only the ALB reaches the web tasks.
    ingress = [
        r["Properties"]
        for r in resources(prod, "AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"]["FromPort"] == stages.APP_PORT
    ]
    assert len(ingress) == 1 and refs(ingress[0]["SourceSecurityGroupId"]) == {
        key for key in resources(prod, "AWS::EC2::SecurityGroup") if key.startswith("LoadBalancerSecurityGroup")
    }


def test_the_waf_guards_the_alb_with_managed_rules_and_a_rate_limit_per_ip(prod):
    key, acl = only(prod, "AWS::WAFv2::WebACL")
    properties = acl["Properties"]
    assert properties["Scope"] == "REGIONAL" and properties["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in properties["Rules"]}
    managed = {
        rule["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for rule in rules.values()
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }
    assert managed == {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesSQLiRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }
    for name in managed:
        assert rules[name]["OverrideAction"] == {"None": {}}, name  # the groups' own block actions apply
    (rate,) = [rule for rule in rules.values() if "RateBasedStatement" in rule["Statement"]]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rate["Statement"]["RateBasedStatement"]["Limit"] == stages.PRODUCTION.waf_requests_per_5_minutes_per_ip
    assert len({rule["Priority"] for rule in rules.values()}) == len(rules)
    _, association = only(prod, "AWS::WAFv2::WebACLAssociation")
    (alb_key,) = resources(prod, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert association["Properties"]["ResourceArn"] == {"Ref": alb_key}
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [key, "Arn"]}
    _, logging = only(prod, "AWS::WAFv2::LoggingConfiguration")
    redacted = {field["SingleHeader"]["Name"] for field in logging["Properties"]["RedactedFields"]}
    assert {"authorization", "cookie"} <= redacted


def test_postgresql_is_multi_az_encrypted_backed_up_protected_and_its_password_generated(prod):
    key, db = only(prod, "AWS::RDS::DBInstance")
    properties = db["Properties"]
    assert properties["Engine"] == "postgres" and properties["EngineVersion"].startswith(stages.POSTGRES_MAJOR + ".")
    assert properties["MultiAZ"] is True
    assert properties["StorageEncrypted"] is True and "KmsKeyId" in properties
    assert properties["BackupRetentionPeriod"] == 14
    assert properties["DeletionProtection"] is True
    assert db["DeletionPolicy"] == db["UpdateReplacePolicy"] == "Snapshot"
    assert properties["EnablePerformanceInsights"] is True and "PerformanceInsightsKMSKeyId" in properties
    assert properties["MonitoringInterval"] == 60
    assert properties["DBInstanceClass"] == f"db.{stages.PRODUCTION.db_instance_type}"
    assert properties["EnableCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    # The credentials: generated by Secrets Manager, read by CloudFormation through a dynamic reference.
    password = json.dumps(properties["MasterUserPassword"])
    assert "{{resolve:secretsmanager:" in password and ":SecretString:password::}}" in password
    secret_key = refs(properties["MasterUserPassword"]).pop()
    secret = prod["Resources"][secret_key]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    generated = secret["Properties"]["GenerateSecretString"]
    assert generated["GenerateStringKey"] == "password"
    assert json.loads(generated["SecretStringTemplate"]) == {"username": stages.DATABASE_USER}
    assert "KmsKeyId" in secret["Properties"]
    _, parameters = only(prod, "AWS::RDS::DBParameterGroup")
    assert parameters["Properties"]["Parameters"]["rds.force_ssl"] == "1"


def test_redis_is_a_replicated_multi_az_group_with_tls_at_rest_encryption_and_an_auth_token(prod):
    _, group = only(prod, "AWS::ElastiCache::ReplicationGroup")
    properties = group["Properties"]
    assert properties["Engine"] == "redis"
    assert properties["NumCacheClusters"] >= 2
    assert properties["AutomaticFailoverEnabled"] is True and properties["MultiAZEnabled"] is True
    assert properties["TransitEncryptionEnabled"] is True and properties["TransitEncryptionMode"] == "required"
    assert properties["AtRestEncryptionEnabled"] is True and "KmsKeyId" in properties
    token = json.dumps(properties["AuthToken"])
    assert token.startswith('{"Fn::Join": ["", ["{{resolve:secretsmanager:"')
    (secret_key,) = refs(properties["AuthToken"])
    assert prod["Resources"][secret_key]["Type"] == "AWS::SecretsManager::Secret"
    assert "GenerateSecretString" in prod["Resources"][secret_key]["Properties"]


def test_secrets_reach_the_containers_as_ecs_secrets_never_as_plain_environment(prod):
    found = containers(prod)
    assert set(found) == set(ROLES)
    plain_forbidden = {*SECRET_NAMES, "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "APIKEY_REDIS_URL"}
    execution_roles = set()
    for name, (container, task) in found.items():
        environment = {e["Name"]: e["Value"] for e in container["Environment"]}
        assert not plain_forbidden & set(environment), name
        secrets = {s["Name"]: s["ValueFrom"] for s in container["Secrets"]}
        assert set(secrets) == set(SECRET_NAMES), name
        for secret_name, value_from in secrets.items():
            (target,) = refs(value_from)
            assert prod["Resources"][target]["Type"] in (
                "AWS::SecretsManager::Secret",
                "AWS::SecretsManager::SecretTargetAttachment",
            ), (name, secret_name)
        # The parts config/settings.py builds DATABASE_URL and REDIS_URL from.
        assert {"DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "DATABASE_USER", "REDIS_HOST", "REDIS_PORT"} <= set(
            environment
        ), name
        assert environment["DEBUG"] == "false" and environment["REDIS_TLS"] == "true", name
        execution_roles |= refs(task["ExecutionRoleArn"])

    # No secret value is in the template: every secret is generated, none is written down.
    for key, secret in resources(prod, "AWS::SecretsManager::Secret").items():
        assert "SecretString" not in secret["Properties"] and "GenerateSecretString" in secret["Properties"], key
        assert "KmsKeyId" in secret["Properties"], key
    text = json.dumps(prod)
    for name in SECRET_NAMES:  # the names appear only as ECS secret names
        assert text.count(f'"{name}"') == len(ROLES), name
    assert "insecure-dev" not in text
    # Each task's execution role may read exactly these secrets, and decrypt them through Secrets
    # Manager with the stack's key (the key policy says so).
    policies = [p["Properties"] for p in resources(prod, "AWS::IAM::Policy").values()]
    secret_ids = {target for c, _ in found.values() for s in c["Secrets"] for target in refs(s["ValueFrom"])}
    _, key = only(prod, "AWS::KMS::Key")
    (decrypt,) = [
        st
        for st in key["Properties"]["KeyPolicy"]["Statement"]
        if st["Action"] == "kms:Decrypt" and "kms:ViaService" in json.dumps(st.get("Condition"))
    ]
    assert refs(decrypt["Principal"]) == execution_roles
    for role in execution_roles:
        (policy,) = [p for p in policies if {"Ref": role} in p["Roles"]]
        (read,) = [
            st for st in policy["PolicyDocument"]["Statement"] if "secretsmanager:GetSecretValue" in st["Action"]
        ]
        assert refs(read["Resource"]) == secret_ids, role


def test_logs_are_kept_and_encrypted_and_alarms_notify_the_topic(prod):
    groups = resources(prod, "AWS::Logs::LogGroup")
    for key, group in groups.items():
        assert group["Properties"]["RetentionInDays"] == stages.PRODUCTION.log_retention_days, key
        assert "KmsKeyId" in group["Properties"], key
    for name, (container, _) in containers(prod).items():
        options = container["LogConfiguration"]["Options"]
        assert container["LogConfiguration"]["LogDriver"] == "awslogs"
        assert refs(options["awslogs-group"]) <= set(groups), name

    (topic_key,) = resources(prod, "AWS::SNS::Topic")
    policies = set(resources(prod, "AWS::ApplicationAutoScaling::ScalingPolicy"))
    notifying = {}
    for key, alarm in resources(prod, "AWS::CloudWatch::Alarm").items():
        actions = refs(alarm["Properties"]["AlarmActions"])
        if actions <= policies:
            continue  # a step-scaling alarm (worker backlog): it scales, it does not page
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_key}] == alarm["Properties"]["OKActions"], key
        notifying[key] = alarm["Properties"]

    def watching(metric_name, namespace=None):
        """The notifying alarms on a metric, directly or inside a metric-math expression."""
        hits = []
        for alarm in notifying.values():
            metrics = (
                [alarm]
                if "MetricName" in alarm
                else [m["MetricStat"]["Metric"] for m in alarm.get("Metrics", []) if "MetricStat" in m]
            )
            for metric in metrics:
                if metric["MetricName"] == metric_name and namespace in (None, metric["Namespace"]):
                    hits.append(alarm)
        return hits

    assert watching("HTTPCode_Target_5XX_Count", "AWS/ApplicationELB")
    assert watching("HTTPCode_ELB_5XX_Count", "AWS/ApplicationELB")
    (ratio,) = [a for a in notifying.values() if "Metrics" in a and any("Expression" in m for m in a["Metrics"])]
    assert ratio["Threshold"] == stages.PRODUCTION.alarm_5xx_percent
    (latency,) = watching("TargetResponseTime")
    assert latency["ExtendedStatistic"] == "p99"
    assert len(watching("CPUUtilization", "AWS/ECS")) == len(SERVICES)
    (storage,) = watching("FreeStorageSpace", "AWS/RDS")
    assert storage["ComparisonOperator"] == "LessThanThreshold"
    assert watching("DatabaseConnections", "AWS/RDS")
    assert len(watching("DatabaseMemoryUsagePercentage", "AWS/ElastiCache")) == stages.PRODUCTION.redis_nodes
    ages = watching(stages.QUEUE_AGE_METRIC, stages.QUEUE_METRICS_NAMESPACE)
    queues = {d["Value"] for a in ages for d in a["Dimensions"] if d["Name"] == "Queue"}
    assert queues == {*stages.WORKER_QUEUES, *stages.REVIEWS_QUEUES}


def test_stages_differ_only_in_sizes_from_stages_py(templates):
    staging, production = templates["staging"], templates["production"]
    assert set(staging["Parameters"]) == set(production["Parameters"])
    type_counts = [sorted(json.dumps(r["Type"]) for r in t["Resources"].values()) for t in (staging, production)]
    nat_difference = stages.PRODUCTION.nat_gateways - stages.STAGING.nat_gateways
    assert len(type_counts[1]) - len(type_counts[0]) == 2 * nat_difference  # a NAT gateway and its EIP
    for stage_name, stage in (("staging", stages.STAGING), ("production", stages.PRODUCTION)):
        template = templates[stage_name]
        by_name = containers(template)
        _, web_task = by_name["web"]
        assert (web_task["Cpu"], web_task["Memory"]) == (str(stage.web.cpu), str(stage.web.memory_mib))
        _, db = only(template, "AWS::RDS::DBInstance")
        assert db["Properties"]["DBInstanceClass"] == f"db.{stage.db_instance_type}"
        assert db["Properties"]["MultiAZ"] is True and db["Properties"]["DeletionProtection"] is True
        _, redis = only(template, "AWS::ElastiCache::ReplicationGroup")
        assert redis["Properties"]["CacheNodeType"] == stage.redis_node_type
        # Environment-agnostic: no account id or region in any resource (only the ELB-account mapping
        # of the access-log bucket policy names them, outside the resources).
        resources_text = json.dumps(template["Resources"])
        assert not re.search(r"\b\d{12}\b", resources_text), stage_name
        assert not re.search(r'"[a-z]{2}-[a-z]+-\d[a-z]?"', resources_text), stage_name


def test_the_assembly_has_no_asset_to_build_or_upload(assembly):
    outdir, _ = assembly
    for stage_name in STAGE_NAMES:
        manifest = json.loads((outdir / f"{stack_name(stage_name)}.assets.json").read_text())
        assert manifest.get("dockerImages", {}) == {}
        # The one file asset is the template itself (what `cdk deploy` uploads to the bootstrap bucket).
        assert [f["source"]["path"] for f in manifest["files"].values()] == [f"{stack_name(stage_name)}.template.json"]
    assert not [p for p in outdir.iterdir() if p.name.startswith("asset.")]


def test_the_first_deployment_is_the_full_stack_without_the_services(assembly, tmp_path_factory):
    """`-c bootstrap=true` (README.md, "First deployment"): the same resources, identical, less the
    services and what hangs off them, so migrate can run before any web task must be ready; the
    next deploy only adds."""
    _, templates = assembly
    outdir = tmp_path_factory.mktemp("cdk.out.bootstrap")
    build_app(outdir=outdir, stages=["production"], bootstrap=True).synth()
    first = json.loads((outdir / f"{stack_name('production')}.template.json").read_text())["Resources"]
    full = templates["production"]["Resources"]
    assert {key: full[key] for key in first} == first
    added = {full[key]["Type"] for key in set(full) - set(first)}
    assert added == {
        "AWS::ECS::Service",
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        "AWS::CloudWatch::Alarm",
    }
    assert "migrate" in containers({"Resources": first})


def test_the_readme_states_the_resource_counts_and_the_scripts_parse(templates):
    readme = (AWS_DIR / "README.md").read_text()
    for name, template in templates.items():
        assert f"| {stack_name(name)} | {len(template['Resources'])} |" in readme, name
    for script in ("deploy.sh", "migrate.sh"):
        subprocess.run(["sh", "-n", str(AWS_DIR / script)], check=True)
        assert os.access(AWS_DIR / script, os.X_OK), script


def test_cfn_lint_finds_no_error_in_any_template(linters):
    returncode, out, err = linters["cfn-lint"]
    # Its exit code is a bit mask: 2 errors, 4 warnings, 8 informational; 1 is a crash.
    assert returncode & 1 == 0 and out.strip(), err
    findings = json.loads(out)
    errors = [f for f in findings if f["Level"] == "Error"]
    assert not errors, json.dumps(errors, indent=1)
    assert not findings, json.dumps(findings, indent=1)  # no warning either
    assert returncode == 0


def test_checkov_fails_nothing_but_the_listed_skips_and_every_skip_is_still_needed(linters):
    skips = yaml.safe_load(SKIPS_FILE.read_text())["skips"]
    for skip in skips:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]) and len(skip["reason"].split()) >= 10, skip
    returncode, out, err = linters["checkov"]
    assert returncode in (0, 1), err[-2000:]
    reports = json.loads(out)
    reports = reports if isinstance(reports, list) else [reports]
    (report,) = [r for r in reports if r["check_type"] == "cloudformation"]
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 300  # it did read the templates
    failed = {(c["check_id"], c["resource"].split(".")[-1]) for c in report["results"]["failed_checks"]}
    allowed = {skip["id"] for skip in skips}
    unexpected = sorted(f for f in failed if f[0] not in allowed)
    assert not unexpected, unexpected
    stale = allowed - {check_id for check_id, _ in failed}
    assert not stale, f"remove from checkov-skips.yaml, they pass now: {sorted(stale)}"
