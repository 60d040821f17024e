"""Reading a date or a date range from a spreadsheet cell, as people copy them from Arabic reports.

Accepted, in Arabic, English or French, with Western, Eastern Arabic (٠-٩) or
Persian (۰-۹) digits:

    2024-05-29            29 مايو 2024          29 May 2024        29 mai 2024
    2024-05-29/2024-05-30 29-30 مايو 2024       27-28 December 2023
    2024مايو  30-29       (a PDF's right-to-left damage: the year glued before the
                           month, the range end-first; read as 29-30 May 2024)
    2019نوفمبر  28و  25    (25 to 28 November 2019)
    30 سبتمبر - 2 أكتوبر 2024                     2024 (a year only: xsd:gYear)

A range written end-first is put back in order. What cannot be read is an error
that says what was expected.
"""

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    # Egyptian/Gulf and Maghreb names
    "يناير": 1, "فبراير": 2, "فبرایر": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "أفريل": 4, "افريل": 4,
    "مايو": 5, "ماي": 5, "يونيو": 6, "يونيه": 6, "جوان": 6, "يوليو": 7, "يوليوز": 7, "يوليه": 7, "جويلية": 7,
    "أغسطس": 8, "اغسطس": 8, "غشت": 8, "أوت": 8, "اوت": 8, "سبتمبر": 9, "شتنبر": 9, "أكتوبر": 10, "اكتوبر": 10,
    "نوفمبر": 11, "نونبر": 11, "ديسمبر": 12, "دجنبر": 12,
    # Levantine and Iraqi names
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5, "ايار": 5, "حزيران": 6,
    "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9, "تشرين الأول": 10, "تشرين الاول": 10,
    "تشرين الثاني": 11, "كانون الأول": 12, "كانون الاول": 12,
    # English and French
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
}
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_MONTH_NAMES = sorted(MONTHS, key=len, reverse=True)  # "كانون الثاني" before "اب"
_MONTH = r"(?<!\w)(" + "|".join(re.escape(m) for m in _MONTH_NAMES) + r")(?!\w)"  # whole words only


@dataclass(frozen=True)
class DateRange:
    """The start and end of an activity: ISO dates, or years (xsd:gYear) when only a year is known."""

    start: str
    end: str

    @property
    def is_year(self) -> bool:
        return len(self.start) == 4


class DateError(ValueError):
    pass


def _normalise(text: str) -> str:
    text = text.translate(_DIGITS).replace("\u200f", " ").replace("\u200e", " ").replace("\u0640", "")
    text = re.sub(r"[–—−]", "-", text)
    text = re.sub(r"(\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)", r"\1 ", text)  # "2024مايو" -> "2024 مايو"
    text = re.sub(r"(?<=\d)\s*و\s*(?=\d)", "-", text)  # "28و 25": the two ends of a range
    text = re.sub(r"\b(du|from|le|من|بين)\b", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+(au|to|et|and|إلى|الى|حتى)\s+", "-", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip().lower()


def _month(name: str) -> int:
    return MONTHS[name]


def _day(year: int, month: int, day: int, cell: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateError(f"{cell!r}: {day} is not a day of {year}-{month:02d}") from None


def parse(cell: str) -> DateRange:
    """A cell's date or date range; raises DateError with what was expected."""
    raw = str(cell).strip()
    text = _normalise(raw)
    if not text:
        raise DateError("empty date")
    iso = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:\s*(?:/|\.\.|-)\s*(\d{4}-\d{2}-\d{2}))?", text)
    if iso:
        dates = []
        for part in filter(None, iso.groups()):
            try:
                dates.append(dt.date.fromisoformat(part))
            except ValueError:
                raise DateError(f"{raw!r}: {part} is not a date") from None
        return _ordered(dates[0], dates[-1])
    if re.fullmatch(r"\d{4}", text):
        return DateRange(text, text)
    years = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", text)
    if years:
        first, second = sorted(years.groups())
        return DateRange(first, second)
    year_match = re.search(r"\b(\d{4})\b", text)
    if not year_match:
        raise DateError(f"{raw!r}: no year (write for example 2024-05-29, or 29 مايو 2024)")
    year = int(year_match.group(1))
    rest = (text[: year_match.start()] + " " + text[year_match.end():]).strip()
    # Two months: "30 سبتمبر - 2 أكتوبر" (in either order of the two parts)
    pairs = re.findall(rf"(\d{{1,2}})\s*{_MONTH}|{_MONTH}\s*(\d{{1,2}})", rest)
    if len(pairs) == 2:
        days = [(_month(m1 or m2), int(d1 or d2)) for d1, m1, m2, d2 in pairs]
        first, second = (_day(year, m, d, raw) for m, d in days)
        return _ordered(first, second)
    months = re.findall(_MONTH, rest)
    if len(months) != 1:
        raise DateError(f"{raw!r}: no month name found (Arabic, English or French month, or write 2024-05-29)")
    month = _month(months[0])
    numbers = [int(n) for n in re.findall(r"\d{1,2}", rest.replace(months[0], " "))]
    if len(numbers) == 1:
        day = _day(year, month, numbers[0], raw)
        return DateRange(day.isoformat(), day.isoformat())
    if len(numbers) == 2:
        return _ordered(*(_day(year, month, n, raw) for n in numbers))
    raise DateError(f"{raw!r}: expected one day or a range of two days before or after the month")


def _ordered(first: dt.date, second: dt.date) -> DateRange:
    """Ranges copied from right-to-left text often stand end-first: put them back in order."""
    start, end = sorted((first, second))
    return DateRange(start.isoformat(), end.isoformat())
