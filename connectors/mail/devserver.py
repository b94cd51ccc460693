"""A local SMTP sink for demos and tests: every message lands as an .eml file (H-R1.3, H-C2).

    python -m connectors.mail.devserver --folder var/mail --port 8025

Listens on 127.0.0.1 only. Prints counts, sizes and file names, never addresses or
contents (the mails themselves hold personal data; the folder is the place to read them).
STARTTLS and AUTH can be switched on for tests by passing an ssl.SSLContext and an
aiosmtpd authenticator.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import ssl
import threading
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

logger = logging.getLogger(__name__)


class MailSink:
    """aiosmtpd handler writing each accepted message to `<folder>/<nnnnnn>.eml`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        existing = [int(path.stem) for path in self.folder.glob("*.eml") if path.stem.isdigit()]
        self._numbers = itertools.count(max(existing, default=0) + 1)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        with self._lock:
            path = self.folder / f"{next(self._numbers):06d}.eml"
            path.write_bytes(content)
        logger.info("stored message of %d bytes for %d recipient(s) as %s",
                    len(content), len(envelope.rcpt_tos), path.name)
        return "250 Message accepted for delivery"

    def stored(self) -> list[Path]:
        """The stored messages, oldest first."""
        return sorted(self.folder.glob("*.eml"))


class _EphemeralPortController(Controller):
    """Controller that may listen on port 0 and then knows the port it got."""

    def _trigger_server(self) -> None:
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def start_smtp_server(
    handler: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    starttls_context: ssl.SSLContext | None = None,
    require_starttls: bool = False,
    implicit_tls_context: ssl.SSLContext | None = None,
    authenticator: Any = None,
) -> Controller:
    """Run an aiosmtpd `handler` in a background thread; `.port` tells the port, `.stop()` ends it.

    `starttls_context` offers STARTTLS; `implicit_tls_context` makes it an SMTPS server;
    `authenticator` (an aiosmtpd Authenticator) enables AUTH, over TLS only when TLS is on.
    """
    options: dict[str, Any] = {"tls_context": starttls_context, "require_starttls": require_starttls}
    if implicit_tls_context is not None:
        options["ssl_context"] = implicit_tls_context
    if authenticator is not None:
        tls = starttls_context is not None or implicit_tls_context is not None
        options.update(authenticator=authenticator, auth_require_tls=tls)
    controller = _EphemeralPortController(handler, hostname=host, port=port, **options)
    controller.start()
    return controller


def start_sink(folder: Path, *, host: str = "127.0.0.1", port: int = 0, **options: Any) -> Controller:
    """start_smtp_server with a MailSink storing into `folder`; the sink is `controller.handler`."""
    return start_smtp_server(MailSink(folder), host=host, port=port, **options)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local SMTP sink storing mails as .eml files.")
    parser.add_argument("--folder", type=Path, default=Path("var/mail"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every address at INFO
    controller = start_sink(args.folder, host=args.host, port=args.port)
    print(f"mail sink on {args.host}:{controller.port}, storing in {args.folder} (Ctrl+C stops)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
