"""Editors of predefined messages and default texts per mode and language (`cases.configure`)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_scopes import scope

from fleetback.models import Case, PredefinedMessage
from fleetback.services import texts
from tests.actors import membership_of
from tests.conftest import client_for, make_member

from .helpers import brand_of
from .test_pages import editor_data

pytestmark = pytest.mark.django_db


def _messages(org):
    with scope(organization=org):
        return sorted(
            PredefinedMessage.objects.filter(organization=org).values_list(
                "mode", "language", "title", "text", "is_default"
            )
        )


def test_predefined_message_is_created_edited_and_deleted(client_admin_a, org_a):
    create = reverse("fleetback:message_create", args=[org_a.slug])
    data = {"mode": "sales", "language": "fr", "title": "Reprise", "text": "Bonjour, voici notre offre."}
    assert client_admin_a.post(create, data).status_code == 302
    assert _messages(org_a) == [("sales", "fr", "Reprise", "Bonjour, voici notre offre.", False)]
    with scope(organization=org_a):
        message = PredefinedMessage.objects.get(organization=org_a)
    listing = client_admin_a.get(reverse("fleetback:messages", args=[org_a.slug])).content.decode()
    assert "Reprise" in listing and "Français" in listing
    edit = reverse("fleetback:message_edit", args=[org_a.slug, message.pk])
    assert client_admin_a.post(edit, {**data, "title": "Offre"}).status_code == 302
    assert _messages(org_a)[0][2] == "Offre"
    delete = reverse("fleetback:message_delete", args=[org_a.slug, message.pk])
    assert client_admin_a.get(delete).status_code == 405
    assert client_admin_a.post(delete).status_code == 302
    assert _messages(org_a) == []


def test_marking_a_default_replaces_the_previous_one_of_that_mode_and_language(client_admin_a, org_a):
    create = reverse("fleetback:message_create", args=[org_a.slug])
    base = {"mode": "after_sales", "language": "de", "text": "Guten Tag"}
    client_admin_a.post(create, {**base, "title": "Alt", "is_default": "on"})
    client_admin_a.post(create, {**base, "language": "en", "title": "Old EN", "is_default": "on"})
    client_admin_a.post(create, {**base, "mode": "sales", "title": "Verkauf", "is_default": "on"})
    client_admin_a.post(create, {**base, "title": "Neu", "is_default": "on"})
    defaults = [(mode, lang, title) for mode, lang, title, _t, default in _messages(org_a) if default]
    assert sorted(defaults) == [
        ("after_sales", "de", "Neu"),
        ("after_sales", "en", "Old EN"),
        ("sales", "de", "Verkauf"),
    ]
    assert ("after_sales", "de", "Alt", "Guten Tag", False) in _messages(org_a)  # kept, no longer default


def test_bad_input_is_a_field_error_and_writes_nothing(client_admin_a, org_a):
    create = reverse("fleetback:message_create", args=[org_a.slug])
    good = {"mode": "after_sales", "language": "de", "title": "T", "text": "Text"}
    for bad in (
        {"title": ""},
        {"text": "   "},
        {"title": "x" * 101},
        {"language": "xx"},
        {"mode": "rental"},
    ):
        response = client_admin_a.post(create, {**good, **bad})
        assert response.status_code == 200 and response.context["form"].errors, bad
    assert _messages(org_a) == []


def test_default_texts_per_language_fill_new_cases_in_the_customers_language(client_admin_a, org_a, station_a1):
    url = reverse("fleetback:default_texts_after_sales", args=[org_a.slug])
    response = client_admin_a.post(url, {"de": "Guten Tag, anbei Ihr Angebot.", "en": "Hello, here is your quote."})
    assert response.status_code == 302
    assert [(lang, text) for _m, lang, _title, text, default in _messages(org_a) if default] == [
        ("de", "Guten Tag, anbei Ihr Angebot."),
        ("en", "Hello, here is your quote."),
    ]
    form = client_admin_a.get(url).context["form"]
    assert form["en"].value() == "Hello, here is your quote." and form["fr"].value() in (None, "")
    # A new case with an empty message gets the default text of the contact's language.
    brand = brand_of(station_a1)
    create = reverse("fleetback:create_after_sales", args=[org_a.slug])
    for language, reference in (("en", "RO-EN"), ("fr", "RO-FR")):
        data = editor_data(station_a1, brand, [], reference=reference, contact_language=language, message="")
        assert client_admin_a.post(create, data).status_code == 302
    with scope(organization=org_a):
        assert Case.objects.get(reference="RO-EN").message == "Hello, here is your quote."
        assert Case.objects.get(reference="RO-FR").message == ""  # no default text in French
    # Emptying a language ends its default (the message stays to be picked).
    client_admin_a.post(url, {"de": "Guten Tag, anbei Ihr Angebot.", "en": ""})
    assert [(lang, default) for _m, lang, _t, _x, default in _messages(org_a)] == [("de", True), ("en", False)]


def test_only_configurers_reach_the_editors(org_a, org_b, station_a1, back_office_a, admin_b):
    with scope(organization=org_a):
        message = texts.predefined_message_save(
            actor=membership_of(make_member(org_a, "mgr@a.example", "dealer_manager"), org_a),
            message=PredefinedMessage(mode="after_sales", language="de", title="T", text="Text"),
        )
    office = client_for(back_office_a)
    for name, args in (
        ("fleetback:messages", []),
        ("fleetback:message_create", []),
        ("fleetback:message_edit", [message.pk]),
        ("fleetback:default_texts_after_sales", []),
    ):
        assert office.get(reverse(name, args=[org_a.slug, *args])).status_code == 403, name
    with scope(organization=org_a), pytest.raises(PermissionDenied):
        texts.default_texts_save(actor=membership_of(back_office_a, org_a), mode="after_sales", texts={"de": "x"})
    with scope(organization=org_a), pytest.raises(PermissionDenied):
        texts.predefined_message_delete(actor=membership_of(back_office_a, org_a), message=message)
    outsider = client_for(admin_b)
    for name in ("fleetback:message_edit", "fleetback:message_delete"):
        assert outsider.get(reverse(name, args=[org_b.slug, message.pk])).status_code == 404
        assert outsider.post(reverse(name, args=[org_b.slug, message.pk])).status_code == 404
    assert _messages(org_a) == [("after_sales", "de", "T", "Text", False)]


def test_sales_only_staff_cannot_configure_after_sales_texts(org_a):
    # A sales manager: configures, but only the sales mode (cases.sales_only).
    with scope(organization=org_a):
        from rentoffice.models import Role

        role = Role.objects.get(organization=org_a, key="sales")
        role.permissions = sorted({*role.permissions, "cases.configure"})
        role.save()
    seller = membership_of(make_member(org_a, "seller@a.example", "sales"), org_a)
    with scope(organization=org_a):
        with pytest.raises(PermissionDenied):
            texts.default_texts_save(actor=seller, mode="after_sales", texts={"de": "x"})
        texts.default_texts_save(actor=seller, mode="sales", texts={"de": "Verkauf"})
    client = client_for(seller.user)
    assert client.get(reverse("fleetback:default_texts_after_sales", args=[org_a.slug])).status_code == 403
    form = client.get(reverse("fleetback:message_create", args=[org_a.slug])).context["form"]
    assert [value for value, _label in form.fields["mode"].choices] == ["sales"]
