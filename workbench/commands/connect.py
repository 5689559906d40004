"""`workbench connect xero|pipedrive`: make a connection once; pulls reuse it from the token store."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import webbrowser
from collections.abc import Callable

from workbench.connect import LoopbackCallback, connect_pipedrive_oauth, connect_pipedrive_token, connect_xero
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


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("connect", help="connect Xero or Pipedrive once (saved in the token store)")
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
