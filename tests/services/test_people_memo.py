"""Who a user is, read once per page (store.directory.person): remembered for the session until
its next flush, commit or rollback, so a changed membership or role counts at once."""
from __future__ import annotations

from sqlalchemy import delete, event

from services.auth import principal_for
from services.case_access import readable_teams
from store.directory import person
from store.models import MembershipRow, UserRow


def _statements(session):
    seen = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_one_query_answers_every_check_of_a_page(session):
    seen = _statements(session)
    first = principal_for(session, username="sd.tekniker")
    assert readable_teams(session, username="sd.tekniker") is None          # the service desk reads all
    assert principal_for(session, username="sd.tekniker") == first
    assert len([s for s in seen if "app_user" in s or "team_membership" in s]) == 1


def test_a_removed_membership_counts_at_once_in_the_same_session(session):
    assert "service_desk" in person(session, "sd.tekniker").teams
    session.execute(delete(MembershipRow).where(MembershipRow.username == "sd.tekniker"))
    session.flush()
    assert person(session, "sd.tekniker").teams == {}
    assert readable_teams(session, username="sd.tekniker") == set()


def test_a_role_given_and_committed_counts_and_a_rollback_forgets(session):
    assert "admin" not in person(session, "sd.tekniker").roles
    user = session.get(UserRow, "sd.tekniker")
    user.roles = [*(user.roles or []), "admin"]
    session.commit()
    assert "admin" in person(session, "sd.tekniker").roles
    user = session.get(UserRow, "sd.tekniker")
    user.active = False
    session.flush()
    assert person(session, "sd.tekniker").active is False
    session.rollback()
    assert person(session, "sd.tekniker").active is True


def test_an_unknown_user_is_none(session):
    assert person(session, "ingen.her") is None
