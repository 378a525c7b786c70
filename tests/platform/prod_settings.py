"""The production settings (config.settings, DEBUG off) plus what the process-model tests need and
production must not have: a slow page (to interrupt), a slow task (to interrupt) and a fast beat
schedule (to count). Used only by tests/platform/test_process_model.py's child processes."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.platform.prod_urls"
CELERY_IMPORTS = ["tests.platform.prod_tasks"]
CELERY_TASK_ROUTES = {**CELERY_TASK_ROUTES, "tests.*": {"queue": "default"}}  # noqa: F405
CELERY_BEAT_SCHEDULE = {"tests-beat-tick": {"task": "tests.beat_tick", "schedule": 1.0}}
