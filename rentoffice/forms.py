import itertools
import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from .images import ImageUploadField
from .models import Brand, Membership, OpeningException, OpeningHours, Organization, Region, Role, Station, User
from .permissions import PERMISSIONS


def form_errors_from(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class LoginForm(AuthenticationForm):
    username = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True}))
    remember_me = forms.BooleanField(label=_("Stay logged in on this device"), required=False)
    # Django's text ("Bitte E-Mail und Passwort eingeben") reads as if the fields were left empty.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The e-mail address or the password is not correct. Please check both; the password is case-sensitive."
        ),
    }

    def clean_username(self):
        # Axes counts failures per username as typed: "Admin@X" and "admin@x" must be one account,
        # or changing the case of a letter would reset the lockout.
        return self.cleaned_data["username"].strip().lower()


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "language"]


class UpperCaseField(forms.CharField):
    """Codes people type in any case (operator codes) are stored in capitals before validation."""

    def to_python(self, value):
        return super().to_python(value).upper()


class OrganizationForm(forms.ModelForm):
    stripe_secret_key = forms.CharField(
        label=_("Stripe secret key"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the current key."),
    )
    stripe_webhook_secret = forms.CharField(
        label=_("Stripe webhook secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Leave empty to keep the current secret."),
    )
    remove_stripe_keys = forms.BooleanField(
        label=_("Remove the stored Stripe keys"),
        required=False,
        help_text=_("Online payment stops until new keys are entered."),
    )
    logo = ImageUploadField(
        label=_("Logo"),
        required=False,
        multiple=False,
        help_text=_("Shown on documents and e-mails. JPEG, PNG, WebP or HEIC; leave empty to keep the current logo."),
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "operator_code",
            "street",
            "postal_code",
            "city",
            "country",
            "vat_id",
            "tax_number",
            "default_language",
            "contract_number_prefix",
            "contact_email",
            "office_email",
            "stripe_publishable_key",
            "stripe_secret_key",
            "stripe_webhook_secret",
        ]
        field_classes = {"operator_code": UpperCaseField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._old_secrets = {
            "stripe_secret_key": self.instance.stripe_secret_key,
            "stripe_webhook_secret": self.instance.stripe_webhook_secret,
        }
        for name in self._old_secrets:
            self.fields[name].initial = ""

    def clean(self):
        data = super().clean()
        for name, old in self._old_secrets.items():
            if data.get("remove_stripe_keys"):
                data[name] = ""
            elif not data.get(name):
                data[name] = old
        if data.get("remove_stripe_keys"):
            data["stripe_publishable_key"] = ""
        return data

    @property
    def logo_image(self):
        """The new logo, already re-encoded by the image pipeline, or None to keep the current one."""
        return (self.cleaned_data.get("logo") or [None])[0]


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["name"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization

    def clean_name(self):
        # Django skips unique constraints on fields the form does not have (organization), so the
        # database would refuse a duplicate with an error page instead.
        name = self.cleaned_data["name"]
        if (
            Region.objects.filter(organization=self.instance.organization, name=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(_("There is already a region with this name."))
        return name


# Model forms with a foreign key to a scoped model are built outside any scope (django-scopes).
with scopes_disabled():

    class StationForm(forms.ModelForm):
        class Meta:
            model = Station
            fields = [
                "name",
                "code",
                "region",
                "street",
                "postal_code",
                "city",
                "phone",
                "email",
                "is_active",
            ]

        brands = forms.CharField(
            label=_("Brands"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("One brand per line, in the order they are offered."),
        )
        main_brand = forms.CharField(
            label=_("Main brand"),
            required=False,
            max_length=60,
            help_text=_("The default brand of new dealer cases; empty = the first brand."),
        )

        def __init__(self, *args, organization, **kwargs):
            super().__init__(*args, **kwargs)
            self.instance.organization = organization
            self.fields["region"].queryset = Region.objects.filter(organization=organization)
            if self.instance.pk and not self.is_bound:
                # Read through the manager so an unsaved or foreign station never lists rows.
                rows = list(Brand.objects.filter(station=self.instance))
                self.initial["brands"] = "\n".join(b.name for b in rows)
                self.initial["main_brand"] = next((b.name for b in rows if b.is_main), "")

        def brand_names(self) -> list[str]:
            """The entered brands; commas separate too, as in the old single text field."""
            raw = self.cleaned_data.get("brands", "").replace(",", "\n")
            return [name.strip() for name in raw.splitlines() if name.strip()]

        def clean_code(self):
            # The (organization, code) constraint is not checked by the form (see RegionForm).
            code = self.cleaned_data["code"]
            others = Station.objects.filter(organization=self.instance.organization, code=code)
            if others.exclude(pk=self.instance.pk).exists():
                raise forms.ValidationError(_("There is already a station with this code."))
            return code


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]
        widgets = {"opens": forms.TimeInput(attrs={"type": "time"}), "closes": forms.TimeInput(attrs={"type": "time"})}

    def clean(self):
        data = super().clean()
        if data.get("opens") and data.get("closes") and data["closes"] <= data["opens"]:
            self.add_error("closes", _("Closing time must be after opening time."))
        return data


class OpeningExceptionForm(forms.ModelForm):
    class Meta:
        model = OpeningException
        fields = ["date", "closed", "opens", "closes", "note"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "opens": forms.TimeInput(attrs={"type": "time"}),
            "closes": forms.TimeInput(attrs={"type": "time"}),
        }

    def clean(self):
        data = super().clean()
        if not data.get("closed"):
            if not data.get("opens") or not data.get("closes"):
                self.add_error("opens", _("Enter the special hours or tick 'closed all day'."))
            elif data["closes"] <= data["opens"]:
                self.add_error("closes", _("Closing time must be after opening time."))
        return data


def _no_overlap(forms_with_data, key_fields):
    """Intervals of the same day must not overlap."""
    by_key: dict = {}
    for form in forms_with_data:
        key = tuple(form.cleaned_data[f] for f in key_fields)
        by_key.setdefault(key, []).append(form)
    for forms_of_day in by_key.values():
        ordered = sorted(forms_of_day, key=lambda f: f.cleaned_data["opens"])
        for before, after in itertools.pairwise(ordered):
            if after.cleaned_data["opens"] < before.cleaned_data["closes"]:
                after.add_error("opens", _("This interval overlaps another one on the same day."))


class BaseOpeningHoursFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        _no_overlap([f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")], ["weekday"])

    def intervals(self):
        return [
            (f.cleaned_data["weekday"], f.cleaned_data["opens"], f.cleaned_data["closes"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


class BaseOpeningExceptionFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            if form.cleaned_data["date"] in seen:
                form.add_error("date", _("There is already an exception for this date."))
            seen.add(form.cleaned_data["date"])

    def exceptions(self):
        result = []
        for f in self.forms:
            if f.cleaned_data and not f.cleaned_data.get("DELETE"):
                data = {k: f.cleaned_data.get(k) for k in ("date", "closed", "opens", "closes", "note")}
                if data["closed"]:
                    data["opens"] = data["closes"] = None
                data["note"] = data["note"] or ""
                result.append(data)
        return result


OpeningHoursFormSet = forms.formset_factory(OpeningHoursForm, formset=BaseOpeningHoursFormSet, extra=0, can_delete=True)
OpeningExceptionFormSet = forms.formset_factory(
    OpeningExceptionForm, formset=BaseOpeningExceptionFormSet, extra=0, can_delete=True
)


class MembershipForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=None)
    scope = forms.ChoiceField(label=_("Station scope"), choices=Membership.Scope.choices, widget=forms.RadioSelect)
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    stations = forms.ModelMultipleChoiceField(
        label=_("Stations"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, actor: Membership, **kwargs):
        """`actor` is the membership of the person granting access: only what they may hand out is offered
        (the services refuse anything else)."""
        super().__init__(*args, **kwargs)
        organization = actor.organization
        from .selectors import grantable_role_ids

        self.fields["role"].queryset = Role.objects.filter(pk__in=grantable_role_ids(membership=actor))
        self.fields["regions"].queryset = Region.objects.filter(organization=organization)
        self.fields["stations"].queryset = Station.objects.filter(organization=organization)
        if actor.station_ids is not None:
            # Someone limited to some stations can only give access to those stations.
            self.fields["scope"].choices = [(Membership.Scope.STATIONS, Membership.Scope.STATIONS.label)]
            self.fields["regions"].queryset = Region.objects.none()
            self.fields["stations"].queryset = Station.objects.filter(pk__in=actor.station_ids)


class InviteForm(MembershipForm):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Name"), max_length=150)
    language = forms.ChoiceField(label=_("Language"), choices=User._meta.get_field("language").choices)
    field_order = ["email", "full_name", "language", "role", "scope", "regions", "stations"]

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class MembershipEditForm(MembershipForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)
    managed_stations = forms.ModelMultipleChoiceField(
        label=_("May edit details and opening hours of these stations"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For station leads without the organization-wide right to manage stations."),
    )

    def __init__(self, *args, actor: Membership, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["managed_stations"].queryset = self.fields["stations"].queryset


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), choices=list(PERMISSIONS.items()), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Role
        fields = ["name", "permissions"]

    def __init__(self, *args, actor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if not self.instance.pk:
            self.instance.organization = actor.organization

    def clean_permissions(self):
        return sorted(self.cleaned_data["permissions"])


class StaffPasswordResetForm(PasswordResetForm):
    """Password reset e-mails go through the outbox like every other message."""

    def get_users(self, email):
        # Unlike Django's default, invited users who never set a password (unusable password) get a
        # link too: their invitation link expires, and "forgotten password" is their way back in.
        # The exact comparison after the database's iexact keeps Django's guard against look-alike
        # Unicode addresses (CVE-2019-19844).
        wanted = unicodedata.normalize("NFKC", email).casefold()
        users = User._default_manager.filter(email__iexact=email, is_active=True)
        return (u for u in users if unicodedata.normalize("NFKC", u.email).casefold() == wanted)

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        from .outbox import message_queue

        user = context.get("user")
        message_queue(
            organization=None,
            recipient=to_email,
            template="password_reset",
            language=getattr(user, "language", "de"),
            context=context,
            related=user,
        )
