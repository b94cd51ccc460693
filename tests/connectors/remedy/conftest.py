"""Fixtures for the Remedy connector tests (H-R1.1): a real simulator on 127.0.0.1,
or — opt-in via REMEDY_LIVE_URL / REMEDY_LIVE_USER / REMEDY_LIVE_PASSWORD — a live
Remedy server for the contract suite. Live runs create real test incidents and Work
Info; point them at a test server only. REMEDY_LIVE_FIRST_NAME / REMEDY_LIVE_LAST_NAME
name an existing People record (defaults: BMC sample user Allen Allbrook); REMEDY_LIVE_GROUP,
REMEDY_LIVE_SUPPORT_COMPANY and REMEDY_LIVE_SUPPORT_ORGANIZATION an existing support group and
REMEDY_LIVE_ASSIGNEE_LOGIN a member of it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from connectors.remedy.client import RemedyClient, RemedySettings
from connectors.remedy.simulator import RemedySimulator

SIM_START = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)


class StepClock:
    """A clock tests move by hand: ``clock()`` for the simulator, ``clock.seconds()`` for the client."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self._start = start

    def __call__(self) -> datetime:
        return self.now

    def seconds(self) -> float:
        return (self.now - self._start).total_seconds()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class RemedyTarget:
    """A server to test against, and how to build clients for it."""

    kind: str
    base_url: str
    username: str
    password: str
    simulator: RemedySimulator | None
    customer: tuple[str, str]
    assignment: tuple[str, str, str] = ("Servicedesk", "Region Hovedstaden", "Koncern IT")
    assignee_login: str = "sdtek01"

    def settings(self, **overrides: object) -> RemedySettings:
        values: dict[str, object] = {
            "enabled": True,
            "base_url": self.base_url,
            "username": self.username,
            "password": SecretStr(self.password),
            "timeout_s": 5.0,
        }
        values.update(overrides)
        return RemedySettings(**values)

    def client(self, **overrides: object) -> RemedyClient:
        clock = overrides.pop("clock", None)
        if clock is None:
            return RemedyClient(self.settings(**overrides))
        return RemedyClient(self.settings(**overrides), clock=clock)


@pytest.fixture
def sim_clock() -> StepClock:
    return StepClock(SIM_START)


@pytest.fixture
def simulator(sim_clock: StepClock) -> Iterator[RemedySimulator]:
    sim = RemedySimulator(username="demo", password="demo", clock=sim_clock).start("127.0.0.1", 0)
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def sim_target(simulator: RemedySimulator) -> RemedyTarget:
    return RemedyTarget("simulator", simulator.base_url, "demo", "demo", simulator, ("Anne", "Hansen"))


@pytest.fixture(params=["simulator", "live"])
def remedy_server(request: pytest.FixtureRequest) -> RemedyTarget:
    """The contract suite runs against every target here; live only when configured."""
    if request.param == "simulator":
        return request.getfixturevalue("sim_target")
    url, user = os.environ.get("REMEDY_LIVE_URL"), os.environ.get("REMEDY_LIVE_USER")
    password = os.environ.get("REMEDY_LIVE_PASSWORD")
    if not (url and user and password):
        pytest.skip("live Remedy not configured (REMEDY_LIVE_URL/_USER/_PASSWORD)")
    customer = (
        os.environ.get("REMEDY_LIVE_FIRST_NAME", "Allen"),
        os.environ.get("REMEDY_LIVE_LAST_NAME", "Allbrook"),
    )
    assignment = (
        os.environ.get("REMEDY_LIVE_GROUP", "Service Desk"),
        os.environ.get("REMEDY_LIVE_SUPPORT_COMPANY", "Calbro Services"),
        os.environ.get("REMEDY_LIVE_SUPPORT_ORGANIZATION", "IT Support"),
    )
    return RemedyTarget("live", url, user, password, None, customer, assignment,
                        os.environ.get("REMEDY_LIVE_ASSIGNEE_LOGIN", "Allen"))
