"""In-memory BMC Remedy AR REST simulator for tests and local demos (H-R1.1, H-T1, H-T2; issue 14).

Follows BMC's documentation rather than our client (forms, menus and ITSM rules in
``simulator_forms``): JWT login (form body, optional ``authString``) and logout, tokens that
expire; searches with ``q=`` (NOT/AND/OR or ! && ||, in AR's order, parentheses; dates only in the documented
``yyyy-MM-ddTHH:mm:ss.SSSZ`` form or as epoch seconds), ``sort``, ``offset``/``limit`` with a
``_links.next`` that repeats the whole query, every field of the form when ``fields=`` is absent;
create (201 + Location), modify (204); AR error lists with HTTP 500 — BMC's "default response for
any error" — for validation and workflow errors (``error_status=400`` answers those with 400),
401 for authentication and 404 for unknown forms and entries.
Test hooks: :meth:`fail_next`, :meth:`delay_next`, :meth:`expire_all_tokens`,
:meth:`seed_incident` (stores values unvalidated), :meth:`change_incident` (a Remedy user's edit),
:meth:`add_work_log` (Work Info written in Remedy)
and :meth:`entries`.

Run: ``python -m connectors.remedy.simulator --port 8008`` (user/password demo).
"""

from __future__ import annotations

import argparse
import copy
import json
import secrets
import sys
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from connectors.remedy.errors import QualificationError
from connectors.remedy.qualification import Comparison, comparisons, evaluate, parse_tree
from connectors.remedy.simulator_forms import (CREATE_FORM, FIELDS, HELP_DESK, INTERFACE, PEOPLE, WORK_LOG, ArFault,
                                               format_ar_timestamp, itsm_rules, known, priority_of,
                                               qualification_date, validate)

__all__ = ["RemedySimulator", "format_ar_timestamp", "ArFault", "FIELDS", "CREATE_FORM", "HELP_DESK", "INTERFACE",
           "WORK_LOG"]
ENTRY_PREFIX = "/api/arsys/v1/entry/"


