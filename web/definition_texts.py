"""Texts of the process owners' pages added by issue 10 (deployments, roll back, replay), kept apart
from web/i18n.py so the shared table stays small. `texts(lang)` gives a `dt("key")` function."""
from __future__ import annotations

DA = {
    "current": "Aktuel", "current_hint": "Nye sager starter på den aktuelle version; kørende sager beholder deres.",
    "deployments": "Udrulninger", "comment": "Kommentar", "deploy_again": "Udrul denne version igen",
    "deploy_again_hint": "Rul tilbage (eller frem) ved at gøre en tidligere version aktuel igen.",
    "release": "udgivelsen", "simulate": "Simulér", "simulate_title": "Simulering af de seneste sager",
    "simulate_hint": "Genafspiller de registrerede svar fra de seneste sager på den redigerede version – uden at "
                     "noget gemmes eller sendes.",
    "sim_summary": "{n} sager: {same} uændrede, {changed} ændret forløb, {failed} ville fejle, {answers} mangler svar.",
    "sim_same": "Samme forløb", "sim_changed": "Forløbet ændres ved", "sim_failed": "Ville fejle ved",
    "sim_needs_answers": "Mangler svar på nye felter", "sim_now_asks": "spørger nu om", "sim_instead_of": "i stedet for",
    "sim_examples": "Eksemplerne i docs/examples",
}
EN = {
    "current": "Current", "current_hint": "New cases start on the current version; running cases keep theirs.",
    "deployments": "Deployments", "comment": "Comment", "deploy_again": "Deploy this version again",
    "deploy_again_hint": "Roll back (or forward) by making an earlier version current again.",
    "release": "the release", "simulate": "Simulate", "simulate_title": "Replay of the latest cases",
    "simulate_hint": "Replays the recorded answers of the latest cases on the edited version – nothing is saved or sent.",
    "sim_summary": "{n} cases: {same} unchanged, {changed} path changed, {failed} would fail, {answers} need answers.",
    "sim_same": "Same path", "sim_changed": "Path changes at", "sim_failed": "Would fail at",
    "sim_needs_answers": "Needs answers to new fields", "sim_now_asks": "now asks", "sim_instead_of": "instead of",
    "sim_examples": "The examples in docs/examples",
}


def texts(lang: str):
    table = EN if lang == "en" else DA

    def dt(key: str) -> str:
        return table.get(key) or DA.get(key) or key
    return dt


def describe_replay(replay, lang: str) -> str:
    """One replayed case in the reader's language (the CLI uses Replay.describe, in English)."""
    if lang == "en":
        return replay.describe()
    where = f"«{replay.element_name or replay.element}»"
    if replay.outcome == "changed":
        asks = ", ".join(f"«{n}»" for n in replay.now_asks) or "intet (processen slutter eller venter)"
        return f"Forløbet ændres ved {where}: spørger nu om {asks} i stedet"
    if replay.outcome == "failed":
        return f"Ville fejle ved {where}: {replay.error}"
    if replay.outcome == "needs_answers":
        return f"Mangler svar på nye felter ved {where}: {', '.join(replay.fields)}"
    return f"Samme forløb ({replay.steps} trin)"


