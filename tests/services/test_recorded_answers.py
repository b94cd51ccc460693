"""Issue 10: every task completion stores the submitted answers as data (not only as Work Info
text), in the same transaction — the material replayed on a candidate version before deploying."""
from __future__ import annotations

from casewalk import TRIAGE, CaseWalk
from store.models import CaseRow, RecordedAnswerRow


def test_h_r1_1_a_completion_records_the_answers_as_data(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.do("classify_case", "sd.tekniker", {"classification": "incident"})
    walk.do("first_triage", "sd.tekniker", TRIAGE)
    case = session.query(CaseRow).filter_by(number=walk.number).one()
    rows = session.query(RecordedAnswerRow).filter_by(case_id=case.id).order_by(RecordedAnswerRow.id).all()
    assert [(r.bpmn_id, r.answered_by) for r in rows] == [("classify_case", "sd.tekniker"),
                                                          ("first_triage", "sd.tekniker")]
    assert rows[0].answers["classification"] == "incident"
    assert rows[1].answers["affected_count"] == 2 and rows[1].answers["equipment"] == "desktop"
    assert rows[1].answered_at > rows[0].answered_at
