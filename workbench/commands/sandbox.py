"""`workbench sandbox serve|manifest`: the local Xero, Pipedrive and HubSpot emulators."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, time
from pathlib import Path

from workbench.sandbox import credentials
from workbench.sandbox.demo import DemoSize
from workbench.sandbox.demo.dataset import DemoClient


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=7, help="demo client seed (default 7)")
    parser.add_argument(
        "--organisations",
        type=int,
        default=None,
        help="scale the demo client to this many CRM organisations (default: 300)",
    )
    parser.add_argument(
        "--crm",
        choices=("pipedrive", "hubspot"),
        default="pipedrive",
        help="the CRM the client's invoices were raised from (their references name its deals); both "
        "emulators serve the same CRM records either way",
    )


def demo_client(args: argparse.Namespace) -> DemoClient:
    from workbench.sandbox.demo import generate_demo_client
    from workbench.sandbox.demo.hubspot_side import as_hubspot_client

    client = generate_demo_client(args.seed, demo_size(args))
    return as_hubspot_client(client) if args.crm == "hubspot" else client


def demo_size(args: argparse.Namespace) -> DemoSize:
    return DemoSize.scaled(args.organisations) if args.organisations else DemoSize()


def _serve(args: argparse.Namespace) -> int:
    from workbench.sandbox.app import Sandbox
    from workbench.sandbox.clock import SandboxClock
    from workbench.sandbox.server import SandboxServer

    print(f"Generating the demo client (seed {args.seed})...", flush=True)
    client = demo_client(args)
    clock = SandboxClock(datetime.combine(client.manifest.as_of, time(9), tzinfo=UTC), ticking=True)
    try:
        sandbox = Sandbox(client, clock=clock, state_file=Path(args.state_file) if args.state_file else None)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        server = SandboxServer(sandbox, args.port, verbose=args.verbose)
    except OSError as exc:
        print(
            f"error: cannot listen on 127.0.0.1:{args.port} ({exc.strerror}); pick another --port.",
            file=sys.stderr,
        )
        return 2
    print(f"Sandbox for {client.xero.tenant_name} listening on {server.base_url}")
    for name, url in server.urls().items():
        print(f"  {name:<18} {url}")
    print("Credentials (sandbox only):")
    print(f"  Xero custom connection  client_id={credentials.XERO_CLIENT_ID}")
    print(f"                          client_secret={credentials.XERO_CLIENT_SECRET}")
    print(f"  Xero PKCE app           client_id={credentials.XERO_PKCE_CLIENT_ID}")
    print(f"  Xero tenant id          {client.xero.tenant_id}")
    print(f"  Pipedrive api token     {credentials.PIPEDRIVE_API_TOKEN}")
    print(f"  HubSpot private app     {credentials.HUBSPOT_PRIVATE_APP_TOKEN}")
    print(f"  HubSpot OAuth app       client_id={credentials.HUBSPOT_CLIENT_ID}")
    print(f"                          client_secret={credentials.HUBSPOT_CLIENT_SECRET}")
    print(f"                          refresh_token={credentials.HUBSPOT_REFRESH_TOKEN}")
    print("Data: " + ", ".join(f"{k}={v}" for k, v in sorted(client.manifest.counts.items())))
    if args.state_file:
        print(f"State file: {args.state_file} (what the API creates survives a restart)")
    print("Press Ctrl+C to stop.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        server.httpd.server_close()
    return 0


def _manifest(args: argparse.Namespace) -> int:
    payload = demo_client(args).manifest.to_json()
    if args.summary:
        payload = {k: v for k, v in payload.items() if k not in ("problems", "links")}
    json.dump(payload, sys.stdout, indent=2, default=str)
    print()
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    sandbox = commands.add_parser(
        "sandbox", help="the local Xero, Pipedrive and HubSpot emulators with a demo client"
    )
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", required=True)
    serve = sandbox_commands.add_parser("serve", help="serve the sandbox on 127.0.0.1 until Ctrl+C")
    serve.add_argument(
        "--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0 = any free)"
    )
    serve.add_argument("--state-file", help="keep what the API creates in this file, across restarts")
    serve.add_argument("--verbose", action="store_true", help="log every request")
    add_size_arguments(serve)
    serve.set_defaults(run=_serve)
    manifest = sandbox_commands.add_parser("manifest", help="print the demo client's ground truth as JSON")
    manifest.add_argument("--summary", action="store_true", help="counts only, without problems and links")
    add_size_arguments(manifest)
    manifest.set_defaults(run=_manifest)
