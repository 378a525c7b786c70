"""Settings of the load test's child processes (gunicorn's workers, the Celery workers, beat and the
`manage.py shell` steps of benchmarks/load/run.py): the production settings (config.settings, DEBUG
off) with two changes: the URLconf, which adds the open twins of the endpoints under load
(benchmarks/load/urls.py), and STATIC_ROOT, which run.py points at a directory of its own
(LOAD_STATIC_ROOT) so the collectstatic of tools/prod.py never races another program's in the
work tree's staticfiles/. Never used by the console itself."""

import os
from pathlib import Path

from config.settings import *  # noqa: F403
from config.settings import STATIC_ROOT

ROOT_URLCONF = "benchmarks.load.urls"
STATIC_ROOT = Path(os.environ["LOAD_STATIC_ROOT"]) if os.environ.get("LOAD_STATIC_ROOT") else STATIC_ROOT
