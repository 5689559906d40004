"""Which CRM organisation is which Xero contact: links with the key that made each, what is left
unmatched on either side, and which key to store so matching need not be repeated.

Every plausible pair is scored on all the evidence it has (stored ContactID, VAT number, invoices that
bill the organisation's deals, emails and business domains, canonical name, postcode) with points in
the spirit of Fellegi-Sunter weights: strong keys alone make a link, weak ones only together, and a
disagreeing strong key counts against. Pairs are then assigned one-to-one, best first; a record whose
best partner is already taken is kept as a *duplicate* link (two CRM organisations of one Xero
contact, or two Xero contacts of one organisation) rather than reported as unmatched, because the fix
for it is a merge, not a new record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from workbench.profile.findings import Finding, concat_findings, findings_frame, money
from workbench.profile.links import invoice_deal_links, live_sales_invoices
from workbench.profile.names import (
    is_free_mail_domain,
    normalise_email,
    normalise_postcode,
    normalise_vat_number,
    parse_company_name,
    registrable_domain,
    website_domain,
)
from workbench.profile.tables import ProfileTables

# A merge chain longer than this is a data loop, not a real history of merges.
MAX_MERGE_HOPS = 10
STORED_COLUMNS = ["source", "org_id", "stored_contact_id", "contact_id", "state"]

# The keys, strongest first; a link is labelled with the first one that agrees.
KEY_ORDER = ("stored_contact_id", "vat_number", "invoice_reference", "email", "email_domain", "name")

# Points per piece of evidence. ACCEPT is what one strong key (or a name plus a supporting key) earns:
# a stored ContactID or a VAT number links on its own, an exact canonical name alone just reaches it,
# a fuzzy name needs a postcode or domain beside it. Conflicts subtract: two different VAT numbers are
# two legal entities; a legal form that differs (Ltd vs LLP) is a different entity with the same name.
POINTS = {
    "stored": 10.0,
    "vat": 6.0,
    "vat_conflict": -6.0,
    "reference": 5.0,
    "references_repeated": 1.0,
    "email": 5.0,
    "name_exact": 4.0,
    "name_typo": 3.0,  # one word one keystroke apart
    "name_subset": 1.5,  # one name's words inside the other's ("Acme" / "Acme Services")
    "name_near": 1.0,  # token_sort >= NAME_NEAR: similar, but "Northern"/"Southern Trust" are too
    "name_unrelated": -1.5,  # no word in common and not even near
    "postcode": 2.0,
    "postcode_conflict": -0.5,  # weak: billing and office addresses often differ
    "city": 0.5,
    "form_conflict": -1.0,
}
# A business domain shared by few records identifies the business; one shared by many (a group's
# common domain, an accountant's mailbox) says less, and past DOMAIN_COMMON it generates no pairs.
DOMAIN_POINTS = ((2, 4.0), (5, 3.0), (20, 2.0))
DOMAIN_COMMON = 20
NAME_COMMON = 5  # a canonical name on more records than this ("cash sales") is a placeholder
NAME_NEAR = 85
FUZZY_BLOCK_LIMIT = 200  # records per blocking key in the fuzzy pass; bigger blocks are not specific
ACCEPT = 4.0
BANDS = ((8.0, "certain"), (6.0, "likely"), (ACCEPT, "review"))
STRONG_FORMS = frozenset(
    {"ltd", "plc", "llp", "lp", "cic", "cio", "clg", "dac", "unltd", "inc", "llc", "gmbh"}
)
# A Xero customer not invoiced for this long is a lapsed customer: still worth a CRM record, less urgent.
RECENT_CUSTOMER_DAYS = 365
WON_INVOICE_GRACE_DAYS = 14  # as in hygiene: two weeks from winning to billing is an ordinary cycle

LINK_COLUMNS = [
    "source",
    "org_id",
    "contact_id",
    "key",
    "confidence",
    "band",
    "score",
    "assignment",
    "org_name",
    "contact_name",
    "stored",
    "vat_agrees",
    "vat_conflict",
    "reference_invoices",
    "email_agrees",
    "domain_agrees",
    "name_exact",
    "name_score",
    "postcode_agrees",
    "postcode_conflict",
    "form_conflict",
]


@dataclass(frozen=True)
class KeyRecommendation:
    """Per key: coverage on each side, uniqueness, how many links it made and how often it agrees."""

    table: pd.DataFrame
    text: str


@dataclass(frozen=True)
class MatchResult:
    links: pd.DataFrame
    unmatched_crm: list[str]
    unmatched_xero: list[str]
    findings: pd.DataFrame
    key_recommendation: KeyRecommendation


def match_crm_to_xero(tables: ProfileTables) -> MatchResult:
    """Link CRM organisations to Xero contacts and report what stays unlinked."""
    memo: Memo = {}
    crm = crm_keys(tables, memo)
    orgs = crm.orgs
    contacts = xero_keys(tables, memo)
    stored = resolve_stored_contact_ids(tables)
    refs = invoice_deal_links(tables)
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


# --- shared reads -----------------------------------------------------------------------------------
def blank(values: pd.Series) -> pd.Series:
    """True where a text column is missing or only whitespace."""
    return values.isna() | values.astype(str).str.strip().eq("")


def live_organisations(tables: ProfileTables) -> pd.DataFrame:
    orgs = tables["organisations"]
    return orgs[~orgs["is_deleted"].fillna(False).astype(bool)]


Memo = dict[Callable[[Any], Any], dict[Any, Any]]


def _map_unique(values: pd.Series, fn: Callable[[Any], Any], memo: Memo | None = None) -> pd.Series:
    """`fn` applied once per distinct value (the name and key readers are per-value Python); `memo`
    carries the readings across calls, so a name or domain on both sides is read once per run."""
    text = values.where(values.notna(), None)
    seen = {} if memo is None else memo.setdefault(fn, {})
    for value in pd.unique(text.dropna()):
        if value not in seen:
            seen[value] = fn(value)
    return text.map(seen).where(text.notna(), None)


def resolve_stored_contact_ids(tables: ProfileTables) -> pd.DataFrame:
    """Every live CRM organisation's stored Xero ContactID and the contact it resolves to.

    `state` is `ok`, `merged` (the stored contact was merged away in Xero: `contact_id` is the survivor)
    or `missing` (no such contact in the tenant: `contact_id` is None).
    """
    orgs = live_organisations(tables)
    stored = orgs.loc[~blank(orgs["xero_contact_id"]), ["source", "org_id", "xero_contact_id"]]
    stored = stored.rename(columns={"xero_contact_id": "stored_contact_id"}).astype({"org_id": str})
    stored["stored_contact_id"] = stored["stored_contact_id"].astype(str).str.strip()
    contacts = tables["xero_contacts"]
    current = follow_merges(stored["stored_contact_id"], contacts)
    was_merged = current.ne(stored["stored_contact_id"])
    exists = current.isin(set(contacts["contact_id"].astype(str)))
    state = pd.Series("ok", index=stored.index).mask(was_merged, "merged").mask(~exists, "missing")
    out = stored.assign(contact_id=current.where(exists, None), state=state)
    return out[STORED_COLUMNS].reset_index(drop=True)


def follow_merges(contact_ids: pd.Series, contacts: pd.DataFrame) -> pd.Series:
    """Each contact id replaced by the contact it was merged into (through chains of merges)."""
    merged_to = contacts.set_index(contacts["contact_id"].astype(str))["merged_to_contact_id"]
    merged_to = merged_to[~blank(merged_to)].astype(str)
    current = contact_ids.astype(str)
    for _ in range(MAX_MERGE_HOPS):
        step = current.map(merged_to)
        if step.isna().all():
            break
        current = step.fillna(current)
    return current


def stored_contact_links(tables: ProfileTables) -> pd.DataFrame:
    """Org -> Xero contact links from the stored ContactIDs that resolve to a contact."""
    resolved = resolve_stored_contact_ids(tables)
    links = resolved.loc[resolved["contact_id"].notna(), ["source", "org_id", "contact_id"]]
    return links.reset_index(drop=True)


# --- the keys each side offers ----------------------------------------------------------------------
def _name_parts(names: pd.Series, memo: Memo | None = None) -> pd.DataFrame:
    parsed = _map_unique(names, parse_company_name, memo)
    return pd.DataFrame(
        {
            "core": parsed.map(lambda p: p.core if p is not None else ""),
            "trading": parsed.map(lambda p: (p.trading_name or "") if p is not None else ""),
            "form": parsed.map(lambda p: p.legal_form if p is not None else None),
        },
        index=names.index,
    )


@dataclass(frozen=True)
class CrmSide:
    """Live organisations with their comparable keys (row `i` of `orgs` is organisation `i` everywhere
    below), and the emails and business domains each has (website, stated domain, its people's
    addresses), one row per (organisation row, value)."""

    orgs: pd.DataFrame
    emails: pd.DataFrame  # row, email
    domains: pd.DataFrame  # row, domain


def crm_keys(tables: ProfileTables, memo: Memo | None = None) -> CrmSide:
    """The CRM side's keys, each normalised the way `workbench.profile.names` reads it."""
    orgs = live_organisations(tables).astype({"org_id": str}).reset_index(drop=True)
    out = pd.DataFrame(
        {
            "source": orgs["source"],
            "org_id": orgs["org_id"],
            "name": orgs["name"],
            "vat": _map_unique(orgs["vat_number"], normalise_vat_number, memo),
            "postcode": _map_unique(orgs["postcode"], normalise_postcode, memo),
            "city": _map_unique(orgs["city"], _fold_city, memo),
        }
    )
    out = out.join(_name_parts(orgs["name"], memo))
    out["key"] = _keys(out)
    emails, domains = _org_emails_and_domains(tables, orgs, out["key"], memo)
    return CrmSide(out, emails, domains)


