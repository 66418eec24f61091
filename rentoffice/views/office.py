"""Admin pages of an organization: settings, regions, stations, users and memberships, roles."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import (
    InviteForm,
    MembershipEditForm,
    OpeningExceptionFormSet,
    OpeningHoursFormSet,
    OrganizationForm,
    RegionForm,
    RoleForm,
    StationForm,
    form_errors_from,
)
from ..images import protected_file_response
from ..models import Station
from ..tenancy import requires


def dashboard(request, org_slug):
    # What the user sees right now: their membership's stations, narrowed by the top-bar filter.
    stations = selectors.stations_for(
        membership=request.membership, include_inactive=False, station_filter=request.station_filter
    )
    if request.membership.has_perm("stations.manage"):
        managed = {s.pk for s in stations}
    else:
        managed = {s.pk for s in services.stations_managed_by(membership=request.membership)}
    return render(request, "rentoffice/dashboard.html", {"visible_stations": stations, "managed_station_ids": managed})


@requires("organization.manage")
def organization_settings(request, org_slug):
    form = OrganizationForm(request.POST or None, request.FILES or None, instance=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_settings_save(
                actor=request.membership, organization=form.instance, logo=form.logo_image
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("organization_settings", org_slug=org_slug)
    return render(request, "rentoffice/organization_settings.html", {"form": form})


def organization_logo(request, org_slug):
    """Every member may see their organization's logo; nobody else (the tenant middleware 404s)."""
    return protected_file_response(request.organization.logo)


def _require_all_stations(request) -> None:
    """Regions are organization-wide: members limited to some stations do not reshape them."""
    if request.membership.station_ids is not None:
        raise PermissionDenied


@requires("stations.manage")
def region_list(request, org_slug):
    _require_all_stations(request)
    form = RegionForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.region_save(actor=request.membership, region=form.instance)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The region has been created."))
            return redirect("region_list", org_slug=org_slug)
    regions = selectors.regions_for(membership=request.membership)
    return render(request, "rentoffice/region_list.html", {"regions": regions, "form": form})


@requires("stations.manage")
def region_edit(request, org_slug, pk):
    _require_all_stations(request)
    region = selectors.region_get(membership=request.membership, region_id=pk)
    form = RegionForm(request.POST or None, instance=region, organization=request.organization)
    if request.method == "POST":
        if "delete" in request.POST:
            try:
                services.region_delete(actor=request.membership, region=region)
            except services.RegionInUse as exc:
                messages.error(request, str(exc))
                return redirect("region_edit", org_slug=org_slug, pk=region.pk)
            messages.success(request, _("The region has been deleted."))
            return redirect("region_list", org_slug=org_slug)
        if form.is_valid():
            try:
                services.region_save(actor=request.membership, region=form.instance)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The region has been saved."))
                return redirect("region_list", org_slug=org_slug)
    return render(request, "rentoffice/region_edit.html", {"region": region, "form": form})


@requires("stations.manage")
def station_list(request, org_slug):
    stations = selectors.stations_for(membership=request.membership)
    return render(request, "rentoffice/station_list.html", {"stations": stations})


