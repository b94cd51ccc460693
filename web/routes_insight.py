"""/indsigt and GET /api/insight (issue 16): the handbook's four preconditions per team and week as
charts, the bad case flows with their cases, the worst cases first — for team leads (coordinators)
and administrators. Read-only; plain `def` routes (the database work runs in the threadpool)."""
from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from domain.errors import FormInvalid
from services.auth import Principal
from services.insight import PRECONDITIONS
from services.insight_report import PATTERN_LABELS, PRECONDITION_LABELS, insight_report, team_choices
from store.directory import DbDirectory
from web.auth import requires
from web.deps import db_session, now, render
from web.insight_charts import COLOURS, HEIGHT, WIDTH, pattern_bars, team_charts, y_ticks

router = APIRouter()
LEADS = ("coordinator", "admin")
FIELD_NAMES = {"from": "Fra", "to": "Til"}


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FormInvalid({field: f"{FIELD_NAMES[field]}: skriv en dato som ÅÅÅÅ-MM-DD."}) from None


def _report(session: Session, *, team: str | None, start: str | None, end: str | None, at: datetime):
    directory = DbDirectory(session)
    if team and directory.team_name(team) == team:   # unknown codes come back unchanged
        raise FormInvalid({"team": "Ukendt team."})
    report = insight_report(session, now=at, start=_day(start, "from"), end=_day(end, "to"), team=team or None)
    return report, directory


@router.get("/indsigt", include_in_schema=False)
def insight_page(request: Request, team: str | None = None, principal: Principal = Depends(requires(*LEADS)), session: Session = Depends(db_session),
                 at: datetime = Depends(now)):
    start, end = request.query_params.get("from"), request.query_params.get("to")
    if team is None and "admin" not in principal.roles:   # a team lead starts on their own team
        team = next((t for t, role in principal.teams.items() if role == "coordinator"), None)
    report, directory = _report(session, team=team, start=start, end=end, at=at)
    names = {code: directory.team_name(code) for code in {*report.teams, *(c.team for c in report.cases)}}
    return render(request, "insight.html", {
        "report": report, "team": team or "", "names": names, "all_teams": team_choices(session),
        "charts": team_charts(report, names, PRECONDITION_LABELS), "ticks": y_ticks(), "width": WIDTH,
        "height": HEIGHT, "colours": COLOURS, "bars": pattern_bars(report.patterns, PATTERN_LABELS), "worst": report.worst(25),
        "preconditions": PRECONDITIONS, "labels": PRECONDITION_LABELS, "pattern_labels": PATTERN_LABELS})


@router.get("/api/insight", tags=["api"],
            summary="The handbook's four preconditions per case, team and week, and the bad case flows")
def api_insight(request: Request, team: str | None = None, principal: Principal = Depends(requires(*LEADS)),
                session: Session = Depends(db_session), at: datetime = Depends(now)) -> dict:
    report, directory = _report(session, team=team, start=request.query_params.get("from"),
                                end=request.query_params.get("to"), at=at)
    return {**report.as_dict(), "team_names": {t: directory.team_name(t) for t in report.teams}}
