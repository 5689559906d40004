"""Which Xero and CRM to pull from, and the sources that reach them.

The sandbox is the default: the same clients, in-process, with no credentials to type. Real services
take their secrets from the token store (see `workbench connect`) or the environment, never from
arguments that end up in shell history.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Literal

import httpx

from workbench.auth import (
    HUBSPOT_TOKEN_URL,
    PIPEDRIVE_TOKEN_URL,
    XERO_TOKEN_URL,
    HubSpotAccessToken,
    HubSpotOAuth,
    PipedriveApiToken,
    PipedriveOAuth,
    XeroClientCredentials,
    XeroOAuth,
)
from workbench.errors import ConfigurationError
from workbench.http import ApiSession, Clock, SteppedClock, SystemClock, Transport, XeroBudget, build_client
from workbench.hubspot.client import HUBSPOT_API, HubSpotClient, hubspot_sessions
from workbench.hubspot.source import HubSpotSource
from workbench.pipedrive.client import PipedriveClient, pipedrive_session
from workbench.pipedrive.source import PipedriveSource
from workbench.pull.source import Source
from workbench.store import Engagement
from workbench.tokens import TokenStore
from workbench.xero.client import XERO_API
from workbench.xero.source import XeroSource, xero_source

XeroKind = Literal["sandbox", "custom", "oauth"]
CrmKind = Literal[
    "sandbox", "pipedrive-token", "pipedrive-oauth", "hubspot-sandbox", "hubspot-token", "hubspot-oauth"
]
SANDBOX_PIPEDRIVE_BASE = "https://sandbox.pipedrive.com"
HUBSPOT_KINDS = ("hubspot-sandbox", "hubspot-token", "hubspot-oauth")
HUBSPOT_TOKEN_ENV = "HUBSPOT_ACCESS_TOKEN"


@dataclass(frozen=True)
class XeroConnection:
    """`sandbox`; `custom` (a custom connection: XERO_CLIENT_ID and XERO_CLIENT_SECRET in the
    environment); or `oauth` (a connection made with `workbench connect xero`, kept under `name`)."""

    kind: XeroKind = "sandbox"
    name: str = "xero"
    tenant_id: str | None = None


@dataclass(frozen=True)
class CrmConnection:
    """`sandbox` (the sandbox's Pipedrive); `pipedrive-token` (an API token saved with `workbench connect
    pipedrive`, or PIPEDRIVE_API_TOKEN in the environment) with the company's domain; `pipedrive-oauth`;
    `hubspot-sandbox` (the sandbox's HubSpot); `hubspot-token` (a private-app token saved with `workbench
    connect hubspot`, or HUBSPOT_ACCESS_TOKEN in the environment); or `hubspot-oauth`. `name` is the
    saved connection's name (default: the CRM's)."""

    kind: CrmKind = "sandbox"
    name: str | None = None
    company_domain: str | None = None

    @property
    def crm(self) -> str:
        return "hubspot" if self.kind in HUBSPOT_KINDS else "pipedrive"

    @property
    def saved_as(self) -> str:
        return self.name or self.crm


class Connector:
    """Opens the sources for a pull and closes their HTTP clients afterwards (use `with`)."""

    def __init__(
        self,
        xero: XeroConnection | None = None,
        crm: CrmConnection | None = None,
        *,
        sandbox: object | None = None,
        seed: int = 7,
        store: TokenStore | None = None,
        clock: Clock | None = None,
        sandbox_url: str | None = None,
    ) -> None:
        self.xero = xero or XeroConnection()
        self.crm = crm or CrmConnection()
        self.store = store or TokenStore()
        self._stack = ExitStack()
        self._sandbox = sandbox
        self._seed = seed
        self._clock = clock
        self._transport: Transport | None = None
        # a served sandbox (`workbench sandbox serve`) instead of the in-process one, e.g. for a
        # process that must share the sandbox's state with others
        self.sandbox_url = sandbox_url.rstrip("/") if sandbox_url else None

    # the sandbox, built only when a connection asks for it -------------------------------------------
    @property
    def sandbox(self) -> object:
        if self._sandbox is None:
            from workbench.sandbox.app import Sandbox

            # a HubSpot client's invoices reference HubSpot deals, so the demo is generated as one
            self._sandbox = Sandbox.demo(
                self._seed, crm="hubspot" if self.crm.kind == "hubspot-sandbox" else "pipedrive"
            )
        return self._sandbox

    def _sandbox_transport(self) -> Transport:
        if self._transport is None:
            from workbench.sandbox.transport import SandboxTransport

            self._transport = SandboxTransport(self.sandbox)  # type: ignore[arg-type]
        return self._transport

    def _sandbox_clock(self) -> Clock:
        clock = self.sandbox.clock  # type: ignore[attr-defined]
        # sandbox time: waiting for a rate-limit window moves the sandbox clock; nobody sleeps
        return SteppedClock(now=clock.timestamp, advance=clock.advance)

    def _client(self, transport: Transport | None) -> httpx.Client:
        return self._stack.enter_context(build_client(transport))

    # sources -----------------------------------------------------------------------------------------
    def xero_source(self) -> XeroSource:
        kind = self.xero.kind
        if kind == "sandbox" and self.sandbox_url:
            from workbench.sandbox import credentials

            client = self._client(None)
            client.auth = XeroClientCredentials(
                credentials.XERO_CLIENT_ID,
                credentials.XERO_CLIENT_SECRET,
                token_client=self._client(None),
                token_url=f"{self.sandbox_url}/xero/identity/connect/token",
            )
            session = ApiSession("Xero", client, XeroBudget(self._clock or SystemClock()))
            return xero_source(session, None, f"{self.sandbox_url}/xero/api.xro/2.0")
        if kind == "sandbox":
            from workbench.sandbox import credentials

            transport = self._sandbox_transport()
            clock = self._clock or self._sandbox_clock()
            sandbox_clock = self.sandbox.clock  # type: ignore[attr-defined]
            client = self._client(transport)
            client.auth = XeroClientCredentials(
                credentials.XERO_CLIENT_ID,
                credentials.XERO_CLIENT_SECRET,
                token_client=self._client(transport),
                now=sandbox_clock.timestamp,
            )
            tenant = self.sandbox.client.xero.tenant_id  # type: ignore[attr-defined]
            return xero_source(ApiSession("Xero", client, XeroBudget(clock)), tenant)
        clock = self._clock or SystemClock()
        client = self._client(None)
        if kind == "custom":
            client_id, secret = os.environ.get("XERO_CLIENT_ID"), os.environ.get("XERO_CLIENT_SECRET")
            token_url = XERO_TOKEN_URL
            if not client_id or not secret:
                # one saved by the app (`workbench.connect.connect_xero_custom`) under the connection's name
                saved = self.store.load(self.xero.name)
                if saved is not None and saved.extra.get("grant") == "client_credentials":
                    client_id, secret = str(saved.extra["client_id"]), str(saved.extra["client_secret"])
                    token_url = str(saved.extra.get("token_url") or XERO_TOKEN_URL)
            if not client_id or not secret:
                raise ConfigurationError(
                    "a Xero custom connection needs XERO_CLIENT_ID and XERO_CLIENT_SECRET in the environment",
                    hint="copy both from the custom connection's page in the Xero developer portal "
                    "(or enter them on the app's Connect page)",
                )
            client.auth = XeroClientCredentials(
                client_id,
                secret,
                token_client=self._client(None),
                token_url=token_url,
                tenant_id=self.xero.tenant_id,
            )
            return xero_source(ApiSession("Xero", client, XeroBudget(clock)), self.xero.tenant_id)
        token = self.store.load(self.xero.name)
        if token is None:
            raise ConfigurationError(
                f"there is no Xero connection called '{self.xero.name}'",
                hint="run `workbench connect xero` first",
            )
        client_id = str(token.extra.get("client_id") or "")
        # a connection to a served sandbox keeps its own endpoints; a real one uses Xero's
        client.auth = XeroOAuth(
            self.store,
            self.xero.name,
            client_id=client_id,
            token_client=self._client(None),
            token_url=str(token.extra.get("token_url") or XERO_TOKEN_URL),
            tenant_id=self.xero.tenant_id,
        )
        session = ApiSession("Xero", client, XeroBudget(clock))
        api_base = str(token.extra.get("api_base") or XERO_API)
        return xero_source(session, self.xero.tenant_id or token.tenant_id, api_base)

    def crm_source(self, engagement: Engagement | None = None) -> PipedriveSource | HubSpotSource:
        if self.crm.crm == "hubspot":
            return self.hubspot_source(engagement)
        kind = self.crm.kind
        if kind == "sandbox":
            from workbench.sandbox import credentials

            served = self.sandbox_url is not None
            client = self._client(None if served else self._sandbox_transport())
            client.auth = PipedriveApiToken(credentials.PIPEDRIVE_API_TOKEN)
            clock = self._clock or (SystemClock() if served else self._sandbox_clock())
            session = pipedrive_session(client, clock)
            base = f"{self.sandbox_url}/pipedrive" if served else SANDBOX_PIPEDRIVE_BASE
        else:
            client = self._client(None)
            if kind == "pipedrive-token":
                env_token = os.environ.get("PIPEDRIVE_API_TOKEN")
                client.auth = (
                    PipedriveApiToken(env_token)
                    if env_token
                    else PipedriveApiToken.from_store(self.store, self.crm.saved_as)
                )
                if not self.crm.company_domain:
                    raise ConfigurationError(
                        "a Pipedrive API-token connection needs the company domain",
                        hint="pass --pipedrive-domain COMPANY (as in COMPANY.pipedrive.com)",
                    )
                base = f"https://{self.crm.company_domain}.pipedrive.com"
            else:
                token = self.store.load(self.crm.saved_as)
                if token is None:
                    raise ConfigurationError(
                        f"there is no Pipedrive connection called '{self.crm.saved_as}'",
                        hint="run `workbench connect pipedrive --oauth --client-id ID` first",
                    )
                auth = PipedriveOAuth(
                    self.store,
                    self.crm.saved_as,
                    client_id=str(token.extra.get("client_id", "")),
                    client_secret=str(token.extra.get("client_secret", "")),
                    token_client=self._client(None),
                    token_url=str(token.extra.get("token_url") or PIPEDRIVE_TOKEN_URL),
                )
                client.auth = auth
                base = auth.api_domain()
            session = pipedrive_session(client, self._clock or SystemClock())
        pipedrive = PipedriveClient(session, base_url=base)
        return (
            PipedriveSource.for_engagement(pipedrive, engagement)
            if engagement
            else PipedriveSource(pipedrive)
        )

    def hubspot_source(self, engagement: Engagement | None = None) -> HubSpotSource:
        kind, name = self.crm.kind, self.crm.saved_as
        base = HUBSPOT_API
        if kind == "hubspot-sandbox":
            from workbench.sandbox import credentials

            served = self.sandbox_url is not None
            client = self._client(None if served else self._sandbox_transport())
            client.auth = HubSpotAccessToken(credentials.HUBSPOT_PRIVATE_APP_TOKEN)
            clock = self._clock or (SystemClock() if served else self._sandbox_clock())
            base = f"{self.sandbox_url}/hubspot" if served else base
        else:
            client = self._client(None)
            clock = self._clock or SystemClock()
            token = self.store.load(name)
            env_token = os.environ.get(HUBSPOT_TOKEN_ENV) if kind == "hubspot-token" else None
            if token is None and not env_token:
                raise ConfigurationError(
                    f"there is no HubSpot connection called '{name}'",
                    hint=(
                        "run `workbench connect hubspot --oauth` first"
                        if kind == "hubspot-oauth"
                        else f"run `workbench connect hubspot` first (or set {HUBSPOT_TOKEN_ENV})"
                    ),
                )
            if token is not None:
                # a connection to a served sandbox keeps its own address; a real one uses HubSpot's
                base = str(token.extra.get("api_base") or HUBSPOT_API)
            if kind == "hubspot-token":
                client.auth = (
                    HubSpotAccessToken(env_token)
                    if env_token
                    else HubSpotAccessToken.from_store(self.store, name)
                )
            elif token is not None:  # an OAuth connection is always a saved one
                client.auth = HubSpotOAuth(
                    self.store,
                    name,
                    client_id=str(token.extra.get("client_id", "")),
                    client_secret=str(token.extra.get("client_secret", "")),
                    token_client=self._client(None),
                    token_url=str(token.extra.get("token_url") or HUBSPOT_TOKEN_URL),
                )
        session, search = hubspot_sessions(client, clock)
        hubspot = HubSpotClient(session, search, base_url=base)
        return HubSpotSource.for_engagement(hubspot, engagement) if engagement else HubSpotSource(hubspot)

    def sources(self, engagement: Engagement | None = None) -> list[Source]:
        """Xero and the CRM, in that order."""
        return [self.xero_source(), self.crm_source(engagement)]

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Connector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
