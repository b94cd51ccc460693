"""`sagsflow absence add|list` and `sagsflow case reassign` (issue 13 item 6; H-R2.2): exit codes and
documents; an absent person cannot receive the case; nothing changes on a refused command."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from cli.main import main
from store.db import session_factory
from store.models import AbsenceRow, CaseRow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
from casewalk import CaseWalk  # noqa: E402

NOW = ["--now", "2026-11-23T11:00:00+01:00"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_h_r2_2_absence_and_redistribution_on_the_command_line(cli_env, db_engine, session, runtime, capsys):
    walk = CaseWalk(session, runtime)
    walk.to_work(team="application_operations", assignee="app.tekniker", coordinator="app.koordinator")
    code, out, _ = run(capsys, *NOW, "absence", "add", "--user", "app.tekniker2", "--from", "2026-11-23T08:00",
                       "--until", "2026-11-25T16:00", "--note", "Kursus", "--as", "app.koordinator", "--json")
    assert code == 0 and json.loads(out)["user"] == "app.tekniker2"
    code, _, err = run(capsys, *NOW, "case", "reassign", walk.number, "--to", "app.tekniker2", "--as", "app.koordinator")
    assert code == 5 and "fraværende" in err                                  # refused: nothing changed
    code, _, err = run(capsys, *NOW, "absence", "add", "--user", "app.tekniker", "--from", "2026-11-23T08:00",
                       "--until", "2026-11-24T08:00", "--as", "net.koordinator")
    assert code == 3
    code, out, _ = run(capsys, *NOW, "case", "reassign", walk.number, "--to", "app.koordinator",
                       "--as", "app.koordinator", "--json")
    assert code == 0 and json.loads(out)["assignee"] == "app.koordinator"
    with session_factory(db_engine)() as check:
        assert check.query(CaseRow).one().assignee == "app.koordinator"
        assert [a.username for a in check.query(AbsenceRow)] == ["app.tekniker2"]
    code, out, _ = run(capsys, "absence", "list", "--as", "app.koordinator", "--json")
    assert code == 0 and [a["note"] for a in json.loads(out)] == ["Kursus"]
