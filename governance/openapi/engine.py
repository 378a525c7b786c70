"""The pipeline: structural diff -> stability policy -> checks -> filters -> Report."""

from __future__ import annotations

import gc

from . import checks
from .checks.registry import SITE_KINDS, for_kind, selected
from .checks.sites import SchemaSite, sites_of
from .diff import SpecDiff
from .errors import SpecError
from .load import Spec
from .model import NONE, Finding, Report, format_texts, sort_findings
from .options import Options
from .policy import apply_stability_policy
from .rules import LEVELS, get_rule


class Emitter:
    """Collects findings; the one place where rule ids become messages and levels."""

    def __init__(self, options: Options):
        self.options = options
        self.findings: list[Finding] = []
        self._levels = options._levels  # rule id -> effective level (after overrides)
        # the schema site whose checks are running (set by ``_run``): its direction and part of the
        # operation go on every finding emitted meanwhile; "" for operation and document checks
        self.direction = ""
        self.via = ""

    def __call__(
        self,
        rule_id: str,
        *args: object,
        operation: str = "",
        path: str = "",
        base_pointer: str | None = None,
        revision_pointer: str | None = None,
        details: str = "",
    ) -> None:
        self.add(rule_id, args, operation, path, base_pointer, revision_pointer, details)

    def add(
        self,
        rule_id: str,
        args: tuple[object, ...],
        operation: str,
        path: str,
        base_pointer: str | None,
        revision_pointer: str | None,
        details: str,
    ) -> None:
        """``__call__`` with positional arguments: the hot path (stripe: ~70k findings), used directly by
        ``SchemaSite.emit``. No message formatting here: ``format_texts`` does it once per distinct text."""
        level = self._levels.get(rule_id)
        if level is None:
            get_rule(rule_id)  # unknown id: raise now, as formatting would have
            level = "INFO"
        elif level == NONE:
            return
        self.findings.append(
            Finding(
                rule_id,
                level,
                operation,
                path,
                None,
                base_pointer,
                revision_pointer,
                args=args,
                details=details,
                direction=self.direction,
                via=self.via,
            )
        )


def diff_specs(base: Spec, revision: Spec, options: Options | None = None) -> Report:
    """Compare two loaded specs and report oasdiff-style findings at or above ``options.min_level``."""
    options = options or Options()
    checks.load_families()
    # The cyclic GC is paused while diffing: the diff allocates ~10^5 long-lived objects (schema
    # diffs, walks, findings) next to the millions of the parsed specs, and every full collection
    # that triggers re-traverses those specs for nothing (~30 % of a Stripe-sized diff). The diff
    # creates few reference cycles; whatever it leaves is collected once the GC is back on.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _diff(base, revision, options)
    finally:
        if gc_was_enabled:
            gc.enable()


def _diff(base: Spec, revision: Spec, options: Options) -> Report:
    emit = Emitter(options)
    try:
        _run(base, revision, options, emit)
    except RecursionError:
        raise SpecError("document nested too deeply to compare") from None
    findings = emit.findings
    if base.original_pointers is not None or revision.original_pointers is not None:
        _point_into_originals(findings, base, revision)
    for post in checks.POSTPROCESSORS:
        findings = post(findings)
    floor = LEVELS[options.min_level]
    kept = [f for f in findings if LEVELS[f.level] >= floor]
    format_texts(kept)  # every kept text is needed (sort key, ignore rules): format each distinct one once
    if options.ignore:
        kept = [f for f in kept if not any(rule.matches(f.operation, f.path, f.text) for rule in options.ignore)]
    sort_findings(kept)
    return Report(kept)


def _point_into_originals(findings: list[Finding], base: Spec, revision: Spec) -> None:
    """A Swagger 2.0 side was diffed in its 3.x form: name the places in the 2.0 file instead
    (``/components/schemas/Pet`` -> ``/definitions/Pet``). Origins and groups follow the pointers."""
    base_map, revision_map = base.original_pointers, revision.original_pointers
    for finding in findings:
        if base_map is not None and finding._base_pointer is not None:
            finding._base_pointer = base_map.original(finding._base_pointer)
        if revision_map is not None and finding._revision_pointer is not None:
            finding._revision_pointer = revision_map.original(finding._revision_pointer)


def _run(base: Spec, revision: Spec, options: Options, emit: Emitter) -> None:
    spec_diff = SpecDiff(base, revision, emit, options)
    apply_stability_policy(spec_diff, options)
    wanted = options.selected_checks
    for spec_check in selected(checks.SPEC_CHECKS, wanted):
        spec_check(spec_diff)
    operation_checks = selected(checks.OPERATION_CHECKS, wanted)
    schema_checks = selected(checks.SCHEMA_CHECKS, wanted)
    if not (operation_checks or schema_checks):
        return
    # each site runs only the checks declared for its kind (registration order kept, so output order too)
    by_kind = {kind: for_kind(schema_checks, kind) for kind in SITE_KINDS}
    for op in spec_diff.modified_operations():
        for operation_check in operation_checks:
            operation_check(op)
        if schema_checks:
            for site in sites_of(op):
                emit.direction, emit.via = site.direction, site_part(site)
                for schema_check in by_kind[site.kind]:
                    schema_check(site)
            emit.direction = emit.via = ""


def site_part(site: SchemaSite) -> str:
    """The part of the operation a schema site is (``Finding.via``): "response 200 application/json"."""
    kind = site.kind
    if kind == "response-body":
        return f"response {site.status} {site.media_type}"
    if kind == "request-body":
        return f"request body {site.media_type}"
    if kind == "parameter":
        return f"{site.param_in} parameter {site.param_name}"
    return f"response {site.status} header {site.header}"
