"""The staff check-out / check-in flow: a start page, one step page per register, the submit page.

Every step saves its register into the draft through the capture services before moving on, so a
closed tab or a lost connection loses at most the step being typed. Photos, damages and signatures
are saved by their own small forms on their step (each a POST that comes back to the step).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import selectors as contract_selectors
from rentoffice.forms import form_errors_from
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors
from ..forms import DamageAddForm, PhotoForm, SignatureForm, register_form
from ..models import Protocol, ProtocolSignature, Register
from ..services import capture
from . import context as ctx

KM_JUMP_CODES = {"implausible", "km_jump"}


def _step_url(org_slug: str, protocol: Protocol, register: str) -> str:
    if register == Register.DISPATCH:
        return reverse("protocols:submit", args=[org_slug, protocol.pk])
    return reverse("protocols:capture", args=[org_slug, protocol.pk]) + f"?register={register}"


def _draft(request: TenantRequest, pk: int) -> Protocol:
    protocol = selectors.protocol_get(membership=request.membership, pk=pk)
    if protocol.is_submitted:
        raise Http404  # a submitted protocol has no capture pages; its own page is read-only
    return protocol


def _next_register(protocol: Protocol, register: str) -> str:
    registers = list(protocol.type.registers)
    later = registers[registers.index(register) + 1 :] if register in registers else []
    return later[0] if later else Register.DISPATCH


def _first_open_register(protocol: Protocol) -> str:
    for register in protocol.type.registers:
        if register != Register.DISPATCH and register not in protocol.saved_registers:
            return register
    return Register.DISPATCH


def _refused(request, exc: Exception) -> None:
    for message in getattr(exc, "messages", None) or [str(exc) or _("You do not have the permission for this.")]:
        messages.error(request, message)


@requires("contracts.change")
def start(request: TenantRequest, org_slug, pk, kind):
    """Ask before a draft is created (a GET changes nothing); an open draft is simply continued."""
    contract = contract_selectors.contract_get(membership=request.membership, pk=pk)
    draft = selectors.protocols_for_contract(membership=request.membership, contract=contract).filter(
        kind=kind, status=Protocol.Status.DRAFT
    )
    draft = draft.first()
    # A draft is continued at once; a stale one (the contract moved on) waits for the POST's refusal.
    if draft is not None and contract.status == capture.STARTS_FROM[kind]:
        return redirect(_step_url(org_slug, draft, _first_open_register(draft)))
    errors: list[str] = []
    if request.method == "POST":
        try:
            protocol = capture.protocol_start(actor=request.membership, contract=contract, kind=kind)
        except (ValidationError, PermissionDenied) as exc:
            errors = list(getattr(exc, "messages", None) or [str(exc)])
        else:
            return redirect(_step_url(org_slug, protocol, _first_open_register(protocol)))
    return render(
        request,
        "protocols/capture/start.html",
        {
            "contract": contract,
            "kind": kind,
            "kind_label": Protocol.Kind(kind).label,
            "title": ctx.protocol_title(kind),
            "errors": errors,
        },
    )


def _km_error(form, exc: ValidationError) -> bool:
    """Show the km rules' refusal; True when it is a jump the person may confirm."""
    codes = set()
    if hasattr(exc, "error_dict"):
        codes = {e.code for errors in exc.error_dict.values() for e in errors}
    else:
        codes = {e.code for e in exc.error_list}
    codes.add(getattr(exc.__cause__, "code", None))
    form_errors_from(form, exc)
    return bool(codes & KM_JUMP_CODES)


def _submitted_redirect(request: TenantRequest, pk):
    """An old link to a step of a protocol submitted meanwhile leads to its read-only page."""
    protocol = selectors.protocol_get(membership=request.membership, pk=pk)
    if protocol.is_submitted:
        return protocol, redirect("protocols:detail", org_slug=request.organization.slug, pk=protocol.pk)
    return protocol, None


@requires("contracts.change")
def step(request: TenantRequest, org_slug, pk):
    protocol, done = _submitted_redirect(request, pk)
    if done:
        return done
    registers = list(protocol.type.registers)
    register = request.GET.get("register") or _first_open_register(protocol)
    if register == Register.DISPATCH:
        return redirect("protocols:submit", org_slug=org_slug, pk=protocol.pk)
    if register not in registers:
        raise Http404
    form = register_form(register, protocol, request.POST if request.method == "POST" else None)
    ask_km = False
    if request.method == "POST" and form.is_valid():
        try:
            protocol = capture.protocol_register_save(
                actor=request.membership, protocol=protocol, register=register, data=form.cleaned_data
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You do not have the permission for this."))
        except ValidationError as exc:
            ask_km = _km_error(form, exc)
        else:
            return redirect(_step_url(org_slug, protocol, _next_register(protocol, register)))
    return render_step(request, protocol, register, form=form, ask_km=ask_km)


def render_step(request: TenantRequest, protocol: Protocol, register: str, *, form=None, ask_km=False, **forms):
    context = ctx.step_context(request, protocol, register, forms)
    context.update(form=form or register_form(register, protocol), ask_km=ask_km)
    return render(request, "protocols/capture/step.html", context)


@require_POST
@requires("contracts.change")
def photo_add(request: TenantRequest, org_slug, pk):
    protocol = _draft(request, pk)
    view = request.POST.get("view", "")
    if view not in ctx.PHOTO_VIEWS:
        messages.error(request, _("Choose the side of the vehicle the photo shows."))
        return redirect(_step_url(org_slug, protocol, Register.CONDITION))
    form = PhotoForm(request.POST, request.FILES, view=view)
    if form.is_valid():
        try:
            capture.protocol_photo_add(
                actor=request.membership, protocol=protocol, view=view, image=form.cleaned_data["photo"][0]
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You do not have the permission for this."))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The photo has been added."))
            return redirect(_step_url(org_slug, protocol, Register.CONDITION) + f"#view-{view}")
    return render_step(request, protocol, Register.CONDITION, photo_forms={view: form})


