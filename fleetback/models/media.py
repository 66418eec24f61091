"""Files of a case: media (photos, videos) and attachments (quotes). Upload, video checks, drawing
and the zip download come next; the rows are shaped for them now (public flag, order, versions)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.models import Organization

from .cases import Case


def _case_upload_to(instance, filename: str) -> str:
    import uuid
    from pathlib import PurePosixPath

    # Random names: a stored path never tells what it shows or whose case it belongs to.
    return f"fleetback/{instance.organization_id}/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()[:8]}"


class Medium(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Video")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=_case_upload_to)
    poster = models.FileField(_("poster frame"), upload_to=_case_upload_to, blank=True)
    # A drawn-on photo is a new medium pointing to the one it was drawn on; the original stays.
    original = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="versions")
    is_public = models.BooleanField(_("visible to the customer"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["case", "position", "pk"]
        verbose_name = _("medium")
        verbose_name_plural = _("media")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.position + 1}"


class Attachment(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_case_upload_to)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_public = models.BooleanField(_("visible to the customer"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["case", "position", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
