"""Rule families: one module per family, each registering its checks on import.

Every module in this package (other than ``registry``/``sites``/``helpers``) is imported by
``load_families()``, so adding a family means adding a file: no edit to the core or to
another family. See README.md, "How to add a rule".
"""

import importlib
import pkgutil

from .registry import (
    OPERATION_CHECKS,
    POSTPROCESSORS,
    SCHEMA_CHECKS,
    SPEC_CHECKS,
    operation_check,
    postprocessor,
    schema_check,
    spec_check,
)
from .sites import SchemaSite

__all__ = [
    "OPERATION_CHECKS",
    "POSTPROCESSORS",
    "SCHEMA_CHECKS",
    "SPEC_CHECKS",
    "SchemaSite",
    "load_families",
    "operation_check",
    "postprocessor",
    "schema_check",
    "spec_check",
]

_INFRASTRUCTURE = {"registry", "sites", "helpers"}
_loaded = False


def load_families() -> None:
    global _loaded
    if _loaded:
        return
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name not in _INFRASTRUCTURE and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    _loaded = True
