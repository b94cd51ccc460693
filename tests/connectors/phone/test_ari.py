"""Optional ARI click-to-call (H-R1.3) against the local ARI simulator over real HTTP."""

from __future__ import annotations

import logging
import socket

import pytest
import requests
from pydantic import SecretStr, ValidationError

from connectors.phone.ari import (
    AriAuthError,
    AriDisabledError,
    AriPermanentError,
    AriRequestError,
    AriTransientError,
    originate_call,
)
from connectors.phone.ari_simulator import AriSimulator
from connectors.phone.outcomes import InvalidPhoneNumberError
from connectors.phone.settings import AriSettings

CUSTOMER = "+45 23 45 67 89"


def _closed_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _call(settings: AriSettings, **overrides: str) -> str:
    arguments = {"technician_extension": "4711", "customer_number": CUSTOMER, "case_number": "SF-INC-001234"}
    return originate_call(settings, **{**arguments, **overrides})


def test_h_r1_3_click_to_call_sends_exactly_the_documented_originate(ari_sim, ari_settings) -> None:
    channel_id = _call(ari_settings)

    [seen] = ari_sim.requests
    assert (seen.method, seen.path, seen.authorized) == ("POST", "/ari/channels", True)
    assert seen.query == {
        "endpoint": "PJSIP/4711",
        "extension": "23456789",
        "context": "sagsflow-outbound",
        "priority": "1",
        "timeout": "30",
        "callerId": '"Servicedesk" <70112233>',
    }
    assert seen.body == {"variables": {"SAGSFLOW_CASE": "SF-INC-001234"}}
    channel = ari_sim.channels[channel_id]
    assert channel["state"] == "Down" and channel["name"].startswith("PJSIP/4711-")
    assert channel["dialplan"] == {"context": "sagsflow-outbound", "exten": "23456789", "priority": 1}
    assert channel["caller"] == {"name": "Servicedesk", "number": "70112233"}
    assert channel["creationtime"] == "2026-11-23T09:00:00.000+0000"


def test_h_r1_3_simulator_channel_can_be_read_and_hung_up(ari_sim, ari_settings) -> None:
    channel_id = _call(ari_settings)
    url, auth = f"{ari_sim.base_url}/ari/channels/{channel_id}", ("sagsflow", "s3cret")
    assert requests.get(url, auth=auth, timeout=2).json()["id"] == channel_id
    assert requests.delete(url, auth=auth, timeout=2).status_code == 204
    gone = requests.delete(url, auth=auth, timeout=2)
    assert (gone.status_code, gone.json()) == (404, {"message": "Channel not found"})
    assert requests.get(url, auth=auth, timeout=2).status_code == 404


def test_h_r1_3_stasis_app_mode_and_dial_prefix_replace_the_dialplan_parameters(ari_sim, ari_settings) -> None:
    settings = ari_settings.model_copy(update={"app": "sagsflow", "dial_prefix": "0", "caller_id": None})
    _call(settings)
    assert ari_sim.requests[0].query == {
        "endpoint": "PJSIP/4711", "app": "sagsflow", "appArgs": "023456789", "timeout": "30",
    }


def test_h_r1_3_repeated_click_with_the_same_channel_id_does_not_ring_twice(ari_sim, ari_settings) -> None:
    assert _call(ari_settings, channel_id="case-1234-call-1") == "case-1234-call-1"
    with pytest.raises(AriPermanentError, match="HTTP 409.*Channel with given unique ID already exists") as caught:
        _call(ari_settings, channel_id="case-1234-call-1")
    assert caught.value.status == 409
    assert list(ari_sim.channels) == ["case-1234-call-1"]


def test_h_r1_3_wrong_credentials_are_an_auth_error(ari_sim, ari_settings) -> None:
    settings = ari_settings.model_copy(update={"password": SecretStr("wrong")})
    with pytest.raises(AriAuthError, match="HTTP 401.*Authentication required") as caught:
        _call(settings)
    assert "wrong" not in str(caught.value)
    assert ari_sim.channels == {} and ari_sim.requests[0].authorized is False


