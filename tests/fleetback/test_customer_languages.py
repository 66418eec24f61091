"""Customer-facing texts (customer page, the e-mail and text message) exist in all nine languages."""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

from fleetback.models import Language

ROOT = Path(__file__).resolve().parents[2] / "fleetback"
CUSTOMER_FILES = (
    "templates/fleetback/public/",
    "templates/messages/fleetback_case",
    "templates/messages/fleetback_decision",
    "services/answers.py",
)


def customer_msgids() -> set[str]:
    po = polib.pofile(str(ROOT / "locale/de/LC_MESSAGES/django.po"))
    return {e.msgid for e in po if any(any(part in path for part in CUSTOMER_FILES) for path, _line in e.occurrences)}


@pytest.mark.parametrize("language", [code for code in Language.values if code not in ("en",)])
def test_customer_texts_are_translated(language):
    po = polib.pofile(str(ROOT / f"locale/{language}/LC_MESSAGES/django.po"))
    by_id = {e.msgid: e for e in po}
    wanted = customer_msgids()
    assert len(wanted) > 25
    missing = [m for m in sorted(wanted) if not (by_id[m].msgstr or all(by_id[m].msgstr_plural.values()))]
    assert not missing, f"{language}: {missing}"
    placeholders = re.compile(r"%\(\w+\)s")
    for msgid in wanted:
        entry = by_id[msgid]
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text:
                assert sorted(placeholders.findall(text)) == sorted(placeholders.findall(msgid)), (language, msgid)


def test_translation_is_active_per_language():
    with translation.override("sv"):
        assert translation.gettext("Send answer") == "Skicka svar"
    with translation.override("no"):
        assert translation.gettext("Send answer") == "Send svar"
