"""Configuration editors (`cases.configure`): predefined messages, default texts, brand design."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from rentoffice.forms import form_errors_from
from rentoffice.images import protected_file_response
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors
from ..forms_editors import BrandDesignForm, DefaultTextsForm, PredefinedMessageForm
from ..models import Case, Language, PredefinedMessage
from ..services import branding, texts
from ..services.rights import modes_for

FIELDS = ("mode", "language", "title", "text", "is_default")


@requires("cases.configure")
def message_list(request: TenantRequest, org_slug: str):
    found = list(selectors.predefined_messages_all(membership=request.membership))
    languages = dict(Language.choices)
    modes = [
        {
            "mode": mode,
            "label": Case.Mode(mode).label,
            "messages": [m for m in found if m.mode == mode],
        }
        for mode in modes_for(request.membership)
    ]
    for message in found:
        message.language_name = languages.get(message.language, message.language)
    return render(request, "fleetback/editors/messages.html", {"modes": modes})


def _message_form(request: TenantRequest, message: PredefinedMessage | None):
    modes = modes_for(request.membership)
    if message is None:
        mode = request.GET.get("mode")
        initial = {"mode": mode if mode in modes else modes[0], "language": "de"}
    else:
        initial = {name: getattr(message, name) for name in FIELDS}
    return PredefinedMessageForm(request.POST or None, initial=initial, modes=modes)


def _message_edit(request: TenantRequest, org_slug: str, message: PredefinedMessage | None):
    form = _message_form(request, message)
    if request.method == "POST" and form.is_valid():
        target = message or PredefinedMessage()
        for name in FIELDS:
            setattr(target, name, form.cleaned_data[name])
        try:
            texts.predefined_message_save(actor=request.membership, message=target)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The predefined message has been saved."))
            return redirect("fleetback:messages", org_slug=org_slug)
    return render(request, "fleetback/editors/message_edit.html", {"form": form, "message": message})


@requires("cases.configure")
def message_create(request: TenantRequest, org_slug: str):
    return _message_edit(request, org_slug, None)


@requires("cases.configure")
def message_edit(request: TenantRequest, org_slug: str, pk: int):
    return _message_edit(request, org_slug, selectors.predefined_message_get(membership=request.membership, pk=pk))


@requires("cases.configure")
def message_delete(request: TenantRequest, org_slug: str, pk: int):
    message = selectors.predefined_message_get(membership=request.membership, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    texts.predefined_message_delete(actor=request.membership, message=message)
    messages.success(request, _("The predefined message has been deleted."))
    return redirect("fleetback:messages", org_slug=org_slug)


@requires("cases.configure")
def default_texts(request: TenantRequest, org_slug: str, mode: str):
    if mode not in modes_for(request.membership):
        raise PermissionDenied
    current = texts.default_texts_of(organization_id=request.organization.pk, mode=mode)
    form = DefaultTextsForm(request.POST or None, initial={code: m.text for code, m in current.items()})
    if request.method == "POST" and form.is_valid():
        try:
            texts.default_texts_save(actor=request.membership, mode=mode, texts=form.texts())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The default texts have been saved."))
            return redirect("fleetback:messages", org_slug=org_slug)
    return render(
        request,
        "fleetback/editors/default_texts.html",
        {"form": form, "mode": mode, "mode_label": Case.Mode(mode).label},
    )


@requires("cases.configure")
def brand_list(request: TenantRequest, org_slug: str):
    return render(
        request, "fleetback/editors/brands.html", {"brands": list(selectors.brands_for(membership=request.membership))}
    )


@requires("cases.configure")
def brand_design(request: TenantRequest, org_slug: str, pk: int):
    brand = selectors.brand_get(membership=request.membership, pk=pk)
    form = BrandDesignForm(request.POST or None, request.FILES or None, initial={"colour": brand.colour})
    if request.method == "POST" and form.is_valid():
        try:
            branding.brand_design_save(
                actor=request.membership,
                brand=brand,
                colour=form.cleaned_data["colour"],
                logo=form.logo_image(),
                remove_logo=form.cleaned_data["remove_logo"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The brand design has been saved."))
            return redirect("fleetback:brands", org_slug=org_slug)
    return render(request, "fleetback/editors/brand_design.html", {"form": form, "brand": brand})


@requires("cases.view")
def brand_logo(request: TenantRequest, org_slug: str, pk: int):
    """The brand's logo for the back office (editor, preview); 404 outside the member's dealerships."""
    return protected_file_response(selectors.brand_get(membership=request.membership, pk=pk).logo)
