"""What the report takes from the year, never from the clock."""

import datetime as dt

from alis_nord.report import report_number
from alis_nord.vocabulary import report_date


def test_report_number_and_date_come_from_the_year():
    assert report_number(2019, 2019) == 1
    assert report_number(2020, 2019) == 2  # the second status report, sent in March 2021
    assert report_date(2020) == dt.date(2021, 3, 31)
