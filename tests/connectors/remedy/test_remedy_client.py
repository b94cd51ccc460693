"""Remedy client tests (H-R1.1 Work Info mirror, H-T1/H-T2 incident sync).

Part 1 is the contract suite, parametrized over ``remedy_server`` (simulator, and a
live Remedy when configured). Part 2 covers outages and bad data with the
simulator's fault hooks. Part 3 covers the qualification builder. Real HTTP only.
"""

from __future__ import annotations

import pickle
import re
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.remedy import qualification as q
from connectors.remedy.client import RemedyClient, RemedySettings
from connectors.remedy.errors import (
    QualificationError,
    RemedyAuthError,
    RemedyDataError,
    RemedyPermanentError,
    RemedyTransientError,
    RemedyUsageError,
    parse_ar_messages,
)
from connectors.remedy.mapping import (
    CaseForRemedy,
    RemedyState,
    WorkInfoForRemedy,
    incident_create_values,
    incident_from_remedy,
    incident_update_values,
    interface_update_values,
    work_info_values,
)

CREATE, HELP_DESK, WORK_LOG = "HPD:IncidentInterface_Create", "HPD:Help Desk", "HPD:WorkLog"
INTERFACE = "HPD:IncidentInterface"
AR_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
HOSTILE = 'Printer 3" OR \'Status\'="Closed'


def make_case(target, **changes) -> CaseForRemedy:
    first, last = target.customer
    data = {
        "number": "SAG-2024-0001", "type": "incident", "summary": "Printer på 3. sal virker ikke",
        "notes": "Kunden har genstartet printeren.", "impact": 3, "urgency": 2, "priority": "high",
        "status": "assigned", "team": target.assignment[0], "support_company": target.assignment[1],
        "support_organization": target.assignment[2], "customer_first_name": first, "customer_last_name": last,
    }
    data.update(changes)
    return CaseForRemedy(**data)


def create_incident(client: RemedyClient, case: CaseForRemedy) -> tuple[str, str]:
    """Create via the interface form; return (Incident Number, Help Desk entry id)."""
    _, values = client.create_entry(CREATE, incident_create_values(case), return_fields=["Incident Number"])
    number = values["Incident Number"]
    found = client.get_entries(HELP_DESK, q.field_equals("Incident Number", number))
    assert len(found) == 1
    return number, found[0].entry_id


# --- part 1: contract suite -----------------------------------------------------------


def test_h_r1_1_login_returns_raw_token_and_logout_releases_it(remedy_server):
    base = remedy_server.base_url
    login = requests.post(f"{base}/api/jwt/login", timeout=5,
                          data={"username": remedy_server.username, "password": remedy_server.password})
    assert login.status_code == 200
    token = login.text.strip()
    header = {"Authorization": f"AR-JWT {token}"}
    url = f"{base}/api/arsys/v1/entry/HPD:Help%20Desk?limit=1"
    assert requests.get(url, headers=header, timeout=5).status_code == 200
    assert requests.post(f"{base}/api/jwt/logout", headers=header, timeout=5).status_code == 204
    refused = requests.get(url, headers=header, timeout=5)
    assert refused.status_code == 401
    assert parse_ar_messages(refused.content), "401 must carry the AR error list"


def test_h_t1_incident_created_via_interface_is_readable_from_help_desk(remedy_server):
    case = make_case(remedy_server, summary="Netværk nede i afsnit 4")
    with remedy_server.client() as client:
        number, entry_id = create_incident(client, case)
        entry = client.get_entry(HELP_DESK, entry_id)
    imported = incident_from_remedy(entry.values)
    assert re.fullmatch(r"INC\d{12}", number)
    assert (imported.incident_number, imported.summary) == (number, "Netværk nede i afsnit 4")
    assert (imported.impact, imported.urgency, imported.priority) == (3, 2, "high")
    assert AR_DATE.match(entry.values["Last Modified Date"])


