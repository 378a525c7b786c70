"""Reads live beside writes the same way in every app: named queryset methods (querysets.py) for
reads, services for writes. Views (portal pages and API views), admin classes, tasks, the context
processor and the middleware call them and build no queries of their own.

The modules are parsed, not imported. A call fails the rule when it is a query-building or writing
method (QUERY_METHODS) on a chain that starts at a manager — `<Model>.objects....`, also behind a
call as in `get_user_model().objects....` — or at the base queryset of an admin or a viewset
(`super().get_queryset(...)`, `self.get_queryset(...)`). Give the rows a name instead:
`ApiVersion.objects.visible_to_tenants()`, `Review.objects.merged_for(version)`; a write becomes a
service.

What passes without an entry: a DRF viewset's `queryset = Model.objects.select_related(...)` (how DRF
declares the base queryset; TenantScopedViewSet scopes it), scoping and named methods
(`for_principal`, `roster()`, ...), select_related / prefetch_related / order_by, lookups by key
(`get_object_or_404(qs, pk=pk)`), and django-filter FilterSets (the filtering layer, in
*/api/filters.py, which this test does not read). Anything else the rule would refuse and that
stays goes in ALLOWED, with its reason; keep it short.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("config", "tenants", "apikeys", "governance")
# Where views, admin classes, tasks, context processors and middleware live in an app.
LAYER_GLOBS = (
    "portal/**/*.py",
    "views.py",
    "api/views/**/*.py",
    "admin/**/*.py",
    "tasks.py",
    "tasks/**/*.py",
    "context_processors.py",
    "middleware.py",
)
QUERY_METHODS = frozenset(
    {
        # reads that shape the rows: these are what a queryset method names
        "filter",
        "exclude",
        "annotate",
        "alias",
        "values",
        "values_list",
        "aggregate",
        "raw",
        "extra",
        # writes: these are services
        "update",
        "delete",
        "create",
        "get_or_create",
        "update_or_create",
        "bulk_create",
        "bulk_update",
    }
)
MANAGERS = frozenset({"objects", "_default_manager"})

# (module, enclosing class.function, method): why it may stay.
ALLOWED = {
    ("tenants/admin/tenants.py", "TenantAdmin.get_queryset", "annotate"): (
        "A display-only annotation for the changelist's `members` column: Count over the tenant's own "
        "memberships (a join, not a subquery over another model), declared beside the list_display that "
        "shows it and its `ordering`."
    ),
}


def scanned_modules() -> list[Path]:
    found: set[Path] = set()
    for app in APPS:
        for pattern in LAYER_GLOBS:
            found.update(path for path in (ROOT / app).glob(pattern) if path.is_file())
    return sorted(found)


def _base_queryset_call(node: ast.Call) -> bool:
    """`super().get_queryset(...)` or `self.get_queryset(...)`."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr == "get_queryset"):
        return False
    owner = func.value
    is_super = isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super"
    return is_super or (isinstance(owner, ast.Name) and owner.id == "self")


def _query_root(node: ast.expr) -> str | None:
    """What a method chain is built on, if it is a manager or a base queryset (else None)."""
    while True:
        if isinstance(node, ast.Call):
            if _base_queryset_call(node):
                return ast.unparse(node.func) + "()"
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr in MANAGERS:
                return ast.unparse(node)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return None


class _Finder(ast.NodeVisitor):
    """Collects (scope, method, line, code) of each query call; the scope is the enclosing
    class.function, or class.attribute for a class attribute such as a viewset's `queryset`."""

    def __init__(self) -> None:
        self.scope: list[tuple[str, bool]] = []  # (name, is a class)
        self.found: list[tuple[str, str, int, str]] = []

    def _enter(self, node, name: str, is_class: bool):
        self.scope.append((name, is_class))
        self.generic_visit(node)
        self.scope.pop()

    def visit_ClassDef(self, node):
        self._enter(node, node.name, True)

    def visit_FunctionDef(self, node):
        self._enter(node, node.name, False)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node):
        targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if targets and self.scope and self.scope[-1][1]:
            self._enter(node, targets[0], False)
        else:
            self.generic_visit(node)

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS and _query_root(func.value) is not None:
            scope = ".".join(name for name, _ in self.scope) or "<module>"
            self.found.append((scope, func.attr, node.lineno, ast.unparse(node)))
        self.generic_visit(node)


def queries_in(source: str) -> list[tuple[str, str, int, str]]:
    """Every query-building or writing call on a manager or a base queryset in `source`."""
    finder = _Finder()
    finder.visit(ast.parse(source))
    return finder.found


def violations(module: str, source: str) -> list[str]:
    return [
        f"{module}:{line} in {scope}: {code}"
        for scope, method, line, code in queries_in(source)
        if (module, scope, method) not in ALLOWED
    ]


def _all_findings():
    for path in scanned_modules():
        module = path.relative_to(ROOT).as_posix()
        for scope, method, line, code in queries_in(path.read_text()):
            yield module, scope, method, line, code


# --- the rule, on the project ----------------------------------------------------------------------


