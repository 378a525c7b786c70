from django.urls import path
from rest_framework.routers import SimpleRouter

from apikeys.api import views

router = SimpleRouter(trailing_slash=True)
router.register("keys", views.ApiKeyViewSet, basename="apikey")

urlpatterns = [
    # Before the router: "verify" and "leaks" must not be read as a key id.
    path("keys/verify/", views.VerifyView.as_view(), name="apikey-verify"),
    path("keys/leaks/", views.LeakReportView.as_view(), name="apikey-leaks"),
    path("usage/", views.UsageView.as_view(), name="usage"),
    *router.urls,
]