def test_h_r1_1_work_info_is_written_to_worklog_and_listed_by_incident(remedy_server):
    with remedy_server.client() as client:
        number, _ = create_incident(client, make_case(remedy_server))
        info = WorkInfoForRemedy(incident_number=number, work_log_type="Customer Communication",
                                 summary="Opkald 1 – intet svar", notes="Ringet 10:02, voicemail indtalt",
                                 view_access="public")
        _, returned = client.create_entry(WORK_LOG, work_info_values(info), return_fields=["Work Log ID"])
        listed = client.get_entries(WORK_LOG, q.field_equals("Incident Number", number),
                                    fields=["Work Log ID", "Work Log Type", "Description", "View Access"])
    assert returned["Work Log ID"].startswith("WLG")
    assert [e.values for e in listed] == [{
        "Work Log ID": returned["Work Log ID"], "Work Log Type": "Customer Communication",
        "Description": "Opkald 1 – intet svar", "View Access": "Public",
    }]


def test_h_r1_1_the_import_s_work_log_search_by_incident_number_names_the_integration_user(remedy_server):
    """What services.remedy_worklog sends (docs/remedy.md, live item 10): the OR of Incident Numbers of
    a chunk, every field it reads, the sort, pages by _links.next; our own entry names the integration
    user as Submitter."""
    from connectors.remedy.incoming import WORK_LOG_FIELDS, work_log_from_remedy
    from services.remedy_worklog import SORT, work_log_qualification
    with remedy_server.client() as client:
        numbers = [create_incident(client, make_case(remedy_server))[0] for _ in range(2)]
        for number in numbers:
            info = WorkInfoForRemedy(incident_number=number, work_log_type="Working Log", summary=f"Trin {number}")
            client.create_entry(WORK_LOG, work_info_values(info))
        found = list(client.search_all(WORK_LOG, work_log_qualification(numbers), sort=SORT, page_size=1,
                                       fields=list(WORK_LOG_FIELDS)))
    assert sorted(e.values["Incident Number"] for e in found) == sorted(numbers)   # both, over two pages
    for entry in found:
        assert set(entry.values) == set(WORK_LOG_FIELDS)
        log = work_log_from_remedy(entry.values)
        assert log.summary == f"Trin {log.incident_number}"
        assert log.written_by(remedy_server.username) and log.logged_at is not None


def test_h_t1_update_changes_status_and_last_modified(remedy_server, sim_clock):
    with remedy_server.client() as client:
        _, entry_id = create_incident(client, make_case(remedy_server))
        before = client.get_entry(HELP_DESK, entry_id).values["Last Modified Date"]
        sim_clock.advance(minutes=5)
        client.update_entry(HELP_DESK, entry_id, incident_update_values(
            make_case(remedy_server, status="in_progress", urgency=1)))
        after = incident_from_remedy(client.get_entry(HELP_DESK, entry_id).values)
    assert after.status == "in_progress"
    assert after.urgency == 1
    assert after.last_modified >= datetime.fromisoformat(before)
    if remedy_server.simulator is not None:
        assert after.last_modified == datetime.fromisoformat(before) + timedelta(minutes=5)


def test_h_r1_1_hostile_search_value_matches_only_literally(remedy_server):
    with remedy_server.client() as client:
        number, _ = create_incident(client, make_case(remedy_server, summary=HOSTILE))
        exact = client.get_entries(HELP_DESK, q.and_(
            q.field_equals("Incident Number", number), q.field_equals("Description", HOSTILE)))
        injected = client.get_entries(HELP_DESK, q.and_(
            q.field_equals("Incident Number", number), q.field_equals("Description", 'x" OR ""="')))
    assert [incident_from_remedy(e.values).summary for e in exact] == [HOSTILE]
    assert injected == []


