from django import template
from django.urls import NoReverseMatch, reverse

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
        try:
            url = reverse(item.url_name, kwargs={"org_slug": membership.organization.slug})
        except NoReverseMatch:
            continue
        if item.section != current_section:
            current_section = item.section
            if item.section != "main":
                result.append({"heading": True, "label": navigation.SECTIONS[item.section][0]})
        dashboard = item.url_name == "org_dashboard"
        active = request.path == url if dashboard else request.path.startswith(url)
        result.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return result
