"""Every read of the tree starts from the scoping rule."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, QuerySet
from django.db.models.functions import Left, Length
from django.db.models.lookups import Exact

from apps.organizations.models import Organization, Position, Title
from apps.organizations.scoping import scoped, with_ancestors


def organization_list(*, user) -> QuerySet[Organization]:
    """The caller's subtree, in tree order."""
    return scoped(Organization.objects.all(), user).order_by("path")


def organization_readable(*, user) -> QuerySet[Organization]:
    """The caller's subtree and its ancestors (read-only): what a detail may show."""
    return with_ancestors(Organization.objects.all(), user).order_by("path")


def position_list(*, user) -> QuerySet[Position]:
    return scoped(Position.objects.select_related("organization", "kind"), user)


def title_list(*, user) -> QuerySet[Title]:
    return scoped(Title.objects.select_related("organization", "position", "kind"), user)


def with_ancestry(queryset: QuerySet[Organization]) -> QuerySet[Organization]:
    """Annotate ``ancestry``: the names from the root down to the parent, in the same query.

    Ancestors are readable to everyone below them (the first exception of the
    scoping rule), so naming them beside a row of the subtree reveals nothing.
    """
    ancestors = (
        Organization.objects.filter(
            Exact(Left(OuterRef("path"), Length("path")), F("path")),
            depth__lt=OuterRef("depth"),
        )
        .order_by("path")
        .values("name")
    )
    return queryset.annotate(ancestry=ArraySubquery(ancestors))
