"""Remedy's assignment and Work Info reach the case (issue 14; H-R1.1, H-V2, H-R1.5) — real HTTP against
the simulator, real database. An imported incident's Assigned Group, mapped to a Sagsflow team, is what
triage's *Vælg team* proposes; its Assignee, mapped to an active member of that team, is what the
coordinator's *Fordel sagen* proposes — people still decide, so second triage and distribution happen
as the handbook says. Unmapped ones are named in Work Info. Work Info a person writes in Remedy
(HPD:WorkLog, searched by Incident Number) becomes Work Info on the case once, with its Remedy author
and Copenhagen time, as plain text, and is never sent back."""
from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config.settings import Settings
from connectors.remedy.settings import RemedyForms, RemedyMapping, RemedySyncSettings
from connectors.remedy.simulator import format_ar_timestamp
from services.remedy_sync import sync
from services.tasks import list_tasks
from services.transports import dispatch
from services.task_form import task_form
from store.models import CaseRow, UserRow, WorkInfoRow

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services"))
from casewalk import APPLICATION, NETWORK, T0, TRIAGE, CaseWalk  # noqa: E402

MODIFIED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
MAPPING = RemedyMapping(support_company="Region Hovedstaden", support_organization="Koncern IT",
                        team_groups={"service_desk": "Servicedesk", "application_operations": "Applikationsdrift",
                                     "network": "Netværk", "ghosts": "Spøgelser"},
                        user_logins={"sd.tekniker": "sdtek", "app.tekniker": "apptek01", "net.tekniker": "nettek01"})


def incident(number: str, **overrides) -> dict:
    values = {"Incident Number": number, "Description": "Journalsystemet svarer ikke", "Status": "Assigned",
              "Priority": "Medium", "Impact": "3-Moderate/Limited", "Urgency": "3-Medium",
              "Last Modified Date": format_ar_timestamp(MODIFIED), "Reported Date": format_ar_timestamp(MODIFIED),
              "First Name": "Anne", "Last Name": "Hansen", "Phone Number": "+45 38 64 00 00",
              "Service Type": "User Service Restoration", "Assigned Group": "Applikationsdrift",
              "Assigned Support Company": "Region Hovedstaden", "Assigned Support Organization": "Koncern IT",
              "Assignee Login ID": "apptek01", "Last Modified By": "remedy.user"}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def factory(db_engine):
    from store.db import session_factory
    return session_factory(db_engine)


@pytest.fixture
def settings(db_url, sim_target):
    return Settings(database_url=db_url, remedy=sim_target.settings(
        sync=RemedySyncSettings(page_size=50, start=MODIFIED - timedelta(days=1)), mapping=MAPPING))


def run(factory, runtime, settings, sim_target, now=T0):
    with sim_target.client() as client:
        return sync(factory, runtime, client, settings=settings, now=now)


class ImportedWalk(CaseWalk):
    """The process walk of casewalk.py for a case the Remedy import opened."""

    def __init__(self, session, runtime, number):   # noqa: D107 - the case exists already
        self.session, self.runtime, self.minute, self.number = session, runtime, 0, number

    def shown(self, bpmn_id):
        """The values the task's form shows (what a person sees before answering)."""
        return task_form(self.session, self.runtime, task_id=self.task(bpmn_id)["id"]).values

    def triage(self):
        self.do("classify_case", "sd.tekniker", {"classification": "incident"})
        self.do("first_triage", "sd.tekniker", {**TRIAGE, "end_user_phone": "+45 38 64 00 00"})


def imported(session, runtime, factory, settings, sim_target, values, now=T0):
    report = run(factory, runtime, settings, sim_target, now=now)
    assert report.imported == [values["Incident Number"]] and report.errors == []
    session.expire_all()
    case = session.query(CaseRow).filter_by(remedy_incident_number=values["Incident Number"]).one()
    return case, ImportedWalk(session, runtime, case.number)


def import_note(session, case):
    return session.query(WorkInfoRow).filter_by(case_id=case.id, event="remedy_import").one().notes


