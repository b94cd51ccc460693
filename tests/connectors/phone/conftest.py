"""Fixtures for the phone connector tests (H-R1.3): a real ARI simulator on 127.0.0.1 (ephemeral port)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from connectors.phone.ari_simulator import AriSimulator
from connectors.phone.settings import AriSettings

SIM_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def ari_sim() -> Iterator[AriSimulator]:
    with AriSimulator(username="sagsflow", password="s3cret", clock=lambda: SIM_NOW) as simulator:
        yield simulator


@pytest.fixture
def ari_settings(ari_sim: AriSimulator) -> AriSettings:
    return AriSettings(
        enabled=True,
        base_url=ari_sim.base_url,
        username="sagsflow",
        password=SecretStr("s3cret"),
        context="sagsflow-outbound",
        caller_id='"Servicedesk" <70112233>',
        timeout_s=2.0,
    )
