"""Which key to store so the CRM <-> Xero match need not be repeated: per key, coverage on each side,
uniqueness, links made and agreement, and the recommendation in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.profile.links import live_sales_invoices
from workbench.profile.matching_keys import CrmSide
from workbench.profile.matching_scores import KEY_ORDER
from workbench.profile.shared_reads import blank, record_keys
from workbench.profile.tables import ProfileTables


@dataclass(frozen=True)
class KeyRecommendation:
    """Per key: coverage on each side, uniqueness, how many links it made and how often it agrees."""

    table: pd.DataFrame
    text: str


RECOMMENDATION_COLUMNS = [
    "key",
    "crm_populated",
    "xero_populated",
    "crm_unique",
    "xero_unique",
    "links",
    "comparable_links",
    "agreeing_links",
    "agreement",
]


def recommend_keys(
    tables: ProfileTables,
    crm: CrmSide,
    contacts: pd.DataFrame,
    links: pd.DataFrame,
    billed: pd.DataFrame,
    stored: pd.DataFrame,
) -> KeyRecommendation:
    """Per key: the share of CRM organisations and of Xero customers that carry it, how unique its
    values are, how many one-to-one links it made, and how often the two sides agree when both have it."""
    orgs = crm.orgs
    customers = _customer_contacts(tables, contacts)
    pairs = links[links["assignment"].eq("one_to_one")]
    o_rows, c_rows = pairs["o"].to_numpy(dtype=np.int64), pairs["c"].to_numpy(dtype=np.int64)

    def on_orgs(rows: Any) -> np.ndarray:
        mask = np.zeros(len(orgs), dtype=bool)
        rows = np.asarray(rows, dtype=np.int64)
        mask[rows[rows >= 0]] = True
        return mask

    org_index = pd.Index(orgs["key"])
    has_stored = on_orgs(org_index.get_indexer(record_keys(stored)))
    has_email, has_domain = on_orgs(crm.emails["row"]), on_orgs(crm.domains["row"])
    was_billed = on_orgs(org_index.get_indexer(record_keys(billed)))
    billed_contact = contacts["contact_id"].isin(billed["contact_id"]).to_numpy()
    crm_ids = orgs["org_id"]
    carries_crm_id = (
        contacts["contact_number"].isin(crm_ids) | contacts["account_number"].isin(crm_ids)
    ).to_numpy()
    vat_o, vat_c = orgs["vat"].notna().to_numpy(), contacts["vat"].notna().to_numpy()
    email_c, domain_c = contacts["email"].notna().to_numpy(), contacts["domain"].notna().to_numpy()
    name_o, name_c = orgs["core"].astype(bool).to_numpy(), contacts["core"].astype(bool).to_numpy()
    # per key: CRM side has it, Xero side has it, and whether each one-to-one link's sides agree on it
    presence = {
        "stored_contact_id": (has_stored, carries_crm_id, pairs["stored"]),
        "vat_number": (vat_o, vat_c, pairs["vat_agrees"]),
        "invoice_reference": (was_billed, billed_contact, pairs["reference_invoices"].gt(0)),
        "email": (has_email, email_c, pairs["email_agrees"]),
        "email_domain": (has_domain, domain_c, pairs["domain_agrees"]),
        "name": (name_o, name_c, pairs["name_exact"]),
    }
    on_customers = contacts[customers.to_numpy()]
    uniqueness = {
        "vat_number": (_unique_share(orgs["vat"].dropna()), _unique_share(on_customers["vat"].dropna())),
        "email_domain": (
            _unique_holders(crm.domains, "domain"),
            _unique_share(on_customers["domain"].dropna()),
        ),
        "name": (
            _unique_share(orgs["core"][name_o]),
            _unique_share(on_customers["core"][on_customers["core"].astype(bool)]),
        ),
    }
    rows = []
    by_key = pairs["key"].value_counts()
    customer_mask = customers.to_numpy(dtype=bool)
    for key in KEY_ORDER:
        crm_has, xero_has, agrees = presence[key]
        # the stored id sits on the CRM side only: every link whose organisation has one can be checked
        xero_side = np.ones(len(pairs), dtype=bool) if key == "stored_contact_id" else xero_has[c_rows]
        comparable = crm_has[o_rows] & xero_side
        agreeing = int((agrees.to_numpy(dtype=bool) & comparable).sum())
        crm_unique, xero_unique = uniqueness.get(key, (None, None))
        rows.append(
            {
                "key": key,
                "crm_populated": _share(crm_has),
                "xero_populated": _share(xero_has[customer_mask]),
                "crm_unique": crm_unique,
                "xero_unique": xero_unique,
                "links": int(by_key.get(key, 0)),
                "comparable_links": int(comparable.sum()),
                "agreeing_links": agreeing,
                "agreement": round(agreeing / comparable.sum(), 3) if comparable.any() else None,
            }
        )
    table = pd.DataFrame(rows, columns=RECOMMENDATION_COLUMNS)
    return KeyRecommendation(table, _recommendation_text(orgs, contacts, links, table, stored))


def _customer_contacts(tables: ProfileTables, contacts: pd.DataFrame) -> pd.Series:
    """Active Xero contacts that are customers: the side of Xero a CRM has to match."""
    flagged = tables["xero_contacts"]
    flagged = set(flagged.loc[flagged["is_customer"].fillna(False).astype(bool), "contact_id"].astype(str))
    billed = set(live_sales_invoices(tables)["contact_id"].dropna().astype(str))
    return contacts["status"].eq("ACTIVE") & contacts["contact_id"].isin(flagged | billed)


def _share(mask: Any) -> float:
    return round(float(np.mean(mask)), 3) if len(mask) else 0.0


def _unique_share(values: pd.Series) -> float | None:
    """Share of populated values that only one record carries (a key shared by many identifies none)."""
    if values.empty:
        return None
    return round(float(values.map(values.value_counts()).eq(1).mean()), 3)


def _unique_holders(frame: pd.DataFrame, column: str) -> float | None:
    """Share of the organisations holding a value whose values no other organisation holds."""
    if frame.empty:
        return None
    holders = frame[column].map(frame[column].value_counts())
    shared = holders.gt(1).groupby(frame["row"]).any()
    return round(float(1 - shared.mean()), 3)


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def _recommendation_text(
    orgs: pd.DataFrame,
    contacts: pd.DataFrame,
    links: pd.DataFrame,
    table: pd.DataFrame,
    stored: pd.DataFrame,
) -> str:
    rows = table.set_index("key")
    one = links[links["assignment"].eq("one_to_one")]
    found = one[~one["stored"].astype(bool)]
    review = int(found["band"].eq("review").sum())
    broken = int(stored["state"].ne("ok").sum())
    dupes = int(links["assignment"].ne("one_to_one").sum())
    by_key = ", ".join(f"{n} by {k.replace('_', ' ')}" for k, n in found["key"].value_counts().items())
    free_number = _share(blank(contacts["contact_number"])) if len(contacts) else 1.0
    free_account = _share(blank(contacts["account_number"])) if len(contacts) else 1.0
    field, free = (
        ("ContactNumber", free_number) if free_number >= free_account else ("AccountNumber", free_account)
    )
    natural = rows.drop(index=["stored_contact_id", "invoice_reference"])
    natural = natural.assign(cover=natural[["crm_populated", "xero_populated"]].min(axis=1))
    best = str(natural["cover"].idxmax()) if len(natural) else "name"
    parts = [
        "Make the link permanent by storing the Xero ContactID on each CRM organisation: "
        f"{len(stored)} of {len(orgs)} organisations "
        f"({_percent(rows.loc['stored_contact_id', 'crm_populated'])}) carry one today"
        + (f", {broken} of them pointing at a missing or merged contact" if broken else "")
        + "."
    ]
    if len(found):
        parts.append(
            f"Write back the {len(found)} ContactIDs this match found by other keys ({by_key})"
            + (f", after a person has checked the {review} in the review band" if review else "")
            + "."
        )
    if dupes:
        parts.append(
            f"Merge the {dupes} duplicate records the match paired with an already-linked record first, so "
            "each organisation stores one contact."
        )
    parts.append(
        f"In Xero, put the CRM organisation id in {field} (blank on {_percent(free)} of contacts today) so "
        "Xero-side flows can find the organisation without matching."
    )
    vat = rows.loc["vat_number"]
    parts.append(
        f"Of the natural keys, {best.replace('_', ' ')} covers most records on both sides "
        f"({_percent(rows.loc[best, 'crm_populated'])} of organisations, "
        f"{_percent(rows.loc[best, 'xero_populated'])} of Xero customers)"
        + (
            f" and agrees on {_percent(rows.loc[best, 'agreement'])} of the links where both have it."
            if rows.loc[best, "agreement"] is not None
            else "."
        )
    )
    if vat["xero_populated"] > vat["crm_populated"]:
        parts.append(
            f"VAT numbers are the strongest natural key but only {_percent(vat['crm_populated'])} of CRM "
            f"organisations carry one against {_percent(vat['xero_populated'])} of Xero customers: add a VAT "
            "number field to the CRM organisation and fill it from Xero for the linked ones."
        )
    return " ".join(parts)
