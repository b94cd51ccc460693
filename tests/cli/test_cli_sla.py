"""``sagsflow sla due`` prints a case's SLA deadlines (H-S, H-S1, H-S3).

Runs ``register()`` on a parser built here (as cli/main.py will), in-process;
one test runs the module as a subprocess to check the real exit code.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli.sla import register

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    parser = argparse.ArgumentParser(prog="sagsflow")
    register(parser.add_subparsers(dest="command", required=True))
    try:
        args = parser.parse_args(["sla", "due", *argv])
        code = args.func(args)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def test_h_s1_json_deadlines_in_copenhagen_time(capsys):
    # Kritisk/Guld (24x7) across spring-forward: 10 min reaction, 4 h real time to resolve
    code, out, _ = run(capsys, "--priority", "critical", "--sla-level", "gold",
                       "--received", "2024-03-31T00:20", "--started", "2024-03-31T00:30", "--json")
    assert code == 0
    assert json.loads(out) == {"reaction_due": "2024-03-31T00:30:00+01:00", "resolution_due": "2024-03-31T05:30:00+02:00"}


def test_h_s1_resolution_is_null_until_work_starts(capsys):
    code, out, _ = run(capsys, "--priority", "high", "--sla-level", "bronze", "--received", "2024-06-01T11:00", "--json")
    assert code == 0
    assert json.loads(out) == {"reaction_due": "2024-06-03T09:00:00+02:00", "resolution_due": None}


def test_h_s2_medium_has_no_reaction_and_counts_working_days(capsys):
    code, out, _ = run(capsys, "--priority", "medium", "--sla-level", "silver",
                       "--received", "2024-03-27T14:00", "--started", "2024-03-27T14:00", "--json")
    assert code == 0
    assert json.loads(out) == {"reaction_due": None, "resolution_due": "2024-04-03T14:00:00+02:00"}


def test_h_s1_input_with_offset_is_honoured(capsys):
    # 09:00 UTC = 10:00 Copenhagen in winter
    code, out, _ = run(capsys, "--priority", "critical", "--sla-level", "bronze",
                       "--received", "2024-03-04T09:00:00+00:00", "--json")
    assert code == 0
    assert json.loads(out)["reaction_due"] == "2024-03-04T10:10:00+01:00"


def test_h_s1_human_line_without_json(capsys):
    code, out, _ = run(capsys, "--priority", "medium", "--sla-level", "bronze", "--received", "2024-03-04T10:00")
    assert code == 0
    assert out.strip() == (
        "Reaktion senest (reaction due): ikke aftalt; "
        "løsning senest (resolution due): afventer at arbejdet startes"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--priority", "urgent", "--sla-level", "gold", "--received", "2024-03-04T10:00"], "invalid choice: 'urgent'"),
        (["--priority", "high", "--sla-level", "gold", "--received", "yesterday"], "not an ISO 8601 time"),
        (["--priority", "high", "--sla-level", "gold", "--received", "2024-03-31T02:30"], "does not exist"),
        (["--priority", "high", "--sla-level", "gold", "--received", "2024-03-04T10:00",
          "--started", "2024-03-04T09:00"], "is before received_at"),
        (["--priority", "high", "--sla-level", "gold"], "--received"),
        (["--priority", "high", "--sla-level", "gold", "--received", "2024-03-04T10:00",
          "--config", "/nonexistent/sla.yaml"], "cannot read SLA configuration"),
    ],
)
def test_h_s1_invalid_input_exits_2_with_message_on_stderr(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert message in err


def test_h_s1_module_exit_code_as_a_process():
    command = [sys.executable, "-m", "cli.sla", "due", "--priority", "low", "--sla-level", "bronze",
               "--received", "2024-03-04T10:00", "--started", "2024-03-03T10:00"]
    failed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert failed.returncode == 2
    assert "before received_at" in failed.stderr
    ok = subprocess.run([*command[:-1], "2024-03-04T10:00", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {"reaction_due": None, "resolution_due": "2024-03-11T10:00:00+01:00"}


def test_the_choices_are_the_domain_values():
    # cli/sla.py names them itself so that building the parser imports no SLA machinery (issue 15)
    from cli.sla import PRIORITIES, SLA_LEVELS
    from domain.sla import Priority, SlaLevel

    assert PRIORITIES == tuple(p.value for p in Priority)
    assert SLA_LEVELS == tuple(level.value for level in SlaLevel)
