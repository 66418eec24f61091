"""Back-office pages: customer list, search, the customer card with its tabbed master data, settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from rentoffice.forms import form_errors_from
from rentoffice.list_urls import pk_url
from rentoffice.tenancy import requires

from .. import selectors, services
from ..forms import CardFormSet, CustomerForm, CustomerSettingsForm
from ..models import Customer

LIST_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most LIST_COUNT_CAP + 1 rows: an exact COUNT(*) over a million customers costs more than
    the page itself, and nobody pages past page 200 — they search or filter instead."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: LIST_COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > LIST_COUNT_CAP


@requires("customers.view")
def customer_list(request, org_slug):
    query = selectors.clean_query(request.GET.get("q"))
    group = request.GET.get("group", "")
    group = group if group in Customer.Group.values else ""
    blocked = request.GET.get("blocked", "")
    blocked = blocked if blocked in ("0", "1") else ""
    licence = "overdue" if request.GET.get("licence") == "overdue" else ""
    portal = "pending" if request.GET.get("portal") == "pending" else ""
    qs = selectors.customer_list(
        membership=request.membership, query=query, group=group, blocked=blocked, licence=licence, portal=portal
    )
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    card_url = pk_url("customers:card", org_slug=org_slug)
    page.object_list = selectors.with_attribute_names(list(page.object_list))
    for customer in page.object_list:
        customer.card_url = card_url(customer.pk)
        if not hasattr(customer, "licence_due_on"):  # annotated only by the overdue filter
            customer.licence_due_on = None
    return render(
        request,
        "customers/list.html",
        {
            "page": page,
            "query": query,
            "group": group,
            "blocked": blocked,
            "licence": licence,
            "portal": portal,
            "groups": Customer.Group.choices,
        },
    )


@requires("customers.view")
def customer_search(request, org_slug):
    query = selectors.clean_query(request.GET.get("q"))
    all_orgs = request.GET.get("all") == "1"
    results = []
    if len(query) >= 1:
        results = selectors.customer_search(membership=request.membership, query=query, all_organizations=all_orgs)
    context = {
        "query": query,
        "results": results,
        "all_orgs": all_orgs,
        "multi_org": selectors.multi_org_available(membership=request.membership),
    }
    if request.GET.get("partial") == "1":
        # The top bar's dropdown gets keyboard handling and a bounded height (see the template).
        context["dropdown"] = request.headers.get("HX-Target") == "global-search-results"
        return render(request, "customers/_search_results.html", context)
    return render(request, "customers/search.html", context)


def _card_forms(request, customer: Customer):
    data = request.POST if request.method == "POST" else None
    form = CustomerForm(data, instance=customer, organization=request.organization, prefix="c")
    initial = None
    if customer.pk:
        initial = [
            {"number": c.number, "valid_from": c.valid_from, "valid_until": c.valid_until}
            for c in customer.access_cards.all()
        ]
    cards = CardFormSet(data, initial=initial, prefix="cards")
    return form, cards


def _save_card(request, form, cards) -> Customer | None:
    if not (form.is_valid() and cards.is_valid()):
        return None
    try:
        return services.customer_save(
            customer=form.save(commit=False),
            actor=request.membership,
            attributes=form.cleaned_data["attributes"],
            vehicle_groups=form.cleaned_data["allowed_vehicle_groups"],
            stations=form.cleaned_data["allowed_stations"],
            cards=cards.rows(),
            new_attribute_names=form.new_attribute_names(),
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            form_errors_from(form, exc)
        else:
            cards._non_form_errors = cards.error_class(exc.messages)
        return None


def _tabs(form, cards) -> list[dict]:
    tabs = form.tabs()
    cards_has_errors = bool(cards.total_error_count())
    for tab in tabs:
        if tab["key"] == "cards":
            tab["has_errors"] = tab["has_errors"] or cards_has_errors
    active = next((t["key"] for t in tabs if t["has_errors"]), tabs[0]["key"])
    for tab in tabs:
        tab["active"] = tab["key"] == active
    return tabs


@requires("customers.change")
def customer_create(request, org_slug):
    customer = Customer(organization=request.organization)
    form, cards = _card_forms(request, customer)
    if request.method == "POST":
        saved = _save_card(request, form, cards)
        if saved is not None:
            messages.success(request, _("Customer %(number)s has been created.") % {"number": saved.number})
            return redirect("customers:card", org_slug=org_slug, pk=saved.pk)
    return render(request, "customers/create.html", {"form": form, "cards": cards, "tabs": _tabs(form, cards)})


@requires("customers.view")
def customer_card(request, org_slug, pk):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    form, cards = _card_forms(request, customer)
    if request.method == "POST":
        if not request.membership.has_perm("customers.change"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        saved = _save_card(request, form, cards)
        if saved is not None:
            messages.success(request, _("The customer has been saved."))
            return redirect("customers:card", org_slug=org_slug, pk=saved.pk)
        messages.error(request, _("Please correct the marked fields."))
    return render(
        request,
        "customers/card.html",
        {
            "customer": customer,
            "form": form,
            "cards": cards,
            "tabs": _tabs(form, cards),
            "today": timezone.localdate(),
            "can_change": request.membership.has_perm("customers.change"),
            "can_delete": request.membership.has_perm("customers.delete"),
        },
    )


@requires("customers.view")
def card_suggest(request, org_slug):
    query = selectors.clean_query(
        request.GET.get("q", "") or next((v for k, v in request.GET.items() if k.endswith("-number")), "")
    )
    cards = selectors.access_cards_suggest(membership=request.membership, query=query)
    return render(request, "customers/_card_suggestions.html", {"suggestions": cards})


@requires("customers.view")
def main_suggest(request, org_slug):
    """Suggestions for the main-customer field: main customers matching the typed number or name."""
    query = selectors.clean_query(request.GET.get("q", "") or request.GET.get("c-main_customer", ""))
    results = []
    if query:
        results = selectors.main_customer_suggest(membership=request.membership, query=query)
    return render(request, "customers/_main_suggestions.html", {"results": results})


@requires("organization.manage")
def customer_settings(request, org_slug):
    settings_obj = selectors.settings_for(organization=request.organization)
    form = CustomerSettingsForm(request.POST or None, instance=settings_obj)
    if request.method == "POST" and form.is_valid():
        services.settings_save(actor=request.membership, settings_obj=form.save(commit=False))
        messages.success(request, _("The customer settings have been saved."))
        return redirect("customers:settings", org_slug=org_slug)
    attributes = selectors.attributes_for(membership=request.membership)
    return render(request, "customers/settings.html", {"form": form, "attributes": attributes})


@requires("customers.change")
def licence_checked(request, org_slug, pk):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    if request.method != "POST":
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["POST"])
    services.licence_checked(customer=customer, actor=request.membership)
    messages.success(request, _("The licence check has been recorded."))
    return redirect("customers:card", org_slug=org_slug, pk=customer.pk)
