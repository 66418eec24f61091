"""The customer card's "Open payments" and "Open balances per transaction" (CUS-02/BIL-05, seed 002).

They replace the card's placeholders. Both load lazily (the card is opened for much else, and the
money reads are a few aggregate queries of their own), cost a fixed number of queries, and show only
the money of the viewer's stations (`view.membership`, `view.station_filter`).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from rentoffice.list_urls import pk_url
from rentoffice.panels import Panel, register

from . import selectors_open_items as selectors
from .selectors_open_balances import customer_open_balances


def _open_payments(view, customer) -> dict:
    from .views.open_items import with_links

    items = selectors.customer_open_items(
        membership=view.membership, station_filter=view.station_filter, customer=customer
    )
    can_record = view.has_perm("billing.change")
    with_links(items.rows, view.membership.organization.slug, can_record=can_record)
    return {"customer": customer, "items": items, "can_record": can_record}


def _open_balances(view, customer) -> dict:
    balances = customer_open_balances(membership=view.membership, station_filter=view.station_filter, customer=customer)
    contract_url = pk_url("contracts:detail", org_slug=view.membership.organization.slug)
    for row in balances:
        row.detail_url = contract_url(row.contract.pk) if row.contract is not None else ""
    return {
        "customer": customer,
        "balances": balances,
        "total": sum((b.balance for b in balances), Decimal("0.00")),
        "can_record": view.has_perm("billing.change"),
    }


def register_panels() -> None:
    register(
        "customer",
        Panel(
            "open_payments",
            _("Open payments"),
            "billing/open_items/panel_open_payments.html",
            _open_payments,
            60,
            "billing.view",
            lazy=True,
        ),
        replaces=True,
    )
    register(
        "customer",
        Panel(
            "open_balances",
            _("Open balances per transaction"),
            "billing/open_items/panel_open_balances.html",
            _open_balances,
            70,
            "billing.view",
            lazy=True,
        ),
        replaces=True,
    )
