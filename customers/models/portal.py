"""Portal accounts: customers' own logins, kept apart from staff users (rentoffice.User)."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.models import Organization

from .customer import Customer


class CustomerAccount(models.Model):
    """One portal login per customer and organization (e-mail + password + operator code)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="portal_accounts")
    email = models.EmailField(_("e-mail"))
    password = models.CharField(max_length=128, blank=True)
    # Only the hash of the emailed token is stored; the link works once and until token_expires_at.
    token_hash = models.CharField(max_length=128, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    password_set_at = models.DateTimeField(_("password set"), null=True, blank=True)
    last_login = models.DateTimeField(_("last login"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["email"]
        verbose_name = _("portal access")
        verbose_name_plural = _("portal accesses")
        constraints = [
            models.UniqueConstraint(fields=["organization", "customer"], name="uniq_portal_account_customer"),
            models.UniqueConstraint(fields=["organization", "email"], name="uniq_portal_account_email"),
        ]

    def __str__(self) -> str:
        return self.email

    def set_password(self, raw: str | None) -> None:
        self.password = make_password(raw)

    def check_password(self, raw: str) -> bool:
        return bool(self.password) and check_password(raw, self.password)

    @property
    def has_password(self) -> bool:
        return bool(self.password) and not self.password.startswith("!")
