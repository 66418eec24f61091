"""Login, profile, language, organization switching: pages outside any organization."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled

from ..forms import LoginForm, ProfileForm
from ..security import password_reset_allowed, set_language_cookie
from ..selectors import stations_for
from ..tenancy import STATION_FILTER_SESSION_KEY


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.cleaned_data.get("remember_me"):
            self.request.session.set_expiry(settings.SESSION_COOKIE_AGE)
        user = form.get_user()
        if settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES and user.language:
            set_language_cookie(response, user.language)
        return response


@login_required
def home(request):
    """Send the user to the organization they used last, or let them pick one."""
    with scopes_disabled():
        memberships = list(
            request.user.memberships.filter(is_active=True, organization__is_active=True).select_related("organization")
        )
    slugs = {m.organization.slug for m in memberships}
    last = request.session.get("last_org")
    if last in slugs:
        return redirect("org_dashboard", org_slug=last)
    if len(memberships) == 1:
        return redirect("org_dashboard", org_slug=memberships[0].organization.slug)
    return render(request, "rentoffice/choose_organization.html", {"memberships": memberships})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Your profile has been saved."))
        response = redirect("profile")
        set_language_cookie(response, user.language)
        return response
    return render(request, "rentoffice/profile.html", {"form": form})


def _safe_next(request, fallback: str) -> str:
    """A URL on this site to go back to. Only paths and same-host URLs: a bare word ("abc") would be
    taken by `redirect()` for a URL name, so callers wrap the result in HttpResponseRedirect."""
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or fallback
    if "\x00" in target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return fallback
    if not urlsplit(target).scheme and not target.startswith("/"):
        return fallback
    return target


@require_POST
def set_language(request):
    """Switch the UI language; logged-in staff keep the choice on their profile too."""
    language = request.POST.get("language")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    target = _safe_next(request, reverse("home"))
    # The path may carry another language's prefix in the future; today URLs are language-neutral.
    response = HttpResponseRedirect(target)
    set_language_cookie(response, language)
    translation.activate(language)
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


@login_required
@require_POST
def set_station_filter(request, org_slug):
    """Narrow the back office to one station (or all allowed ones) for this browser session."""
    choice = request.POST.get("station", "")
    filters = request.session.get(STATION_FILTER_SESSION_KEY, {})
    # covers_station() is True for any id when the membership covers all stations, so the station
    # must also be one of this organization's (a foreign id would silently empty every list).
    if choice.isdigit() and stations_for(membership=request.membership).filter(pk=int(choice)).exists():
        filters[org_slug] = int(choice)
    else:
        filters.pop(org_slug, None)
    request.session[STATION_FILTER_SESSION_KEY] = filters
    return HttpResponseRedirect(_safe_next(request, reverse("org_dashboard", kwargs={"org_slug": org_slug})))


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Setting a new password by e-mail link also lifts a brute-force lock on the account.

    The locked-out page tells people to reset their password; the link proves they own the address.
    """

    def form_valid(self, form):
        from axes.utils import reset

        response = super().form_valid(form)
        reset(username=form.user.email)
        return response


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Reset requests are counted per address and per client; beyond the limit no e-mail goes out,
    and the page looks the same (it must not tell whether an address exists)."""

    def form_valid(self, form):
        client = self.request.META.get("REMOTE_ADDR", "")
        if not password_reset_allowed(email=form.cleaned_data["email"], client=client):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
