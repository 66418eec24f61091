import pytest
from django.db import transaction
from django.urls import reverse

from rentoffice.models import MessageTemplate, Role
from rentoffice.outbox import message_queue
from tests.conftest import client_for, in_scope, make_member

pytestmark = pytest.mark.django_db

CONTEXT = {"user": {"full_name": "Kim"}, "actor": {"full_name": "Anna"}, "link": "https://x/"}


def _url(org, key="staff_invitation", language="de"):
    return reverse("message_template_edit", kwargs={"org_slug": org.slug, "key": key, "language": language})


def _queue(org, language="de"):
    with transaction.atomic():
        return message_queue(
            organization=org,
            recipient="neu@example.com",
            template="staff_invitation",
            language=language,
            context=CONTEXT,
        )


def test_editor_starts_from_the_built_in_text_with_placeholders(client_admin_a, org_a):
    page = client_admin_a.get(_url(org_a)).content.decode()
    assert "{actor_name} hat Ihnen Zugang zu {organization_name}" in page
    assert "{link}" in page
    assert "blocktranslate" not in page


def test_admin_adapts_a_template_and_messages_use_it(client_admin_a, org_a):
    response = client_admin_a.post(
        _url(org_a), {"subject": "Willkommen bei {organization_name}", "body_text": "Hallo {user_name}, {link}"}
    )
    assert response.status_code == 302
    message = _queue(org_a)
    assert message.subject == "Willkommen bei Autohaus A"
    assert message.body_text.strip() == "Hallo Kim, https://x/"
    assert "Hallo Kim" in message.body_html and 'href="https://x/"' in message.body_html
    # The English version is still the built-in one.
    assert _queue(org_a, language="en").subject == "Your access to Autohaus A"


@in_scope()
def test_adapted_texts_cannot_reach_secrets_or_template_tags(client_admin_a, org_a):
    org_a.stripe_secret_key = "sk_test_geheim"
    org_a.save()
    text = "{{ organization.stripe_secret_key }} {% include 'x.txt' %} {organization.stripe_secret_key} {user_name}"
    response = client_admin_a.post(_url(org_a), {"subject": "Hallo", "body_text": text})
    assert response.status_code == 200  # {organization.stripe_secret_key} is not a known placeholder
    assert not MessageTemplate.objects.filter(organization=org_a).exists()
    MessageTemplate.objects.create(
        organization=org_a,
        template="staff_invitation",
        language="de",
        subject="x",
        body_text="{{ organization.stripe_secret_key }} {% include 'x.txt' %} {user_name}",
    )
    message = _queue(org_a)  # no error at sending time, and nothing but the placeholder is filled in
    assert "sk_test_geheim" not in message.body_text
    assert message.body_text.strip() == "{{ organization.stripe_secret_key }} {% include 'x.txt' %} Kim"


@in_scope()
def test_preview_fills_sample_values(client_admin_a, org_a):
    response = client_admin_a.post(
        _url(org_a), {"subject": "Hi {user_name}", "body_text": "Link: {link}", "preview": "1"}
    )
    assert "Hi Erika Mustermann" in response.content.decode()
    assert not MessageTemplate.objects.filter(organization=org_a).exists()


@in_scope()
def test_unknown_placeholders_are_shown_and_nothing_is_saved(client_admin_a, org_a):
    response = client_admin_a.post(_url(org_a), {"subject": "Hallo {vorname}", "body_text": "ok"})
    assert response.status_code == 200
    assert "{vorname}" in response.content.decode()
    assert not MessageTemplate.objects.filter(organization=org_a).exists()


@in_scope()
def test_reset_returns_to_the_built_in_text(client_admin_a, org_a):
    MessageTemplate.objects.create(
        organization=org_a, template="staff_invitation", language="de", subject="x", body_text="y"
    )
    client_admin_a.post(_url(org_a), {"reset": "1"})
    assert not MessageTemplate.objects.filter(organization=org_a).exists()


def test_unknown_template_or_language_is_404(client_admin_a, org_a):
    assert client_admin_a.get(_url(org_a, key="nope")).status_code == 404
    assert client_admin_a.get(_url(org_a, language="fr")).status_code == 404


@in_scope()
def test_access_e_mails_are_adapted_by_user_managers_only(org_a):
    manager = make_member(org_a, "manager@a.example", role_key="dealer_manager")
    assert "templates.manage" in Role.objects.get(organization=org_a, key="dealer_manager").permissions
    client = client_for(manager)
    assert client.get(_url(org_a)).status_code == 403
    assert (
        "staff_invitation"
        not in client.get(reverse("message_template_list", kwargs={"org_slug": org_a.slug})).content.decode()
    )


def test_station_staff_may_not_edit_templates(client_staff_a1, org_a):
    assert client_staff_a1.get(_url(org_a)).status_code == 403


@in_scope()
def test_outsider_gets_404_and_cannot_change_templates(client_admin_b, org_a):
    assert client_admin_b.get(_url(org_a)).status_code == 404
    assert client_admin_b.post(_url(org_a), {"subject": "x", "body_text": "y"}).status_code == 404
    assert not MessageTemplate.objects.filter(organization=org_a).exists()


def test_template_list_query_count_is_constant(client_admin_a, org_a, django_assert_max_num_queries):
    url = reverse("message_template_list", kwargs={"org_slug": org_a.slug})
    with django_assert_max_num_queries(12):
        assert client_admin_a.get(url).status_code == 200
