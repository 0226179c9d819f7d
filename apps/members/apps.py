from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "apps.members"
    verbose_name = _("People")

    def ready(self):
        from apps.organizations.roles import RECORD_READERS, Role, grant, model_perms

        self._connect_merge_movers()
        self._register_jobs()

        # Every role that keeps records reads people; they are written by district admins, staff
        # and stations. Case workers write cases and their parties only (docs/roles.md).
        writers = [Role.DISTRICT_ADMIN, Role.STAFF, Role.STATION_OPERATOR]
        for model in ("member", "appointment"):
            grant(RECORD_READERS, *model_perms("members", model, "view"))
            grant(writers, *model_perms("members", model, "add", "change"))
        # Full ID and phone numbers, on a person's own page (lists are always masked).
        grant([Role.DISTRICT_ADMIN, Role.STAFF], "members.view_identity")
        # Who checked which number by hand, for the admins who answer for the accounts
        # (docs/identity.md).
        grant([Role.DISTRICT_ADMIN], "members.view_identitycheck")
        for model in ("member", "appointment"):
            grant([Role.DISTRICT_ADMIN, Role.STAFF], *model_perms("members", model, "delete"))
        # 三会一课: read by every role that keeps records, written by staff and district admins.
        # Attendance is part of its meeting (the meeting page's inline): the same rights.
        for model in ("branchmeeting", "branchattendance"):
            grant(RECORD_READERS, *model_perms("members", model, "view"))
            grant(
                [Role.DISTRICT_ADMIN, Role.STAFF],
                *model_perms("members", model, "add", "change", "delete"),
            )
        # The required frequencies serve the whole district (changed at the root only: admin).
        grant(RECORD_READERS, *model_perms("members", "meetingrequirement", "view"))
        grant([Role.DISTRICT_ADMIN], *model_perms("members", "meetingrequirement", "add", "change"))

    @staticmethod
    def _register_jobs():
        """Large sheets of people and appointments are imported by a job (docs/jobs.md)."""
        from django.utils.translation import gettext_lazy as _

        from apps.jobs.kinds import register_import
        from apps.members import imports

        register_import(
            imports.PEOPLE_JOB,
            label=_("Import people from Excel"),
            importer=imports.PEOPLE,
            perm="members.add_member",
            changelist="admin:members_member_changelist",
        )
        register_import(
            imports.APPOINTMENTS_JOB,
            label=_("Import appointments from Excel"),
            importer=imports.APPOINTMENTS,
            perm="members.add_appointment",
            changelist="admin:members_appointment_changelist",
        )

    @staticmethod
    def _connect_merge_movers():
        """A merge moves the people app's own rows, and its people's files, by its signal.

        The files app is below this one and never imports it: it offers a service that moves
        any record's files, and this app connects it (docs/merging.md).
        """
        from apps.core.models import AccessLog
        from apps.files.models import Attachment
        from apps.members.models import (
            Appointment,
            BranchAttendance,
            BranchMeeting,
            DistinctPair,
            Member,
        )
        from apps.members.services import branch as branch_services
        from apps.members.services import people as services
        from apps.members.signals import kept_on_merge, on_person_merged

        on_person_merged(services.appointments_move, moves=[(Appointment, "member")])
        kept_on_merge(AccessLog, "record", why="who read which record, as it was read")
        for side in ("person_a", "person_b"):  # a decision about the two records as they were
            kept_on_merge(DistinctPair, side, why="staff found these two records two people")
        on_person_merged(services.merged_members_move, moves=[(Member, "merged_into")])
        on_person_merged(services.member_attachments_move, moves=[(Attachment, "record")])
        on_person_merged(
            branch_services.branch_meetings_move,
            moves=[(BranchMeeting, "chair"), (BranchMeeting, "recorder")],
        )
        on_person_merged(
            branch_services.branch_attendance_move, moves=[(BranchAttendance, "member")]
        )