def test_h_v2_remedys_group_is_proposed_in_triage_and_its_assignee_at_distribution(
        session, runtime, factory, settings, simulator, sim_target):
    values = incident("INC000000000201")
    simulator.seed_incident(values)
    case, walk = imported(session, runtime, factory, settings, sim_target, values)
    assert (case.team, case.assignee) == (None, None)    # H-V2: not with the team before its questions
    note = import_note(session, case)
    assert "Tildelt i Remedy: Applikationsdrift / apptek01" in note
    assert "Prioritet i Remedy: Medium (Sagsflow bestemmer prioriteten ved første visitation)" in note
    assert "Team foreslået i triagen: Applikationsdrift" in note
    assert "Tekniker foreslået ved fordelingen: app.tekniker (Anders Applikation)" in note
    walk.triage()
    assert walk.shown("choose_team")["team"] == "application_operations"
    walk.do("choose_team", "sd.tekniker", {})            # the service desk accepts the proposal
    walk.do("questionnaire_application_operations", "sd.tekniker", APPLICATION)   # second triage still asked
    assert walk.doc()["team"] == "application_operations"
    assert walk.shown("distribute_case")["assignee"] == "app.tekniker"
    assert walk.task("distribute_case")["team"] == "application_operations"   # the coordinator distributes
    walk.do("distribute_case", "app.koordinator", {})
    session.expire_all()
    case = session.get(CaseRow, case.id)
    assert (case.team, case.assignee, case.status) == ("application_operations", "app.tekniker", "in_progress")
    assert walk.open_ids() == ["work_on_case"]
    run(factory, runtime, settings, sim_target, now=T0 + timedelta(hours=1))   # pushed back as mapped
    assert dispatch(factory, settings, now=T0 + timedelta(hours=1, minutes=1)).sent
    shown = simulator.incident("INC000000000201")
    assert (shown["Status"], shown["Assigned Group"], shown["Assignee Login ID"]) == (
        "In Progress", "Applikationsdrift", "apptek01")


def test_h_v2_triage_may_choose_another_team_and_then_no_technician_is_proposed(
        session, runtime, factory, settings, simulator, sim_target):
    values = incident("INC000000000202")
    simulator.seed_incident(values)
    case, walk = imported(session, runtime, factory, settings, sim_target, values)
    walk.triage()
    walk.do("choose_team", "sd.tekniker", {"team": "network"})
    walk.do("questionnaire_network", "sd.tekniker", NETWORK)
    assert walk.shown("distribute_case")["assignee"] is None    # app.tekniker is not in Netværk
    walk.do("distribute_case", "net.koordinator", {"assignee": "net.tekniker"})
    assert (walk.doc()["team"], walk.doc()["assignee"]) == ("network", "net.tekniker")


@pytest.mark.parametrize(("overrides", "lines"), [
    ({"Assigned Group": "Ukendt Gruppe", "Assignee Login ID": "ukendt01"},
     ["Tildelt i Remedy: Ukendt Gruppe / ukendt01",
      "Remedy-gruppen Ukendt Gruppe er ikke knyttet til et Sagsflow-team; teamet vælges i triagen.",
      "Remedy-brugeren ukendt01 er ikke knyttet til en Sagsflow-bruger; teknikeren vælges ved fordelingen."]),
    ({"Assigned Group": "Servicedesk", "Assignee Login ID": "sdtek"},
     ["Remedy-gruppen Servicedesk er Servicedesk, der visiterer sagen; intet team foreslås.",
      "sd.tekniker foreslås ikke som tekniker: der er intet foreslået team."]),
    ({"Assigned Group": "Spøgelser", "Assignee Login ID": None},
     ["Remedy-gruppen Spøgelser er knyttet til teamet ghosts, som ikke findes i Sagsflow."]),
])
def test_h_r1_1_an_unmapped_group_or_assignee_is_named_in_work_info_and_nothing_is_proposed(
        session, runtime, factory, settings, simulator, sim_target, overrides, lines):
    values = incident("INC000000000203", **overrides)
    simulator.seed_incident(values)
    case, walk = imported(session, runtime, factory, settings, sim_target, values)
    note = import_note(session, case)
    assert all(line in note.splitlines() for line in lines), note
    walk.triage()
    assert walk.shown("choose_team")["team"] is None


