"""How a Xero invoice Reference names the CRM deal it bills: `PD-1172`, or `PD-1172/03` for an instalment.

The flow writes references in this form and the profile reads them back, so both sides use this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One prefix per CRM, so a tenant fed by two CRMs (or a migration) keeps its references apart.
DEAL_REFERENCE_PREFIXES = {"pipedrive": "PD-", "hubspot": "HS-"}
_REFERENCE = re.compile(r"^\s*(?P<prefix>[A-Za-z]{2})-?\s*(?P<deal>\d+)(?:\s*/\s*(?P<part>\d+))?\s*$")


@dataclass(frozen=True)
class DealReference:
    source: str
    deal_id: str
    instalment: int | None = None

    def text(self) -> str:
        base = f"{DEAL_REFERENCE_PREFIXES[self.source]}{self.deal_id}"
        return base if self.instalment is None else f"{base}/{self.instalment:02d}"


def parse_deal_reference(reference: object) -> DealReference | None:
    """The deal a Reference names, or None when it names none (a PO number, blank, free text)."""
    if not isinstance(reference, str):
        return None
    match = _REFERENCE.match(reference)
    if match is None:
        return None
    prefix = match["prefix"].upper() + "-"
    source = next((s for s, p in DEAL_REFERENCE_PREFIXES.items() if p == prefix), None)
    if source is None:
        return None
    part = match["part"]
    return DealReference(source, str(int(match["deal"])), int(part) if part is not None else None)


def deal_reference(source: str, deal_id: object, instalment: int | None = None) -> str:
    """The Reference the flow writes on the invoice for a deal."""
    if source not in DEAL_REFERENCE_PREFIXES:
        raise ValueError(f"no invoice reference prefix for CRM {source!r}")
    return DealReference(source, str(deal_id), instalment).text()
