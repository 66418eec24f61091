from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .. import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_items(context) -> list[dict]:
    request = context["request"]
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    result, current_section = [], None
    for item in navigation.items():
        if item.permission and not membership.has_perm(item.permission):
            continue
        url = _url(item.url_name, membership.organization.slug, get_script_prefix())
        if url is None:
            continue
        if item.section != current_section:
            current_section = item.section
            if item.section != "main":
                result.append({"heading": True, "label": navigation.SECTIONS[item.section][0]})
        dashboard = item.url_name == "org_dashboard"
        active = request.path == url if dashboard else request.path.startswith(url)
        result.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return result


@register.simple_tag(takes_context=True)
def sidenav_links(context) -> str:
    """The sidebar's list items, written here: the template loop over ~20 items with its lookups and
    conditions cost ~4,000 Python calls on every page (docs/performance.md, pass 4)."""
    rows = []
    for item in nav_items(context):
        label = escape(item["label"])
        if item.get("heading"):
            rows.append(
                '<li class="nav-item mt-3"><h6 class="sidebar-heading px-3 text-body-secondary text-uppercase small">'
                f"{label}</h6></li>"
            )
        else:
            active = " active fw-semibold" if item["active"] else ""
            rows.append(
                f'<li class="nav-item"><a class="nav-link{active}" href="{escape(item["url"])}">'
                f'<i class="bi bi-{escape(item["icon"])}"></i> {label}</a></li>'
            )
    return mark_safe("".join(rows))  # noqa: S308 - labels, links and icons are escaped above


@lru_cache(maxsize=4096)
def _url(url_name: str, org_slug: str, script_prefix: str) -> str | None:
    """The sidebar's ~15 links on every page, reversed once per organization (~1 ms of CPU a page)."""
    try:
        return reverse(url_name, kwargs={"org_slug": org_slug})
    except NoReverseMatch:
        return None


def _clear(*, setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":  # tests that swap the URL configuration
        _url.cache_clear()


setting_changed.connect(_clear)
