"""Every fleet page speaks one language: no English left on German pages and no German on English ones.

The phrases come from the catalogues themselves: a German page must not contain the English source of
a translated string, an English page not its German translation.
"""

import html
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import timezone

from rentoffice.images import process_image
from tests.actors import membership_of
from tests.conftest import in_scope
from vehicles.models import Damage
from vehicles.services import condition_record_create, damage_create, damage_status_set, vehicle_photos_add

from .conftest import grant, jpeg_upload

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# The language switch names each language in its own language on every page.
LANGUAGE_NAMES = {"German", "English"}


def _phrases() -> list[tuple[str, str]]:
    """(English, German) pairs worth looking for: differing, and long enough not to occur by chance."""
    entries = [
        entry
        for path in (ROOT / "vehicles/locale/de/LC_MESSAGES/django.po", ROOT / "locale/de/LC_MESSAGES/django.po")
        for entry in polib.pofile(str(path))
        if not entry.msgid_plural and "%" not in entry.msgid and "{" not in entry.msgid
    ]
    # Words that are the same in both languages ("Status", "Station", "Name") prove nothing.
    both = {e.msgid.strip() for e in entries} & {e.msgstr.strip() for e in entries}
    pairs = []
    for entry in entries:
        english, german = entry.msgid.strip(), entry.msgstr.strip()
        if (
            german
            and english != german
            and len(english) >= 4
            and len(german) >= 4
            and english not in both
            and german not in both
            and english not in LANGUAGE_NAMES
        ):
            pairs.append((english, german))
    return pairs


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def _pages(org, vehicle, group, actor):
    image = process_image(jpeg_upload("aufnahme-1.jpg"))
    damage = damage_create(
        vehicle=vehicle,
        actor=membership_of(actor, vehicle),
        photos=[image],
        damage=Damage(area="left", description="x", view="left", x=1, y=2),
    )
    damage_status_set(damage=damage, actor=membership_of(actor, damage), status="in_repair", note="y")
    record = condition_record_create(vehicle=vehicle, actor=membership_of(actor, vehicle), note="z", photos=[image])
    photo = vehicle_photos_add(vehicle=vehicle, actor=membership_of(actor, vehicle), photos=[image])[0]

    def u(name, **kwargs):
        return reverse(f"vehicles:{name}", kwargs={"org_slug": org.slug, **kwargs})

    pages = [
        reverse("org_dashboard", kwargs={"org_slug": org.slug}),
        u("list"),
        u("create"),
        u("group_list"),
        u("group_create"),
        u("group_edit", pk=group.pk),
        u("condition_detail", pk=record.pk),
        u("condition_photos_add", pk=record.pk),
        u("condition_list", pk=vehicle.pk),
        u("vehicle_photo_delete", pk=photo.pk),
        u("damage_photo_delete", pk=damage.photos.get().pk),
    ]
    pages += [
        u(name, pk=vehicle.pk)
        for name in (
            "detail",
            "edit",
            "retire",
            "km_add",
            "km_history",
            "photos_add",
            "condition_create",
            "damage_create",
        )
    ]
    pages += [u(name, pk=damage.pk) for name in ("damage_detail", "damage_edit", "damage_status", "damage_photos_add")]
    return pages


@pytest.mark.parametrize("language", ["de", "en"])
@in_scope()
def test_no_mixed_languages_on_fleet_pages(client_admin_a, org_a, vehicle_a1, group_a, admin_a, language):
    grant(admin_a, org_a, "vehicles.groups")
    client_admin_a.cookies["django_language"] = language
    phrases = _phrases()
    found = []
    pages = _pages(org_a, vehicle_a1, group_a, admin_a)
    # Forms sent back with errors too: their messages must be in the page's language as well.
    km_add = reverse("vehicles:km_add", kwargs={"org_slug": org_a.slug, "pk": vehicle_a1.pk})
    posts = [(page, {}) for page in pages if page.endswith(("/new/", "/edit/", "/retire/", "/status/", "/photos/"))]
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    posts += [
        (km_add, {"km": "5", "recorded_at": now}),  # below the last reading
        (km_add, {"km": str(vehicle_a1.current_km + 900_000), "recorded_at": now}),
    ]  # implausible jump
    for page_url, data in [(page, None) for page in pages] + posts:
        response = client_admin_a.get(page_url) if data is None else client_admin_a.post(page_url, data)
        assert response.status_code == 200, page_url
        text = _visible_text(response.content.decode())
        for english, german in phrases:
            wrong = english if language == "de" else german
            if _contains(text, wrong):
                found.append(f"{page_url}: {wrong!r}")
    assert not found, "\n".join(found)
