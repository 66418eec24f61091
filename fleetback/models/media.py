"""Files of a case: media (photos, videos) and attachments (quotes), and the media limits of a
dealership. The rules (pipeline, ffprobe checks, limits, drawing) live in `services/media.py`."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.models import Organization, Station

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
    # The still shown in lists: a video's poster frame, a photo's thumbnail.
    poster = models.FileField(_("poster frame"), upload_to=_case_upload_to, blank=True)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
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


class MediaLimits(models.Model):
    """What one dealership accepts per case; a dealership without a row gets the defaults."""

    DEFAULT_MAX_PHOTOS = 50
    DEFAULT_MAX_VIDEO_SECONDS = 5 * 60
    DEFAULT_MAX_CASE_VIDEO_SECONDS = 10 * 60

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    station = models.OneToOneField(Station, on_delete=models.CASCADE, related_name="fleetback_media_limits")
    max_photos = models.PositiveSmallIntegerField(
        _("photos per case"), default=DEFAULT_MAX_PHOTOS, validators=[MinValueValidator(0), MaxValueValidator(500)]
    )
    max_video_seconds = models.PositiveIntegerField(
        _("seconds per video"),
        default=DEFAULT_MAX_VIDEO_SECONDS,
        validators=[MinValueValidator(0), MaxValueValidator(3600)],
    )
    max_case_video_seconds = models.PositiveIntegerField(
        _("seconds of video per case"),
        default=DEFAULT_MAX_CASE_VIDEO_SECONDS,
        validators=[MinValueValidator(0), MaxValueValidator(4 * 3600)],
    )

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("media limits")
        verbose_name_plural = _("media limits")

    def __str__(self) -> str:
        return str(self.station)
