from django.urls import path
from rest_framework.routers import SimpleRouter

from apikeys.api.views import keys, usage, verify

router = SimpleRouter(trailing_slash=True)
router.register("keys", keys.ApiKeyViewSet, basename="apikey")

urlpatterns = [
    # Before the router: "verify" and "leaks" must not be read as a key id.
    path("keys/verify/", verify.VerifyView.as_view(), name="apikey-verify"),
    path("keys/leaks/", keys.LeakReportView.as_view(), name="apikey-leaks"),
    path("usage/", usage.UsageView.as_view(), name="usage"),
    *router.urls,
]
