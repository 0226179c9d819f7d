"""The reports' tests share one hand-counted district (tests/factories/reports.py)."""

import pytest

from tests.factories.reports import counted_2024


@pytest.fixture
def counted(tree):
    return counted_2024(tree)
