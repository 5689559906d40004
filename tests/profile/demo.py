"""The sandbox demo client pulled into an engagement, as the profile reads it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.connections import Connector, CrmConnection, CrmKind
from workbench.profile.tables import ProfileTables
from workbench.pull.runner import pull
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize
from workbench.store import Engagement
from workbench.tokens import TokenStore


@dataclass(frozen=True)
class PulledDemo:
    tables: ProfileTables
    manifest: dict[str, Any]
    home: Path  # the engagements folder holding the pulled engagement, "demo"

    @property
    def problems(self) -> list[dict[str, Any]]:
        return list(self.manifest["problems"])

    @property
    def org_key(self) -> str:
        """How the manifest names a CRM organisation: `pipedrive.organization` or `hubspot.company`."""
        return (
            "hubspot.company" if self.manifest["params"].get("crm") == "hubspot" else "pipedrive.organization"
        )


def pulled_demo(
    folder: Path, seed: int = 7, organisations: int | None = None, crm: str = "pipedrive"
) -> PulledDemo:
    """Pull the demo client of that seed (and size) through the product's clients into `folder`;
    `crm="hubspot"` pulls it as a HubSpot client (the same records, served by the HubSpot emulator)."""
    size = None if organisations is None else DemoSize.scaled(organisations)
    sandbox = Sandbox.demo(seed, size, crm=crm)
    kind: CrmKind = "hubspot-sandbox" if crm == "hubspot" else "sandbox"
    with (
        Engagement.open("demo", folder / "engagements") as engagement,
        Connector(
            crm=CrmConnection(kind=kind), sandbox=sandbox, store=TokenStore(folder / "tokens")
        ) as connector,
    ):
        for source in connector.sources(engagement):
            pull(engagement, source)
        manifest = sandbox.client.manifest
        tables = ProfileTables.from_engagement(engagement, manifest.as_of)
        return PulledDemo(tables, manifest.to_json(), folder / "engagements")
