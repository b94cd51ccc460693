"""Settings of the web worklist (issue 5), environment prefix SAGSFLOW_WEB_. Secrets are SecretStr
and never logged. Without a configured session secret one is generated once under var/."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.settings import ROOT


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAGSFLOW_WEB_", env_file=".env", extra="ignore")

    session_secret: SecretStr | None = None
    secret_file: Path = ROOT / "var" / "web_session_secret"
    session_max_age_s: int = 10 * 3600            # absolute: one working day after sign-in
    session_idle_s: int = 2 * 3600                # idle: no request for this long ends the session
    https_only: bool = False                      # force `Secure` cookies (automatic over HTTPS)
    forwarded_allow_ips: str = "127.0.0.1"        # proxies whose X-Forwarded-* headers are trusted
    api_tokens: dict[str, SecretStr] = {}         # username -> bearer token (at least 24 characters)
    prefect_ui_url: str = "http://127.0.0.1:4200"
    bpmn_js_dir: Path = ROOT / "node_modules" / "bpmn-js" / "dist"
    demo_passwords: bool = True                   # users without a password get password = username
    default_language: str = "da"
    oidc_issuer: str | None = None                # OpenID Connect sign-in (optional)
    oidc_client_id: str = "sagsflow"
    oidc_client_secret: SecretStr | None = None
    oidc_username_claim: str = "preferred_username"

    def resolved_session_secret(self) -> str:
        if self.session_secret is not None:
            return self.session_secret.get_secret_value()
        path = self.secret_file
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:   # another process created it first
            return path.read_text(encoding="utf-8").strip()
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value)
        return value
