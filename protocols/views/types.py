"""The protocol type editor and the protocol settings (admins, `protocols.manage`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rentoffice.forms import form_errors_from
from rentoffice.list_urls import pk_url
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors
from ..forms_types import ProtocolSettingsForm, ProtocolTypeForm
from ..models import ProtocolType
from ..registers import RULES, register_label
from ..services import types as services

MANAGE = "protocols.manage"


@requires(MANAGE)
def type_list(request: TenantRequest, org_slug: str):
    types = list(selectors.protocol_types(membership=request.membership))
    edit_url = pk_url("protocols:type_edit", org_slug=org_slug)
    for protocol_type in types:
        protocol_type.edit_url = edit_url(protocol_type.pk)
        protocol_type.register_labels = [register_label(r) for r in protocol_type.registers]
    settings = services.protocol_settings_get(organization=request.organization)
    return render(request, "protocols/types/type_list.html", {"types": types, "settings": settings})


def _type_page(request: TenantRequest, org_slug: str, protocol_type: ProtocolType):
    # The heading keeps the stored name while a refused change is shown in the form.
    title = protocol_type.name
    form = ProtocolTypeForm(request.POST if request.method == "POST" else None, protocol_type=protocol_type)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.protocol_type_save(actor=request.membership, protocol_type=form.apply())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The protocol type has been saved."))
            return redirect("protocols:type_edit", org_slug=org_slug, pk=saved.pk)
    return render(
        request,
        "protocols/types/type_form.html",
        {"form": form, "protocol_type": protocol_type, "title": title, "rules": RULES},
    )


@requires(MANAGE)
def type_create(request: TenantRequest, org_slug: str):
    return _type_page(request, org_slug, ProtocolType(organization=request.organization, registers=[]))


@requires(MANAGE)
def type_edit(request: TenantRequest, org_slug: str, pk: int):
    protocol_type = selectors.protocol_type_get(membership=request.membership, pk=pk)
    return _type_page(request, org_slug, protocol_type)


@requires(MANAGE)
@require_POST
def type_delete(request: TenantRequest, org_slug: str, pk: int):
    protocol_type = selectors.protocol_type_get(membership=request.membership, pk=pk)
    try:
        services.protocol_type_delete(actor=request.membership, protocol_type=protocol_type)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("protocols:type_edit", org_slug=org_slug, pk=protocol_type.pk)
    messages.success(request, _("The protocol type %(name)s has been deleted.") % {"name": protocol_type.name})
    return redirect("protocols:type_list", org_slug=org_slug)


@requires(MANAGE)
def protocol_settings(request: TenantRequest, org_slug: str):
    settings = services.protocol_settings_get(organization=request.organization)
    form = ProtocolSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"signatures_required": settings.signatures_required},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.protocol_settings_save(actor=request.membership, settings=form.apply(settings))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The protocol settings have been saved."))
            return redirect("protocols:type_list", org_slug=org_slug)
    return render(request, "protocols/types/settings.html", {"form": form})
