"""Accounts: every account belongs to one organization and has one role."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from simple_history.models import HistoricalRecords

from apps.core.validators import NOT_AVAILABLE, plain_text, username_characters
from apps.organizations.roles import ADMIN_SITE_ROLES, Role, role_has_perm, role_perms

# The roles that read cases in full: set-password links only, tokens made by their devices.
CASE_READERS = frozenset({Role.CASE_WORKER, Role.STATION_OPERATOR})
# How much of a key is shown after it was made: enough to tell two devices apart.
KEY_PREFIX_SHOWN = 8


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username, password=None, **fields):
        organization = fields.get("organization")
        if organization is not None and not isinstance(organization, models.Model):
            fields["organization_id"] = fields.pop("organization")  # createsuperuser gives a pk
        user = self.model(username=self.model.normalize_username(username), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **fields):
        """``createsuperuser`` makes a district administrator: there are no superusers here."""
        fields["role"] = Role.DISTRICT_ADMIN
        return self.create_user(username, password, **fields)


class User(AbstractBaseUser):
    """An account. What it may do is its role's rights, within its organization's subtree.

    There are no superusers, groups or per-user permissions: ``has_perm``
    reads the role's rights and nothing else, so no form can grant more.
    """

    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        validators=[username_characters],
        help_text=_("ASCII letters, digits and _ . - only."),
        error_messages={"unique": NOT_AVAILABLE},
    )
    name = models.CharField(_("name"), max_length=50, validators=[plain_text])
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    email = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_("Where notices are also sent, when the server has e-mail set up."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Unselect this instead of deleting an account.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Until when the owner has seen what others did to the account (notices at sign-in).
    notices_seen_at = models.DateTimeField(
        _("notices seen at"), null=True, blank=True, editable=False
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login", "notices_seen_at"])

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["name", "organization", "role"]
    scope_field = "organization"
    is_superuser = False  # never: the role table is the only source of rights

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["organization__path", "username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_is_known"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.username}）" if self.name else self.username

    def get_full_name(self) -> str:
        return self.name or self.username

    def get_short_name(self) -> str:
        return self.name or self.username

    @property
    def is_staff(self) -> bool:
        """Whether the account works in the Django admin (stations use the API)."""
        return self.is_active and self.role in ADMIN_SITE_ROLES

    @property
    def sees_whole_tree(self) -> bool:
        """Whether the account's subtree is the whole district (its organization is a root)."""
        return self.organization_id is not None and self.organization.depth == 1

    @property
    def reads_cases_in_full(self) -> bool:
        """Whether no admin may know this account's password or make its tokens (docs/roles.md,
        Account rules)."""
        return self.role in CASE_READERS

    def has_perm(self, perm: str, obj=None) -> bool:
        return self.is_active and role_has_perm(self.role, perm)

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and any(
            perm.startswith(f"{app_label}.") for perm in role_perms(self.role)
        )

    def get_all_permissions(self, obj=None) -> set[str]:
        return role_perms(self.role) if self.is_active else set()


class DeviceToken(AbstractAuthToken):
    """An API token of one device (django-rest-knox): only a hash of the key is stored.

    The key is shown once, when the device signs in; afterwards only its first
    characters (``prefix``). It expires 30 days after it was last used and an admin
    may revoke it (docs/api.md, Signing in).
    """

    # knox keys a token by its digest; an id keeps the admin's URLs short and the digest out.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(_("digest"), max_length=128, unique=True, editable=False)
    token_key = models.CharField(_("key (first characters)"), max_length=25, db_index=True)
    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="auth_token_set"
    )
    device = models.CharField(_("device"), max_length=50, validators=[plain_text])
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expiry = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["user__organization__path", "user__username", "-created"]

    def __str__(self):
        return f"{self.prefix}…（{self.device}）"

    @property
    def prefix(self) -> str:
        return self.token_key[:KEY_PREFIX_SHOWN]
