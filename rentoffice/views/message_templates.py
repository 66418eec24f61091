"""Admins override built-in e-mail templates per language for their organization."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import TemplateSyntaxError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import message_templates as registry
from ..models import MessageTemplate
from ..tenancy import requires


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300)
    body_text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 14}))
    body_html = forms.CharField(
        label=gettext_lazy("HTML (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    def clean(self):
        data = super().clean()
        for name in ("subject", "body_text", "body_html"):
            try:
                registry.check_syntax(data.get(name) or "")
            except TemplateSyntaxError as exc:
                self.add_error(name, _("Template error: %(error)s") % {"error": exc})
        return data


@requires("templates.manage")
def template_list(request, org_slug):
    overrides = registry.overrides_for(request.organization)
    rows = [
        {"kind": kind, "languages": [(code, name, (kind.key, code) in overrides) for code, name in settings.LANGUAGES]}
        for kind in registry.kinds()
    ]
    return render(request, "rentoffice/message_template_list.html", {"rows": rows})


@requires("templates.manage")
def template_edit(request, org_slug, key, language):
    kind = registry.kind_get(key)
    if kind is None or language not in dict(settings.LANGUAGES):
        raise Http404
    override = MessageTemplate.objects.filter(
        organization=request.organization, template=key, language=language
    ).first()
    initial = (
        {"subject": override.subject, "body_text": override.body_text, "body_html": override.body_html}
        if override
        else {
            part: registry.default_source(key, f)
            for part, f in (("subject", "subject.txt"), ("body_text", "body.txt"), ("body_html", "body.html"))
        }
    )
    form = MessageTemplateForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST":
        if "reset" in request.POST:
            if override:
                override.delete()
            messages.success(request, _("The built-in template is used again."))
            return redirect("message_template_list", org_slug=org_slug)
        if form.is_valid():
            if "preview" in request.POST:
                preview = registry.preview(
                    organization=request.organization, key=key, language=language, **form.cleaned_data
                )
            else:
                MessageTemplate.objects.update_or_create(
                    organization=request.organization, template=key, language=language, defaults=form.cleaned_data
                )
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
            "placeholders": sorted(kind.sample_context),
        },
    )
