"""The contract page's invoices panel: the contract's documents, read with one query, their links
from one `reverse()` per list (`rentoffice.list_urls.pk_url`), so the page costs the same with 2 or
20 documents."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from rentoffice.list_urls import pk_url
from rentoffice.panels import Panel, register

from . import selectors_invoices as selectors

CONTRACT_INVOICES_ON_PAGE = 50


def _contract_invoices(view, contract) -> dict:
    slug = view.membership.organization.slug
    invoices = list(
        selectors.invoices_for_contract(membership=view.membership, contract_id=contract.pk)[:CONTRACT_INVOICES_ON_PAGE]
    )
    detail_url = pk_url("billing:invoice_detail", org_slug=slug)
    pdf_url = pk_url("billing:invoice_pdf", org_slug=slug)
    for invoice in invoices:
        invoice.detail_url = detail_url(invoice.pk)
        invoice.pdf_url = pdf_url(invoice.pk)
    create_url = ""
    if view.has_perm("billing.change"):
        from django.urls import reverse

        create_url = f"{reverse('billing:invoice_create', kwargs={'org_slug': slug})}?contract={contract.number}&customer={contract.customer.number}"
    return {"contract": contract, "invoices": invoices, "create_url": create_url}


def register_panels() -> None:
    register(
        "contract",
        Panel(
            "invoices",
            _("Invoices"),
            "billing/invoices/panels/contract_invoices.html",
            _contract_invoices,
            40,
            "billing.view",
        ),
    )
