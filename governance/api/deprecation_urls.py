"""/api/v1/ routes of deprecations and webhooks (included from config/urls.py)."""

from rest_framework.routers import SimpleRouter

from governance.api.deprecations import DeprecationViewSet
from governance.api.webhooks import WebhookEndpointViewSet

router = SimpleRouter(trailing_slash=True)
router.register("deprecations", DeprecationViewSet, basename="deprecation")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")

urlpatterns = router.urls
