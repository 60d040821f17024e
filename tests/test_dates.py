"""The date parser: every way a report or its damaged PDF text writes a date or a range reads back exactly."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tvetkg.dates import MONTHS, DateError, DateRange, parse

NAMES = {}
for name, number in MONTHS.items():
    NAMES.setdefault(number, []).append(name)
EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@st.composite
def ranges(draw):
    start = draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2035, 12, 31)))
    length = draw(st.integers(min_value=0, max_value=27 - start.day if start.day < 28 else 0))
    return start, start + dt.timedelta(days=length)


def _render(start, end, style, month_name, eastern, pad):
    day = (lambda d: f"{d:02d}") if pad else str
    single = start == end
    days = day(start.day) if single else f"{day(start.day)}-{day(end.day)}"
    backwards = day(start.day) if single else f"{day(end.day)}-{day(start.day)}"
    text = {
        "iso": start.isoformat() if single else f"{start.isoformat()}/{end.isoformat()}",
        "arabic": f"{days} {month_name} {start.year}",
        "end-first": f"{backwards} {month_name} {start.year}",
        "pdf": f"{start.year}{month_name}  {backwards}",  # the right-to-left damage of the report
        "pdf-and": f"{start.year}{month_name}  {day(end.day)}و  {day(start.day)}",
        "month-first": f"{month_name} {days} {start.year}",
    }[style]
    return text.translate(EASTERN) if eastern else text


@settings(max_examples=400, deadline=None)
@given(ranges(), st.sampled_from(["iso", "arabic", "end-first", "pdf", "pdf-and", "month-first"]),
       st.data(), st.booleans(), st.booleans())
def test_every_rendering_of_a_range_reads_back(bounds, style, data, eastern, pad):
    start, end = bounds
    if style == "pdf-and" and start == end:
        style = "pdf"
    month_name = data.draw(st.sampled_from(NAMES[start.month]))
    cell = _render(start, end, style, month_name, eastern, pad)
    assert parse(cell) == DateRange(start.isoformat(), end.isoformat()), cell


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2035, 12, 31)),
       st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2035, 12, 31)))
def test_ranges_across_months_and_iso_pairs_come_out_in_order(a, b):
    if a.year == b.year and a.month != b.month:
        cell = f"{a.day} {NAMES[a.month][0]} - {b.day} {NAMES[b.month][0]} {a.year}"
        assert parse(cell) == DateRange(min(a, b).isoformat(), max(a, b).isoformat())
    assert parse(f"{a.isoformat()}/{b.isoformat()}") == DateRange(min(a, b).isoformat(), max(a, b).isoformat())


@given(st.integers(min_value=1900, max_value=2100), st.integers(min_value=1900, max_value=2100))
def test_years(a, b):
    assert parse(str(a)) == DateRange(str(a), str(a))
    assert parse(f"{a}-{b}") == DateRange(str(min(a, b)), str(max(a, b)))


@pytest.mark.parametrize("cell, start, end", [
    ("2009نوفمبر  09", "2009-11-09", "2009-11-09"),
    ("2016مايو  11-09", "2016-05-09", "2016-05-11"),
    ("2019نوفمبر  28و  25", "2019-11-25", "2019-11-28"),
    ("28-27 ديسمبر 2023", "2023-12-27", "2023-12-28"),
    ("يوليو  2 2024.", "2024-07-02", "2024-07-02"),
    ("30 سبتمبر - 2 أكتوبر 2024", "2024-09-30", "2024-10-02"),
    ("du 9 au 10 janvier 2024", "2024-01-09", "2024-01-10"),
    ("تشرين الأول 22-23 2024", "2024-10-22", "2024-10-23"),
    ("2018-2017", "2017", "2018"),
])
def test_the_forms_of_the_seed_report(cell, start, end):
    assert parse(cell) == DateRange(start, end)


@pytest.mark.parametrize("cell, message", [
    ("", "empty date"), ("soon", "no year"), ("31 يونيو 2024", "not a day"), ("مايو 2024", "expected one day"),
    ("2024-13-01", "not a date"), ("29 Brumaire 2024", "no month name"),
])
def test_what_cannot_be_read_says_what_was_expected(cell, message):
    with pytest.raises(DateError, match=message):
        parse(cell)
