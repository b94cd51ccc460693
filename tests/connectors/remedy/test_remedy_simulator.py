"""The Remedy simulator speaks Remedy's protocol (H-R1.1, H-T1): raw HTTP checks of
formats, status codes and AR error lists, independent of our client."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from cli.remedy import register
from connectors.remedy import simulator as simulator_module

ENTRY = "/api/arsys/v1/entry/"
AR_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$")
REPO_ROOT = Path(__file__).resolve().parents[3]


class Http:
    """Raw HTTP against the simulator with a logged-in token."""

    def __init__(self, base: str) -> None:
        self.base = base
        login = requests.post(f"{base}/api/jwt/login", data={"username": "demo", "password": "demo"}, timeout=5)
        assert login.status_code == 200, login.text
        self.token = login.text
        self.headers = {"Authorization": f"AR-JWT {self.token}"}

    def url(self, form: str, entry_id: str | None = None, query: str = "") -> str:
        path = f"{self.base}{ENTRY}{quote(form)}" + (f"/{quote(entry_id, safe='')}" if entry_id else "")
        return path + (f"?{query}" if query else "")

    def get(self, form: str, entry_id: str | None = None, **params: str) -> requests.Response:
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
        return requests.get(self.url(form, entry_id, query), headers=self.headers, timeout=5)

    def post(self, form: str, values: dict, fields: str | None = None) -> requests.Response:
        query = f"fields={quote(fields, safe='')}" if fields else ""
        return requests.post(self.url(form, query=query), json={"values": values}, headers=self.headers, timeout=5)

    def put(self, form: str, entry_id: str, values: dict) -> requests.Response:
        return requests.put(self.url(form, entry_id), json={"values": values}, headers=self.headers, timeout=5)


def incident_values(**changes: str) -> dict[str, str]:
    values = {
        "z1D_Action": "CREATE", "First_Name": "Anne", "Last_Name": "Hansen", "Description": "Printer virker ikke",
        "Impact": "3-Moderate/Limited", "Urgency": "2-High", "Status": "Assigned", "Reported Source": "Phone",
        "Service_Type": "User Service Restoration", "Assigned Group": "Servicedesk",
        "Assigned Support Company": "Region Hovedstaden", "Assigned Support Organization": "Koncern IT",
    }
    values.update(changes)
    return values


def ar_error(response: requests.Response) -> dict:
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body, list) and set(body[0]) == {
        "messageType", "messageText", "messageAppendedText", "messageNumber"}
    return body[0]


@pytest.fixture
def http(simulator) -> Http:
    return Http(simulator.base_url)


def test_h_r1_1_login_answers_raw_token_text_and_refuses_bad_password(simulator):
    good = requests.post(f"{simulator.base_url}/api/jwt/login", data={"username": "demo", "password": "demo"},
                         timeout=5)
    assert good.headers["Content-Type"].startswith("text/plain") and len(good.text) > 20
    bad = requests.post(f"{simulator.base_url}/api/jwt/login", data={"username": "demo", "password": "x"},
                        timeout=5)
    assert bad.status_code == 401 and ar_error(bad)["messageNumber"] == 623


def test_h_r1_1_missing_and_expired_tokens_get_401_error_list(simulator, sim_clock, http):
    missing = requests.get(http.url("HPD:Help Desk"), timeout=5)
    assert missing.status_code == 401 and ar_error(missing)["messageType"] == "ERROR"
    assert http.get("HPD:Help Desk").status_code == 200
    sim_clock.advance(minutes=59, seconds=59)
    assert http.get("HPD:Help Desk").status_code == 200
    sim_clock.advance(seconds=1)
    assert http.get("HPD:Help Desk").status_code == 401


def test_h_r1_1_expire_all_tokens_hook(simulator, http):
    simulator.expire_all_tokens()
    assert http.get("HPD:Help Desk").status_code == 401


def test_h_t1_create_returns_location_and_requested_fields(http):
    first = http.post("HPD:IncidentInterface_Create", incident_values(), fields="values(Incident Number,Request ID)")
    second = http.post("HPD:IncidentInterface_Create", incident_values())
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["values"]["Incident Number"] == "INC000000000001"
    assert first.headers["Location"] == http.url("HPD:IncidentInterface_Create", first.json()["values"]["Request ID"])
    assert second.content == b"" and second.headers["Location"].startswith(http.base)
    listed = http.get("HPD:Help Desk", sort="Incident Number.desc", fields="values(Incident Number)").json()
    assert [e["values"] for e in listed["entries"]] == [
        {"Incident Number": "INC000000000002"}, {"Incident Number": "INC000000000001"}]


@pytest.mark.parametrize(("impact", "urgency", "priority", "weight"), [
    ("1-Extensive/Widespread", "1-Critical", "Critical", 29),
    ("1-Extensive/Widespread", "4-Low", "Low", 9),
    ("2-Significant/Large", "2-High", "High", 20),
    ("4-Minor/Localized", "2-High", "Medium", 15),
    ("4-Minor/Localized", "1-Critical", "High", 20),
])
def test_h_t1_help_desk_priority_follows_bmc_matrix(http, impact, urgency, priority, weight):
    created = http.post("HPD:IncidentInterface_Create", incident_values(Impact=impact, Urgency=urgency),
                        fields="values(Incident_Entry_ID)")
    entry = http.get("HPD:Help Desk", created.json()["values"]["Incident_Entry_ID"]).json()["values"]
    assert (entry["Priority"], entry["Priority Weight"]) == (priority, weight)
    assert AR_DATE.match(entry["Last Modified Date"]) and entry["Detailed Decription"] is None


@pytest.mark.parametrize(("values", "number", "appended"), [
    (incident_values(Last_Name=""), 326, "Last_Name"),
    (incident_values(Impact="1-High"), 306, "Impact"),
    (incident_values(Colour="red"), 314, "Colour"),
    (incident_values(**{"Incident Number": "INC1"}), 9084, "Incident Number"),
])
def test_h_t1_invalid_create_is_500_with_ar_error(http, values, number, appended):
    response = http.post("HPD:IncidentInterface_Create", values)
    assert response.status_code == 500   # BMC: "the default response for any error"
    assert (ar_error(response)["messageNumber"], ar_error(response)["messageAppendedText"]) == (number, appended)


def test_h_r1_1_search_understands_doubled_quotes_and_and(http):
    http.post("HPD:IncidentInterface_Create", incident_values(Description='Skærm "blå" igen'))
    http.post("HPD:IncidentInterface_Create", incident_values(Description="Skærm blå igen", Status="New"))
    q = "('Description'=\"Skærm \"\"blå\"\" igen\") AND 'Status'=\"Assigned\""
    found = http.get("HPD:Help Desk", q=q).json()["entries"]
    assert [e["values"]["Description"] for e in found] == ['Skærm "blå" igen']


def test_h_r1_1_search_compares_dates(http, sim_clock):
    http.post("HPD:IncidentInterface_Create", incident_values(Description="old"))
    sim_clock.advance(days=1)
    http = Http(http.base)  # the first token expired meanwhile
    http.post("HPD:IncidentInterface_Create", incident_values(Description="new"))
    q = "'Submit Date'>=\"2024-03-05T00:00:00.000+0000\""
    assert [e["values"]["Description"] for e in http.get("HPD:Help Desk", q=q).json()["entries"]] == ["new"]
    epoch = "'Submit Date'>=\"1709596800\""   # 2024-03-05T00:00:00Z as epoch seconds, always accepted
    assert [e["values"]["Description"] for e in http.get("HPD:Help Desk", q=epoch).json()["entries"]] == ["new"]
    for undocumented in ("2024-03-05T00:00:00+0000", "2024-03-05 00:00:00", "2024-03-05T00:00:00.000+00:00"):
        refused = http.get("HPD:Help Desk", q=f"'Submit Date'>=\"{undocumented}\"")
        assert refused.status_code == 500 and ar_error(refused)["messageNumber"] == 1587


def test_h_r1_1_search_evaluates_or_over_incident_number_as_ar_does(simulator, http):
    """AR's order (BMC, Operator types): parentheses, NOT, relational operators, AND, OR; the
    symbols ||, && and ! mean OR, AND and NOT; keywords in either case."""
    for _ in range(3):
        http.post("HPD:IncidentInterface_Create", incident_values())
    for number, kind in (("INC000000000001", "Working Log"), ("INC000000000002", "Working Log"),
                         ("INC000000000002", "Status Update"), ("INC000000000003", "Working Log")):
        simulator.add_work_log(number, {"Description": f"{number} {kind}", "Work Log Type": kind})

    def found(q: str) -> list[str]:
        response = http.get("HPD:WorkLog", q=q, sort="Work Log ID.asc", fields="values(Description)")
        assert response.status_code == 200, response.text
        return [e["values"]["Description"] for e in response.json()["entries"]]

    one, two = "'Incident Number'=\"INC000000000001\"", "'Incident Number'=\"INC000000000002\""
    assert found(f"({one}) OR ({two})") == ["INC000000000001 Working Log", "INC000000000002 Working Log",
                                             "INC000000000002 Status Update"]
    assert found(f"{one} or {two} AND 'Work Log Type'=\"Status Update\"") == [   # AND binds tighter
        "INC000000000001 Working Log", "INC000000000002 Status Update"]
    assert found(f"({one} || {two}) && 'Work Log Type'=\"Status Update\"") == ["INC000000000002 Status Update"]
    assert found(f"NOT ({one} OR {two})") == found(f"!({one} || {two})") == ["INC000000000003 Working Log"]
    assert found("('Incident Number'=\"INC0000000000\"\"01\") OR ('Incident Number'=\"INC000000000001 \")") == []
    assert http.get("HPD:WorkLog", q=f"({one}) OR ('Incident Nummer'=\"x\")").status_code == 500   # ARERR 314


@pytest.mark.parametrize(("q", "number"), [
    ("'Status'=\"New", 1587),
    ("Status=\"New\"", 1587),
    ("'Status'=\"New\" OR", 1587),
    ("'Colour'=\"red\"", 314),
])
def test_h_r1_1_bad_qualification_is_500(http, q, number):
    response = http.get("HPD:Help Desk", q=q)
    assert response.status_code == 500 and ar_error(response)["messageNumber"] == number


def test_h_r1_1_unknown_form_and_entry_are_404(http):
    form = http.get("HPD:Nothing")
    entry = http.get("HPD:Help Desk", "INC000000000404")
    assert form.status_code == 404 and ar_error(form)["messageNumber"] == 303
    assert entry.status_code == 404 and ar_error(entry)["messageNumber"] == 302


def test_h_t1_put_is_204_and_updates_last_modified(http, sim_clock):
    created = http.post("HPD:IncidentInterface_Create", incident_values(), fields="values(Incident_Entry_ID)")
    entry_id = created.json()["values"]["Incident_Entry_ID"]
    sim_clock.advance(minutes=30)
    response = http.put("HPD:Help Desk", entry_id, {"Status": "Resolved", "Urgency": "4-Low"})
    values = http.get("HPD:Help Desk", entry_id).json()["values"]
    assert response.status_code == 204 and response.content == b""
    assert values["Last Modified Date"] == "2024-03-04T09:30:00.000+0000"
    assert (values["Status"], values["Priority"]) == ("Resolved", "Low")


def test_h_r1_1_worklog_gets_wlg_id_and_requires_known_incident(simulator, http):
    http.post("HPD:IncidentInterface_Create", incident_values())
    values = {"Incident Number": "INC000000000001", "Work Log Type": "Working Log", "Description": "Trin 1",
              "View Access": "Internal", "Secure Work Log": "No"}
    created = http.post("HPD:WorkLog", values, fields="values(Work Log ID,Status)")
    orphan = http.post("HPD:WorkLog", {**values, "Incident Number": "INC000000000999"})
    assert created.json()["values"] == {"Work Log ID": "WLG000000000001", "Status": "Enabled"}
    assert orphan.status_code == 500
    assert [v["Description"] for v in simulator.entries("HPD:WorkLog")] == ["Trin 1"]


def test_h_r1_1_fail_next_hook_answers_500_then_recovers(simulator, http):
    simulator.fail_next(2, status=503)
    assert [http.get("HPD:Help Desk").status_code for _ in range(3)] == [503, 503, 200]


def test_h_r1_1_logout_releases_token(simulator, http):
    response = requests.post(f"{http.base}/api/jwt/logout", headers=http.headers, timeout=5)
    assert response.status_code == 204
    assert http.get("HPD:Help Desk").status_code == 401


def test_h_r1_1_cli_registers_remedy_simulator_command():
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["remedy-simulator", "--port", "9009", "--user", "u", "--password", "p"])
    assert (args.host, args.port, args.user, args.password) == ("127.0.0.1", 9009, "u", "p")
    assert (args.auth_string, args.error_status) == (None, 500)
    strict = parser.parse_args(["remedy-simulator", "--auth-string", "RH", "--error-status", "400"])
    assert (strict.auth_string, strict.error_status) == ("RH", 400)
    assert args.func is simulator_module.serve


def test_h_r1_1_simulator_runs_as_module():
    process = subprocess.Popen(
        [sys.executable, "-m", "connectors.remedy.simulator", "--port", "0"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        banner = process.stdout.readline()
        base = re.search(r"(http://127\.0\.0\.1:\d+)", banner).group(1)
        login = requests.post(f"{base}/api/jwt/login", data={"username": "demo", "password": "demo"}, timeout=5)
        assert login.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_h_t1_a_created_incident_never_takes_the_number_of_a_seeded_one(simulator, http):
    simulator.seed_incident({"Incident Number": "INC000000000001", "Status": "Closed", "Description": "Gammel"})
    created = http.post("HPD:IncidentInterface_Create", incident_values(), fields="values(Incident Number)")
    assert created.json()["values"]["Incident Number"] == "INC000000000002"


def test_h_r1_1_a_search_without_fields_returns_every_field_of_the_form(http):
    http.post("HPD:IncidentInterface_Create", incident_values())
    [entry] = http.get("HPD:Help Desk").json()["entries"]
    assert set(simulator_module.FIELDS["HPD:Help Desk"]) <= set(entry["values"])
    assert entry["values"]["Internet E-mail"] is None and entry["values"]["Status"] == "Assigned"


def test_h_r1_1_links_next_repeats_the_whole_query(http):
    for _ in range(3):
        http.post("HPD:IncidentInterface_Create", incident_values())
    body = http.get("HPD:Help Desk", q="'Status'=\"Assigned\"", sort="Incident Number.asc", limit="2",
                    fields="values(Incident Number)").json()
    following = body["_links"]["next"][0]["href"]
    assert "q=" in following and "sort=" in following and "fields=" in following and "offset=2" in following
    rest = requests.get(following, headers=http.headers, timeout=5).json()
    assert [e["values"]["Incident Number"] for e in rest["entries"]] == ["INC000000000003"] and "next" not in rest["_links"]


def test_h_r1_1_login_requires_the_auth_string_when_the_server_has_one(sim_clock):
    from connectors.remedy.simulator import RemedySimulator
    with RemedySimulator(auth_string="RH", clock=sim_clock) as server:
        url = f"{server.base_url}/api/jwt/login"
        assert requests.post(url, data={"username": "demo", "password": "demo"}, timeout=5).status_code == 401
        assert requests.post(url, data={"username": "demo", "password": "demo", "authString": "RH"},
                             timeout=5).status_code == 200
