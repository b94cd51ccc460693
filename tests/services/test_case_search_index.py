"""Finding a case by text (H-R2.2) with one index entry per case and per Work Info row (migration 0016):
every word of the query in the case's own text or in any of its Work Info entries — words from different
entries together — whether a word's Work Info cases are few (looked up by id) or many (one set)."""
from __future__ import annotations

import pytest

import services.case_search as case_search
from services.case_search import CaseFilters, search_cases
from store.cases import add_case, add_work_info
from store.models import CaseRow
from casewalk import T0


def _case(session, summary: str, *notes: str) -> str:
    case = add_case(session, CaseRow(case_type="incident", summary=summary, status="in_progress", impact=3, urgency=3,
                                     sla_level="gold", customer_name="Hanne Hansen", received_at=T0), prefix="SF-INC")
    for note in notes:
        add_work_info(session, case_id=case.id, event="note", work_log_type="Working Log", summary="Notat", notes=note,
                      author="sd.tekniker", view_access="internal", now=T0)
    session.flush()
    return case.number


@pytest.mark.parametrize("few", [1000, 1])
def test_h_r2_2_every_word_in_the_case_or_any_of_its_work_info(session, monkeypatch, few):
    monkeypatch.setattr(case_search, "WORK_INFO_CASES", few)   # 1: 'toner' is in the Work Info of "many" cases
    both = _case(session, "Printeren virker ikke", "Skiftet toner")
    head = _case(session, "Printeren på afsnit 3")
    spread = _case(session, "Scanneren er langsom", "Toner bestilt", "Også printeren driller")
    session.commit()
    found = lambda q: sorted(h.number for h in search_cases(session, CaseFilters(q=q), now=T0).items)
    assert found("printer") == sorted([both, head, spread])          # the summary or a Work Info entry
    assert found("printer toner") == sorted([both, spread])           # head + entry, and two entries
    assert found("toner scanner") == [spread]
    assert found("printer afsnit") == [head]                          # both in the head
    assert found("afsnit toner") == []
    assert found("hanne toner bestilt") == [spread]                   # customer, and one entry with two words