def test_the_scan_reads_every_layer_that_must_hold_no_queries():
    modules = {path.relative_to(ROOT).as_posix() for path in scanned_modules()}
    expected = {
        "tenants/portal/members.py",
        "tenants/api/views/members.py",
        "tenants/admin/memberships.py",
        "tenants/context_processors.py",
        "tenants/middleware.py",
        "apikeys/portal/keys.py",
        "apikeys/api/views/keys.py",
        "apikeys/admin/keys.py",
        "apikeys/tasks.py",
        "governance/portal/deprecations.py",
        "governance/api/views/catalog.py",
        "governance/admin/webhooks.py",
        "governance/tasks/deprecations.py",
        "governance/middleware.py",
        "config/middleware.py",
        "config/views.py",
    }
    assert expected <= modules, sorted(expected - modules)
    assert not any(m.startswith("governance/openapi/") or "/services/" in m for m in modules)


def test_views_admin_tasks_and_middleware_build_no_queries_of_their_own():
    found = [
        f"{module}:{line} in {scope}: {code}"
        for module, scope, method, line, code in _all_findings()
        if (module, scope, method) not in ALLOWED
    ]
    assert not found, (
        "Name these rows in the app's querysets.py (reads) or move the write into its services:\n  "
        + "\n  ".join(found)
    )


def test_every_allow_list_entry_has_a_reason_and_is_still_needed():
    used = {(module, scope, method) for module, scope, method, _line, _code in _all_findings()}
    for entry, reason in ALLOWED.items():
        assert len(reason) > 40, f"{entry}: say why it may stay"
        assert entry in used, f"{entry} no longer matches anything: remove it from ALLOWED"


# --- the rule, on planted sources ---------------------------------------------------------------------

PLANTED = {
    "a filter at module level": ("LISTED = ApiVersion.objects.exclude(state='draft')\n", ["<module>: exclude"]),
    "a filter behind a scope": (
        "class WebhookDetailView(PortalView):\n"
        "    def get(self, request, pk):\n"
        "        return WebhookDelivery.objects.for_principal(self.principal).filter(endpoint=pk)[:50]\n",
        ["WebhookDetailView.get: filter"],
    ),
    "a write in an admin action": (
        "class WebhookDeliveryAdmin(admin.ModelAdmin):\n"
        "    def retry(self, request, queryset):\n"
        "        for delivery in queryset:\n"
        "            WebhookDelivery.objects.filter(pk=delivery.pk).update(status='pending')\n",
        ["WebhookDeliveryAdmin.retry: update", "WebhookDeliveryAdmin.retry: filter"],
    ),
    "a manager reached through a call": (
        "def context(invitation):\n    return get_user_model().objects.filter(email__iexact=invitation.email).exists()\n",
        ["context: filter"],
    ),
    "a subquery annotation in get_queryset": (
        "class LedgerAdmin(admin.ModelAdmin):\n"
        "    def get_queryset(self, request):\n"
        "        return super().get_queryset(request).annotate(calls=Subquery(calls))\n",
        ["LedgerAdmin.get_queryset: annotate"],
    ),
    "a filter on a viewset's queryset": (
        "class Deliveries(TenantScopedViewSet):\n"
        "    def get_queryset(self):\n"
        "        return super().get_queryset().filter(status='failed')\n"
        "    def list(self, request):\n"
        "        return self.get_queryset().values('status')\n",
        ["Deliveries.get_queryset: filter", "Deliveries.list: values"],
    ),
    "a filter in a DRF class attribute": (
        "class MemberViewSet(TenantScopedViewSet):\n    queryset = Membership.objects.filter(role='owner')\n",
        ["MemberViewSet.queryset: filter"],
    ),
    "the default manager": ("def f():\n    return Api._default_manager.create(slug='x')\n", ["f: create"]),
}

CLEAN = """
class MemberViewSet(TenantScopedViewSet):
    queryset = Membership.objects.select_related("user")  # DRF's declaration; scoped by the base viewset

class MembersView(PortalView):
    def get(self, request, pk):
        rows = Membership.objects.for_principal(self.principal).roster()
        one = get_object_or_404(Membership.objects.with_users(), pk=pk)
        none = ApiVersion.objects.none()
        errors = "; ".join(m for ms in form.errors.values() for m in ms)  # not a queryset
        count = Count("reviews", filter=Q(reviews__status="merged"))  # a keyword, not a method
        return render(request, "x.html", {"rows": rows, "one": one})

class ApiKeyAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tenant", "created_by")
"""


@pytest.mark.parametrize("source, expected", PLANTED.values(), ids=PLANTED.keys())
def test_a_planted_query_fails_the_rule(source, expected):
    found = [f"{scope}: {method}" for scope, method, _line, _code in queries_in(source)]
    assert sorted(found) == sorted(expected)
    assert violations("governance/portal/planted.py", source)


def test_named_methods_scoping_and_declarations_pass():
    assert queries_in(CLEAN) == []


def test_an_allow_listed_call_passes_only_where_it_is_listed():
    source = (
        "class TenantAdmin(StaffAuditMixin, admin.ModelAdmin):\n"
        "    def get_queryset(self, request):\n"
        "        return super().get_queryset(request).annotate(member_count=Count('memberships'))\n"
    )
    assert violations("tenants/admin/tenants.py", source) == []
    assert violations("tenants/admin/memberships.py", source) == [
        "tenants/admin/memberships.py:3 in TenantAdmin.get_queryset: "
        "super().get_queryset(request).annotate(member_count=Count('memberships'))"
    ]
    assert violations("tenants/admin/tenants.py", source.replace("annotate", "filter")) != []
