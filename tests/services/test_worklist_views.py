"""The worklist's views (H-R2.2) against their definition, on tasks of several teams and roles, claimed
and unclaimed, on cases assigned or not, with absent people: each view is split into parts an index
serves (issue 15), and the merged result must be exactly the definition's, nearest deadline first."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select, update

from services.worklist import VIEWS, view_counts, worklist, worklist_documents
from store.models import CaseRow, HumanTaskRow, ProcessDefinitionRow, ProcessInstanceRow, UserRow

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
TEAMS = ["application_operations", "network", "service_desk"]
PEOPLE = ["app.tekniker", "app.tekniker2", "app.koordinator", "net.tekniker", None]


def _seed(session, count: int = 120) -> list[dict]:
    definition = session.scalar(select(func.max(ProcessDefinitionRow.id)))
    if definition is None:
        session.add(ProcessDefinitionRow(id=1, content_hash="views", process_id="incident_handling", spec={},
                                         task_meta={}, sources={}, deployed_at=NOW, deployed_by="test"))
        session.flush()
        definition = 1
    cases, instances, tasks = [], [], []
    for i in range(1, count + 1):
        team = TEAMS[i % 3]
        assignee = PEOPLE[(i * 7) % 5]
        claimed = PEOPLE[(i * 3) % 5] if i % 4 else None
        received = NOW - timedelta(minutes=i)
        due = received + timedelta(hours=(i * 37) % 11)   # deadlines out of the order of creation, some equal
        cases.append({"id": i, "number": f"SF-INC-{i:06d}", "case_type": "incident", "summary": f"Sag {i}",
                      "status": "in_progress", "impact": 3, "urgency": 3, "priority": "medium", "sla_level": "gold",
                      "team": team, "assignee": assignee, "customer_name": "Kunde", "received_at": received,
                      "started_at": received if i % 2 else None, "resolution_due": due, "reaction_due": due,
                      "sla_paused": False})
        instances.append({"id": i, "case_id": i, "definition_id": definition, "state": b"", "status": "running", "version": 1,
                          "updated_at": received})
        tasks.append({"id": f"00000000-0000-0000-0000-{i:012d}", "instance_id": i, "case_id": i, "bpmn_id": "work",
                      "name": f"Opgave {i}", "lane": "lane", "team": team, "role": "coordinator" if i % 5 == 0
                      else "member", "status": "completed" if i % 11 == 0 else "open", "claimed_by": claimed,
                      "created_at": received - timedelta(seconds=i % 3), "sla_due_at": due})
    session.execute(insert(CaseRow.__table__), cases)
    session.execute(insert(ProcessInstanceRow.__table__), instances)
    session.execute(insert(HumanTaskRow.__table__), tasks)
    session.execute(update(UserRow).where(UserRow.username == "app.tekniker2").values(absent=True))
    session.flush()
    return [{**t, "assignee": c["assignee"]} for t, c in zip(tasks, cases)]


def _expected(rows: list[dict], *, username: str, view: str, memberships: dict[str, str], absent: set[str]) -> list[str]:
    """The views as README and H-R2.2 define them, evaluated row by row."""
    def visible(t):
        return t["team"] in memberships and (t["role"] == "member" or memberships[t["team"]] == "coordinator")

    def wanted(t):
        if t["status"] != "open":
            return False
        if view == "mine":
            return t["claimed_by"] == username or (visible(t) and t["claimed_by"] is None
                                                   and t["assignee"] == username and t["role"] == "member")
        if view == "team":
            return visible(t)
        if view == "unassigned":
            return visible(t) and t["claimed_by"] is None and (t["assignee"] is None or t["role"] == "coordinator")
        return visible(t) and (t["claimed_by"] in absent or (t["claimed_by"] is None and t["assignee"] in absent))

    chosen = sorted((t for t in rows if wanted(t)), key=lambda t: (t["sla_due_at"], t["created_at"], t["id"]))
    return [t["id"] for t in chosen]


def test_issue_15_every_view_is_its_definition_in_deadline_order(session):
    rows = _seed(session)
    people = {"app.tekniker": {"application_operations": "technician"},
              "app.koordinator": {"application_operations": "coordinator"},
              "net.tekniker": {"network": "technician"}}
    seen = set()
    for username, memberships in people.items():
        for view in VIEWS:
            expected = _expected(rows, username=username, view=view, memberships=memberships, absent={"app.tekniker2"})
            got = [item.task_id for item in worklist(session, username=username, view=view, now=NOW)]
            assert got == expected, (username, view)
            assert [item.task_id for item in worklist(session, username=username, view=view, now=NOW, limit=5)] \
                == expected[:5]
            assert view_counts(session, username=username, now=NOW)[view] == len(expected)
            given = worklist(session, username=username, view=view, now=NOW, memberships=memberships)   # the web's
            assert [item.task_id for item in given] == expected
            assert view_counts(session, username=username, now=NOW, memberships=memberships)[view] == len(expected)
            seen.add((view, bool(expected)))
    assert {(view, True) for view in VIEWS} <= seen   # every view had something to show


def test_issue_15_a_worklist_row_carries_its_case_and_clock(session):
    _seed(session, count=12)
    (item,) = [i for i in worklist(session, username="net.tekniker", view="team", now=NOW) if i.case_number.endswith("07")]
    assert (item.case_number, item.summary, item.team, item.role, item.task_name) == \
        ("SF-INC-000007", "Sag 7", "network", "member", "Opgave 7")
    assert item.sla.target == "resolution" and item.sla.due_at is not None   # started: the resolution clock
    assert item.sla.state in {"ok", "warning", "breach"}
    assert item.created_at == NOW - timedelta(minutes=7, seconds=1) and item.created_at.tzinfo is timezone.utc
    assert item.sla.due_at == NOW - timedelta(minutes=7) + timedelta(hours=(7 * 37) % 11)   # aware UTC, as stored
    assert item.sla.due_at.tzinfo is timezone.utc


def test_issue_15_datetimes_as_the_driver_delivers_them_are_read_as_aware_utc():
    from store.models import as_utc as _utc   # what the worklist reads its raw rows with

    copenhagen = timezone(timedelta(hours=1))
    assert _utc("2026-11-23 09:00:00.000000") == NOW and _utc("2026-11-23 09:00:00.000000").tzinfo is timezone.utc
    assert _utc("2026-11-23 09:00:00") == NOW and _utc("2026-11-23T10:00:00+01:00") == NOW   # SQLite text
    assert _utc(datetime(2026, 11, 23, 10, 0, tzinfo=copenhagen)).tzinfo is timezone.utc   # PostgreSQL
    assert _utc(datetime(2026, 11, 23, 9, 0)) == NOW and _utc(None) is None


def test_issue_15_a_colleague_who_becomes_absent_shows_at_once(session):
    """The views' statements are built once per shape; who is absent is part of the shape."""
    _seed(session)
    coordinator = "app.koordinator"
    before = [i.task_id for i in worklist(session, username=coordinator, view="absent", now=NOW)]
    counted = view_counts(session, username=coordinator, now=NOW)["absent"]
    session.execute(update(UserRow).where(UserRow.username == "app.tekniker").values(absent=True))
    session.flush()
    after = [i.task_id for i in worklist(session, username=coordinator, view="absent", now=NOW)]
    assert set(before) < set(after) and view_counts(session, username=coordinator, now=NOW)["absent"] > counted


def test_issue_15_the_api_documents_are_the_worklist_rows(session):
    """worklist_documents (the REST API's view answer) shapes the same rows as worklist, field for field."""
    _seed(session)
    for username in ("app.tekniker", "app.koordinator", "net.tekniker"):
        for view in VIEWS:
            items = worklist(session, username=username, view=view, now=NOW)
            documents = worklist_documents(session, username=username, view=view, now=NOW)
            assert documents == [{"id": i.task_id, "case": i.case_number, "name": i.task_name, "bpmn_id": i.bpmn_id,
                                  "team": i.team, "role": i.role, "assignee": i.claimed_by, "summary": i.summary,
                                  "priority": i.priority, "status": i.status,
                                  "sla": {"target": i.sla.target, "state": i.sla.state,
                                          "due_at": i.sla.due_at.isoformat() if i.sla.due_at else None}}
                                 for i in items], (username, view)
    assert any(d["sla"]["due_at"] for d in worklist_documents(session, username="net.tekniker", view="team", now=NOW))