@pytest.mark.parametrize(("change", "reason"), [
    ({"active": False}, "app.tekniker foreslås ikke som tekniker: ikke aktivt medlem af Applikationsdrift."),
    ({"absent": True}, "app.tekniker foreslås ikke som tekniker: fraværende."),
])
def test_h_r1_5_an_inactive_or_absent_assignee_is_not_proposed_but_the_team_is(
        session, runtime, factory, settings, simulator, sim_target, change, reason):
    user = session.get(UserRow, "app.tekniker")
    for key, value in change.items():
        setattr(user, key, value)
    session.commit()
    values = incident("INC000000000204")
    simulator.seed_incident(values)
    case, walk = imported(session, runtime, factory, settings, sim_target, values)
    assert reason in import_note(session, case).splitlines()
    walk.triage()
    walk.do("choose_team", "sd.tekniker", {})
    walk.do("questionnaire_application_operations", "sd.tekniker", APPLICATION)
    assert walk.doc()["team"] == "application_operations" and walk.shown("distribute_case")["assignee"] is None


def test_h_v2_an_assignment_changed_in_remedy_during_triage_changes_the_proposal(
        session, runtime, factory, settings, simulator, sim_target, sim_clock):
    values = incident("INC000000000205", **{"Assigned Group": "Ukendt Gruppe", "Assignee Login ID": None})
    simulator.seed_incident(values)
    case, walk = imported(session, runtime, factory, settings, sim_target, values)
    walk.triage()
    assert walk.shown("choose_team")["team"] is None
    sim_clock.now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    simulator.change_incident("INC000000000205", {"Assigned Group": "Netværk", "Assignee Login ID": "nettek01"})
    assert run(factory, runtime, settings, sim_target, now=T0 + timedelta(hours=1)).updated == ["INC000000000205"]
    assert walk.shown("choose_team")["team"] == "network"
    [change] = session.query(WorkInfoRow).filter(WorkInfoRow.case_id == case.id,
                                                 WorkInfoRow.summary.like("Ændret i Remedy%")).all()
    assert "Team foreslået i triagen: Netværk" in change.notes
    assert "Tekniker foreslået ved fordelingen: net.tekniker (Nanna Netværk)" in change.notes
    walk.do("choose_team", "sd.tekniker", {})
    walk.do("questionnaire_network", "sd.tekniker", NETWORK)
    assert walk.shown("distribute_case")["assignee"] == "net.tekniker"


def remedy_entries(session, case):
    session.expire_all()
    return session.query(WorkInfoRow).filter_by(case_id=case.id, event="remedy_work_log").order_by(WorkInfoRow.id).all()


