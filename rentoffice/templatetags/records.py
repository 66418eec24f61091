from django import template

from .. import panels as panel_registry

register = template.Library()


@register.inclusion_tag("rentoffice/panels/panels.html", takes_context=True)
def panels(context, record_kind: str, obj):
    """Render every panel registered for this kind of record."""
    request = context["request"]
    rendered = []
    for panel in panel_registry.panels_for(record_kind, request):
        ctx = panel.get_context(request, obj)
        rendered.append({"panel": panel, "context": ctx})
    return {"request": request, "rendered": rendered, "record_kind": record_kind, "object": obj,
            "organization": getattr(request, "organization", None), "perms_org": context.get("perms_org")}
