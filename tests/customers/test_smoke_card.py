import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_card_list_search_render(client_admin_a, org_a, customer_a):
    for name, kwargs in [
        ("customers:list", {}),
        ("customers:card", {"pk": customer_a.pk}),
        ("customers:search", {}),
        ("customers:create", {}),
        ("customers:settings", {}),
        ("customers:email", {"pk": customer_a.pk}),
        ("customers:merge_pick", {"pk": customer_a.pk}),
        ("customers:delete", {"pk": customer_a.pk}),
        ("customers:block", {"pk": customer_a.pk}),
        ("customers:document_templates", {}),
        ("customers:email_templates", {}),
    ]:
        r = client_admin_a.get(reverse(name, kwargs={"org_slug": org_a.slug, **kwargs}), {"q": "mül"})
        assert r.status_code == 200, (name, r.content[:3000])
