"""Bad input on every customers URL: a field error or a 4xx, never a 500 and never a half-written record."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import AccessCard, Customer, CustomerAccount, CustomerDocument, LicenceEscalation
from rentoffice.models import OutboundMessage
from tests.actors import membership_of
from tests.conftest import in_scope

from .test_access_documents_portal import _all_customer_urls, objects_a  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

HUGE = "x" * 100_000
GARBAGE = [
    {},
    {"c-kind": "nonsense", "c-last_name": HUGE, "c-email": "not-an-email", "cards-TOTAL_FORMS": "abc"},
    {
        "c-last_name": "A\x00B",
        "q": "\x00",
        "email": "\x00@x",
        "reason": HUGE,
        "end_date": "31.02.2026",
        "valid_until": "9999-99-99",
        "take": ["number", "organization", "id", "nope"],
        "template": "¹²",
        "doc_type": "evil",
        "note": HUGE,
        "purpose": "nowhere",
        "reply_to": "x",
        "subject": HUGE,
        "documents": ["abc", "999999999999999999999"],
        "doc_templates": ["-1"],
        "password1": "a",
        "password2": "b",
        "additional_parallel_bookings": "99999999999",
        "licence_escalation_days": "1,,x",
        "inactivity_months": "-5",
        "name": HUGE,
        "body_html": "{",
        "load": "1",
    },
    {
        "cards-TOTAL_FORMS": "5000",
        "cards-INITIAL_FORMS": "0",
        "c-licence_check_interval_months": "70000",
        "c-additional_parallel_bookings": "-1",
        "c-date_of_birth": "0000-00-00",
        "c-main_customer": "999999999999",
    },
]
QUERY_GARBAGE = ["\x00", HUGE, "%", "_", "' OR 1=1 --", "99999999999999999999999", "²³", "()"]


def _counts():
    return (
        Customer.objects.count(),
        AccessCard.objects.count(),
        CustomerDocument.objects.count(),
        CustomerAccount.objects.count(),
        OutboundMessage.objects.count(),
        LicenceEscalation.objects.count(),
    )


# Actions that need no input at all: garbage cannot make them fail, so only "no 500" is checked.
NO_INPUT_ACTIONS = {
    "copy",
    "delete",
    "merge",
    "licence_checked",
    "document_delete",
    "account_delete",
    "account_resend",
    "account_reset",
}


def _hammer(client, name, address):
    for data in GARBAGE:
        response = client.post(address, data)
        assert response.status_code < 500, (name, list(data))
    for q in QUERY_GARBAGE:
        response = client.get(
            address,
            {
                "q": q,
                "page": q,
                "group": q,
                "blocked": q,
                "licence": q,
                "customer": q,
                "partial": "1",
                "all": "1",
                "cards-0-number": q,
            },
        )
        assert response.status_code < 500, (name, q[:20])


@in_scope()
def test_garbage_posts_and_queries_never_500(client_admin_a, org_a, objects_a):  # noqa: F811
    urls = list(_all_customer_urls(org_a, objects_a))
    before = _counts()
    for name, address in urls:
        if name not in NO_INPUT_ACTIONS:
            _hammer(client_admin_a, name, address)
    assert _counts() == before
    for name, address in urls:
        if name in NO_INPUT_ACTIONS:
            _hammer(client_admin_a, name, address)


@in_scope()
def test_garbage_upload_is_refused_with_a_message(client_admin_a, org_a, customer_a):
    address = reverse("customers:document_upload", kwargs={"org_slug": org_a.slug, "pk": customer_a.pk})
    response = client_admin_a.post(
        address, {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4"), "doc_type": "evil", "note": "n"}, follow=True
    )
    assert response.status_code == 200
    assert "evil" in response.content.decode()  # the choice error names the bad value
    assert not CustomerDocument.objects.filter(customer=customer_a).exists()


@in_scope()
def test_invitation_with_a_broken_address_is_refused(client_admin_a, org_a, customer_a):
    address = reverse("customers:account_invite", kwargs={"org_slug": org_a.slug, "pk": customer_a.pk})
    for email in ("not-an-address", "a\x00b@example.com", "x" * 300 + "@example.com"):
        response = client_admin_a.post(address, {"email": email}, follow=True)
        assert response.status_code == 200
    assert not CustomerAccount.objects.filter(customer=customer_a).exists()
    assert not OutboundMessage.objects.exists()


def test_portal_set_password_with_garbage_token(client):
    for token in ("x", "\x00", "a" * 5000):
        response = client.post(f"/portal/set-password/{token}/", {"password1": "a", "password2": "a"})
        assert response.status_code == 404


def test_download_of_a_lost_file_is_404(client_admin_a, org_a, customer_a, admin_a):
    from django.core.files.storage import default_storage

    from customers.services.documents import document_upload

    doc = document_upload(
        customer=customer_a,
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"),
        doc_type="other",
        note="",
        actor=membership_of(admin_a, customer_a),
    )
    default_storage.delete(doc.file.name)
    address = reverse(
        "customers:document_download", kwargs={"org_slug": org_a.slug, "pk": customer_a.pk, "doc_pk": doc.pk}
    )
    assert client_admin_a.get(address).status_code == 404
