import datetime
import itertools

import factory

from apps.organizations import services
from apps.organizations.choices import Kind, Level, TitleStatus
from apps.organizations.models import Organization, Position, PositionKind, Title, TitleKind

_codes = itertools.count(1)


def make_org(parent: Organization | None, kind: str, name: str, **fields) -> Organization:
    """An organization made the way the system makes them: through the service."""
    return services.organization_create(
        parent=parent,
        kind=kind,
        name=name,
        code=fields.pop("code", f"T{next(_codes):06d}"),
        opened_on=fields.pop("opened_on", datetime.date(2010, 1, 1)),
        **fields,
    )


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    organization = None
    kind = factory.LazyFunction(lambda: PositionKind.objects.get(code="womens_home"))
    name = factory.Sequence(lambda n: f"妇女之家{n}")
    opened_on = datetime.date(2020, 3, 8)


class TitleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Title

    organization = None
    kind = factory.LazyFunction(lambda: TitleKind.objects.get(code="mobile_classroom_demo"))
    level = Level.CITY
    year = 2023
    status = TitleStatus.AWARDED


__all__ = ["Kind", "PositionFactory", "TitleFactory", "make_org"]
