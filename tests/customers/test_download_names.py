"""Issue 7 item 8 for the files served besides the PDF preview: a stored document's own name and the
export's name reach the browser as one safe `Content-Disposition` parameter (no header split by
CR/LF, no parameter added by a quote, umlauts kept)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django_scopes import scope

from customers.models import CustomerDocument

from .conftest import make_customer

pytestmark = pytest.mark.django_db


def test_document_download_keeps_a_hostile_name_in_one_parameter(client_admin_a, org_a):
    customer = make_customer(org_a, last_name="Müller")
    with scope(organization=org_a):
        document = CustomerDocument(
            organization=org_a,
            customer=customer,
            doc_type=CustomerDocument.Type.CORRESPONDENCE,
            original_name='Vertrag "Müller"\r\nX-Injected: 1.pdf',
            content_type="application/pdf",
            size=15,
        )
        document.file.save("vertrag.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    response = client_admin_a.get(reverse("customers:document_download", args=[org_a.slug, customer.pk, document.pk]))
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header and "X-Injected" not in response.headers
    assert header.startswith("attachment; filename*=utf-8''") and "M%C3%BCller" in header
    assert '"' not in header.removeprefix("attachment; ")


def test_export_name_is_one_parameter(client_admin_a, org_a):
    customer = make_customer(org_a, first_name="Jörg", last_name='O"Brien')
    response = client_admin_a.get(reverse("customers:export", args=[org_a.slug, customer.pk]))
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith("attachment;") and "\n" not in header
    assert header.count("filename") == 1
