"""Reads of a case's media and attachments. The case comes from `selectors.case_get` (scoped to
the member) or from a customer's token, so these only ever look inside that one case."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from rentoffice.models import Membership, Station
from rentoffice.selectors import stations_for

from .models import Attachment, Case, MediaLimits, Medium
from .services.media import limits_for


def media_of(case: Case) -> list[Medium]:
    """The current media (nobody drew on them) in the case's order, with the original each replaced."""
    return list(
        Medium.objects.filter(case=case, versions__isnull=True).select_related("original").order_by("position", "pk")
    )


def all_media_of(case: Case) -> QuerySet[Medium]:
    """Every medium of the case, kept originals included (the zip)."""
    return Medium.objects.filter(case=case).order_by("position", "pk")


def public_media_of(case: Case) -> list[Medium]:
    return [m for m in media_of(case) if m.is_public]


def medium_get(*, case: Case, pk: int, public_only: bool = False) -> Medium:
    qs = Medium.objects.filter(case=case, pk=pk)
    if public_only:
        qs = qs.filter(is_public=True, versions__isnull=True)
    medium = qs.select_related("case", "case__station").first()
    if medium is None:
        raise Http404
    return medium


def attachments_of(case: Case, *, public_only: bool = False) -> list[Attachment]:
    qs = Attachment.objects.filter(case=case)
    if public_only:
        qs = qs.filter(is_public=True)
    return list(qs.order_by("position", "pk"))


def attachment_get(*, case: Case, pk: int, public_only: bool = False) -> Attachment:
    qs = Attachment.objects.filter(case=case, pk=pk)
    if public_only:
        qs = qs.filter(is_public=True)
    attachment = qs.select_related("case").first()
    if attachment is None:
        raise Http404
    return attachment


def media_limits_of_stations(*, membership: Membership) -> list[tuple[Station, MediaLimits]]:
    stations = list(stations_for(membership=membership).order_by("name"))
    found = {m.station_id: m for m in MediaLimits.objects.filter(station__in=stations)}
    return [(s, found.get(s.pk) or MediaLimits(organization_id=s.organization_id, station=s)) for s in stations]


def station_for_limits(*, membership: Membership, pk: int) -> tuple[Station, MediaLimits]:
    station = stations_for(membership=membership).filter(pk=pk).first()
    if station is None:
        raise Http404
    return station, limits_for(station=station)
