"""In-memory BMC Remedy AR REST simulator for tests and local demos (H-R1.1, H-T1, H-T2).

Speaks the subset Sagsflow uses, with Remedy's formats and errors: JWT
login/logout (tokens expire), entry search with ``q=`` (AND-ed comparisons),
read, create (201 + Location, ``fields=values(...)``), modify (204), AR error
lists for 400/401/404/500. Forms: ``HPD:IncidentInterface_Create`` (creates
become visible in ``HPD:Help Desk`` with an ``INC…`` number and a computed
Priority), ``HPD:Help Desk`` and ``HPD:WorkLog`` (``WLG…`` ids).
Test hooks: :meth:`fail_next`, :meth:`delay_next`, :meth:`expire_all_tokens`,
:meth:`seed_incident` (stores values unvalidated) and :meth:`entries`.

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
from urllib.parse import parse_qs, quote, unquote, urlsplit

from connectors.remedy.errors import ArMessage, QualificationError
from connectors.remedy.qualification import matches, parse

CREATE_FORM, HELP_DESK, WORK_LOG = "HPD:IncidentInterface_Create", "HPD:Help Desk", "HPD:WorkLog"
ENTRY_PREFIX = "/api/arsys/v1/entry/"
_STATUS = ("New", "Assigned", "In Progress", "Pending", "Resolved", "Closed", "Cancelled")
_IMPACT = {"1-Extensive/Widespread": 9, "2-Significant/Large": 5, "3-Moderate/Limited": 3, "4-Minor/Localized": 0}
_URGENCY = {"1-Critical": 20, "2-High": 15, "3-Medium": 10, "4-Low": 0}
_PRIORITY = {  # (impact, urgency) -> Priority, BMC default matrix (weights are not monotonic)
    (1, 1): "Critical", (1, 2): "Critical", (1, 3): "High", (1, 4): "Low",
    (2, 1): "Critical", (2, 2): "High", (2, 3): "Medium", (2, 4): "Low",
    (3, 1): "High", (3, 2): "High", (3, 3): "Medium", (3, 4): "Low",
    (4, 1): "High", (4, 2): "Medium", (4, 3): "Medium", (4, 4): "Low",
}
_SERVICE_TYPES = ("User Service Restoration", "User Service Request", "Infrastructure Restoration",
                  "Infrastructure Event")
_SOURCES = ("Direct Input", "Email", "External Escalation", "Fax", "Self Service", "Systems Management",
            "Phone", "Voice Mail", "Walk In", "Web", "Other", "BMC Impact Manager Event")
_WORK_LOG_TYPES = ("Customer Communication", "Customer Follow-up", "Customer Status Update", "Closure Follow Up",
                   "Detail Clarification", "General Information", "Resolution Communications", "Satisfaction Survey",
                   "Status Update", "Incident Task / Action", "Problem Script", "Working Log", "Email System",
                   "Paging System", "BMC Impact Manager Update", "Chat", "Vendor Communication")
_COMMON = ("Request ID", "Submitter", "Submit Date", "Last Modified By", "Last Modified Date", "Status")
FIELDS: dict[str, frozenset[str]] = {
    CREATE_FORM: frozenset(_COMMON + (
        "z1D_Action", "First_Name", "Last_Name", "Login_ID", "Description", "Detailed_Decription", "Impact",
        "Urgency", "Status_Reason", "Reported Source", "Service_Type", "Assigned Group", "Assignee Login ID",
        "Resolution", "Incident Number", "Incident_Entry_ID", "Create Date")),
    HELP_DESK: frozenset(_COMMON + (
        "Entry ID", "Incident Number", "Description", "Detailed Decription", "Impact", "Urgency", "Priority",
        "Priority Weight", "Status_Reason", "Service Type", "Reported Source", "First Name", "Last Name",
        "Customer Login ID", "Assigned Group", "Assignee Login ID", "Resolution", "Reported Date")),
    WORK_LOG: frozenset(_COMMON + (
        "Work Log ID", "Incident Number", "Work Log Type", "Description", "Detailed Description", "View Access",
        "Secure Work Log", "Work Log Submitter", "Work Log Date", "Communication Type", "Communication Source")),
}
MENUS: dict[str, tuple[str, ...]] = {
    "Status": _STATUS, "Impact": tuple(_IMPACT), "Urgency": tuple(_URGENCY), "Service_Type": _SERVICE_TYPES,
    "Service Type": _SERVICE_TYPES, "Reported Source": _SOURCES, "Work Log Type": _WORK_LOG_TYPES,
    "View Access": ("Internal", "Public"), "Secure Work Log": ("Yes", "No"),
}
_REQUIRED = {
    CREATE_FORM: ("z1D_Action", "First_Name", "Last_Name", "Description", "Impact", "Urgency", "Status",
                  "Reported Source", "Service_Type"),
    HELP_DESK: (),
    WORK_LOG: ("Incident Number", "Work Log Type", "Description"),
}
_SYSTEM = frozenset({"Request ID", "Submitter", "Submit Date", "Last Modified By", "Last Modified Date"})
_READ_ONLY = {
    CREATE_FORM: _SYSTEM | {"Incident Number", "Incident_Entry_ID", "Create Date"},
    HELP_DESK: _SYSTEM | {"Entry ID", "Incident Number", "Priority", "Priority Weight", "Reported Date"},
    WORK_LOG: _SYSTEM | {"Work Log ID", "Work Log Date"},
}


def format_ar_timestamp(moment: datetime) -> str:
    """Remedy's response date format: ``2019-10-15T23:36:18.000+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class ArFault(Exception):
    """An AR error answer: HTTP status + one AR message."""

    def __init__(self, status: int, number: int, text: str, appended: str | None = None) -> None:
        super().__init__(text)
        self.status = status
        self.message = ArMessage("ERROR", text, appended, number)


