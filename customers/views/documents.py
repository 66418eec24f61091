"""Documents on the customer card, document/e-mail templates and the e-mail editor."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rentoffice.forms import form_errors_from
from rentoffice.images import protected_file_response
from rentoffice.tenancy import requires

from .. import selectors
from ..models import CustomerDocument, DocumentTemplate, EmailTemplate
from ..services import documents as doc_services
from ..services import emails as email_services


class DocumentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    doc_type = forms.ChoiceField(label=gettext_lazy("Document type"), choices=CustomerDocument.Type.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiFileField(forms.FileField):
    def clean(self, data, initial=None):
        if not data:
            return []
        if not isinstance(data, (list, tuple)):
            data = [data]
        return [super(MultiFileField, self).clean(d, initial) for d in data]


class EmailForm(forms.Form):
    template = forms.ModelChoiceField(label=gettext_lazy("Load template"), queryset=None, required=False)
    purpose = forms.ChoiceField(
        label=gettext_lazy("Address"),
        choices=[
            ("standard", gettext_lazy("Standard address")),
            ("invoice", gettext_lazy("Invoice address")),
            ("booking", gettext_lazy("Booking-confirmation address")),
        ],
    )
    reply_to = forms.EmailField(label=gettext_lazy("Reply-to"), required=False)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200, required=False)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 10}), required=False)
    documents = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Customer documents"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    doc_templates = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Document templates"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    uploads = MultiFileField(
        label=gettext_lazy("Attachments from your computer"),
        required=False,
        widget=MultiFileInput,
        help_text=gettext_lazy("All attachments together may be at most 20 MB."),
    )

    def __init__(self, *args, membership, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = selectors.email_templates_for(membership=membership)
        self.fields["documents"].queryset = selectors.documents_for(customer=customer)
        self.fields["doc_templates"].queryset = selectors.document_templates_for(membership=membership)

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if template:
            data["subject"] = data.get("subject") or template.subject
            data["body"] = data.get("body") or template.body
        if not data.get("subject"):
            self.add_error("subject", _("Enter a subject or load a template."))
        if not data.get("body"):
            self.add_error("body", _("Enter a text or load a template."))
        return data


@requires("customers.change")
def document_upload(request, org_slug, pk):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            doc_services.document_upload(
                customer=customer,
                upload=form.cleaned_data["file"],
                doc_type=form.cleaned_data["doc_type"],
                note=form.cleaned_data["note"],
                actor=request.membership,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The document has been uploaded."))
    else:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(problems) or _("Choose a file to upload."))
    return redirect(f"{_card_url(org_slug, customer.pk)}#panel-documents")


def _card_url(org_slug, pk):
    from django.urls import reverse

    return reverse("customers:card", kwargs={"org_slug": org_slug, "pk": pk})


@requires("customers.view")
def document_download(request, org_slug, pk, doc_pk):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    document = selectors.document_get(membership=request.membership, customer=customer, pk=doc_pk)
    return protected_file_response(
        document.file,
        download_name=document.original_name,
        as_attachment=True,
        content_type=document.content_type or "application/octet-stream",
    )


@requires("customers.change")
def document_delete(request, org_slug, pk, doc_pk):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    document = selectors.document_get(membership=request.membership, customer=customer, pk=doc_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    doc_services.document_delete(actor=request.membership, document=document)
    messages.success(request, _("The document has been deleted."))
    return redirect(f"{_card_url(org_slug, customer.pk)}#panel-documents")


@requires("customers.change")
def customer_email(request, org_slug, pk):
    customer = selectors.customer_get(membership=request.membership, pk=pk)
    form = EmailForm(request.POST or None, request.FILES or None, membership=request.membership, customer=customer)
    if request.method == "POST" and "load" in request.POST:
        # "Load template" fills subject and text for editing without sending.
        template_pk = request.POST.get("template", "")
        template = None
        if template_pk.isascii() and template_pk.isdigit() and len(template_pk) < 10:
            template = selectors.email_templates_for(membership=request.membership).filter(pk=int(template_pk)).first()
        # Attachments already chosen stay chosen (files from the computer cannot be re-filled by a
        # page; with JavaScript the template loads without a round trip and keeps them too).
        initial = _email_initial(request)
        if template:
            initial.update(template=template.pk, subject=template.subject, body=template.body)
        form = EmailForm(initial=initial, membership=request.membership, customer=customer)
    elif request.method == "POST" and "preview" in request.POST:
        form = EmailForm(initial=_email_initial(request), membership=request.membership, customer=customer)
    elif request.method == "POST" and form.is_valid():
        try:
            doc_services.customer_email_send(
                customer=customer,
                actor=request.membership,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                reply_to=form.cleaned_data["reply_to"],
                purpose=form.cleaned_data["purpose"],
                documents=list(form.cleaned_data["documents"]),
                templates=list(form.cleaned_data["doc_templates"]),
                uploads=form.cleaned_data["uploads"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The e-mail has been queued for sending."))
            return redirect("customers:card", org_slug=org_slug, pk=customer.pk)
    recipients = {p: customer.email_for(p) for p in ("standard", "invoice", "booking")}
    preview = None
    if request.method == "POST":
        # What the customer would get, with the placeholders that block sending named.
        source = _email_initial(request) if form.is_bound else form.initial
        preview = email_services.customer_email_preview(
            customer=customer, subject=source.get("subject", ""), body=source.get("body", "")
        )
    return render(
        request,
        "customers/email.html",
        {
            "customer": customer,
            "form": form,
            "preview": preview,
            "email_templates": {
                str(t.pk): {"subject": t.subject, "body": t.body}
                for t in selectors.email_templates_for(membership=request.membership)
            },
            "placeholders": doc_services.placeholder_help(),
            "recipients": recipients,
        },
    )


def _email_initial(request) -> dict:
    initial = {k: request.POST.get(k, "").replace("\x00", "") for k in ("purpose", "reply_to", "subject", "body")}
    initial.update(documents=request.POST.getlist("documents"), doc_templates=request.POST.getlist("doc_templates"))
    return initial


@requires("customers.view")
def document_template_preview(request, org_slug, template_pk):
    """PDF preview of a document template, filled for `?customer=<id>` or with placeholders left visible."""
    template = selectors.document_template_get(membership=request.membership, pk=template_pk)
    customer = None
    raw = request.GET.get("customer", "")
    if raw.isascii() and raw.isdigit():
        customer = selectors.customer_get(membership=request.membership, pk=int(raw))
    pdf = doc_services.document_template_pdf(template=template, customer=customer)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{template.name}.pdf"'
    return response


class DocumentTemplateForm(forms.ModelForm):
    class Meta:
        model = DocumentTemplate
        fields = ["name", "body_html"]
        widgets = {"body_html": forms.Textarea(attrs={"rows": 12, "class": "font-monospace"})}


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["name", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}


def _template_admin(request, org_slug, model, form_class, getter, pk, title, list_url):
    instance = model(organization=request.organization)
    if pk is not None:
        instance = getter(membership=request.membership, pk=pk)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST":
        if "delete" in request.POST and instance.pk:
            doc_services.template_delete(actor=request.membership, template=instance)
            messages.success(request, _("The template has been deleted."))
            return redirect(list_url, org_slug=org_slug)
        if form.is_valid():
            try:
                doc_services.template_save(actor=request.membership, template=form.instance)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The template has been saved."))
                return redirect(list_url, org_slug=org_slug)
    lister = selectors.document_templates_for if model is DocumentTemplate else selectors.email_templates_for
    items = lister(membership=request.membership)
    preview_url = ""
    if model is DocumentTemplate and instance.pk:
        from django.urls import reverse

        preview_url = reverse(
            "customers:document_template_preview", kwargs={"org_slug": org_slug, "template_pk": instance.pk}
        )
    return render(
        request,
        "customers/templates_admin.html",
        {
            "form": form,
            "items": items,
            "title": title,
            "list_url": list_url,
            "instance": instance,
            "preview_url": preview_url,
            "placeholders": doc_services.placeholder_help(),
        },
    )


@requires("templates.manage")
def document_templates(request, org_slug, template_pk=None):
    return _template_admin(
        request,
        org_slug,
        DocumentTemplate,
        DocumentTemplateForm,
        selectors.document_template_get,
        template_pk,
        _("Document templates"),
        "customers:document_templates",
    )


@requires("templates.manage")
def email_templates(request, org_slug, template_pk=None):
    return _template_admin(
        request,
        org_slug,
        EmailTemplate,
        EmailTemplateForm,
        selectors.email_template_get,
        template_pk,
        _("E-mail templates"),
        "customers:email_templates",
    )
