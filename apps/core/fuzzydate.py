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
