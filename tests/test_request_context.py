"""One typed request context per request, shared by Django's request and DRF's wrapper of it."""

from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.request import Request

from config.context import RequestContext, context_of
from config.middleware import RequestContextMiddleware


def test_the_middleware_starts_the_context_and_drf_sees_the_same_one():
    seen = {}

    def view(request):
        seen["context"] = context_of(request)
        seen["drf"] = context_of(Request(request))
        return HttpResponse()

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="ticket-1234-abcd", REMOTE_ADDR="203.0.113.9")
    response = RequestContextMiddleware(view)(request)

    context = seen["context"]
    assert isinstance(context, RequestContext) and seen["drf"] is context
    assert context.request_id == "ticket-1234-abcd" == response["X-Request-ID"]
    assert context.client_ip == "203.0.113.9" and context.principal is None


def test_a_request_that_skipped_the_middleware_gets_an_empty_context():
    request = RequestFactory().get("/")
    assert context_of(request) == RequestContext() and context_of(request) is context_of(request)
