"""The planning board: the fleet's vehicles × days, and moving a reservation by dragging it."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rentoffice.tenancy import TenantRequest, requires
from vehicles.selectors import vehicle_get

from .. import board_bars, selectors_board
from ..forms_board import BoardFilterForm, BoardMoveForm, BoardState
from ..selectors import contract_get
from ..services.editing import contract_reschedule


@requires("contracts.view")
def board(request: TenantRequest, org_slug: str) -> HttpResponse:
    form = BoardFilterForm(request.GET or None, membership=request.membership)
    return _render(request, form.state())


@require_POST
@requires("contracts.change")
def board_move(request: TenantRequest, org_slug: str) -> HttpResponse:
    """Drop a reservation on another vehicle and/or day; the booking rules decide (nothing changes
    on a refusal, the board says why)."""
    state = BoardFilterForm(request.POST, membership=request.membership).state()
    move = BoardMoveForm(request.POST)
    if not move.is_valid():
        return _answer(request, state, _("The reservation could not be moved: the drop was not understood."))
    contract = contract_get(membership=request.membership, pk=move.cleaned_data["contract"])
    vehicle = vehicle_get(membership=request.membership, pk=move.cleaned_data["vehicle"])
    shift = dt.timedelta(days=move.cleaned_data["days"])
    # Aware datetimes in the local zone keep their wall-clock time across a change of summer time.
    starts_at = timezone.localtime(contract.starts_at) + shift
    ends_at = timezone.localtime(contract.ends_at) + shift if contract.ends_at else None
    try:
        moved = contract_reschedule(
            actor=request.membership, contract=contract, vehicle=vehicle, starts_at=starts_at, ends_at=ends_at
        )
    except (ValidationError, PermissionDenied) as exc:
        reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc) or _("You may not do this.")]
        message = _("%(number)s was not moved: %(reasons)s") % {"number": contract.number, "reasons": " ".join(reasons)}
        return _answer(request, state, message)
    message = _("%(number)s now on %(plate)s from %(start)s.") % {
        "number": moved.number,
        "plate": vehicle.plate,
        "start": date_format(timezone.localtime(moved.starts_at), "SHORT_DATETIME_FORMAT"),
    }
    return _answer(request, state, message, level="success")


def _answer(request: TenantRequest, state: BoardState, message: str, *, level: str = "danger") -> HttpResponse:
    if request.htmx:
        return _render(request, state, message=message, level=level)
    # Without JavaScript there is no drag; a plain POST (a script, a test) gets the board back.
    messages.add_message(request, messages.SUCCESS if level == "success" else messages.ERROR, message)
    return redirect(reverse("contracts:board", kwargs={"org_slug": request.organization.slug}) + "?" + state.query())


def _render(request: TenantRequest, state: BoardState, *, message: str = "", level: str = "") -> HttpResponse:
    period = board_bars.board_period(view=state.view, day=state.day)
    board_data = selectors_board.board_get(
        membership=request.membership,
        period=period,
        station_filter=request.station_filter,
        station=state.station,
        group=state.group,
    )
    today = timezone.localdate()
    # The controls show what the board shows (also where an input was invalid and fell back).
    shown = BoardFilterForm(
        {"view": state.view, "day": state.day.isoformat(), "station": state.station, "group": state.group},
        membership=request.membership,
        auto_id="board-%s",
    )
    now = board_data.now
    context = {
        "board": board_data,
        "form": shown,
        "now_place": f"bd-{now // 24} bh-{now % 24}" if now is not None else "",
        "state": state,
        "message": message,
        "message_level": level,
        "title": _period_title(period),
        "start_weekday": period.start.weekday(),
        "previous_query": state.query(day=period.previous_start().isoformat()),
        "next_query": state.query(day=period.next_start().isoformat()),
        "today_query": state.query(day=today.isoformat()),
        "week_query": state.query(view="week"),
        "month_query": state.query(view="month"),
        "shows_today": period.start <= today < period.end,
        "can_move": request.membership.has_perm("contracts.change"),
    }
    template = "contracts/board/_board.html" if request.htmx else "contracts/board/board.html"
    return render(request, template, context)


def _period_title(period: board_bars.Period) -> str:
    if period.view == "month":
        return date_format(period.start, "F Y")
    last = period.end - dt.timedelta(days=1)
    return _("Week %(week)s: %(first)s – %(last)s") % {
        "week": period.start.isocalendar().week,
        "first": date_format(period.start, "SHORT_DATE_FORMAT"),
        "last": date_format(last, "SHORT_DATE_FORMAT"),
    }
