#!/usr/bin/env python
"""Extract and compile translations, one catalogue per app.

    python scripts/translations.py make      # update every <app>/locale/de/.../django.po and locale/ (core);
                                             # then fill the empty German msgstr in the .po files
    python scripts/translations.py compile   # .po -> .mo for the project's catalogues only

Core strings (rentoffice/ and the shared templates/) live in locale/; each domain app keeps its
own catalogue in <app>/locale/, so apps can be worked on independently.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["customers", "vehicles", "contracts", "protocols", "billing", "fleetback"]
PY = str(ROOT / ".venv" / "bin" / "python")
MANAGE = str(ROOT / "manage.py")
# Apps whose customer-facing pages speak more languages than the back office (de/en).
EXTRA_LANGUAGES = {"fleetback": ["fr", "nl", "es", "it", "pt", "sv", "no"]}
IGNORES = ["-i", ".venv/*", "-i", "var/*", "-i", "tests/*", "-i", "bench/*", "-i", "node_modules/*"]


def make() -> None:
    present = [app for app in APPS if (ROOT / app).is_dir()]
    core_ignores = IGNORES + [arg for app in present for arg in ("-i", f"{app}/*")]
    (ROOT / "locale").mkdir(exist_ok=True)
    subprocess.run(
        [PY, MANAGE, "makemessages", "-l", "de", "-l", "en", "--no-obsolete", *core_ignores], cwd=ROOT, check=True
    )
    for app in present:
        (ROOT / app / "locale").mkdir(exist_ok=True)
        extra = [arg for lang in EXTRA_LANGUAGES.get(app, []) for arg in ("-l", lang)]
        subprocess.run(
            [PY, MANAGE, "makemessages", "-l", "de", "-l", "en", *extra, "--no-obsolete"], cwd=ROOT / app, check=True
        )


def clear_fuzzy() -> None:
    """makemessages fills new German strings with guesses from similar ones ("fuzzy"); such guesses are
    usually wrong ("Blocked customers" → "Kunden sperren"). Empty them so the completeness test asks
    for a real translation."""
    import polib

    for path in sorted(ROOT.glob("locale/de/LC_MESSAGES/django.po")) + sorted(
        ROOT.glob("*/locale/de/LC_MESSAGES/django.po")
    ):
        po = polib.pofile(str(path))
        for entry in po.fuzzy_entries():
            entry.msgstr = ""
            entry.msgstr_plural = {k: "" for k in entry.msgstr_plural}
            entry.flags.remove("fuzzy")
        po.save()


def compile_() -> None:
    for po in sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")) + sorted(ROOT.glob("*/locale/*/LC_MESSAGES/*.po")):
        subprocess.run(["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True)


if __name__ == "__main__":
    {"make": make, "compile": compile_}[sys.argv[1]]()
