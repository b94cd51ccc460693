"""The insight report (issue 16; H-R1.1, H-R1.3, H-R1.5, H-R4, H-C): the four preconditions per case,
per team and ISO week (share of cases that met each), and the bad case flows with their cases —
what `/indsigt`, `GET /api/insight` and `sagsflow report compliance` show. Read-only."""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from config.sla_config import load_sla_config
from domain.calendar import COPENHAGEN, require_aware
from domain.errors import FormInvalid
from services.insight import PATTERNS, PRECONDITIONS, CaseHistory, CaseInsight, measure
from store.insight import cases_in_period, histories, later_cases_of_customers, team_names

PRECONDITION_LABELS = {"ownership": "Ejerskab", "handover": "Overdragelse", "communication": "Kommunikation",
                       "documentation": "Dokumentation"}
PATTERN_LABELS = {"reopened": "Genåbnet", "many_team_changes": "Mindst 3 teamskift",
                  "silent": "Tavs over for kunden", "rejected_reregistered": "Afvist og oprettet igen",
                  "breached_waiting_coordinator": "SLA brudt mens koordinatoren skulle handle"}
DEFAULT_WEEKS = 8
REREGISTERED_WITHIN = timedelta(days=30)
MAX_DAYS = 400


@dataclass
class TeamWeek:
    team: str
    week: str
    cases: int = 0
    met: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PRECONDITIONS, 0))

    def percent(self, precondition: str) -> float | None:
        return None if not self.cases else round(100.0 * self.met[precondition] / self.cases, 1)

    def as_dict(self) -> dict:
        return {"team": self.team, "week": self.week, "cases": self.cases,
                **{p: self.percent(p) for p in PRECONDITIONS}}


@dataclass
class InsightReport:
    since: datetime
    until: datetime
    team: str | None
    cases: list[CaseInsight]
    team_weeks: list[TeamWeek]
    patterns: dict[str, list[str]]

    @property
    def first_day(self) -> date:
        return self.since.astimezone(COPENHAGEN).date()

    @property
    def last_day(self) -> date:
        return self.until.astimezone(COPENHAGEN).date() - timedelta(days=1)

    @property
    def weeks(self) -> list[str]:
        return sorted({tw.week for tw in self.team_weeks})

    @property
    def teams(self) -> list[str]:
        return sorted({tw.team for tw in self.team_weeks})

    def worst(self, limit: int = 20) -> list[CaseInsight]:
        """Cases that failed the most preconditions and show the most bad-flow patterns, first."""
        def badness(c: CaseInsight) -> tuple:
            return (-sum(not v for v in c.ok.values()), -len(c.patterns), c.number)
        return [c for c in sorted(self.cases, key=badness) if not all(c.ok.values()) or c.patterns][:limit]

    def as_dict(self) -> dict:
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat(),
                "team": self.team, "team_weeks": [tw.as_dict() for tw in self.team_weeks],
                "patterns": self.patterns, "cases": [c.as_dict() for c in self.cases]}


