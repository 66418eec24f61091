"""Replacing the organization's logo (issue 8 §4): the old file goes only once the new settings are stored."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django_scopes import scope
from PIL import Image

from rentoffice import services
from rentoffice.images import process_image
from rentoffice.models import Organization
from tests.actors import admin_of

pytestmark = pytest.mark.django_db


def _logo(color: str):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), color).save(buffer, format="PNG")
    return process_image(SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png"))


def _with_logo(org):
    with scope(organization=org):
        services.organization_settings_save(actor=admin_of(org), organization=org, logo=_logo("navy"))
    org.refresh_from_db()
    assert default_storage.exists(org.logo.name)
    return org.logo.name


def test_a_new_logo_replaces_the_old_one_after_commit(org_a, django_capture_on_commit_callbacks):
    old = _with_logo(org_a)
    with django_capture_on_commit_callbacks(execute=True), scope(organization=org_a):
        services.organization_settings_save(actor=admin_of(org_a), organization=org_a, logo=_logo("red"))
    org_a.refresh_from_db()
    assert org_a.logo.name != old and default_storage.exists(org_a.logo.name)
    assert not default_storage.exists(old)


@pytest.fixture
def city_refused():
    """The database refuses the city "Nirgendwo" (a constraint added for the test, removed after it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE rentoffice_organization ADD CONSTRAINT test_refuses_city CHECK (city <> 'Nirgendwo')"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE rentoffice_organization DROP CONSTRAINT IF EXISTS test_refuses_city")


@pytest.mark.django_db(transaction=True)
def test_a_failed_save_keeps_the_logo(org_a, city_refused):
    """Requests are not atomic: outside a transaction `on_commit` runs at once. The database refuses
    the new settings, so the stored row still names the old logo and its file must still be there;
    the new file is not left behind either."""
    old = _with_logo(org_a)
    org_a.city = "Nirgendwo"
    with scope(organization=org_a), pytest.raises(IntegrityError):
        services.organization_settings_save(actor=admin_of(org_a), organization=org_a, logo=_logo("red"))
    assert Organization.objects.get(pk=org_a.pk).logo.name == old
    assert default_storage.exists(old)
    assert org_a.logo.name == old  # the instance does not point to a file that is gone either
    assert default_storage.listdir("org-logos")[1] == [old.rsplit("/", 1)[1]]
