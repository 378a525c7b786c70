"""The console's settings for the Celery workers of tests/faults/test_worker_killed.py: the same,
except that the Redis broker hands a dead worker's unacknowledged task to another worker after 5
seconds instead of an hour (kombu's visibility timeout), and looks for such tasks every second."""

from config.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
