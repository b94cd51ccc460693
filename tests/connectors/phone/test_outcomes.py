"""Call outcomes recorded by the technician (H-R1.3): labels, validation, contact-attempt rule, Work Info text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from connectors.phone.outcomes import (
    NOTE_MAX_CHARS,
    CallOutcome,
    CallResult,
    InvalidPhoneNumberError,
    counts_as_contact_attempt,
    dialled_suffix,
    mask_phone,
    normalize_danish_number,
    redact_phone_numbers,
    work_info_text,
)

CALLED_AT = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)  # 14:05 in Copenhagen (CET)

OUTCOME_TABLE = [
    # outcome, Danish label, counts as contact attempt
    (CallOutcome.REACHED, "Kunden træffet", True),
    (CallOutcome.NO_ANSWER, "Intet svar", True),
    (CallOutcome.VOICEMAIL, "Talebesked indtalt", True),
    (CallOutcome.BUSY, "Optaget", True),
    (CallOutcome.WRONG_NUMBER, "Forkert nummer", False),
]


def _result(outcome: CallOutcome = CallOutcome.NO_ANSWER, **fields: object) -> CallResult:
    return CallResult(outcome=outcome, called_at=fields.pop("called_at", CALLED_AT), **fields)


@pytest.mark.parametrize(("outcome", "label", "counts"), OUTCOME_TABLE)
def test_h_r1_3_outcome_table_labels_and_contact_attempts(outcome: CallOutcome, label: str, counts: bool) -> None:
    result = _result(outcome)
    assert outcome.label == label
    assert counts_as_contact_attempt(result) is counts
    summary, notes = work_info_text(result)
    assert label in summary and f"Udfald: {label}" in notes


def test_h_r1_3_outcome_table_covers_every_outcome() -> None:
    assert {row[0] for row in OUTCOME_TABLE} == set(CallOutcome)


def test_h_r1_3_customer_confirmation_requires_that_the_customer_was_reached() -> None:
    assert _result(CallOutcome.REACHED, customer_confirmed=True).customer_confirmed
    for outcome in set(CallOutcome) - {CallOutcome.REACHED}:
        with pytest.raises(ValidationError, match="customer_confirmed can only be true when the customer was reached"):
            _result(outcome, customer_confirmed=True)


def test_h_r1_3_called_at_must_be_aware_and_is_stored_in_utc() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        _result(called_at=datetime(2026, 11, 23, 14, 5))
    local = datetime(2026, 11, 23, 14, 5, tzinfo=timezone(timedelta(hours=1)))
    assert _result(called_at=local).called_at == CALLED_AT
    assert _result(called_at=local).called_at.tzinfo is UTC


def test_h_r1_3_note_loses_control_characters_but_keeps_line_breaks() -> None:
    result = _result(note="  Ring\x00 igen\x1b[31m i morgen\u202e\r\nefter kl. 10\t(ok)\x7f  ")
    assert result.note == "Ring igen[31m i morgen\nefter kl. 10\t(ok)"


def test_h_r1_3_note_longer_than_the_limit_is_refused() -> None:
    assert len(_result(note="x" * NOTE_MAX_CHARS).note) == NOTE_MAX_CHARS
    with pytest.raises(ValidationError, match=f"at most {NOTE_MAX_CHARS}"):
        _result(note="x" * (NOTE_MAX_CHARS + 1))


def test_h_r1_3_only_two_digits_of_the_number_may_be_kept() -> None:
    assert _result(number_dialled_suffix="78").number_dialled_suffix == "78"
    for bad in ("12345678", "7", "ab"):
        with pytest.raises(ValidationError, match="number_dialled_suffix"):
            _result(number_dialled_suffix=bad)
    assert dialled_suffix("+45 32 34 56 78") == "78"


def test_h_r1_3_unknown_fields_and_outcomes_are_refused() -> None:
    with pytest.raises(ValidationError, match="phone_number"):
        _result(phone_number="12345678")
    with pytest.raises(ValidationError, match="outcome"):
        CallResult(outcome="hung_up", called_at=CALLED_AT)


@pytest.mark.parametrize(
    ("raw", "national"),
    [("32345678", "32345678"), ("+4532345678", "32345678"), ("0045 32 34 56 78", "32345678"),
     ("+45 20-30-40-50", "20304050"), (" 99 88 77 66 ", "99887766")],
)
def test_h_r1_3_danish_numbers_are_normalized(raw: str, national: str) -> None:
    assert normalize_danish_number(raw) == national


@pytest.mark.parametrize(
    "raw", ["3234567", "323456789", "02345678", "12345678", "+4632345678", "32345678x", "", "tlf 32345678"],
)
def test_h_r1_3_non_danish_numbers_are_rejected_without_echoing_them(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumberError, match="not a Danish phone number") as caught:
        normalize_danish_number(raw)
    assert "2345678" not in str(caught.value)


def test_h_r1_3_mask_phone_keeps_only_the_last_two_digits() -> None:
    assert mask_phone("12345678") == "******78"
    assert mask_phone("+45 12 34 56 78") == "********78"
    assert mask_phone("1234") == "****"
    assert mask_phone("") == "<no number>"


def test_h_r1_3_work_info_text_for_a_confirmed_call_in_danish() -> None:
    result = _result(CallOutcome.REACHED, customer_confirmed=True, number_dialled_suffix="78",
                     note="Kunden bekræfter, at printeren virker.")
    summary, notes = work_info_text(result)
    assert summary == "Opkald til kunden: Kunden træffet – løsning bekræftet"
    assert notes.splitlines() == [
        "Udfald: Kunden træffet",
        "Tidspunkt: 23-11-2026 14:05 (dansk tid)",
        "Nummer: ******78",
        "Kunden har bekræftet, at sagen er løst: ja",
        "Tæller som kontaktforsøg: ja",
        "Note: Kunden bekræfter, at printeren virker.",
    ]


def test_h_r1_3_work_info_text_for_a_wrong_number_says_it_does_not_count() -> None:
    summary, notes = work_info_text(_result(CallOutcome.WRONG_NUMBER))
    assert summary == "Opkald til kunden: Forkert nummer"
    assert "Tæller som kontaktforsøg: nej (forkert nummer – kontaktoplysningerne skal rettes)" in notes
    assert "Nummer:" not in notes and "bekræftet" not in notes


def test_h_r1_3_work_info_text_masks_phone_numbers_typed_into_the_note() -> None:
    note = "Ring på 23 45 67 89 eller +4598765432, ikke INC000000012345678; aftalt 12-03-2026."
    _, notes = work_info_text(_result(note=note))
    assert "******89" in notes and "********32" in notes
    assert "23 45" not in notes and "98765" not in notes
    assert "INC000000012345678" in notes and "12-03-2026" in notes
    assert redact_phone_numbers("ingen numre her") == "ingen numre her"


def test_h_r1_3_work_info_summary_fits_remedys_description_field() -> None:
    for outcome in CallOutcome:
        summary, _ = work_info_text(_result(outcome))
        assert len(summary) <= 100
