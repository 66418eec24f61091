"""CRM pages: contacts with their case history, editing, GDPR objections, customer link, export
and erasure. Contacts are reached only through the member's own cases (selectors_crm)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from customers.selectors import customers_for
from rentoffice.forms import form_errors_from
from rentoffice.list_urls import pk_url
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors_crm
from ..forms_crm import AnonymiseForm, ContactForm, ContactSearchForm, CustomerLinkForm, OptOutForm
from ..services import crm
from ..services.crm_export import contact_export as export_service


@requires("cases.view")
def contact_list(request: TenantRequest, org_slug: str):
    form = ContactSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    contacts = selectors_crm.contacts_search(
        membership=request.membership, query=query, station_filter=request.station_filter
    )
    detail = pk_url("fleetback:contact", org_slug=org_slug)
    for contact in contacts:
        contact.detail_url = detail(contact.pk)
    return render(request, "fleetback/crm/list.html", {"form": form, "contacts": contacts, "query": query})


def _detail_context(request: TenantRequest, contact, **forms) -> dict:
    membership = request.membership
    cases = selectors_crm.cases_of_contact(membership=membership, contact=contact)
    detail = pk_url("fleetback:detail", org_slug=request.organization.slug)
    for case in cases:
        case.detail_url = detail(case.pk)
    linkable = contact.customer_id is None and not contact.is_anonymised
    return {
        "contact": contact,
        "cases": cases,
        "matches": selectors_crm.customers_matching(contact=contact) if linkable else [],
        "opt_out_form": forms.get("opt_out_form")
        or OptOutForm(initial={"email_opt_out": contact.email_opt_out, "sms_opt_out": contact.sms_opt_out}),
        "link_form": forms.get("link_form") or CustomerLinkForm(initial={"action": "link"}),
        "may_change": membership.has_perm("cases.change") and not contact.is_anonymised,
        "may_export": membership.has_perm("cases.change"),
        "may_create_customer": membership.has_perm("customers.change"),
        "may_see_customers": membership.has_perm("customers.view"),
    }


@requires("cases.view")
def contact_detail(request: TenantRequest, org_slug: str, pk: int):
    contact = selectors_crm.contact_get(membership=request.membership, pk=pk)
    return render(request, "fleetback/crm/detail.html", _detail_context(request, contact))


@requires("cases.change")
def contact_edit(request: TenantRequest, org_slug: str, pk: int):
    contact = selectors_crm.contact_get(membership=request.membership, pk=pk)
    form = ContactForm(request.POST if request.method == "POST" else None, initial=ContactForm.initial_of(contact))
    if request.method == "POST" and form.is_valid():
        try:
            crm.contact_update(actor=request.membership, contact=contact, data=form.contact_fields())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The contact has been saved."))
            return redirect("fleetback:contact", org_slug=org_slug, pk=contact.pk)
    return render(request, "fleetback/crm/edit.html", {"contact": contact, "form": form})


@requires("cases.change")
def contact_privacy(request: TenantRequest, org_slug: str, pk: int):
    contact = selectors_crm.contact_get(membership=request.membership, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = OptOutForm(request.POST)
    if form.is_valid():
        try:
            crm.contact_opt_out_set(
                actor=request.membership,
                contact=contact,
                email=form.cleaned_data["email_opt_out"],
                sms=form.cleaned_data["sms_opt_out"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The communication settings have been saved."))
            return redirect("fleetback:contact", org_slug=org_slug, pk=contact.pk)
    context = _detail_context(request, contact, opt_out_form=form)
    return render(request, "fleetback/crm/detail.html", context, status=400)


@requires("cases.change")
def contact_customer(request: TenantRequest, org_slug: str, pk: int):
    contact = selectors_crm.contact_get(membership=request.membership, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CustomerLinkForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            if action == "create":
                crm.contact_customer_create(actor=request.membership, contact=contact)
            elif action == "unlink":
                crm.contact_customer_link(actor=request.membership, contact=contact, customer=None)
            else:
                customer = (
                    customers_for(membership=request.membership)
                    .filter(number=form.cleaned_data["customer_number"])
                    .first()
                )
                if customer is None:
                    raise ValidationError({"customer_number": _("There is no customer with this number.")})
                crm.contact_customer_link(actor=request.membership, contact=contact, customer=customer)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            done = {
                "create": _("A customer has been created from the contact and linked."),
                "unlink": _("The link to the customer has been removed."),
                "link": _("The contact has been linked to the customer."),
            }
            messages.success(request, done[action])
            return redirect("fleetback:contact", org_slug=org_slug, pk=contact.pk)
    context = _detail_context(request, contact, link_form=form)
    return render(request, "fleetback/crm/detail.html", context, status=400)


@requires("cases.change")
def contact_export(request: TenantRequest, org_slug: str, pk: int):
    contact = selectors_crm.contact_get(membership=request.membership, pk=pk)
    try:
        filename, content = export_service(actor=request.membership, contact=contact)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("fleetback:contact", org_slug=org_slug, pk=contact.pk)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@requires("cases.change")
def contact_delete(request: TenantRequest, org_slug: str, pk: int):
    contact = selectors_crm.contact_get(membership=request.membership, pk=pk)
    form = AnonymiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            crm.contact_anonymise(actor=request.membership, contact=contact, confirm=form.cleaned_data["confirm"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The person's personal data has been erased; the cases are kept."))
            return redirect("fleetback:contact", org_slug=org_slug, pk=contact.pk)
    cases = selectors_crm.cases_of_contact(membership=request.membership, contact=contact)
    return render(request, "fleetback/crm/delete.html", {"contact": contact, "form": form, "cases": cases})
