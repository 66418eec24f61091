"""What the capture pages and the protocol page show: steps, the check-out state beside a check-in,
photos per view, damages on the sketch. Reads go through the selectors (or the rows they returned);
each page loads its lists with a fixed number of queries, whatever the number of photos or damages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from vehicles import selectors as vehicle_selectors
from vehicles.models import Damage
from vehicles.sketch import BOXES, markers_for

from .. import selectors
from ..forms import DamageAddForm, PhotoForm, SignatureForm
from ..models import Protocol, ProtocolFinding, ProtocolPhoto, ProtocolSignature, Register
from ..services.types import protocol_settings_get

PHOTO_VIEWS = tuple(ProtocolPhoto.View.values)
# The condition photo that shows the place of a damage drawn on one of the sketch's drawings.
SKETCH_TO_PHOTO_VIEW = {"front": "front", "rear": "rear", "left": "left", "right": "right", "top": "front"}


def protocol_title(kind: str) -> str:
    return {
        Protocol.Kind.CHECK_OUT: _("Check-out protocol"),
        Protocol.Kind.CHECK_IN: _("Check-in protocol"),
    }.get(kind, _("Interim protocol"))


@dataclass
class Step:
    register: str
    label: str
    number: int
    saved: bool
    current: bool
    url: str


@dataclass
class ViewPhotos:
    view: str
    label: str
    photos: list = field(default_factory=list)
    before: list = field(default_factory=list)
    form: PhotoForm | None = None


def steps(protocol: Protocol, current: str, org_slug: str) -> list[Step]:
    capture_url = reverse("protocols:capture", args=[org_slug, protocol.pk])
    submit_url = reverse("protocols:submit", args=[org_slug, protocol.pk])
    result = []
    for number, register in enumerate(protocol.type.registers, start=1):
        result.append(
            Step(
                register=register,
                label=Register(register).label,
                number=number,
                saved=register in protocol.saved_registers,
                current=register == current,
                url=submit_url if register == Register.DISPATCH else f"{capture_url}?register={register}",
            )
        )
    return result


def finding_of(protocol: Protocol, pk: int) -> ProtocolFinding:
    """A finding of this (already access-checked) protocol; another protocol's finding is a 404."""
    finding = protocol.findings.filter(pk=pk).select_related("damage").first()
    if finding is None:
        raise Http404
    return finding


def _findings(protocol: Protocol | None) -> list[ProtocolFinding]:
    return [] if protocol is None else selectors.protocol_findings(protocol=protocol)


def _photos_by_view(protocol: Protocol | None) -> dict[str, list[ProtocolPhoto]]:
    grouped: dict[str, list[ProtocolPhoto]] = {view: [] for view in PHOTO_VIEWS}
    if protocol is not None:
        for photo in selectors.protocol_photos(protocol=protocol):
            grouped.setdefault(photo.view, []).append(photo)
    return grouped


def _check_out_of(protocol: Protocol) -> Protocol | None:
    if protocol.kind != Protocol.Kind.CHECK_IN:
        return None
    return selectors.protocol_check_out_of(contract=protocol.contract)


def _signatures(protocol: Protocol) -> dict[str, ProtocolSignature]:
    return selectors.protocol_signatures(protocol=protocol)


def _view_photos(
    protocol: Protocol, check_out: Protocol | None, forms: dict | None = None, *, with_forms: bool = True
) -> list[ViewPhotos]:
    own, before = _photos_by_view(protocol), _photos_by_view(check_out)
    forms = forms or {}
    return [
        ViewPhotos(
            view=view,
            label=ProtocolPhoto.View(view).label,
            photos=own[view],
            before=before[view],
            form=(forms.get(view) or PhotoForm(view=view)) if with_forms else None,
        )
        for view in PHOTO_VIEWS
    ]


def _new_with_before(findings: list[ProtocolFinding], check_out_photos: dict[str, list]) -> list[dict]:
    """New findings with the check-out's photo of the same place: the two moments side by side."""
    result = []
    for finding in findings:
        damage = finding.damage
        view = "interior" if damage.area == Damage.Area.INTERIOR else SKETCH_TO_PHOTO_VIEW.get(damage.view, "")
        result.append({"finding": finding, "damage": damage, "before": check_out_photos.get(view, [])[:1]})
    return result


