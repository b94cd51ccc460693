"""A cautious first reading of a customer's reply (issue 13 item 2): a suggestion for the review, never a
decision — a negation, a doubt or a question makes it unclear."""
import pytest

from domain.reply_reading import read_reply


@pytest.mark.parametrize("text, reading", [
    ("Ja, sagen er løst. Tak!", "confirmed"), ("Det virker nu, tak", "confirmed"), ("Tak, alt er fint", "confirmed"),
    ("Nej, det virker stadig ikke", "unsolved"), ("Samme fejl som før", "unsolved"),
    ("Printeren virker ikke", "unsolved"), ("Virker det?", "unclear"), ("Jeg tror ikke den er løst", "unclear"),
    ("Det fungerer igen men printeren larmer", "unclear"), ("Hej, jeg er på ferie", "unclear"), ("", "unclear"),
])
def test_issue_13_a_reply_is_read_cautiously(text, reading):
    assert read_reply(text) == reading
