"""Portal accesses: staff actions on the card, and the customers' set-password page under /portal/."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rentoffice.tenancy import requires

from .. import selectors
from ..services import portal as portal_services


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _back(org_slug, pk):
    from django.urls import reverse

    return redirect(reverse("customers:card", kwargs={"org_slug": org_slug, "pk": pk}) + "#panel-portal")


@requires("customers.change")
def account_invite(request, org_slug, pk):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        portal_services.account_invite(
            customer=customer,
            email=request.POST.get("email", ""),
            base_url=_base_url(request),
            actor=request.membership,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The invitation has been sent."))
    return _back(org_slug, customer.pk)


def _account_action(request, org_slug, pk, account_pk, run, done):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    account = selectors.account_get(membership=request.membership, customer=customer, pk=account_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    run(account)
    messages.success(request, done)
    return _back(org_slug, customer.pk)


@requires("customers.change")
def account_resend(request, org_slug, pk, account_pk):
    return _account_action(
        request,
        org_slug,
        pk,
        account_pk,
        lambda a: portal_services.account_resend_invitation(
            actor=request.membership, account=a, base_url=_base_url(request)
        ),
        _("The invitation has been sent again."),
    )


@requires("customers.change")
def account_reset(request, org_slug, pk, account_pk):
    return _account_action(
        request,
        org_slug,
        pk,
        account_pk,
        lambda a: portal_services.account_reset_password(
            actor=request.membership, account=a, base_url=_base_url(request)
        ),
        _("A link to set a new password has been sent."),
    )


@requires("customers.change")
def account_delete(request, org_slug, pk, account_pk):
    return _account_action(
        request,
        org_slug,
        pk,
        account_pk,
        lambda a: portal_services.account_delete(actor=request.membership, account=a),
        _("The portal access has been deleted."),
    )


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label=gettext_lazy("New password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=gettext_lazy("Repeat password"), widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The passwords do not match."))
        return data


def set_password(request, token):
    account = portal_services.account_for_token(token)
    if account is None:
        return render(request, "customers/portal/link_invalid.html", status=404)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            portal_services.account_set_password(account=account, password=form.cleaned_data["password1"])
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            return render(request, "customers/portal/password_set.html", {"account": account})
    return render(request, "customers/portal/set_password.html", {"form": form, "account": account})
