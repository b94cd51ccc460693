"""Every answer carries the security headers; a signed-in person's answers are never cached
(web/security_headers.py)."""
from __future__ import annotations

EXPECTED = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin", "x-frame-options": "DENY"}


def _secured(response) -> bool:
    csp = response.headers.get("content-security-policy", "")
    return all(response.headers.get(k) == v for k, v in EXPECTED.items()) and "script-src 'self'" in csp


def test_anonymous_pages_have_the_headers_and_may_be_cached(web):
    visitor = web()
    for path in ("/login", "/healthz", "/static/app.css", "/findes-ikke"):
        response = visitor.get(path)
        assert _secured(response), path
        assert response.headers.get("cache-control") != "no-store", path


def test_a_signed_in_persons_pages_and_errors_are_not_cached(web):
    desk = web("sd.tekniker")
    for path in ("/", "/worklist?view=team", "/api/tasks?view=team", "/cases/SF-INC-999999"):
        response = desk.get(path, follow_redirects=False)
        assert _secured(response), path
        assert response.headers["cache-control"] == "no-store", path
    assert desk.get("/healthz").headers.get("cache-control") != "no-store"


def test_the_sign_in_answer_itself_is_not_cached(web):
    visitor = web()
    response = visitor.sign_in("sd.tekniker")
    assert response.status_code == 303 and response.headers["cache-control"] == "no-store"