class RemedySimulator:
    """The simulated AR server: state, fault hooks and an HTTP server on demand."""

    def __init__(self, *, username: str = "demo", password: str = "demo", auth_string: str | None = None,
                 token_lifetime: timedelta = timedelta(hours=1),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 strict_sessions: bool = False, error_status: int = 500) -> None:
        """``strict_sessions``: overlapping requests get ARERR 9093, like one user's
        concurrent sessions on a real server. ``auth_string``: required at login when set."""
        self.username, self._password, self.auth_string = username, password, auth_string
        self.strict_sessions, self.error_status = strict_sessions, error_status
        self._in_flight = 0
        self.token_lifetime, self.clock = token_lifetime, clock
        self._lock = threading.Lock()
        self._forms: dict[str, dict[str, dict[str, Any]]] = {form: {} for form in FIELDS if form != INTERFACE}
        self._tokens: dict[str, datetime] = {}
        self._counters = {"entry": 0, "incident": 0, "worklog": 0}
        self._fail: list[tuple[int, int, str | None]] = []
        self._delays: list[float] = []
        self._release = threading.Event()
        self.requests_seen: list[tuple[str, str]] = []
        self.queries_seen: list[dict[str, list[str]]] = []
        self._server: ThreadingHTTPServer | None = None

    # --- test hooks ----------------------------------------------------------------

    def fail_next(self, count: int = 1, *, status: int = 500, number: int = 90, form: str | None = None,
                  after: int = 0) -> None:
        """The next ``count`` requests (to ``form`` only, when given) fail with this HTTP status and
        AR message number — after ``after`` such requests were answered normally."""
        with self._lock:
            self._fail.extend([(0, 0, form)] * after + [(status, number, form)] * count)

    def delay_next(self, seconds: float, *, count: int = 1) -> None:
        with self._lock:
            self._delays.extend([seconds] * count)

    def expire_all_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def seed_incident(self, values: Mapping[str, Any]) -> str:
        """Store ``values`` in ``HPD:Help Desk`` as given (no validation); returns the Entry ID."""
        with self._lock:
            entry_id = self._next("entry", "INC", start=1000)
            self._forms[HELP_DESK][entry_id] = {**copy.deepcopy(dict(values)), "Entry ID": entry_id,
                                                "Request ID": entry_id}
            return entry_id

    def seed_person(self, values: Mapping[str, Any]) -> str:
        """A People record in ``CTM:People`` (customers are looked up there); returns its Person ID."""
        with self._lock:
            entry_id = self._next("entry", "PPL", start=0)
            self._forms[PEOPLE][entry_id] = {**copy.deepcopy(dict(values)), "Person ID": entry_id,
                                             "Request ID": entry_id, "Status": "Enabled"}
            return entry_id

    def change_incident(self, incident_number: str, values: Mapping[str, Any], *, by: str = "remedy.user") -> None:
        """A change made by a person in Remedy: values set, Last Modified Date/By moved to now."""
        with self._lock:
            row = self._incident(incident_number)
            row.update(copy.deepcopy(dict(values)))
            row.update({"Last Modified By": by, "Last Modified Date": format_ar_timestamp(self.clock())})
            priority_of(row)

    def add_work_log(self, incident_number: str, values: Mapping[str, Any], *, by: str = "remedy.user",
                     touch_incident: bool = True) -> str:
        """Work Info a person writes on the incident in Remedy (``HPD:WorkLog``, submitter ``by``);
        with ``touch_incident`` the incident's Last Modified Date/By move too, as ITSM's Work Info
        tab does (docs/remedy.md: a live server must confirm). Returns the Work Log ID."""
        with self._lock:
            row = self._incident(incident_number)
            stamp = format_ar_timestamp(self.clock())
            entry_id = self._next("entry", "", start=0)
            work_log_id = self._next("worklog", "WLG", start=0)
            self._forms[WORK_LOG][entry_id] = {
                "Work Log Type": "General Information", "View Access": "Internal", "Secure Work Log": "No",
                **copy.deepcopy(dict(values)), "Incident Number": incident_number, "Request ID": entry_id,
                "Work Log ID": work_log_id, "Submitter": by, "Submit Date": stamp, "Work Log Date": stamp,
                "Last Modified By": by, "Last Modified Date": stamp, "Status": "Enabled",
                "Work Log Submitter": values.get("Work Log Submitter", by)}
            if touch_incident:
                row.update({"Last Modified By": by, "Last Modified Date": stamp})
            return work_log_id

    def entries(self, form: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(list(self._forms[HELP_DESK if form == INTERFACE else form].values()))

    def incident(self, incident_number: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._incident(incident_number))

    @property
    def login_count(self) -> int:
        with self._lock:
            return sum(1 for method, path in self.requests_seen if path == "/api/jwt/login")

    # --- server lifecycle ----------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> RemedySimulator:
        self._server = _Server((host, port), _Handler)
        self._server.simulator = self  # type: ignore[attr-defined]
        self._release.clear()
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         name="remedy-simulator", daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> RemedySimulator:
        return self if self._server else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("simulator is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- protocol ------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, list[str]], headers: Mapping[str, str],
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one request: (status, headers, body). Raises nothing; errors become AR lists."""
        with self._lock:
            self.requests_seen.append((method, path))
            self.queries_seen.append(copy.deepcopy(query))
            fail = self._failure_for(unquote(path))
            delay = self._delays.pop(0) if self._delays else None
            self._in_flight += 1
            overlapping = self._in_flight > 1
        try:
            if delay:
                self._release.wait(delay)
            if fail:
                raise ArFault(fail[0], fail[1], "Cannot establish a network connection to the AR System server"
                              if fail[1] == 90 else "Simulated AR error")
            if overlapping and self.strict_sessions:
                raise ArFault(None, 9093, "User is currently connected from another machine or incompatible session")
            with self._lock:
                return self._route(method, path, query, headers, body)
        except ArFault as fault:
            return fault.status or self.error_status, _JSON, _dump([fault.message.to_json()])
        finally:
            with self._lock:
                self._in_flight -= 1

    def _failure_for(self, path: str) -> tuple[int, int, str | None] | None:
        for index, failure in enumerate(self._fail):
            if failure[2] is None or path[len(ENTRY_PREFIX):].split("/")[0] == failure[2] and path.startswith(ENTRY_PREFIX):
                self._fail.pop(index)
                return failure if failure[0] else None   # status 0: one request let through (``after``)
        return None

    def _route(self, method, path, query, headers, body):
        now, path = self.clock(), path.rstrip("/") or "/"
        if path == "/api/jwt/login" and method == "POST":
            form = parse_qs(body.decode("utf-8", "replace"))
            if form.get("username") != [self.username] or form.get("password") != [self._password] or (
                    self.auth_string is not None and form.get("authString") != [self.auth_string]):
                raise ArFault(401, 623, "Authentication failed")
            token = secrets.token_urlsafe(32)
            self._tokens[token] = now + self.token_lifetime
            return 200, {"Content-Type": "text/plain"}, token.encode()
        token = self._authorize(headers, now)
        if path == "/api/jwt/logout" and method == "POST":
            del self._tokens[token]
            return 204, {}, b""
        if not path.startswith(ENTRY_PREFIX):
            raise ArFault(404, 9372, "Resource not found", path[:80])
        parts = [unquote(p) for p in path[len(ENTRY_PREFIX):].split("/")]
        form, entry_id = parts[0], (parts[1] if len(parts) == 2 else None)
        if form not in FIELDS or len(parts) > 2:
            raise ArFault(404, 303, "Form does not exist on server", form[:80])
        fields = _fields_param(query, form)
        if method == "GET" and entry_id is None:
            return self._search(form, query, fields, headers)
        if method == "GET":
            return 200, _JSON, _dump(self._entry_json(form, self._get(form, entry_id), fields, headers))
        if method == "POST" and entry_id is None:
            return self._create(form, _values(body), fields, headers, now)
        if method == "PUT" and entry_id is not None:
            self._update(form, self._get(form, entry_id), _values(body), now)
            return 204, {}, b""
        raise ArFault(405, 9372, "Method not allowed on this resource", method)

    def _authorize(self, headers: Mapping[str, str], now: datetime) -> str:
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        expires = self._tokens.get(token) if scheme == "AR-JWT" else None
        if expires is None or now >= expires:
            self._tokens.pop(token, None)
            raise ArFault(401, 623, "Authentication failed", "token missing, unknown or expired")
        return token

    def _incident(self, incident_number: str) -> dict[str, Any]:
        for row in self._forms[HELP_DESK].values():
            if row.get("Incident Number") == incident_number:
                return row
        raise KeyError(incident_number)

    def _get(self, form: str, entry_id: str) -> dict[str, Any]:
        if form == INTERFACE:
            first, _, second = entry_id.partition("|")
            row = self._forms[HELP_DESK].get(first)
            if row is None or second != first:
                raise ArFault(404, 302, "Entry does not exist in database", entry_id[:40])
            return row
        if entry_id not in self._forms[form]:
            raise ArFault(404, 302, "Entry does not exist in database", entry_id[:40])
        return self._forms[form][entry_id]

    def _search(self, form, query, fields, headers):
        qualification = query.get("q", [""])[0]
        try:
            tree = parse_tree(qualification) if qualification.strip() else None
        except QualificationError as exc:
            raise ArFault(None, 1587, "Syntax error in qualification", str(exc)) from exc
        if tree is not None:
            for term in comparisons(tree):
                known(form, term.field)
                if term.field.endswith("Date") and term.operator not in ("=", "!="):
                    qualification_date(term.value)
            tree = _epoch_dates(tree)
        store = self._forms[HELP_DESK if form == INTERFACE else form]
        rows = [v for v in store.values() if tree is None or evaluate(tree, self._view(form, v))]
        for key in reversed([k for k in query.get("sort", [""])[0].split(",") if k]):
            name, _, direction = key.rpartition(".")
            if direction not in ("asc", "desc"):
                raise ArFault(None, 1587, "Bad sort specification", key[:80])
            known(form, name)
            rows.sort(key=lambda row: _sort_key(self._view(form, row).get(name)), reverse=direction == "desc")
        offset, limit = _int_param(query, "offset", 0), _int_param(query, "limit", None)
        page = rows[offset: None if limit is None else offset + limit]
        url = f"http://{headers.get('Host', 'localhost')}{ENTRY_PREFIX}{quote(form)}"
        body = {"entries": [self._entry_json(form, row, fields, headers) for row in page],
                "_links": {"self": [{"href": url}]}}
        if limit is not None and offset + limit < len(rows):
            repeated = [(k, v) for k, values in query.items() if k != "offset" for v in values]
            next_query = urlencode(repeated + [("offset", str(offset + limit))], quote_via=quote)
            body["_links"]["next"] = [{"href": f"{url}?{next_query}"}]
        return 200, _JSON, _dump(body)

    def _view(self, form: str, row: dict[str, Any]) -> dict[str, Any]:
        """The row as the form shows it: every field (None when unset); composite ids on the interface."""
        values = {name: row.get(name) for name in FIELDS[form]}
        if form == INTERFACE:
            values["Request ID"] = f"{row['Entry ID']}|{row['Entry ID']}"
        elif form == HELP_DESK:
            values["Request ID"] = row.get("Entry ID")
        return values

    def _entry_json(self, form, row, fields, headers):
        values = self._view(form, row)
        entry_id = values.get("Request ID") or values.get("Entry ID")
        href = f"http://{headers.get('Host', 'localhost')}{ENTRY_PREFIX}{quote(form)}/{quote(entry_id, safe='')}"
        shown = {k: v for k, v in values.items() if fields is None or k in fields}
        return {"values": shown, "_links": {"self": [{"href": href}]}}

    def _create(self, form, values, fields, headers, now):
        if form in (HELP_DESK, INTERFACE):
            raise ArFault(None, 9372, "Create incidents through HPD:IncidentInterface_Create", form)
        validate(form, values, creating=True)
        stamp = format_ar_timestamp(now)
        entry_id = self._next("entry", "", start=0)
        row = {**values, "Request ID": entry_id, "Submitter": self.username, "Submit Date": stamp,
               "Last Modified By": self.username, "Last Modified Date": stamp}
        if form == CREATE_FORM:
            row.update(self._create_incident(values, stamp), **{"Create Date": stamp})
        elif form == WORK_LOG:
            if not any(v.get("Incident Number") == values["Incident Number"] for v in self._forms[HELP_DESK].values()):
                raise ArFault(None, 10000, "The Incident Number does not exist", str(values["Incident Number"])[:20])
            row.update({"Work Log ID": self._next("worklog", "WLG", start=0), "Work Log Date": stamp,
                        "Status": "Enabled", "Work Log Submitter": values.get("Work Log Submitter", self.username)})
        self._forms[form][entry_id] = row
        location = f"http://{headers.get('Host', 'localhost')}{ENTRY_PREFIX}{quote(form)}/{entry_id}"
        out = {"values": {k: row.get(k) for k in fields}} if fields else None
        return 201, {"Location": location, **(_JSON if out else {})}, _dump(out) if out else b""

    def _create_incident(self, values: dict[str, Any], stamp: str) -> dict[str, str]:
        if values["z1D_Action"] != "CREATE":
            raise ArFault(None, 10000, "z1D_Action must be CREATE on this interface form")
        incident = {
            "Submitter": self.username, "Submit Date": stamp, "Reported Date": stamp,
            "Last Modified By": self.username, "Last Modified Date": stamp,
            "Description": values["Description"], "Detailed Decription": values.get("Detailed_Decription"),
            "Impact": values["Impact"], "Urgency": values["Urgency"], "Status": values["Status"],
            "Status_Reason": values.get("Status_Reason"), "Service Type": values["Service_Type"],
            "Reported Source": values["Reported Source"], "First Name": values["First_Name"],
            "Last Name": values["Last_Name"], "Customer Login ID": values.get("Login_ID"),
            "Resolution": values.get("Resolution"),
            **{k: values.get(k) for k in ("Assigned Group", "Assigned Support Company",
                                          "Assigned Support Organization", "Assignee", "Assignee Login ID")},
        }
        itsm_rules(incident, previous=None)
        taken = {row.get("Incident Number") for row in self._forms[HELP_DESK].values()}
        number = self._next("incident", "INC", start=0)
        while number in taken:   # seeded incidents keep their numbers, like a server's history
            number = self._next("incident", "INC", start=0)
        entry_id = self._next("entry", "INC", start=1000)
        priority_of(incident)
        self._forms[HELP_DESK][entry_id] = {**incident, "Entry ID": entry_id, "Incident Number": number}
        return {"Incident Number": number, "Incident_Entry_ID": entry_id}

    def _update(self, form, row, values, now):
        validate(form, values, creating=False)
        if form == INTERFACE:
            values = {k: v for k, v in values.items() if k != "z1D Action"}
            itsm_rules({**row, **values}, previous=row.get("Status"))
        stamp = format_ar_timestamp(now)
        if values.get("Status") != row.get("Status"):
            if values.get("Status") == "Resolved":
                values["Last Resolved Date"] = stamp
            elif values.get("Status") == "Closed":
                values["Closed Date"] = stamp
        row.update(values, **{"Last Modified By": self.username, "Last Modified Date": stamp})
        if form in (HELP_DESK, INTERFACE) and ("Impact" in values or "Urgency" in values):
            priority_of(row)

    def _next(self, counter: str, prefix: str, *, start: int) -> str:
        self._counters[counter] += 1
        return f"{prefix}{start + self._counters[counter]:0{15 - len(prefix)}d}"


def _epoch_dates(tree):
    """Epoch seconds in a date comparison are compared as the instant they name."""
    if isinstance(tree, Comparison):
        if tree.field.endswith("Date") and tree.value.isdigit():
            return Comparison(tree.field, tree.operator, qualification_date(tree.value))
        return tree
    return (tree[0], [_epoch_dates(child) for child in tree[1]])


_JSON = {"Content-Type": "application/json"}


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _values(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"null")
    except ValueError as exc:
        raise ArFault(None, 9372, "Invalid JSON in request body") from exc
    if not isinstance(data, dict) or not isinstance(data.get("values"), dict) or not data["values"]:
        raise ArFault(None, 9372, 'Request body must be {"values": {...}}')
    return data["values"]


def _fields_param(query: dict[str, list[str]], form: str) -> frozenset[str] | None:
    raw = query.get("fields", [None])[0]
    if raw is None:
        return None
    if not (raw.startswith("values(") and raw.endswith(")")):
        raise ArFault(None, 9372, "fields must look like values(Field A,Field B)", raw[:80])
    names = frozenset(name.strip() for name in raw[7:-1].split(",") if name.strip())
    for name in names:
        known(form, name)
    return names


def _int_param(query: dict[str, list[str]], name: str, default: int | None) -> int | None:
    raw = query.get(name, [None])[0]
    if raw is None:
        return default
    if not raw.isdigit():
        raise ArFault(None, 9372, f"{name} must be a non-negative integer", raw[:20])
    return int(raw)


def _sort_key(value: Any) -> tuple[int, str]:
    return (0, "") if value is None else (1, str(value))


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout test) is normal; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.server.simulator.handle(  # type: ignore[attr-defined]
            self.command, split.path, parse_qs(split.query, keep_blank_values=True), self.headers, body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silent: request lines carry qualifications (names) and must not be logged."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8008, help="TCP port (default 8008)")
    parser.add_argument("--user", default="demo", help="accepted user name (default demo)")
    parser.add_argument("--password", default="demo", help="accepted password (default demo)")
    parser.add_argument("--auth-string", default=None, help="authString required at login (default: none)")
    parser.add_argument("--error-status", type=int, choices=(400, 500), default=500,
                        help="HTTP status of validation and workflow errors (default 500, as BMC documents)")


def serve(args: argparse.Namespace) -> int:
    simulator = RemedySimulator(username=args.user, password=args.password, auth_string=args.auth_string,
                                error_status=args.error_status).start(args.host, args.port)
    print(f"Remedy simulator on {simulator.base_url} (Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors.remedy.simulator", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return serve(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
