"""Panels the contracts app contributes: the customer card's rented objects and transactions (they
replace the card's placeholders) and the vehicle page's contracts and blocks. See rentoffice.panels."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

from rentoffice.panels import Panel, register

from . import selectors_pages
from .forms import BlockForm

TRANSACTIONS_PER_PAGE = 10


def _rented_objects(view, customer) -> dict:
    return {
        "customer": customer,
        "contracts": selectors_pages.customer_active_contracts(
            membership=view.membership, station_filter=view.station_filter, customer=customer
        ),
        "can_change": view.has_perm("contracts.change"),
    }


def _transactions(view, customer) -> dict:
    qs = selectors_pages.customer_contracts(
        membership=view.membership, station_filter=view.station_filter, customer=customer
    )
    page = Paginator(qs, TRANSACTIONS_PER_PAGE).get_page(view.request.GET.get("page"))
    return {"customer": customer, "page": page}


def _vehicle_contracts(view, vehicle) -> dict:
    return {
        "vehicle": vehicle,
        **selectors_pages.vehicle_contracts(
            membership=view.membership, station_filter=view.station_filter, vehicle=vehicle
        ),
    }


def _vehicle_blocks(view, vehicle) -> dict:
    return {
        "vehicle": vehicle,
        "blocks": selectors_pages.vehicle_blocks(vehicle=vehicle),
        "can_change": view.has_perm("contracts.change") and not vehicle.is_retired,
        "form": BlockForm(),
    }


def register_panels() -> None:
    register(
        "customer",
        Panel(
            "rented_objects",
            _("Currently rented objects"),
            "contracts/panels/rented_objects.html",
            _rented_objects,
            10,
            "contracts.view",
        ),
        replaces=True,
    )
    # A customer's contracts grow for years: load them when the card is on screen, page by page.
    register(
        "customer",
        Panel(
            "transactions",
            _("Transactions"),
            "contracts/panels/transactions.html",
            _transactions,
            20,
            "contracts.view",
            lazy=True,
        ),
        replaces=True,
    )
    register(
        "vehicle",
        Panel(
            "contracts",
            _("Contracts"),
            "contracts/panels/vehicle_contracts.html",
            _vehicle_contracts,
            10,
            "contracts.view",
        ),
    )
    register(
        "vehicle",
        Panel("blocks", _("Blocks"), "contracts/panels/vehicle_blocks.html", _vehicle_blocks, 15, "contracts.view"),
    )
