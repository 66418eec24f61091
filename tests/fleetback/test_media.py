"""Case media: upload (plain form and one request per file), the image pipeline, videos checked by
content with ffprobe and the dealership's limits, poster frames, public/private, order, locking."""

import io

import pytest
from django.test import TestCase
from django.urls import reverse
from django_scopes import scope
from PIL import Image

from fleetback.models import Case, Medium
from fleetback.services import media as media_services
from fleetback.services import sending
from tests.actors import admin_of

from .media_files import photo, video

pytestmark = pytest.mark.django_db


def upload_url(case):
    return reverse("fleetback:media_upload", args=[case.organization.slug, case.pk])


def media_of(case):
    with scope(organization=case.organization_id):
        return list(Medium.objects.filter(case=case).order_by("position", "pk"))


def stored_files(settings):
    root = settings.MEDIA_ROOT / "fleetback"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def set_limits(case, **limits):
    values = {"max_photos": 50, "max_video_seconds": 300, "max_case_video_seconds": 600, **limits}
    with scope(organization=case.organization_id):
        media_services.media_limits_save(actor=admin_of(case), station=case.station, **values)


def test_plain_form_upload_stores_cleaned_photos_with_thumbnails(client_admin_a, case_a1):
    response = client_admin_a.post(
        upload_url(case_a1), {"files": [photo("Bremse.png"), photo("Reifen.png")], "is_public": "on"}
    )
    assert response.status_code == 302
    media = media_of(case_a1)
    assert [(m.kind, m.position, m.is_public, m.original_name) for m in media] == [
        ("photo", 0, True, "Bremse.png"),
        ("photo", 1, True, "Reifen.png"),
    ]
    with media[0].file.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG"  # re-encoded by the pipeline, whatever came in
    assert media[0].poster
    page = client_admin_a.get(reverse("fleetback:detail", args=[case_a1.organization.slug, case_a1.pk]))
    assert page.content.decode().count('data-testid="medium"') == 2


def test_unchecked_box_makes_uploads_internal(client_admin_a, case_a1):
    client_admin_a.post(upload_url(case_a1), {"files": [photo()]})
    assert [m.is_public for m in media_of(case_a1)] == [False]


