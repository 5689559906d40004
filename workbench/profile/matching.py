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

from workbench.profile.findings import Finding, concat_findings, findings_frame, money
from workbench.profile.links import invoice_deal_links, live_sales_invoices
from workbench.profile.names import (
    email_domain,
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
    "name_close": 3.0,  # token_sort >= NAME_CLOSE
    "name_near": 2.0,  # token_sort >= NAME_NEAR
    "name_subset": 1.5,  # one name's words inside the other's ("Acme" / "Acme Services")
    "name_unrelated": -2.0,  # no word in common and not even near
    "postcode": 2.0,
    "postcode_conflict": -1.0,
    "city": 0.5,
    "form_conflict": -1.0,
}
# A business domain shared by few records identifies the business; one shared by many (a group's
# common domain, an accountant's mailbox) says less, and past DOMAIN_COMMON it generates no pairs.
DOMAIN_POINTS = ((2, 4.0), (5, 3.0), (20, 2.0))
DOMAIN_COMMON = 20
NAME_COMMON = 5  # a canonical name on more records than this ("cash sales") is a placeholder
NAME_CLOSE, NAME_NEAR = 92, 85
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
    orgs = crm_keys(tables)
    contacts = xero_keys(tables)
    stored = resolve_stored_contact_ids(tables)
    pairs = candidate_pairs(tables, orgs, contacts, stored)
    scored = score_pairs(pairs, orgs, contacts)
    links = assign_links(scored)
    linked_orgs = set(zip(links["source"], links["org_id"], strict=True))
    org_key = pd.Series(list(zip(orgs["source"], orgs["org_id"], strict=True)), index=orgs.index)
    unmatched_orgs = orgs[~org_key.isin(linked_orgs)]
    unmatched_contacts = contacts[~contacts["contact_id"].isin(set(links["contact_id"]))]
    findings = concat_findings(
        [
            findings_frame(orgs_without_contact(tables, unmatched_orgs)),
            findings_frame(contacts_without_org(tables, unmatched_contacts)),
            findings_frame(invalid_stored_ids(tables, stored)),
        ]
    )
    return MatchResult(
        links=links,
        unmatched_crm=unmatched_orgs["org_id"].tolist(),
        unmatched_xero=unmatched_contacts["contact_id"].tolist(),
        findings=findings,
        key_recommendation=recommend_keys(tables, orgs, contacts, links),
    )


# --- shared reads -----------------------------------------------------------------------------------
def blank(values: pd.Series) -> pd.Series:
    """True where a text column is missing or only whitespace."""
    return values.isna() | values.astype(str).str.strip().eq("")


def live_organisations(tables: ProfileTables) -> pd.DataFrame:
    orgs = tables["organisations"]
    return orgs[~orgs["is_deleted"].fillna(False).astype(bool)]


