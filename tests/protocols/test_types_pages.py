"""The protocol type editor and settings pages: list, create, edit with ordered registers and the
rules beside the form, built-ins not deletable, settings; errors on the form, outsiders 404."""

import pytest
from django.urls import reverse
from django_scopes import scope

from protocols.models import ProtocolSettings, ProtocolType, Register

pytestmark = pytest.mark.django_db
R = Register
ORG = "org-a"


def url(name, **kwargs):
    return reverse(f"protocols:{name}", kwargs={"org_slug": ORG, **kwargs})


def form_data(name="Langzeit-Meldung", kind="interim", registers=(R.LONG_TERM, R.DAMAGE, R.DISPATCH), **extra):
    data = {"name": name, "kind": kind, "active": "on", **extra}
    for position, register in enumerate(registers, start=1):
        data[f"use_{register}"] = "on"
        data[f"pos_{register}"] = str(position)
    return data


def types_of(org):
    with scope(organization=org):
        return {t.name: t for t in ProtocolType.objects.filter(organization=org)}


def test_the_list_shows_the_builtins_with_their_registers_in_order(client_admin_a, org_a):
    response = client_admin_a.get(url("type_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Übergabe" in text and "Rücknahme" in text
    assert text.index("1. Kilometer und Tank") < text.index("7. Versand")


def test_a_new_type_is_created_with_registers_in_the_given_order(client_admin_a, org_a):
    data = form_data(registers=())
    data.update({"use_notes": "on", "pos_notes": "1", "use_damage": "on", "pos_damage": "2"})
    data.update({"use_long_term": "on", "pos_long_term": "3", "use_dispatch": "on", "pos_dispatch": "8"})
    response = client_admin_a.post(url("type_create"), data)
    assert response.status_code == 302
    created = types_of(org_a)["Langzeit-Meldung"]
    assert created.registers == [R.NOTES, R.DAMAGE, R.LONG_TERM, R.DISPATCH]
    assert created.kind == "interim" and not created.builtin


def test_broken_rules_are_shown_beside_the_registers_and_nothing_is_saved(client_admin_a, org_a):
    data = form_data(kind="check_out", registers=(R.DISPATCH, R.NOTES))
    response = client_admin_a.post(url("type_create"), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="register-errors"' in text
    assert "Der Versand muss das letzte Register sein" in text
    assert "braucht das Register Kilometer und Tank" in text
    # the rules are explained next to the form
    assert "Die eingebauten Typen Übergabe und Rücknahme können angepasst, aber nicht gelöscht werden." in text
    assert "Langzeit-Meldung" not in types_of(org_a)


@pytest.mark.parametrize(
    "bad",
    [
        {"pos_notes": "abc"},
        {"pos_notes": "99"},
        {"kind": "everything"},
        {"name": ""},
        {"name": "Übergabe"},
        {"name": "x" * 101},
    ],
)
def test_bad_input_is_a_field_error_never_a_500(client_admin_a, org_a, bad):
    data = {**form_data(registers=(R.NOTES, R.DISPATCH)), "use_notes": "on", **bad}
    response = client_admin_a.post(url("type_create"), data)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert set(types_of(org_a)) == {"Übergabe", "Rücknahme"}


def test_a_builtin_type_can_be_adapted_but_keeps_its_kind(client_admin_a, org_a):
    check_out = types_of(org_a)["Übergabe"]
    registers = (R.SIGNATURE, R.KM_FUEL, R.CONDITION, R.DISPATCH)
    response = client_admin_a.post(
        url("type_edit", pk=check_out.pk), form_data(name="Fahrzeugübergabe", kind="interim", registers=registers)
    )
    assert response.status_code == 302
    with scope(organization=org_a):
        check_out.refresh_from_db()
    assert check_out.name == "Fahrzeugübergabe" and check_out.kind == "check_out"
    assert check_out.registers == list(registers) and check_out.active


def test_a_refused_edit_keeps_the_stored_name_in_the_heading(client_admin_a, org_a):
    check_out = types_of(org_a)["Übergabe"]
    response = client_admin_a.post(
        url("type_edit", pk=check_out.pk), form_data(name="Neu", kind="check_out", registers=(R.NOTES, R.DISPATCH))
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert '<li class="breadcrumb-item active" aria-current="page">Übergabe</li>' in text
    with scope(organization=org_a):
        check_out.refresh_from_db()
    assert check_out.name == "Übergabe"


def test_builtins_offer_no_delete_and_a_forged_delete_is_refused(client_admin_a, org_a):
    check_in = types_of(org_a)["Rücknahme"]
    page = client_admin_a.get(url("type_edit", pk=check_in.pk)).content.decode()
    assert 'data-testid="delete-type"' not in page
    response = client_admin_a.post(url("type_delete", pk=check_in.pk), follow=True)
    assert "kann angepasst, aber nicht gelöscht werden" in response.content.decode()
    assert "Rücknahme" in types_of(org_a)


def test_a_custom_type_is_deleted(client_admin_a, org_a):
    client_admin_a.post(url("type_create"), form_data())
    custom = types_of(org_a)["Langzeit-Meldung"]
    assert 'data-testid="delete-type"' in client_admin_a.get(url("type_edit", pk=custom.pk)).content.decode()
    response = client_admin_a.post(url("type_delete", pk=custom.pk))
    assert response.status_code == 302
    assert "Langzeit-Meldung" not in types_of(org_a)
    assert client_admin_a.get(url("type_delete", pk=custom.pk)).status_code in (404, 405)


def test_settings_page_switches_signatures_and_explains_a_refusal(client_admin_a, org_a):
    response = client_admin_a.post(url("settings"), {})
    assert response.status_code == 302
    with scope(organization=org_a):
        assert ProtocolSettings.objects.get(organization=org_a).signatures_required is False
    check_out = types_of(org_a)["Übergabe"]
    client_admin_a.post(
        url("type_edit", pk=check_out.pk),
        form_data(name="Übergabe", kind="check_out", registers=(R.KM_FUEL, R.DISPATCH)),
    )
    response = client_admin_a.post(url("settings"), {"signatures_required": "on"})
    assert response.status_code == 200
    assert "kein Unterschriften-Register: Übergabe" in response.content.decode()
    with scope(organization=org_a):
        assert ProtocolSettings.objects.get(organization=org_a).signatures_required is False


def test_members_without_the_right_get_403_and_outsiders_404(client_staff_a1, client_admin_b, org_a, org_b):
    check_out = types_of(org_a)["Übergabe"]
    for name, kwargs in (("type_list", {}), ("type_create", {}), ("settings", {}), ("type_edit", {"pk": check_out.pk})):
        assert client_staff_a1.get(url(name, **kwargs)).status_code == 403
    other = types_of(org_b)["Übergabe"]
    # admin of B on B's own pages sees B's types; an id of organization A is 404 there
    b_url = reverse("protocols:type_edit", kwargs={"org_slug": "org-b", "pk": check_out.pk})
    assert client_admin_b.get(b_url).status_code == 404
    b_delete = reverse("protocols:type_delete", kwargs={"org_slug": "org-b", "pk": check_out.pk})
    assert client_admin_b.post(b_delete).status_code == 404
    assert client_admin_b.get(url("type_list")).status_code == 404
    assert other.pk != check_out.pk


def test_moving_a_register_to_a_taken_position_puts_it_there(client_admin_a, org_a):
    check_out = types_of(org_a)["Übergabe"]
    data = form_data(name="Übergabe", kind="check_out", registers=check_out.registers)
    data["pos_notes"] = "1"  # km and fuel keeps its position 1
    assert client_admin_a.post(url("type_edit", pk=check_out.pk), data).status_code == 302
    with scope(organization=org_a):
        check_out.refresh_from_db()
    assert check_out.registers[:2] == [R.NOTES, R.KM_FUEL]
