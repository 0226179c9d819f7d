"""The one scoping rule: an account sees only its own organization's subtree.

Every read in the admin, the API, the reports and the exports starts from
``scoped()``. The two exceptions docs/scoping.md names are separate functions,
each used where that page allows it and nowhere else:

- ``with_ancestors()``: read (never change) the ancestors' records;
- ``with_referrals()``: read a record referred to the account's subtree.

A model says where its organization is with ``scope_field`` (``""`` for
the organization itself); a model of a third-party app is registered with
``register_scope()``. A model with neither is refused, never shown whole.
The rule in words: docs/scoping.md.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet

from apps.core.actors import SYSTEM

_registered: dict[type[Model], str] = {}


def register_scope(model: type[Model], field: str) -> None:
    """Say where a third-party model's organization is, e.g. ``"user__organization"``."""
    _registered[model] = field


def scope_field(model: type[Model]) -> str:
    model = model._meta.concrete_model
    if model in _registered:
        return _registered[model]
    field = getattr(model, "scope_field", None)
    if field is None:
        raise ImproperlyConfigured(f"{model.__name__} has no scope_field: it cannot be scoped.")
    return field


def has_scope(model: type[Model]) -> bool:
    try:
        scope_field(model)
    except ImproperlyConfigured:
        return False
    return True


def _path_lookup(model: type[Model], lookup: str) -> str:
    field = scope_field(model)
    return f"{field}__path__{lookup}" if field else f"path__{lookup}"


def _organization_of(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return user.organization


def scoped(queryset: QuerySet, user) -> QuerySet:
    """Limit ``queryset`` to the records of ``user``'s organization and everything below it.

    ``SYSTEM`` (a command, the demo loader) sees the whole tree; ``None`` sees nothing.
    """
    scope_field(queryset.model)  # refuse a model that cannot be scoped, even for SYSTEM
    if user is SYSTEM:
        return queryset
    organization = _organization_of(user)
    if organization is None:
        return queryset.none()
    return queryset.filter(**{_path_lookup(queryset.model, "startswith"): organization.path})


def with_ancestors(queryset: QuerySet, user) -> QuerySet:
    """Exception one: the subtree plus what the account's ancestors hold, to read only."""
    if user is SYSTEM:
        return queryset
    organization = _organization_of(user)
    if organization is None:
        return queryset.none()
    model = queryset.model
    return queryset.filter(
        Q(**{_path_lookup(model, "startswith"): organization.path})
        | Q(**{_path_lookup(model, "in"): organization.ancestor_paths()})
    )


def with_referrals(
    queryset: QuerySet, user, *, target: str, status: str, readable_statuses, until: Q | None = None
) -> QuerySet:
    """Exception two: the subtree plus records referred to it, while the referral allows.

    ``target`` and ``status`` name the referral's target organization and
    status from the record (``"referrals__target"``, ``"referrals__status"``).
    ``until``, when given, is what the referred record itself must still be
    for the referral to open it (a case: not closed).
    """
    if user is SYSTEM:
        return queryset
    organization = _organization_of(user)
    if organization is None:
        return queryset.none()
    model = queryset.model
    referred = model._default_manager.filter(
        **{
            f"{target}__path__startswith": organization.path,
            f"{status}__in": list(readable_statuses),
        }
    )
    if until is not None:
        referred = referred.filter(until)
    referred = referred.values("pk")
    return queryset.filter(
        Q(**{_path_lookup(model, "startswith"): organization.path}) | Q(pk__in=referred)
    )


def in_scope(obj, user) -> bool:
    """Whether ``obj`` lies in ``user``'s subtree: ``scoped()`` asked of one saved record."""
    model = obj._meta.concrete_model
    return scoped(model._default_manager.filter(pk=obj.pk), user).exists()
