"""OpenAPI diff and breaking-change engine (oasdiff rule ids and semantics), pure Python.

Public API::

    spec = load_spec("openapi.yaml")                # or load_spec(b"...", filename="x.yaml")
    report = diff_specs(base, revision, Options(min_level="WARN"))
    report.findings  # [Finding(id, level, operation, path, text, base_pointer, revision_pointer)]

Nothing here imports Django: the engine runs as a CLI in anyone's CI.
"""

from .engine import diff_specs
from .errors import SpecError
from .load import Spec, load_spec, parse_text
from .model import Finding, Report
from .options import Options, read_ignore_file, read_severity_file

__all__ = [
    "diff_specs",
    "load_spec",
    "parse_text",
    "Spec",
    "SpecError",
    "Finding",
    "Report",
    "Options",
    "read_ignore_file",
    "read_severity_file",
]