@require_POST
@requires("contracts.change")
def photo_delete(request: TenantRequest, org_slug, pk):
    photo = selectors.protocol_photo_get(membership=request.membership, pk=pk)
    protocol = photo.protocol
    try:
        capture.protocol_photo_delete(actor=request.membership, photo=photo)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The photo has been removed."))
    if protocol.is_submitted:
        return redirect("protocols:detail", org_slug=org_slug, pk=protocol.pk)
    return redirect(_step_url(org_slug, protocol, Register.CONDITION) + f"#view-{photo.view}")


@require_POST
@requires("contracts.change")
def damage_add(request: TenantRequest, org_slug, pk):
    protocol = _draft(request, pk)
    form = DamageAddForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            capture.protocol_damage_add(
                actor=request.membership,
                protocol=protocol,
                area=data["area"],
                description=data["description"],
                severity=data["severity"],
                view=data["view"],
                x=data["x"],
                y=data["y"],
                photos=data["photos"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You do not have the permission for this."))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The damage has been recorded."))
            return redirect(_step_url(org_slug, protocol, Register.DAMAGE) + "#new-damages")
    return render_step(request, protocol, Register.DAMAGE, damage_form=form)


@require_POST
@requires("contracts.change")
def damage_remove(request: TenantRequest, org_slug, pk, finding_pk):
    protocol = _draft(request, pk)
    finding = ctx.finding_of(protocol, finding_pk)
    try:
        capture.protocol_damage_remove(actor=request.membership, finding=finding)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The damage has been removed from this protocol."))
    return redirect(_step_url(org_slug, protocol, Register.DAMAGE) + "#new-damages")


@require_POST
@requires("contracts.change")
def signature_save(request: TenantRequest, org_slug, pk, role):
    protocol = _draft(request, pk)
    form = SignatureForm(request.POST, role=role)
    if form.is_valid():
        try:
            capture.protocol_signature_save(
                actor=request.membership,
                protocol=protocol,
                role=role,
                signer_name=form.cleaned_data["signer_name"],
                image=form.cleaned_data["image"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You do not have the permission for this."))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The signature has been saved."))
            return redirect(_step_url(org_slug, protocol, Register.SIGNATURE) + f"#signature-{role}")
    return render_step(request, protocol, Register.SIGNATURE, signature_forms={role: form})


SIGNATURE_ROLES = tuple(ProtocolSignature.Role.values)


@requires("contracts.change")
def submit(request: TenantRequest, org_slug, pk):
    protocol, done = _submitted_redirect(request, pk)
    if done:
        return done
    errors: list[str] = []
    if request.method == "POST":
        try:
            protocol = capture.protocol_submit(actor=request.membership, protocol=protocol)
        except (ValidationError, PermissionDenied) as exc:
            errors = list(getattr(exc, "messages", None) or [str(exc)])
        else:
            messages.success(
                request,
                _("The protocol has been completed. The customer receives it by e-mail.")
                if protocol.kind != Protocol.Kind.INTERIM
                else _("The protocol has been completed."),
            )
            return redirect("protocols:detail", org_slug=org_slug, pk=protocol.pk)
    context = ctx.summary_context(request, protocol)
    context.update(
        steps=ctx.steps(protocol, Register.DISPATCH, org_slug),
        missing=capture.protocol_missing(protocol=protocol),
        errors=errors,
    )
    return render(request, "protocols/capture/submit.html", context)


@requires("contracts.change")
def discard(request: TenantRequest, org_slug, pk):
    """Ask first (GET changes nothing); the POST throws the draft away with what it entered."""
    protocol, done = _submitted_redirect(request, pk)
    if done:
        return done
    errors: list[str] = []
    if request.method == "POST":
        try:
            capture.protocol_discard(actor=request.membership, protocol=protocol)
        except (ValidationError, PermissionDenied) as exc:
            errors = list(getattr(exc, "messages", None) or [str(exc)])
        else:
            messages.success(request, _("The draft has been discarded."))
            return redirect("contracts:detail", org_slug=org_slug, pk=protocol.contract_id)
    context = {
        "protocol": protocol,
        "contract": protocol.contract,
        "vehicle": protocol.vehicle,
        "title": ctx.protocol_title(protocol.kind),
        "errors": errors,
    }
    return render(request, "protocols/capture/discard.html", context)


@requires("contracts.view")
def detail(request: TenantRequest, org_slug, pk):
    protocol = selectors.protocol_get(membership=request.membership, pk=pk)
    context = ctx.summary_context(request, protocol)
    if not protocol.is_submitted:
        context["continue_url"] = _step_url(org_slug, protocol, _first_open_register(protocol))
    return render(request, "protocols/detail.html", context)
