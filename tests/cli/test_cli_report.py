"""`sagsflow report compliance` (issue 16): the four preconditions per team and week and the bad
case flows, on the hand-built histories of tests/services/insight_cases.py, in-process on the real
database; bad input exits 2 with a clear message."""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))

from cli.main import main  # noqa: E402
from insight_cases import build_all  # noqa: E402

NOW = ["--now", "2026-12-03T10:00:00+01:00"]


def test_report_compliance_json_per_team_week_and_patterns(session, cli_env, capsys):
    cases = build_all(session)
    session.commit()
    code = main([*NOW, "report", "compliance", "--from", "2026-11-23", "--to", "2026-12-03", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and (document["from"], document["to"]) == ("2026-11-23", "2026-12-03")
    assert {"team": "databases", "week": "2026-W48", "cases": 1, "ownership": 0.0, "handover": 100.0,
            "communication": 100.0, "documentation": 100.0} in document["team_weeks"]
    assert document["patterns"]["silent"] == [cases["silent"].case.number]
    good = next(c for c in document["cases"] if c["number"] == cases["good"].case.number)
    assert all(good["ok"].values()) and "kunde@example.org" not in json.dumps(document)


def test_report_compliance_text_for_one_team_in_danish(session, cli_env, capsys):
    cases = build_all(session)
    session.commit()
    assert main([*NOW, "report", "compliance", "--team", "network", "--from", "2026-11-23", "--to", "2026-12-03"]) == 0
    out = capsys.readouterr().out
    assert "sager modtaget 23-11-2026 – 03-12-2026 (Netværk)" in out
    assert "Netværk" in out and "Applikationsdrift" not in out
    assert f"Tavs over for kunden (1): {cases['silent'].case.number}" in out
    assert f"{cases['silent'].case.number} (Netværk): fejler kommunikation; Tavs over for kunden" in out


def test_report_compliance_refuses_bad_dates_and_unknown_teams(cli_env, capsys):
    assert main([*NOW, "report", "compliance", "--from", "23-11-2026"]) == 2
    assert "--from: not a date" in capsys.readouterr().err
    assert main([*NOW, "report", "compliance", "--team", "nobody"]) == 2
    assert "unknown team" in capsys.readouterr().err
    assert main([*NOW, "report", "compliance", "--from", "2026-12-03", "--to", "2026-11-01"]) == 2
