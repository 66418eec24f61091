"""The code stays lint-clean: ruff for Python, djlint (lint + format) for templates, mypy (with
django-stubs) where the rules live: services, selectors and the tenancy parts."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / args[0]), *args[1:]], capture_output=True, text=True, cwd=ROOT)


def test_ruff_is_clean():
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_is_formatted():
    result = _run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_templates_pass_djlint():
    folders = ["templates", *sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("*/templates"))]
    lint = _run("djlint", *folders, "--lint")
    assert lint.returncode == 0, lint.stdout[-3000:]
    check = _run("djlint", *folders, "--check")
    assert check.returncode == 0, check.stdout[-3000:]


# Services (files and packages), selectors and the tenancy parts; `make lint` checks the same paths.
TYPED_PATHS = [
    *sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("*/services*")),
    *sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("*/selectors.py")),
    # Billing splits its reads by topic (one author each).
    *sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("billing/selectors_*.py")),
    "rentoffice/tenancy.py",
    "rentoffice/access.py",
    "rentoffice/authorization.py",
]


def test_services_selectors_and_tenancy_pass_mypy():
    result = _run("mypy", *TYPED_PATHS)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_migrations_match_the_models():
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "makemigrations", "--check", "--dry-run"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