def _damage_context(protocol: Protocol, check_out: Protocol | None, damage_form=None) -> dict:
    findings = _findings(protocol)
    new = [f for f in findings if f.kind == ProtocolFinding.Kind.NEW]
    check_out_findings = _findings(check_out)
    # At check-in the check-out's damages are listed as its state; "known" are only the others.
    shown = {f.damage_id for f in new} | {f.damage_id for f in check_out_findings}
    known = [d for d in vehicle_selectors.vehicle_damages(vehicle=protocol.vehicle) if d.is_open and d.pk not in shown]
    return {
        "boxes": BOXES,
        "known_damages": known,
        "check_out_count": len(check_out_findings),
        "known_count": len(check_out_findings) + len(known),
        # One numbering for both lists: the known damages first, then the new ones.
        "markers": markers_for([*(f.damage for f in check_out_findings), *known, *(f.damage for f in new)]),
        "new_findings": _new_with_before(new, _photos_by_view(check_out) if check_out else {}),
        "check_out_findings": check_out_findings,
        "damage_form": damage_form or DamageAddForm(),
    }


def _signature_context(request, protocol: Protocol, forms: dict | None = None) -> dict:
    forms = forms or {}
    existing = _signatures(protocol)
    names = {
        ProtocolSignature.Role.CUSTOMER: protocol.contract.customer.display_name,
        ProtocolSignature.Role.STAFF: request.user.full_name or request.user.email,
    }
    pads = []
    for role in ProtocolSignature.Role.values:
        form = forms.get(role) or SignatureForm(role=role, initial={"signer_name": names[role]})
        pads.append({"role": role, "form": form, "signature": existing.get(role)})
    settings = protocol_settings_get(organization=request.organization)
    return {"pads": pads, "signatures_required": settings.signatures_required}


def step_context(request, protocol: Protocol, register: str, forms: dict) -> dict:
    check_out = _check_out_of(protocol)
    registers = list(protocol.type.registers)
    later = registers[registers.index(register) + 1 :]
    context = {
        "protocol": protocol,
        "contract": protocol.contract,
        "vehicle": protocol.vehicle,
        "register": register,
        "register_label": Register(register).label,
        "title": protocol_title(protocol.kind),
        "steps": steps(protocol, register, request.organization.slug),
        "check_out": check_out,
        "next_is_last": not later or later[0] == Register.DISPATCH,
    }
    if register == Register.DAMAGE:
        context.update(_damage_context(protocol, check_out, forms.get("damage_form")))
    elif register == Register.CONDITION:
        context["views"] = _view_photos(protocol, check_out, forms.get("photo_forms"))
    elif register == Register.SIGNATURE:
        context.update(_signature_context(request, protocol, forms.get("signature_forms")))
    return context


def summary_context(request, protocol: Protocol) -> dict:
    """Everything a protocol holds, with the check-out beside a check-in (submit page, protocol page)."""
    check_out = _check_out_of(protocol)
    findings = _findings(protocol)
    new = [f for f in findings if f.kind == ProtocolFinding.Kind.NEW]
    check_out_photos = _photos_by_view(check_out) if check_out else {}
    registers = set(protocol.type.registers)
    return {
        "protocol": protocol,
        "contract": protocol.contract,
        "vehicle": protocol.vehicle,
        "check_out": check_out,
        "registers": registers,
        "shows_readings": bool(registers & {Register.KM_FUEL, Register.LONG_TERM}),
        "existing_findings": [f for f in findings if f.kind == ProtocolFinding.Kind.EXISTING],
        "new_findings": _new_with_before(new, check_out_photos),
        "boxes": BOXES,
        "markers": markers_for([f.damage for f in findings]),
        "views": _view_photos(protocol, check_out, with_forms=False) if Register.CONDITION in registers else [],
        "signatures": list(_signatures(protocol).values()),
        "title": protocol_title(protocol.kind),
    }