def _station_form_page(request, org_slug, station):
    is_new = station.pk is None
    data = request.POST if request.method == "POST" else None
    form = StationForm(data, instance=station, organization=request.organization)
    hours = OpeningHoursFormSet(
        data,
        prefix="hours",
        initial=None
        if is_new
        else [{"weekday": h.weekday, "opens": h.opens, "closes": h.closes} for h in station.opening_hours.all()],
    )
    exceptions = OpeningExceptionFormSet(
        data,
        prefix="exc",
        initial=None
        if is_new
        else [
            {"date": e.date, "closed": e.closed, "opens": e.opens, "closes": e.closes, "note": e.note}
            for e in station.opening_exceptions.all()
            if e.date >= timezone.localdate()  # past exceptions stay stored but are no longer edited
        ],
    )
    if request.method == "POST" and form.is_valid() and hours.is_valid() and exceptions.is_valid():
        try:
            station = services.station_save(
                actor=request.membership,
                station=form.instance,
                opening_hours=hours.intervals(),
                exceptions=exceptions.exceptions(),
                brands=form.brand_names(),
                main_brand=form.cleaned_data["main_brand"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The station has been saved."))
            if not selectors.stations_for(membership=request.membership).filter(pk=station.pk).exists():
                # A member limited to some stations may create one outside their scope but not open it.
                return redirect("station_list", org_slug=org_slug)
            return redirect("station_edit", org_slug=org_slug, pk=station.pk)
    return render(
        request,
        "rentoffice/station_edit.html",
        {"station": station, "form": form, "hours": hours, "exceptions": exceptions, "is_new": is_new},
    )


@requires("stations.manage")
def station_create(request, org_slug):
    return _station_form_page(request, org_slug, Station(organization=request.organization))


def station_edit(request, org_slug, pk):
    # Organization-wide "stations.manage", or an object grant for this one station (django-guardian).
    station = selectors.station_get(membership=request.membership, station_id=pk)
    if not services.station_manageable(membership=request.membership, station=station):
        raise PermissionDenied
    return _station_form_page(request, org_slug, station)


@requires("users.manage")
def user_list(request, org_slug):
    memberships = selectors.memberships_for(membership=request.membership)
    return render(request, "rentoffice/user_list.html", {"memberships_list": memberships})


@requires("users.manage")
def user_invite(request, org_slug):
    form = InviteForm(request.POST or None, actor=request.membership, initial={"scope": "all"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.membership_invite(
                actor=request.membership,
                email=data["email"],
                full_name=data["full_name"],
                language=data["language"],
                role=data["role"],
                scope=data["scope"],
                regions=data["regions"],
                stations=data["stations"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The user has been added and will receive an e-mail."))
            return redirect("user_list", org_slug=org_slug)
    return render(request, "rentoffice/user_invite.html", {"form": form})


@requires("users.manage")
def membership_edit(request, org_slug, pk):
    membership = selectors.membership_get(membership=request.membership, membership_id=pk)
    form = MembershipEditForm(
        request.POST or None,
        actor=request.membership,
        initial={
            "role": membership.role,
            "scope": membership.scope,
            "regions": list(membership.regions.all()),
            "stations": list(membership.stations.all()),
            "is_active": membership.is_active,
            "managed_stations": services.stations_managed_by(membership=membership),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.membership_update(
                actor=request.membership,
                membership=membership,
                role=data["role"],
                scope=data["scope"],
                regions=data["regions"],
                stations=data["stations"],
                is_active=data["is_active"],
                managed_stations=data["managed_stations"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The membership has been saved."))
            return redirect("user_list", org_slug=org_slug)
    return render(
        request,
        "rentoffice/membership_edit.html",
        {"form": form, "member": membership, "pending": services.invitation_pending(membership.user)},
    )


@requires("users.manage")
def role_list(request, org_slug):
    roles = selectors.roles_for(membership=request.membership)
    return render(request, "rentoffice/role_list.html", {"roles": roles})


@requires("users.manage")
def role_edit(request, org_slug, pk):
    role = selectors.role_get(membership=request.membership, role_id=pk)
    if role.pk not in selectors.grantable_role_ids(membership=request.membership):
        raise PermissionDenied  # a role stronger than one's own is not edited or deleted by them
    form = RoleForm(request.POST or None, instance=role, actor=request.membership)
    if request.method == "POST" and "delete" in request.POST:
        try:
            services.role_delete(actor=request.membership, role=role)
        except services.RoleInUse as exc:
            messages.error(request, str(exc))
            return redirect("role_edit", org_slug=org_slug, pk=role.pk)
        messages.success(request, _("The role has been deleted."))
        return redirect("role_list", org_slug=org_slug)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_update(
                actor=request.membership,
                role=role,
                name=form.cleaned_data["name"],
                permissions=form.cleaned_data["permissions"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The role has been saved."))
            return redirect("role_list", org_slug=org_slug)
    return render(request, "rentoffice/role_edit.html", {"role": role, "form": form})


@requires("users.manage")
def role_create(request, org_slug):
    form = RoleForm(request.POST or None, actor=request.membership)
    if request.method == "POST" and form.is_valid():
        try:
            role = services.role_create(
                actor=request.membership, name=form.cleaned_data["name"], permissions=form.cleaned_data["permissions"]
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The role has been created."))
            return redirect("role_edit", org_slug=org_slug, pk=role.pk)
    return render(request, "rentoffice/role_edit.html", {"role": None, "form": form})


@requires("users.manage")
@require_POST
def membership_resend(request, org_slug, pk):
    membership = selectors.membership_get(membership=request.membership, membership_id=pk)
    try:
        services.membership_invitation_resend(
            actor=request.membership, membership=membership, base_url=request.build_absolute_uri("/")
        )
    except services.InvitationNotPending as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The invitation has been sent again."))
    return redirect("membership_edit", org_slug=org_slug, pk=membership.pk)
