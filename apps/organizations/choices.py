from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DISTRICT = "district", _("District federation")
    STREET = "street", _("Street/township federation")
    VILLAGE = "village", _("Village/community federation")
    COMMITTEE = "committee", _("Women's committee")


class Sector(models.TextChoices):
    """Where a women's committee sits; blank for the federations themselves."""

    ORGAN = "organ", _("Government organ")
    ENTERPRISE = "enterprise", _("Enterprise")
    NEW_ECONOMY = "new_economy", _("New forms of employment")


# Which kind of organization may sit under which. A district is a root.
ALLOWED_PARENT_KINDS: dict[str, frozenset[str]] = {
    Kind.DISTRICT: frozenset(),
    Kind.STREET: frozenset({Kind.DISTRICT}),
    Kind.VILLAGE: frozenset({Kind.STREET}),
    Kind.COMMITTEE: frozenset({Kind.DISTRICT, Kind.STREET, Kind.VILLAGE}),
}


class Level(models.TextChoices):
    DISTRICT = "district", _("District level")
    CITY = "city", _("City level")
    PROVINCIAL = "provincial", _("Provincial level")
    NATIONAL = "national", _("National level")


class TitleStatus(models.TextChoices):
    APPLIED = "applied", _("Applied for")
    AWARDED = "awarded", _("Awarded")
    REVOKED = "revoked", _("Revoked")