def test_h_r1_1_work_info_written_in_remedy_reaches_the_case_once_and_is_never_echoed(
        session, runtime, factory, settings, simulator, sim_target, sim_clock):
    values = incident("INC000000000211")
    simulator.seed_incident(values)
    sim_clock.now = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    before = simulator.add_work_log("INC000000000211", {"Description": "Kunden har ringet",
                                                        "Detailed Description": "Fejlen ses også på afsnit 4."},
                                    by="mette.remedy", touch_incident=False)
    case, walk = imported(session, runtime, factory, settings, sim_target, values)
    [first] = remedy_entries(session, case)             # the Work Log of a newly imported incident comes along
    assert (first.summary, first.remedy_work_log_id, first.author) == ("Fra Remedy: Kunden har ringet", before, "remedy")
    assert first.notes == "Skrevet i Remedy af mette.remedy, 20. november 2026 kl. 10.15\n\nFejlen ses også på afsnit 4."
    assert first.remedy_queued_at is not None and first.work_log_type == "General Information"
    walk.do("classify_case", "sd.tekniker", {"classification": "incident"})
    run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=1))
    assert dispatch(factory, settings, now=T0 + timedelta(minutes=2)).sent   # Sagsflow's Work Info goes to Remedy
    ours = [w for w in simulator.entries("HPD:WorkLog") if w["Submitter"] == "demo"]
    assert ours and all("[sagsflow:" in w["Detailed Description"] for w in ours)
    sim_clock.now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    later = simulator.add_work_log("INC000000000211", {
        "Description": "Opringning\u202e fra <b>afdelingen</b>", "Detailed Description": "Linje 1\r\nLinje 2\x07",
        "View Access": "Public", "Work Log Type": "Customer Communication"}, by="jens.remedy")
    simulator.add_work_log("INC000000000211", {"Description": "Kopi", "Detailed Description": "x [sagsflow:remedy:worklog:1]"},
                           by="jens.remedy")               # carries our marker: Sagsflow's own, not imported
    report = run(factory, runtime, settings, sim_target, now=T0 + timedelta(hours=1))
    assert report.work_info == 1 and report.errors == []
    entries = remedy_entries(session, case)
    assert [e.remedy_work_log_id for e in entries] == [before, later]
    newest = entries[-1]
    assert newest.summary == "Fra Remedy: Opringning fra <b>afdelingen</b>"       # plain text, bidi removed
    assert newest.notes == "Skrevet i Remedy af jens.remedy, 23. november 2026 kl. 10.30\n\nLinje 1\nLinje 2"
    assert (newest.view_access, newest.work_log_type) == ("public", "Customer Communication")
    searches = [q["q"][0] for (method, path), q in zip(simulator.requests_seen, simulator.queries_seen, strict=True)
                if method == "GET" and "HPD:WorkLog" in path.replace("%3A", ":") and "q" in q]
    assert "'Incident Number'=\"INC000000000211\"" in searches   # searched as BMC documents it
    sim_clock.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    simulator.change_incident("INC000000000211", {"Description": "Journalsystemet svarer ikke på afsnit 4"})
    walk.do("first_triage", "sd.tekniker", {**TRIAGE, "end_user_phone": "+45 38 64 00 00"})   # more of our own
    again = run(factory, runtime, settings, sim_target, now=T0 + timedelta(hours=2))
    assert again.updated == ["INC000000000211"] and again.work_info == 0      # each entry once
    assert len(remedy_entries(session, case)) == 2
    assert dispatch(factory, settings, now=T0 + timedelta(hours=2, minutes=1)).sent
    in_remedy = simulator.entries("HPD:WorkLog")
    ours = [w for w in in_remedy if w["Submitter"] == "demo"]
    assert len(in_remedy) - len(ours) == 3                                       # the three written in Remedy
    session.expire_all()
    assert len(ours) == session.query(WorkInfoRow).filter(WorkInfoRow.case_id == case.id,
                                                           WorkInfoRow.author != "remedy").count()
    assert not any(w["Description"].startswith("Fra Remedy") or "Skrevet i Remedy af" in w["Detailed Description"]
                   for w in ours)                                                # never echoed back


def test_h_r1_1_a_work_log_remedy_refuses_to_show_is_reported_once_and_incidents_still_import(
        session, runtime, factory, db_url, simulator, sim_target):
    settings = Settings(database_url=db_url, remedy=sim_target.settings(
        sync=RemedySyncSettings(page_size=50, start=MODIFIED - timedelta(days=1)), mapping=MAPPING,
        forms=RemedyForms(work_log="HPD:WorkLogNotHere")))
    simulator.seed_incident(incident("INC000000000221"))
    simulator.seed_incident(incident("INC000000000222"))
    report = run(factory, runtime, settings, sim_target)
    assert report.imported == ["INC000000000221", "INC000000000222"]
    [error] = report.errors
    assert error.startswith("Work Info fra Remedy (HPD:WorkLogNotHere) kunne ikke læses") and "303" in error


