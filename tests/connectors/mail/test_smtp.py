"""send(): case mails through a real aiosmtpd server; failures sorted transient/permanent (H-R1.3, H-R1.4, H-R5.2, H-C2)."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from connectors.mail.compose import ComposedMail, MailKind, compose
from connectors.mail.errors import MailPermanentError, MailRecipientsRefusedError, MailTransientError
from connectors.mail.settings import SmtpSettings
from connectors.mail.smtp import send

NOW = datetime(2025, 11, 25, 20, 19, tzinfo=UTC)
CASE = "SF-INC-000123"
CUSTOMER = "kunde@region.example.dk"
SENDER = "servicedesk@sagsflow.example.dk"
RECEIPT = {"summary": "Printer på afsnit 3 virker ikke"}


def composed(kind: str = "receipt", *, to: str | list[str] = CUSTOMER, context: dict | None = None) -> ComposedMail:
    return compose(
        kind, case_number=CASE, to=to, context=context or RECEIPT, now=NOW,
        from_address=SENDER, domain="sagsflow.example.dk",
    )


def received(controller) -> list:  # noqa: ANN001
    return [message_from_bytes(path.read_bytes(), policy=policy.default) for path in controller.handler.stored()]


@pytest.mark.parametrize("kind", [kind.value for kind in MailKind])
def test_h_r1_3_each_template_arrives_tagged_threaded_and_in_danish(kind: str, kind_examples, sink, smtp_settings) -> None:  # noqa: ANN001, E501
    context, words, _subject = kind_examples[kind]
    mail = composed(kind, to="cmdb@region.example.dk" if kind == "cmdb_update" else CUSTOMER, context=context)
    send(mail, smtp_settings)
    [message] = received(sink)
    assert message["Subject"] == mail.subject and message["Subject"].startswith(f"[{CASE}] ")
    assert message["Message-ID"].strip() == mail.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    text = message.get_body(preferencelist=("plain",)).get_content()
    for word in words:
        assert word in text.replace("\r\n", "\n")


def test_h_r1_3_injected_header_text_never_reaches_the_server(sink, smtp_settings) -> None:  # noqa: ANN001
    with pytest.raises(Exception, match="one line"):
        send(composed(context={"summary": "Printer\r\nBcc: alle@region.example.dk"}), smtp_settings)
    send(composed(context={"summary": "Printer: Bcc alle@region.example.dk"}), smtp_settings)
    [message] = received(sink)
    assert message["Bcc"] is None and message.get_all("To") == [CUSTOMER]


def test_h_r1_3_every_recipient_gets_the_mail(tmp_path: Path, start_smtp) -> None:  # noqa: ANN001
    recipients = []

    class Recorder:
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN202, N802
            recipients.extend(envelope.rcpt_tos)
            return "250 OK"

    server = start_smtp(Recorder())
    settings = SmtpSettings(host="127.0.0.1", port=server.port, security="none", from_address=SENDER)
    send(composed(to=[CUSTOMER, "leder@region.example.dk"]), settings)
    assert recipients == [CUSTOMER, "leder@region.example.dk"]


def test_h_r1_3_starttls_with_login_over_a_trusted_certificate(  # noqa: ANN001
    start_smtp, server_tls, tls_files, authenticator, smtp_account, caplog
) -> None:
    user, password = smtp_account
    server = start_smtp(starttls_context=server_tls, require_starttls=True, authenticator=authenticator)
    settings = SmtpSettings(
        host="127.0.0.1", port=server.port, security="starttls", username=user,
        password=password, from_address=SENDER, ca_file=tls_files[0], timeout=5,
    )
    caplog.set_level(logging.DEBUG)
    mail = composed()
    send(mail, settings)
    assert authenticator.logins == [user]
    assert [path.read_bytes() for path in server.handler.stored()] == [mail.raw]
    ours = "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("connectors"))
    assert f"sent receipt mail for {CASE} as {mail.message_id}" in ours
    assert password not in ours and CUSTOMER not in ours and user not in ours
    assert password not in repr(settings) and password not in str(settings.model_dump())


def test_h_r1_3_no_login_when_no_credentials_are_configured(start_smtp, server_tls, tls_files, authenticator) -> None:  # noqa: ANN001, E501
    server = start_smtp(starttls_context=server_tls, authenticator=authenticator)
    settings = SmtpSettings(
        host="127.0.0.1", port=server.port, security="starttls", from_address=SENDER, ca_file=tls_files[0]
    )
    send(composed(), settings)
    assert authenticator.logins == [] and len(server.handler.stored()) == 1


def test_h_r1_3_implicit_tls_smtps(start_smtp, server_tls, tls_files) -> None:  # noqa: ANN001
    server = start_smtp(implicit_tls_context=server_tls)
    settings = SmtpSettings(
        host="127.0.0.1", port=server.port, security="ssl", from_address=SENDER, ca_file=tls_files[0], timeout=5
    )
    send(composed(), settings)
    assert len(server.handler.stored()) == 1


def test_h_r1_3_untrusted_certificate_is_permanent(start_smtp, server_tls) -> None:  # noqa: ANN001
    server = start_smtp(starttls_context=server_tls)
    settings = SmtpSettings(host="127.0.0.1", port=server.port, security="starttls", from_address=SENDER, timeout=5)
    with pytest.raises(MailPermanentError, match="not trusted"):
        send(composed(), settings)
    assert server.handler.stored() == []


def test_h_r1_3_wrong_password_is_permanent(start_smtp, server_tls, tls_files, authenticator, smtp_account) -> None:  # noqa: ANN001, E501
    server = start_smtp(starttls_context=server_tls, authenticator=authenticator)
    settings = SmtpSettings(
        host="127.0.0.1", port=server.port, security="starttls", username=smtp_account[0], password="forkert",
        from_address=SENDER, ca_file=tls_files[0], timeout=5,
    )
    with pytest.raises(MailPermanentError, match="replied 535") as caught:
        send(composed(), settings)
    assert caught.value.smtp_code == 535 and "forkert" not in str(caught.value)


def test_h_r1_3_starttls_missing_on_the_server_is_permanent(sink) -> None:  # noqa: ANN001
    settings = SmtpSettings(host="127.0.0.1", port=sink.port, security="starttls", from_address=SENDER, timeout=5)
    with pytest.raises(MailPermanentError, match="STARTTLS"):
        send(composed(), settings)


def test_h_r1_3_smtp_down_is_transient(closed_port: int) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=closed_port, security="none", from_address=SENDER, timeout=5)
    with pytest.raises(MailTransientError, match="unreachable: ConnectionRefusedError"):
        send(composed(), settings)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts TCP connections and never says a word (a hung SMTP server)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_h_r1_3_smtp_timeout_is_transient(silent_server: int) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=silent_server, security="none", from_address=SENDER, timeout=0.3)
    with pytest.raises(MailTransientError, match="lost the connection.*timed out"):
        send(composed(), settings)


class ScriptedServer:
    """aiosmtpd handler answering RCPT per address and DATA with a fixed reply."""

    def __init__(self, rcpt: dict[str, str] | None = None, data: str = "250 OK") -> None:
        self.rcpt = rcpt or {}
        self.data = data
        self.delivered: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN202, N802
        reply = self.rcpt.get(address, "250 OK")
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN202, N802
        if self.data.startswith("250"):
            self.delivered.extend(envelope.rcpt_tos)
        return self.data


def scripted(start_smtp, handler: ScriptedServer) -> SmtpSettings:  # noqa: ANN001
    server = start_smtp(handler)
    return SmtpSettings(host="127.0.0.1", port=server.port, security="none", from_address=SENDER, timeout=5)


@pytest.mark.parametrize(
    ("data_reply", "error", "pattern"),
    [
        ("451 4.3.0 Midlertidig fejl hos kunde@region.example.dk", MailTransientError, "replied 451 4.3.0"),
        ("452 4.3.1 Insufficient system storage", MailTransientError, "replied 452 4.3.1"),
        ("554 5.7.1 Message rejected for kunde@region.example.dk", MailPermanentError, "replied 554 5.7.1"),
    ],
)
def test_h_r1_3_smtp_reply_codes_decide_retry(start_smtp, data_reply: str, error: type, pattern: str) -> None:  # noqa: ANN001
    settings = scripted(start_smtp, ScriptedServer(data=data_reply))
    with pytest.raises(error, match=pattern) as caught:
        send(composed(), settings)
    assert CUSTOMER not in str(caught.value)  # server text may quote addresses: kept out of logs
    assert not (error is MailTransientError and isinstance(caught.value, MailPermanentError))


def test_h_r1_3_all_recipients_refused_permanently(start_smtp) -> None:  # noqa: ANN001
    handler = ScriptedServer(rcpt={CUSTOMER: "550 5.1.1 No such user"})
    with pytest.raises(MailRecipientsRefusedError, match="refused 1 of 1 recipient") as caught:
        send(composed(), scripted(start_smtp, handler))
    assert caught.value.refused == {CUSTOMER: 550} and not caught.value.delivered_to_others
    assert CUSTOMER not in str(caught.value)


def test_h_r1_3_greylisted_recipients_are_transient(start_smtp) -> None:  # noqa: ANN001
    handler = ScriptedServer(rcpt={CUSTOMER: "450 4.2.0 Greylisted, try again later"})
    with pytest.raises(MailTransientError, match="codes 450"):
        send(composed(), scripted(start_smtp, handler))


def test_h_r1_3_partly_refused_recipients_are_permanent_so_nobody_gets_it_twice(start_smtp) -> None:  # noqa: ANN001
    handler = ScriptedServer(rcpt={"forkert@region.example.dk": "450 4.2.0 Try later"})
    with pytest.raises(MailRecipientsRefusedError, match="refused 1 of 2") as caught:
        send(composed(to=[CUSTOMER, "forkert@region.example.dk"]), scripted(start_smtp, handler))
    assert caught.value.delivered_to_others and handler.delivered == [CUSTOMER]
