"""The Content-Security-Policy middleware: django-csp's, widening the policy of settings
CONTENT_SECURITY_POLICY for two responses whose views are third-party (and whose URLs are wired in
config/urls.py), so a decorator can't reach them:

- Redoc (drf-spectacular's /api/v1/redoc/): its bundle builds its styles with styled-components,
  which inserts <style> elements carrying no nonce, so that page alone gets style-src 'self'
  'unsafe-inline' (without the nonce: a nonce would make browsers ignore 'unsafe-inline'). Its
  search runs in a Web Worker the bundle builds from a blob: URL, so the page also gets worker-src
  'self' blob:. Its scripts stay 'self' + nonce. (The Redocly logo its bundle would load from cdn.redoc.ly is
  taken out of the bundle it is served: config/docs.py.)
- The OAuth consent page (django-oauth-toolkit's authorize view): the browser checks form-action on
  every redirect a form submission follows, and answering the form redirects to the client's
  redirect URI, on another origin. That page's form-action adds that one origin: the redirect URI
  oauthlib has already matched against the client's registered ones before the page is rendered.
"""

from urllib.parse import urlsplit

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware

REDOC_VIEW = "redoc"
AUTHORIZE_VIEW = "oauth2_provider:authorize"
BLOB = "blob:"


def _view_name(request):
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else None


def redirect_origin(uri):
    """scheme://host[:port] of an absolute redirect URI, or None (e.g. a native app's custom scheme
    without a host, which form-action can name by its scheme alone)."""
    parts = urlsplit(uri or "")
    if not parts.scheme:
        return None
    if not parts.netloc:
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{parts.netloc}"


class ConsoleCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        update = dict(parts.update or {})
        view = _view_name(request)
        if view == REDOC_VIEW:
            parts.replace = {**(parts.replace or {}), "style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, BLOB]}
        elif view == AUTHORIZE_VIEW and response.status_code == 200:
            context = getattr(response, "context_data", None) or {}
            form = context.get("form")
            uri = form.initial.get("redirect_uri") if form is not None and context.get("application") else None
            origin = redirect_origin(uri)
            if origin:
                update["form-action"] = [origin]
        if update:
            parts.update = update
        return parts
