"""`sagsflow case search` (issue 12; H-R2.2): every case by text, customer or number, with filters;
the same document as GET /api/cases; a bad filter is exit 2 and changes nothing."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from cli.main import main
from store.db import session_factory

OPEN = ["case", "open", "--type", "incident", "--impact", "3", "--urgency", "2", "--sla-level", "bronze", "--json"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def two_cases(cli_env, db_engine, runtime, capsys):
    with session_factory(db_engine)() as session:
        runtime.deploy_current(session, actor="system", now=datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc))
        session.commit()
    numbers = []
    for summary, customer in (("Printer på afsnit 3 virker ikke", "Hanne Hansen"), ("VPN afbryder", "Ole Olsen")):
        code, out, _ = run(capsys, "--now", "2026-11-23T10:00:00+01:00", *OPEN, "--summary", summary,
                           "--customer", customer)
        assert code == 0
        numbers.append(json.loads(out)["number"])
    return numbers


def test_h_r2_2_case_search_finds_by_text_and_customer(two_cases, capsys):
    printer, vpn = two_cases
    code, out, _ = run(capsys, "case", "search", "printer", "--json")
    assert code == 0
    document = json.loads(out)
    assert document["total"] == 1 and document["items"][0]["number"] == printer
    assert document["items"][0]["customer"] == "Hanne Hansen"
    code, out, _ = run(capsys, "case", "search", "olsen")
    assert code == 0 and vpn in out and printer not in out and "1 sag(er), side 1 af 1" in out
    code, out, _ = run(capsys, "case", "search", "--view", "open", "--sort", "number", "--json")
    assert [c["number"] for c in json.loads(out)["items"]] == [printer, vpn]


def test_h_r2_2_case_search_refuses_a_bad_date(two_cases, capsys):
    code, _, err = run(capsys, "case", "search", "--from", "i går")
    assert code == 2 and "received_from" in err
