"""Real mail servers on 127.0.0.1 for the mail connector tests (H-R1.3, H-R1.4, H-R5.2, H-C2).

SMTP: aiosmtpd (connectors.mail.devserver), plain, STARTTLS or SMTPS with a self-signed
certificate made here with `cryptography`. IMAP: pymap's in-memory "dict" backend run as
a subprocess (one per test session, INBOX emptied before each test), STARTTLS with the
same certificate.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import ipaddress
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.mail.devserver import MailSink, start_sink, start_smtp_server
from connectors.mail.settings import ImapSettings, SmtpSettings

IMAP_USER = "servicedesk"
IMAP_PASSWORD = "imap-test-secret-7f3a"
SMTP_USER = "relay-user-42"
SMTP_PASSWORD = "smtp-test-secret-91c2"
SENDER = "servicedesk@sagsflow.example.dk"
_CERT_VALID_FROM = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
_CERT_VALID_TO = dt.datetime(2035, 1, 1, tzinfo=dt.UTC)


# kind -> (context, Danish words that must be in the plain text, Danish words in the subject)
KIND_EXAMPLES: dict[str, tuple[dict, list[str], str]] = {
    "receipt": (
        {"summary": "Printer på afsnit 3 virker ikke", "customer_name": "Kunde Testesen"},
        ["Kære Kunde Testesen", "Vi har modtaget den 25. november 2025 kl. 21.19", "registreret"],
        "Kvittering for modtagelse",
    ),
    "information_request": (
        {"summary": "Citrix er langsom", "items": ["Hvilken Citrix-server bruger du?", "Et skærmbillede af fejlen"]},
        ["brug for følgende oplysninger", "1. Hvilken Citrix-server bruger du?", "2. Et skærmbillede af fejlen",
         "Sagen afventer dit svar"],
        "Vi mangler oplysninger",
    ),
    "resolution_notice": (
        {"summary": "Citrix er langsom", "solution": "Citrix-serveren er genstartet og testet med dig."},
        ["Citrix-serveren er genstartet og testet med dig.", "bekræfte, at sagen er løst"],
        "Din sag er løst",
    ),
    "contact_attempt": (
        {"summary": "Citrix er langsom", "attempt": 2, "attempts_total": 3},
        ["kontaktforsøg nr. 2 af 3", "bekræftelse på, at sagen er løst"],
        "Kontaktforsøg 2 af 3",
    ),
    "rejection": (
        {"summary": "Ny bærbar", "reason": "Nyt udstyr bestilles i indkøbsportalen, ikke via servicedesk."},
        ["afvise din henvendelse", "Begrundelse:", "Nyt udstyr bestilles i indkøbsportalen"],
        "Din henvendelse er afvist",
    ),
    "cmdb_update": (
        {"summary": "Switch flyttet", "changes": ["sw-12: placering ændret til bygning 4"],
         "configuration_items": ["sw-12"]},
        ["Til CMDB-teamet", "Følgende skal opdateres", "- sw-12: placering ændret til bygning 4", "(CI)"],
        "CMDB skal opdateres",
    ),
    "forward_to_unit": (
        {"summary": "Forslag til ny vagtplan-app", "unit": "Service Design", "customer_name": "Kunde Testesen"},
        ["Til Service Design", "hører under jer", "Navn: Kunde Testesen"],
        "Henvendelse videresendt til Service Design",
    ),
    "notification": (
        {"summary": "Citrix er nede", "headline": "SLA-advarsel: reaktionstiden (Høj) udløber 23-11-2026 kl. 10:30",
         "lines": ["Prioritet: Høj", "Eskaleres til: IRT-repræsentant"]},
        ["Prioritet: Høj", "Eskaleres til: IRT-repræsentant", "handl efter håndbogen"],
        "SLA-advarsel",
    ),
    "customer_message": (
        {"summary": "Citrix er langsom", "message": "Vi har bestilt en ny server og vender tilbage torsdag.",
         "customer_name": "Kunde Testesen", "signature": "Nanna Netværk\nIT Servicedesk"},
        ["Kære Kunde Testesen", "Vi har bestilt en ny server", "Nanna Netværk", "Du kan svare direkte"],
        "Nyt om din sag",
    ),
    "routed": (
        {"summary": "Klage over ventetid", "unit": "Kundeafdelingen", "unit_email": "kundeafdelingen@example.org"},
        ["sendt den videre til", "Kundeafdelingen, som vender tilbage", "kundeafdelingen@example.org"],
        "Din henvendelse er sendt videre til Kundeafdelingen",
    ),
    "closure": (
        {"summary": "Printer virker ikke", "solution": "Toneren er skiftet."},
        ["Vi har nu lukket din sag", "Toneren er skiftet.", "tager vi sagen op igen"],
        "Din sag er lukket",
    ),
}


@pytest.fixture
def kind_examples() -> dict[str, tuple[dict, list[str], str]]:
    """Per mail kind: (context, Danish lines the plain text must hold, start of the subject)."""
    return KIND_EXAMPLES


def free_port() -> int:
    """A port nobody listens on right now (for 'server down' tests and pymap's --port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Self-signed certificate for 127.0.0.1 / localhost: (cert.pem, key.pem)."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sagsflow test mail server")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(_CERT_VALID_FROM)
        .not_valid_after(_CERT_VALID_TO)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="session")
