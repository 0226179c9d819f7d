"""People (人员) and their appointments; 三会一课 (party-branch meetings) and their rules."""

from apps.members.models.branch import BranchAttendance, BranchMeeting, BranchMeetingMonth
from apps.members.models.duplicates import DistinctPair, DuplicateCandidate, DuplicateReason
from apps.members.models.identity_checks import IdentityCheck
from apps.members.models.people import Appointment, AppointmentQuerySet, Member
from apps.members.models.requirements import MeetingRequirement

__all__ = [
    "Appointment",
    "AppointmentQuerySet",
    "BranchAttendance",
    "BranchMeeting",
    "BranchMeetingMonth",
    "DistinctPair",
    "DuplicateCandidate",
    "DuplicateReason",
    "IdentityCheck",
    "MeetingRequirement",
    "Member",
]
