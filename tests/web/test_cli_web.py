"""`sagsflow web` (issue 5): the sub-command's arguments and the demo passwords it sets at start."""
from __future__ import annotations

import argparse

import pytest

from cli import web as web_cli
from cli.common import CliError
from services.auth import authenticate, demo_users, ensure_demo_passwords

from conftest import FAST_HASHER


def parser():
    root = argparse.ArgumentParser(prog="sagsflow")
    web_cli.register(root.add_subparsers(dest="command", required=True))
    return root


def test_web_command_defaults_to_loopback_port_8000():
    args = parser().parse_args(["web"])
    assert (args.host, args.port, args.handler) == ("127.0.0.1", 8000, web_cli.cmd_web)
    assert parser().parse_args(["web", "--port", "8123"]).port == 8123


def test_web_command_refuses_an_impossible_port():
    with pytest.raises(CliError, match="--port must be 1-65535"):
        web_cli.cmd_web(parser().parse_args(["web", "--port", "70000"]))


def test_demo_passwords_are_set_once_and_equal_the_username(session):
    fresh = ensure_demo_passwords(session, hasher=FAST_HASHER)
    assert "app.tekniker" in fresh and "admin" in fresh
    assert ensure_demo_passwords(session, hasher=FAST_HASHER) == []      # kept on the next start
    assert authenticate(session, username="admin", password="admin").roles == {"admin"}
    assert ("app.koordinator", "coordinator, technician") in demo_users(session)
