"""The test suite's settings (pyproject's DJANGO_SETTINGS_MODULE): the console's own, with DEBUG on
unless the environment says otherwise.

The console defaults to DEBUG off and then refuses the development SECRET_KEY / APIKEY_PEPPER; the
suite runs on those, and on what DEBUG on implies at start-up (no HTTPS redirect for the test client,
http redirect URIs, static files from the finders). pytest-django loads the settings before any
conftest, so the default is set here, in os.environ: processes a test starts with the suite's
environment get it too. (pytest-django still runs each test with settings.DEBUG False, as Django's
test runner does.)
"""

import os

os.environ.setdefault("DEBUG", "true")

from config.settings import *  # noqa: E402, F403
