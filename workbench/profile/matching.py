"""Which CRM organisation is which Xero contact: links with the key that made each, what is left
unmatched on either side, and which key to store so matching need not be repeated.

Every plausible pair is scored on all the evidence it has (stored ContactID, VAT number, invoices that
bill the organisation's deals, emails and business domains, canonical name, postcode) with points in
the spirit of Fellegi-Sunter weights: strong keys alone make a link, weak ones only together, and a
disagreeing strong key counts against. Pairs are then assigned one-to-one, best first; a record whose
best partner is already taken is kept as a *duplicate* link (two CRM organisations of one Xero
contact, or two Xero contacts of one organisation) rather than reported as unmatched, because the fix
for it is a merge, not a new record.

The steps live in their own modules: `matching_keys` (what each side offers), `matching_pairs` and
`matching_typos` (candidate pairs), `matching_names` and `matching_scores` (points, one-to-one
assignment), `matching_findings` (what stays unmatched) and `matching_recommendation` (the key to store).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.profile.findings import concat_findings, findings_frame
from workbench.profile.links import invoice_deal_links
from workbench.profile.matching_findings import contacts_without_org, invalid_stored_ids, orgs_without_contact
from workbench.profile.matching_keys import Memo, crm_keys, xero_keys
from workbench.profile.matching_pairs import billed_pairs, candidate_pairs
from workbench.profile.matching_recommendation import (
    RECOMMENDATION_COLUMNS,
    KeyRecommendation,
    recommend_keys,
)
from workbench.profile.matching_scores import KEY_ORDER, LINK_COLUMNS, assign_links, score_pairs
from workbench.profile.stored_contact_ids import resolve_stored_contact_ids
from workbench.profile.tables import ProfileTables

# importable from here as before the split
__all__ = [
    "KEY_ORDER",
    "LINK_COLUMNS",
    "RECOMMENDATION_COLUMNS",
    "KeyRecommendation",
    "MatchResult",
    "match_crm_to_xero",
    "resolve_stored_contact_ids",
]


@dataclass(frozen=True)
class MatchResult:
    links: pd.DataFrame
    unmatched_crm: list[str]
    unmatched_xero: list[str]
    findings: pd.DataFrame
    key_recommendation: KeyRecommendation


def match_crm_to_xero(tables: ProfileTables, deal_links: pd.DataFrame | None = None) -> MatchResult:
    """Link CRM organisations to Xero contacts and report what stays unlinked. `deal_links` is
    `links.invoice_deal_links(tables)` when the caller already has it (a profile reads it once)."""
    memo: Memo = {}
    crm = crm_keys(tables, memo)
    orgs = crm.orgs
    contacts = xero_keys(tables, memo)
    stored = resolve_stored_contact_ids(tables)
    refs = invoice_deal_links(tables) if deal_links is None else deal_links
    billed = billed_pairs(tables, contacts, refs)
    pairs = candidate_pairs(crm, contacts, stored, billed)
    scored = score_pairs(pairs, orgs, contacts)
    links = assign_links(scored)
    unmatched_orgs = orgs.drop(index=links["o"].astype(np.int64).unique())
    unmatched_contacts = contacts.drop(index=links["c"].astype(np.int64).unique())
    findings = concat_findings(
        [
            findings_frame(orgs_without_contact(tables, unmatched_orgs, refs)),
            findings_frame(contacts_without_org(tables, unmatched_contacts)),
            findings_frame(invalid_stored_ids(tables, stored)),
        ]
    )
    return MatchResult(
        links=links[LINK_COLUMNS],
        unmatched_crm=unmatched_orgs["org_id"].tolist(),
        unmatched_xero=unmatched_contacts["contact_id"].tolist(),
        findings=findings,
        key_recommendation=recommend_keys(tables, crm, contacts, links, billed, stored),
    )