def test_h_r1_3_ari_400_message_is_surfaced_as_permanent_error(ari_sim, ari_settings) -> None:
    settings = ari_settings.model_copy(update={"endpoint_template": "SKYPE/{extension}"})
    with pytest.raises(AriPermanentError, match="HTTP 400.*Unknown endpoint technology 'SKYPE'") as caught:
        _call(settings)
    assert (caught.value.status, caught.value.ari_message) == (400, "Unknown endpoint technology 'SKYPE'")
    assert not isinstance(caught.value, AriTransientError)


def test_h_r1_3_server_error_is_transient(ari_sim, ari_settings) -> None:
    ari_sim.fail_next(1, status=500)
    with pytest.raises(AriTransientError, match="HTTP 500") as caught:
        _call(ari_settings)
    assert caught.value.status == 500
    assert _call(ari_settings)  # the next attempt goes through


def test_h_r1_3_timeout_is_transient_and_does_not_quote_the_number(ari_sim, ari_settings) -> None:
    ari_sim.delay_next(1, seconds=5.0)  # ends early when the fixture stops the simulator
    settings = ari_settings.model_copy(update={"timeout_s": 0.2})
    with pytest.raises(AriTransientError, match="did not answer within 0.2 s") as caught:
        _call(settings)
    assert "23456789" not in str(caught.value) and caught.value.__cause__ is None


def test_h_r1_3_unreachable_pbx_is_transient(ari_settings) -> None:
    settings = ari_settings.model_copy(update={"base_url": f"http://127.0.0.1:{_closed_port()}"})
    with pytest.raises(AriTransientError, match=r"cannot reach ARI at 127\.0\.0\.1:\d+ \(ConnectionError\)"):
        _call(settings)


@pytest.mark.parametrize("number", ["12345678", "2345678", "+46 23 45 67 89", "23456789; DROP", ""])
def test_h_r1_3_invalid_number_is_rejected_before_any_request(ari_sim, ari_settings, number: str) -> None:
    with pytest.raises(InvalidPhoneNumberError, match="not a Danish phone number"):
        _call(ari_settings, customer_number=number)
    assert ari_sim.requests == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("technician_extension", "4711&extension=99"), ("technician_extension", ""), ("case_number", "INC 1"),
     ("channel_id", "a/b")],
)
def test_h_r1_3_invalid_call_request_is_rejected_before_any_request(ari_sim, ari_settings, field, value) -> None:
    with pytest.raises(AriRequestError, match=field):
        _call(ari_settings, **{field: value})
    assert ari_sim.requests == []


def test_h_r1_3_disabled_click_to_call_sends_nothing(ari_sim, ari_settings) -> None:
    with pytest.raises(AriDisabledError, match="tel: link"):
        _call(ari_settings.model_copy(update={"enabled": False}))
    assert ari_sim.requests == []


def test_h_r1_3_number_and_password_stay_out_of_the_log(ari_sim, ari_settings, caplog) -> None:
    with caplog.at_level(logging.DEBUG, logger="connectors.phone"):
        channel_id = _call(ari_settings)
    assert channel_id in caplog.text and "******89" in caplog.text
    assert "23456789" not in caplog.text and "s3cret" not in caplog.text


def test_h_r1_3_settings_refuse_incomplete_or_unsafe_configuration() -> None:
    with pytest.raises(ValidationError, match="username and password"):
        AriSettings(enabled=True)
    with pytest.raises(ValidationError, match="TECHNOLOGY/"):
        AriSettings(endpoint_template="PJSIP/4711")
    with pytest.raises(ValidationError, match="no placeholder other than"):
        AriSettings(endpoint_template="PJSIP/{extension}@{trunk}")
    with pytest.raises(ValidationError, match="must not contain a query"):
        AriSettings(base_url="http://user:pw@pbx:8088")
    assert "s3cret" not in repr(AriSettings(password=SecretStr("s3cret")))
