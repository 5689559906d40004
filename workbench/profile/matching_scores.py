"""Points for each candidate pair of the CRM <-> Xero match, and the one-to-one assignment of the accepted
pairs (a record whose best partner is taken is kept as a duplicate link)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.profile.matching_keys import PAIR
from workbench.profile.matching_names import name_evidence

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
ACCEPT = 4.0
BANDS = ((8.0, "certain"), (6.0, "likely"), (ACCEPT, "review"))
STRONG_FORMS = frozenset(
    {"ltd", "plc", "llp", "lp", "cic", "cio", "clg", "dac", "unltd", "inc", "llc", "gmbh"}
)

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
