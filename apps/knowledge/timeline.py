"""Geometry of the server-rendered timeline: one bar per mission on a year axis.

The template draws the SVG from these numbers; colour comes from the conception, and every
bar also carries a fill pattern and a text label, so nothing is told by colour alone.
"""

import datetime
from dataclasses import dataclass

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


def _preferred(mission):
    """The preferred classification: from the `preferred` list where the view
    prefetched one (with the citations its basis names), else from all of them."""
    if hasattr(mission, "preferred"):
        return mission.preferred[0] if mission.preferred else None
    return mission.preferred_classification()


def build(missions, *, today):
    """Bars and decade ticks for `missions` (each with a start date), or None if empty."""
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
        classification = _preferred(mission)
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