def _fold_city(city: str) -> str | None:
    text = " ".join(str(city).casefold().split())
    return text or None


def _org_emails_and_domains(
    tables: ProfileTables, orgs: pd.DataFrame, org_keys: pd.Series, memo: Memo | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    people = tables["people"]
    people = people[~people["is_deleted"].fillna(False).astype(bool) & people["org_id"].notna()]
    row = pd.Index(org_keys).get_indexer(_keys(people))
    listed = people["emails"].explode()
    listed = listed.map(lambda e: e.get("value") if isinstance(e, dict) else e)
    rows = np.concatenate([row, row[people.index.get_indexer(listed.index)]])
    everyone = pd.DataFrame({"row": rows, "email": np.concatenate([people["email"], listed])})
    everyone = everyone[(everyone["row"] >= 0) & everyone["email"].notna()].drop_duplicates()
    everyone["email"] = _map_unique(everyone["email"].astype(str), normalise_email, memo)
    everyone = everyone.dropna().drop_duplicates()
    org_rows = np.arange(len(orgs))
    domains = pd.concat(
        [
            pd.DataFrame(
                {"row": everyone["row"].to_numpy(), "domain": _email_domains(everyone["email"], memo)}
            ),
            pd.DataFrame({"row": org_rows, "domain": _map_unique(orgs["website"], website_domain, memo)}),
            pd.DataFrame({"row": org_rows, "domain": _map_unique(orgs["email_domain"], _domain, memo)}),
        ],
        ignore_index=True,
    )
    domains = domains.dropna().drop_duplicates().astype({"domain": str})
    return everyone.reset_index(drop=True), domains.reset_index(drop=True)


def _email_domains(emails: pd.Series, memo: Memo | None = None) -> pd.Series:
    """`email_domain` of already-normalised addresses, read once per distinct host."""
    present = emails.dropna()
    if present.empty:
        return pd.Series(None, index=emails.index, dtype=object)
    hosts = present.astype(str).str.rpartition("@")[2]
    return _map_unique(hosts, _domain, memo).reindex(emails.index)


def _domain(value: str) -> str | None:
    domain = registrable_domain(value)
    return None if domain is None or is_free_mail_domain(domain) else domain


def xero_keys(tables: ProfileTables, memo: Memo | None = None) -> pd.DataFrame:
    """Xero contacts that can be matched (merged-away ones are skipped: their survivor stands in)."""
    contacts = tables["xero_contacts"]
    contacts = contacts[blank(contacts["merged_to_contact_id"])].astype({"contact_id": str})
    contacts = contacts.reset_index(drop=True)
    out = pd.DataFrame(
        {
            "contact_id": contacts["contact_id"],
            "name": contacts["name"],
            "status": contacts["status"].fillna("ACTIVE").astype(str).str.upper(),
            "vat": _map_unique(contacts["tax_number"], normalise_vat_number, memo),
            "email": _map_unique(contacts["email"], normalise_email, memo),
            "postcode": _map_unique(contacts["postcode"], normalise_postcode, memo),
            "city": _map_unique(contacts["city"], _fold_city, memo),
            "contact_number": contacts["contact_number"],
            "account_number": contacts["account_number"],
        }
    )
    out["domain"] = _email_domains(out["email"], memo)
    return out.join(_name_parts(contacts["name"], memo))


# --- candidate pairs --------------------------------------------------------------------------------
# Pairs are (organisation row, contact row): integer positions into `CrmSide.orgs` and the contacts.
PAIR = ["o", "c"]
FLAGS = ["stored", "vat_agrees", "email_agrees", "domain_agrees"]


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
            "o": org_index.get_indexer(_keys(stored)),
            "c": contact_index.get_indexer(stored["contact_id"].astype(str)),
        }
    )
    billed_rows = pd.DataFrame(
        {
            "o": org_index.get_indexer(_keys(billed)),
            "c": contact_index.get_indexer(billed["contact_id"]),
            "reference_invoices": billed["reference_invoices"].to_numpy(),
        }
    )
    rows = np.arange
    parts = [
        stored_pairs[(stored_pairs["o"] >= 0) & (stored_pairs["c"] >= 0)].assign(stored=True),
        _value_join(rows(len(orgs)), orgs["vat"], rows(len(contacts)), contacts["vat"]).assign(
            vat_agrees=True
        ),
        billed_rows[(billed_rows["o"] >= 0) & (billed_rows["c"] >= 0)],
        _value_join(crm.emails["row"], crm.emails["email"], rows(len(contacts)), contacts["email"]).assign(
            email_agrees=True
        ),
        _domain_pairs(crm.domains, contacts),
        _name_pairs(orgs, contacts),
    ]
    found = [p for p in parts if not p.empty]
    pairs = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=PAIR)
    fuzzy = _fuzzy_pairs(orgs, contacts, pairs)
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


