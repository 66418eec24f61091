"""Assistants on the customer card: copy, terminate, block, unlock, time-limit, merge, delete, export."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rentoffice.tenancy import requires
from rentoffice.validators import date_in_window

from .. import selectors, services
from ..forms import DateInput


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class EndDateForm(forms.Form):
    end_date = forms.DateField(label=gettext_lazy("Contract end"), widget=DateInput, validators=[date_in_window])


class ValidUntilForm(forms.Form):
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        widget=DateInput,
        validators=[date_in_window],
        required=False,
        help_text=gettext_lazy("Empty removes the time limit."),
    )


def _action_page(request, customer, form, title, description, submit, danger=False, extra=None):
    return render(
        request,
        "customers/action.html",
        {
            "customer": customer,
            "form": form,
            "title": title,
            "description": description,
            "submit": submit,
            "danger": danger,
            **(extra or {}),
        },
    )


def _simple_action(
    request, org_slug, pk, form_class, title, description, submit, run, done, danger=False, initial=None
):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    form = form_class(request.POST or None, initial=initial(customer) if initial else None)
    if request.method == "POST" and form.is_valid():
        try:
            run(customer, form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, done)
            return redirect("customers:card", org_slug=org_slug, pk=customer.pk)
    return _action_page(request, customer, form, title, description, submit, danger)


@requires("customers.change")
def customer_copy(request, org_slug, pk):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    if request.method == "POST":
        copy = services.customer_copy(customer=customer, actor=request.membership)
        messages.success(request, _("Customer %(number)s has been created as a copy.") % {"number": copy.number})
        return redirect("customers:card", org_slug=org_slug, pk=copy.pk)
    return _action_page(
        request,
        customer,
        None,
        _("Copy customer"),
        _(
            "A new customer with the same master data and a new number is created. Cards, documents "
            "and portal accesses are not copied."
        ),
        _("Copy"),
    )


@requires("customers.change")
def customer_terminate(request, org_slug, pk):
    return _simple_action(
        request,
        org_slug,
        pk,
        EndDateForm,
        _("Terminate customer"),
        _("The customer's contract ends on this date; new bookings after it are refused."),
        _("Terminate"),
        lambda c, d: services.customer_terminate(customer=c, end_date=d["end_date"], actor=request.membership),
        _("The customer has been terminated."),
        initial=lambda c: {"end_date": c.contract_end or timezone.localdate()},
    )


@requires("customers.change")
def customer_block(request, org_slug, pk):
    return _simple_action(
        request,
        org_slug,
        pk,
        ReasonForm,
        _("Block customer"),
        _("A blocked customer cannot make new bookings."),
        _("Block"),
        lambda c, d: services.customer_block(customer=c, reason=d["reason"], actor=request.membership),
        _("The customer has been blocked."),
        danger=True,
    )


@requires("customers.change")
def customer_unlock(request, org_slug, pk):
    return _simple_action(
        request,
        org_slug,
        pk,
        OptionalReasonForm,
        _("Unlock customer"),
        _("The block is lifted; the note is kept in the customer's notes."),
        _("Unlock"),
        lambda c, d: services.customer_unlock(customer=c, reason=d["reason"], actor=request.membership),
        _("The customer has been unlocked."),
    )


@requires("customers.change")
def customer_time_limit(request, org_slug, pk):
    return _simple_action(
        request,
        org_slug,
        pk,
        ValidUntilForm,
        _("Time-limit customer"),
        _("The customer can book until this date."),
        _("Save"),
        lambda c, d: services.customer_time_limit(customer=c, valid_until=d["valid_until"], actor=request.membership),
        _("The time limit has been saved."),
        initial=lambda c: {"valid_until": c.valid_until},
    )


@requires("customers.delete")
def customer_delete(request, org_slug, pk):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    refusals = services.deletion_refusals(customer=customer)
    if request.method == "POST" and not refusals:
        number = customer.number
        try:
            services.customer_delete(customer=customer, actor=request.membership)
        except ValidationError as exc:
            refusals = exc.messages
        else:
            messages.success(request, _("Customer %(number)s has been deleted.") % {"number": number})
            return redirect("customers:list", org_slug=org_slug)
    subs = list(customer.sub_customers.order_by("last_name", "first_name", "number"))
    return render(request, "customers/delete.html", {"customer": customer, "refusals": refusals, "subs": subs})


@requires("customers.delete")
def customer_export(request, org_slug, pk):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    filename, content = services.customer_export(customer=customer)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@requires("customers.delete")
def customer_merge_pick(request, org_slug, pk):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    query = selectors.clean_query(request.GET.get("q"))
    results = []
    if query:
        results = [
            c for c in selectors.customer_search(membership=request.membership, query=query) if c.pk != customer.pk
        ]
    template = "customers/_merge_hits.html" if request.GET.get("partial") == "1" else "customers/merge_pick.html"
    return render(request, template, {"customer": customer, "query": query, "results": results})


@requires("customers.delete")
def customer_merge(request, org_slug, pk, other_pk):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    other = selectors.customer_get(membership=request.membership, pk=other_pk)
    if customer.pk == other.pk:
        return redirect("customers:merge_pick", org_slug=org_slug, pk=pk)
    rows = services.differing_fields(survivor=customer, other=other)
    error, status = "", 200
    if request.method == "POST":
        take = request.POST.getlist("take")
        try:
            services.customer_merge(survivor=customer, other=other, take_from_other=take, actor=request.membership)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            # A field choice the form never offered is a bad request, not a merge that went wrong.
            status = 400 if any(e.code == "unknown_field" for e in exc.error_list) else 200
        else:
            messages.success(request, _("The customers have been merged."))
            return redirect("customers:card", org_slug=org_slug, pk=customer.pk)
    context = {"customer": customer, "other": other, "rows": rows, "error": error}
    return render(request, "customers/merge.html", context, status=status)