_Q = r"(\"[^\"]*\"|'[^']*')"
PROBLEMS_DA = [  # English validation messages (the CLI's) → Danish for the browser; expressions stay as written
    (r'^(.*?)"([^"]+)" is never set; did you mean "([^"]+)" \(set by (.+)\)\?$',
     r'\1"\2" får aldrig en værdi; mente du "\3" (sættes af \4)?'),
    (r'^(.*?)"([^"]+)" is never set \(.*\)$',
     r'\1"\2" får aldrig en værdi (hverken af et formularfelt før dette sted, en DMN-tabel, en operation eller sagens felter)'),
    (r'^(.*?)"([^"]+)" is not set on any path to here \(it is set by (.+), which does not come before this point\)$',
     r'\1"\2" har ingen værdi på nogen vej hertil (den sættes af \3, som ikke kommer før dette sted)'),
    (r'^(.*?)"([^"]+)" is set on only some paths to here; not on the path through (.+)$',
     r'\1advarsel: "\2" har kun en værdi på nogle veje hertil; ikke på vejen gennem \3'),
    (r'^(.*?)"([^"]+)" is JUEL/FEEL spelling; write (.+)$', r'\1"\2" er JUEL/FEEL-stavemåde; skriv \3'),
    (r'^the task could be created with no team: its lane takes the team from "([^"]+)", which is not set on (any path|the path through (.+))$',
     r'opgaven kan blive oprettet uden team: dens bane tager teamet fra "\1", som ikke har en værdi på \2'),
    (r'^comparison with (.+) can never be true: "([^"]+)" is one of (.+) \(set by (.+)\)$',
     r'advarsel: sammenligningen med \1 kan aldrig blive sand: "\2" er en af \3 (sættes af \4)'),
    (r'^DMN output (.+) for "([^"]+)" is not one of the allowed values (.+)$',
     r'DMN-resultatet \1 for "\2" er ikke en af de tilladte værdier \3'),
    (r'^no rule matches (.+): a case with these values would get no (.+) \(a deleted rule\?\)$',
     r'ingen regel passer til \1: en sag med disse værdier ville ikke få nogen \2 (er en regel slettet?)'),
    (r"^timer (.+): cron timers are not supported; use an ISO 8601 cycle instead, e\.g\. (\S+) .*$",
     r"timer \1: cron-timere understøttes ikke; brug en ISO 8601-gentagelse, fx \2 (hvert 5. minut)"),
    (r"^timer (.+) is not valid ISO 8601; hours, minutes and seconds come after T: (\S+)$",
     r"timer \1 er ikke gyldig ISO 8601; timer, minutter og sekunder skrives efter T: \2"),
    (r"^timer (.+) is not valid ISO 8601; the number needs a unit: (.+)$", r"timer \1 er ikke gyldig ISO 8601; tallet skal have en enhed: \2"),
    (r"^timer (.+) is not valid ISO 8601(.*)$", r"timer \1 er ikke gyldig ISO 8601\2"),
    (r"^a plain task becomes a task nobody can complete.*$",
     "en almindelig opgave (Task) kan ingen udføre; gør den til en brugeropgave (med formular og bane) eller en serviceopgave med et topic"),
    (r"^lane (.+) is not in config/lanes\.yaml.*$", r"banen \1 findes ikke i config/lanes.yaml, så ingen kan udføre opgaven; tilføj banen dér eller flyt opgaven"),
    (r"^user task is in no lane.*$", "brugeropgaven ligger ikke i en bane; læg den i banen for den rolle, der udfører den"),
    (r"^user task has no form fields.*$", "brugeropgaven har ingen formularfelter (camunda:formData)"),
    (r"^unknown topic (.+); known: (.+)$", r"ukendt topic \1; kendte: \2"),
    (r"^(.*)syntax error in (.+): JUEL/FEEL spelling is not supported; write (.+)$",
     r"\1syntaksfejl i \2: JUEL/FEEL-stavemåde understøttes ikke; skriv \3"),
    (r"^(.*)syntax error in (.+)$", r"\1syntaksfejl i \2"),
    (r"^(.*)only these functions may be called: (.+)$", r"\1kun disse funktioner må kaldes: \2"),
    (r"^script tasks are not allowed.*$", "scriptopgaver er ikke tilladt; brug en serviceopgave med et topic"),
    (r"^not well-formed XML: (.+)$", r"ikke gyldig XML: \1"),
    (r"^field (\S+): constraint (\S+): invalid config (.+?): (.+)$", r"feltet \1: reglen \2 har en ugyldig værdi \3: \4"),
    (r"^field (\S+): unknown constraint (.+)$", r"feltet \1: ukendt regel \2"),
    (r"^field (\S+): duplicate field id$", r"feltet \1: feltets id findes allerede"),
    (r"^field (\S+): enum without values$", r"feltet \1: valgfelt uden værdier"),
    (r"^the id (.+) is reserved by the engine.*$", r"id'et \1 er reserveret af motoren; vælg et meningsfuldt engelsk id"),
    (r"^id also used in (.+)$", r"id'et bruges også i \1"),
    (r"^service task needs Implementation 'External' with a topic$", "serviceopgaven skal have Implementation 'External' med et topic"),
    (r"^hit policy UNIQUE, but rules (.+) all match (.+)$", r"hit policy UNIQUE, men reglerne \1 passer alle til \2"),
    (r'^calls process "([^"]*)", which is not in these diagrams(.*)$', r'kalder processen "\1", som ikke findes i diagrammerne\2'),
    (r'^uses decision "([^"]*)", which no DMN file defines(.*)$', r'bruger beslutningen "\1", som ingen DMN-fil definerer\2'),
    (r'^waits for message "([^"]*)", which this file does not define(.*)$', r'venter på beskeden "\1", som filen ikke definerer\2'),
    (r'^(sourceRef|targetRef) "([^"]*)" is not an element of process (\S+)(.*)$', r'\1 "\2" er ikke et element i processen \3\4'),
    (r"^the file is not valid (\S+) text (.+)$", r"filen er ikke gyldig \1-tekst \2"),
]
_PREFIXES_DA = [("form rule of field ", "formularregel for feltet "), ("condition: ", "betingelse: "),
                ("DMN input expression: ", "DMN-input: "), ("DMN cell", "DMN-celle"),
                ("the form of ", "formularen i "), ("the path through ", "vejen gennem "),
                (" instead of ", " i stedet for "), ("a case field", "et sagsfelt"), ("operation ", "operationen "),
                ("» in «", "» i «"), ("; did you mean ", "; mente du "), ("; known: ", "; kendte: "),
                ("back-references cannot run in linear time — describe the format without them",
                 "tilbagereferencer kan ikke køres i lineær tid — beskriv formatet uden dem"),
                ("look-ahead/look-behind cannot run in linear time — describe the format without them",
                 "look-ahead/look-behind kan ikke køres i lineær tid — beskriv formatet uden dem")]


def problem_text(message: str, lang: str) -> str:
    """A validation problem's message in the reader's language (English as produced, Danish translated)."""
    if lang == "en":
        return message
    import re
    for pattern, danish in PROBLEMS_DA:
        if re.match(pattern, message, re.S):
            message = re.sub(pattern, danish, message, count=1, flags=re.S)
            break
    for english, danish in _PREFIXES_DA:
        message = message.replace(english, danish)
    return message


def problems_for(problems: list[dict], lang: str) -> list[dict]:
    return [{**p, "message": problem_text(p["message"], lang)} for p in problems]
