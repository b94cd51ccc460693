"""The case list (H-R2.2, H-R1.1): `/sager` finds every case in every state by text, customer or
number, with filters, sort and paging, and a *Venter* view of the cases that wait for the customer;
`GET /api/cases` is the same search as JSON."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from config.handbook import handbook, organisation
from services.auth import Principal
from services.case_search import CaseFilters, hit_document, search_cases
from web.auth import WORK_ROLES, requires
from web.deps import db_session, now, render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["api"])
READ_ROLES = (*WORK_ROLES, "admin")
FILTER_KEYS = ("q", "view", "status", "team", "priority", "case_type", "sla", "received_from", "received_to", "sort")


def _filters(request: Request) -> tuple[CaseFilters, dict]:
    """The query string as filters; a value that does not parse is dropped (shown as "all")."""
    raw = {k: v.strip() for k, v in request.query_params.items() if k in (*FILTER_KEYS, "page", "page_size") and v.strip()}
    try:
        return CaseFilters(**raw), raw
    except ValidationError as exc:
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        kept = {k: v for k, v in raw.items() if k not in bad}
        return CaseFilters(**kept), kept


@router.get("/sager")
def case_list(request: Request, principal: Principal = Depends(requires(*READ_ROLES)),
              session: Session = Depends(db_session), at: datetime = Depends(now)):
    filters, raw = _filters(request)
    result = search_cases(session, filters, now=at)
    kept = {k: v for k, v in raw.items() if k != "page"}

    def page_url(page: int) -> str:
        return "/sager?" + urlencode({**kept, "page": page})

    def view_url(view: str) -> str:
        return "/sager?" + urlencode({**{k: v for k, v in kept.items() if k != "view"}, "view": view})

    return render(request, "sager.html", {
        "result": result, "filters": filters, "labels": handbook().labels, "page_url": page_url,
        "view_url": view_url, "teams": {code: team.name for code, team in organisation().teams.items()}})


@api.get("/cases", summary="Find cases: text, filters, sort and paging (every state)")
def api_cases(filters: CaseFilters = Depends(), principal: Principal = Depends(requires(*READ_ROLES)),
              session: Session = Depends(db_session), at: datetime = Depends(now)) -> dict:
    result = search_cases(session, filters, now=at)
    return {"total": result.total, "more": result.more, "page": result.page, "page_size": result.page_size, "pages": result.pages,
            "items": [hit_document(hit) for hit in result.items]}
