"""Panels of the customer card. Placeholders for data of later issues (rented objects, transactions,
damages, vouchers, open payments, open balances) show their empty state; the app that owns the data
registers a panel with the same key and `replaces=True`. The card is organization-wide: a panel
listing station-owned rows (contracts, damages) goes through `view.scoped(...)`."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext_lazy as _

from rentoffice.panels import Panel, get, register, register_core_panels

from . import selectors

PLACEHOLDERS = [
    ("rented_objects", _("Currently rented objects"), _("Nothing is rented to this customer right now."), 10),
    ("transactions", _("Transactions"), _("No transactions yet."), 20),
    ("damages", _("Damage cases"), _("No damage cases."), 30),
    ("vouchers", _("Vouchers"), _("No vouchers."), 50),
    ("open_payments", _("Open payments"), _("No open payments."), 60),
    ("open_balances", _("Open balances per transaction"), _("No open balances."), 70),
]


# Panels whose bodies htmx loads after the card (rentoffice.views.panels.panel_body).
LAZY = ("portal", "documents", "sub_customers", "licence_escalations", "activity", "messages")


def _empty(message):
    return lambda view, obj: {"empty_message": message}


def _permissions(view, customer):
    defaults = selectors.settings_for(organization=customer.organization)
    return {"customer": customer, "permissions": selectors.effective_permissions(customer=customer, defaults=defaults)}


def _documents(view, customer):
    from .views.documents import DocumentForm

    return {
        "customer": customer,
        "documents": list(selectors.documents_for(customer=customer)),
        "form": DocumentForm(),
        "templates": list(selectors.document_templates_for(membership=view.membership)),
        "can_change": view.has_perm("customers.change"),
    }


def _portal(view, customer):
    return {
        "customer": customer,
        "accounts": list(selectors.accounts_for(customer=customer)),
        "can_change": view.has_perm("customers.change"),
    }


def _licence(view, customer):
    from django.utils import timezone

    due = customer.licence_check_due_on
    return {
        "customer": customer,
        "escalations": list(customer.licence_escalations.all()[:10]),
        "due_on": due,
        "overdue": bool(due and due <= timezone.localdate()),
        "can_change": view.has_perm("customers.change"),
    }


def _sub_customers(view, customer):
    return {"customer": customer, "subs": list(customer.sub_customers.order_by("sort_name", "number"))}


def _dashboard(view, organization):
    from django.utils import timezone

    return {"stats": selectors.dashboard_stats(membership=view.membership, today=timezone.localdate())}


def register_panels() -> None:
    register(
        "dashboard",
        Panel("customers", _("Customers"), "customers/panels/dashboard.html", _dashboard, 30, "customers.view"),
    )
    for key, title, message, order in PLACEHOLDERS:
        register("customer", Panel(key, title, "customers/panels/empty.html", _empty(message), order))
    register("customer", Panel("portal", _("Portal logins"), "customers/panels/portal.html", _portal, 40))
    register("customer", Panel("documents", _("Documents"), "customers/panels/documents.html", _documents, 80))
    register("customer", Panel("permissions", _("Permissions"), "customers/panels/permissions.html", _permissions, 5))
    register(
        "customer",
        Panel("sub_customers", _("Sub-customers"), "customers/panels/sub_customers.html", _sub_customers, 85),
    )
    register(
        "customer",
        Panel("licence_escalations", _("Licence-check escalations"), "customers/panels/licence.html", _licence, 88),
    )
    register_core_panels("customer")
    # A customer's messages and activity grow for years and are rarely what the card is opened for,
    # and the documents, portal logins, sub-customers and escalations stand far below on a phone:
    # load them when the card is on screen, not with it (docs/performance.md, "Lazy panels").
    for key in LAZY:
        register("customer", replace(get("customer", key), lazy=True), replaces=True)
