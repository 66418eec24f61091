import io

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope

from rentoffice.models import Membership, Organization, Role

pytestmark = pytest.mark.django_db


def test_create_organization_with_its_first_admin():
    call_command(
        "create_organization",
        "--name",
        "Autohaus Süd",
        "--slug",
        "sued",
        "--operator-code",
        "sued",
        "--admin-email",
        "Chefin@Sued.example",
        "--admin-name",
        "Chefin",
        "--admin-password",
        "Sehr-Geheim-2026!",
    )
    org = Organization.objects.get(slug="sued")
    assert org.operator_code == "SUED"
    with scope(organization=org):
        membership = Membership.objects.get()
        assert membership.user.email == "chefin@sued.example"
        assert membership.user.check_password("Sehr-Geheim-2026!")
        assert membership.role.key == "administrator"
        assert Role.objects.count() == 7


def test_create_organization_refuses_a_taken_operator_code():
    call_command(
        "create_organization",
        "--name",
        "A",
        "--slug",
        "a",
        "--operator-code",
        "DUP",
        "--admin-email",
        "a@a.example",
        "--admin-name",
        "A",
    )
    with pytest.raises(CommandError):
        call_command(
            "create_organization",
            "--name",
            "B",
            "--slug",
            "b",
            "--operator-code",
            "dup",
            "--admin-email",
            "b@b.example",
            "--admin-name",
            "B",
        )
    assert not Organization.objects.filter(slug="b").exists()


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = {m._meta.label: m._base_manager.count() for m in (Organization, Membership, Role)}
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == {m._meta.label: m._base_manager.count() for m in (Organization, Membership, Role)}
    assert set(Organization.objects.values_list("operator_code", flat=True)) >= {"KOENIG", "NORD"}


def test_create_organization_validates_e_mail_and_password():
    for email, password in (("not-an-email", "Sehr-Geheim-2026!"), ("ok@example.com", "123")):
        with pytest.raises(CommandError):
            call_command(
                "create_organization",
                "--name",
                "X",
                "--slug",
                "x",
                "--operator-code",
                "X",
                "--admin-email",
                email,
                "--admin-name",
                "X",
                "--admin-password",
                password,
            )
    assert not Organization.objects.filter(slug="x").exists()
