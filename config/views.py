"""Project-level views: the front door, problem-type documentation, error handlers (health: config/health.py,
/metrics: config/metrics.py)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.defaults import bad_request as html_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import server_error as html_server_error

from config.api.problems import PROBLEM_TYPES, api_bad_request, api_not_found, api_server_error


def home(request):
    return redirect("portal:home")


@cache_control(public=True, max_age=86400)
def favicon(request):
    """/favicon.ico, which browsers ask for on pages that link no icon (the API's JSON, the browsable
    API): the console's icon."""
    return redirect(static("favicon.svg"), permanent=True)


def problem_type(request, slug):
    problem = PROBLEM_TYPES.get(slug)
    if problem is None:
        raise Http404("No such problem type")
    return render(request, "problem_type.html", {"problem": problem})


def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return api_bad_request(request, exception)
    return html_bad_request(request, exception)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return api_server_error(request)
    return html_server_error(request)
