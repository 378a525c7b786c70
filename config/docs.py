"""The Redoc bundle of the API docs page (/api/v1/redoc/), served without its one outside request.

drf-spectacular-sidecar ships Redoc's standalone bundle, and Redoc's sidebar footer renders the
Redocly logo from cdn.redoc.ly (no option turns it off). The docs pages load nothing from outside,
so this view serves the sidecar's bundle with that address emptied: an `<img src="">` makes no
request, and Redoc drops the image on its error event, leaving the "API docs by Redocly" link.
SPECTACULAR_SETTINGS["REDOC_DIST"] points the page here.
"""

import functools
import hashlib
from pathlib import Path

import drf_spectacular_sidecar
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

REDOC_BUNDLE = (
    Path(drf_spectacular_sidecar.__file__).parent / "static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
)
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@functools.cache
def redoc_bundle() -> tuple[bytes, str]:
    """(the bundle without the CDN logo, its ETag). Read once a process: the file changes only with
    the package."""
    # Should a new Redoc move the logo, tests/test_docs_pages.py (which reads the served bundle) fails.
    source = REDOC_BUNDLE.read_text(encoding="utf-8")
    body = source.replace(REDOCLY_LOGO, "").encode("utf-8")
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@require_safe
@condition(etag_func=lambda request: redoc_bundle()[1])
def redoc_standalone(request):
    body, _ = redoc_bundle()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    patch_cache_control(response, public=True, max_age=86400)
    return response