def _value_join(left_rows: Any, left: pd.Series, right_rows: Any, right: pd.Series) -> pd.DataFrame:
    """(o, c) for every pair whose values are equal (blanks never agree), joined on integer codes."""
    left_rows, right_rows = np.asarray(left_rows), np.asarray(right_rows)
    lmask, rmask = left.notna().to_numpy(), right.notna().to_numpy()
    codes, _ = pd.factorize(pd.concat([left[lmask].astype(str), right[rmask].astype(str)], ignore_index=True))
    a = pd.DataFrame({"o": left_rows[lmask], "k": codes[: lmask.sum()]})
    b = pd.DataFrame({"c": right_rows[rmask], "k": codes[lmask.sum() :]})
    return a.merge(b, on="k")[PAIR]


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """Key columns as text, so an all-blank (float NaN) column still joins with a populated one."""
    return frame.astype(str)


def billed_pairs(tables: ProfileTables, contacts: pd.DataFrame, refs: pd.DataFrame) -> pd.DataFrame:
    """(source, org_id, contact_id, reference_invoices) for every contact billed for an organisation's
    deals, read from the invoice References (`invoice_deal_links`: one row per invoice)."""
    columns = ["source", "org_id", "contact_id", "reference_invoices"]
    refs = refs[refs["deal_exists"].astype(bool)]
    deals = tables["deals"][["source", "deal_id", "org_id"]].dropna().drop_duplicates(["source", "deal_id"])
    if refs.empty or deals.empty:
        return pd.DataFrame(columns=columns)
    at = pd.Index(_keys(deals, "deal_id")).get_indexer(_keys(refs, "deal_id"))
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
    pairs = _value_join(
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
    return _value_join(left_rows, left, right_rows, right).drop_duplicates()


def _fuzzy_pairs(orgs: pd.DataFrame, contacts: pd.DataFrame, exact: pd.DataFrame) -> pd.DataFrame:
    """One-keystroke typo pairs ("Brightwatr" / "Brightwater Plumbing") for records no exact key paired.

    Only such a typo earns a fuzzy pair enough points to be linked (with a postcode beside it), so the
    blocks are built to hold one (see `_typo_keys`): "same first word" would pair thousands of records.
    Blocks are integer-coded so the joins stay cheap at 100,000 records a side.
    """
    cores = pd.Index(pd.unique(pd.concat([orgs["core"], contacts["core"]]).astype(str)))
    cores = cores[cores.str.len() > 0]
    if cores.empty:
        return pd.DataFrame(columns=PAIR)
    keyed = pd.DataFrame({"core": np.arange(len(cores)), "block": [_typo_keys(c) for c in cores]})
    keyed = keyed.explode("block")
    keyed["block"] = pd.factorize(keyed["block"])[0]
    org_rows = _blocks(cores.get_indexer(orgs["core"].astype(str)), keyed)
    contact_rows = _blocks(cores.get_indexer(contacts["core"].astype(str)), keyed)
    sizes = np.bincount(np.concatenate([org_rows["block"], contact_rows["block"]]), minlength=1)
    org_rows = org_rows[sizes[org_rows["block"]] <= FUZZY_BLOCK_LIMIT]
    contact_rows = contact_rows[sizes[contact_rows["block"]] <= FUZZY_BLOCK_LIMIT]
    paired_orgs = np.zeros(len(orgs), dtype=bool)
    paired_contacts = np.zeros(len(contacts), dtype=bool)
    if not exact.empty:
        paired_orgs[exact["o"].to_numpy(dtype=np.int64)] = True
        paired_contacts[exact["c"].to_numpy(dtype=np.int64)] = True
    lone_o = org_rows[~paired_orgs[org_rows["row"]]]
    lone_c = contact_rows[~paired_contacts[contact_rows["row"]]]
    joined = pd.concat(
        [lone_o.merge(contact_rows, on="block"), org_rows.merge(lone_c, on="block")], ignore_index=True
    )
    joined = joined.drop_duplicates(["row_x", "row_y"])
    if joined.empty:
        return pd.DataFrame(columns=PAIR)
    # each distinct pair of names is judged once, however many records carry them
    names = joined.drop_duplicates(["core_x", "core_y"])
    left, right = cores[names["core_x"]].tolist(), cores[names["core_y"]].tolist()
    close = np.asarray(process.cpdist(left, right, scorer=fuzz.ratio, workers=-1)) >= 80
    slips = names.loc[[bool(k) and _one_slip(a, b) for a, b, k in zip(left, right, close, strict=True)]]
    joined = joined.merge(slips[["core_x", "core_y"]], on=["core_x", "core_y"])
    return pd.DataFrame({"o": joined["row_x"].to_numpy(), "c": joined["row_y"].to_numpy()})


def _blocks(core_of_row: np.ndarray, keyed: pd.DataFrame) -> pd.DataFrame:
    """(row, core, block) for every record with a name, from its core's typo keys."""
    rows = pd.DataFrame({"row": np.arange(len(core_of_row)), "core": core_of_row})
    rows = rows[rows["core"] >= 0]
    return rows.merge(keyed, on="core").astype({"block": np.int64})


def _typo_keys(core: str) -> list[str]:
    """Blocking keys of which one survives any single typo.

    Per word: the other words, and the word's first (or last) two letters; one keystroke in a word of
    four or more letters leaves one end intact (bar a swap of the middle two letters of a four-letter
    word). One-word names: their first or last two letters.
    """
    words = core.split()
    if len(words) == 1:
        return [f"<{core[:2]}", f">{core[-2:]}"]
    keys = []
    for i, word in enumerate(words):
        others = " ".join(words[:i] + words[i + 1 :])
        keys.append(f"{i}<{word[:2]}|{others}")
        keys.append(f"{i}>{word[-2:]}|{others}")
    return keys


# --- scoring ----------------------------------------------------------------------------------------
def score_pairs(pairs: pd.DataFrame, orgs: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """Every candidate pair with its evidence columns, points, band and confidence."""
    p = pairs.copy()
    if p.empty:
        return p.assign(score=pd.Series(dtype=float))
    o_rows, c_rows = p["o"].to_numpy(dtype=np.int64), p["c"].to_numpy(dtype=np.int64)

    def side(frame: pd.DataFrame, column: str, rows: np.ndarray) -> pd.Series:
        return pd.Series(frame[column].to_numpy()[rows], index=p.index)

    o_vat, c_vat = side(orgs, "vat", o_rows), side(contacts, "vat", c_rows)
    both_vat = o_vat.notna() & c_vat.notna()
    p["vat_conflict"] = both_vat & o_vat.ne(c_vat)
    p["vat_agrees"] = p["vat_agrees"] | (both_vat & o_vat.eq(c_vat))
    names = name_evidence(
        side(orgs, "core", o_rows),
        side(contacts, "core", c_rows),
        side(orgs, "trading", o_rows),
        side(contacts, "trading", c_rows),
    )
    p["name_exact"], p["name_score"] = names["exact"], names["score"]
    o_pc, c_pc = side(orgs, "postcode", o_rows), side(contacts, "postcode", c_rows)
    both_pc = o_pc.notna() & c_pc.notna()
    p["postcode_agrees"] = both_pc & o_pc.eq(c_pc)
    p["postcode_conflict"] = both_pc & ~p["postcode_agrees"]
    o_city = side(orgs, "city", o_rows)
    city = ~both_pc & o_city.notna() & o_city.eq(side(contacts, "city", c_rows))
    o_form, c_form = side(orgs, "form", o_rows), side(contacts, "form", c_rows)
    p["form_conflict"] = o_form.isin(STRONG_FORMS) & c_form.isin(STRONG_FORMS) & o_form.ne(c_form)
    score = (
        p["stored"] * POINTS["stored"]
        + p["vat_agrees"] * POINTS["vat"]
        + p["vat_conflict"] * POINTS["vat_conflict"]
        + p["reference_invoices"].gt(0) * POINTS["reference"]
        + p["reference_invoices"].gt(1) * POINTS["references_repeated"]
        + p["email_agrees"] * POINTS["email"]
        + p["domain_points"]
        + p["postcode_agrees"] * POINTS["postcode"]
        + p["postcode_conflict"] * POINTS["postcode_conflict"]
        + city * POINTS["city"]
        + p["form_conflict"] * POINTS["form_conflict"]
    )
    name_points = np.select(
        [names["exact"], names["typo"], names["subset"], names["near"], names["unrelated"]],
        [
            POINTS["name_exact"],
            POINTS["name_typo"],
            POINTS["name_subset"],
            POINTS["name_near"],
            POINTS["name_unrelated"],
        ],
        0.0,
    )
    p["score"] = (score + name_points).astype(float)
    p["key"] = np.select(
        [p["stored"], p["vat_agrees"], p["reference_invoices"].gt(0), p["email_agrees"], p["domain_agrees"]],
        list(KEY_ORDER[:5]),
        "name",
    )
    p["band"] = np.select([p["score"] >= limit for limit, _ in BANDS], [band for _, band in BANDS], "none")
    # every two points of agreeing evidence halves the remaining doubt
    p["confidence"] = (1 - np.power(0.5, p["score"].clip(lower=0) / 2)).round(3)
    for column, frame, rows in (
        ("source", orgs, o_rows),
        ("org_id", orgs, o_rows),
        ("contact_id", contacts, c_rows),
    ):
        p[column] = frame[column].to_numpy()[rows]
    p["org_name"], p["contact_name"] = side(orgs, "name", o_rows), side(contacts, "name", c_rows)
    return p


def name_evidence(
    left: pd.Series, right: pd.Series, left_trading: pd.Series, right_trading: pd.Series
) -> pd.DataFrame:
    """How two canonical company names compare, per pair: `exact` (same words, or one is the other's
    trading name), `typo` (one word one keystroke apart), `subset` (one's words all in the other),
    `near` (token_sort >= NAME_NEAR), `unrelated` (no word, initials or spelling in common)."""
    a, b = left.tolist(), right.tolist()
    sort = np.asarray(process.cpdist(a, b, scorer=fuzz.token_sort_ratio, workers=-1), dtype=float)
    subset = np.asarray(process.cpdist(a, b, scorer=fuzz.token_set_ratio, workers=-1), dtype=float)
    named = left.astype(bool).to_numpy() & right.astype(bool).to_numpy()
    frame = pd.DataFrame({"l": left, "r": right, "lt": left_trading, "rt": right_trading})
    exact = _any_equal(frame, ("l", "lt"), ("r", "rt")).to_numpy() | (named & (sort >= 100))
    exact |= named & (left.str.replace(" ", "").to_numpy() == right.str.replace(" ", "").to_numpy())
    typo = np.zeros(len(a), dtype=bool)
    unrelated = np.zeros(len(a), dtype=bool)
    for i in np.flatnonzero(named & ~exact):
        if sort[i] >= 80:
            typo[i] = _one_slip(a[i], b[i])
        else:
            unrelated[i] = not (set(a[i].split()) & set(b[i].split())) and not _acronym(a[i], b[i])
    return pd.DataFrame(
        {
            "exact": exact,
            "typo": typo,
            "subset": named & ~exact & (subset >= 100),
            "near": named & ~exact & (sort >= NAME_NEAR),
            "unrelated": unrelated,
            "score": sort.round(1),
        },
        index=left.index,
    )


def _one_slip(a: str, b: str) -> bool:
    """One word differs by one dropped, doubled, swapped or changed letter ("Brightwatr" / "Brightwater");
    "Northern" / "Southern" differ by two and stay apart."""
    left, right = a.split(), b.split()
    if len(left) != len(right):
        return False
    differ = [(x, y) for x, y in zip(left, right, strict=True) if x != y]
    if len(differ) != 1:
        return False
    x, y = differ[0]
    return min(len(x), len(y)) >= 4 and DamerauLevenshtein.distance(x, y) <= 1


def _acronym(a: str, b: str) -> bool:
    """ "copper beech garden centre" / "cbgc trading": one name's initials are a word of the other."""

    def initials(name: str) -> str:
        words = name.split()
        return "".join(w[0] for w in words) if len(words) >= 2 else ""

    return bool(initials(a) and initials(a) in b.split()) or bool(initials(b) and initials(b) in a.split())


def _any_equal(p: pd.DataFrame, left: tuple[str, ...], right: tuple[str, ...]) -> pd.Series:
    equal = pd.Series(False, index=p.index)
    for a in left:
        for b in right:
            equal |= p[a].astype(bool) & p[a].eq(p[b])
    return equal


# --- one-to-one assignment --------------------------------------------------------------------------
def assign_links(scored: pd.DataFrame) -> pd.DataFrame:
    """Accepted pairs assigned one-to-one, best first; the rest of each record's best pair kept as a
    duplicate link when its partner was taken by a better pair. Keeps the row columns `o`, `c`."""
    if scored.empty:
        return pd.DataFrame(columns=[*LINK_COLUMNS, *PAIR])
    accepted = scored[scored["score"] >= ACCEPT].copy()
    priority = {k: i for i, k in enumerate(KEY_ORDER)}
    accepted["_priority"] = accepted["key"].map(priority)
    accepted = accepted.sort_values(
        ["score", "_priority", "source", "org_id", "contact_id"], ascending=[False, True, True, True, True]
    )
    taken_orgs = np.zeros(int(accepted["o"].max()) + 1 if len(accepted) else 0, dtype=bool)
    taken_contacts = np.zeros(int(accepted["c"].max()) + 1 if len(accepted) else 0, dtype=bool)
    primary = np.zeros(len(accepted), dtype=bool)
    for n, (o, c) in enumerate(zip(accepted["o"].tolist(), accepted["c"].tolist(), strict=True)):
        if not taken_orgs[o] and not taken_contacts[c]:
            taken_orgs[o] = taken_contacts[c] = primary[n] = True
    accepted["assignment"] = pd.Series(primary, index=accepted.index).map({True: "one_to_one", False: None})
    rest = accepted[~primary]
    # an organisation left over whose best contact is taken is a second CRM record of that contact
    spare_orgs = rest[~taken_orgs[rest["o"].to_numpy(dtype=np.int64)]].drop_duplicates("o")
    spare_contacts = rest[~taken_contacts[rest["c"].to_numpy(dtype=np.int64)]].drop_duplicates("c")
    links = pd.concat(
        [
            accepted[primary],
            spare_orgs.assign(assignment="duplicate_org"),
            spare_contacts.assign(assignment="duplicate_contact"),
        ]
    )
    links = links.drop_duplicates(PAIR)
    return links[[*LINK_COLUMNS, *PAIR]].reset_index(drop=True)


# --- findings ---------------------------------------------------------------------------------------
def orgs_without_contact(tables: ProfileTables, unmatched: pd.DataFrame, refs: pd.DataFrame) -> list[Finding]:
    """Unmatched organisations that have won deals: those deals must be invoiced to a Xero contact that
    does not exist (or that no key can find). Organisations with only open or lost deals, or none, are
    prospects: unmatched is their normal state, so they are listed, not reported."""
    deals = tables["deals"]
    columns = [
        "source",
        "deal_id",
        "org_id",
        "title",
        "value",
        "currency",
        "status",
        "is_won",
        "won_time",
        "close_time",
    ]
    deals = deals.loc[~deals["is_deleted"].fillna(False).astype(bool), columns].astype(
        {"org_id": str, "deal_id": str}
    )
    won = deals[
        deals["status"].astype(str).str.lower().eq("won") | deals["is_won"].fillna(False).astype(bool)
    ]
    won = won.merge(unmatched[["source", "org_id", "name"]], on=["source", "org_id"])
    won_day = pd.to_datetime(won["won_time"].fillna(won["close_time"]), utc=True).dt.tz_localize(None)
    won = won.assign(late=(pd.Timestamp(tables.as_of) - won_day) > pd.Timedelta(days=WON_INVOICE_GRACE_DAYS))
    invoiced = set(_keys(refs, "deal_id"))
    won = won.assign(invoiced=_keys(won, "deal_id").isin(invoiced))
    findings = []
    for (source, org_id), group in sorted(group_records(won, ["source", "org_id"]).items()):
        name = group[0]["name"]
        unbilled = [d["deal_id"] for d in group if not d["invoiced"]]
        late = any(d["late"] and d["deal_id"] in unbilled for d in group)
        findings.append(
            Finding(
                kind="crm_org_without_xero_contact",
                # won work that should already have been billed cannot be, until the contact exists
                severity="high" if late else "medium",
                subject_table="organisations",
                subject_id=str(org_id),
                explanation=(
                    f"CRM organisation {name} has {len(group)} won deal(s), {deal_list(group)}, but matches "
                    "no Xero contact by stored ContactID, VAT number, invoice reference, email, domain or "
                    "name."
                ),
                fix=(
                    f"Search Xero for {name} under another name; link it by storing its ContactID on the "
                    "organisation, or create the contact from the CRM record before invoicing."
                ),
                records={"organisations": [str(org_id)], "deals": [d["deal_id"] for d in group]},
                evidence={"won_deals": len(group), "unbilled_deals": unbilled, "source": source},
            )
        )
    return findings


def group_records(frame: pd.DataFrame, keys: list[str]) -> dict[Any, list[dict[str, Any]]]:
    """Rows as dicts grouped by `keys` (a tuple key for several): building findings group by group from
    plain dicts is far cheaper than slicing a DataFrame per group."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in frame.to_dict("records"):
        key = tuple(row[k] for k in keys) if len(keys) > 1 else row[keys[0]]
        groups.setdefault(key, []).append(row)
    return groups


def deal_list(deals: list[dict[str, Any]], limit: int = 5) -> str:
    """`"1172 'Trent - Survey' (£900.00), ..."` for the first `limit` deals."""
    shown = [f"{d['deal_id']} '{d['title']}' ({money(d['value'], d['currency'])})" for d in deals[:limit]]
    more = len(deals) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def totals_by_currency(rows: list[dict[str, Any]], column: str) -> str:
    """`"£1,200.00 + €80.00"`: amounts summed per currency (Decimal), never converted."""
    totals: dict[str, Any] = {}
    for row in rows:
        value = row[column]
        if value is None or pd.isna(value):
            continue
        code = row["currency"] if isinstance(row["currency"], str) and row["currency"] else "GBP"
        totals[code] = totals.get(code, 0) + value
    return " + ".join(money(v, c) for c, v in sorted(totals.items())) or "no value"


def contacts_without_org(tables: ProfileTables, unmatched: pd.DataFrame) -> list[Finding]:
    """Unmatched active Xero contacts that are customers (billed on a live sales invoice).

    Suppliers only buy from nobody in the CRM's sense and archived contacts are finished business:
    neither needs a CRM organisation. A customer does: sales cannot see its billing, and the first deal
    the CRM wins for it will create a second Xero contact.
    """
    active = unmatched[unmatched["status"].eq("ACTIVE")]
    names = dict(zip(active["contact_id"], active["name"], strict=True))
    sales = live_sales_invoices(tables)
    sales = sales[sales["contact_id"].isin(set(names))]
    recent = pd.Timestamp(tables.as_of) - pd.Timedelta(days=RECENT_CUSTOMER_DAYS)
    findings = []
    for contact_id, group in sorted(group_records(sales, ["contact_id"]).items()):
        name = names[contact_id]
        last = max(pd.Timestamp(i["date"]) for i in group)
        findings.append(
            Finding(
                kind="xero_contact_without_crm_org",
                severity="medium" if last >= recent else "low",
                subject_table="xero_contacts",
                subject_id=str(contact_id),
                explanation=(
                    f"Xero customer {name} has {len(group)} live sales invoice(s) "
                    f"({totals_by_currency(group, 'total')}, last on {last:%d %b %Y}) but matches no CRM "
                    "organisation."
                ),
                fix=(
                    f"Find {name} in the CRM under another name and store this ContactID on it, or create "
                    "the organisation (with the ContactID) so the sync does not create a second Xero contact."
                ),
                records={
                    "xero_contacts": [str(contact_id)],
                    "invoices": [str(i["invoice_id"]) for i in group],
                },
                evidence={"sales_invoices": len(group), "last_invoice": f"{last:%Y-%m-%d}"},
            )
        )
    return findings


def invalid_stored_ids(tables: ProfileTables, stored: pd.DataFrame) -> list[Finding]:
    """Stored Xero ContactIDs that point at no contact, or at one merged into another."""
    names = dict(
        zip(tables["organisations"]["org_id"].astype(str), tables["organisations"]["name"], strict=True)
    )
    contacts = tables["xero_contacts"]
    contact_names = dict(zip(contacts["contact_id"].astype(str), contacts["name"], strict=True))
    findings = []
    for row in stored[stored["state"].ne("ok")].itertuples(index=False):
        org = names.get(row.org_id, row.org_id)
        if row.state == "missing":
            explanation = (
                f"CRM organisation {org} stores Xero ContactID {row.stored_contact_id}, which is no contact "
                "in this Xero tenant (deleted, another tenant, or mistyped)."
            )
            fix = f"Replace the stored ContactID on {org} with the right contact's (see the match links)."
        else:
            survivor = contact_names.get(row.contact_id, row.contact_id)
            explanation = (
                f"CRM organisation {org} stores Xero ContactID {row.stored_contact_id}, a contact merged "
                f"into {survivor} ({row.contact_id})."
            )
            fix = f"Store {row.contact_id} on {org}; Xero keeps only the surviving contact live."
        findings.append(
            Finding(
                kind="stored_contact_id_invalid",
                severity="high" if row.state == "missing" else "medium",
                subject_table="organisations",
                subject_id=str(row.org_id),
                explanation=explanation,
                fix=fix,
                records={
                    "organisations": [str(row.org_id)],
                    **({"xero_contacts": [row.contact_id]} if row.contact_id else {}),
                },
                evidence={"stored_contact_id": row.stored_contact_id, "state": row.state},
            )
        )
    return findings


# --- key recommendation -----------------------------------------------------------------------------
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
    has_stored = on_orgs(org_index.get_indexer(_keys(stored)))
    has_email, has_domain = on_orgs(crm.emails["row"]), on_orgs(crm.domains["row"])
    was_billed = on_orgs(org_index.get_indexer(_keys(billed)))
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


def _keys(frame: pd.DataFrame, id_column: str = "org_id") -> pd.Series:
    """One text key per row from the CRM and its record id, for fast membership tests across frames
    (ids are only unique within one CRM)."""
    return frame["source"].astype(str) + "\x1f" + frame[id_column].astype(str)


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
