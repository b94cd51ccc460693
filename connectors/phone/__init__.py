"""Phone connector: call outcomes recorded by people, optional ARI click-to-call (H-R1.3)."""

from connectors.phone.ari import (
    AriAuthError,
    AriDisabledError,
    AriError,
    AriPermanentError,
    AriRequestError,
    AriTransientError,
    originate_call,
)
from connectors.phone.outcomes import (
    CallOutcome,
    CallResult,
    InvalidPhoneNumberError,
    PhoneError,
    counts_as_contact_attempt,
    dialled_suffix,
    mask_phone,
    normalize_danish_number,
    redact_phone_numbers,
    work_info_text,
)
from connectors.phone.settings import AriSettings

__all__ = [
    "AriAuthError", "AriDisabledError", "AriError", "AriPermanentError", "AriRequestError", "AriSettings",
    "AriTransientError", "CallOutcome", "CallResult", "InvalidPhoneNumberError", "PhoneError",
    "counts_as_contact_attempt", "dialled_suffix", "mask_phone", "normalize_danish_number", "originate_call",
    "redact_phone_numbers", "work_info_text",
]
