"""BMC Remedy AR System REST client (JWT login, entry search/read/create/update).

Serves H-R1.1 (Work Info mirrored to ``HPD:WorkLog``) and the incident sync of
H-T1/H-T2. Protocol per the AR REST API: ``POST /api/jwt/login`` (form body,
raw token text back), ``Authorization: AR-JWT <token>``, entries under
``/api/arsys/v1/entry/{form}``, errors as an AR status list.

Behaviour the outbox relies on:
- every call has a timeout; faults are classified (see ``errors``):
  by AR messageNumber first (timeouts/busy transient, everything else permanent, at 400 or
  500 alike), then by status for non-AR answers; timeouts and connection errors are transient;
- the token is renewed ``token_refresh_margin_s`` before its lifetime ends, and
  once more when Remedy answers 401, after which the request is sent once again;
- requests of one client are serialized by a lock (ARERR 9093: one user must
  not run concurrent sessions).
Nothing personal is logged: no values, no qualification text, no credentials.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlparse

import requests

from connectors.remedy.errors import (
    RemedyApiError,
    RemedyAuthError,
    RemedyDataError,
    RemedyError,
    RemedyPermanentError,
    RemedyTransientError,
    RemedyUsageError,
    error_for_status,
    parse_ar_messages,
)
from connectors.remedy.qualification import Qualification
from connectors.remedy.settings import RemedySettings

log = logging.getLogger(__name__)

ENTRY_PATH = "/api/arsys/v1/entry"
LOGIN_PATH = "/api/jwt/login"
LOGOUT_PATH = "/api/jwt/logout"
_SORT_KEY = re.compile(r"^[^,()\x00-\x1f]+\.(asc|desc)$")
_BAD_NAME = re.compile(r"[,()\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class RemedyEntry:
    """One entry: its id (from ``_links.self`` or ``Request ID``) and its values."""

    entry_id: str | None
    values: dict[str, Any] = field(default_factory=dict)


class RemedyClient:
    """Thread-safe client for one Remedy user. Use as a context manager to log out."""

    def __init__(
        self,
        settings: RemedySettings,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not settings.enabled:
            raise RemedyUsageError("the Remedy connector is disabled (settings.enabled is False)")
        self._settings = settings
        self._session = session or requests.Session()
        self._session.verify = settings.verify_tls
        self._clock = clock
        self._lock = threading.RLock()
        self._token: str | None = None
        self._token_expires_at = 0.0
        self.login_count = 0

    def __enter__(self) -> RemedyClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.close()
            return
        try:
            self.close()
        except RemedyError as logout_error:  # keep the original error; this one is secondary
            log.warning("remedy logout failed while another error propagated: %s", type(logout_error).__name__)

    # --- session -------------------------------------------------------------------

    def login(self) -> None:
        """Obtain a fresh JWT (``POST /api/jwt/login``)."""
        with self._lock:
            body = {
                "username": self._settings.username,
                "password": self._settings.password.get_secret_value(),
            }
            if self._settings.auth_string:
                body["authString"] = self._settings.auth_string
            response = self._send("POST", LOGIN_PATH, data=body, authorized=False)
            if response.status_code != 200:
                raise self._error(response)
            token = response.text.strip()
            if not token or any(c.isspace() for c in token):
                raise RemedyDataError("Remedy login answered 200 without a usable token")
            self._token = token
            self._token_expires_at = self._clock() + self._settings.token_lifetime_s
            self.login_count += 1

    def logout(self) -> None:
        """Release the token (``POST /api/jwt/logout``); a no-op without a token."""
        with self._lock:
            if self._token is None:
                return
            try:
                response = self._send("POST", LOGOUT_PATH)
            finally:
                self._token = None
            if response.status_code not in (200, 204, 401):
                raise self._error(response)

    def close(self) -> None:
        """Log out and close the session; a logout error propagates after closing."""
        try:
            self.logout()
        finally:
            self._session.close()

    # --- entries -------------------------------------------------------------------

    def get_entries(
        self,
        form: str,
        qualification: Qualification | None = None,
        *,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        sort: str | None = None,
    ) -> list[RemedyEntry]:
        """Search a form: ``GET /entry/{form}?q=…&fields=values(…)&limit&offset&sort`` (one page)."""
        params = _search_params(qualification, fields=fields, limit=limit, offset=offset, sort=sort)
        return self._search_page(form, params)[0]

    def search_all(
        self,
        form: str,
        qualification: Qualification | None = None,
        *,
        sort: str,
        page_size: int,
        fields: Sequence[str] | None = None,
    ) -> Iterator[RemedyEntry]:
        """Every matching entry, page by page: ``offset``/``limit`` and then ``_links.next``.

        The next page is requested with the query of ``_links.next`` on our own base URL (a
        server behind a proxy may name an inner host); paging ends when no ``next`` link comes or
        a page is empty. A stable ``sort`` is required so that pages do not overlap.
        """
        params = _search_params(qualification, fields=fields, limit=page_size, offset=0, sort=sort)
        while True:
            entries, next_params = self._search_page(form, params)
            yield from entries
            if not entries or next_params is None:
                return
            params = next_params

    def _search_page(
        self, form: str, params: list[tuple[str, str]]
    ) -> tuple[list[RemedyEntry], list[tuple[str, str]] | None]:
        body = self._json(self._request("GET", _entry_path(form), params=params, expected=(200,)))
        entries = body.get("entries") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise RemedyDataError(f"search on {form} answered without an 'entries' list")
        next_params = None
        links = body.get("_links") if isinstance(body, dict) else None
        nexts = links.get("next") if isinstance(links, dict) else None
        if isinstance(nexts, list) and nexts and isinstance(nexts[0], dict) and isinstance(nexts[0].get("href"), str):
            next_params = parse_qsl(urlparse(nexts[0]["href"]).query, keep_blank_values=True)
            if not any(key == "offset" for key, _ in next_params):
                raise RemedyDataError(f"search on {form}: _links.next carries no offset")
        return [_entry(item, form) for item in entries], next_params

    def get_entry(
        self, form: str, entry_id: str, *, fields: Sequence[str] | None = None
    ) -> RemedyEntry:
        """Read one entry: ``GET /entry/{form}/{entryId}``."""
        path = _entry_path(form, entry_id)
        body = self._json(self._request("GET", path, params=_fields_param(fields), expected=(200,)))
        entry = _entry(body, form)
        return entry if entry.entry_id else RemedyEntry(entry_id, entry.values)

    def create_entry(
        self,
        form: str,
        values: Mapping[str, Any],
        *,
        return_fields: Sequence[str] | None = None,
    ) -> tuple[str | None, dict[str, Any]]:
        """Create: 201 + ``Location``. Returns (entry id from Location, returned values)."""
        response = self._request(
            "POST",
            _entry_path(form),
            params=_fields_param(return_fields),
            json={"values": _checked_values(values)},
            expected=(201, 204),
        )
        location = response.headers.get("Location")
        entry_id = unquote(urlparse(location).path.rstrip("/").rsplit("/", 1)[-1]) if location else None
        if response.status_code == 201 and not entry_id:
            raise RemedyDataError(f"create on {form} answered 201 without a Location header")
        returned: dict[str, Any] = {}
        if response.content:
            body = self._json(response)
            returned = body.get("values", {}) if isinstance(body, dict) else {}
            if not isinstance(returned, dict):
                raise RemedyDataError(f"create on {form} returned 'values' that is not an object")
        return entry_id, returned

    def update_entry(self, form: str, entry_id: str, values: Mapping[str, Any]) -> None:
        """Modify: ``PUT /entry/{form}/{entryId}`` -> 204."""
        path = _entry_path(form, entry_id)
        self._request("PUT", path, json={"values": _checked_values(values)}, expected=(200, 204))

    # --- plumbing ------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        json: Any = None,
        expected: tuple[int, ...],
    ) -> requests.Response:
        with self._lock:
            if self._token is None or self._clock() >= (
                self._token_expires_at - self._settings.token_refresh_margin_s
            ):
                self.login()
            response = self._send(method, path, params=params, json=json)
            if response.status_code == 401:
                log.info("remedy token refused; logging in again once")
                self._token = None
                self.login()
                response = self._send(method, path, params=params, json=json)
            if response.status_code not in expected:
                raise self._error(response)
            return response

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        json: Any = None,
        data: Mapping[str, str] | None = None,
        authorized: bool = True,
    ) -> requests.Response:
        url = self._settings.base_url + path
        if params:
            url += "?" + urlencode(list(params), quote_via=quote, safe="")
        headers = {"Accept": "application/json"}
        if authorized:
            headers["Authorization"] = f"AR-JWT {self._token}"
        started = time.perf_counter()
        try:
            response = self._session.request(
                method, url, headers=headers, json=json, data=data,
                timeout=self._settings.timeout_s,
            )
        except requests.Timeout as exc:
            raise RemedyTransientError(
                None, detail=f"{method} timed out after {self._settings.timeout_s:g} s"
            ) from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise RemedyTransientError(None, detail=f"{method} failed: {type(exc).__name__}") from exc
        except requests.RequestException as exc:
            raise RemedyPermanentError(None, detail=f"{method} failed: {type(exc).__name__}") from exc
        log.debug(
            "remedy %s %s -> %s in %.1f ms",
            method, path.split("?")[0], response.status_code, (time.perf_counter() - started) * 1e3,
        )
        return response

    @staticmethod
    def _error(response: requests.Response) -> RemedyApiError:
        messages = parse_ar_messages(response.content)
        detail = None
        if not messages and response.content:
            detail = "non-AR body: " + response.text[:120].replace("\n", " ")
        error = error_for_status(response.status_code, messages, detail=detail)
        if isinstance(error, RemedyAuthError):
            log.warning("remedy refused authentication (HTTP %s)", response.status_code)
        return error

    @staticmethod
    def _json(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise RemedyDataError(
                f"Remedy answered HTTP {response.status_code} with a body that is not JSON"
            ) from exc


def _entry_path(form: str, entry_id: str | None = None) -> str:
    if not isinstance(form, str) or not form.strip() or re.search(r"[\x00-\x1f\x7f]", form):
        raise RemedyUsageError(f"invalid form name {form!r}")
    path = f"{ENTRY_PATH}/{quote(form, safe=':')}"
    if entry_id is not None:
        if not isinstance(entry_id, str) or not entry_id.strip():
            raise RemedyUsageError(f"invalid entry id {entry_id!r}")
        path += "/" + quote(entry_id, safe="")
    return path


def _search_params(qualification: Qualification | None, *, fields: Sequence[str] | None, limit: int | None,
                   offset: int | None, sort: str | None) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    if qualification is not None:
        if not isinstance(qualification, Qualification):
            raise RemedyUsageError("qualification must be built with connectors.remedy.qualification, not raw text")
        params.append(("q", str(qualification)))
    params += _fields_param(fields)
    if limit is not None:
        params.append(("limit", str(_non_negative(limit, "limit", minimum=1))))
    if offset is not None:
        params.append(("offset", str(_non_negative(offset, "offset", minimum=0))))
    if sort is not None:
        params.append(("sort", _sort_param(sort)))
    return params


def _fields_param(fields: Sequence[str] | None) -> list[tuple[str, str]]:
    if fields is None:
        return []
    if isinstance(fields, str) or not fields:
        raise RemedyUsageError("fields must be a non-empty sequence of field names")
    for name in fields:
        if not isinstance(name, str) or not name.strip() or _BAD_NAME.search(name):
            raise RemedyUsageError(f"field name {name!r} cannot be used in fields=values(...)")
    return [("fields", f"values({','.join(fields)})")]


def _sort_param(sort: str) -> str:
    keys = [key.strip() for key in sort.split(",")]
    for key in keys:
        if not _SORT_KEY.match(key):
            raise RemedyUsageError(f"sort key {key!r} must look like 'Submit Date.desc'")
    return ",".join(keys)


def _non_negative(value: int, name: str, *, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise RemedyUsageError(f"{name} must be an integer >= {minimum}")
    return value


def _checked_values(values: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(values, Mapping) or not values:
        raise RemedyUsageError("values must be a non-empty mapping of field name to value")
    for name in values:
        if not isinstance(name, str) or not name.strip():
            raise RemedyUsageError(f"invalid field name {name!r}")
    return dict(values)


def _entry(item: Any, form: str) -> RemedyEntry:
    if not isinstance(item, dict) or not isinstance(item.get("values"), dict):
        raise RemedyDataError(f"entry from {form} has no 'values' object")
    entry_id = None
    links = item.get("_links")
    if isinstance(links, dict):
        selves = links.get("self")
        if isinstance(selves, list) and selves and isinstance(selves[0], dict):
            href = selves[0].get("href")
            if isinstance(href, str) and href:
                entry_id = unquote(urlparse(href).path.rstrip("/").rsplit("/", 1)[-1])
    for id_field in ("Request ID", "Entry ID"):
        if entry_id is None and isinstance(item["values"].get(id_field), str):
            entry_id = item["values"][id_field]
    return RemedyEntry(entry_id=entry_id, values=item["values"])
