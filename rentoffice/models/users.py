from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager, scopes_disabled

from .organizations import Organization
from .stations import Region, Station


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A staff user of the back office. Portal customers are not users (see customers.CustomerAccount)."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=10, default="de", choices=[("de", _("German")), ("en", _("English"))]
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.Model):
    """A named permission set of one organization (see rentoffice.permissions)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    permissions = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("permissions"))

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="uniq_role_key")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """Default roles keep their built-in name in every UI language unless an admin renamed them."""
        from django.utils import translation

        from ..permissions import DEFAULT_ROLES

        default = DEFAULT_ROLES.get(self.key)
        if default is not None:
            names = set()
            for code, _name in (("de", None), ("en", None)):
                with translation.override(code):
                    names.add(str(default[0]))
            if self.name in names:
                return str(default[0])
        return self.name


class DefaultGrant(models.Model):
    """A default-role grant already offered to every organization (see permissions.sync_default_roles).

    Not tenant-owned: one row per (role key, permission) for the whole installation, so a grant an
    admin removed from a role is never offered again."""

    role_key = models.SlugField(max_length=50)
    permission = models.CharField(max_length=50)
    offered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role_key", "permission"], name="uniq_default_grant")]

    def __str__(self) -> str:
        return f"{self.role_key}: {self.permission}"


class Membership(models.Model):
    """A user's access to one organization: a role and the stations it covers."""

    class Scope(models.TextChoices):
        ALL = "all", _("All stations")
        REGIONS = "regions", _("Selected regions")
        STATIONS = "stations", _("Selected stations")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    # RESTRICT: a role in use cannot be deleted on its own, but goes with its organization.
    role = models.ForeignKey(Role, on_delete=models.RESTRICT, related_name="memberships", verbose_name=_("role"))
    scope = models.CharField(_("station scope"), max_length=10, choices=Scope.choices, default=Scope.ALL)
    regions = models.ManyToManyField(Region, blank=True, related_name="memberships", verbose_name=_("regions"))
    stations = models.ManyToManyField(Station, blank=True, related_name="memberships", verbose_name=_("stations"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")
    # Set by `access.membership_resolve`: all of the user's active memberships, read with this one
    # (the organization switcher lists them); not a column.
    user_memberships: "list[Membership] | None" = None

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    def has_perm(self, permission: str) -> bool:
        return permission in self.permission_set

    @cached_property
    def permission_set(self) -> frozenset[str]:
        return frozenset(self.role.permissions)

    @cached_property
    def station_ids(self) -> frozenset[int] | None:
        """Ids of the stations this membership may see; None means every station."""
        if self.scope == self.Scope.ALL:
            return None
        # Filtered explicitly by organization, so usable outside a request's scope too.
        with scopes_disabled():
            if self.scope == self.Scope.REGIONS:
                ids = Station.objects.filter(organization_id=self.organization_id, region__in=self.regions.all())
            else:
                ids = self.stations.filter(organization_id=self.organization_id)
            return frozenset(ids.values_list("id", flat=True))

    def covers_station(self, station_id: int | None) -> bool:
        """Whether this membership may see the station (which must belong to its organization)."""
        ids = self.station_ids
        if ids is not None:
            return station_id in ids
        with scopes_disabled():
            return Station.objects.filter(pk=station_id, organization_id=self.organization_id).exists()