def test_upload_by_script_answers_json_and_names_the_bad_file(client_admin_a, case_a1, settings):
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "bild.jpg"
    response = client_admin_a.post(upload_url(case_a1), {"files": [fake]}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error.startswith("bild.jpg: ") and "weder ein unterstütztes Foto" in error
    assert media_of(case_a1) == [] and stored_files(settings) == []
    ok = client_admin_a.post(upload_url(case_a1), {"files": [photo()]}, headers={"Accept": "application/json"})
    assert ok.status_code == 200 and ok.json() == {"saved": 1, "errors": []}


def test_video_gets_duration_and_poster_frame_and_is_served_as_video(client_admin_a, case_a1):
    response = client_admin_a.post(upload_url(case_a1), {"files": [video(3)], "is_public": "on"})
    assert response.status_code == 302
    [medium] = media_of(case_a1)
    assert (medium.kind, medium.duration_seconds) == ("video", 3)
    with medium.poster.open("rb") as handle, Image.open(handle) as poster:
        assert (poster.format, poster.size) == ("JPEG", (64, 48))
    slug = case_a1.organization.slug
    served = client_admin_a.get(reverse("fleetback:medium_file", args=[slug, case_a1.pk, medium.pk]))
    assert served["Content-Type"] == "video/mp4"
    assert b"ftyp" in b"".join(served.streaming_content)[:16]


def test_webm_video_is_accepted(client_admin_a, case_a1):
    client_admin_a.post(upload_url(case_a1), {"files": [video(1, codec="libvpx-vp9", container="webm")]})
    [medium] = media_of(case_a1)
    assert medium.file.name.endswith(".webm")


def test_six_minute_video_is_refused_with_a_message(client_admin_a, case_a1, settings):
    response = client_admin_a.post(upload_url(case_a1), {"files": [video(360)]}, follow=True)
    assert media_of(case_a1) == []
    assert stored_files(settings) == []
    errors = [str(m) for m in response.context["messages"]]
    assert errors == [
        "clip.mp4: Das Video ist 6:00 Minuten lang; dieses Autohaus nimmt Videos von höchstens 5:00 Minuten an."
    ]


def test_dealership_limit_per_video_applies(client_admin_a, case_a1):
    set_limits(case_a1, max_video_seconds=60)
    response = client_admin_a.post(upload_url(case_a1), {"files": [video(90)]}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "1:00" in response.json()["errors"][0]
    set_limits(case_a1, max_video_seconds=120)
    client_admin_a.post(upload_url(case_a1), {"files": [video(90)]})
    assert len(media_of(case_a1)) == 1


def test_total_video_per_case_is_limited(client_admin_a, case_a1):
    set_limits(case_a1, max_case_video_seconds=200)
    client_admin_a.post(upload_url(case_a1), {"files": [video(120)]})
    response = client_admin_a.post(upload_url(case_a1), {"files": [video(90)]}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "2:00" in response.json()["errors"][0] and "3:20" in response.json()["errors"][0]
    assert [m.duration_seconds for m in media_of(case_a1)] == [120]


def test_photo_limit_per_dealership(client_admin_a, case_a1):
    set_limits(case_a1, max_photos=2)
    response = client_admin_a.post(
        upload_url(case_a1), {"files": [photo(), photo(), photo("drei.png")]}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "saved": 2,
        "errors": ["drei.png: Dieses Autohaus erlaubt höchstens 2 Fotos je Vorgang."],
    }
    assert len(media_of(case_a1)) == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 200, "beschädigt"),  # an MP4 header and nothing behind it
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 100, "beschädigt"),
        (b"just text, named like a video", "weder ein unterstütztes Foto"),
    ],
)
def test_broken_or_disguised_videos_are_refused(client_admin_a, case_a1, content, expected, settings):
    fake = io.BytesIO(content)
    fake.name = "film.mp4"
    response = client_admin_a.post(upload_url(case_a1), {"files": [fake]}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert expected in response.json()["errors"][0]
    assert media_of(case_a1) == [] and stored_files(settings) == []


def test_video_with_a_codec_browsers_do_not_play_is_refused(client_admin_a, case_a1):
    response = client_admin_a.post(
        upload_url(case_a1), {"files": [video(1, codec="mpeg4")]}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert "kein unterstütztes Video" in response.json()["errors"][0]


def test_public_flag_and_order(client_admin_a, case_a1):
    client_admin_a.post(upload_url(case_a1), {"files": [photo("a.png"), photo("b.png"), photo("c.png")]})
    a, b, c = media_of(case_a1)
    slug = case_a1.organization.slug
    client_admin_a.post(reverse("fleetback:medium_public", args=[slug, case_a1.pk, b.pk]), {"is_public": "1"})
    assert [m.is_public for m in media_of(case_a1)] == [False, True, False]
    # keyboard way: the arrow buttons
    client_admin_a.post(reverse("fleetback:medium_move", args=[slug, case_a1.pk, c.pk]), {"direction": "up"})
    assert [m.original_name for m in media_of(case_a1)] == ["a.png", "c.png", "b.png"]
    # drag and drop: the whole order at once
    response = client_admin_a.post(
        reverse("fleetback:media_reorder", args=[slug, case_a1.pk]),
        {"order": f"{b.pk},{a.pk},{c.pk}"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert [m.original_name for m in media_of(case_a1)] == ["b.png", "a.png", "c.png"]
    stale = client_admin_a.post(
        reverse("fleetback:media_reorder", args=[slug, case_a1.pk]),
        {"order": f"{b.pk},{a.pk}"},
        headers={"Accept": "application/json"},
    )
    assert stale.status_code == 400
    assert [m.original_name for m in media_of(case_a1)] == ["b.png", "a.png", "c.png"]


def test_reorder_with_garbage_is_a_message_not_a_500(client_admin_a, case_a1):
    slug = case_a1.organization.slug
    response = client_admin_a.post(reverse("fleetback:media_reorder", args=[slug, case_a1.pk]), {"order": "1,x,;"})
    assert response.status_code == 302


def test_removing_a_medium_removes_its_files(client_admin_a, case_a1, settings):
    client_admin_a.post(upload_url(case_a1), {"files": [photo()]})
    [medium] = media_of(case_a1)
    assert len(stored_files(settings)) == 2
    slug = case_a1.organization.slug
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_admin_a.post(reverse("fleetback:medium_delete", args=[slug, case_a1.pk, medium.pk]))
    assert media_of(case_a1) == [] and stored_files(settings) == []


def test_media_are_locked_once_the_case_is_sent(client_admin_a, case_a1):
    client_admin_a.post(upload_url(case_a1), {"files": [photo()]})
    with scope(organization=case_a1.organization_id):
        sending.case_send(actor=admin_of(case_a1), case=case_a1, channel="link", base_url="http://t/")
    response = client_admin_a.post(upload_url(case_a1), {"files": [photo()]}, follow=True)
    assert len(media_of(case_a1)) == 1
    assert "kann nicht mehr geändert werden" in " ".join(str(m) for m in response.context["messages"])
    page = client_admin_a.get(reverse("fleetback:detail", args=[case_a1.organization.slug, case_a1.pk]))
    assert 'data-testid="media-upload"' not in page.content.decode()
    [medium] = media_of(case_a1)
    slug = case_a1.organization.slug
    client_admin_a.post(reverse("fleetback:medium_public", args=[slug, case_a1.pk, medium.pk]), {"is_public": "1"})
    assert media_of(case_a1)[0].is_public is False


def test_case_delete_removes_media_files(client_admin_a, case_a1, settings):
    client_admin_a.post(upload_url(case_a1), {"files": [photo(), video(1)]})
    assert len(stored_files(settings)) == 4
    with scope(organization=case_a1.organization_id):
        from fleetback.services.cases import case_close, case_delete

        case_close(actor=admin_of(case_a1), case=case_a1)
        with TestCase.captureOnCommitCallbacks(execute=True):
            case_delete(actor=admin_of(case_a1), case=Case.objects.get(pk=case_a1.pk), confirm=True)
    assert stored_files(settings) == []


def test_auditor_sees_media_but_cannot_upload(client_admin_a, case_a1, auditor_a):
    from tests.conftest import client_for

    client_admin_a.post(upload_url(case_a1), {"files": [photo()]})
    [medium] = media_of(case_a1)
    auditor = client_for(auditor_a)
    slug = case_a1.organization.slug
    assert auditor.get(reverse("fleetback:medium_file", args=[slug, case_a1.pk, medium.pk])).status_code == 200
    assert auditor.post(upload_url(case_a1), {"files": [photo()]}).status_code == 403
    page = auditor.get(reverse("fleetback:detail", args=[slug, case_a1.pk])).content.decode()
    assert 'data-testid="media-upload"' not in page and 'data-testid="medium"' in page


def test_print_pdf_shows_the_photos(client_admin_a, case_a1, tmp_path):
    import subprocess

    client_admin_a.post(upload_url(case_a1), {"files": [photo(), photo()]})
    response = client_admin_a.get(reverse("fleetback:pdf", args=[case_a1.organization.slug, case_a1.pk]))
    path = tmp_path / "case.pdf"
    path.write_bytes(response.content)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert len(listing.strip().splitlines()) - 2 == 2


def test_media_limits_page(client_admin_a, org_a, station_a1):
    url = reverse("fleetback:media_limits_edit", args=[org_a.slug, station_a1.pk])
    assert client_admin_a.get(reverse("fleetback:media_limits", args=[org_a.slug])).status_code == 200
    bad = client_admin_a.post(url, {"max_photos": "-1", "max_video_minutes": "x", "max_case_video_minutes": "9999"})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"max_photos", "max_video_minutes", "max_case_video_minutes"}
    ok = client_admin_a.post(url, {"max_photos": "10", "max_video_minutes": "2", "max_case_video_minutes": "4"})
    assert ok.status_code == 302
    with scope(organization=org_a):
        limits = media_services.limits_for(station=station_a1)
    assert (limits.max_photos, limits.max_video_seconds, limits.max_case_video_seconds) == (10, 120, 240)


def test_case_page_and_customer_page_queries_do_not_grow_with_media(client, client_admin_a, case_a1):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    slug = case_a1.organization.slug
    detail = reverse("fleetback:detail", args=[slug, case_a1.pk])
    client_admin_a.post(upload_url(case_a1), {"files": [photo()], "is_public": "on"})
    with scope(organization=case_a1.organization_id):
        [recipient] = sending.case_send(actor=admin_of(case_a1), case=case_a1, channel="link", base_url="http://t/")
    public = reverse("fleetback_public:page", args=[recipient.token])
    client.get(public)  # the first opening records "read"; count the visits after it
    counts = []
    for _round in range(2):
        with CaptureQueriesContext(connection) as staff:
            assert client_admin_a.get(detail).status_code == 200
        with CaptureQueriesContext(connection) as customer:
            assert client.get(public).status_code == 200
        counts.append((len(staff), len(customer)))
        with scope(organization=case_a1.organization_id):
            first = Medium.objects.filter(case=case_a1).first()
            for position in range(1, 6):  # five more, straight as rows: the case is locked now
                Medium.objects.create(
                    organization_id=case_a1.organization_id,
                    case=case_a1,
                    kind="photo",
                    file=first.file.name,
                    poster=first.poster.name,
                    position=position,
                )
    assert counts[0] == counts[1]
