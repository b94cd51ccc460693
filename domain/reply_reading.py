"""A first reading of a customer's mail reply (issue 13 item 2; H-R1.3): does it say the case is solved,
not solved, or is it unclear? Pure and deliberately cautious — a suggestion for the person reviewing
the reply (*Vurdér kundens svar*), never a decision: any negation or question makes it unclear."""
from __future__ import annotations

import re
from typing import Literal

Reading = Literal["confirmed", "unsolved", "unclear"]

_UNSOLVED = re.compile(r"\b(virker (stadig )?ikke|ikke (løst|i orden)|stadig (ikke|fejl|problem)|fejler (stadig|igen)"
                       r"|igen (ned|fejl)|samme fejl|ikke løst)\b", re.IGNORECASE)
_CONFIRMED = re.compile(r"\b(løst|virker( nu)?|fungerer( nu)?|i orden|det er ok|alt er fint|bekræfter)\b",
                        re.IGNORECASE)
_DOUBT = re.compile(r"\b(ikke|nej|men|dog|stadig|fortsat|igen|måske|tror)\b|\?", re.IGNORECASE)


def read_reply(text: str) -> Reading:
    """'Ja, sagen er løst. Tak!' → confirmed; 'Nej, det virker stadig ikke' → unsolved; else unclear."""
    first = (text or "").strip()[:500]
    if _UNSOLVED.search(first):
        return "unsolved"
    if _CONFIRMED.search(first) and not _DOUBT.search(first):
        return "confirmed"
    return "unclear"
