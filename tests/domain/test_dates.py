import datetime as dt

import pytest

from branchdesk.domain.dates import AmbiguousDate, PartialDate, parse_date_text, parse_date_value


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2019-07-01", "2019-07-01"),
        ("2019/7/1", "2019-07-01"),
        ("2019.07.01", "2019-07-01"),
        ("2019年7月1日", "2019-07-01"),
        ("20190701", "2019-07-01"),
        ("2019.07", "2019-07"),
        ("2019年7月", "2019-07"),
        ("２０１９．０７．０１", "2019-07-01"),
        (" 2019-10-01 00:00:00", "2019-10-01"),
    ],
)
def test_dates_as_people_type_them(text, expected):
    assert parse_date_text(text).iso() == expected


@pytest.mark.parametrize("text", ["2019-02-30", "七月一日", "2019-13", "19"])
def test_unreadable_dates_are_refused_in_chinese(text):
    with pytest.raises(ValueError) as info:
        parse_date_text(text)
    assert "日期" in str(info.value)


def test_cell_values():
    assert parse_date_value(dt.datetime(2019, 7, 1, 0, 0)).iso() == "2019-07-01"
    assert parse_date_value(43739).iso() == "2019-10-01"  # serial, 1900 system
    assert parse_date_value(43739, date1904=True).iso() == "2023-10-02"
    assert parse_date_value(20191001).iso() == "2019-10-01"
    assert parse_date_value(2019.07).iso() == "2019-07"
    assert parse_date_value(None) is None
    assert parse_date_value("  ") is None


def test_a_float_that_lost_its_trailing_zero_is_never_guessed():
    with pytest.raises(AmbiguousDate) as info:
        parse_date_value(2019.1)
    assert "无法确定月份" in str(info.value)


def test_month_precision_orders_and_compares_by_first_day():
    month = PartialDate(2019, 7)
    assert month.month_only and month.first_day() == dt.date(2019, 7, 1)
    assert PartialDate.from_iso(month.iso()) == month
    assert PartialDate.from_iso("2019-07-15") == PartialDate(2019, 7, 15)
