"""Billing's pages in the page harness (`bench/pages.py`): which records of the demo they open."""

from __future__ import annotations

import sys


def _reverse_first(names: tuple[str, ...], *args) -> str | None:
    """The first of the URL names that exists: billing's pages arrive topic by topic."""
    from django.urls import NoReverseMatch, reverse

    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def billing_pages(org, Page) -> list:
    """Billing (issue 11), from the demo's records: invoices, open items, the card's money panels,
    the contract page with its payments panel, the settlement page. A page whose topic has not
    landed (no URL) or whose records the demo lacks is left out and named on stderr."""
    from django.db.models import Count
    from django.urls import reverse

    from billing.models import Invoice, Payment, Settlement

    slug = org.slug
    found: list = []
    missing: list[str] = []

    def add(key: str, label: str, path: str | None, target: str = "list") -> None:
        if path is None:
            missing.append(label)
        else:
            found.append(Page(key, label, path, target))

    invoice = (
        Invoice.objects.filter(organization=org, status="issued")
        .annotate(n=Count("lines"))
        .order_by("-n", "pk")
        .first()
    )
    add("invoices", "invoice list", _reverse_first(("billing:invoice_list", "billing:invoices"), slug))
    if invoice is not None:
        add("invoice", "invoice page", _reverse_first(("billing:invoice_detail", "billing:invoice"), slug, invoice.pk))
    add("open_items", "open items with ageing", reverse("billing:open_items", args=[slug]))
    debtor = (
        Invoice.objects.filter(organization=org, status="issued", payment_status__in=["open", "partly_paid"])
        .values("customer")
        .annotate(n=Count("pk"))
        .order_by("-n", "customer")
        .first()
    )
    if debtor is not None:
        for key in ("open_payments", "open_balances"):
            add(
                f"card_{key}",
                f"customer card panel {key.replace('_', ' ')} (lazy body)",
                reverse("panel_body", args=[slug, "customer", key, debtor["customer"]]),
            )
    paid = Payment.objects.filter(organization=org, contract__isnull=False).order_by("-pk").first()
    if paid is not None:
        add(
            "contract_payments",
            "contract page with payments and deposit",
            reverse("contracts:detail", args=[slug, paid.contract_id]),
        )
    settlement = Settlement.objects.filter(organization=org).order_by("pk").first()
    if settlement is not None:
        add(
            "settlement",
            "settlement page",
            _reverse_first(("billing:settlement", "billing:settlement_detail"), slug, settlement.pk),
        )
    if missing:
        print(f"billing pages not measured (no URL or no demo record yet): {', '.join(missing)}", file=sys.stderr)
    return found