class RemedySimulator:
    """The simulated AR server: state, fault hooks and an HTTP server on demand."""

    def __init__(self, *, username: str = "demo", password: str = "demo",
                 token_lifetime: timedelta = timedelta(hours=1),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 strict_sessions: bool = False) -> None:
        """``strict_sessions``: overlapping requests get ARERR 9093, like one user's
        concurrent sessions on a real server."""
        self.username, self._password = username, password
        self.strict_sessions = strict_sessions
        self._in_flight = 0
        self.token_lifetime, self.clock = token_lifetime, clock
        self._lock = threading.Lock()
        self._forms: dict[str, dict[str, dict[str, Any]]] = {form: {} for form in FIELDS}
        self._tokens: dict[str, datetime] = {}
        self._counters = {"entry": 0, "incident": 0, "worklog": 0}
        self._fail: list[int] = []
        self._delays: list[float] = []
        self._release = threading.Event()
        self.requests_seen: list[tuple[str, str]] = []
        self._server: ThreadingHTTPServer | None = None

    # --- test hooks ----------------------------------------------------------------

    def fail_next(self, count: int = 1, *, status: int = 500) -> None:
        with self._lock:
            self._fail.extend([status] * count)

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
            self._forms[HELP_DESK][entry_id] = {**copy.deepcopy(dict(values)), "Entry ID": entry_id}
            return entry_id

    def entries(self, form: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(list(self._forms[form].values()))

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
            fail = self._fail.pop(0) if self._fail else None
            delay = self._delays.pop(0) if self._delays else None
            self._in_flight += 1
            overlapping = self._in_flight > 1
        try:
            if delay:
                self._release.wait(delay)
            if fail:
                raise ArFault(fail, 90, "Cannot establish a network connection to the AR System server")
            if overlapping and self.strict_sessions:
                raise ArFault(500, 9093, "User is currently connected from another machine or incompatible session")
            with self._lock:
                return self._route(method, path, query, headers, body)
        except ArFault as fault:
            return fault.status, _JSON, _dump([fault.message.to_json()])
        finally:
            with self._lock:
                self._in_flight -= 1

    def _route(self, method, path, query, headers, body):
        now, path = self.clock(), path.rstrip("/") or "/"
        if path == "/api/jwt/login" and method == "POST":
            form = parse_qs(body.decode("utf-8", "replace"))
            if form.get("username") != [self.username] or form.get("password") != [self._password]:
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

    def _get(self, form: str, entry_id: str) -> dict[str, Any]:
        if entry_id not in self._forms[form]:
            raise ArFault(404, 302, "Entry does not exist in database", entry_id[:40])
        return self._forms[form][entry_id]

    def _search(self, form, query, fields, headers):
        qualification = query.get("q", [""])[0]
        try:
            terms = parse(qualification) if qualification.strip() else ()
        except QualificationError as exc:
            raise ArFault(400, 1587, "Syntax error in qualification", str(exc)) from exc
        for term in terms:
            _known(form, term.field)
        rows = [v for v in self._forms[form].values() if matches(terms, v)]
        for key in reversed([k for k in query.get("sort", [""])[0].split(",") if k]):
            name, _, direction = key.rpartition(".")
            if direction not in ("asc", "desc"):
                raise ArFault(400, 1587, "Bad sort specification", key[:80])
            _known(form, name)
            rows.sort(key=lambda row: _sort_key(row.get(name)), reverse=direction == "desc")
        offset, limit = _int_param(query, "offset", 0), _int_param(query, "limit", None)
        page = rows[offset: None if limit is None else offset + limit]
        url = f"http://{headers.get('Host', 'localhost')}{ENTRY_PREFIX}{quote(form)}"
        body = {"entries": [self._entry_json(form, row, fields, headers) for row in page],
                "_links": {"self": [{"href": url}]}}
        if limit is not None and offset + limit < len(rows):
            body["_links"]["next"] = [{"href": f"{url}?offset={offset + limit}&limit={limit}"}]
        return 200, _JSON, _dump(body)

    def _entry_json(self, form, values, fields, headers):
        entry_id = values.get("Entry ID") or values.get("Request ID")
        href = f"http://{headers.get('Host', 'localhost')}{ENTRY_PREFIX}{quote(form)}/{quote(entry_id, safe='')}"
        shown = {k: v for k, v in values.items() if fields is None or k in fields}
        return {"values": shown, "_links": {"self": [{"href": href}]}}

    def _create(self, form, values, fields, headers, now):
        if form == HELP_DESK:
            raise ArFault(400, 9372, "Create incidents through HPD:IncidentInterface_Create", form)
        _validate(form, values, creating=True)
        stamp = format_ar_timestamp(now)
        entry_id = self._next("entry", "", start=0)
        row = {**values, "Request ID": entry_id, "Submitter": self.username, "Submit Date": stamp,
               "Last Modified By": self.username, "Last Modified Date": stamp}
        if form == CREATE_FORM:
            row.update(self._create_incident(values, stamp), **{"Create Date": stamp})
        elif form == WORK_LOG:
            if not any(v.get("Incident Number") == values["Incident Number"] for v in self._forms[HELP_DESK].values()):
                raise ArFault(400, 10000, "The Incident Number does not exist", str(values["Incident Number"])[:20])
            row.update({"Work Log ID": self._next("worklog", "WLG", start=0), "Work Log Date": stamp,
                        "Status": "Enabled", "Work Log Submitter": values.get("Work Log Submitter", self.username)})
        self._forms[form][entry_id] = row
        location = f"http://{headers.get('Host', 'localhost')}{ENTRY_PREFIX}{quote(form)}/{entry_id}"
        out = {"values": {k: row.get(k) for k in fields}} if fields else None
        return 201, {"Location": location, **(_JSON if out else {})}, _dump(out) if out else b""

    def _create_incident(self, values: dict[str, Any], stamp: str) -> dict[str, str]:
        if values["z1D_Action"] != "CREATE":
            raise ArFault(400, 10000, "z1D_Action must be CREATE on this interface form")
        number, entry_id = self._next("incident", "INC", start=0), self._next("entry", "INC", start=1000)
        impact, urgency = values["Impact"], values["Urgency"]
        self._forms[HELP_DESK][entry_id] = {
            "Entry ID": entry_id, "Incident Number": number, "Submitter": self.username, "Submit Date": stamp,
            "Reported Date": stamp, "Last Modified By": self.username, "Last Modified Date": stamp,
            "Description": values["Description"], "Detailed Decription": values.get("Detailed_Decription"),
            "Impact": impact, "Urgency": urgency, "Priority": _PRIORITY[(int(impact[0]), int(urgency[0]))],
            "Priority Weight": _IMPACT[impact] + _URGENCY[urgency], "Status": values["Status"],
            "Status_Reason": values.get("Status_Reason"), "Service Type": values["Service_Type"],
            "Reported Source": values["Reported Source"], "First Name": values["First_Name"],
            "Last Name": values["Last_Name"], "Customer Login ID": values.get("Login_ID"),
            "Assigned Group": values.get("Assigned Group"), "Assignee Login ID": values.get("Assignee Login ID"),
            "Resolution": values.get("Resolution"),
        }
        return {"Incident Number": number, "Incident_Entry_ID": entry_id}

    def _update(self, form, row, values, now):
        _validate(form, values, creating=False)
        row.update(values, **{"Last Modified By": self.username, "Last Modified Date": format_ar_timestamp(now)})
        if form == HELP_DESK and ("Impact" in values or "Urgency" in values):
            impact, urgency = row.get("Impact"), row.get("Urgency")
            if impact in _IMPACT and urgency in _URGENCY:
                row["Priority"] = _PRIORITY[(int(impact[0]), int(urgency[0]))]
                row["Priority Weight"] = _IMPACT[impact] + _URGENCY[urgency]

    def _next(self, counter: str, prefix: str, *, start: int) -> str:
        self._counters[counter] += 1
        return f"{prefix}{start + self._counters[counter]:0{15 - len(prefix)}d}"


_JSON = {"Content-Type": "application/json"}


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _values(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"null")
    except ValueError as exc:
        raise ArFault(400, 9372, "Invalid JSON in request body") from exc
    if not isinstance(data, dict) or not isinstance(data.get("values"), dict) or not data["values"]:
        raise ArFault(400, 9372, 'Request body must be {"values": {...}}')
    return data["values"]


def _known(form: str, field: str) -> None:
    if field not in FIELDS[form]:
        raise ArFault(400, 314, "Field does not exist on current form", field[:80])


def _validate(form: str, values: dict[str, Any], *, creating: bool) -> None:
    for field, value in values.items():
        _known(form, field)
        if field in _READ_ONLY[form]:
            raise ArFault(400, 9084, "Field is read-only for API writes", field)
        menu = ("Enabled", "Disabled") if (form, field) == (WORK_LOG, "Status") else MENUS.get(field)
        if menu is not None and value is not None and value not in menu:
            raise ArFault(400, 306, "Value does not fall within the limits specified for the field", field)
        if value is not None and not isinstance(value, (str, int, float)):
            raise ArFault(400, 9372, "Unsupported value type", field)
    for field in _REQUIRED[form] if creating else ():
        if values.get(field) in (None, ""):
            raise ArFault(400, 326, "Required field cannot be blank.", field)


def _fields_param(query: dict[str, list[str]], form: str) -> frozenset[str] | None:
    raw = query.get("fields", [None])[0]
    if raw is None:
        return None
    if not (raw.startswith("values(") and raw.endswith(")")):
        raise ArFault(400, 9372, "fields must look like values(Field A,Field B)", raw[:80])
    names = frozenset(name.strip() for name in raw[7:-1].split(",") if name.strip())
    for name in names:
        _known(form, name)
    return names


def _int_param(query: dict[str, list[str]], name: str, default: int | None) -> int | None:
    raw = query.get(name, [None])[0]
    if raw is None:
        return default
    if not raw.isdigit():
        raise ArFault(400, 9372, f"{name} must be a non-negative integer", raw[:20])
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


def serve(args: argparse.Namespace) -> int:
    simulator = RemedySimulator(username=args.user, password=args.password).start(args.host, args.port)
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
