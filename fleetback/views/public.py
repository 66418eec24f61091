"""The customer page `/c/<token>`: no staff session, the recipient's token is the only key."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_scopes import scope

from rentoffice.images import protected_file_response

from .. import totals
from ..models import Case, Recipient, WorkItem
from ..services import answers, branding
from .public_media import public_media_context


def page_context(case: Case, recipient: Recipient | None) -> dict:
    items = list(case.items.all())
    for item in items:
        item.discount = totals.item_line(item).discount_gross
    locked = True if recipient is None else answers.answer_locked(recipient)
    return {
        "case": case,
        "recipient": recipient,
        "items": items,
        "proposed": totals.proposed(items),
        "accepted": totals.accepted(items),
        "locked": locked,
        "answered_by_other": recipient is not None and case.answered_by_id not in (None, recipient.pk),
        "public_organization": case.organization,
        "stars": range(1, 6),
        **public_media_context(case, recipient),
        **branding.brand_context(case.brand, case.organization),
    }


def _recipient(token: str) -> Recipient:
    recipient = answers.recipient_for_token(token)
    if recipient is None:
        raise Http404
    return recipient


@never_cache
@csrf_protect
def page(request, token: str):
    recipient = _recipient(token)
    # No staff session and no organization in the URL: the token's case gives the scope.
    with scope(organization=recipient.case.organization):
        return _page(request, token, recipient)


def _page(request, token: str, recipient: Recipient):
    language = recipient.contact.language
    with translation.override(language):
        errors: dict = {}
        if request.method == "POST":
            decisions = {
                item.pk: request.POST.get(f"item-{item.pk}", "")
                for item in recipient.case.items.all()
                if item.urgency in WorkItem.CHARGEABLE
            }
            raw_rating = request.POST.get("rating", "")
            # Anything but a small number becomes 0, which the service refuses with its message.
            rating = (int(raw_rating) if raw_rating.isdigit() and len(raw_rating) <= 2 else 0) if raw_rating else None
            try:
                answers.case_answer(
                    recipient=recipient,
                    decisions=decisions,
                    rating=rating,
                    comment=request.POST.get("comment", ""),
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            else:
                return redirect("fleetback_public:page", token=token)
        else:
            answers.case_open(recipient=recipient)
        context = page_context(recipient.case, recipient)
        if errors:
            for item in context["items"]:
                item.posted = request.POST.get(f"item-{item.pk}", "")
        context.update({"errors": errors, "language": language})
        response = render(request, "fleetback/public/page.html", context, status=400 if errors else 200)
    # The link is the key: never sent to other sites ("no-referrer" would make Chromium send
    # "Origin: null" with the answer, which the CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
    return response


def logo(request, token: str):
    """The brand's logo, else the organization's (the page shows one of them)."""
    recipient = _recipient(token)
    case = recipient.case
    return protected_file_response(case.brand.logo or case.organization.logo)
