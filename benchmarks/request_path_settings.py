"""Settings of benchmarks/request_path.py: the console's, plus the benchmark's two endpoints and,
when it is installed (requirements-dev.txt pins it; never the product's INSTALLED_APPS),
djangorestframework-api-key for the comparison."""

import importlib.util

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS, LOGGING

ROOT_URLCONF = "benchmarks.request_path_urls"
HAS_DRF_API_KEY = importlib.util.find_spec("rest_framework_api_key") is not None
if HAS_DRF_API_KEY:
    INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework_api_key"]
LOGGING = {
    **LOGGING,
    "root": {"handlers": ["console"], "level": "ERROR"},
    "loggers": {"django.request": {"level": "ERROR"}},
}