def test_h_r1_1_paging_and_sort_over_work_info(remedy_server):
    with remedy_server.client() as client:
        number, _ = create_incident(client, make_case(remedy_server))
        for index in range(3):
            info = WorkInfoForRemedy(incident_number=number, work_log_type="Working Log", summary=f"Trin {index}")
            client.create_entry(WORK_LOG, work_info_values(info))
        by_number = q.field_equals("Incident Number", number)
        first = client.get_entries(WORK_LOG, by_number, limit=2, sort="Work Log ID.asc", fields=["Description"])
        rest = client.get_entries(WORK_LOG, by_number, limit=2, offset=2, sort="Work Log ID.asc",
                                  fields=["Description"])
        newest = client.get_entries(WORK_LOG, by_number, limit=1, sort="Work Log ID.desc", fields=["Description"])
    assert [e.values["Description"] for e in first + rest] == ["Trin 0", "Trin 1", "Trin 2"]
    assert newest[0].values["Description"] == "Trin 2"


def test_h_r1_1_unknown_entry_and_form_are_permanent_404(remedy_server):
    with remedy_server.client() as client:
        with pytest.raises(RemedyPermanentError) as entry_error:
            client.get_entry(HELP_DESK, "INC999999999999")
        with pytest.raises(RemedyPermanentError) as form_error:
            client.get_entries("HPD:No Such Form", q.field_equals("Status", "New"))
    assert entry_error.value.status == 404 and entry_error.value.messages
    assert form_error.value.status == 404 and form_error.value.messages
    assert not isinstance(entry_error.value, RemedyTransientError)


def test_h_r1_1_unknown_field_in_qualification_is_permanent(remedy_server):
    with remedy_server.client() as client, pytest.raises(RemedyPermanentError) as error:
        client.get_entries(HELP_DESK, q.field_equals("No Such Field", "x"))
    assert error.value.status in (400, 500)   # BMC: 500 is the default answer for any error
    assert "No Such Field" in str(error.value)


def test_h_r1_1_wrong_password_is_auth_error(sim_target):
    # simulator only: failed logins could lock the service account on a live server
    client = sim_target.client(password="wrong-password")
    with pytest.raises(RemedyAuthError) as error:
        client.get_entries(HELP_DESK, limit=1)
    assert error.value.status == 401
    assert "wrong-password" not in str(error.value)


def test_h_r1_1_token_is_renewed_five_minutes_before_lifetime(remedy_server, sim_clock):
    with remedy_server.client(clock=sim_clock.seconds) as client:
        client.get_entries(HELP_DESK, limit=1)
        sim_clock.advance(seconds=3299)
        client.get_entries(HELP_DESK, limit=1)
        assert client.login_count == 1
        sim_clock.advance(seconds=1)
        client.get_entries(HELP_DESK, limit=1)
        assert client.login_count == 2


# --- part 2: outages and bad data (simulator) -------------------------------------------


def test_h_r1_1_expired_token_is_renewed_transparently(sim_target):
    with sim_target.client() as client:
        client.get_entries(HELP_DESK, limit=1)
        sim_target.simulator.expire_all_tokens()
        assert client.get_entries(HELP_DESK, limit=1) == []
    assert sim_target.simulator.login_count == 2
    assert client.login_count == 2


def test_h_r1_1_token_expired_by_server_lifetime_is_renewed(sim_target, sim_clock):
    # client believes the token lives 2 h; the server expires it after 1 h -> 401 -> re-login
    with sim_target.client(token_lifetime_s=7200) as client:
        client.get_entries(HELP_DESK, limit=1)
        sim_clock.advance(hours=1, seconds=1)
        client.get_entries(HELP_DESK, limit=1)
    assert sim_target.simulator.login_count == 2


def test_h_r1_1_second_401_is_auth_error_without_loop(sim_target):
    client = sim_target.client()
    client.login()
    sim_target.simulator.fail_next(2, status=401)
    with pytest.raises(RemedyAuthError):
        client.get_entries(HELP_DESK, limit=1)
    assert len(sim_target.simulator.requests_seen) == 3  # login, request, one re-login


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_h_r1_1_server_fault_is_transient_then_recovers(sim_target, status):
    with sim_target.client() as client:
        client.login()
        sim_target.simulator.fail_next(1, status=status)
        with pytest.raises(RemedyTransientError) as error:
            client.get_entries(HELP_DESK, limit=1)
        assert error.value.status == status
        assert client.get_entries(HELP_DESK, limit=1) == []


