"""Admins adapt built-in e-mail texts per language for their organization."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import message_templates as registry
from .. import services
from ..forms import form_errors_from
from ..tenancy import requires


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300)
    body_text = forms.CharField(label=gettext_lazy("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 14}))

    def __init__(self, *args, kind: registry.MessageKind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean(self):
        data = super().clean()
        for name in ("subject", "body_text"):
            unknown = registry.unknown_placeholders(self.kind, data.get(name) or "")
            if unknown:
                self.add_error(
                    name,
                    _("Unknown placeholder: %(names)s") % {"names": ", ".join("{" + u + "}" for u in unknown)},
                )
        return data


@requires("templates.manage")
def template_list(request, org_slug):
    overrides = registry.overrides_for(request.organization)
    rows = [
        {"kind": kind, "languages": [(code, name, (kind.key, code) in overrides) for code, name in settings.LANGUAGES]}
        for kind in registry.kinds()
        if request.membership.has_perm(kind.permission)
    ]
    return render(request, "rentoffice/message_template_list.html", {"rows": rows})


@requires("templates.manage")
def template_edit(request, org_slug, key, language):
    kind = registry.kind_get(key)
    if kind is None or language not in dict(settings.LANGUAGES):
        raise Http404
    if not request.membership.has_perm(kind.permission):
        raise PermissionDenied  # texts carrying access links are for user managers only
    override = registry.override_get(organization=request.organization, key=key, language=language)
    if override:
        initial = {"subject": override.subject, "body_text": override.body_text}
    else:
        subject, body = registry.built_in_text(kind, language, request.organization)
        initial = {"subject": subject, "body_text": body}
    form = MessageTemplateForm(request.POST or None, initial=initial, kind=kind)
    preview = None
    if request.method == "POST":
        if "reset" in request.POST:
            services.message_template_reset(actor=request.membership, key=key, language=language)
            messages.success(request, _("The built-in template is used again."))
            return redirect("message_template_list", org_slug=org_slug)
        if form.is_valid():
            if "preview" in request.POST:
                values = {"organization_name": request.organization.name, **kind.sample}
                preview = {
                    "subject": registry.fill(form.cleaned_data["subject"], values),
                    "body_text": registry.fill(form.cleaned_data["body_text"], values),
                }
            else:
                try:
                    services.message_template_save(
                        actor=request.membership, key=key, language=language, **form.cleaned_data
                    )
                except ValidationError as exc:
                    form_errors_from(form, exc)
                else:
                    messages.success(request, _("The template has been saved."))
                    return redirect("message_template_list", org_slug=org_slug)
    return render(
        request,
        "rentoffice/message_template_edit.html",
        {
            "kind": kind,
            "language": language,
            "form": form,
            "override": override,
            "preview": preview,
            "placeholders": [("{" + name + "}", label) for name, label in kind.placeholders.items()],
        },
    )
