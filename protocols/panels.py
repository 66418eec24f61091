"""Panels protocols contribute: the contract page's protocols and the vehicle page's protocol history.

Both lists are read with one query (type, station, recorder and e-mail joined) and their links come
from one `reverse()` per list (`rentoffice.list_urls.pk_url`), so the pages cost the same with 2 or 20
protocols. The protocol page (`protocols:detail`) arrives with the capture flow; until its URL
exists the rows link to the PDF only.
"""

from __future__ import annotations

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from contracts.selectors import CONTRACT_STATIONS
from rentoffice.list_urls import pk_url
from rentoffice.panels import Panel, register

from . import selectors
from .models import Protocol

VEHICLE_HISTORY_ON_PAGE = 10
CONTRACT_PROTOCOLS_ON_PAGE = 50


def _optional_url(name: str, org_slug: str):
    try:
        return pk_url(name, org_slug=org_slug)
    except NoReverseMatch:
        return None


def _with_links(protocols: list[Protocol], org_slug: str) -> list[Protocol]:
    pdf_url = pk_url("protocols:pdf", org_slug=org_slug)
    detail_url = _optional_url("protocols:detail", org_slug)
    contract_url = pk_url("contracts:detail", org_slug=org_slug)
    for protocol in protocols:
        protocol.pdf_url = pdf_url(protocol.pk) if protocol.is_submitted else ""
        protocol.detail_url = detail_url(protocol.pk) if detail_url else ""
        protocol.contract_url = contract_url(protocol.contract_id)
    return protocols


def _contract_protocols(view, contract) -> dict:
    protocols = list(
        selectors.protocols_for_contract(membership=view.membership, contract=contract).select_related("email_message")[
            :CONTRACT_PROTOCOLS_ON_PAGE
        ]
    )
    return {"contract": contract, "protocols": _with_links(protocols, view.membership.organization.slug)}


def _vehicle_protocols(view, vehicle) -> dict:
    qs = view.scoped(
        selectors.protocols_for_vehicle(membership=view.membership, vehicle=vehicle)
        .filter(status=Protocol.Status.SUBMITTED)
        .select_related("contract__customer"),
        field=tuple(f"contract__{f}" for f in CONTRACT_STATIONS),
    ).order_by("-submitted_at", "-id")
    rows = list(qs[: VEHICLE_HISTORY_ON_PAGE + 1])
    return {
        "vehicle": vehicle,
        "protocols": _with_links(rows[:VEHICLE_HISTORY_ON_PAGE], view.membership.organization.slug),
        "more": len(rows) > VEHICLE_HISTORY_ON_PAGE,
    }


def register_panels() -> None:
    register(
        "contract",
        Panel(
            "protocols",
            _("Protocols"),
            "protocols/panels/contract_protocols.html",
            _contract_protocols,
            30,
            "contracts.view",
        ),
    )
    register(
        "vehicle",
        Panel(
            "protocols",
            _("Protocol history"),
            "protocols/panels/vehicle_protocols.html",
            _vehicle_protocols,
            12,
            "contracts.view",
        ),
    )
