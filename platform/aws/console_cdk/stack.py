"""One stage of the console on AWS: VPC, ECS Fargate (web, worker, worker-reviews, beat, migrate), ALB
with WAF, RDS PostgreSQL, ElastiCache Redis, Secrets Manager, logs and alarms.

Environment-agnostic (no account or region in the code): what differs between deployments comes in as
CloudFormation parameters (certificate, image, domain), what differs between stages from stages.py.
Nothing is built or uploaded at synthesis: the image is pulled from an existing ECR repository.
"""

from aws_cdk import (
    ArnFormat,
    Aws,
    CfnCondition,
    CfnMapping,
    CfnOutput,
    CfnParameter,
    Duration,
    Fn,
    RemovalPolicy,
    Size,
    Stack,
)
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_wafv2 as wafv2
from aws_cdk.region_info import RegionInfo
from constructs import Construct

from console_cdk import stages
from console_cdk.stages import Stage

# Characters a generated database password leaves out, so it needs no quoting in a libpq URL.
_DB_PASSWORD_EXCLUDED = " %+~`#$&*()|[]{}:;<>?!'/@\"\\"


# Log retention (days, as stages.py says it) to CloudWatch's own values.
_RETENTION = {
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
}


class ConsoleStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, stage: Stage, bootstrap: bool = False, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.stage = stage
        self.bootstrap = bootstrap  # the first deployment: everything but the services (README.md)
        self._parameters()
        self._key()
        self._network()
        self._secrets()
        self._database()
        self._cache()
        self._cluster()
        self._load_balancer()
        self._firewall()
        self._services()
        self._alarms()
        self._outputs()

    # --- Parameters --------------------------------------------------------------------------------

    def _parameters(self) -> None:
        self.certificate_arn = CfnParameter(
            self,
            "CertificateArn",
            type="String",
            description="ACM certificate (same region) for the HTTPS listener, covering DomainName",
            allowed_pattern=r"^arn:aws[a-zA-Z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$",
        )
        self.domain_name = CfnParameter(
            self,
            "DomainName",
            type="String",
            description="Host name the console is served on (ALLOWED_HOSTS, SITE_URL); CNAME it to the ALB",
            allowed_pattern=r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$",
        )
        self.image_repository = CfnParameter(
            self,
            "ImageRepositoryName",
            type="String",
            description="Existing ECR repository (this account and region) of the console image",
            default="api-governance-console",
        )
        self.image_tag = CfnParameter(
            self,
            "ImageTag",
            type="String",
            description="Image tag the services run (an immutable tag: the git commit)",
            min_length=1,
        )
        self.migrate_image_tag = CfnParameter(
            self,
            "MigrateImageTag",
            type="String",
            description="Image tag of the migrate task definition; empty: ImageTag (see README, Deploy)",
            default="",
        )
        self.alarm_email = CfnParameter(
            self,
            "AlarmEmail",
            type="String",
            description="Optional e-mail address subscribed to the alarm topic",
            default="",
        )
        self.migrate_tag_is_empty = CfnCondition(
            self, "MigrateImageTagIsEmpty", expression=Fn.condition_equals(self.migrate_image_tag.value_as_string, "")
        )
        self.has_alarm_email = CfnCondition(
            self,
            "HasAlarmEmail",
            expression=Fn.condition_not(Fn.condition_equals(self.alarm_email.value_as_string, "")),
        )

    # --- Encryption key ----------------------------------------------------------------------------

    def _key(self) -> None:
        """One customer-managed key for logs, secrets, the database, the cache and the alarm topic."""
        self.key = kms.Key(
            self,
            "Key",
            description=f"console {self.stage.name}: logs, secrets, database, cache, alarm topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsEncryptLogGroupsOfThisAccount",
                principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:*"
                        )
                    }
                },
            )
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublishToTheEncryptedTopic",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )

    def _log_group(self, construct_id: str, name: str, retention_days: int | None = None) -> logs.LogGroup:
        return logs.LogGroup(
            self,
            construct_id,
            log_group_name=name,
            retention=_RETENTION[retention_days or self.stage.log_retention_days],
            encryption_key=self.key,
            removal_policy=RemovalPolicy.RETAIN,
        )

    # --- Network -----------------------------------------------------------------------------------

    def _network(self) -> None:
        """Two AZs (an environment-agnostic stack sees two): public subnets for the ALB and the NAT
        gateways only, private ones with egress for the tasks (webhooks, e-mail, ECR), isolated ones
        without any route out for PostgreSQL and Redis."""
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr("10.40.0.0/16"),
            max_azs=2,
            nat_gateways=self.stage.nat_gateways,
            restrict_default_security_group=False,  # the default SG is unused; restricting it needs a Lambda
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24, map_public_ip_on_launch=False
                ),
                ec2.SubnetConfiguration(name="app", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=20),
                ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
            ],
        )
        self.vpc.add_gateway_endpoint("S3Endpoint", service=ec2.GatewayVpcEndpointAwsService.S3)  # ECR layers
        flow_logs = self._log_group("FlowLogs", f"/console/{self.stage.name}/vpc-flow-logs")
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
            traffic_type=ec2.FlowLogTrafficType.REJECT,
        )
        self.app_subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        self.data_subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)

        self.web_sg = ec2.SecurityGroup(self, "WebSecurityGroup", vpc=self.vpc, description="console web tasks")
        self.tasks_sg = ec2.SecurityGroup(
            self, "TasksSecurityGroup", vpc=self.vpc, description="console worker, beat and migrate tasks"
        )
        self.db_sg = ec2.SecurityGroup(
            self, "DatabaseSecurityGroup", vpc=self.vpc, description="console PostgreSQL", allow_all_outbound=False
        )
        self.redis_sg = ec2.SecurityGroup(
            self, "RedisSecurityGroup", vpc=self.vpc, description="console Redis", allow_all_outbound=False
        )
        for client, name in ((self.web_sg, "web"), (self.tasks_sg, "worker, beat and migrate")):
            self.db_sg.add_ingress_rule(client, ec2.Port.tcp(stages.DATABASE_PORT), f"PostgreSQL from {name} tasks")
            self.redis_sg.add_ingress_rule(client, ec2.Port.tcp(stages.REDIS_PORT), f"Redis from {name} tasks")

    # --- Secrets -----------------------------------------------------------------------------------

    def _generated_secret(self, construct_id: str, description: str, length: int) -> secretsmanager.Secret:
        return secretsmanager.Secret(
            self,
            construct_id,
            description=f"console {self.stage.name}: {description}",
            encryption_key=self.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=length, exclude_punctuation=True
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _secrets(self) -> None:
        self.secret_key = self._generated_secret("SecretKey", "Django SECRET_KEY", 64)
        self.apikey_pepper = self._generated_secret(
            "ApiKeyPepper", "APIKEY_PEPPER, version 1 of the HMAC key of API-key digests (keep it stable)", 48
        )
        # The newer peppers, as APIKEY_PEPPERS' JSON form: generated as {"2": "<random>"}, version 2
        # waiting in every task until APIKEY_PEPPER_CURRENT (stages.py) says to use it. Its own secret,
        # so ApiKeyPepper's generated value (every existing digest) is never touched.
        self.apikey_peppers = secretsmanager.Secret(
            self,
            "ApiKeyPeppers",
            description=f"console {self.stage.name}: APIKEY_PEPPERS, the next HMAC keys of API-key digests",
            encryption_key=self.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}", generate_string_key="2", password_length=48, exclude_punctuation=True
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.metrics_token = self._generated_secret("MetricsToken", "METRICS_TOKEN, the bearer token of /metrics", 48)
        self.redis_auth_token = self._generated_secret("RedisAuthToken", "Redis AUTH token", 64)

    # --- PostgreSQL --------------------------------------------------------------------------------

    def _database(self) -> None:
        engine = rds.DatabaseInstanceEngine.postgres(
            version=rds.PostgresEngineVersion.of(stages.POSTGRES_VERSION, stages.POSTGRES_MAJOR)
        )
        identifier = f"{self.stack_name.lower()}-db"
        # RDS writes its exported logs into these groups: created here, they get retention and the key.
        exported = [
            self._log_group(f"DatabaseLogs{kind.title()}", f"/aws/rds/instance/{identifier}/{kind}")
            for kind in ("postgresql", "upgrade")
        ]
        parameters = rds.ParameterGroup(
            self,
            "DatabaseParameters",
            engine=engine,
            description="console: TLS only, slow statements and lock waits logged",
            parameters={"rds.force_ssl": "1", "log_min_duration_statement": "1000", "log_lock_waits": "1"},
        )
        self.database = rds.DatabaseInstance(
            self,
            "Database",
            engine=engine,
            instance_identifier=identifier,
            instance_type=ec2.InstanceType(self.stage.db_instance_type),
            vpc=self.vpc,
            vpc_subnets=self.data_subnets,
            security_groups=[self.db_sg],
            publicly_accessible=False,
            multi_az=True,
            database_name=stages.DATABASE_NAME,
            credentials=rds.Credentials.from_generated_secret(
                stages.DATABASE_USER, encryption_key=self.key, exclude_characters=_DB_PASSWORD_EXCLUDED
            ),
            parameter_group=parameters,
            storage_type=rds.StorageType.GP3,
            allocated_storage=self.stage.db_allocated_gib,
            max_allocated_storage=self.stage.db_max_allocated_gib,
            storage_encrypted=True,
            storage_encryption_key=self.key,
            backup_retention=Duration.days(self.stage.db_backup_days),
            preferred_backup_window="02:00-03:00",
            preferred_maintenance_window="sun:03:30-sun:04:30",
            copy_tags_to_snapshot=True,
            deletion_protection=True,
            removal_policy=RemovalPolicy.SNAPSHOT,
            auto_minor_version_upgrade=True,
            iam_authentication=True,
            enable_performance_insights=True,
            performance_insight_encryption_key=self.key,
            performance_insight_retention=rds.PerformanceInsightRetention.DEFAULT,
            monitoring_interval=Duration.seconds(60),
            cloudwatch_logs_exports=["postgresql", "upgrade"],
        )
        for group in exported:
            self.database.node.add_dependency(group)

    # --- Redis -------------------------------------------------------------------------------------

    def _cache(self) -> None:
        """Cache, Celery broker and request-path store (rate limits, usage counters) in one replication
        group. The default policy (volatile-lru) evicts only keys with a TTL: cache entries, never the
        broker's queues."""
        self.redis_group_id = f"{self.stack_name.lower()}-redis"
        subnet_group = elasticache.CfnSubnetGroup(
            self,
            "RedisSubnets",
            description="console Redis: isolated subnets",
            subnet_ids=self.vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids,
        )
        slow_log = self._log_group("RedisSlowLog", f"/console/{self.stage.name}/redis-slow-log")
        self.redis = elasticache.CfnReplicationGroup(
            self,
            "Redis",
            replication_group_id=self.redis_group_id,
            replication_group_description=f"console {self.stage.name}: cache, broker, request path",
            engine="redis",
            engine_version=stages.REDIS_ENGINE_VERSION,
            cache_node_type=self.stage.redis_node_type,
            num_cache_clusters=self.stage.redis_nodes,
            automatic_failover_enabled=True,
            multi_az_enabled=True,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            at_rest_encryption_enabled=True,
            kms_key_id=self.key.key_arn,
            auth_token=self.redis_auth_token.secret_value.unsafe_unwrap(),  # a {{resolve:secretsmanager}} reference
            port=stages.REDIS_PORT,
            cache_subnet_group_name=subnet_group.ref,
            security_group_ids=[self.redis_sg.security_group_id],
            auto_minor_version_upgrade=True,
            snapshot_retention_limit=7,
            snapshot_window="01:00-02:00",
            preferred_maintenance_window="sun:04:30-sun:05:30",
            log_delivery_configurations=[
                elasticache.CfnReplicationGroup.LogDeliveryConfigurationRequestProperty(
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type="slow-log",
                    destination_details=elasticache.CfnReplicationGroup.DestinationDetailsProperty(
                        cloud_watch_logs_details=elasticache.CfnReplicationGroup.CloudWatchLogsDestinationDetailsProperty(
                            log_group=slow_log.log_group_name
                        )
                    ),
                )
            ],
        )

    # --- ECS cluster, image, task definitions ------------------------------------------------------

    def _cluster(self) -> None:
        self.cluster = ecs.Cluster(self, "Cluster", vpc=self.vpc, container_insights_v2=ecs.ContainerInsights.ENHANCED)
        repository = ecr.Repository.from_repository_name(self, "ImageRepository", self.image_repository.value_as_string)
        self.image = ecs.ContainerImage.from_ecr_repository(repository, self.image_tag.value_as_string)
        migrate_tag = Fn.condition_if(
            self.migrate_tag_is_empty.logical_id,
            self.image_tag.value_as_string,
            self.migrate_image_tag.value_as_string,
        ).to_string()
        self.migrate_image = ecs.ContainerImage.from_ecr_repository(repository, migrate_tag)

        domain = self.domain_name.value_as_string
        self.app_environment = {
            "DEBUG": "false",
            "CONSOLE_STAGE": self.stage.name,
            "ALLOWED_HOSTS": domain,
            "SITE_URL": f"https://{domain}",
            "CSRF_TRUSTED_ORIGINS": f"https://{domain}",
            # DATABASE_URL and REDIS_URL are built by config/settings.py from these parts and the
            # DATABASE_PASSWORD / REDIS_AUTH_TOKEN secrets (README.md, "Settings from parts").
            "DATABASE_HOST": self.database.db_instance_endpoint_address,
            "DATABASE_PORT": self.database.db_instance_endpoint_port,
            "DATABASE_NAME": stages.DATABASE_NAME,
            "DATABASE_USER": stages.DATABASE_USER,
            "DATABASE_SSLMODE": "require",
            "REDIS_HOST": self.redis.attr_primary_end_point_address,
            "REDIS_PORT": self.redis.attr_primary_end_point_port,
            "REDIS_TLS": "true",
            "LOG_LEVEL": "INFO",
            "APIKEY_PEPPER_CURRENT": str(self.stage.apikey_pepper_current),
        }
        assert self.database.secret is not None
        self.app_secrets = {
            "SECRET_KEY": ecs.Secret.from_secrets_manager(self.secret_key),
            "APIKEY_PEPPER": ecs.Secret.from_secrets_manager(self.apikey_pepper),
            "APIKEY_PEPPERS": ecs.Secret.from_secrets_manager(self.apikey_peppers),
            "METRICS_TOKEN": ecs.Secret.from_secrets_manager(self.metrics_token),
            "DATABASE_PASSWORD": ecs.Secret.from_secrets_manager(self.database.secret, "password"),
            "REDIS_AUTH_TOKEN": ecs.Secret.from_secrets_manager(self.redis_auth_token),
        }

    def _task_definition(
        self,
        role: str,
        construct_prefix: str,
        size: stages.Service,
        *,
        role_command: str,
        stop_timeout: int,
        environment: dict[str, str],
        image: ecs.ContainerImage | None = None,
        port: int | None = None,
    ) -> ecs.FargateTaskDefinition:
        task = ecs.FargateTaskDefinition(
            self,
            f"{construct_prefix}Task",
            cpu=size.cpu,
            memory_limit_mib=size.memory_mib,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.X86_64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        log_group = self._log_group(f"{construct_prefix}Logs", f"/console/{self.stage.name}/{role}")
        container = task.add_container(
            role,
            image=image or self.image,
            entry_point=[stages.ENTRYPOINT],
            command=[role_command],
            environment={**self.app_environment, **environment},
            secrets=self.app_secrets,
            essential=True,
            # Not read-only: the image's user (uid 10001) writes /tmp (Prometheus multiprocess files)
            # and its home, and a Fargate task volume mounted there would be root's (README.md).
            readonly_root_filesystem=False,
            stop_timeout=Duration.seconds(stop_timeout),
            linux_parameters=ecs.LinuxParameters(self, f"{construct_prefix}Linux", init_process_enabled=True),
            logging=ecs.LogDrivers.aws_logs(
                stream_prefix=role,
                log_group=log_group,
                mode=ecs.AwsLogDriverMode.NON_BLOCKING,
                max_buffer_size=Size.mebibytes(25),
            ),
            port_mappings=[ecs.PortMapping(container_port=port, name="http")] if port else None,
        )
        assert container.container_name == role
        return task

    def _service(
        self,
        construct_prefix: str,
        task: ecs.FargateTaskDefinition,
        security_group: ec2.SecurityGroup,
        *,
        desired_count: int | None = None,
        max_percent: int = 200,
        min_percent: int = 100,
        grace: Duration | None = None,
    ) -> ecs.FargateService:
        return ecs.FargateService(
            self,
            f"{construct_prefix}Service",
            cluster=self.cluster,
            task_definition=task,
            desired_count=desired_count,  # None on autoscaled services: a deploy keeps the current count
            vpc_subnets=self.app_subnets,
            security_groups=[security_group],
            assign_public_ip=False,
            platform_version=ecs.FargatePlatformVersion.LATEST,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            max_healthy_percent=max_percent,
            min_healthy_percent=min_percent,
            health_check_grace_period=grace,
            enable_ecs_managed_tags=True,
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
        )

    # --- Load balancer and firewall ----------------------------------------------------------------

    def _load_balancer(self) -> None:
        alb_sg = ec2.SecurityGroup(
            self, "LoadBalancerSecurityGroup", vpc=self.vpc, description="console ALB", allow_all_outbound=False
        )
        alb_sg.add_egress_rule(self.web_sg, ec2.Port.tcp(stages.APP_PORT), "to the web tasks")
        self.web_sg.add_ingress_rule(alb_sg, ec2.Port.tcp(stages.APP_PORT), "from the ALB")
        self.alb = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=self.vpc,
            internet_facing=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            security_group=alb_sg,
            drop_invalid_header_fields=True,
            deletion_protection=True,
            desync_mitigation_mode=elbv2.DesyncMitigationMode.DEFENSIVE,
            idle_timeout=Duration.seconds(60),  # above gunicorn's keepalive (5 s)
        )
        access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,  # ALB access logs support SSE-S3 only
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(self.stage.alb_log_days),
                    noncurrent_version_expiration=Duration.days(7),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self._log_access(access_logs, prefix="alb")
        self.https = self.alb.add_listener(
            "Https",
            port=443,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificates=[elbv2.ListenerCertificate.from_arn(self.certificate_arn.value_as_string)],
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            open=True,
        )
        self.alb.add_redirect(source_port=80, target_port=443)
        # Prometheus scrapes /metrics on the tasks inside the VPC; the internet never reaches it.
        self.https.add_action(
            "MetricsNotPublic",
            priority=10,
            conditions=[elbv2.ListenerCondition.path_patterns(["/metrics", "/metrics/*"])],
            action=elbv2.ListenerAction.fixed_response(404, content_type="text/plain", message_body="Not Found"),
        )

    def _log_access(self, bucket: s3.Bucket, prefix: str) -> None:
        """ALB access logs into the bucket. CDK's logAccessLogs needs a region at synthesis; this stack
        has none, so the bucket policy names both writers: the log-delivery service principal (regions
        opened since August 2022) and, in older regions, the region's ELB account (a mapping)."""
        accounts = {r.name: r.elbv2_account for r in RegionInfo.regions if r.elbv2_account}
        mapping = CfnMapping(self, "ElbAccounts", mapping={region: {"account": a} for region, a in accounts.items()})
        regions = [Fn.condition_equals(Aws.REGION, region) for region in sorted(accounts)]
        legacy = CfnCondition(
            self,
            "RegionHasElbAccount",
            expression=Fn.condition_or(*[Fn.condition_or(*regions[i : i + 10]) for i in range(0, len(regions), 10)]),
        )
        elb_account = Fn.condition_if(
            legacy.logical_id,
            f"arn:{Aws.PARTITION}:iam::{mapping.find_in_map(Aws.REGION, 'account')}:root",
            Aws.NO_VALUE,
        ).to_string()
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="ElbAccessLogDelivery",
                principals=[
                    iam.CompositePrincipal(
                        iam.ServicePrincipal("logdelivery.elasticloadbalancing.amazonaws.com"),
                        iam.ArnPrincipal(elb_account),
                    )
                ],
                actions=["s3:PutObject"],
                resources=[f"{bucket.bucket_arn}/{prefix}/AWSLogs/{Aws.ACCOUNT_ID}/*"],
            )
        )
        self.alb.set_attribute("access_logs.s3.enabled", "true")
        self.alb.set_attribute("access_logs.s3.bucket", bucket.bucket_name)
        self.alb.set_attribute("access_logs.s3.prefix", prefix)
        assert bucket.policy is not None
        self.alb.node.add_dependency(bucket.policy)  # ELB writes a test object when logging is enabled

    def _firewall(self) -> None:
        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True,
                metric_name=f"console-{self.stage.name}-{name}",
                sampled_requests_enabled=True,
            )

        def managed(priority: int, name: str, overrides: tuple[str, ...] = ()) -> wafv2.CfnWebACL.RuleProperty:
            return wafv2.CfnWebACL.RuleProperty(
                name=name,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS",
                        name=name,
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                            )
                            for rule in overrides
                        ]
                        or None,
                    )
                ),
                visibility_config=visibility(name),
            )

        rate_limit = wafv2.CfnWebACL.RuleProperty(
            name="RateLimitPerClientIp",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP",
                    limit=self.stage.waf_requests_per_5_minutes_per_ip,
                    evaluation_window_sec=300,
                )
            ),
            visibility_config=visibility("RateLimitPerClientIp"),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility("WebAcl"),
            rules=[
                rate_limit,
                managed(1, "AWSManagedRulesAmazonIpReputationList"),
                # Spec uploads are larger than the set's 8 KB body limit: the console bounds bodies itself.
                managed(2, "AWSManagedRulesCommonRuleSet", overrides=("SizeRestrictions_BODY",)),
                managed(3, "AWSManagedRulesKnownBadInputsRuleSet"),
                managed(4, "AWSManagedRulesSQLiRuleSet"),
            ],
        )
        wafv2.CfnWebACLAssociation(
            self, "WebAclAssociation", resource_arn=self.alb.load_balancer_arn, web_acl_arn=self.web_acl.attr_arn
        )
        # WAF requires the aws-waf-logs- prefix. API keys, tokens and session cookies are redacted.
        waf_logs = self._log_group("WafLogs", f"aws-waf-logs-console-{self.stage.name}")
        wafv2.CfnLoggingConfiguration(
            self,
            "WafLogging",
            resource_arn=self.web_acl.attr_arn,
            # The group's ARN without the trailing ":*" that LogGroup.log_group_arn carries.
            log_destination_configs=[
                self.format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=waf_logs.log_group_name,
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )
            ],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": header})
                for header in ("authorization", "cookie", "x-api-key")
            ],
        )

    # --- Services ----------------------------------------------------------------------------------

    def _services(self) -> None:
        """The task definitions of every role; then, unless the stack is the first deployment's
        (bootstrap: README.md, "First deployment"), the four services and their autoscaling."""
        stage = self.stage
        soft = str(stages.CELERY_SOFT_SHUTDOWN_TIMEOUT)
        web_task = self._task_definition(
            "web",
            "Web",
            stage.web,
            role_command="web",
            stop_timeout=stages.WEB_STOP_TIMEOUT,
            port=stages.APP_PORT,
            environment={
                "PORT": str(stages.APP_PORT),
                "WEB_CONCURRENCY": str(stage.web_concurrency),
                "GUNICORN_GRACEFUL_TIMEOUT": str(stages.GUNICORN_GRACEFUL_TIMEOUT),
                # Only the ALB reaches the web tasks (security group): trust its X-Forwarded-* headers.
                "FORWARDED_ALLOW_IPS": "*",
            },
        )
        # workers: one for default, notices and usage; one of its own for the slow reviews queue
        worker_task = self._task_definition(
            "worker",
            "Worker",
            stage.worker,
            role_command="worker",
            stop_timeout=stages.WORKER_STOP_TIMEOUT,
            environment={
                "WORKER_QUEUES": ",".join(stages.WORKER_QUEUES),
                "WORKER_CONCURRENCY": str(stage.worker_concurrency),
                "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT": soft,
            },
        )
        reviews_task = self._task_definition(
            "worker-reviews",
            "WorkerReviews",
            stage.worker_reviews,
            role_command="worker",
            stop_timeout=stages.WORKER_STOP_TIMEOUT,
            environment={
                "WORKER_QUEUES": ",".join(stages.REVIEWS_QUEUES),
                "WORKER_CONCURRENCY": "1",
                "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT": soft,
            },
        )
        beat_task = self._task_definition(
            "beat", "Beat", stage.beat, role_command="beat", stop_timeout=stages.BEAT_STOP_TIMEOUT, environment={}
        )
        # migrate: a task definition without a service, run to completion before web deploys (README).
        self.migrate_task = self._task_definition(
            "migrate",
            "Migrate",
            stage.migrate,
            role_command="migrate",
            stop_timeout=stages.WORKER_STOP_TIMEOUT,
            environment={},
            image=self.migrate_image,
        )
        self.target_group = elbv2.ApplicationTargetGroup(
            self,
            "WebTargetGroup",
            vpc=self.vpc,
            port=stages.APP_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            deregistration_delay=Duration.seconds(stages.DEREGISTRATION_DELAY),
            health_check=elbv2.HealthCheck(
                path=stages.HEALTH_CHECK_PATH,
                healthy_http_codes="200",
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
        )
        self.https.add_target_groups("Web", target_groups=[self.target_group])
        self.services: dict[str, ecs.FargateService] = {}
        if self.bootstrap:
            return

        web = self._service("Web", web_task, self.web_sg, grace=Duration.seconds(90))
        self.target_group.add_target(web.load_balancer_target(container_name="web", container_port=stages.APP_PORT))
        web_scaling = web.auto_scale_task_count(min_capacity=stage.web.min_tasks, max_capacity=stage.web.max_tasks)
        web_scaling.scale_on_cpu_utilization(
            "Cpu",
            target_utilization_percent=stage.cpu_target_percent,
            scale_in_cooldown=Duration.seconds(300),
            scale_out_cooldown=Duration.seconds(60),
        )
        web_scaling.scale_on_request_count(
            "Requests",
            requests_per_target=stage.web_requests_per_target_per_minute,
            target_group=self.target_group,
            scale_in_cooldown=Duration.seconds(300),
            scale_out_cooldown=Duration.seconds(60),
        )
        worker = self._service("Worker", worker_task, self.tasks_sg)
        self._scale_worker(worker, stage.worker, stages.WORKER_QUEUES, "Worker")
        reviews = self._service("WorkerReviews", reviews_task, self.tasks_sg)
        self._scale_worker(reviews, stage.worker_reviews, stages.REVIEWS_QUEUES, "WorkerReviews")
        # beat: exactly one. A deploy stops the old task before it starts the new one (max 100 %, min 0 %).
        beat = self._service("Beat", beat_task, self.tasks_sg, desired_count=1, max_percent=100, min_percent=0)
        self.services = {"Web": web, "Worker": worker, "WorkerReviews": reviews, "Beat": beat}

    def _backlog(self, queues: tuple[str, ...], label: str) -> cloudwatch.IMetric:
        metrics = {
            f"q{i}": self._queue_metric(stages.QUEUE_LENGTH_METRIC, queue, cloudwatch.Stats.MAXIMUM)
            for i, queue in enumerate(queues)
        }
        if len(metrics) == 1:
            return next(iter(metrics.values()))
        return cloudwatch.MathExpression(
            expression=" + ".join(f"FILL({name}, 0)" for name in metrics),
            using_metrics=metrics,
            label=label,
            period=Duration.minutes(1),
        )

    def _queue_metric(self, metric_name: str, queue: str, statistic: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=stages.QUEUE_METRICS_NAMESPACE,
            metric_name=metric_name,
            dimensions_map={"Stage": self.stage.name, "Queue": queue},
            statistic=statistic,
            period=Duration.minutes(1),
        )

    def _scale_worker(
        self, service: ecs.FargateService, size: stages.Service, queues: tuple[str, ...], label: str
    ) -> None:
        scaling = service.auto_scale_task_count(min_capacity=size.min_tasks, max_capacity=size.max_tasks)
        scaling.scale_on_cpu_utilization(
            "Cpu",
            target_utilization_percent=self.stage.cpu_target_percent,
            scale_in_cooldown=Duration.seconds(300),
            scale_out_cooldown=Duration.seconds(60),
        )
        step = self.stage.worker_backlog_scale_out
        scaling.scale_on_metric(
            "Backlog",
            metric=self._backlog(queues, f"{label} backlog"),
            adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
            scaling_steps=[
                appscaling.ScalingInterval(upper=max(step // 10, 1), change=-1),
                appscaling.ScalingInterval(lower=step, change=+1),
                appscaling.ScalingInterval(lower=step * 5, change=+3),
            ],
            cooldown=Duration.seconds(120),
            evaluation_periods=3,
            datapoints_to_alarm=2,
        )

    # --- Alarms ------------------------------------------------------------------------------------

    def _alarms(self) -> None:
        stage = self.stage
        self.topic = sns.Topic(self, "Alarms", display_name=f"console {stage.name} alarms", master_key=self.key)
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsOfThisAccount",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        subscription = sns.CfnSubscription(
            self,
            "AlarmEmailSubscription",
            topic_arn=self.topic.topic_arn,
            protocol="email",
            endpoint=self.alarm_email.value_as_string,
        )
        subscription.cfn_options.condition = self.has_alarm_email
        action = cw_actions.SnsAction(self.topic)
        minute = Duration.minutes(1)

        def alarm(
            construct_id: str,
            description: str,
            metric: cloudwatch.IMetric,
            threshold: float,
            *,
            below: bool = False,
            periods: int = 5,
            datapoints: int = 3,
        ) -> None:
            created = cloudwatch.Alarm(
                self,
                construct_id,
                alarm_description=f"console {stage.name}: {description} (runbook: platform/README.md)",
                metric=metric,
                threshold=threshold,
                comparison_operator=(
                    cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
                    if below
                    else cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
                ),
                evaluation_periods=periods,
                datapoints_to_alarm=datapoints,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            created.add_alarm_action(action)
            created.add_ok_action(action)

        alb_metrics = self.alb.metrics
        alarm(
            "Alb5xxRatio",
            f"more than {stage.alarm_5xx_percent} % of requests answered 5xx (targets and ALB)",
            cloudwatch.MathExpression(
                expression="100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / FILL(requests, 1)",
                using_metrics={
                    "target5xx": alb_metrics.http_code_target(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=minute),
                    "elb5xx": alb_metrics.http_code_elb(elbv2.HttpCodeElb.ELB_5XX_COUNT, period=minute),
                    "requests": alb_metrics.request_count(period=minute),
                },
                label="5xx %",
                period=minute,
            ),
            stage.alarm_5xx_percent,
        )
        alarm(
            "TargetLatencyP99",
            f"p99 target response time above {stage.alarm_p99_latency_seconds} s",
            self.target_group.metrics.target_response_time(statistic="p99", period=minute),
            stage.alarm_p99_latency_seconds,
        )
        alarm(
            "UnhealthyTargets",
            "a web target fails /readyz",
            self.target_group.metrics.unhealthy_host_count(period=minute),
            0,
        )
        for name, service in self.services.items():
            alarm(
                f"{name}Cpu",
                f"{name} CPU above {stage.alarm_cpu_percent} %",
                service.metric_cpu_utilization(period=minute),
                stage.alarm_cpu_percent,
                periods=10,
                datapoints=8,
            )
        alarm(
            "DatabaseFreeStorage",
            f"PostgreSQL free storage below {stage.alarm_db_free_storage_gib} GiB",
            self.database.metric_free_storage_space(period=Duration.minutes(5)),
            stage.alarm_db_free_storage_gib * 1024**3,
            below=True,
            periods=3,
            datapoints=2,
        )
        alarm(
            "DatabaseConnections",
            f"PostgreSQL connections above {stage.db_max_connections_alarm}",
            self.database.metric_database_connections(period=minute),
            stage.db_max_connections_alarm,
        )
        for index in range(1, stage.redis_nodes + 1):
            node = f"{self.redis_group_id}-{index:03d}"
            alarm(
                f"RedisMemory{index}",
                f"Redis node {node} memory above {stage.alarm_redis_memory_percent} %",
                cloudwatch.Metric(
                    namespace="AWS/ElastiCache",
                    metric_name="DatabaseMemoryUsagePercentage",
                    dimensions_map={"CacheClusterId": node},
                    statistic=cloudwatch.Stats.MAXIMUM,
                    period=minute,
                ),
                stage.alarm_redis_memory_percent,
            )
        for queue in (*stages.WORKER_QUEUES, *stages.REVIEWS_QUEUES):
            limit = stage.alarm_reviews_age_seconds if queue in stages.REVIEWS_QUEUES else stage.alarm_queue_age_seconds
            alarm(
                f"QueueAge{queue.title()}",
                f"oldest message of Celery queue {queue} older than {limit} s",
                self._queue_metric(stages.QUEUE_AGE_METRIC, queue, cloudwatch.Stats.MAXIMUM),
                limit,
            )

    # --- Outputs -----------------------------------------------------------------------------------

    def _outputs(self) -> None:
        outputs = {
            "LoadBalancerDnsName": (self.alb.load_balancer_dns_name, "CNAME DomainName to this"),
            "ClusterName": (self.cluster.cluster_name, "ECS cluster"),
            "MigrateTaskDefinitionArn": (self.migrate_task.task_definition_arn, "run it before web deploys"),
            "MigrateSubnetIds": (
                Fn.join(",", self.vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS).subnet_ids),
                "subnets of the migrate task",
            ),
            "MigrateSecurityGroupId": (self.tasks_sg.security_group_id, "security group of the migrate task"),
            "AlarmTopicArn": (self.topic.topic_arn, "alarm topic"),
            "DatabaseSecretArn": (self.database.secret.secret_arn if self.database.secret else "", "database secret"),
        }
        for name, (value, description) in outputs.items():
            CfnOutput(self, name, value=value, description=description)
