"""Issue 10: every task completion stores the submitted answers as data (not only as Work Info
text), in the same transaction — the material replayed on a candidate version before deploying.
Issue 15 (migration 0016): on the task's own row, no extra row per completion; a customer's mail reply
(no task row) in recorded_answer; one order for both."""
from __future__ import annotations

from casewalk import TRIAGE, CaseWalk
from store.deployments import answers_of
from store.process import forms_of_tasks
from store.models import CaseRow, HumanTaskRow, RecordedAnswerRow


def test_h_r1_1_a_completion_records_the_answers_as_data(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.do("classify_case", "sd.tekniker", {"classification": "incident"})
    walk.do("first_triage", "sd.tekniker", TRIAGE)
    case = session.query(CaseRow).filter_by(number=walk.number).one()
    session.expire_all()
    rows = answers_of(session, [case.id])[case.id]
    assert [(r.bpmn_id, r.answered_by) for r in rows] == [("classify_case", "sd.tekniker"),
                                                          ("first_triage", "sd.tekniker")]
    assert rows[0].answers["classification"] == "incident"
    assert rows[1].answers["affected_count"] == 2 and rows[1].answers["equipment"] == "desktop"
    assert rows[1].answered_at > rows[0].answered_at
    task = session.query(HumanTaskRow).filter_by(case_id=case.id, bpmn_id="first_triage").one()
    assert task.completed_by == "sd.tekniker"
    # the empty answers are not stored; the reader gives them back from the task's form
    assert None not in task.answers.values() and task.answers["equipment"] == "desktop"
    fields = {f.id for f in forms_of_tasks(session, [task])[task.id].fields}
    assert set(rows[1].answers) == fields and set(task.answers) < fields
    assert rows[1].answers == {**{f: None for f in fields}, **task.answers}
    assert {f: v for f, v in rows[1].answers.items() if v is None}.keys() >= {"affected_departments", "server_names"}
    assert session.query(RecordedAnswerRow).filter_by(case_id=case.id).count() == 0   # no row per completion


def test_h_r1_4_a_mail_reply_and_the_task_answers_come_back_in_the_order_given(session, runtime):
    from services.messages import deliver_customer_reply
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {"outcome": "request_information", "information_needed": "Stiknummer"})
    # the same instant as the completion before it: the order comes from the instance's version, not the clock
    deliver_customer_reply(session, runtime, case_number=walk.number, text="Det er 60-143B æøå",
                           now=session.query(HumanTaskRow).filter_by(bpmn_id="work_on_case").one().completed_at)
    session.commit()
    case = session.query(CaseRow).filter_by(number=walk.number).one()
    rows = answers_of(session, [case.id])[case.id]
    assert [r.bpmn_id for r in rows][-2:] == ["work_on_case", "message:customer_reply"]
    assert rows[-1].answers == {"text": "Det er 60-143B æøå"}
    assert [r.bpmn_id for r in rows][:2] == ["classify_case", "first_triage"]
