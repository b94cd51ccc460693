"""Phone connector: call outcomes recorded by people, optional ARI click-to-call (H-R1.3).

The names below are imported on first use (PEP 562), so that importing one submodule, such as
the settings, does not import the whole connector (issue 15: the CLI starts fast)."""
from __future__ import annotations

from connectors.lazy_exports import lazy_exports

_EXPORTS = {
    "AriAuthError": "connectors.phone.ari",
    "AriDisabledError": "connectors.phone.ari",
    "AriError": "connectors.phone.ari",
    "AriPermanentError": "connectors.phone.ari",
    "AriRequestError": "connectors.phone.ari",
    "AriSettings": "connectors.phone.settings",
    "AriTransientError": "connectors.phone.ari",
    "CallOutcome": "connectors.phone.outcomes",
    "CallResult": "connectors.phone.outcomes",
    "InvalidPhoneNumberError": "connectors.phone.outcomes",
    "PhoneError": "connectors.phone.outcomes",
    "counts_as_contact_attempt": "connectors.phone.outcomes",
    "dialled_suffix": "connectors.phone.outcomes",
    "mask_phone": "connectors.phone.outcomes",
    "normalize_danish_number": "connectors.phone.outcomes",
    "originate_call": "connectors.phone.ari",
    "redact_phone_numbers": "connectors.phone.outcomes",
    "work_info_text": "connectors.phone.outcomes",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
