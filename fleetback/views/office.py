"""Back-office pages of dealer cases: editor, case page, send, preview, PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from rentoffice.forms import form_errors_from
from rentoffice.selectors import stations_for
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors, totals
from ..forms import (
    CaseForm,
    ChecklistForm,
    DecideForm,
    DeleteForm,
    DuplicateForm,
    ItemFormSet,
    SendForm,
)
from ..models import Case
from ..services import cases as case_services
from ..services import config, decisions, sending, texts
from ..services.notify import notify_refusal
from ..services.rights import modes_for
from ..services.status import lock_reason
from .media import media_context, print_photos

# The PDF's layout, given to WeasyPrint directly (templates carry no inline styles: CSP).
PRINT_CSS = """
body { font-family: sans-serif; font-size: 10pt; }
table { width: 100%; border-collapse: collapse; }
th, td { border-bottom: 1px solid #ccc; padding: 3pt; text-align: left; }
.num { text-align: right; }
.photos img { width: 5.5cm; margin: 0 4pt 4pt 0; }
"""

MODES = {"after-sales": Case.Mode.AFTER_SALES, "sales": Case.Mode.SALES}


def _mode(request: TenantRequest, mode: str) -> str:
    if mode not in modes_for(request.membership):
        raise PermissionDenied
    return mode


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _slug(mode: str) -> str:
    return "after-sales" if mode == Case.Mode.AFTER_SALES else "sales"


def _editor_forms(request: TenantRequest, mode: str, case: Case | None):
    membership = request.membership
    data = request.POST if request.method == "POST" else None
    initial = {}
    items_initial = []
    if case is not None:
        fields = case_services.case_fields_of(case)
        initial = {
            **{
                k: getattr(fields, k)
                for k in (
                    "station",
                    "brand",
                    "module",
                    "reference",
                    "vin",
                    "plate",
                    "make_model",
                    "km",
                    "message",
                    "assignee",
                    "customer_waiting",
                    "internal_message",
                    "contact_me",
                )
            },
            **{
                f"contact_{k}": getattr(fields.contact, k)
                for k in ("salutation", "title", "first_name", "last_name", "email", "phone", "language")
            },
        }
        items_initial = [
            {**item.__dict__, "price_includes_vat": "1" if item.price_includes_vat else "0"} for item in fields.items
        ]
    else:
        brand = selectors.brands_for(membership=membership).filter(is_main=True).first()
        initial = {"station": brand.station if brand else None, "brand": brand}
    stations = stations_for(membership=membership, include_inactive=False)
    brands = selectors.brands_for(membership=membership)
    checklist_items = selectors.checklist_items_of_brands(membership=membership, brands=brands)
    form = CaseForm(
        data,
        initial=initial,
        mode=mode,
        stations=stations,
        brands=brands,
        assignees=selectors.assignees_for(membership=membership),
        checklist_items=checklist_items,
        predefined=selectors.predefined_messages_for(membership=membership, mode=mode),
        default_texts=texts.default_texts_of(organization_id=membership.organization_id, mode=mode),
    )
    items = ItemFormSet(data, prefix="items", initial=items_initial or None)
    return form, items


def _map_item_errors(items, exc: ValidationError) -> ValidationError | None:
    """Errors the service keyed "items-<n>-<field>" go onto that row; the rest is returned."""
    if not hasattr(exc, "error_dict"):
        return exc
    rest = {}
    rows = [f for f in items.forms if f.item() is not None]
    for key, errors in exc.error_dict.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit() and int(parts[1]) < len(rows):
            rows[int(parts[1])].add_error(parts[2] if parts[2] in rows[int(parts[1])].fields else None, errors)
        else:
            rest[key] = errors
    return ValidationError(rest) if rest else None


def _editor(request: TenantRequest, org_slug: str, mode: str, case: Case | None):
    form, items = _editor_forms(request, mode, case)
    if request.method == "POST" and "add_row" in request.POST:
        # Another empty row, without saving: the same entries again plus one.
        data = request.POST.copy()
        total = int(data.get("items-TOTAL_FORMS", "0") or 0) if data.get("items-TOTAL_FORMS", "").isdigit() else 0
        data["items-TOTAL_FORMS"] = str(min(total + 1, 100))
        defaults = {"urgency": "recommended", "price_includes_vat": "1", "vat_rate": "19", "state": "pending"}
        data.update({f"items-{total}-{key}": value for key, value in defaults.items()})
        request.POST = data
        form, items = _editor_forms(request, mode, case)
        form.is_valid()
        items.is_valid()
        form.errors.clear()
        for row in items.forms:
            row.errors.clear()
    elif request.method == "POST" and form.is_valid() and items.is_valid():
        rows = [row for row in (f.item() for f in items.forms) if row is not None]
        try:
            if case is None:
                case = case_services.case_create(actor=request.membership, data=form.case_fields(rows))
            else:
                case = case_services.case_update(actor=request.membership, case=case, data=form.case_fields(rows))
        except ValidationError as exc:
            rest = _map_item_errors(items, exc)
            if rest is not None:
                form_errors_from(form, rest)
        else:
            messages.success(request, _("The case has been saved."))
            return redirect("fleetback:detail", org_slug=org_slug, pk=case.pk)
    return render(
        request,
        "fleetback/edit.html",
        {
            "form": form,
            "items": items,
            "case": case,
            "mode": mode,
            "mode_label": Case.Mode(mode).label,
            "slug": _slug(mode),
            **(media_context(case, may_change=True) if case is not None else {}),
        },
    )


@requires("cases.change")
def case_create(request: TenantRequest, org_slug: str, mode: str):
    return _editor(request, org_slug, _mode(request, mode), None)


@requires("cases.change")
def case_edit(request: TenantRequest, org_slug: str, pk: int):
    case = selectors.case_get(membership=request.membership, pk=pk)
    if not case.is_editable:
        messages.info(request, lock_reason(case))
        return redirect("fleetback:detail", org_slug=org_slug, pk=case.pk)
    return _editor(request, org_slug, case.mode, case)


def _case_context(case: Case) -> dict:
    items = selectors.items_of(case)
    return {
        "case": case,
        "items": items,
        "proposed": totals.proposed(items),
        "accepted": totals.accepted(items),
        "recipients": selectors.recipients_of(case),
        "events": selectors.events_of(case),
        "lock_reason": None if case.is_editable else lock_reason(case),
        "slug": _slug(case.mode),
    }


@requires("cases.view")
def case_detail(request: TenantRequest, org_slug: str, pk: int):
    case = selectors.case_get(membership=request.membership, pk=pk)
    context = _case_context(case)
    for recipient in context["recipients"]:
        recipient.link = sending.customer_url(recipient=recipient, base_url=_base_url(request))
    context.update(
        {
            "decide_form": DecideForm(),
            "notify_choices": [
                (value, label, notify_refusal(case, value) if value else None)
                for value, label in DecideForm.base_fields["notify"].choices
            ],
            "duplicate_form": DuplicateForm(mode=case.mode, initial={"module": case.module}),
            "may_change": request.membership.has_perm("cases.change"),
        }
    )
    context.update(media_context(case, may_change=context["may_change"]))
    return render(request, "fleetback/detail.html", context)


@requires("cases.change")
def case_send(request: TenantRequest, org_slug: str, pk: int):
    case = selectors.case_get(membership=request.membership, pk=pk)
    form = SendForm(request.POST or None, initial={"channel": "email", "include_main_contact": True})
    if request.method == "POST" and form.is_valid():
        try:
            sent = sending.case_send(
                actor=request.membership,
                case=case,
                channel=form.cleaned_data["channel"],
                base_url=_base_url(request),
                include_main_contact=form.cleaned_data["include_main_contact"],
                extra_contacts=form.extra_contacts(),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            if sent:
                messages.success(request, _("The case has been sent."))
            else:
                messages.info(request, _("Everyone chosen already holds a link; nothing was sent again."))
            return redirect("fleetback:detail", org_slug=org_slug, pk=case.pk)
    refusals = {value: sending.channel_refusal(case.contact, value) for value, _label in form.fields["channel"].choices}
    form.refuse_channels(refusals)
    return render(
        request, "fleetback/send.html", {"case": case, "form": form, "refusals": refusals, "slug": _slug(case.mode)}
    )


@requires("cases.view")
def case_preview(request: TenantRequest, org_slug: str, pk: int):
    case = selectors.case_get(membership=request.membership, pk=pk)
    from .public import page_context

    return render(request, "fleetback/public/page.html", {**page_context(case, None), "preview": True})


@requires("cases.view")
def case_pdf(request: TenantRequest, org_slug: str, pk: int):
    from weasyprint import CSS, HTML

    from customers.services.pdf import BASE_URL, OrganizationURLFetcher

    case = selectors.case_get(membership=request.membership, pk=pk)
    context = {**_case_context(case), "print_photos": print_photos(case)}
    html = render(request, "fleetback/print.html", context).content.decode()
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=OrganizationURLFetcher(case.organization)).write_pdf(
        stylesheets=[CSS(string=PRINT_CSS)]
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"case-{case.number}.pdf")
    return response


def _post_action(request: TenantRequest, org_slug: str, pk: int, run, done: str):
    case = selectors.case_get(membership=request.membership, pk=pk)  # 404 for outsiders, whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        target = run(case)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        target = case
    else:
        messages.success(request, done)
    return redirect("fleetback:detail", org_slug=org_slug, pk=target.pk)


@requires("cases.change")
def case_close(request: TenantRequest, org_slug: str, pk: int):
    return _post_action(
        request,
        org_slug,
        pk,
        lambda c: case_services.case_close(actor=request.membership, case=c),
        _("The case has been closed."),
    )


@requires("cases.change")
def case_duplicate(request: TenantRequest, org_slug: str, pk: int):
    def run(case):
        form = DuplicateForm(request.POST, mode=case.mode)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        return case_services.case_duplicate(
            actor=request.membership,
            case=case,
            reference=form.cleaned_data["reference"],
            module=form.cleaned_data["module"],
        )

    return _post_action(request, org_slug, pk, run, _("The case has been duplicated."))


@requires("cases.change")
def item_decide(request: TenantRequest, org_slug: str, pk: int, item_pk: int):
    def run(case):
        item = selectors.item_get(case=case, pk=item_pk)
        form = DecideForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose the decision and how the customer told you."))
        decisions.item_decide(actor=request.membership, item=item, **form.cleaned_data)
        return case

    selectors.item_get(case=selectors.case_get(membership=request.membership, pk=pk), pk=item_pk)
    return _post_action(request, org_slug, pk, run, _("The decision has been recorded."))


@requires("cases.change")
def recipient_revoke(request: TenantRequest, org_slug: str, pk: int, recipient_pk: int):
    def run(case):
        recipient = selectors.recipient_get(membership=request.membership, case=case, pk=recipient_pk)
        sending.recipient_revoke(actor=request.membership, recipient=recipient)
        return case

    case = selectors.case_get(membership=request.membership, pk=pk)
    selectors.recipient_get(membership=request.membership, case=case, pk=recipient_pk)
    return _post_action(request, org_slug, pk, run, _("The link has been revoked."))


@requires("cases.change")
def case_delete(request: TenantRequest, org_slug: str, pk: int):
    case = selectors.case_get(membership=request.membership, pk=pk)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_services.case_delete(actor=request.membership, case=case, confirm=form.cleaned_data["confirm"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The case has been deleted."))
            return redirect(f"fleetback:list_{case.mode}", org_slug=org_slug)
    return render(request, "fleetback/delete.html", {"case": case, "form": form, "slug": _slug(case.mode)})


@requires("cases.configure")
def checklists(request: TenantRequest, org_slug: str):
    brands = list(selectors.brands_for(membership=request.membership))
    counts = selectors.checklist_items_by_brand(membership=request.membership)
    for brand in brands:
        brand.item_count = len(counts.get(brand.pk, []))
    return render(request, "fleetback/checklists.html", {"brands": brands})


@requires("cases.configure")
def checklist_edit(request: TenantRequest, org_slug: str, pk: int):
    brand = selectors.brand_get(membership=request.membership, pk=pk)
    current = selectors.checklist_items_for(membership=request.membership, brand=brand)
    initial = "\n".join(f"{item.title}; {item.price}" for item in current)
    form = ChecklistForm(request.POST or None, initial={"items": initial})
    if request.method == "POST" and form.is_valid():
        try:
            config.checklist_save(actor=request.membership, brand=brand, items=form.cleaned_data["items"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The checklist has been saved."))
            return redirect("fleetback:checklists", org_slug=org_slug)
    return render(request, "fleetback/checklist_edit.html", {"brand": brand, "form": form})
