"""Deleting a single photo of a vehicle, damage or condition record: asked first, access-checked."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from rentoffice.images import process_image
from tests.actors import admin_of, membership_of
from tests.conftest import client_for, data_helper, in_scope, make_member
from vehicles.models import ConditionPhoto, Damage, DamagePhoto, VehiclePhoto
from vehicles.services import condition_record_create, damage_create, vehicle_photos_add

from .conftest import jpeg_upload

pytestmark = pytest.mark.django_db


def url(name, org, **kwargs):
    return reverse(f"vehicles:{name}", kwargs={"org_slug": org.slug, **kwargs})


@data_helper
def _photos(vehicle, actor=None):
    """One photo of each kind on the vehicle: (kind, photo, page that shows it)."""
    image = process_image(jpeg_upload())
    actor = membership_of(actor, vehicle) if actor else admin_of(vehicle)
    vehicle_photo = vehicle_photos_add(vehicle=vehicle, actor=actor, photos=[image])[0]
    damage = damage_create(
        vehicle=vehicle,
        actor=actor,
        damage=Damage(area="left", description="Kratzer"),
        photos=[image, image],
    )
    record = condition_record_create(vehicle=vehicle, actor=actor, photos=[image, image], note="")
    org = vehicle.organization
    return [
        ("vehicle", vehicle_photo, url("detail", org, pk=vehicle.pk)),
        ("damage", damage.photos.first(), url("damage_detail", org, pk=damage.pk)),
        ("condition", record.photos.first(), url("condition_detail", org, pk=record.pk)),
    ]


@in_scope()
def test_staff_delete_a_photo_after_confirming(
    client_staff_a1, org_a, vehicle_a1, staff_a1, django_capture_on_commit_callbacks
):
    for kind, photo, page_url in _photos(vehicle_a1, staff_a1):
        delete_url = url(f"{kind}_photo_delete", org_a, pk=photo.pk)
        page = client_staff_a1.get(page_url).content.decode()
        assert delete_url in page  # a delete button on every photo
        confirm = client_staff_a1.get(delete_url)
        assert confirm.status_code == 200
        assert url(f"{kind}_photo_thumb", org_a, pk=photo.pk) in confirm.content.decode()
        assert type(photo).objects.filter(pk=photo.pk).exists()  # asking deletes nothing
        files = [photo.image.name, photo.thumbnail.name]
        assert all(default_storage.exists(name) for name in files)
        with django_capture_on_commit_callbacks(execute=True):
            response = client_staff_a1.post(delete_url)
        assert response.status_code == 302 and response.url.split("#")[0] == page_url
        assert not type(photo).objects.filter(pk=photo.pk).exists()
        assert not any(default_storage.exists(name) for name in files)
        assert client_staff_a1.get(url(f"{kind}_photo", org_a, pk=photo.pk)).status_code == 404
    assert DamagePhoto.objects.count() == 1 and ConditionPhoto.objects.count() == 1


@in_scope()
def test_outsiders_and_other_stations_get_404(client_admin_b, client_staff_a2, org_a, org_b, vehicle_a1):
    for kind, photo, _page in _photos(vehicle_a1):
        for client, orgs in ((client_admin_b, (org_a, org_b)), (client_staff_a2, (org_a,))):
            for org in orgs:
                delete_url = url(f"{kind}_photo_delete", org, pk=photo.pk)
                assert client.get(delete_url).status_code == 404, (kind, org)
                assert client.post(delete_url).status_code == 404, (kind, org)
        assert type(photo).objects.filter(pk=photo.pk).exists()


@in_scope()
def test_viewers_cannot_delete(org_a, vehicle_a1):
    auditor = make_member(org_a, "auditor@a.example", role_key="auditor")
    client = client_for(auditor)
    for kind, photo, page_url in _photos(vehicle_a1):
        assert url(f"{kind}_photo_delete", org_a, pk=photo.pk) not in client.get(page_url).content.decode()
        assert client.post(url(f"{kind}_photo_delete", org_a, pk=photo.pk)).status_code == 403
        assert type(photo).objects.filter(pk=photo.pk).exists()


@in_scope()
def test_a_condition_record_keeps_a_photo_or_a_note(client_staff_a1, org_a, vehicle_a1):
    record = condition_record_create(
        vehicle=vehicle_a1, actor=admin_of(vehicle_a1), photos=[process_image(jpeg_upload())], note=""
    )
    photo = record.photos.get()
    client_staff_a1.cookies["django_language"] = "en"
    response = client_staff_a1.post(url("condition_photo_delete", org_a, pk=photo.pk), follow=True)
    assert "only photo" in response.content.decode()
    assert ConditionPhoto.objects.filter(pk=photo.pk).exists()
    record.note = "Sauber"
    record.save()
    assert client_staff_a1.post(url("condition_photo_delete", org_a, pk=photo.pk)).status_code == 302
    assert not record.photos.exists()


@in_scope()
def test_unknown_photo_kinds_and_ids_are_404(client_admin_a, org_a, vehicle_a1):
    photo = vehicle_photos_add(vehicle=vehicle_a1, actor=admin_of(vehicle_a1), photos=[process_image(jpeg_upload())])[0]
    # A vehicle photo's id under the damage kind is another table: not found, nothing deleted.
    assert client_admin_a.post(url("damage_photo_delete", org_a, pk=photo.pk)).status_code == 404
    assert VehiclePhoto.objects.filter(pk=photo.pk).exists()
