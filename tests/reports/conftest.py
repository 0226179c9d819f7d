"""The reports' tests share one hand-counted district (tests/factories/reports.py)."""

import datetime

import pytest

from apps.organizations.models import TitleKind
from tests.factories.organizations import TitleFactory
from tests.factories.reports import counted_2024
from tests.registry import make_station


@pytest.fixture
def counted(tree):
    return counted_2024(tree)


@pytest.fixture
def annual_set(counted):
    """counted_2024, and titles and stations (their 2024 counted by hand in test_annual.py)."""
    titles = [
        (counted.village_a1, "mobile_classroom_demo", "city", "awarded", 2024),
        (counted.village_a1, "micro_home_demo", "district", "awarded", 2024),
        (counted.village_a1, "housekeeping_demo_station", "provincial", "applied", 2024),
        (counted.village_a2, "mobile_classroom_demo", "city", "applied", 2024),
        (counted.village_a2, "micro_home_demo", "district", "awarded", 2023),
        (counted.village_b1, "micro_home_demo", "district", "awarded", 2024),
        (counted.village_b1, "housekeeping_demo_station", "provincial", "applied", 2024),
        (counted.village_b1, "housekeeping_demo_station", "provincial", "awarded", 2024),
    ]
    for organization, kind, level, status, year in titles:
        TitleFactory(
            organization=organization,
            kind=TitleKind.objects.get(code=kind),
            level=level,
            status=status,
            year=year,
        )
    for village in (counted.village_a1, counted.village_a2, counted.village_b1):
        make_station(village, opened_on=datetime.date(2024, 1, 1))
    return counted