def test_h_r1_1_a_timeout_reading_the_work_log_leaves_the_incident_for_the_next_sync(
        session, runtime, factory, settings, simulator, sim_target):
    from connectors.remedy.errors import RemedyTransientError
    values = incident("INC000000000231")
    simulator.seed_incident(values)
    written = simulator.add_work_log("INC000000000231", {"Description": "Kunden er på ferie"}, by="mette.remedy",
                                     touch_incident=False)
    simulator.fail_next(1, status=500, number=92, form="HPD:WorkLog")    # ARERR 92: timeout during database query
    with pytest.raises(RemedyTransientError):
        run(factory, runtime, settings, sim_target)
    session.expire_all()
    assert session.query(CaseRow).count() == 0                            # the watermark has not moved
    case, _ = imported(session, runtime, factory, settings, sim_target, values, now=T0 + timedelta(minutes=5))
    assert [e.remedy_work_log_id for e in remedy_entries(session, case)] == [written]


def work_log_searches(simulator, since=0):
    """The HPD:WorkLog searches the simulator received (from request number ``since`` on): their q."""
    seen = list(zip(simulator.requests_seen, simulator.queries_seen, strict=True))[since:]
    return [q["q"][0] for (method, path), q in seen
            if method == "GET" and path.replace("%3A", ":").endswith("/HPD:WorkLog") and "q" in q]


def numbers_in(searches):
    return [n for q in searches for n in re.findall(r"'Incident Number'=\"(INC\d{12})\"", q)]


def test_h_r1_1_the_work_log_of_100_incidents_is_read_in_a_few_or_searches(
        session, runtime, factory, db_url, simulator, sim_target, sim_clock):
    """Issue 14 follow-up: one HPD:WorkLog search per chunk of incidents (default 50, qualification under
    4,000 characters), not one per incident — 100 incidents, 5 requests in all (was 103)."""
    from connectors.remedy.incoming import WORK_LOG_FIELDS
    settings = Settings(database_url=db_url, remedy=sim_target.settings(
        sync=RemedySyncSettings(start=MODIFIED - timedelta(days=1)), mapping=MAPPING))   # page size 100
    numbers = [f"INC000000000{400 + i:03d}" for i in range(100)]
    for number in numbers:   # with the customer's e-mail: no CTM:People look-up (one per new incident without)
        simulator.seed_incident(incident(number, **{"Internet E-mail": "anne.hansen@regionh.dk"}))
    sim_clock.now = MODIFIED - timedelta(hours=1)
    written = {number: simulator.add_work_log(number, {"Description": f"Ringet om {number}"}, by="mette.remedy",
                                              touch_incident=False) for number in numbers}
    simulator.add_work_log(numbers[7], {"Description": "Vores egen"}, by="demo", touch_incident=False)
    simulator.add_work_log(numbers[70], {"Description": "Kopi", "Detailed Description": "[sagsflow:remedy:x]"},
                           by="jens.remedy", touch_incident=False)
    report = run(factory, runtime, settings, sim_target)
    assert len(report.imported) == 100 and report.work_info == 100 and report.errors == []
    searches = work_log_searches(simulator)
    assert len(searches) <= 5 and len(simulator.requests_seen) <= 5   # login, HPD:Help Desk, 2 × HPD:WorkLog, logout
    assert sorted(numbers_in(searches)) == numbers                    # each incident in exactly one search
    assert all(len(q) <= 4000 and len(numbers_in([q])) <= 50 for q in searches)
    assert searches[0].startswith(f"('Incident Number'=\"{numbers[0]}\") OR ('Incident Number'=\"{numbers[1]}\")")
    fields = {q["fields"][0] for (m, p), q in zip(simulator.requests_seen, simulator.queries_seen, strict=True)
              if p.replace("%3A", ":").endswith("/HPD:WorkLog")}
    assert fields == {f"values({','.join(WORK_LOG_FIELDS)})"}        # only what the import reads
    session.expire_all()
    rows = session.query(WorkInfoRow.remedy_work_log_id, CaseRow.remedy_incident_number).join(
        CaseRow, CaseRow.id == WorkInfoRow.case_id).filter(WorkInfoRow.event == "remedy_work_log").all()
    assert sorted(rows) == sorted((log_id, number) for number, log_id in written.items())   # each on its own case


