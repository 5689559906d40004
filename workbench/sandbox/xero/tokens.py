"""Token bookkeeping for the Xero identity emulator: JWTs, PKCE, records, and its response shapes.

Xero's identity server is an OpenID Connect server (identity.xero.com): access tokens are JWTs (Xero signs
them RS256; the sandbox signs them HS256 with its own secret, which no decoder that skips verification can
tell apart), refresh tokens and authorisation codes are opaque strings.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from html import escape
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

from workbench.sandbox.wire import Response

ISSUER = "https://identity.xero.com"
RESOURCE_AUDIENCE = "https://identity.xero.com/resources"
VERIFIER_PATTERN = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")

# What a Xero app may ask for. Apps created on/after 2 March 2026 (the sandbox app is one) get the granular
# accounting scopes; the broad `accounting.transactions[.read]` is refused with invalid_scope.
IDENTITY_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
_ACCOUNTING_READ_WRITE = (
    "invoices",
    "payments",
    "banktransactions",
    "manualjournals",
    "classicexpenses",
    "contacts",
    "settings",
    "attachments",
)
_ACCOUNTING_READ_ONLY = (
    "budgets",
    "journals",
    "reports.aged",
    "reports.balancesheet",
    "reports.banksummary",
    "reports.budgetsummary",
    "reports.executivesummary",
    "reports.profitandloss",
    "reports.trialbalance",
    "reports.taxreports",
    "reports.tenninetynine",
)
GRANULAR_SCOPES = frozenset(
    [f"accounting.{name}" for name in _ACCOUNTING_READ_WRITE]
    + [f"accounting.{name}.read" for name in _ACCOUNTING_READ_WRITE + _ACCOUNTING_READ_ONLY]
)
BROAD_SCOPES = frozenset(
    {"accounting.transactions", "accounting.transactions.read", "accounting.reports.read"}
)
KNOWN_SCOPES = IDENTITY_SCOPES | GRANULAR_SCOPES | {"marketplace.billing"}
# The scopes the sandbox's custom connection was set up with (what its client_credentials tokens carry).
CUSTOM_CONNECTION_SCOPES = (
    "accounting.invoices",
    "accounting.payments",
    "accounting.banktransactions",
    "accounting.manualjournals",
    "accounting.contacts",
    "accounting.settings",
    "accounting.attachments",
    "accounting.budgets.read",
    "accounting.reports.aged.read",
    "accounting.reports.balancesheet.read",
    "accounting.reports.profitandloss.read",
    "accounting.reports.trialbalance.read",
)


# --- JWT ------------------------------------------------------------------------------------------------


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_jwt(claims: dict[str, Any], secret: bytes) -> str:
    header = {"alg": "HS256", "kid": "sandbox", "typ": "JWT"}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode("utf-8")) for part in (header, claims)
    )
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def decode_jwt(token: str, secret: bytes) -> dict[str, Any] | None:
    """The claims of a token this sandbox signed, or None for anything else (garbled, foreign, tampered)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        signature = _b64url_decode(parts[2])
        expected = hmac.new(secret, f"{parts[0]}.{parts[1]}".encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(signature, expected):
            return None
        claims = json.loads(_b64url_decode(parts[1]))
    except (ValueError, UnicodeError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


# --- PKCE -----------------------------------------------------------------------------------------------


def s256_challenge(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def pkce_matches(verifier: str, challenge: str, method: str) -> bool:
    if not VERIFIER_PATTERN.match(verifier):
        return False
    transformed = s256_challenge(verifier) if method == "S256" else verifier
    return hmac.compare_digest(transformed.encode("ascii"), challenge.encode("ascii"))


# --- records --------------------------------------------------------------------------------------------


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    challenge: str
    challenge_method: str
    auth_event_id: str
    issued_at: datetime
    nonce: str | None = None


@dataclass
class Grant:
    """One consent turned into tokens: a code exchange, or the custom connection. Refreshes stay in it."""

    grant_id: str
    client_id: str
    auth_event_id: str
    scopes: list[str]
    created_at: datetime
    revoked: bool = False


@dataclass
class RefreshRecord:
    token: str
    grant_id: str
    issued_at: datetime
    rotated_at: datetime | None = None


@dataclass
class Connection:
    """A tenant connected to an app (for the sandbox's one user); kept, inactive, after a disconnect."""

    id: str
    client_id: str
    tenant_id: str
    auth_event_id: str
    created_at: datetime
    updated_at: datetime
    active: bool = True


Record = TypeVar("Record", AuthCode, Grant, RefreshRecord, Connection)


def export_records(records: dict[str, Record]) -> list[dict[str, Any]]:
    return [asdict(record) for record in records.values()]


def import_records(kind: type[Record], rows: list[dict[str, Any]], key: str) -> dict[str, Record]:
    names = {f.name for f in fields(kind)}
    built = [kind(**{k: v for k, v in row.items() if k in names}) for row in rows]
    return {getattr(record, key): record for record in built}


# --- responses ------------------------------------------------------------------------------------------

NO_STORE = {"Cache-Control": "no-store, no-cache, max-age=0", "Pragma": "no-cache"}


def oauth_error(error: str, status: int = 400) -> Response:
    """The identity server's token/revocation endpoint error: `{"error": "..."}` only, as Xero sends it."""
    return Response.json(status, {"error": error}, headers=NO_STORE)


def problem(status: int, title: str, detail: str) -> Response:
    """The API gateway's 401/403 body (`Type` null, `Title`, `Status`, `Detail`)."""
    response = Response.json(status, {"Type": None, "Title": title, "Status": status, "Detail": detail})
    if status == 401:
        response.headers["WWW-Authenticate"] = (
            "Bearer" if detail == "AuthenticationUnsuccessful" else ('Bearer error="invalid_token"')
        )
    return response


def unauthorised(detail: str = "AuthenticationUnsuccessful") -> Response:
    return problem(401, "Unauthorized", detail)


def forbidden() -> Response:
    return problem(403, "Forbidden", "AuthenticationUnsuccessful")


def expired_detail(expired_at: datetime) -> str:
    return f"TokenExpired: token expired at {expired_at.strftime('%m/%d/%Y %H:%M:%S')}"


def xero_datetime(moment: datetime) -> str:
    """Connections' timestamps as the identity API writes them: UTC, no offset, 7 fraction digits."""
    utc = moment.astimezone(UTC)
    return f"{utc.strftime('%Y-%m-%dT%H:%M:%S')}.{utc.microsecond:06d}0"


def with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def error_page(error: str, description: str) -> Response:
    html = (
        f"<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Sorry, there was an error: "
        f"{escape(error)}</h1><p>{escape(description)}</p></body></html>"
    )
    return Response.text(400, html, "text/html; charset=utf-8")


def method_not_allowed(*allowed: str) -> Response:
    response = Response(status=405)
    response.headers["Allow"] = ", ".join(allowed)
    return response
