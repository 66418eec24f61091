import pytest
from django.db import transaction
from django.urls import reverse

from rentoffice.models import MessageTemplate
from rentoffice.outbox import message_queue

pytestmark = pytest.mark.django_db


def _url(org, key="staff_invitation", language="de"):
    return reverse("message_template_edit", kwargs={"org_slug": org.slug, "key": key, "language": language})


def test_admin_adapts_a_template_and_messages_use_it(client_admin_a, org_a):
    page = client_admin_a.get(_url(org_a))
    assert page.status_code == 200
    assert "blocktranslate" in page.content.decode()  # starts from the built-in text
    response = client_admin_a.post(
        _url(org_a),
        {"subject": "Willkommen bei {{ organization.name }}", "body_text": "Hallo {{ user.full_name }}, {{ link }}"},
    )
    assert response.status_code == 302
    with transaction.atomic():
        message = message_queue(
            organization=org_a,
            recipient="neu@example.com",
            template="staff_invitation",
            language="de",
            context={"user": {"full_name": "Kim"}, "actor": {"full_name": "Anna"}, "link": "https://x/"},
        )
    assert message.subject == "Willkommen bei Autohaus A"
    assert message.body_text.strip() == "Hallo Kim, https://x/"
    # The English version is still the built-in one.
    with transaction.atomic():
        english = message_queue(
            organization=org_a,
            recipient="neu@example.com",
            template="staff_invitation",
            language="en",
            context={"user": {"full_name": "Kim"}, "actor": {"full_name": "Anna"}, "link": "https://x/"},
        )
    assert english.subject == "Your access to Autohaus A"


def test_preview_renders_sample_data(client_admin_a, org_a):
    response = client_admin_a.post(
        _url(org_a), {"subject": "Hi {{ user.full_name }}", "body_text": "Link: {{ link }}", "preview": "1"}
    )
    body = response.content.decode()
    assert "Hi Erika Mustermann" in body
    assert not MessageTemplate.objects.filter(organization=org_a).exists()


def test_template_errors_are_shown_and_nothing_is_saved(client_admin_a, org_a):
    response = client_admin_a.post(_url(org_a), {"subject": "{% if %}", "body_text": "ok"})
    assert response.status_code == 200
    assert "Template error" in response.content.decode() or "Vorlagenfehler" in response.content.decode()
    assert not MessageTemplate.objects.filter(organization=org_a).exists()


def test_reset_returns_to_the_built_in_text(client_admin_a, org_a):
    MessageTemplate.objects.create(
        organization=org_a, template="staff_invitation", language="de", subject="x", body_text="y"
    )
    client_admin_a.post(_url(org_a), {"reset": "1"})
    assert not MessageTemplate.objects.filter(organization=org_a).exists()


def test_unknown_template_or_language_is_404(client_admin_a, org_a):
    assert client_admin_a.get(_url(org_a, key="nope")).status_code == 404
    assert client_admin_a.get(_url(org_a, language="fr")).status_code == 404


def test_station_staff_may_not_edit_templates(client_staff_a1, org_a):
    assert client_staff_a1.get(_url(org_a)).status_code == 403


def test_outsider_gets_404_and_cannot_change_templates(client_admin_b, org_a):
    assert client_admin_b.get(_url(org_a)).status_code == 404
    assert client_admin_b.post(_url(org_a), {"subject": "x", "body_text": "y"}).status_code == 404
    assert not MessageTemplate.objects.filter(organization=org_a).exists()


def test_template_list_query_count_is_constant(client_admin_a, org_a, django_assert_max_num_queries):
    url = reverse("message_template_list", kwargs={"org_slug": org_a.slug})
    with django_assert_max_num_queries(12):
        assert client_admin_a.get(url).status_code == 200