@pytest.mark.parametrize(("status", "number", "transient"), [
    (500, 326, False),    # required field: a validation error, whatever the HTTP status
    (500, 10000, False),  # an ITSM workflow (filter) message
    (500, 1587, False),   # a bad qualification / unknown field in it
    (400, 90, True),      # network error, even when answered with 400
    (500, 9093, True),    # one user's overlapping sessions: try again
    (403, 303, False),
    (404, 302, False),
])
def test_h_r1_1_errors_are_classified_by_ar_message_number_not_http_status(sim_target, status, number, transient):
    with sim_target.client() as client:
        client.login()
        sim_target.simulator.fail_next(1, status=status, number=number)
        with pytest.raises(RemedyPermanentError if not transient else RemedyTransientError) as error:
            client.get_entries(HELP_DESK, limit=1)
    assert isinstance(error.value, RemedyTransientError) is transient
    assert error.value.message_numbers == (number,) and error.value.status == status


def test_h_r1_1_a_proxy_html_5xx_is_transient():
    from connectors.remedy.errors import error_for_status
    assert isinstance(error_for_status(502, ()), RemedyTransientError)
    assert not isinstance(error_for_status(400, ()), RemedyTransientError)


def test_h_r1_1_login_during_outage_is_transient(sim_target):
    sim_target.simulator.fail_next(1, status=503)
    with pytest.raises(RemedyTransientError):
        sim_target.client().get_entries(HELP_DESK, limit=1)


def test_h_r1_1_timeout_is_transient(sim_target):
    with sim_target.client(timeout_s=0.2) as client:
        client.login()
        sim_target.simulator.delay_next(3.0)
        with pytest.raises(RemedyTransientError) as error:
            client.get_entries(HELP_DESK, limit=1)
        assert error.value.status is None and "timed out" in str(error.value)
        assert client.get_entries(HELP_DESK, limit=1) == []


def test_h_r1_1_connection_refused_is_transient(sim_target):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = sim_target.client(base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(RemedyTransientError) as error:
        client.get_entries(HELP_DESK, q.field_equals("Last Name", "Hansen"))
    assert "Hansen" not in str(error.value), "no personal data (qualification) in error text"


def test_h_r1_1_requests_are_serialized_per_client(sim_target):
    sim = sim_target.simulator
    sim.strict_sessions = True
    errors: list[Exception] = []
    with sim_target.client() as client:
        client.login()
        sim.delay_next(0.05, count=6)

        def search() -> None:
            try:
                client.get_entries(HELP_DESK, limit=1)
            except Exception as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=search) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(sim.requests_seen) == 8  # login, 6 searches, logout


def test_h_r1_1_bad_incident_data_from_remedy_is_data_error(sim_target):
    sim_target.simulator.seed_incident({"Incident Number": "INC000000000900", "Description": "x",
                                        "Status": "Parked", "Priority": "High", "Impact": "1-Extensive/Widespread",
                                        "Urgency": "1-Critical", "Last Modified Date": "2024-01-01T00:00:00.000+0000"})
    sim_target.simulator.seed_incident({"Incident Number": "INC000000000901", "Status": "New"})
    with sim_target.client() as client:
        entries = client.get_entries(HELP_DESK, sort="Incident Number.asc")
    with pytest.raises(RemedyDataError, match="unknown Status 'Parked'"):
        incident_from_remedy(entries[0].values)
    with pytest.raises(RemedyDataError, match="Description, Priority, Impact, Urgency, Last Modified Date"):
        incident_from_remedy(entries[1].values)


