"""The shape of the house: no import circles, and the layer contracts of pyproject.toml
([tool.importlinter]): the engine imports no Django, models import no services, services import no
views or tasks."""

import subprocess
import sys
from pathlib import Path

import pytest

from tools.import_cycles import PROJECT_PACKAGES, import_cycles

ROOT = Path(__file__).resolve().parents[1]


def test_no_module_of_the_project_is_in_an_import_circle():
    assert import_cycles(*PROJECT_PACKAGES) == []


def test_the_circle_check_finds_a_planted_circle_even_behind_a_lazy_import(tmp_path, monkeypatch):
    package = tmp_path / "planted"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("from planted import models\n")
    (package / "models.py").write_text("def f():\n    from planted import tasks\n")
    (package / "tasks.py").write_text("import planted.services\n")
    (package / "leaf.py").write_text("import planted.models\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("planted") == [["planted.models", "planted.services", "planted.tasks"]]


def _lint_imports():
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


PLANTED = [
    ("governance/openapi/_planted_breach.py", "import django\n"),
    ("tenants/models/_planted_breach.py", "from tenants.services import members\n"),
    ("governance/services/_planted_breach.py", "from governance.api.views import catalog\n"),
]


def test_the_layer_contracts_are_kept_and_each_planted_breach_breaks_them():
    """One test, in sequence: a planted module must never be seen by another test's check."""
    kept = _lint_imports()
    assert kept.returncode == 0 and "0 broken" in kept.stdout, kept.stdout + kept.stderr
    for module, planted_import in PLANTED:
        path = ROOT / module
        path.write_text(planted_import)
        try:
            broken = _lint_imports()
        finally:
            path.unlink()
        assert broken.returncode == 1 and "1 broken" in broken.stdout, (module, broken.stdout)


LAYER_FOLDERS = ("models", "services", "api", "admin", "portal")


@pytest.mark.parametrize("app", ["tenants", "apikeys", "governance"])
def test_every_app_has_the_same_layer_folders(app):
    """A newcomer who knows one app knows them all (CONTRIBUTING.md: where each kind of code goes)."""
    for folder in LAYER_FOLDERS:
        assert (ROOT / app / folder / "__init__.py").is_file(), f"{app}/{folder}/ is missing"
    assert not (ROOT / app / "views.py").exists() and not (ROOT / app / "admin.py").exists()
