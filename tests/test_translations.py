"""German is complete: every catalogue of the project translates every string, and is compiled."""

import subprocess
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(ROOT.glob("locale/de/LC_MESSAGES/django.po")) + sorted(
    ROOT.glob("*/locale/de/LC_MESSAGES/django.po")
)


def test_catalogues_exist():
    assert ROOT / "locale/de/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_german_catalogue_is_complete(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {po_path}: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy in {po_path}: {fuzzy[:20]}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_is_current(po_path, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(po_path)], check=True)
    assert compiled.read_bytes() == po_path.with_suffix(".mo").read_bytes(), f"run `make messages` for {po_path}"


@pytest.mark.django_db
def test_pages_render_in_both_languages(client_admin_a, org_a):
    url = reverse("station_list", kwargs={"org_slug": org_a.slug})
    german = client_admin_a.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Neue Station" in german and "New station" not in german
    client_admin_a.cookies["django_language"] = "en"
    english = client_admin_a.get(url).content.decode()
    assert "New station" in english and "Neue Station" not in english
    with translation.override("de"):
        assert translation.gettext("Overview") == "Übersicht"
