"""The demo mail sink stores what it receives and logs nothing personal (H-R1.3, H-C2)."""

from __future__ import annotations

import logging
import smtplib
from pathlib import Path

from connectors.mail.devserver import start_sink

CUSTOMER = "kunde@region.example.dk"
RAW = f"From: servicedesk@sagsflow.example.dk\r\nTo: {CUSTOMER}\r\nSubject: Hej Kunde Testesen\r\n\r\nTekst\r\n"


def deliver(port: int) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        client.sendmail("servicedesk@sagsflow.example.dk", [CUSTOMER], RAW.encode())


def test_h_r1_3_sink_stores_each_message_as_numbered_eml(tmp_path: Path, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO, logger="connectors")
    folder = tmp_path / "mail"
    controller = start_sink(folder)
    try:
        deliver(controller.port)
        deliver(controller.port)
    finally:
        controller.stop()
    restarted = start_sink(folder)  # numbering continues after a restart: nothing overwritten
    try:
        deliver(restarted.port)
    finally:
        restarted.stop()
    assert [path.name for path in restarted.handler.stored()] == ["000001.eml", "000002.eml", "000003.eml"]
    assert all(path.read_bytes().replace(b"\r\n", b"\n") == RAW.replace("\r\n", "\n").encode()
               for path in restarted.handler.stored())
    assert "stored message of" in caplog.text and "000003.eml" in caplog.text
    assert CUSTOMER not in caplog.text and "Kunde Testesen" not in caplog.text
