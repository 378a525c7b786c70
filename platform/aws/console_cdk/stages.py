"""Every size and threshold of every stage, in one place. The stack code reads only this module.

Both stages have the same shape (Multi-AZ database, a replicated cache, two AZs, WAF, alarms): staging
is production at a smaller size, so what passes in staging passes for the same reasons in production.
"""

from dataclasses import dataclass

# --- The same in every stage ---------------------------------------------------------------------

APP_PORT = 8000  # gunicorn's bind (platform/gunicorn.conf.py, PORT)
DATABASE_PORT = 5432
REDIS_PORT = 6379
DATABASE_NAME = "console"
DATABASE_USER = "console"
POSTGRES_MAJOR = "17"
POSTGRES_VERSION = "17.9"  # minor upgrades are automatic (AutoMinorVersionUpgrade); the template keeps this
REDIS_ENGINE_VERSION = "7.1"
HEALTH_CHECK_PATH = "/readyz"  # readiness: the target gets traffic only once the database answers
# The image's ENTRYPOINT (platform/docker/Dockerfile, WORKDIR /app); each container's command is its role:
# web | worker | beat | migrate. The task definitions name both, so what runs is explicit here.
ENTRYPOINT = "/app/platform/docker/entrypoint.sh"

# The names the containers get their secrets under (ECS secrets, never plain environment values).
SECRET_NAMES = (
    "SECRET_KEY",
    "APIKEY_PEPPER",
    "APIKEY_PEPPERS",
    "METRICS_TOKEN",
    "DATABASE_PASSWORD",
    "REDIS_AUTH_TOKEN",
)

# Graceful stop, the chain from the inside out: on SIGTERM gunicorn lets in-flight requests finish for
# GUNICORN_GRACEFUL_TIMEOUT, a Celery worker finishes its tasks for CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT;
# ECS sends SIGKILL only after the container's stopTimeout, which therefore leaves a margin over both.
GUNICORN_GRACEFUL_TIMEOUT = 25
CELERY_SOFT_SHUTDOWN_TIMEOUT = 20
STOP_MARGIN = 15
WEB_STOP_TIMEOUT = GUNICORN_GRACEFUL_TIMEOUT + STOP_MARGIN  # 40 s
WORKER_STOP_TIMEOUT = 60  # soft shutdown (20 s), then the cold one hands unacked tasks back
BEAT_STOP_TIMEOUT = 30
# The ALB stops sending a draining target new requests, then waits this long before ECS stops it.
DEREGISTRATION_DELAY = 30

# Queues (config/settings.py CELERY_TASK_ROUTES) and which worker service consumes them.
WORKER_QUEUES = ("default", "notices", "usage")
REVIEWS_QUEUES = ("reviews",)

# The Celery backlog in CloudWatch: the Prometheus gauges of config/metrics.py (sampled by beat), also
# written by beat as CloudWatch embedded-metric-format lines on stdout, which the awslogs driver ships
# and CloudWatch Logs turns into metrics (README.md, "Queue metrics"). Dimensions: Stage, Queue.
QUEUE_METRICS_NAMESPACE = "Console/Celery"
QUEUE_LENGTH_METRIC = "console_celery_queue_length"  # messages waiting, per queue
QUEUE_AGE_METRIC = "console_celery_queue_oldest_age_seconds"  # age of the oldest waiting message


@dataclass(frozen=True)
class Service:
    cpu: int  # Fargate CPU units (1024 = 1 vCPU)
    memory_mib: int
    min_tasks: int
    max_tasks: int


