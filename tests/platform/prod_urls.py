"""The console's URLs plus /slow/: a request that takes `seconds` to answer, to be cut by SIGTERM."""

import time

from django.http import JsonResponse
from django.urls import include, path


def slow(request):
    seconds = min(float(request.GET.get("seconds", "2")), 10.0)
    time.sleep(seconds)
    return JsonResponse({"slept": seconds})


urlpatterns = [path("slow/", slow), path("", include("config.urls"))]
