"""Danish error text on the pages (issue 12): refusals from the services (English for the API and
the command line) and the framework's validation messages, said in Danish; English stays behind
the DA/EN switch. JSON under /api keeps the original messages."""
from __future__ import annotations

import re

from config.handbook import handbook, organisation

_DANISH_HINT = re.compile(r"[æøåÆØÅ]|\b(du|ikke|kun|ukendt|sagen|opgaven|kan|skal|er)\b")


def _team(code: str) -> str:
    team = organisation().teams.get(code)
    return team.name if team else code


def _status(code: str) -> str:
    return handbook().labels.get("status", {}).get(code, {"completed": "udført", "cancelled": "annulleret"}.get(code, code))


# (pattern, Danish text) — groups are filled in; a callable receives the match
_REFUSALS = [
    (r"unknown case (\S+)", lambda m: f"Sagen {m[1]} findes ikke."),
    (r"unknown task \S+", lambda m: "Opgaven findes ikke (den er måske allerede udført)."),
    (r"task \S+ is already (\w+)", lambda m: f"Opgaven er allerede {_status(m[1]).lower()}."),
    (r"task \S+ was just completed or cancelled by someone else",
     lambda m: "En anden har netop udført opgaven, eller den er annulleret. Genindlæs siden."),
    (r"the task (?:is|was just) claimed by (\S+)", lambda m: f"Opgaven er taget af {m[1]}."),
    (r"\S+ is not coordinator of team (\S+); only the coordinator may (?:do '(.+)'|reassign)",
     lambda m: f"Kun koordinatoren for {_team(m[1])} må gøre dette."),
    (r"\S+ is not a member of team (\S+)", lambda m: f"Kun medlemmer af {_team(m[1])} må gøre dette."),
    (r"\S+ is not a member of any team", lambda m: "Du er ikke medlem af et team."),
    (r"only the claimer or the team's coordinator may release the task",
     lambda m: "Kun den, der har taget opgaven, eller teamets koordinator kan slippe den."),
    (r"task '(.+)' has no team yet.*", lambda m: f"Opgaven »{m[1]}« har endnu intet team."),
    (r"unknown or inactive user \S+", lambda m: "Brugeren er ukendt eller ikke aktiv."),
    (r"someone else changed the case at the same time.*",
     lambda m: "En anden har ændret sagen samtidig. Genindlæs siden, og prøv igen."),
    (r"only the team's coordinator may approve a rejection.*", lambda m: "Kun teamets koordinator kan godkende en afvisning."),
    (r"only the team's coordinator may waive the test.*", lambda m: "Kun teamets koordinator kan fravælge testen."),
    (r"a handover needs a receiving team and a named receiver.*",
     lambda m: "En overdragelse kræver et modtagende team og en navngiven modtager i teamet."),
    (r"only tasks of an absent colleague can be reassigned.*",
     lambda m: "Kun opgaver hos en fraværende kollega kan flyttes; tag eller fordel opgaven i stedet."),
    (r"\S+ is unknown, inactive or absent", lambda m: "Modtageren er ukendt, ikke aktiv eller fraværende."),
    (r"this page needs one of the roles: .*", lambda m: "Din bruger har ikke adgang til denne side."),
    (r"the case is not waiting for .*|case \S+ has no running process",
     lambda m: "Sagen venter ikke på et svar fra kunden lige nu."),
    (r"the process of this case has ended.*", lambda m: "Sagens proces er afsluttet; der er ikke mere at gøre i den."),
    (r"no diagrams are deployed yet.*", lambda m: "Der er endnu ikke udrullet procesdiagrammer."),
    (r"outbox item \S+ is not a dead letter", lambda m: "Beskeden er ikke et dødt brev og kan ikke sendes igen."),
    (r"these diagrams are already the current version \((\d+)\).*",
     lambda m: f"Diagrammerne er allerede den aktuelle version ({m[1]}); der er intet at udrulle."),
    (r"the file is larger than 2 MB", lambda m: "Filen er større end 2 MB."),
    (r"no diagram files \(\.bpmn, \.dmn\) given", lambda m: "Vælg mindst én diagramfil (.bpmn eller .dmn)."),
    (r"the comment is longer than (\d+) characters", lambda m: f"Kommentaren må højst være {m[1]} tegn."),
    (r"unknown diagram version (\S+)", lambda m: f"Diagramversion {m[1]} findes ikke."),
    (r"version \S+ has no file '(.+)'.*", lambda m: f"Versionen har ingen fil ved navn {m[1]}."),
    (r"file name '(.+)': give a plain file name ending in \.bpmn or \.dmn",
     lambda m: f"Filnavnet {m[1]} skal være et almindeligt filnavn, der ender på .bpmn eller .dmn."),
]
_GENERIC = {403: "Du har ikke adgang til dette.", 404: "Siden eller sagen findes ikke.",
            405: "Adressen kan ikke bruges sådan. Gå tilbage, og prøv igen fra siden.",
            409: "Handlingen passer ikke til sagens tilstand.", 422: "Oplysningerne er ikke gyldige."}


def danish_refusal(message: str, status: int) -> str:
    """The refusal in Danish: a known English message translated, a Danish one kept, else a general text."""
    text = message.strip()
    for pattern, render in _REFUSALS:
        match = re.fullmatch(pattern, text, re.S)
        if match:
            return render(match)
    if _DANISH_HINT.search(text):
        text = text[:1].upper() + text[1:]
        return text if text.endswith((".", "!", "?", ":")) else text + "."
    return _GENERIC.get(status, "Handlingen kunne ikke udføres.")


# ------------------------------------------------------------- pydantic's validation messages
_FIELD_FORMATS = {
    "customer_email": "Skal være en e-mailadresse, fx navn@regionh.dk.",
    "customer_phone": "Skal være et telefonnummer med 4-20 cifre (mellemrum og + foran er tilladt), fx 12 34 56 78.",
}


def danish_validation(error: dict) -> str:
    """One pydantic error (from ValidationError.errors()) as a Danish sentence for a form field."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    field = str(error["loc"][-1]) if error.get("loc") else ""
    if kind == "missing":
        return "Feltet skal udfyldes."
    if kind == "string_too_short":
        return "Feltet skal udfyldes." if ctx.get("min_length") == 1 else f"Skal være mindst {ctx.get('min_length')} tegn."
    if kind == "string_too_long":
        return f"Må højst være {ctx.get('max_length')} tegn."
    if kind == "string_pattern_mismatch":
        return _FIELD_FORMATS.get(field, f"Har ikke det rigtige format (forventet mønster: {ctx.get('pattern')}).")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Skal være et helt tal."
    if kind == "greater_than_equal":
        return f"Skal være mindst {ctx.get('ge')}."
    if kind == "less_than_equal":
        return f"Må højst være {ctx.get('le')}."
    if kind == "literal_error":
        return f"Vælg en af de viste muligheder ({ctx.get('expected')})."
    if kind.startswith("date"):
        return "Skal være en dato (ÅÅÅÅ-MM-DD)."
    if kind == "value_error":
        message = str(ctx.get("error", ""))
        return "Feltet må ikke være tomt." if "empty" in message else (message if _DANISH_HINT.search(message)
                                                                       else "Ugyldig værdi.")
    return "Ugyldig værdi."
