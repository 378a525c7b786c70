"""The pipeline: structural diff -> stability policy -> checks -> filters -> Report."""
from __future__ import annotations

from typing import Optional

from . import checks
from .checks.registry import selected
from .checks.sites import sites_of
from .diff import SpecDiff
from .errors import SpecError
from .load import Spec
from .model import LEVELS, NONE, Finding, Report
from .options import Options
from .policy import apply_stability_policy
from .rules import get_rule


class Emitter:
    """Collects findings; the one place where rule ids become messages and levels."""

    def __init__(self, options: Options):
        self.options = options
        self.findings: list[Finding] = []
        self._levels = options._levels  # rule id -> effective level (after overrides)

    def __call__(self, rule_id: str, *args, operation: str = "", path: str = "",
                 base_pointer: Optional[str] = None, revision_pointer: Optional[str] = None,
                 details: str = "") -> None:
        # Hot path (stripe: ~70k findings): no message formatting here, Finding.text does it on demand.
        level = self._levels.get(rule_id)
        if level is None:
            get_rule(rule_id)  # unknown id: raise now, as formatting would have
            level = "INFO"
        elif level == NONE:
            return
        self.findings.append(Finding(rule_id, level, operation, path, None, base_pointer, revision_pointer,
                                     args=args, details=details))


def diff_specs(base: Spec, revision: Spec, options: Optional[Options] = None) -> Report:
    """Compare two loaded specs and report oasdiff-style findings at or above ``options.min_level``."""
    options = options or Options()
    checks.load_families()
    emit = Emitter(options)
    try:
        _run(base, revision, options, emit)
    except RecursionError:
        raise SpecError("document nested too deeply to compare") from None
    findings = emit.findings
    for post in checks.POSTPROCESSORS:
        findings = post(findings)
    floor = LEVELS[options.min_level]
    kept = [f for f in findings if LEVELS[f.level] >= floor]
    if options.ignore:
        kept = [f for f in kept if not any(rule.matches(f.operation, f.path, f.text) for rule in options.ignore)]
    kept.sort(key=Finding.sort_key)
    return Report(kept)


def _run(base: Spec, revision: Spec, options: Options, emit: Emitter) -> None:
    spec_diff = SpecDiff(base, revision, emit, options)
    apply_stability_policy(spec_diff, options)
    wanted = options.selected_checks
    for check in selected(checks.SPEC_CHECKS, wanted):
        check(spec_diff)
    operation_checks = selected(checks.OPERATION_CHECKS, wanted)
    schema_checks = selected(checks.SCHEMA_CHECKS, wanted)
    if not (operation_checks or schema_checks):
        return
    for op in spec_diff.modified_operations():
        for check in operation_checks:
            check(op)
        if schema_checks:
            for site in sites_of(op):
                for check in schema_checks:
                    check(site)
