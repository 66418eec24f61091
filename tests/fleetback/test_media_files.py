"""Case files: the zip holds exactly the case's media, drawing keeps the original, attachments are
checked by content with a size limit, the customer page shows public files only, and every
medium, attachment and zip URL is 404 for outsiders (other organization, other dealership,
another case's token)."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from django_scopes import scope
from PIL import Image

from fleetback.models import Attachment, Medium
from fleetback.services import sending
from tests.actors import admin_of
from tests.conftest import client_for, make_member

from .helpers import make_case
from .media_files import docx, pdf, photo, video

pytestmark = pytest.mark.django_db


def upload(client, case, *files, public=True, kind="media"):
    name = "fleetback:media_upload" if kind == "media" else "fleetback:attachment_upload"
    data = {"files": list(files)}
    if public:
        data["is_public"] = "on"
    response = client.post(reverse(name, args=[case.organization.slug, case.pk]), data)
    assert response.status_code == 302
    with scope(organization=case.organization_id):
        model = Medium if kind == "media" else Attachment
        return list(model.objects.filter(case=case).order_by("position", "pk"))


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def draw_url(case, medium):
    return reverse("fleetback:medium_draw", args=[case.organization.slug, case.pk, medium.pk])


RED_BOX = json.dumps([{"kind": "rect", "colour": "#ff0000", "width": 0.05, "points": [[0.1, 0.1], [0.9, 0.9]]}])


def test_zip_contains_exactly_the_cases_media(client_admin_a, org_a, station_a1, case_a1):
    media = upload(client_admin_a, case_a1, photo("a.png"), video(1), photo("b.png", colour=(0, 0, 255)))
    other = make_case(org=org_a, station=station_a1, reference="OTHER")
    upload(client_admin_a, other, photo("fremd.png"))
    client_admin_a.post(draw_url(case_a1, media[0]), {"shapes": RED_BOX})
    response = client_admin_a.get(reverse("fleetback:media_zip", args=[org_a.slug, case_a1.pk]))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(read(response)))
    assert archive.namelist() == [
        "01-photo.jpg",
        "01-photo-original.jpg",
        "02-video.mp4",
        "03-photo.jpg",
    ]
    with scope(organization=org_a):
        stored = {m.pk: m for m in Medium.objects.filter(case=case_a1)}
        drawn = Medium.objects.get(case=case_a1, original=media[0])
    with stored[media[0].pk].file.open("rb") as handle:
        assert archive.read("01-photo-original.jpg") == handle.read()
    with drawn.file.open("rb") as handle:
        assert archive.read("01-photo.jpg") == handle.read()
    assert len(stored) == len(archive.namelist())


def test_drawing_makes_a_new_version_and_keeps_the_original(client_admin_a, org_a, case_a1):
    [original] = upload(client_admin_a, case_a1, photo("weiss.png", size=(200, 100), colour=(255, 255, 255)))
    with original.file.open("rb") as handle:
        before = handle.read()
    page = client_admin_a.get(draw_url(case_a1, original))
    assert page.status_code == 200
    response = client_admin_a.post(draw_url(case_a1, original), {"shapes": RED_BOX})
    assert response.status_code == 302
    with scope(organization=org_a):
        version = Medium.objects.get(original=original)
        kept = Medium.objects.get(pk=original.pk)
    with kept.file.open("rb") as handle:
        assert handle.read() == before
    with version.file.open("rb") as handle, Image.open(handle) as image:
        assert image.size == (200, 100)
        red, green, blue = image.convert("RGB").getpixel((20, 50))  # on the rectangle's left edge
        assert red > 200 and green < 80 and blue < 80
        assert image.convert("RGB").getpixel((100, 50)) == pytest.approx((255, 255, 255), abs=8)
    assert (version.position, version.is_public) == (kept.position, kept.is_public)
    detail = client_admin_a.get(reverse("fleetback:detail", args=[org_a.slug, case_a1.pk])).content.decode()
    assert detail.count('data-testid="medium"') == 1  # the version replaces the original on the page
    assert reverse("fleetback:medium_download", args=[org_a.slug, case_a1.pk, original.pk]) in detail
    # drawing again on the replaced original is refused; on the version it works
    again = client_admin_a.post(draw_url(case_a1, kept), {"shapes": RED_BOX})
    assert again.status_code == 400
    assert client_admin_a.post(draw_url(case_a1, version), {"shapes": RED_BOX}).status_code == 302


@pytest.mark.parametrize(
    "shapes",
    [
        "not json",
        "[]",
        json.dumps([{"kind": "star", "colour": "#ff0000", "points": [[0, 0], [1, 1]]}]),
        json.dumps([{"kind": "rect", "colour": "red;", "points": [[0, 0], [1, 1]]}]),
        json.dumps([{"kind": "rect", "colour": "#ff0000", "points": [[0, 0]]}]),
        json.dumps([{"kind": "pen", "colour": "#ff0000", "points": [["a", 0], [1, 1]]}]),
        json.dumps([{"kind": "pen", "colour": "#ff0000", "points": [[0, 0]] * 3000}]),
    ],
)
def test_bad_drawings_are_field_errors_and_write_nothing(client_admin_a, org_a, case_a1, shapes):
    [original] = upload(client_admin_a, case_a1, photo())
    response = client_admin_a.post(draw_url(case_a1, original), {"shapes": shapes})
    assert response.status_code == 400
    assert response.context["form"].errors["shapes"]
    with scope(organization=org_a):
        assert Medium.objects.filter(case=case_a1).count() == 1


def test_attachments_checked_by_content(client_admin_a, org_a, case_a1):
    fake_pdf = io.BytesIO(b"<html><body>hello</body></html>")
    fake_pdf.name = "Angebot.pdf"
    response = client_admin_a.post(
        reverse("fleetback:attachment_upload", args=[org_a.slug, case_a1.pk]),
        {"files": [fake_pdf]},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0].startswith("Angebot.pdf: Dieser Dateityp wird nicht angenommen")
    attachments = upload(client_admin_a, case_a1, pdf(), docx("Kostenvoranschlag.docx"), photo("scan.png"), kind="a")
    assert [(a.name, a.content_type) for a in attachments] == [
        ("Angebot.pdf", "application/pdf"),
        ("Kostenvoranschlag.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("scan.jpg", "image/jpeg"),
    ]
    served = client_admin_a.get(reverse("fleetback:attachment_file", args=[org_a.slug, case_a1.pk, attachments[0].pk]))
    assert served["Content-Type"] == "application/pdf"
    assert 'attachment; filename="Angebot.pdf"' in served["Content-Disposition"]
    assert read(served).startswith(b"%PDF-")


def test_attachment_size_limit_has_a_clear_message(client_admin_a, org_a, case_a1, settings):
    settings.FLEETBACK_MAX_ATTACHMENT_SIZE = 2 * 1024 * 1024
    response = client_admin_a.post(
        reverse("fleetback:attachment_upload", args=[org_a.slug, case_a1.pk]),
        {"files": [pdf(padding=3 * 1024 * 1024)]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Angebot.pdf: Die Datei ist zu groß. Anhänge dürfen höchstens 2.0 MB groß sein."
    ]
    with scope(organization=org_a):
        assert not Attachment.objects.exists()


def _sent_link(case) -> str:
    with scope(organization=case.organization_id):
        [recipient] = sending.case_send(actor=admin_of(case), case=case, channel="link", base_url="http://t/")
    return recipient.token


def test_customer_page_shows_public_media_and_attachments_only(client, client_admin_a, org_a, case_a1):
    public_photo, private_photo, clip = upload(client_admin_a, case_a1, photo(), photo(), video(1))
    client_admin_a.post(
        reverse("fleetback:medium_public", args=[org_a.slug, case_a1.pk, private_photo.pk]), {"is_public": "0"}
    )
    public_doc = upload(client_admin_a, case_a1, pdf(), kind="a")[0]
    private_doc = upload(client_admin_a, case_a1, pdf("intern.pdf"), public=False, kind="a")[1]
    token = _sent_link(case_a1)
    page = client.get(reverse("fleetback_public:page", args=[token])).content.decode()
    medium_url = reverse("fleetback_public:medium_file", args=[token, public_photo.pk])
    assert reverse("fleetback_public:medium_poster", args=[token, public_photo.pk]) in page
    assert reverse("fleetback_public:medium_file", args=[token, clip.pk]) in page and "<video" in page
    assert reverse("fleetback_public:medium_file", args=[token, private_photo.pk]) not in page
    assert reverse("fleetback_public:attachment_file", args=[token, public_doc.pk]) in page
    assert "intern.pdf" not in page
    assert client.get(medium_url).status_code == 200
    assert client.get(reverse("fleetback_public:medium_file", args=[token, private_photo.pk])).status_code == 404
    assert client.get(reverse("fleetback_public:attachment_file", args=[token, private_doc.pk])).status_code == 404
    assert client.get(reverse("fleetback_public:attachment_file", args=[token, public_doc.pk])).status_code == 200


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("de", "Fotos und Videos"),
        ("en", "Photos and videos"),
        ("fr", "Photos et vidéos"),
        ("nl", "Foto's en video's"),
        ("es", "Fotos y vídeos"),
        ("it", "Foto e video"),
        ("pt", "Fotos e vídeos"),
        ("sv", "Foton och videor"),
        ("no", "Bilder og videoer"),
    ],
)
def test_customer_page_media_in_the_contacts_language(client, client_admin_a, org_a, station_a1, language, heading):
    case = make_case(org=org_a, station=station_a1, language=language)
    upload(client_admin_a, case, photo())
    upload(client_admin_a, case, pdf(), kind="a")
    page = client.get(reverse("fleetback_public:page", args=[_sent_link(case)])).content.decode()
    from html import unescape

    assert heading in unescape(page)


def _case_urls(case, medium, attachment):
    slug, pk = case.organization.slug, case.pk
    gets = [
        reverse("fleetback:media_zip", args=[slug, pk]),
        *(
            reverse(name, args=[slug, pk, medium.pk])
            for name in (
                "fleetback:medium_file",
                "fleetback:medium_poster",
                "fleetback:medium_download",
                "fleetback:medium_draw",
            )
        ),
        reverse("fleetback:attachment_file", args=[slug, pk, attachment.pk]),
    ]
    posts = [
        reverse("fleetback:media_upload", args=[slug, pk]),
        reverse("fleetback:media_reorder", args=[slug, pk]),
        reverse("fleetback:attachment_upload", args=[slug, pk]),
        *(
            reverse(name, args=[slug, pk, medium.pk])
            for name in ("fleetback:medium_public", "fleetback:medium_move", "fleetback:medium_delete")
        ),
        *(
            reverse(name, args=[slug, pk, attachment.pk])
            for name in ("fleetback:attachment_public", "fleetback:attachment_delete")
        ),
    ]
    return gets, posts


def test_outsiders_get_404_on_every_medium_attachment_and_zip_url(
    client_admin_a, client_admin_b, org_a, org_b, station_a1, station_a2, case_a1
):
    [medium] = upload(client_admin_a, case_a1, photo())
    [attachment] = upload(client_admin_a, case_a1, pdf(), kind="a")
    gets, posts = _case_urls(case_a1, medium, attachment)
    other_dealership = client_for(make_member(org_a, "aug@a.example", "dealer_manager", stations=[station_a2]))
    for outsider in (client_admin_b, other_dealership):
        for url in gets:
            assert outsider.get(url).status_code == 404, url
        for url in posts:
            assert outsider.post(url, {"is_public": "1", "order": str(medium.pk)}).status_code == 404, url
    # the URL of a medium under another case of the same organization is 404 as well
    other = make_case(org=org_a, station=station_a1, reference="B")
    wrong_case = reverse("fleetback:medium_file", args=[org_a.slug, other.pk, medium.pk])
    assert client_admin_a.get(wrong_case).status_code == 404
    with scope(organization=org_a):
        assert Medium.objects.filter(pk=medium.pk, is_public=True).exists()


def test_another_cases_token_does_not_open_these_files(client, client_admin_a, org_a, station_a1, case_a1):
    [medium] = upload(client_admin_a, case_a1, photo())
    [attachment] = upload(client_admin_a, case_a1, pdf(), kind="a")
    other = make_case(org=org_a, station=station_a1, reference="B")
    token = _sent_link(other)
    for url in (
        reverse("fleetback_public:medium_file", args=[token, medium.pk]),
        reverse("fleetback_public:medium_poster", args=[token, medium.pk]),
        reverse("fleetback_public:attachment_file", args=[token, attachment.pk]),
        reverse("fleetback_public:medium_file", args=["x" * 43, medium.pk]),
    ):
        assert client.get(url).status_code == 404, url