def test_h_r1_1_hostile_text_from_remedy_stays_plain_text(sim_target):
    hostile = "<script>alert('x')</script>\x00\x1b[2J\u202egnp.exe\tok\r\nline 2"
    sim_target.simulator.seed_incident({
        "Incident Number": "INC000000000902", "Description": hostile, "Detailed Decription": hostile * 3000,
        "Status": "Assigned", "Priority": "Low", "Impact": "4-Minor/Localized", "Urgency": "4-Low",
        "Last Modified Date": "2024-01-01T00:00:00.000+0000"})
    with sim_target.client() as client:
        (entry,) = client.get_entries(HELP_DESK, q.field_equals("Incident Number", "INC000000000902"))
    imported = incident_from_remedy(entry.values)
    assert imported.summary == "<script>alert('x')</script>[2Jgnp.exe\tok\nline 2"[:100]
    assert len(imported.notes) == 32_000 and "\x00" not in imported.notes


@pytest.fixture
def html_portal():
    """A real HTTP server that answers every request with a 200 HTML page (a captive proxy)."""

    class Portal(BaseHTTPRequestHandler):
        def _page(self) -> None:
            body = b"<html><body>Please sign in</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _page

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_h_r1_1_html_instead_of_remedy_is_data_error(sim_target, html_portal):
    client = RemedyClient(sim_target.settings(base_url=html_portal))
    with pytest.raises(RemedyDataError, match="without a usable token"):
        client.get_entries(HELP_DESK, limit=1)


def test_h_r1_1_raw_text_qualification_is_refused(sim_target):
    with sim_target.client() as client, pytest.raises(RemedyUsageError, match="qualification must be built"):
        client.get_entries(HELP_DESK, "'Status'=\"New\" OR 1=1")


def test_h_r1_1_settings_hide_password_and_require_credentials():
    settings_ = RemedySettings(enabled=True, base_url="https://remedy.example:8443/", username="svc",
                               password="s3cret-value")
    assert "s3cret-value" not in repr(settings_) and settings_.base_url == "https://remedy.example:8443"
    with pytest.raises(ValueError, match="username and password"):
        RemedySettings(enabled=True, base_url="https://remedy.example")
    with pytest.raises(RemedyUsageError, match="disabled"):
        RemedyClient(RemedySettings())


def test_h_r1_1_errors_survive_pickling_for_the_outbox():
    original = RemedyTransientError(503, parse_ar_messages(
        b'[{"messageType":"ERROR","messageText":"Busy","messageNumber":90}]'), "retry later")
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is RemedyTransientError
    assert (copy.status, copy.messages, str(copy)) == (503, original.messages, str(original))


def test_h_r1_1_ar_error_list_is_parsed_into_readable_text():
    body = b'[{"messageType":"ERROR","messageText":"Required field cannot be blank.",' \
           b'"messageAppendedText":"Last_Name","messageNumber":326}]'
    (message,) = parse_ar_messages(body)
    assert (message.number, message.appended_text) == (326, "Last_Name")
    assert str(message) == "ERROR 326: Required field cannot be blank. (Last_Name)"
    assert parse_ar_messages(b"<html>Bad Gateway</html>") == ()


# --- part 3: qualification builder ------------------------------------------------------


def test_h_r1_1_qualification_doubles_quotes_in_values():
    assert q.field_equals("Incident Number", "INC000000000123") == "'Incident Number'=\"INC000000000123\""
    assert q.field_equals("Description", 'a"b') == "'Description'=\"a\"\"b\""
    assert q.field_gt("Submit Date", datetime(2024, 1, 1, tzinfo=UTC)) == "'Submit Date'>\"2024-01-01T00:00:00.000+0000\""
    assert q.and_(q.field_equals("A", "1"), q.field_ge("B", "2")) == "'A'=\"1\" AND 'B'>=\"2\""


@pytest.mark.parametrize("field", ["Bad'Field", "", " Status", "Sta\x00tus", 'Say"'])
def test_h_r1_1_qualification_rejects_unquotable_field_names(field):
    with pytest.raises(QualificationError):
        q.field_equals(field, "x")


@pytest.mark.parametrize("value", ["nul\x00byte", "esc\x1b", 42, None, datetime(2024, 1, 1)])
def test_h_r1_1_qualification_rejects_bad_values(value):
    with pytest.raises(QualificationError):
        q.field_equals("Status", value)


