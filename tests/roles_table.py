"""The tests' own copy of the Roles table in docs/roles.md, for what exists so far.

Written from the document, never read from the code under test: when the
two disagree, a test fails and one of them is wrong.
"""

DISTRICT_ADMIN, STAFF, CASE_WORKER = "district_admin", "staff", "case_worker"
STATION_OPERATOR, LEADERSHIP = "station_operator", "leadership"
ROLES = [DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR, LEADERSHIP]

# Who works in the Django admin: district staff. Stations use the API; leadership the reports.
ADMIN_SITE = {DISTRICT_ADMIN, STAFF, CASE_WORKER}

# resource → action → roles allowed (within their scope).
RIGHTS = {
    "organization": {
        "view": set(ROLES),
        "add": {DISTRICT_ADMIN},
        "change": {DISTRICT_ADMIN},
    },
    "position": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN},
        "change": {DISTRICT_ADMIN},
    },
    "title": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN},
        "change": {DISTRICT_ADMIN},
    },
    # People: every role that keeps records reads them; district admins, staff and stations
    # write them; case workers write cases and their parties only; leadership sees figures only.
    "member": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
        "change": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    # Appointments (任职) are part of people: the same rights.
    "appointment": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
        "change": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    # 三会一课: staff write them, district admins write every record; every record reader reads.
    # Deleting is writing (the admin marks a meeting deleted).
    "branchmeeting": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF},
        "change": {DISTRICT_ADMIN, STAFF},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    # A meeting's attendance is part of the 三会一课 record: the same rights.
    "branchattendance": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF},
        "change": {DISTRICT_ADMIN, STAFF},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    # Rights-protection stations and their staff: every role that keeps records reads them (a
    # station operator its own village's); district admins and staff add and change them; a
    # station is closed by its closing date, not deleted.
    "station": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF},
        "change": {DISTRICT_ADMIN, STAFF},
        "delete": set(),
    },
    # A station's staff are part of the station: the same rights.
    "stationstaff": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF},
        "change": {DISTRICT_ADMIN, STAFF},
        "delete": set(),
    },
    # Events: every record reader reads them; district admins and staff write them, and a
    # station its own village's through the API; deleting is for district admins and staff.
    "event": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
        "change": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    # An event's participant list is part of the event: the same rights.
    "eventparticipant": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
        "change": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    # Campaigns and funds: launched and recorded by district admins and staff.
    "campaign": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF},
        "change": {DISTRICT_ADMIN, STAFF},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    "fund": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF},
        "change": {DISTRICT_ADMIN, STAFF},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    # Lines of work and event categories: read by every record reader, extended by district
    # admins (of the district's root: the admin checks the level).
    "lineofwork": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN},
        "change": {DISTRICT_ADMIN},
    },
    "eventcategory": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN},
        "change": {DISTRICT_ADMIN},
    },
    # The log of ID numbers checked by roles that read them masked (docs/identity.md).
    "identitycheck": {
        "view": {DISTRICT_ADMIN},
    },
    # The annual report draft's paragraphs (docs/reports.md, The draft): district admins and
    # staff read and write them (of the district's root: the admin checks the level).
    "draftparagraph": {
        "view": {DISTRICT_ADMIN, STAFF},
        "add": {DISTRICT_ADMIN, STAFF},
        "change": {DISTRICT_ADMIN, STAFF},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    # Background jobs: every role follows its own (district admins their subtree's).
    "job": {
        "view": set(ROLES),
    },
    # Notices: every role reads its own and marks them read; nobody reads another's.
    "notice": {
        "view": set(ROLES),
        "change": set(ROLES),
    },
    # The sign-off of a period's figures (docs/reports.md, Sign-off): every role reads the
    # state of its subtree's; villages confirm (station operators, staff, administrators),
    # streets and the district sign off (staff, administrators): a POST is an "add".
    "signoff": {
        "view": set(ROLES),
        "add": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
    },
    # Cases (docs/roles.md): district admins and staff read them masked (lists and pages, never
    # a narrative or a party); case workers and station operators write them and read them in
    # full (a station only its own); leadership nothing. Never deleted: withdrawn is an outcome.
    "case": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {CASE_WORKER, STATION_OPERATOR},
        "change": {CASE_WORKER, STATION_OPERATOR},
        "delete": set(),
    },
    # Referrals, as cases: district admins and staff read them masked (no reason, no answer);
    # case workers and station operators send and answer them (a station only its own
    # organization's). Never deleted.
    "referral": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {CASE_WORKER, STATION_OPERATOR},
        "change": {CASE_WORKER, STATION_OPERATOR},
        "delete": set(),
    },
    # Women's councils (docs/councils.md): every record reader reads them; district admins and
    # staff set councils up and name their members; they and a station (its own village's,
    # through the API) record meetings and topics; deleting is for district admins and staff.
    "council": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF},
        "change": {DISTRICT_ADMIN, STAFF},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    "councilmember": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF},
        "change": {DISTRICT_ADMIN, STAFF},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    "councilmeeting": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
        "change": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    "counciltopic": {
        "view": {DISTRICT_ADMIN, STAFF, CASE_WORKER, STATION_OPERATOR},
        "add": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
        "change": {DISTRICT_ADMIN, STAFF, STATION_OPERATOR},
        "delete": {DISTRICT_ADMIN, STAFF},
    },
    "account": {
        "view": {DISTRICT_ADMIN},
        "add": {DISTRICT_ADMIN},
        "change": {DISTRICT_ADMIN},
    },
    "token": {
        "view": {DISTRICT_ADMIN},
        "add": set(),  # a device makes its own when it signs in
        "delete": {DISTRICT_ADMIN},
    },
}

# "people's full ID numbers" (and phones), on a person's own page; lists are masked for all.
IDENTITY_READERS = {DISTRICT_ADMIN, STAFF}

# "Cases are read in full by two roles only" (a station operator only its own station's).
CASE_FULL_READERS = {CASE_WORKER, STATION_OPERATOR}

PERMISSION_NAMES = {
    "organization": "organizations.{action}_organization",
    "position": "organizations.{action}_position",
    "title": "organizations.{action}_title",
    "member": "members.{action}_member",
    "appointment": "members.{action}_appointment",
    "branchmeeting": "members.{action}_branchmeeting",
    "branchattendance": "members.{action}_branchattendance",
    "identitycheck": "members.{action}_identitycheck",
    "station": "rights.{action}_station",
    "stationstaff": "rights.{action}_stationstaff",
    "event": "events.{action}_event",
    "eventparticipant": "events.{action}_eventparticipant",
    "campaign": "events.{action}_campaign",
    "fund": "events.{action}_fund",
    "lineofwork": "events.{action}_lineofwork",
    "eventcategory": "events.{action}_eventcategory",
    "draftparagraph": "reports.{action}_draftparagraph",
    "signoff": "reports.{action}_signoff",
    "job": "jobs.{action}_job",
    "notice": "notices.{action}_notice",
    "case": "rights.{action}_case",
    "referral": "rights.{action}_referral",
    "council": "councils.{action}_council",
    "councilmember": "councils.{action}_councilmember",
    "councilmeeting": "councils.{action}_meeting",
    "counciltopic": "councils.{action}_topic",
    "account": "accounts.{action}_user",
    "token": "accounts.{action}_devicetoken",
}
