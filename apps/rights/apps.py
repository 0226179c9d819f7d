from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    """Rights protection (维权): stations and posts, the legal service center, information-
    collection points; and, next, the cases they receive (docs/rights.md)."""

    name = "apps.rights"
    verbose_name = _("Rights protection")

    def ready(self):
        from apps.organizations.roles import RECORD_READERS, Role, grant, model_perms

        self._connect_merge_movers()

        # Stations and their staff: every role that keeps records reads them (a station
        # operator its own village's, by the scope); district admins and staff add and change
        # them. A station is closed by its closing date, not deleted (docs/roles.md).
        for model in ("station", "stationstaff"):
            grant(RECORD_READERS, *model_perms("rights", model, "view"))
            grant([Role.DISTRICT_ADMIN, Role.STAFF], *model_perms("rights", model, "add", "change"))
        self._grant_cases()
        self._grant_deadlines()
        self._grant_referrals()
        from apps.rights import (
            admin_cases,  # noqa: F401 (registers the cases' admin)
            admin_deadlines,  # noqa: F401 (the deadline rules, overdue cases)
        )

    @staticmethod
    def _connect_merge_movers():
        """A merge of two records of one person moves her terms at stations (docs/merging.md)."""
        from apps.members.signals import on_person_merged
        from apps.rights.models import StationStaff
        from apps.rights.services.stations import station_staff_move

        on_person_merged(station_staff_move, moves=[(StationStaff, "member")])

    @staticmethod
    def _grant_cases():
        """Cases, exactly as docs/roles.md: district admins and staff read masked lists and
        pages; case workers and station operators write them and read them in full (a station
        only its own organization's: apps/rights/selectors/cases.py); leadership nothing."""
        from apps.organizations.roles import Role, grant, model_perms

        masked_readers = [Role.DISTRICT_ADMIN, Role.STAFF]
        handlers = [Role.CASE_WORKER, Role.STATION_OPERATOR]
        grant([*masked_readers, *handlers], *model_perms("rights", "case", "view"))
        grant(handlers, *model_perms("rights", "case", "add", "change"), "rights.read_case")
        # Linking a party to the same person on an earlier case: case workers only.
        grant([Role.CASE_WORKER], "rights.link_caseparty")
        # The categories are a district-wide list everyone who sees cases reads.
        grant([*masked_readers, *handlers], "rights.view_casecategory")

    @staticmethod
    def _grant_deadlines():
        """The deadline rules are a district-wide list (docs/rights.md, Deadlines): everyone
        who sees cases reads them; district admins change them (of the root: the admin checks
        the level). Escalations are written by the escalation run only."""
        from apps.organizations.roles import Role, grant, model_perms

        readers = [Role.DISTRICT_ADMIN, Role.STAFF, Role.CASE_WORKER, Role.STATION_OPERATOR]
        grant(readers, *model_perms("rights", "deadlinerule", "view"))
        grant([Role.DISTRICT_ADMIN], *model_perms("rights", "deadlinerule", "add", "change"))

    @staticmethod
    def _grant_referrals():
        """Referrals, as cases (docs/roles.md): district admins and staff read them masked
        (without the case's words); case workers and station operators send, answer and read
        them in full (a station only its own); nobody deletes one."""
        from apps.organizations.roles import Role, grant, model_perms

        handlers = [Role.CASE_WORKER, Role.STATION_OPERATOR]
        grant([Role.DISTRICT_ADMIN, Role.STAFF], *model_perms("rights", "referral", "view"))
        grant(handlers, *model_perms("rights", "referral", "view", "add", "change"))
