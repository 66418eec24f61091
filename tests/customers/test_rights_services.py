"""Rights enforced by the customers app's services themselves (issue 8 §1), called directly as an API would."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled

from customers.models import Customer, CustomerAttribute, CustomerDocument, DocumentTemplate
from customers.selectors import settings_for
from customers.services import (
    attribute_delete,
    customer_block,
    customer_delete,
    customer_merge,
    customer_save,
    settings_save,
)
from customers.services.documents import customer_email_send, document_upload, template_save
from customers.services.portal import account_invite
from rentoffice.models import Station
from tests.actors import admin_of, membership_of
from tests.conftest import make_member
from vehicles.models import VehicleGroup

from .conftest import make_customer

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def people(org_a, org_b):
    with scopes_disabled():
        a1 = Station.objects.create(organization=org_a, name="A1 München", code="A1")
        staff = make_member(org_a, "staff1@a.example", stations=[a1])
        auditor = make_member(org_a, "auditor@a.example", role_key="auditor")
        anna = make_customer(org_a, first_name="Anna", last_name="Muster", email="anna@example.com")
        bert = make_customer(org_a, first_name="Bert", last_name="Muster")
    return {
        "org": org_a,
        "anna": anna,
        "bert": bert,
        "staff": membership_of(staff, org_a),
        "auditor": membership_of(auditor, org_a),
        "admin": admin_of(org_a),
        "admin_b": admin_of(org_b),
    }


def test_viewers_do_not_change_customers(people):
    anna = people["anna"]
    with scope(organization=people["org"]):
        anna.city = "Übernommen"
        with pytest.raises(PermissionDenied):
            customer_save(actor=people["auditor"], customer=anna)
        with pytest.raises(PermissionDenied):
            customer_block(actor=people["auditor"], customer=anna, reason="Test")
        with pytest.raises(PermissionDenied):
            document_upload(
                actor=people["auditor"],
                customer=anna,
                upload=SimpleUploadedFile("a.pdf", PDF),
                doc_type="other",
                note="",
            )
        with pytest.raises(PermissionDenied):
            account_invite(actor=people["auditor"], customer=anna, base_url="http://testserver/")
        stored = Customer.objects.get(pk=anna.pk)
        assert stored.city == "" and not stored.is_blocked
        assert not CustomerDocument.objects.exists()


def test_deleting_and_merging_need_the_delete_permission(people):
    with scope(organization=people["org"]):
        attribute = CustomerAttribute.objects.create(organization=people["org"], name="VIP")
        with pytest.raises(PermissionDenied):
            customer_delete(actor=people["staff"], customer=people["bert"])
        with pytest.raises(PermissionDenied):
            customer_merge(actor=people["staff"], survivor=people["anna"], other=people["bert"], take_from_other=[])
        with pytest.raises(PermissionDenied):
            attribute_delete(actor=people["staff"], attribute=attribute)
        assert Customer.objects.filter(pk=people["bert"].pk).exists()
        assert CustomerAttribute.objects.filter(pk=attribute.pk).exists()


def test_other_organizations_do_not_reach_customers_or_hand_in_their_rows(people, org_b):
    anna = people["anna"]
    with scopes_disabled():
        foreign_group = VehicleGroup.objects.create(organization=org_b, name="Fremd", code="FREMD")
    with scope(organization=people["org"]):
        anna.city = "Übernommen"
        with pytest.raises(PermissionDenied):
            customer_save(actor=people["admin_b"], customer=anna)
        with pytest.raises(PermissionDenied):
            customer_save(actor=people["admin"], customer=anna, vehicle_groups=[foreign_group])
        assert not Customer.objects.get(pk=anna.pk).allowed_vehicle_groups.exists()
        assert Customer.objects.get(pk=anna.pk).city == ""


def test_an_email_attaches_only_the_customers_own_documents(people):
    with scope(organization=people["org"]):
        berts = document_upload(
            actor=people["admin"],
            customer=people["bert"],
            upload=SimpleUploadedFile("b.pdf", PDF),
            doc_type="other",
            note="",
        )
        with pytest.raises(PermissionDenied):
            customer_email_send(
                actor=people["staff"], customer=people["anna"], subject="Hallo", body="Text", documents=[berts]
            )


def test_templates_and_settings_need_their_permissions(people):
    with scope(organization=people["org"]):
        with pytest.raises(PermissionDenied):
            template_save(actor=people["staff"], template=DocumentTemplate(name="Vertrag", body_html="<p>x</p>"))
        defaults = settings_for(organization=people["org"])
        defaults.may_reserve = False
        with pytest.raises(PermissionDenied):
            settings_save(actor=people["staff"], settings_obj=defaults)
        assert not DocumentTemplate.objects.exists()
        assert settings_for(organization=people["org"]).may_reserve