def _map_unique(values: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """`fn` applied once per distinct value (the name and key readers are per-value Python)."""
    text = values.where(values.notna(), None)
    uniques = pd.unique(text.dropna())
    lookup = {u: fn(u) for u in uniques}
    return text.map(lookup).where(text.notna(), None)


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
def _name_parts(names: pd.Series) -> pd.DataFrame:
    parsed = _map_unique(names, parse_company_name)
    return pd.DataFrame(
        {
            "core": parsed.map(lambda p: p.core if p is not None else ""),
            "trading": parsed.map(lambda p: (p.trading_name or "") if p is not None else ""),
            "form": parsed.map(lambda p: p.legal_form if p is not None else None),
        },
        index=names.index,
    )


def crm_keys(tables: ProfileTables) -> pd.DataFrame:
    """Live organisations with their comparable keys; `emails`/`domains` are sets (people included)."""
    orgs = live_organisations(tables).astype({"org_id": str})
    out = pd.DataFrame(
        {
            "source": orgs["source"],
            "org_id": orgs["org_id"],
            "name": orgs["name"],
            "vat": _map_unique(orgs["vat_number"], normalise_vat_number),
            "postcode": _map_unique(orgs["postcode"], normalise_postcode),
            "city": _map_unique(orgs["city"], _fold_city),
        }
    )
    out = out.join(_name_parts(orgs["name"]))
    emails, domains = _org_emails_and_domains(tables, orgs)
    key = pd.Series(list(zip(out["source"], out["org_id"], strict=True)), index=out.index)
    out["emails"] = key.map(emails)
    out["domains"] = key.map(domains)
    for column in ("emails", "domains"):
        out[column] = out[column].map(lambda s: s if isinstance(s, frozenset) else frozenset())
    return out.reset_index(drop=True)


def _fold_city(city: str) -> str | None:
    text = " ".join(str(city).casefold().split())
    return text or None


def _org_emails_and_domains(
    tables: ProfileTables, orgs: pd.DataFrame
) -> tuple[dict[tuple[str, str], frozenset[str]], dict[tuple[str, str], frozenset[str]]]:
    people = tables["people"]
    people = people[~people["is_deleted"].fillna(False).astype(bool) & people["org_id"].notna()]
    listed = people[["source", "org_id", "emails"]].explode("emails")
    listed["email"] = listed["emails"].map(lambda e: e.get("value") if isinstance(e, dict) else e)
    everyone = pd.concat(
        [people[["source", "org_id", "email"]], listed[["source", "org_id", "email"]]], ignore_index=True
    ).dropna()
    everyone = everyone.astype({"org_id": str, "email": str})
    everyone["email"] = _map_unique(everyone["email"], normalise_email)
    everyone = everyone.dropna().drop_duplicates()
    everyone["domain"] = _map_unique(everyone["email"], email_domain)
    site = pd.DataFrame(
        {
            "source": orgs["source"],
            "org_id": orgs["org_id"],
            "domain": _map_unique(orgs["website"], website_domain),
        }
    )
    stated = pd.DataFrame(
        {
            "source": orgs["source"],
            "org_id": orgs["org_id"],
            "domain": _map_unique(orgs["email_domain"], _domain),
        }
    )
    domains = pd.concat([everyone[["source", "org_id", "domain"]], site, stated]).dropna().drop_duplicates()
    return _sets(everyone, "email"), _sets(domains, "domain")


def _domain(value: str) -> str | None:
    domain = registrable_domain(value)
    return None if domain is None or is_free_mail_domain(domain) else domain


def _sets(frame: pd.DataFrame, column: str) -> dict[tuple[str, str], frozenset[str]]:
    grouped = frame.groupby(["source", "org_id"])[column].agg(frozenset)
    return grouped.to_dict()


def xero_keys(tables: ProfileTables) -> pd.DataFrame:
    """Xero contacts that can be matched (merged-away ones are skipped: their survivor stands in)."""
    contacts = tables["xero_contacts"]
    contacts = contacts[blank(contacts["merged_to_contact_id"])].astype({"contact_id": str})
    out = pd.DataFrame(
        {
            "contact_id": contacts["contact_id"],
            "name": contacts["name"],
            "status": contacts["status"].fillna("ACTIVE").astype(str).str.upper(),
            "vat": _map_unique(contacts["tax_number"], normalise_vat_number),
            "email": _map_unique(contacts["email"], normalise_email),
            "postcode": _map_unique(contacts["postcode"], normalise_postcode),
            "city": _map_unique(contacts["city"], _fold_city),
            "contact_number": contacts["contact_number"],
            "account_number": contacts["account_number"],
        }
    )
    out["domain"] = _map_unique(out["email"], email_domain)
    out = out.join(_name_parts(contacts["name"]))
    return out.reset_index(drop=True)


# --- candidate pairs --------------------------------------------------------------------------------
PAIR = ["source", "org_id", "contact_id"]


def candidate_pairs(
    tables: ProfileTables, orgs: pd.DataFrame, contacts: pd.DataFrame, stored: pd.DataFrame
) -> pd.DataFrame:
    """Every (organisation, contact) pair some key puts side by side, with the keys that did.

    Exact passes (stored id, VAT, invoices, email, domain, name) first; then a fuzzy name pass for the
    records no exact key paired, blocked on the first word of the name and on the postcode.
    """
    known = set(contacts["contact_id"])
    parts = [
        stored.loc[stored["contact_id"].isin(known), PAIR].assign(stored=True),
        _join_on(orgs, contacts, "vat", "vat").assign(vat_agrees=True),
        _reference_pairs(tables, contacts),
        _join_on(orgs.explode("emails").rename(columns={"emails": "e"}), contacts, "e", "email").assign(
            email_agrees=True
        ),
        _domain_pairs(orgs, contacts),
        _name_pairs(orgs, contacts),
    ]
    pairs = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    if pairs.empty:
        pairs = pd.DataFrame(columns=PAIR)
    fuzzy = _fuzzy_pairs(orgs, contacts, pairs)
    pairs = pd.concat([pairs, fuzzy], ignore_index=True) if not fuzzy.empty else pairs
    flags = ["stored", "vat_agrees", "email_agrees", "domain_agrees"]
    for flag in flags:
        if flag not in pairs.columns:
            pairs[flag] = False
    if "reference_invoices" not in pairs.columns:
        pairs["reference_invoices"] = 0
    if "domain_points" not in pairs.columns:
        pairs["domain_points"] = 0.0
    pairs[flags] = pairs[flags].eq(True)
    pairs["reference_invoices"] = pairs["reference_invoices"].fillna(0).astype(int)
    pairs["domain_points"] = pairs["domain_points"].fillna(0.0).astype(float)
    return pairs.groupby(PAIR, as_index=False, sort=False).agg(
        {**dict.fromkeys(flags, "max"), "reference_invoices": "max", "domain_points": "max"}
    )


def _join_on(
    orgs: pd.DataFrame, contacts: pd.DataFrame, org_column: str, contact_column: str
) -> pd.DataFrame:
    left = _text(orgs[["source", "org_id", org_column]].dropna())
    right = _text(contacts[["contact_id", contact_column]].dropna())
    return left.merge(right, left_on=org_column, right_on=contact_column)[PAIR]


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """Key columns as text, so an all-blank (float NaN) column still joins with a populated one."""
    return frame.astype(str)


def _reference_pairs(tables: ProfileTables, contacts: pd.DataFrame) -> pd.DataFrame:
    """Organisations whose deals were billed to a contact, read from the invoice References."""
    refs = invoice_deal_links(tables)
    refs = refs[refs["deal_exists"]]
    if refs.empty:
        return pd.DataFrame(columns=[*PAIR, "reference_invoices"])
    deals = tables["deals"][["source", "deal_id", "org_id"]].dropna().astype({"deal_id": str, "org_id": str})
    invoices = tables["invoices"][["invoice_id", "contact_id"]].dropna()
    billed = refs.merge(deals, on=["source", "deal_id"]).merge(invoices, on="invoice_id")
    billed["contact_id"] = follow_merges(billed["contact_id"], tables["xero_contacts"]).to_numpy()
    billed = billed[billed["contact_id"].isin(set(contacts["contact_id"]))]
    counted = billed.groupby(PAIR)["invoice_id"].nunique().rename("reference_invoices")
    return counted.reset_index()


def _domain_pairs(orgs: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    left = _text(orgs[["source", "org_id", "domains"]].explode("domains").dropna())
    left = left.rename(columns={"domains": "domain"})
    right = _text(contacts[["contact_id", "domain"]].dropna())
    spread = pd.concat(
        [left.groupby("domain").size().rename("orgs"), right.groupby("domain").size().rename("contacts")],
        axis=1,
    ).fillna(0)
    spread["n"] = spread[["orgs", "contacts"]].max(axis=1)
    usable = spread[spread["n"] <= DOMAIN_COMMON]
    points = pd.Series(0.0, index=usable.index)
    for limit, value in reversed(DOMAIN_POINTS):
        points = points.mask(usable["n"] <= limit, value)
    pairs = left.merge(right, on="domain").merge(
        points.rename("domain_points"), left_on="domain", right_index=True
    )
    return pairs[[*PAIR, "domain_points"]].assign(domain_agrees=True)


def _name_pairs(orgs: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """Pairs whose canonical name (or trading name) is the same on both sides."""
    left = pd.concat(
        [orgs[["source", "org_id", "core"]].rename(columns={"core": "n"}),
         orgs[["source", "org_id", "trading"]].rename(columns={"trading": "n"})]
    )  # fmt: skip
    right = pd.concat(
        [contacts[["contact_id", "core"]].rename(columns={"core": "n"}),
         contacts[["contact_id", "trading"]].rename(columns={"trading": "n"})]
    )  # fmt: skip
    left, right = left[left["n"].astype(bool)], right[right["n"].astype(bool)]
    common = pd.concat([left.groupby("n").size(), right.groupby("n").size()], axis=1).fillna(0).max(axis=1)
    usable = set(common[common <= NAME_COMMON].index)
    pairs = left[left["n"].isin(usable)].merge(right[right["n"].isin(usable)], on="n")
    return pairs[PAIR].drop_duplicates()


def _fuzzy_pairs(orgs: pd.DataFrame, contacts: pd.DataFrame, exact: pd.DataFrame) -> pd.DataFrame:
    """Pairs for records no exact key paired: same first name word, or same postcode (for a typo in the
    first word), scored later on the whole name."""
    paired_orgs = set(zip(exact["source"], exact["org_id"], strict=True)) if not exact.empty else set()
    paired_contacts = set(exact["contact_id"]) if not exact.empty else set()
    org_key = pd.Series(list(zip(orgs["source"], orgs["org_id"], strict=True)), index=orgs.index)
    lone_orgs = orgs[~org_key.isin(paired_orgs)]
    lone_contacts = contacts[~contacts["contact_id"].isin(paired_contacts)]
    out = []
    for block in ("first_word", "postcode"):
        o = _blocked(orgs, block)
        c = _blocked(contacts, block)
        for left, right in ((_blocked(lone_orgs, block), c), (o, _blocked(lone_contacts, block))):
            if left.empty or right.empty:
                continue
            sizes = right.groupby("block").size()
            right = right[right["block"].map(sizes) <= FUZZY_BLOCK_LIMIT]
            out.append(
                left[["source", "org_id", "block"]].merge(right[["contact_id", "block"]], on="block")[PAIR]
            )
    if not out:
        return pd.DataFrame(columns=PAIR)
    return pd.concat(out, ignore_index=True).drop_duplicates()


def _blocked(frame: pd.DataFrame, block: str) -> pd.DataFrame:
    key = frame["core"].str.split(" ", n=1).str[0] if block == "first_word" else frame["postcode"]
    out = frame.assign(block=key)
    return out[out["block"].notna() & out["block"].astype(str).str.len().gt(0)]


# --- scoring ----------------------------------------------------------------------------------------
def score_pairs(pairs: pd.DataFrame, orgs: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """Every candidate pair with its evidence columns, points, band and confidence."""
    o = orgs.drop(columns=["emails", "domains"]).add_prefix("o_")
    c = contacts.add_prefix("c_")
    p = pairs.merge(o, left_on=["source", "org_id"], right_on=["o_source", "o_org_id"]).merge(
        c, left_on="contact_id", right_on="c_contact_id"
    )
    if p.empty:
        return p.assign(score=pd.Series(dtype=float))
    both_vat = p["o_vat"].notna() & p["c_vat"].notna()
    p["vat_conflict"] = both_vat & p["o_vat"].ne(p["c_vat"])
    p["vat_agrees"] = p["vat_agrees"] | (both_vat & p["o_vat"].eq(p["c_vat"]))
    p["name_exact"] = _any_equal(p, ("o_core", "o_trading"), ("c_core", "c_trading"))
    sort = process.cpdist(
        p["o_core"].tolist(), p["c_core"].tolist(), scorer=fuzz.token_sort_ratio, workers=-1
    )
    subset = process.cpdist(
        p["o_core"].tolist(), p["c_core"].tolist(), scorer=fuzz.token_set_ratio, workers=-1
    )
    p["name_score"] = np.asarray(sort, dtype=float).round(1)
    shared_word = [
        bool(set(a.split()) & set(b.split())) for a, b in zip(p["o_core"], p["c_core"], strict=True)
    ]
    both_named = p["o_core"].astype(bool) & p["c_core"].astype(bool)
    both_pc = p["o_postcode"].notna() & p["c_postcode"].notna()
    p["postcode_agrees"] = both_pc & p["o_postcode"].eq(p["c_postcode"])
    p["postcode_conflict"] = both_pc & ~p["postcode_agrees"]
    city = ~both_pc & p["o_city"].notna() & p["o_city"].eq(p["c_city"])
    forms = p["o_form"].isin(STRONG_FORMS) & p["c_form"].isin(STRONG_FORMS)
    p["form_conflict"] = forms & p["o_form"].ne(p["c_form"])
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
        [
            p["name_exact"],
            p["name_score"] >= NAME_CLOSE,
            p["name_score"] >= NAME_NEAR,
            both_named & (np.asarray(subset) >= 100),
            both_named & ~pd.Series(shared_word, index=p.index) & (p["name_score"] < 80),
        ],
        [
            POINTS["name_exact"],
            POINTS["name_close"],
            POINTS["name_near"],
            POINTS["name_subset"],
            POINTS["name_unrelated"],
        ],
        0.0,
    )
    p["score"] = (score + name_points).astype(float)
    p["domain_agrees"] = p["domain_agrees"].astype(bool)
    p["key"] = np.select(
        [p["stored"], p["vat_agrees"], p["reference_invoices"].gt(0), p["email_agrees"], p["domain_agrees"]],
        list(KEY_ORDER[:5]),
        "name",
    )
    p["band"] = np.select([p["score"] >= limit for limit, _ in BANDS], [band for _, band in BANDS], "none")
    # every two points of agreeing evidence halves the remaining doubt
    p["confidence"] = (1 - np.power(0.5, p["score"].clip(lower=0) / 2)).round(3)
    p["org_name"], p["contact_name"] = p["o_name"], p["c_name"]
    return p


def _any_equal(p: pd.DataFrame, left: tuple[str, ...], right: tuple[str, ...]) -> pd.Series:
    equal = pd.Series(False, index=p.index)
    for a in left:
        for b in right:
            equal |= p[a].astype(bool) & p[a].eq(p[b])
    return equal


# --- one-to-one assignment --------------------------------------------------------------------------
def assign_links(scored: pd.DataFrame) -> pd.DataFrame:
    """Accepted pairs assigned one-to-one, best first; the rest of each record's best pair kept as a
    duplicate link when its partner was taken by a better pair."""
    if scored.empty:
        return pd.DataFrame(columns=LINK_COLUMNS)
    accepted = scored[scored["score"] >= ACCEPT].copy()
    priority = {k: i for i, k in enumerate(KEY_ORDER)}
    accepted["_priority"] = accepted["key"].map(priority)
    accepted = accepted.sort_values(
        ["score", "_priority", "source", "org_id", "contact_id"], ascending=[False, True, True, True, True]
    )
    taken_orgs: set[tuple[str, str]] = set()
    taken_contacts: set[str] = set()
    assignment: list[str | None] = []
    for source, org_id, contact_id in zip(
        accepted["source"], accepted["org_id"], accepted["contact_id"], strict=True
    ):
        org = (source, org_id)
        if org not in taken_orgs and contact_id not in taken_contacts:
            taken_orgs.add(org)
            taken_contacts.add(contact_id)
            assignment.append("one_to_one")
        else:
            assignment.append(None)
    accepted["assignment"] = assignment
    rest = accepted[accepted["assignment"].isna()]
    org_key = pd.Series(list(zip(rest["source"], rest["org_id"], strict=True)), index=rest.index)
    # an organisation left over whose best contact is taken is a second CRM record of that contact
    spare_orgs = rest[~org_key.isin(taken_orgs)].drop_duplicates(["source", "org_id"])
    spare_orgs = spare_orgs.assign(assignment="duplicate_org")
    spare_contacts = rest[~rest["contact_id"].isin(taken_contacts)].drop_duplicates("contact_id")
    spare_contacts = spare_contacts.assign(assignment="duplicate_contact")
    links = pd.concat([accepted[accepted["assignment"].notna()], spare_orgs, spare_contacts])
    links = links.drop_duplicates(PAIR)
    return links[LINK_COLUMNS].reset_index(drop=True)


# --- findings ---------------------------------------------------------------------------------------
def orgs_without_contact(tables: ProfileTables, unmatched: pd.DataFrame) -> list[Finding]:
    """Unmatched organisations that have won deals: those deals must be invoiced to a Xero contact that
    does not exist (or that no key can find). Organisations with only open or lost deals, or none, are
    prospects: unmatched is their normal state, so they are listed, not reported."""
    deals = tables["deals"]
    deals = deals[~deals["is_deleted"].fillna(False).astype(bool)].astype({"org_id": str, "deal_id": str})
    won = deals[
        deals["status"].astype(str).str.lower().eq("won") | deals["is_won"].fillna(False).astype(bool)
    ]
    won = won.merge(unmatched[["source", "org_id", "name"]], on=["source", "org_id"])
    invoiced = set(zip(*[invoice_deal_links(tables)[c] for c in ("source", "deal_id")], strict=True))
    as_of = pd.Timestamp(tables.as_of)
    findings = []
    for (source, org_id), group in won.groupby(["source", "org_id"], sort=True):
        name = group["name"].iloc[0]
        won_day = pd.to_datetime(group["won_time"].fillna(group["close_time"]), utc=True).dt.tz_localize(None)
        late = (as_of - won_day) > pd.Timedelta(days=WON_INVOICE_GRACE_DAYS)
        unbilled = [
            d for d, s in zip(group["deal_id"], group["source"], strict=True) if (s, d) not in invoiced
        ]
        findings.append(
            Finding(
                kind="crm_org_without_xero_contact",
                # won work that should already have been billed cannot be, until the contact exists
                severity="high" if (late & group["deal_id"].isin(unbilled)).any() else "medium",
                subject_table="organisations",
                subject_id=str(org_id),
                explanation=(
                    f"CRM organisation {name} has {len(group)} won deal(s), {_deal_list(group)}, but matches "
                    "no Xero contact by stored ContactID, VAT number, invoice reference, email, domain or "
                    "name."
                ),
                fix=(
                    f"Search Xero for {name} under another name; link it by storing its ContactID on the "
                    "organisation, or create the contact from the CRM record before invoicing."
                ),
                records={"organisations": [str(org_id)], "deals": group["deal_id"].tolist()},
                evidence={"won_deals": len(group), "unbilled_deals": unbilled, "source": source},
            )
        )
    return findings


def _deal_list(deals: pd.DataFrame, limit: int = 5) -> str:
    shown = [
        f"{d.deal_id} '{d.title}' ({money(d.value, d.currency)})"
        for d in deals.head(limit).itertuples(index=False)
    ]
    more = len(deals) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def contacts_without_org(tables: ProfileTables, unmatched: pd.DataFrame) -> list[Finding]:
    """Unmatched active Xero contacts that are customers (billed on a live sales invoice).

    Suppliers only buy from nobody in the CRM's sense and archived contacts are finished business:
    neither needs a CRM organisation. A customer does: sales cannot see its billing, and the first deal
    the CRM wins for it will create a second Xero contact.
    """
    sales = live_sales_invoices(tables)
    sales = sales[sales["contact_id"].isin(set(unmatched["contact_id"]))]
    active = unmatched[unmatched["status"].eq("ACTIVE")].set_index("contact_id")
    as_of = pd.Timestamp(tables.as_of)
    recent = as_of - pd.Timedelta(days=RECENT_CUSTOMER_DAYS)
    findings = []
    for contact_id, group in sales[sales["contact_id"].isin(active.index)].groupby("contact_id", sort=True):
        name = active.loc[contact_id, "name"]
        last = pd.Timestamp(group["date"].max())
        totals: dict[str, Any] = {}
        for value, currency in zip(group["total"], group["currency"], strict=True):
            code = currency if isinstance(currency, str) and currency else "GBP"
            totals[code] = totals.get(code, 0) + value
        billed = " + ".join(money(v, c) for c, v in sorted(totals.items()))
        findings.append(
            Finding(
                kind="xero_contact_without_crm_org",
                severity="medium" if last >= recent else "low",
                subject_table="xero_contacts",
                subject_id=str(contact_id),
                explanation=(
                    f"Xero customer {name} has {len(group)} live sales invoice(s) ({billed}, last on "
                    f"{last:%d %b %Y}) but matches no CRM organisation."
                ),
                fix=(
                    f"Find {name} in the CRM under another name and store this ContactID on it, or create "
                    "the organisation (with the ContactID) so the sync does not create a second Xero contact."
                ),
                records={
                    "xero_contacts": [str(contact_id)],
                    "invoices": group["invoice_id"].astype(str).tolist(),
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
    tables: ProfileTables, orgs: pd.DataFrame, contacts: pd.DataFrame, links: pd.DataFrame
) -> KeyRecommendation:
    """Per key: the share of CRM organisations and of Xero customers that carry it, how unique its
    values are, how many one-to-one links it made, and how often the two sides agree when both have it."""
    customers = _customer_contacts(tables, contacts)
    pairs = links[links["assignment"].eq("one_to_one")]
    o = orgs.set_index(["source", "org_id"])
    c = contacts.set_index("contact_id")
    po = o.reindex(list(zip(pairs["source"], pairs["org_id"], strict=True)))
    pc = c.reindex(pairs["contact_id"])
    stored = resolve_stored_contact_ids(tables)
    stored_on = set(zip(stored["source"], stored["org_id"], strict=True))
    crm_ids = set(orgs["org_id"])
    carries_crm_id = contacts["contact_number"].isin(crm_ids) | contacts["account_number"].isin(crm_ids)
    refs = _reference_pairs(tables, contacts)
    ref_orgs = set(zip(refs["source"], refs["org_id"], strict=True))
    ref_contacts = set(refs["contact_id"])
    org_key = pd.Series(list(zip(orgs["source"], orgs["org_id"], strict=True)), index=orgs.index)
    pair_key = list(zip(pairs["source"], pairs["org_id"], strict=True))
    presence: dict[str, tuple[pd.Series, pd.Series, np.ndarray, np.ndarray, np.ndarray]] = {
        "stored_contact_id": (
            org_key.isin(stored_on),
            carries_crm_id,
            np.array([k in stored_on for k in pair_key], dtype=bool),
            np.ones(len(pairs), dtype=bool),
            pairs["stored"].to_numpy(dtype=bool),
        ),
        "vat_number": (
            orgs["vat"].notna(),
            contacts["vat"].notna(),
            po["vat"].notna().to_numpy(),
            pc["vat"].notna().to_numpy(),
            pairs["vat_agrees"].to_numpy(dtype=bool),
        ),
        "invoice_reference": (
            org_key.isin(ref_orgs),
            contacts["contact_id"].isin(ref_contacts),
            np.array([k in ref_orgs for k in pair_key], dtype=bool),
            pairs["contact_id"].isin(ref_contacts).to_numpy(),
            pairs["reference_invoices"].gt(0).to_numpy(),
        ),
        "email": (
            orgs["emails"].map(bool),
            contacts["email"].notna(),
            po["emails"].map(bool).to_numpy(dtype=bool),
            pc["email"].notna().to_numpy(),
            pairs["email_agrees"].to_numpy(dtype=bool),
        ),
        "email_domain": (
            orgs["domains"].map(bool),
            contacts["domain"].notna(),
            po["domains"].map(bool).to_numpy(dtype=bool),
            pc["domain"].notna().to_numpy(),
            pairs["domain_agrees"].to_numpy(dtype=bool),
        ),
        "name": (
            orgs["core"].astype(bool),
            contacts["core"].astype(bool),
            po["core"].astype(bool).to_numpy(dtype=bool),
            pc["core"].astype(bool).to_numpy(dtype=bool),
            pairs["name_exact"].to_numpy(dtype=bool),
        ),
    }
    values = {"vat_number": ("vat", "vat"), "email_domain": ("domains", "domain"), "name": ("core", "core")}
    rows = []
    by_key = pairs["key"].value_counts()
    for key in KEY_ORDER:
        crm_has, xero_has, pair_crm, pair_xero, agrees = presence[key]
        comparable = pair_crm & pair_xero
        crm_column, xero_column = values.get(key, (None, None))
        rows.append(
            {
                "key": key,
                "crm_populated": _share(crm_has),
                "xero_populated": _share(xero_has[customers]) if customers.any() else 0.0,
                "crm_unique": _unique_share(orgs[crm_column][crm_has]) if crm_column else None,
                "xero_unique": _unique_share(contacts[xero_column][xero_has & customers])
                if xero_column
                else None,
                "links": int(by_key.get(key, 0)),
                "comparable_links": int(comparable.sum()),
                "agreeing_links": int((agrees & comparable).sum()),
                "agreement": round(float((agrees & comparable).sum()) / comparable.sum(), 3)
                if comparable.any()
                else None,
            }
        )
    table = pd.DataFrame(rows, columns=RECOMMENDATION_COLUMNS)
    return KeyRecommendation(table, _recommendation_text(tables, orgs, contacts, links, table, stored))


def _customer_contacts(tables: ProfileTables, contacts: pd.DataFrame) -> pd.Series:
    """Active Xero contacts that are customers: the side of Xero a CRM has to match."""
    flagged = tables["xero_contacts"]
    flagged = set(flagged.loc[flagged["is_customer"].fillna(False).astype(bool), "contact_id"].astype(str))
    billed = set(live_sales_invoices(tables)["contact_id"].dropna().astype(str))
    return contacts["status"].eq("ACTIVE") & contacts["contact_id"].isin(flagged | billed)


def _share(mask: pd.Series) -> float:
    return round(float(mask.mean()), 3) if len(mask) else 0.0


def _unique_share(values: pd.Series) -> float | None:
    """Share of populated values that only one record carries (a key shared by many identifies none)."""
    if values.empty:
        return None
    exploded = values.explode().dropna()
    holders = exploded.map(exploded.value_counts())
    shared = holders.gt(1).groupby(level=0).any().reindex(values.index, fill_value=False)
    return round(float(1 - shared.mean()), 3)


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def _recommendation_text(
    tables: ProfileTables,
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
