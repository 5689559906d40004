"""Candidate (organisation, contact) pairs for the CRM <-> Xero match: every pair some key puts side by
side, with the keys that did."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.profile.matching_keys import FLAGS, PAIR, CrmSide
from workbench.profile.matching_typos import typo_pairs
from workbench.profile.shared_reads import record_keys
from workbench.profile.stored_contact_ids import follow_merges
from workbench.profile.tables import ProfileTables

# A business domain shared by few records identifies the business; one shared by many (a group's
# common domain, an accountant's mailbox) says less, and past DOMAIN_COMMON it generates no pairs.
DOMAIN_POINTS = ((2, 4.0), (5, 3.0), (20, 2.0))
DOMAIN_COMMON = 20
NAME_COMMON = 5  # a canonical name on more records than this ("cash sales") is a placeholder


def candidate_pairs(
    crm: CrmSide, contacts: pd.DataFrame, stored: pd.DataFrame, billed: pd.DataFrame
) -> pd.DataFrame:
    """Every (organisation row, contact row) pair some key puts side by side, with the keys that did.

    Exact passes (stored id, VAT, invoices, email, domain, name) first; then a typo pass for the
    records no exact key paired.
    """
    orgs = crm.orgs
    org_index, contact_index = pd.Index(orgs["key"]), pd.Index(contacts["contact_id"])
    stored_pairs = pd.DataFrame(
        {
            "o": org_index.get_indexer(record_keys(stored)),
            "c": contact_index.get_indexer(stored["contact_id"].astype(str)),
        }
    )
    billed_rows = pd.DataFrame(
        {
            "o": org_index.get_indexer(record_keys(billed)),
            "c": contact_index.get_indexer(billed["contact_id"]),
            "reference_invoices": billed["reference_invoices"].to_numpy(),
        }
    )
    rows = np.arange
    parts = [
        stored_pairs[(stored_pairs["o"] >= 0) & (stored_pairs["c"] >= 0)].assign(stored=True),
        value_join(rows(len(orgs)), orgs["vat"], rows(len(contacts)), contacts["vat"]).assign(
            vat_agrees=True
        ),
        billed_rows[(billed_rows["o"] >= 0) & (billed_rows["c"] >= 0)],
        value_join(crm.emails["row"], crm.emails["email"], rows(len(contacts)), contacts["email"]).assign(
            email_agrees=True
        ),
        _domain_pairs(crm.domains, contacts),
        _name_pairs(orgs, contacts),
    ]
    found = [p for p in parts if not p.empty]
    pairs = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=PAIR)
    fuzzy = typo_pairs(orgs, contacts, pairs)
    pairs = pd.concat([pairs, fuzzy], ignore_index=True) if not fuzzy.empty else pairs
    for flag in FLAGS:
        pairs[flag] = pairs[flag].eq(True) if flag in pairs.columns else False
    pairs["reference_invoices"] = pairs.get("reference_invoices", pd.Series(0, index=pairs.index)).fillna(0)
    pairs["domain_points"] = pairs.get("domain_points", pd.Series(0.0, index=pairs.index)).fillna(0.0)
    pairs = pairs.astype(
        {"o": np.int64, "c": np.int64, "reference_invoices": np.int64, "domain_points": float}
    )
    pair_code = pairs["o"] * max(1, len(contacts)) + pairs["c"]
    merged = pairs.groupby(pair_code.to_numpy(), sort=False).agg(
        {
            "o": "first",
            "c": "first",
            **dict.fromkeys(FLAGS, "max"),
            "reference_invoices": "max",
            "domain_points": "max",
        }
    )
    return merged.reset_index(drop=True)


def value_join(left_rows: Any, left: pd.Series, right_rows: Any, right: pd.Series) -> pd.DataFrame:
    """(o, c) for every pair whose values are equal (blanks never agree), joined on integer codes."""
    left_rows, right_rows = np.asarray(left_rows), np.asarray(right_rows)
    lmask, rmask = left.notna().to_numpy(), right.notna().to_numpy()
    codes, _ = pd.factorize(pd.concat([left[lmask].astype(str), right[rmask].astype(str)], ignore_index=True))
    a = pd.DataFrame({"o": left_rows[lmask], "k": codes[: lmask.sum()]})
    b = pd.DataFrame({"c": right_rows[rmask], "k": codes[lmask.sum() :]})
    return a.merge(b, on="k")[PAIR]


def billed_pairs(tables: ProfileTables, contacts: pd.DataFrame, refs: pd.DataFrame) -> pd.DataFrame:
    """(source, org_id, contact_id, reference_invoices) for every contact billed for an organisation's
    deals, read from the invoice References (`invoice_deal_links`: one row per invoice)."""
    columns = ["source", "org_id", "contact_id", "reference_invoices"]
    refs = refs[refs["deal_exists"].astype(bool)]
    deals = tables["deals"][["source", "deal_id", "org_id"]].dropna().drop_duplicates(["source", "deal_id"])
    if refs.empty or deals.empty:
        return pd.DataFrame(columns=columns)
    at = pd.Index(record_keys(deals, "deal_id")).get_indexer(record_keys(refs, "deal_id"))
    invoices = tables["invoices"][["invoice_id", "contact_id"]].drop_duplicates("invoice_id")
    invoices = invoices.set_index("invoice_id")["contact_id"]
    billed = pd.DataFrame(
        {
            "source": refs["source"].to_numpy(),
            "org_id": deals["org_id"].astype(str).to_numpy()[at],
            "contact_id": refs["invoice_id"].map(invoices).to_numpy(),
        }
    )[at >= 0].dropna()
    billed["contact_id"] = follow_merges(billed["contact_id"], tables["xero_contacts"]).to_numpy()
    billed = billed[billed["contact_id"].isin(contacts["contact_id"])]
    counted = billed.groupby(["source", "org_id", "contact_id"]).size()
    return counted.rename("reference_invoices").reset_index()[columns]


def _domain_pairs(domains: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """Pairs sharing a business domain, with points that fall as more records share it."""
    right = contacts["domain"]
    holders = (
        pd.concat([domains.groupby("domain").size(), right.dropna().value_counts()], axis=1)
        .fillna(0)
        .max(axis=1)
    )
    usable = holders[holders <= DOMAIN_COMMON]
    points = pd.Series(0.0, index=usable.index)
    for limit, value in reversed(DOMAIN_POINTS):
        points = points.mask(usable <= limit, value)
    left = domains[domains["domain"].isin(usable.index)]
    pairs = value_join(
        left["row"], left["domain"], np.arange(len(contacts)), right.where(right.isin(usable.index))
    )
    shared = contacts["domain"].to_numpy()[pairs["c"].to_numpy()]
    return pairs.assign(domain_points=points.reindex(shared).to_numpy(), domain_agrees=True)


def _name_pairs(orgs: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """Pairs whose canonical name (or trading name) is the same on both sides."""
    rows_o, rows_c = np.arange(len(orgs)), np.arange(len(contacts))
    left = pd.concat([orgs["core"], orgs["trading"]], ignore_index=True)
    right = pd.concat([contacts["core"], contacts["trading"]], ignore_index=True)
    left_rows, right_rows = np.concatenate([rows_o, rows_o]), np.concatenate([rows_c, rows_c])
    left, right = left.where(left.astype(bool)), right.where(right.astype(bool))
    # a name on many records ("cash sales", "sundry customer") is a placeholder, not an identity
    holders = pd.concat([left.value_counts(), right.value_counts()], axis=1).fillna(0).max(axis=1)
    common = holders[holders > NAME_COMMON].index
    left, right = left.where(~left.isin(common)), right.where(~right.isin(common))
    return value_join(left_rows, left, right_rows, right).drop_duplicates()
