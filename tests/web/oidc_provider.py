"""A small OpenID Connect provider for the sign-in test: discovery, JWKS, and a token endpoint that
issues RS256-signed ID tokens for codes the test registers (standing in for the region's IdP)."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from authlib.jose import JsonWebKey, jwt


class OidcProvider:
    def __init__(self, client_id: str):
        self.client_id = client_id
        self.key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
        self.codes: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def grant(self, code: str, *, username: str, nonce: str) -> None:
        self.codes[code] = {"username": username, "nonce": nonce}

    def _id_token(self, grant: dict) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": grant["username"], "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"], "preferred_username": grant["username"]}
        return jwt.encode({"alg": "RS256", "kid": "test"}, claims, self.key).decode()

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):   # quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    self._json(200, {"issuer": provider.issuer, "authorization_endpoint": f"{provider.issuer}/authorize",
                                     "token_endpoint": f"{provider.issuer}/token", "jwks_uri": f"{provider.issuer}/jwks",
                                     "response_types_supported": ["code"], "subject_types_supported": ["public"],
                                     "id_token_signing_alg_values_supported": ["RS256"]})
                elif self.path == "/jwks":
                    public = provider.key.as_dict(is_private=False)
                    self._json(200, {"keys": [{**public, "kid": "test", "use": "sig", "alg": "RS256"}]})
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self):
                body = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
                grant = provider.codes.pop((body.get("code") or [""])[0], None)
                if self.path != "/token" or grant is None:
                    self._json(400, {"error": "invalid_grant"})
                    return
                self._json(200, {"access_token": "opaque", "token_type": "Bearer", "expires_in": 300,
                                 "id_token": provider._id_token(grant)})

        return Handler
