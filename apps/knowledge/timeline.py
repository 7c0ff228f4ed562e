"""Geometry of the server-rendered timeline: one bar per mission on a year axis.

The page draws the SVG from these numbers; colour comes from the conception, and every
bar also carries a fill pattern and a text label, so nothing is told by colour alone.

The bars and the table's rows are written here (`bars_svg`, `table_rows`) rather than in
a template loop: at 50 rows the loop's variable lookups were about a third of the page's
time. templates/knowledge/timeline.html holds the rest of the page.
"""

import datetime
from dataclasses import dataclass

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.safestring import mark_safe

from .codebook import Basis
from .templatetags.knowledge import classification_basis
from .templatetags.knowledge import conception_badge

WIDTH = 960
LEFT = 8
RIGHT = 8
TOP = 34
ROW = 22
BAR = 14


@dataclass
class Bar:
    record: object
    classification: object
    x: float
    y: float
    width: float
    conception: str
    conception_label: str
    open_ended: bool
    label: str
    label_x: float
    label_y: float
    label_anchor: str


def _year_fraction(date):
    start = datetime.date(date.year, 1, 1)
    days = (datetime.date(date.year + 1, 1, 1) - start).days
    return date.year + (date - start).days / days


def build(missions, preferred, *, today):
    """Bars and decade ticks for `missions` (each with a start date), or None if empty.
    `preferred`: {mission id: its preferred classification}, with `basis_citations` where
    its basis names citations (an author's classification)."""
    if not missions:
        return None
    spans = []
    for mission in missions:
        start = _year_fraction(mission.start_date)
        if mission.end_date:
            end_date = mission.end_date
            if mission.end_precision == "year":
                end_date = datetime.date(end_date.year, 12, 31)
            elif mission.end_precision == "month":
                end_date = end_date + datetime.timedelta(days=27)
            end = max(_year_fraction(end_date), start + 0.15)
        else:
            end = start + 1
        spans.append((mission, start, end))
    first = min(start for _, start, _ in spans)
    last = max(end for _, _, end in spans)
    low = int(first) - int(first) % 10
    high = int(last) - int(last) % 10 + 10
    scale = (WIDTH - LEFT - RIGHT) / (high - low)

    def x(year):
        return round(LEFT + (year - low) * scale, 1)

    bars = []
    for index, (mission, start, end) in enumerate(spans):
        classification = preferred.get(mission.pk)
        conception = classification.value if classification else "unclassified"
        label = mission.short_name
        x0, x1 = x(start), x(end)
        room_right = WIDTH - RIGHT - x1
        right = room_right > len(label) * 7 + 8
        y = TOP + index * ROW
        bars.append(
            Bar(
                record=mission,
                classification=classification,
                x=x0,
                y=y,
                width=max(x1 - x0, 2),
                conception=conception,
                conception_label=(
                    classification.get_value_display()
                    if classification
                    else "Not classified"
                ),
                open_ended=not mission.end_date,
                label=label,
                label_x=x1 + 5 if right else x0 - 5,
                label_y=y + 11,
                label_anchor="start" if right else "end",
            )
        )
    ticks = [{"year": year, "x": x(year)} for year in range(low, high + 1, 10)]
    height = TOP + len(bars) * ROW + 10
    return {
        "width": WIDTH,
        "height": height,
        "bars": bars,
        "ticks": ticks,
        "axis_bottom": height - 6,
        "bar_height": BAR,
        "low": low,
        "high": high,
        "today": today.year,
    }


def bars_svg(chart) -> SafeString:
    """The bars of the SVG, each a group of its rect and its label."""
    height = chart["bar_height"]
    return mark_safe(
        "".join(
            f'\n        <g class="bar c-{conditional_escape(bar.conception)}'
            f'{" open" if bar.open_ended else ""}">'
            f'\n          <rect x="{bar.x}" y="{bar.y}" width="{bar.width}" '
            f'height="{height}" rx="2"/>'
            f'\n          <text x="{bar.label_x}" y="{bar.label_y}" '
            f'text-anchor="{bar.label_anchor}" class="label">'
            f"{conditional_escape(bar.label)}</text>\n        </g>\n        "
            for bar in chart["bars"]
        )
    )


def table_rows(chart) -> SafeString:
    """The table's rows, one per bar: the mission, its dates and its conception with
    whose judgement it is. The badges and the bases other than an author's are the
    same for many rows, so each is written once."""
    badges: dict = {}
    bases: dict = {}
    rows = []
    for bar in chart["bars"]:
        mission, classification = bar.record, bar.classification
        badge_key = (bar.conception, bar.conception_label)
        badge = badges.get(badge_key)
        if badge is None:
            badge = badges[badge_key] = conception_badge(*badge_key)
        if classification is None:
            basis = ""
        elif classification.basis == Basis.AUTHOR:
            basis = classification_basis(classification, classification.basis_citations)
        else:
            basis_key = (classification.basis, classification.rule)
            if basis_key not in bases:
                bases[basis_key] = classification_basis(classification, [])
            basis = bases[basis_key]
        rows.append(
            f'\n        <tr><th scope="row"><a href="'
            f'{conditional_escape(mission.get_absolute_url())}">'
            f"{conditional_escape(str(mission))}</a></th>"
            f"<td>{conditional_escape(mission.start_display)}</td>"
            f"<td>{conditional_escape(mission.end_status_display)}</td>"
            f"<td>{badge} {basis}</td></tr>\n      "
        )
    return mark_safe("".join(rows))