def test_h_r1_1_the_work_log_chunks_follow_the_count_and_length_settings_and_links_next(
        session, runtime, factory, db_url, simulator, sim_target, sim_clock):
    settings = Settings(database_url=db_url, remedy=sim_target.settings(
        sync=RemedySyncSettings(page_size=2, start=MODIFIED - timedelta(days=1), work_log_batch_size=3,
                                work_log_qualification_max=200), mapping=MAPPING))
    numbers = [f"INC000000000{500 + i:03d}" for i in range(7)]
    for number in numbers:
        simulator.seed_incident(incident(number))
    sim_clock.now = MODIFIED - timedelta(hours=1)
    for number in numbers:
        for text in ("Første", "Anden"):
            simulator.add_work_log(number, {"Description": f"{text} {number}"}, by="mette.remedy", touch_incident=False)
    assert len(run(factory, runtime, settings, sim_target).imported) == 7
    searches = work_log_searches(simulator)
    chunks = [numbers_in([q]) for q in dict.fromkeys(searches)]          # each chunk paged by _links.next
    assert chunks == [numbers[0:3], numbers[3:6], numbers[6:7]]
    assert len(searches) == 3 + 3 + 1                                   # 6, 6 and 2 entries in pages of 2
    session.expire_all()
    case = session.query(CaseRow).filter_by(remedy_incident_number=numbers[4]).one()
    assert [e.summary for e in remedy_entries(session, case)] == [f"Fra Remedy: Første {numbers[4]}",
                                                                  f"Fra Remedy: Anden {numbers[4]}"]
    short = Settings(database_url=db_url, remedy=sim_target.settings(
        sync=RemedySyncSettings(work_log_batch_size=50, work_log_qualification_max=100)))
    from services.remedy_worklog import WorkLogReader, work_log_qualification
    reader = WorkLogReader(None, short, [])
    assert [reader.fits(numbers[:k], numbers[k]) for k in range(5)] == [True, True, False, False, False]
    assert all(reader.fits(numbers[:k], numbers[k]) == (len(work_log_qualification(numbers[:k + 1])) <= 100)
               for k in range(1, 5))                                    # the length as sent, exactly


def test_h_r1_1_a_failing_work_log_chunk_is_read_again_next_sync_and_only_its_incidents(
        session, runtime, factory, db_url, simulator, sim_target, sim_clock):
    from connectors.remedy.errors import RemedyTransientError
    settings = Settings(database_url=db_url, remedy=sim_target.settings(
        sync=RemedySyncSettings(start=MODIFIED - timedelta(days=1), work_log_batch_size=10), mapping=MAPPING))
    numbers = [f"INC000000000{600 + i:03d}" for i in range(26)]
    closed = numbers.pop(15)    # closed in Remedy and unknown here: passed, its Work Log not read
    for number in numbers[:15] + [closed] + numbers[15:]:
        simulator.seed_incident(incident(number, Status="Closed" if number == closed else "Assigned"))
    sim_clock.now = MODIFIED - timedelta(hours=1)
    written = {n: simulator.add_work_log(n, {"Description": f"Note {n}"}, by="mette.remedy", touch_incident=False)
               for n in numbers}
    simulator.fail_next(1, status=500, number=92, form="HPD:WorkLog", after=1)   # the second chunk times out
    with pytest.raises(RemedyTransientError):
        run(factory, runtime, settings, sim_target)
    session.expire_all()
    assert sorted(n for (n,) in session.query(CaseRow.remedy_incident_number)) == numbers[:10]
    since = len(simulator.requests_seen)
    report = run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=5))
    assert report.imported == numbers[10:] and report.work_info == 15 and report.errors == []
    assert report.skipped == 1                                          # the closed one, in the failed chunk
    assert [numbers_in([q]) for q in work_log_searches(simulator, since)] == [numbers[10:20], numbers[20:]]
    session.expire_all()
    rows = session.query(WorkInfoRow.remedy_work_log_id, CaseRow.remedy_incident_number).join(
        CaseRow, CaseRow.id == WorkInfoRow.case_id).filter(WorkInfoRow.event == "remedy_work_log").all()
    assert sorted(rows) == sorted((log_id, number) for number, log_id in written.items())   # each once