@dataclass(frozen=True)
class Stage:
    name: str  # also the CONSOLE_STAGE of the containers and the Stage dimension of the queue metrics
    nat_gateways: int
    # Fargate services
    web: Service
    worker: Service
    worker_reviews: Service
    beat: Service
    migrate: Service
    web_concurrency: int  # gunicorn workers per web task (WEB_CONCURRENCY)
    worker_concurrency: int  # Celery processes per worker task (WORKER_CONCURRENCY)
    # Autoscaling targets
    cpu_target_percent: int
    web_requests_per_target_per_minute: int
    worker_backlog_scale_out: int  # waiting messages (default+notices+usage) that add a worker
    # PostgreSQL
    db_instance_type: str
    db_allocated_gib: int
    db_max_allocated_gib: int  # storage autoscaling ceiling
    db_backup_days: int
    db_max_connections_alarm: int  # ~80 % of max_connections of the instance class
    # Redis
    redis_node_type: str
    redis_nodes: int  # primary + replicas, one per AZ at least
    # Logs, edge, alarms
    log_retention_days: int
    alb_log_days: int
    waf_requests_per_5_minutes_per_ip: int
    alarm_5xx_percent: float
    alarm_p99_latency_seconds: float
    alarm_cpu_percent: int
    alarm_db_free_storage_gib: int
    alarm_redis_memory_percent: int
    alarm_queue_age_seconds: int  # default, notices, usage
    alarm_reviews_age_seconds: int  # the slow queue gets longer
    # API key peppers (platform/README.md, "Rotate secrets"): APIKEY_PEPPER_CURRENT, the version new
    # digests use. Version 1 is the ApiKeyPepper secret (APIKEY_PEPPER); the ApiKeyPeppers secret
    # (APIKEY_PEPPERS) holds the next ones, published to every task a deploy before they are used.
    apikey_pepper_current: int


STAGING = Stage(
    name="staging",
    nat_gateways=1,
    web=Service(cpu=512, memory_mib=1024, min_tasks=2, max_tasks=4),
    worker=Service(cpu=512, memory_mib=1024, min_tasks=1, max_tasks=3),
    worker_reviews=Service(cpu=512, memory_mib=1024, min_tasks=1, max_tasks=2),
    beat=Service(cpu=256, memory_mib=512, min_tasks=1, max_tasks=1),
    migrate=Service(cpu=512, memory_mib=1024, min_tasks=0, max_tasks=0),
    web_concurrency=3,
    worker_concurrency=2,
    cpu_target_percent=60,
    web_requests_per_target_per_minute=1200,
    worker_backlog_scale_out=100,
    db_instance_type="t4g.medium",
    db_allocated_gib=20,
    db_max_allocated_gib=100,
    db_backup_days=14,
    db_max_connections_alarm=300,
    redis_node_type="cache.t4g.small",
    redis_nodes=2,
    log_retention_days=365,
    alb_log_days=90,
    waf_requests_per_5_minutes_per_ip=2000,
    alarm_5xx_percent=5.0,
    alarm_p99_latency_seconds=2.0,
    alarm_cpu_percent=85,
    alarm_db_free_storage_gib=4,
    alarm_redis_memory_percent=80,
    alarm_queue_age_seconds=300,
    alarm_reviews_age_seconds=1800,
    apikey_pepper_current=1,
)

PRODUCTION = Stage(
    name="production",
    nat_gateways=2,  # one per AZ: losing an AZ does not cut the other's egress
    web=Service(cpu=1024, memory_mib=2048, min_tasks=3, max_tasks=12),
    worker=Service(cpu=1024, memory_mib=2048, min_tasks=2, max_tasks=10),
    worker_reviews=Service(cpu=1024, memory_mib=2048, min_tasks=1, max_tasks=4),
    beat=Service(cpu=256, memory_mib=512, min_tasks=1, max_tasks=1),
    migrate=Service(cpu=1024, memory_mib=2048, min_tasks=0, max_tasks=0),
    web_concurrency=5,
    worker_concurrency=4,
    cpu_target_percent=60,
    web_requests_per_target_per_minute=3000,
    worker_backlog_scale_out=200,
    db_instance_type="r7g.large",
    db_allocated_gib=100,
    db_max_allocated_gib=1000,
    db_backup_days=14,
    db_max_connections_alarm=1300,
    redis_node_type="cache.r7g.large",
    redis_nodes=2,
    log_retention_days=365,
    alb_log_days=365,
    waf_requests_per_5_minutes_per_ip=3000,
    alarm_5xx_percent=2.0,
    alarm_p99_latency_seconds=1.5,
    alarm_cpu_percent=85,
    alarm_db_free_storage_gib=20,
    alarm_redis_memory_percent=80,
    alarm_queue_age_seconds=300,
    alarm_reviews_age_seconds=1800,
    apikey_pepper_current=1,
)

STAGES = {stage.name: stage for stage in (STAGING, PRODUCTION)}
