"""Fetch customers' replies from an IMAP mailbox (H-R1.3, H-R1.4, H-D1).

Two-phase so no reply is lost: `fetch_unseen` reads UNSEEN messages without flagging
them (BODY.PEEK[]), the caller parses and commits them, then `mark_seen` flags them
\\Seen. `poll_replies` does the three steps in one call; give it `persist` so the flag
is only set after the caller's commit. Connection trouble and dropped sessions raise
MailTransientError; bad credentials, a missing mailbox or an untrusted certificate raise
MailPermanentError. Logs carry UIDs and counts only.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from connectors.mail.errors import MailPermanentError, MailTransientError, ReplyParseError
from connectors.mail.replies import DEFAULT_RULES, AutoReplyRules, InboundReply, MessageIdLookup, parse_reply
from connectors.mail.settings import ImapSettings

logger = logging.getLogger(__name__)


class FetchedMail(NamedTuple):
    uid: int
    raw: bytes


def fetch_unseen(settings: ImapSettings) -> list[FetchedMail]:
    """All UNSEEN messages of settings.mailbox as (uid, raw bytes), oldest first; flags untouched."""
    with _session(settings) as client:
        found = _ok(client.uid("SEARCH", None, "UNSEEN"), "SEARCH UNSEEN")
        uids = [int(item) for item in b" ".join(part for part in found if part).split()]
        fetched = []
        for uid in uids:  # one by one: a message expunged meanwhile simply yields nothing
            data = _ok(client.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH")
            raw = next((item[1] for item in data if isinstance(item, tuple)), None)
            if raw is not None:
                fetched.append(FetchedMail(uid, raw))
    logger.info("fetched %d unseen message(s) from the IMAP mailbox", len(fetched))
    return fetched


def mark_seen(settings: ImapSettings, uids: Iterable[int]) -> None:
    """Flag the given UIDs \\Seen; call it after the replies are safely stored."""
    wanted = sorted({int(uid) for uid in uids})
    if not wanted:
        return
    if any(uid < 1 for uid in wanted):
        raise ValueError("IMAP UIDs are positive whole numbers")
    with _session(settings) as client:
        _ok(client.uid("STORE", ",".join(map(str, wanted)), "+FLAGS.SILENT", r"(\Seen)"), "STORE \\Seen")
    logger.info("marked %d message(s) seen: UIDs %s", len(wanted), ",".join(map(str, wanted)))


def poll_replies(
    settings: ImapSettings,
    message_id_to_case: MessageIdLookup,
    *,
    persist: Callable[[list[InboundReply]], None] | None = None,
    rules: AutoReplyRules = DEFAULT_RULES,
) -> list[InboundReply]:
    """Fetch, parse, let `persist` store the replies, then mark the parsed ones seen.

    Messages that are not mail at all stay unseen (logged by UID) for a person to look at.
    Without `persist` the messages are flagged before the caller stores the result: a
    crash in between loses them, so production code should pass `persist`.
    """
    parsed: list[tuple[int, InboundReply]] = []
    for uid, raw in fetch_unseen(settings):
        try:
            parsed.append((uid, parse_reply(raw, message_id_to_case=message_id_to_case, rules=rules)))
        except ReplyParseError as error:
            logger.warning("IMAP message UID %d left unseen: %s", uid, error)
    replies = [reply for _uid, reply in parsed]
    if persist is not None:
        persist(replies)
    mark_seen(settings, [uid for uid, _reply in parsed])
    return replies


@contextmanager
def _session(settings: ImapSettings) -> Iterator[imaplib.IMAP4]:
    server = f"{settings.host}:{settings.port}"
    try:
        client = _connect(settings)
    except ssl.SSLCertVerificationError as error:
        raise MailPermanentError(
            f"TLS certificate of IMAP server {server} not trusted ({error.verify_message}); set ca_file"
        ) from None
    except (imaplib.IMAP4.abort, OSError) as error:  # abort before error: it is a subclass
        raise MailTransientError(f"IMAP server {server} unreachable: {type(error).__name__}") from None
    except imaplib.IMAP4.error as error:  # e.g. STARTTLS not offered
        raise MailPermanentError(f"IMAP server {server} refused the connection setup: {error}") from None
    try:
        try:
            client.login(settings.username, settings.password.get_secret_value())
        except imaplib.IMAP4.abort:
            raise
        except imaplib.IMAP4.error:
            raise MailPermanentError(f"IMAP server {server} rejected the login") from None
        _ok(client.select(_quoted(settings.mailbox)), "SELECT mailbox")
        yield client
        client.close()
    except imaplib.IMAP4.abort as error:
        raise MailTransientError(f"IMAP session with {server} dropped: {error}") from None
    except imaplib.IMAP4.error as error:
        raise MailPermanentError(f"IMAP command on {server} failed: {error}") from None
    except OSError as error:  # timeouts and resets in the middle of a session
        raise MailTransientError(f"IMAP session with {server} failed: {type(error).__name__}") from None
    finally:
        _logout(client)


def _connect(settings: ImapSettings) -> imaplib.IMAP4:
    context = ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
    if settings.security == "ssl":
        return imaplib.IMAP4_SSL(settings.host, settings.port, ssl_context=context, timeout=settings.timeout)
    client = imaplib.IMAP4(settings.host, settings.port, timeout=settings.timeout)
    if settings.security == "starttls":
        try:
            client.starttls(ssl_context=context)
        except BaseException:
            _logout(client)
            raise
    return client


def _ok(response: tuple[str, list], what: str) -> list:
    status, data = response
    if status != "OK":
        raise MailPermanentError(f"IMAP {what} answered {status}")
    return data


def _quoted(mailbox: str) -> str:
    return f'"{mailbox}"'


def _logout(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (imaplib.IMAP4.error, OSError):  # already gone: nothing left to close
        pass
