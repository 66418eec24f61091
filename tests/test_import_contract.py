"""The one-way app graph of docs/architecture.md, checked with import-linter (`[tool.importlinter]`
in pyproject.toml): `rentoffice` imports no app, `vehicles` does not import `customers`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = tuple(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"])


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, check=False)


def test_apps_import_one_way():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _copy_tree(tmp_path: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "locale", "templates", "static", "*.mo", "*.po")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")


def test_contract_catches_core_importing_an_app(tmp_path):
    _copy_tree(tmp_path)
    with (tmp_path / "rentoffice" / "navigation.py").open("a") as fh:
        fh.write("\n\ndef _bad():\n    from customers import selectors  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "rentoffice.navigation -> customers.selectors" in result.stdout


def test_contract_catches_fleet_importing_customers(tmp_path):
    _copy_tree(tmp_path)
    with (tmp_path / "vehicles" / "selectors.py").open("a") as fh:
        fh.write("\n\nfrom customers.models import Customer  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "vehicles.selectors -> customers.models" in result.stdout