def test_h_r1_1_and_refuses_raw_text():
    with pytest.raises(QualificationError, match="raw text"):
        q.and_(q.field_equals("A", "1"), "'Status'=\"Closed\" OR 1=1")


_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x01\x02\x03\x04\x05"
                              "\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
                              "\x1c\x1d\x1e\x1f\x7f"), max_size=40)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(first=_text, second=_text)
def test_h_r1_1_any_value_round_trips_as_exactly_one_term(first, second):
    built = q.and_(q.field_equals("Description", first), q.field_lt("Last Name", second))
    assert q.parse(built) == (q.Comparison("Description", "=", first), q.Comparison("Last Name", "<", second))


# --- part 4: the documented protocol the sync relies on (issue 14), simulator and live ----------------


def test_h_r1_1_search_all_follows_links_next_without_overlap(remedy_server):
    with remedy_server.client() as client:
        number, _ = create_incident(client, make_case(remedy_server))
        for index in range(5):
            client.create_entry(WORK_LOG, work_info_values(WorkInfoForRemedy(
                incident_number=number, work_log_type="Working Log", summary=f"Side {index}")))
        seen = [e.values["Description"] for e in client.search_all(
            WORK_LOG, q.field_equals("Incident Number", number), sort="Work Log ID.asc", page_size=2,
            fields=["Description"])]
    assert seen == [f"Side {index}" for index in range(5)]
    if remedy_server.simulator is not None:
        offsets = [query.get("offset") for query in remedy_server.simulator.queries_seen if "q" in query]
        assert [["0"], ["2"], ["4"]] == offsets[-3:]


def test_h_r1_1_a_date_in_the_documented_form_is_accepted_in_a_qualification(remedy_server):
    with remedy_server.client() as client:
        number, _ = create_incident(client, make_case(remedy_server))
        since = datetime(2024, 3, 1, tzinfo=UTC)   # before the simulator's clock and any live test incident
        qualification = q.and_(q.field_equals("Incident Number", number), q.field_ge("Last Modified Date", since))
        assert re.search(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000"', qualification)
        found = client.get_entries(HELP_DESK, qualification, fields=["Incident Number"])
    assert [e.values["Incident Number"] for e in found] == [number]


def test_h_t1_the_interface_form_takes_status_with_assignment_and_refuses_resolved_without_resolution(
        remedy_server):
    group, company, organization = remedy_server.assignment
    with remedy_server.client() as client:
        number, _ = create_incident(client, make_case(remedy_server))
        [entry] = client.get_entries(INTERFACE, q.field_equals("Incident Number", number), fields=["Incident Number"])
        client.update_entry(INTERFACE, entry.entry_id, interface_update_values(RemedyState(
            status="in_progress", assigned_group=group, support_company=company, support_organization=organization,
            assignee_login=remedy_server.assignee_login)))
        shown = incident_from_remedy(client.get_entries(HELP_DESK, q.field_equals("Incident Number", number))[0].values)
        with pytest.raises(RemedyPermanentError) as refused:
            client.update_entry(INTERFACE, entry.entry_id, interface_update_values(RemedyState(status="resolved")))
    assert (shown.status, shown.assigned_group, shown.assignee_login) == (
        "in_progress", group, remedy_server.assignee_login)
    assert not isinstance(refused.value, RemedyTransientError) and refused.value.messages


def test_h_r1_1_the_client_sends_the_configured_auth_string(sim_clock):
    from connectors.remedy.simulator import RemedySimulator
    with RemedySimulator(auth_string="RH", clock=sim_clock) as server:
        base = {"enabled": True, "base_url": server.base_url, "username": "demo", "password": "demo"}
        with pytest.raises(RemedyAuthError):
            RemedyClient(RemedySettings(**base)).login()
        with RemedyClient(RemedySettings(**base, auth_string="RH")) as client:
            assert client.get_entries(HELP_DESK, limit=1) == []
