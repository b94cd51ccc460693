"""Verified senders (issue 9 item 5; H-R1.3, H-R1.4, H-D3): a mail counts as the customer's only when it
comes from an address the case lists (the customer's, the end user's from first triage) *and* belongs
to the case's thread — In-Reply-To/References naming a mail we sent on this case, or the case number
with the case's reply token in the subject tag or a plus-addressed recipient. Anything else is kept
as an unverified mail for a person to accept or reject."""
from __future__ import annotations

import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.mail import InboundReply
from store.models import CaseRow, OutboxRow

TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"   # no 0/o, 1/l/i: a person may type it


def new_reply_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(8))


def case_addresses(case: CaseRow) -> set[str]:
    """The e-mail addresses the case lists for the customer and the end user, lower-case."""
    return {a.strip().lower() for a in (case.customer_email, case.end_user_email) if a and a.strip()}


def thread_matches(session: Session, case: CaseRow, reply: InboundReply) -> bool:
    ids = [i for i in (reply.in_reply_to, *reply.references) if i]
    if ids:
        query = (select(OutboxRow.id).where(OutboxRow.case_id == case.id, OutboxRow.message_id.in_(ids[:50]))
                 .limit(1))
        if session.execute(query).first() is not None:
            return True
    token = case.reply_token or ""
    return bool(token) and any(number == case.number and hmac.compare_digest(found, token)
                               for number, found in reply.thread_tokens)


def is_verified(session: Session, case: CaseRow, reply: InboundReply) -> bool:
    sender = (reply.from_address or "").strip().lower()
    return bool(sender) and sender in case_addresses(case) and thread_matches(session, case, reply)
