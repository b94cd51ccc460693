"""`sagsflow db upgrade`: migrate the schema, seed teams/users from config, and deploy the shipped
diagrams when that exact content was never deployed (a release, issue 10). A broken diagram on
disk is reported (exit 1) and deploys nothing: new cases carry on with the current version."""
from __future__ import annotations

from cli.common import parse_now, session_scope


def register(subparsers) -> None:
    db = subparsers.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    up = db.add_parser("upgrade", help="migrate to the newest schema, seed handbook data, deploy a new release")
    up.set_defaults(handler=cmd_upgrade)


def cmd_upgrade(args) -> int:
    from config.handbook import organisation
    from config.settings import get_settings
    from services.deployments import deploy_release
    from services.runtime import Runtime
    from store.deployments import current_deployment
    from store.directory import seed_organisation
    from store.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    with session_scope() as session:
        seed_organisation(session, organisation())
        runtime = Runtime(settings)
        result = deploy_release(session, runtime, now=parse_now(args.now))
        deployment = current_deployment(session, settings.main_process)
        current = deployment.definition_id if deployment is not None else None
    if result.problems:
        print("database at newest schema")
        for problem in result.problems:
            print(problem)
        kept = f"new cases keep starting on version {current}" if current else "no version is deployed yet"
        print(f"the diagrams in {settings.bpmn_dir} were not deployed ({len(result.problems)} problem(s)); {kept}")
        return 1
    how = "deployed as the new release" if result.changed else "current"
    print(f"database at newest schema; diagrams: version {current} {how}")
    return 0
