"""Server-rendered SVG geometry for /indsigt (issue 16): a per-team trend (share of cases that met
each of the four preconditions per ISO week) and the bad-flow counts. Pure: numbers in, coordinates
out; the template draws them (no JavaScript, no external library)."""
from __future__ import annotations

from dataclasses import dataclass

from services.insight import PRECONDITIONS

WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 400, 150, 40, 10, 24
COLOURS = {"ownership": "#1f6feb", "handover": "#8250df", "communication": "#bf8700", "documentation": "#1a7f37"}


@dataclass
class Series:
    precondition: str
    colour: str
    points: str                             # "x,y x,y …" for a polyline
    dots: list[tuple[float, float, str]]    # x, y, tooltip


@dataclass
class TeamChart:
    team: str
    name: str
    weeks: list[tuple[float, str]]          # x, label ("uge 48")
    series: list[Series]
    cases: int
    latest: dict[str, float | None]


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - 30   # room for the last week's label
    return round(LEFT + (inner * index / (count - 1) if count > 1 else inner / 2), 1)


def _y(percent: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - percent / 100.0), 1)


def team_charts(report, names: dict[str, str], labels: dict[str, str]) -> list[TeamChart]:
    """One small chart per team, the weakest team (lowest mean share in its latest week) first."""
    weeks = report.weeks
    charts = []
    for team in report.teams:
        rows = {tw.week: tw for tw in report.team_weeks if tw.team == team}
        series = []
        for p in PRECONDITIONS:
            values = [(i, rows[w].percent(p), rows[w].cases) for i, w in enumerate(weeks) if w in rows]
            dots = [(_x(i, len(weeks)), _y(v), f"{labels[p]} uge {weeks[i][-2:]}: {v:.0f} % af {n} sag(er)")
                    for i, v, n in values if v is not None]
            series.append(Series(p, COLOURS[p], " ".join(f"{x},{y}" for x, y, _ in dots), dots))
        last = rows[max(rows)]
        charts.append(TeamChart(team=team, name=names.get(team, team),
                                weeks=[(_x(i, len(weeks)), f"uge {w[-2:]}") for i, w in enumerate(weeks)],
                                series=series, cases=sum(r.cases for r in rows.values()),
                                latest={p: last.percent(p) for p in PRECONDITIONS}))
    def mean(chart: TeamChart) -> float:   # of the latest week's shares
        values = [v for v in chart.latest.values() if v is not None]
        return sum(values) / len(values) if values else 100.0
    return sorted(charts, key=lambda c: (mean(c), c.name))


def y_ticks() -> list[tuple[float, str]]:
    return [(_y(v), f"{v} %") for v in (0, 50, 100)]


def pattern_bars(patterns: dict[str, list[str]], labels: dict[str, str], width: int = 260) -> list[dict]:
    """Horizontal bars, longest first: label, count, bar width, the cases."""
    top = max((len(v) for v in patterns.values()), default=0) or 1
    bars = [{"pattern": k, "label": labels[k], "count": len(v), "width": round(width * len(v) / top), "cases": v}
            for k, v in patterns.items()]
    return sorted(bars, key=lambda b: -b["count"])
