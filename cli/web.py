"""`sagsflow web [--host 127.0.0.1] [--port 8000]`: the worklist in the browser (issue 5; H-R2.2).

Migrates nothing (run `sagsflow db upgrade` first); gives users without a password the demo
password (= username) when SAGSFLOW_WEB_DEMO_PASSWORDS is true (default) and prints the usernames
and roles; then serves the app with uvicorn until Ctrl-C."""
from __future__ import annotations

from cli.common import CliError, session_scope


def register(subparsers) -> None:
    web = subparsers.add_parser("web", help="the worklist web app and REST API (uvicorn)")
    web.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    web.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    web.set_defaults(handler=cmd_web)


def cmd_web(args) -> int:
    import uvicorn

    from config.settings import get_settings
    from services.auth import demo_users, ensure_demo_passwords
    from web.app import create_app
    from web.settings import WebSettings

    if not 0 < args.port < 65536:
        raise CliError(f"--port must be 1-65535, not {args.port}", 2)
    web_settings = WebSettings()
    with session_scope() as session:
        fresh = ensure_demo_passwords(session) if web_settings.demo_passwords else []
        users = demo_users(session)
    if web_settings.demo_passwords:
        print("Demo-brugere (adgangskode = brugernavn, hvis den ikke er ændret):")
        for username, roles in users:
            print(f"  {username:<22} {roles}{'  (ny)' if username in fresh else ''}")
    print(f"Sagsflow: http://{args.host}:{args.port}/  (API: /api/docs)  Stop med Ctrl-C.", flush=True)
    app = create_app(get_settings(), web=web_settings)
    # X-Forwarded-Proto/For only from the configured proxies (Secure cookies, throttling by client);
    # idle browsers keep their connection for a while; a deep accept queue for busy moments
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", proxy_headers=True,
                forwarded_allow_ips=web_settings.forwarded_allow_ips, timeout_keep_alive=30, backlog=2048)
    return 0