def period(*, start: date | None, end: date | None, today: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in Copenhagen, as aware UTC; default the last DEFAULT_WEEKS weeks."""
    end = end or today
    start = start or end - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)
    if start > end:
        raise FormInvalid({"from": "Startdatoen ligger efter slutdatoen."})
    if (end - start).days > MAX_DAYS:
        raise FormInvalid({"from": f"Perioden må højst være {MAX_DAYS} dage."})
    since = datetime.combine(start, time(0), tzinfo=COPENHAGEN)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=COPENHAGEN)
    return since.astimezone(UTC), until.astimezone(UTC)


@lru_cache(maxsize=1)
def _contact_hours():
    """The contact hours of config/sla.yaml, read and validated once per process (as services.sla does),
    not on every case page (issue 15)."""
    return load_sla_config().escalation_policy.contact_hours


def insight_report(session: Session, *, now: datetime, start: date | None = None, end: date | None = None,
                   team: str | None = None) -> InsightReport:
    now = require_aware(now, name="now")
    since, until = period(start=start, end=end, today=now.astimezone(COPENHAGEN).date())
    cases = cases_in_period(session, since=since, until=until, team=team or None)
    rows = histories(session, [c.id for c in cases])
    calendar = _contact_hours()
    insights = [measure(CaseHistory(case, *(rows[k].get(case.id, []) for k in
                                            ("work_info", "tasks", "contacts", "outbox", "sla_events"))),
                        now=now, calendar=calendar) for case in cases]
    _reregistered(session, cases, insights)
    table: dict[tuple[str, str], TeamWeek] = {}
    for insight in insights:
        entry = table.setdefault((insight.team, insight.week), TeamWeek(insight.team, insight.week))
        entry.cases += 1
        for name, met in insight.ok.items():
            entry.met[name] += met
    patterns = {name: [c.number for c in insights if name in c.patterns] for name in PATTERNS}
    return InsightReport(since=since, until=until, team=team or None, cases=insights,
                         team_weeks=sorted(table.values(), key=lambda t: (t.team, t.week)), patterns=patterns)


def _reregistered(session: Session, cases: list, insights: list[CaseInsight]) -> None:
    """A rejected case whose customer (same e-mail; else same name) registered a new case within
    REREGISTERED_WITHIN afterwards. Later cases are indexed by e-mail and name: no pairwise scan."""
    rejected = [(c, i) for c, i in zip(cases, insights) if c.status == "rejected" and c.closed_at]
    if not rejected:
        return
    later = later_cases_of_customers(session, customers=[(c.customer_email, c.customer_name) for c, _ in rejected],
                                     since=min(c.closed_at for c, _ in rejected))
    by_email: dict[str, list] = {}
    by_name: dict[str, list] = {}
    by_name_without_email: dict[str, list] = {}
    for other in later:
        name = other.customer_name.strip().lower()
        by_name.setdefault(name, []).append(other.received_at)
        if other.customer_email:
            by_email.setdefault(other.customer_email.lower(), []).append(other.received_at)
        else:
            by_name_without_email.setdefault(name, []).append(other.received_at)
    for index in (by_email, by_name, by_name_without_email):
        for times in index.values():
            times.sort()
    for case, insight in rejected:
        name, email = case.customer_name.strip().lower(), (case.customer_email or "").lower()
        lists = [by_email.get(email, []), by_name_without_email.get(name, [])] if email else [by_name.get(name, [])]
        if any(_received_within(times, case.closed_at, REREGISTERED_WITHIN) for times in lists):
            insight.patterns.append("rejected_reregistered")


def _received_within(times: list[datetime], after: datetime, window: timedelta) -> bool:
    """Some time in the sorted `times` lies in (after, after + window]."""
    i = bisect_right(times, after)
    return i < len(times) and times[i] <= after + window


def team_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the teams a report can be filtered on."""
    return team_names(session)


def case_insight(session: Session, *, case_id: int, now: datetime) -> CaseInsight | None:
    """The four preconditions and the bad-flow patterns of one case (the case page)."""
    from store.models import CaseRow
    case = session.get(CaseRow, case_id)
    if case is None:
        return None
    rows = histories(session, [case.id])
    insight = measure(CaseHistory(case, *(rows[k].get(case.id, []) for k in
                                          ("work_info", "tasks", "contacts", "outbox", "sla_events"))),
                      now=require_aware(now, name="now"), calendar=_contact_hours())
    _reregistered(session, [case], [insight])
    return insight


def case_insight_panel(session: Session, *, case_id: int, now: datetime) -> dict | None:
    """What the case page shows: the case's insight and the Danish pattern names."""
    insight = case_insight(session, case_id=case_id, now=now)
    return None if insight is None else {"insight": insight, "pattern_labels": PATTERN_LABELS}
