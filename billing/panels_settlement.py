"""The contract page's settlement panel: state, reason after a failure, the breakdown, a link."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rentoffice.panels import Panel, register

from . import selectors_settlement as selectors


def _contract_settlement(view, contract) -> dict:
    settlement = selectors.settlement_of_contract(contract=contract)
    if settlement is None:
        return {"contract": contract, "settlement": None}
    return {
        "contract": contract,
        "settlement": settlement,
        "figures": selectors.settlement_figures(settlement=settlement),
        "url": reverse(
            "billing:settlement", kwargs={"org_slug": view.membership.organization.slug, "pk": settlement.pk}
        ),
    }


def register_panels() -> None:
    register(
        "contract",
        Panel(
            "settlement",
            _("Settlement"),
            "billing/settlement/contract_panel.html",
            _contract_settlement,
            25,
            "billing.view",
        ),
    )
