"""Forms of the back office and the customer page; they only translate input (rules are in services)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from rentoffice.models import Brand, Station, User

from .models import Case, ChecklistItem, Contact, Language, PredefinedMessage, Recipient, WorkItem
from .services.cases import CaseFields, ContactFields, ItemFields

with scopes_disabled():

    class CaseForm(forms.Form):
        station = forms.ModelChoiceField(label=_("Dealership"), queryset=Station.objects.none())
        brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.none())
        module = forms.ChoiceField(label=_("Module"))
        reference = forms.CharField(
            label=_("Reference"), max_length=100, help_text=_("Repair order number, licence plate or name.")
        )
        plate = forms.CharField(label=_("Licence plate"), max_length=20, required=False)
        vin = forms.CharField(label=_("VIN"), max_length=17, required=False)
        make_model = forms.CharField(label=_("Make and model"), max_length=100, required=False)
        km = forms.IntegerField(label=_("Mileage (km)"), min_value=0, max_value=9_999_999, required=False)
        contact_salutation = forms.ChoiceField(label=_("Salutation"), choices=Contact.Salutation.choices)
        contact_title = forms.CharField(label=_("Title"), max_length=40, required=False)
        contact_first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
        contact_last_name = forms.CharField(label=_("Last name"), max_length=100)
        contact_email = forms.EmailField(label=_("E-mail"), required=False)
        contact_phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)
        contact_language = forms.ChoiceField(label=_("Language of the customer"), choices=Language.choices)
        predefined = forms.ModelChoiceField(
            label=_("Predefined message"),
            queryset=PredefinedMessage.objects.none(),
            required=False,
            help_text=_(
                "Used when the message below is empty; without a choice, the default text in the customer's language."
            ),
        )
        message = forms.CharField(
            label=_("Message to the customer"), widget=forms.Textarea(attrs={"rows": 4}), required=False
        )
        assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
        customer_waiting = forms.BooleanField(label=_("Customer is waiting in the dealership"), required=False)
        internal_message = forms.CharField(
            label=_("Internal message"), widget=forms.Textarea(attrs={"rows": 2}), required=False
        )
        contact_me = forms.BooleanField(label=_("Contact me"), required=False)
        checklist_add = forms.ModelMultipleChoiceField(
            label=_("Add from the checklist"),
            queryset=ChecklistItem.objects.none(),
            required=False,
            widget=forms.SelectMultiple(attrs={"size": 6}),
            help_text=_("The chosen items are added to the work list when you save."),
        )

        def __init__(
            self, *args, mode, stations, brands, assignees, checklist_items, predefined, default_texts=None, **kwargs
        ):
            super().__init__(*args, **kwargs)
            self.mode = mode
            self.default_texts = default_texts or {}
            self.fields["station"].queryset = stations
            self.fields["brand"].queryset = brands
            self.fields["brand"].label_from_instance = lambda b: f"{b.name} ({b.station.name})"
            self.fields["module"].choices = [(m.value, m.label) for m in Case.MODULES[mode]]
            self.fields["assignee"].queryset = assignees
            self.fields["checklist_add"].queryset = checklist_items
            self.fields["checklist_add"].label_from_instance = lambda i: f"{i.checklist.brand.name}: {i.title}"
            self.fields["predefined"].queryset = predefined
            self.fields["predefined"].label_from_instance = lambda p: f"{p.title} ({p.language})"

        def case_fields(self, items: list[ItemFields]) -> CaseFields:
            data = self.cleaned_data
            message = data["message"]
            if not message.strip() and data["predefined"]:
                message = data["predefined"].text
            elif not message.strip() and data["contact_language"] in self.default_texts:
                message = self.default_texts[data["contact_language"]].text
            extra = [ItemFields(title=i.title, price=i.price, checklist_item_id=i.pk) for i in data["checklist_add"]]
            return CaseFields(
                station=data["station"],
                brand=data["brand"],
                mode=self.mode,
                module=data["module"],
                reference=data["reference"],
                vin=data["vin"],
                plate=data["plate"],
                make_model=data["make_model"],
                km=data["km"],
                message=message,
                assignee=data["assignee"],
                customer_waiting=data["customer_waiting"],
                internal_message=data["internal_message"],
                contact_me=data["contact_me"],
                contact=ContactFields(
                    salutation=data["contact_salutation"],
                    title=data["contact_title"],
                    first_name=data["contact_first_name"],
                    last_name=data["contact_last_name"],
                    email=data["contact_email"],
                    phone=data["contact_phone"],
                    language=data["contact_language"],
                ),
                items=[*items, *extra],
            )


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Work"), max_length=200, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=WorkItem.Urgency.choices, initial="recommended")
    price = forms.DecimalField(label=_("Price"), min_value=0, max_digits=10, decimal_places=2, required=False)
    price_includes_vat = forms.TypedChoiceField(
        label=_("Price is"),
        choices=[("1", _("incl. VAT")), ("0", _("excl. VAT"))],
        coerce=lambda v: v == "1",
        initial="1",
    )
    vat_rate = forms.DecimalField(
        label=_("VAT %"), min_value=0, max_value=99, decimal_places=2, initial=Decimal("19"), required=False
    )
    discount_kind = forms.ChoiceField(label=_("Discount"), choices=WorkItem.Discount.choices, required=False)
    discount_value = forms.DecimalField(
        label=_("Discount value"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
    state = forms.ChoiceField(label=_("State"), choices=WorkItem.State.choices, initial="pending")
    response_deadline = forms.DateField(
        label=_("Answer expected by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def item(self) -> ItemFields | None:
        data = self.cleaned_data
        if not data.get("title", "").strip() or (self.can_delete_checked()):
            return None
        return ItemFields(
            title=data["title"],
            urgency=data["urgency"],
            price=data["price"] or Decimal("0"),
            price_includes_vat=data["price_includes_vat"],
            vat_rate=data["vat_rate"] if data["vat_rate"] is not None else Decimal("19"),
            discount_kind=data["discount_kind"],
            discount_value=data["discount_value"] or Decimal("0"),
            state=data["state"],
            response_deadline=data["response_deadline"],
        )

    def can_delete_checked(self) -> bool:
        return bool(self.cleaned_data.get("DELETE"))


ItemFormSet = forms.formset_factory(ItemForm, extra=1, can_delete=True, max_num=100, validate_max=True)


class ChannelRadioSelect(forms.RadioSelect):
    """Radio buttons whose refused channels (GDPR objection, no address) are shown but disabled."""

    disabled_values: frozenset[str] = frozenset()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class SendForm(forms.Form):
    channel = forms.ChoiceField(label=_("Send by"), choices=Recipient.Channel.choices, widget=ChannelRadioSelect)

    def refuse_channels(self, refusals: dict[str, str | None]) -> None:
        """Disable the channels the case's contact cannot be reached on, the reason in the label."""
        field = self.fields["channel"]
        field.choices = [(v, f"{label} – {refusals[v]}" if refusals.get(v) else label) for v, label in field.choices]
        field.widget.disabled_values = frozenset(v for v, reason in refusals.items() if reason)
        if self.initial.get("channel") in field.widget.disabled_values:
            self.initial["channel"] = next(
                (v for v, _l in field.choices if v not in field.widget.disabled_values), None
            )

    include_main_contact = forms.BooleanField(label=_("To the case's contact"), required=False, initial=True)
    extra_salutation = forms.ChoiceField(
        label=_("Salutation"), choices=[("", "—"), *Contact.Salutation.choices], required=False
    )
    extra_first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    extra_last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    extra_email = forms.EmailField(label=_("E-mail"), required=False)
    extra_phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)
    extra_language = forms.ChoiceField(label=_("Language"), choices=Language.choices, required=False)

    def extra_contacts(self) -> list[ContactFields]:
        data = self.cleaned_data
        if not data["extra_last_name"].strip():
            return []
        return [
            ContactFields(
                salutation=data["extra_salutation"] or Contact.Salutation.NONE,
                first_name=data["extra_first_name"],
                last_name=data["extra_last_name"],
                email=data["extra_email"],
                phone=data["extra_phone"],
                language=data["extra_language"] or Language.DE,
            )
        ]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(WorkItem.Decision.APPROVED, _("Approved")), (WorkItem.Decision.DECLINED, _("Declined"))],
    )
    origin = forms.ChoiceField(
        label=_("Told us by"), choices=[c for c in WorkItem.Origin.choices if c[0] != WorkItem.Origin.CUSTOMER_PAGE]
    )
    notify = forms.ChoiceField(
        label=_("Notify the customer"),
        choices=[
            ("", _("Do not notify")),
            (Recipient.Channel.EMAIL, _("By e-mail")),
            (Recipient.Channel.SMS, _("By text message")),
        ],
        required=False,
    )


class DuplicateForm(forms.Form):
    reference = forms.CharField(label=_("Reference of the new case"), max_length=100)
    module = forms.ChoiceField(label=_("Module"))

    def __init__(self, *args, mode, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [(m.value, m.label) for m in Case.MODULES[mode]]


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, delete this case and all its files for good."), required=False)


class ChecklistForm(forms.Form):
    items = forms.CharField(
        label=_("Checklist"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "One item per line: the work, then a semicolon and the price incl. VAT (e.g. “Wiper blades; 39.90”)."
        ),
    )

    def clean_items(self) -> list[tuple[str, Decimal]]:
        from decimal import InvalidOperation

        rows = []
        for number, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not line.strip():
                continue
            title, _sep, price = line.partition(";")
            try:
                amount = Decimal(price.strip().replace(",", ".") or "0")
            except InvalidOperation as exc:
                raise forms.ValidationError(_("Line %(n)s: the price is not a number.") % {"n": number}) from exc
            if not amount.is_finite():
                raise forms.ValidationError(_("Line %(n)s: the price is not a number.") % {"n": number})
            rows.append((title.strip(), amount.quantize(Decimal("0.01"))))
        return rows
