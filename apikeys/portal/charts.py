"""A server-side SVG chart of calls per day, stacked by series (key · version). No JavaScript, no
CDN: the template draws the rectangles this module computes."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

PALETTE = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#65a30d", "#db2777", "#4b5563", "#7c3aed"]
WIDTH, HEIGHT = 760, 240
LEFT, BOTTOM, TOP = 48, 28, 10


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


def nice_ceiling(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def series_label(row) -> str:
    who = row["key_name"] or row["credential"]
    return f"{who} · {row['api']} {row['version']}"


def stacked_by_day(rows, start: date, end: date) -> dict:
    """The chart's geometry: bars, y-axis ticks, day labels and the legend."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    per_day: defaultdict[date, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: defaultdict[str, int] = defaultdict(int)
    for row in rows:
        label = series_label(row)
        per_day[row["day"]][label] += row["calls"]
        totals[label] += row["calls"]
    series = sorted(totals, key=lambda s: -totals[s])
    colours = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(series)}
    peak = nice_ceiling(max((sum(per_day[d].values()) for d in days), default=0))
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(days), 1)
    bars, labels = [], []
    for i, day in enumerate(days):
        y: float = TOP + plot_h
        for label in series:
            calls = per_day[day].get(label, 0)
            if not calls:
                continue
            height = plot_h * calls / peak
            y -= height
            bars.append(
                Bar(
                    LEFT + i * slot + slot * 0.15,
                    y,
                    slot * 0.7,
                    height,
                    colours[label],
                    f"{day:%b %-d} — {label}: {calls:,} calls",
                )
            )
        if len(days) <= 10 or i % max(1, len(days) // 8) == 0:
            labels.append({"x": LEFT + i * slot + slot / 2, "text": f"{day:%b %-d}"})
    ticks = [{"y": TOP + plot_h - plot_h * f, "value": int(peak * f)} for f in (0, 0.5, 1)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "plot_bottom": TOP + plot_h,
        "plot_right": WIDTH - 8,
        "label_y": HEIGHT - 8,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "legend": [{"label": s, "colour": colours[s], "calls": totals[s]} for s in series],
        "empty": not bars,
    }
