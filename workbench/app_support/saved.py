"""The connections saved in the token store, by name and kind, for the app to offer (never their
secrets: a `SavedConnection` carries the name, the kind and a label only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.errors import ConfigurationError
from workbench.tokens import StoredToken, TokenStore

SavedKind = Literal[
    "xero-oauth",
    "xero-custom",
    "pipedrive-token",
    "pipedrive-oauth",
    "hubspot-token",
    "hubspot-oauth",
    "unknown",
]


@dataclass(frozen=True)
class SavedConnection:
    name: str
    kind: SavedKind
    label: str  # e.g. "Acme Ltd (Xero sign-in)"


def kind_of(token: StoredToken) -> SavedKind:
    """Which connection a stored token set belongs to, from what `workbench.connect` saved with it."""
    extra = token.extra
    if extra.get("grant") == "client_credentials":
        return "xero-custom"
    if token.token_type == "api_token":
        return "pipedrive-token"
    if token.token_type == "private_app":
        return "hubspot-token"
    if "api_domain" in extra:
        return "pipedrive-oauth"
    if str(extra.get("token_url") or "").endswith("/oauth/v1/token"):  # HubSpot's token endpoint
        return "hubspot-oauth"
    if token.tenant_id or "tenant_name" in extra:
        return "xero-oauth"
    return "unknown"


def saved_connections(store: TokenStore) -> list[SavedConnection]:
    """Every readable connection in the store (an unreadable file is left out, not an error here:
    using that connection reports it)."""
    found = []
    for name in store.names():
        try:
            token = store.load(name)
        except ConfigurationError:
            continue
        if token is None:
            continue
        kind = kind_of(token)
        label = {
            "xero-oauth": f"{token.extra.get('tenant_name') or 'Xero organisation'} (Xero sign-in)",
            "xero-custom": "Xero custom connection",
            "pipedrive-token": "Pipedrive API token",
            "pipedrive-oauth": f"Pipedrive ({token.extra.get('api_domain') or 'OAuth'})",
            "hubspot-token": "HubSpot private-app token",
            "hubspot-oauth": "HubSpot (OAuth)",
            "unknown": "unknown connection",
        }[kind]
        found.append(SavedConnection(name, kind, f"{name}: {label}"))
    return found
