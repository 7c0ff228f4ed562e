"""Dates known to a year, a month or a day: '1956', '1956-11', '1956-11-05'.

Stored as a DateField holding the first day of the period plus a precision field, so that
they sort and filter as dates while keeping what is actually known.
"""

import calendar
import datetime
import re

from django.db import models


class DatePrecision(models.TextChoices):
    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"


_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse(text):
    """Return (date, precision) for '1956', '1956-11' or '1956-11-05'; raise ValueError."""
    match = _PATTERN.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD.")
    year, month, day = match.groups()
    if day:
        return datetime.date(int(year), int(month), int(day)), DatePrecision.DAY
    if month:
        return datetime.date(int(year), int(month), 1), DatePrecision.MONTH
    return datetime.date(int(year), 1, 1), DatePrecision.YEAR


def to_text(date, precision):
    """The inverse of parse(): the ISO form at the stored precision."""
    if date is None:
        return None
    if precision == DatePrecision.YEAR:
        return f"{date.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()


def display(date, precision):
    """Human form: '1956', 'November 1956', '5 November 1956'."""
    if date is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(date.year)
    if precision == DatePrecision.MONTH:
        return f"{calendar.month_name[date.month]} {date.year}"
    return f"{date.day} {calendar.month_name[date.month]} {date.year}"


def latest(date, precision):
    """The last day the fuzzy date could mean (for 'end before start' checks)."""
    if precision == DatePrecision.YEAR:
        return datetime.date(date.year, 12, 31)
    if precision == DatePrecision.MONTH:
        return datetime.date(
            date.year, date.month, calendar.monthrange(date.year, date.month)[1]
        )
    return date


def display_range(start, start_precision, end, end_precision):
    """'1994' rather than '1994\u20131994'; 'August\u2013October 1992'; 'August 1992
    (ended the same year)'; otherwise 'start\u2013end'."""
    end_text = display(end, end_precision)
    if start is None:
        return end_text
    start_text = display(start, start_precision)
    if start_text == end_text:
        return start_text
    if start.year != end.year:
        return f"{start_text}\u2013{end_text}"
    if end_precision == DatePrecision.YEAR:
        if start_precision == DatePrecision.YEAR:
            return start_text
        return f"{start_text} (ended the same year)"
    if start_precision == DatePrecision.YEAR:
        return f"{start_text}\u2013{end_text}"
    # Same year, both to a month or day: say the year once.
    head = start_text.removesuffix(f" {start.year}")
    return f"{head}\u2013{end_text}"
