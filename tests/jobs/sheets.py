"""People sheets for the jobs' tests."""

import datetime

from tests.factories.identity import make_id_number
from tests.factories.xlsx import PEOPLE_HEADER, xlsx

PEOPLE = PEOPLE_HEADER


def people_sheet(organizations, count: int, *, bad_row: int | None = None) -> bytes:
    """``count`` correct people spread over ``organizations``; the row numbered ``bad_row``
    (the sheet's numbering: the first person is row 2) names an unknown organization."""
    rows = []
    for n in range(count):
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 400)
        code = organizations[n % len(organizations)].code
        if bad_row is not None and n + 2 == bad_row:
            code = "NOSUCH"
        id_number = make_id_number(born, "female", sequence=n % 400)
        rows.append([f"人{n}", "女", "汉族", id_number, "", "群众", "大专", "", "", code])
    return xlsx(PEOPLE, *rows)
