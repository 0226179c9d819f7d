from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    """Women's councils (妇女议事会): councils, their meetings and topics (docs/councils.md)."""

    name = "apps.councils"
    verbose_name = _("Women's councils")

    def ready(self):
        from apps.organizations.roles import RECORD_READERS, Role, grant, model_perms

        self._connect_merge_movers()
        # Every role that keeps records reads councils, their members, meetings, attendance,
        # topics and the topic categories (docs/roles.md).
        models = ("council", "councilmember", "meeting", "meetingattendance", "topic")
        for model in (*models, "topiccategory"):
            grant(RECORD_READERS, *model_perms("councils", model, "view"))
        # District admins and staff set councils up and name their members; they and a
        # station (its own village's, through the API) record meetings and topics. Deleting
        # (marking deleted) is for district admins and staff.
        admins = [Role.DISTRICT_ADMIN, Role.STAFF]
        for model in ("council", "councilmember"):
            grant(admins, *model_perms("councils", model, "add", "change", "delete"))
        for model in ("meeting", "meetingattendance", "topic"):
            grant(
                [*admins, Role.STATION_OPERATOR], *model_perms("councils", model, "add", "change")
            )
            grant(admins, *model_perms("councils", model, "delete"))
        # The topic categories are a district-wide list: extended by its root's admins.
        grant([Role.DISTRICT_ADMIN], *model_perms("councils", "topiccategory", "add", "change"))

    @staticmethod
    def _connect_merge_movers():
        """A merge of two records of one person moves what names her here (docs/merging.md)."""
        from apps.councils import services
        from apps.councils.models import CouncilMember, Meeting, MeetingAttendance, Topic
        from apps.members.signals import on_person_merged

        on_person_merged(
            services.council_people_move,
            moves=[
                (CouncilMember, "person"),
                (Meeting, "chair"),
                (Meeting, "recorder"),
                (MeetingAttendance, "person"),
                (Topic, "raised_by"),
            ],
        )
