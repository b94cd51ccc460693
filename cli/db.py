"""`sagsflow db upgrade`: migrate the schema, seed teams/users from config, deploy the diagrams."""
from __future__ import annotations

from cli.common import parse_now, session_scope
from config.handbook import organisation
from config.settings import get_settings
from services.runtime import Runtime
from store.directory import seed_organisation
from store.migrate import upgrade


def register(subparsers) -> None:
    db = subparsers.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    up = db.add_parser("upgrade", help="migrate to the newest schema and seed handbook data")
    up.set_defaults(handler=cmd_upgrade)


def cmd_upgrade(args) -> int:
    settings = get_settings()
    upgrade(settings.database_url)
    with session_scope() as session:
        seed_organisation(session, organisation())
        definition = Runtime(settings).deploy_current(session, actor="system", now=parse_now(args.now))
    print(f"database at newest schema; diagrams deployed as version {definition.id} ({definition.content_hash[:12]})")
    return 0
