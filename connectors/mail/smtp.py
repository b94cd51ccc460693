"""Send a composed mail over SMTP (H-R1.3, H-R1.4, H-R5.2, H-C2, H-D3).

Failures are sorted for the outbox dispatcher: MailTransientError (connection refused,
timeouts, dropped connections, 4xx replies) may be retried; MailPermanentError (5xx
replies, refused recipients, certificate or configuration problems) needs a person.
Logs and error texts carry the case number and Message-ID, never addresses or secrets.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl

from connectors.mail.compose import ComposedMail
from connectors.mail.errors import (
    MailPermanentError,
    MailRecipientsRefusedError,
    MailTransientError,
)
from connectors.mail.settings import SmtpSettings

logger = logging.getLogger(__name__)

_ENHANCED_STATUS = re.compile(rb"^\s*([245]\.\d{1,3}\.\d{1,3})\b")


def send(mail: ComposedMail, settings: SmtpSettings) -> None:
    """Deliver `mail` to its recipients; the envelope sender is settings.from_address."""
    server = f"{settings.host}:{settings.port}"
    try:
        with _connect(settings) as client:
            if settings.security == "starttls":
                client.starttls(context=_tls_context(settings))
                client.ehlo()
            if settings.username is not None and settings.password is not None:
                client.login(settings.username, settings.password.get_secret_value())
            refused = client.sendmail(settings.from_address, list(mail.recipients), mail.raw)
    except smtplib.SMTPRecipientsRefused as error:
        raise _refused(error.recipients, mail=mail, server=server, delivered=False) from None
    except smtplib.SMTPNotSupportedError as error:
        raise MailPermanentError(f"SMTP server {server} lacks a required extension: {error}") from None
    except smtplib.SMTPResponseException as error:
        raise _by_code(error.smtp_code, error.smtp_error, mail=mail, server=server) from None
    except ssl.SSLCertVerificationError as error:
        raise MailPermanentError(
            f"TLS certificate of SMTP server {server} not trusted ({error.verify_message}); set ca_file"
        ) from None
    except smtplib.SMTPServerDisconnected as error:  # also how smtplib reports read timeouts
        raise MailTransientError(f"SMTP server {server} lost the connection: {error}") from None
    except smtplib.SMTPException as error:  # e.g. no usable AUTH mechanism; before OSError, its base
        raise MailPermanentError(f"SMTP exchange with {server} failed: {error}") from None
    except OSError as error:  # refused/reset connections, timeouts, DNS failures, other ssl.SSLError
        raise MailTransientError(f"SMTP server {server} unreachable: {type(error).__name__}") from None
    if refused:
        raise _refused(refused, mail=mail, server=server, delivered=True)
    logger.info(
        "sent %s mail for %s as %s to %d recipient(s) via %s",
        mail.kind.value, mail.case_number, mail.message_id, len(mail.recipients), server,
    )


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=_tls_context(settings)
        )
    return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    cafile = str(settings.ca_file) if settings.ca_file is not None else None
    return ssl.create_default_context(cafile=cafile)


def _by_code(code: int, reply: bytes | str, *, mail: ComposedMail, server: str) -> Exception:
    # The reply text may quote addresses: only the codes go into the message.
    raw = reply.encode("utf-8", "replace") if isinstance(reply, str) else reply
    enhanced = _ENHANCED_STATUS.match(raw or b"")
    detail = f"{code}" + (f" {enhanced.group(1).decode()}" if enhanced else "")
    text = f"SMTP server {server} replied {detail} for {mail.case_number} {mail.message_id}"
    if 400 <= code < 500:
        return MailTransientError(text)
    return MailPermanentError(text, smtp_code=code)


def _refused(
    refused: dict[str, tuple[int, bytes]], *, mail: ComposedMail, server: str, delivered: bool
) -> Exception:
    codes = {address: code for address, (code, _reply) in refused.items()}
    listed = ", ".join(str(code) for code in sorted(set(codes.values())))
    text = (
        f"SMTP server {server} refused {len(codes)} of {len(mail.recipients)} recipient(s) "
        f"(codes {listed}) for {mail.case_number} {mail.message_id}"
    )
    if not delivered and all(400 <= code < 500 for code in codes.values()):
        return MailTransientError(text)  # e.g. greylisting: nobody got it, so a retry is safe
    return MailRecipientsRefusedError(text, refused=codes, delivered_to_others=delivered)
