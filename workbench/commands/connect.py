"""`workbench connect xero|pipedrive|hubspot`: make a connection once; pulls reuse it from the token store."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import webbrowser
from collections.abc import Callable

from workbench.connect import (
    LoopbackCallback,
    connect_hubspot_oauth,
    connect_hubspot_token,
    connect_pipedrive_oauth,
    connect_pipedrive_token,
    connect_xero,
)
from workbench.http import build_client
from workbench.tokens import TokenStore


def _follow_sandbox_consent(url: str) -> str:
    """The sandbox consents at once: follow its authorize redirect instead of opening a browser."""
    with build_client() as client:
        answer = client.get(url)
    location = answer.headers.get("Location")
    if answer.status_code != 302 or not location:
        raise SystemExit(
            f"error: the sandbox refused the sign-in ({answer.status_code}): {answer.text[:200]}"
        )
    return str(location)


def _xero(args: argparse.Namespace) -> int:
    store = TokenStore()
    if args.sandbox_url:
        from workbench.sandbox import credentials

        base = args.sandbox_url.rstrip("/")
        client_id = args.client_id or credentials.XERO_PKCE_CLIENT_ID
        redirect_uri = f"http://localhost:{args.port}/callback"
        with build_client() as token_client:
            token = connect_xero(
                client_id=client_id,
                store=store,
                name=args.name,
                redirect_uri=redirect_uri,
                authorize=_follow_sandbox_consent,
                token_client=token_client,
                tenant=args.tenant,
                authorize_url=f"{base}/xero/identity/connect/authorize",
                token_url=f"{base}/xero/identity/connect/token",
                connections_url=f"{base}/xero/connections",
            )
            token.extra.update(
                api_base=f"{base}/xero/api.xro/2.0", token_url=f"{base}/xero/identity/connect/token"
            )
            store.save(args.name, token)
    else:
        if not args.client_id:
            print("error: --client-id is required (your Xero app's client id)", file=sys.stderr)
            return 2
        callback = LoopbackCallback(args.port)
        with build_client() as token_client:
            token = connect_xero(
                client_id=args.client_id,
                store=store,
                name=args.name,
                redirect_uri=callback.redirect_uri,
                authorize=_browser_sign_in("Xero", callback),
                token_client=token_client,
                tenant=args.tenant,
            )
    print(
        f"Connected Xero organisation '{token.extra.get('tenant_name')}' as '{args.name}'. "
        f"Pull it with: workbench pull --engagement NAME --xero oauth --xero-name {args.name}"
    )
    return 0


def _browser_sign_in(service: str, callback: LoopbackCallback) -> Callable[[str], str]:
    def authorize(url: str) -> str:
        print(f"Opening {service}'s sign-in page. If no browser opens, visit:\n  " + url, flush=True)
        webbrowser.open(url)
        return callback.wait()

    return authorize


def _pipedrive_oauth(args: argparse.Namespace) -> int:
    if not args.client_id:
        print("error: --client-id is required with --oauth (your Pipedrive app's client id)", file=sys.stderr)
        return 2
    secret = os.environ.get("WORKBENCH_PIPEDRIVE_CLIENT_SECRET") or getpass.getpass(
        "Pipedrive app client secret: "
    )
    callback = LoopbackCallback(args.port)
    with build_client() as token_client:
        token = connect_pipedrive_oauth(
            client_id=args.client_id,
            client_secret=secret.strip(),
            store=TokenStore(),
            name=args.name,
            redirect_uri=callback.redirect_uri,
            authorize=_browser_sign_in("Pipedrive", callback),
            token_client=token_client,
        )
    print(
        f"Connected Pipedrive ({token.extra.get('api_domain')}) as '{args.name}'. Pull with: "
        f"workbench pull --engagement NAME --crm pipedrive-oauth --crm-name {args.name}"
    )
    return 0


def _pipedrive(args: argparse.Namespace) -> int:
    if args.oauth:
        return _pipedrive_oauth(args)
    api_token = sys.stdin.readline() if args.api_token_stdin else getpass.getpass("Pipedrive API token: ")
    connect_pipedrive_token(TokenStore(), api_token, args.name)
    print(
        f"Saved the Pipedrive API token as '{args.name}'. Pull with: workbench pull --engagement NAME "
        f"--crm pipedrive-token --crm-name {args.name} --pipedrive-domain COMPANY"
    )
    return 0


def _hubspot_oauth(args: argparse.Namespace) -> int:
    base = args.sandbox_url.rstrip("/") if args.sandbox_url else None
    if base:
        from workbench.sandbox import credentials

        client_id, secret = credentials.HUBSPOT_CLIENT_ID, credentials.HUBSPOT_CLIENT_SECRET
    else:
        if not args.client_id:
            print(
                "error: --client-id is required with --oauth (your HubSpot app's client id)", file=sys.stderr
            )
            return 2
        client_id = args.client_id
        secret = os.environ.get("WORKBENCH_HUBSPOT_CLIENT_SECRET") or getpass.getpass(
            "HubSpot app client secret: "
        )
    callback = None if base else LoopbackCallback(args.port)
    redirect_uri = callback.redirect_uri if callback else f"http://localhost:{args.port}/callback"
    endpoints = (
        {
            "authorize_url": f"{base}/hubspot/oauth/authorize",
            "token_url": f"{base}/hubspot/oauth/v1/token",
            "api_base": f"{base}/hubspot",
        }
        if base
        else {}
    )
    with build_client() as token_client:
        connect_hubspot_oauth(
            client_id=client_id,
            client_secret=secret.strip(),
            store=TokenStore(),
            name=args.name,
            redirect_uri=redirect_uri,
            authorize=_browser_sign_in("HubSpot", callback) if callback else _follow_sandbox_consent,
            token_client=token_client,
            **endpoints,
        )
    print(
        f"Connected HubSpot as '{args.name}'. Pull with: workbench pull --engagement NAME --crm hubspot"
        f"{'' if args.name == 'hubspot' else f' --crm-name {args.name}'}"
    )
    return 0


def _hubspot(args: argparse.Namespace) -> int:
    if args.oauth:
        return _hubspot_oauth(args)
    token = os.environ.get("HUBSPOT_ACCESS_TOKEN")
    if not token:
        token = sys.stdin.readline() if args.token_stdin else getpass.getpass("HubSpot private-app token: ")
    if not token.strip():
        print("error: no HubSpot token given", file=sys.stderr)
        return 2
    base = f"{args.sandbox_url.rstrip('/')}/hubspot" if args.sandbox_url else None
    connect_hubspot_token(TokenStore(), token, args.name, api_base=base)
    print(
        f"Saved the HubSpot token as '{args.name}'. Pull with: workbench pull --engagement NAME --crm hubspot"
        f"{'' if args.name == 'hubspot' else f' --crm-name {args.name}'}"
    )
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "connect", help="connect Xero, Pipedrive or HubSpot once (saved in the token store)"
    )
    sub = parser.add_subparsers(dest="connect_command", required=True)
    xero = sub.add_parser("xero", help="sign in to Xero (OAuth2 with PKCE) and choose the organisation")
    xero.add_argument("--client-id", help="your Xero app's client id (PKCE apps have no secret)")
    xero.add_argument("--name", default="xero", help="name to save the connection under (default xero)")
    xero.add_argument("--tenant", help="organisation name or tenant id, when the sign-in connects several")
    xero.add_argument(
        "--port", type=int, default=8765, help="loopback port of the redirect URI (default 8765)"
    )
    xero.add_argument("--sandbox-url", help="sign in to a served sandbox (`workbench sandbox serve`) instead")
    xero.set_defaults(run=_xero)
    pipedrive = sub.add_parser(
        "pipedrive",
        help="save a Pipedrive API token (asked for, never an argument), or sign in with OAuth2 (--oauth)",
    )
    pipedrive.add_argument("--name", default="pipedrive", help="name to save the connection under")
    pipedrive.add_argument(
        "--api-token-stdin", action="store_true", help="read the token from standard input"
    )
    pipedrive.add_argument(
        "--oauth",
        action="store_true",
        help="sign in with your Pipedrive app (OAuth2); the client secret is read from "
        "WORKBENCH_PIPEDRIVE_CLIENT_SECRET or asked for",
    )
    pipedrive.add_argument("--client-id", help="your Pipedrive app's client id (with --oauth)")
    pipedrive.add_argument(
        "--port", type=int, default=8765, help="loopback port of the redirect URI (default 8765)"
    )
    pipedrive.set_defaults(run=_pipedrive)
    hubspot = sub.add_parser(
        "hubspot",
        help="save a HubSpot private-app token (from HUBSPOT_ACCESS_TOKEN or asked for, never an argument), "
        "or sign in with OAuth2 (--oauth)",
    )
    hubspot.add_argument("--name", default="hubspot", help="name to save the connection under")
    hubspot.add_argument("--token-stdin", action="store_true", help="read the token from standard input")
    hubspot.add_argument(
        "--oauth",
        action="store_true",
        help="sign in with your HubSpot app (OAuth2); the client secret is read from "
        "WORKBENCH_HUBSPOT_CLIENT_SECRET or asked for",
    )
    hubspot.add_argument("--client-id", help="your HubSpot app's client id (with --oauth)")
    hubspot.add_argument(
        "--port", type=int, default=8765, help="loopback port of the redirect URI (default 8765)"
    )
    hubspot.add_argument(
        "--sandbox-url", help="connect to a served sandbox (`workbench sandbox serve`) instead"
    )
    hubspot.set_defaults(run=_hubspot)