def server_tls(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*tls_files)
    return context


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[Controller]:
    """A plain SMTP sink: `sink.port` is where it listens, `sink.handler.stored()` what it got."""
    controller = start_sink(tmp_path / "mail")
    yield controller
    controller.stop()


@pytest.fixture
def smtp_settings(sink: Controller) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=sink.port, security="none", from_address=SENDER, timeout=5)


@pytest.fixture
def closed_port() -> int:
    return free_port()


@pytest.fixture
def smtp_account() -> tuple[str, str]:
    """(username, password) the authenticator fixture accepts."""
    return SMTP_USER, SMTP_PASSWORD


@pytest.fixture
def authenticator() -> RecordingAuthenticator:
    return RecordingAuthenticator()


class RecordingAuthenticator:
    """aiosmtpd authenticator that accepts SMTP_USER/SMTP_PASSWORD and remembers who logged in."""

    def __init__(self) -> None:
        self.logins: list[str] = []

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append(user)
        success = user == SMTP_USER and password == SMTP_PASSWORD
        return AuthResult(success=success, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture
def start_smtp(tmp_path: Path) -> Iterator[Callable[..., object]]:
    """Start extra aiosmtpd servers (TLS, AUTH, scripted replies); all stopped after the test."""
    controllers = []

    def start(handler: object | None = None, **options: object):  # noqa: ANN202
        controller = start_smtp_server(handler or MailSink(tmp_path / f"mail{len(controllers)}"), **options)
        controllers.append(controller)
        return controller

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(scope="session")
def imap_server(tls_files: tuple[Path, Path]) -> Iterator[int]:
    """pymap (dict backend) on 127.0.0.1; yields its port."""
    port = free_port()
    cert, key = tls_files
    process = subprocess.Popen(
        [
            sys.executable, "-c", "from pymap.main import main; main()",
            "--host", "127.0.0.1", "--port", str(port), "--cert", str(cert), "--key", str(key),
            "dict", "--demo-user", IMAP_USER, "--demo-password", IMAP_PASSWORD,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_greeting(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_greeting(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pymap exited: {process.stderr.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                if connection.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)  # waiting for a subprocess to bind, not for a timer under test
    raise RuntimeError("pymap did not start within 20 s")


@pytest.fixture
def imap_settings(imap_server: int) -> ImapSettings:
    """Settings for the test mailbox, emptied first (plain IMAP: the server is on loopback)."""
    settings = ImapSettings(
        host="127.0.0.1", port=imap_server, security="none",
        username=IMAP_USER, password=IMAP_PASSWORD, timeout=5,
    )
    with _admin(settings) as client:
        if _count(client):
            client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            client.expunge()
    return settings


@pytest.fixture
def imap_append(imap_settings: ImapSettings) -> Callable[[bytes], None]:
    """Put a raw message into the test mailbox as unseen, like a delivery would."""

    def append(raw: bytes) -> None:
        with _admin(imap_settings) as client:
            status, _ = client.append(imap_settings.mailbox, None, None, raw)
            assert status == "OK"

    return append


class _admin:  # noqa: N801 - a tiny context manager for test set-up
    def __init__(self, settings: ImapSettings) -> None:
        self.client = imaplib.IMAP4(settings.host, settings.port, timeout=5)
        self.client.login(settings.username, settings.password.get_secret_value())
        self.client.select(settings.mailbox)

    def __enter__(self) -> imaplib.IMAP4:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.logout()


def _count(client: imaplib.IMAP4) -> int:
    status, data = client.search(None, "ALL")
    return len(data[0].split()) if status == "OK" and data[0] else 0
