"""Duplicates within each system: CRM organisations, CRM people and Xero contacts that are one real entity.

Each table is prepared and matched by its configuration (`workbench.profile.duplicate_configs`), each
cluster gets a suggested survivor (the record to merge the others into) and becomes one finding; pairs
only in the "possible" band become separate low-severity review findings. Nothing is ever merged: CRM
and Xero merges cannot be undone, so the workbench only proposes.

Xero: contacts already merged away (`merged_to_contact_id` set) are left out — Xero has archived them
and moved their transactions, the merge is done. Contacts under a GDPR erasure request are left out
too. Archived contacts are kept, because a sync may still match an invoice to one, but never survive an
active record; a cluster whose other members are all archived is only a low-severity reminder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.profile.duplicate_columns import prepare_organisations, prepare_people, prepare_xero_contacts
from workbench.profile.duplicate_configs import ORGANISATIONS, PEOPLE, XERO_CONTACTS
from workbench.profile.findings import Finding, Severity, findings_frame
from workbench.profile.matcher import MatchCluster, MatcherConfig, dedupe, pair_evidence
from workbench.profile.tables import ProfileTables

_SEVERITY: dict[str, Severity] = {"certain": "high", "likely": "medium", "possible": "low"}
# what each agreeing reading means, in the order the explanation lists them
_AGREED = {
    "vat_number": "the same VAT number",
    "company_number": "the same company number",
    "xero_contact_id": "links to the same Xero contact",
    "email": "the same email address",
    "domain": "the same email/web domain",
    "phone": "the same phone number",
    "postcode": "the same postcode",
    "street": "the same street address",
    "contact_person": "the same contact person",
    "organisation": "the same organisation",
    "family_same": "the same family name",
    "family_similar": "family names a letter or two apart",
    "given_same": "the same given name (Bob and Robert count as one)",
    "given_initial": "an initial that fits the given name",
    "given_similar": "similar given names",
}
# a reading that only counts when the stronger one beside it did not agree
_WEAKER = {"domain": "email", "family_similar": "family_same", "given_similar": "given_same"}
_CONFLICTED = {
    "vat_number": "different VAT numbers",
    "company_number": "different company numbers",
    "legal_form": "different legal forms",
    "postcode": "different postcodes",
    "email": "different email addresses",
    "email_or_domain": "different email domains",
    "domain": "different email/web domains",
    "phone": "different phone numbers",
    "organisation": "different organisations",
    "family_name": "different family names",
    "given_name": "different given names",
}


@dataclass(frozen=True)
class _Table:
    """How one canonical table is matched and its findings worded."""

    table: str
    kind: str
    noun: str  # "CRM organisation", "CRM person", "Xero contact"
    plural: str
    entity: str  # what the records stand for: "business", "person"
    prepare: Callable[[pd.DataFrame], pd.DataFrame]
    config: MatcherConfig
    system: str  # where the merge is done


TABLES = (
    _Table(
        "organisations", "duplicate_organization", "CRM organisation", "CRM organisations", "business",
        prepare_organisations, ORGANISATIONS, "the CRM",
    ),
    _Table(
        "people", "duplicate_person", "CRM person", "CRM people", "person",
        prepare_people, PEOPLE, "the CRM",
    ),
    _Table(
        "xero_contacts", "duplicate_contact", "Xero contact", "Xero contacts", "business",
        prepare_xero_contacts, XERO_CONTACTS, "Xero",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class DuplicateResult:
    """`pairs`: every pair scoring at least "possible" (table, left, right, score, band, evidence);
    `clusters`: one row per cluster (table, cluster_id, members, size, band, cohesion, survivor,
    survivor_reason); `findings`: the findings table."""

    pairs: pd.DataFrame
    clusters: pd.DataFrame
    findings: pd.DataFrame


# --- survivors --------------------------------------------------------------------------------------
def _counts(frame: pd.DataFrame, column: str) -> pd.Series:
    if frame.empty or column not in frame.columns:
        return pd.Series(dtype=np.int64)
    values = frame[column].dropna().astype(str)
    return values.value_counts()


def _seconds(values: pd.Series) -> np.ndarray:
    """Timestamps as epoch seconds (float), an unknown time as -inf so it never wins."""
    stamps = pd.to_datetime(values, utc=True)
    seconds = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    return seconds.fillna(-np.inf).to_numpy(dtype=float)


def _ranking(
    spec: _Table, tables: ProfileTables, records: pd.DataFrame, prepared: pd.DataFrame
) -> pd.DataFrame:
    """Per record id the facts a survivor is chosen on, each "more is better", most important first."""
    ids = prepared.index
    key = {"organisations": "org_id", "people": "person_id", "xero_contacts": "contact_id"}[spec.table]
    source = records.set_index(records[key].astype(str)).reindex(ids)
    facts = pd.DataFrame(index=ids)
    if spec.table == "organisations":
        facts["xero_id"] = source["xero_contact_id"].notna().to_numpy()
    if spec.table == "xero_contacts":
        facts["active"] = (source["status"].fillna("ACTIVE").astype(str).str.upper() == "ACTIVE").to_numpy()
    activity = tables["invoices"] if spec.table == "xero_contacts" else tables["deals"]
    facts["activity"] = (
        _counts(activity, "contact_id" if spec.table == "xero_contacts" else key).reindex(ids).fillna(0)
    )
    facts["complete"] = prepared.notna().sum(axis=1).to_numpy()
    if spec.table == "xero_contacts":
        facts["recent"] = _seconds(source["updated_at"])
    else:
        created = _seconds(source["created_at"])
        facts["older"] = np.where(np.isfinite(created), -created, -np.inf)
    return facts


_ACTIVITY = {"organisations": "deals", "people": "deals", "xero_contacts": "invoices"}


class _Survivors:
    """Chooses the member to keep: the best by the ranking facts, compared column by column."""

    def __init__(self, facts: pd.DataFrame, table: str) -> None:
        self.facts = facts
        self.table = table
        self.values = facts.to_numpy(dtype=float)
        # rank 0 = best record overall: lexicographic on the facts, each descending
        order = np.lexsort([-self.values[:, k] for k in reversed(range(self.values.shape[1]))])
        self.rank = np.empty(len(order), dtype=np.int64)
        self.rank[order] = np.arange(len(order))
        self.row = {str(i): n for n, i in enumerate(facts.index)}

    def choose(self, members: tuple[str, ...]) -> tuple[str, str]:
        """The member to keep, and why (the first fact on which it beats the runner-up)."""
        rows = sorted((self.row[m] for m in members), key=lambda r: self.rank[r])
        best, runner = self.values[rows[0]], self.values[rows[1]]
        activity = int(best[list(self.facts.columns).index("activity")])
        reasons = {
            "xero_id": "it holds the Xero ContactID",
            "active": "it is the active contact (the others are archived)",
            "activity": f"it has the most {_ACTIVITY[self.table]} ({activity})",
            "complete": "it is the most complete record",
            "older": "it is the oldest record",
            "recent": "it was updated most recently",
        }
        for k, column in enumerate(self.facts.columns):
            if best[k] != runner[k]:
                return str(self.facts.index[rows[0]]), reasons[column]
        return str(self.facts.index[rows[0]]), "the records are equally complete; it is the first"


# --- findings ---------------------------------------------------------------------------------------
def _company_names(points: Mapping[str, float], similarity: Mapping[str, float]) -> str | None:
    if "name_same" not in similarity:
        return None
    if points.get("name_same", 0) > 0:
        return "identical names once case, punctuation and legal form are set aside"
    if similarity.get("name", 0) >= 100:
        return "the same words in another order"
    if points.get("name_typo", 0) > 0:
        return "names one typo apart"
    if similarity.get("name", 0) >= 75:
        return f"names {similarity['name']:.0f}% alike"
    return "names sharing their first word" if points.get("name_first", -1) == 0 else "different names"


def _why(evidence: Mapping[str, Any]) -> str:
    """The evidence of a pair in words: what agrees, what the names look like, what disagrees."""
    points, similarity = evidence["points"], evidence["similarity"]
    parts = [
        phrase
        for key, phrase in _AGREED.items()
        if points.get(key, 0) > 0 and not points.get(_WEAKER.get(key, ""), 0) > 0
    ]
    names = _company_names(points, similarity)
    if names:
        parts.append(names)
    # top-level readings only: a sub-reading outweighed by a better one (the domain agrees though the
    # addresses differ) is not evidence against
    against = [_CONFLICTED[name] for name in evidence["conflicted"] if name in _CONFLICTED]
    text = ", ".join(parts) if parts else "similar names"
    return f"{text}; against it: {', '.join(against)}" if against else text


def _label(record_id: str, names: Mapping[str, str], spec: _Table) -> str:
    return f"{names.get(record_id, '?')!r} ({spec.noun.split()[-1]} {record_id})"


def _cluster_finding(
    spec: _Table,
    cluster: MatchCluster,
    survivor: str,
    reason: str,
    evidence: list[dict[str, Any]],
    names: Mapping[str, str],
    archived: set[str],
) -> Finding:
    others = [m for m in cluster.members if m != survivor]
    severity = _SEVERITY[cluster.band]
    note = ""
    if others and all(m in archived for m in others):
        severity, note = (
            "low",
            " The others are already archived, so only matching can pick them up by mistake.",
        )
    listed = ", ".join(_label(m, names, spec) for m in (survivor, *others))
    strongest = max(evidence, key=lambda e: e["score"]) if evidence else None
    explanation = (
        f"{len(cluster.members)} {spec.plural} look like one {spec.entity} ({cluster.band}): {listed}"
        + (f" — {_why(strongest)}." if strongest else ".")
        + note
    )
    fix = (
        f"Merge {', '.join(_label(m, names, spec) for m in others)} into {_label(survivor, names, spec)} in "
        f"{spec.system} ({reason}). Merges cannot be undone: check the records side by side first."
    )
    return Finding(
        kind=spec.kind,
        severity=severity,
        subject_table=spec.table,
        subject_id=survivor,
        explanation=explanation,
        fix=fix,
        records={spec.table: list(cluster.members)},
        evidence={
            "band": cluster.band,
            "cohesion": round(cluster.cohesion, 2),
            "survivor_reason": reason,
            "pairs": evidence[:20],
        },
    )


def _possible_finding(spec: _Table, evidence: dict[str, Any], keep: str, names: Mapping[str, str]) -> Finding:
    other = evidence["right"] if keep == evidence["left"] else evidence["left"]
    return Finding(
        kind=f"possible_{spec.kind}",
        severity="low",
        subject_table=spec.table,
        subject_id=keep,
        explanation=(
            f"{_label(keep, names, spec)} and {_label(other, names, spec)} might be one {spec.entity}: "
            f"{_why(evidence)}. Not enough to be sure."
        ),
        fix=(
            f"Compare the two {spec.plural}; if they are one {spec.entity}, merge "
            f"{_label(other, names, spec)} into {_label(keep, names, spec)} in {spec.system}; "
            "if not, nothing to do."
        ),
        records={spec.table: [keep, other]},
        evidence=evidence,
    )


def _matchable(spec: _Table, records: pd.DataFrame) -> pd.DataFrame:
    if spec.table != "xero_contacts" or records.empty:
        return records
    merged = records["merged_to_contact_id"].notna() & (records["merged_to_contact_id"].astype(str) != "")
    erased = records["status"].fillna("").astype(str).str.upper() == "GDPRREQUEST"
    return records[~merged & ~erased]


def _one_table(spec: _Table, tables: ProfileTables) -> tuple[pd.DataFrame, pd.DataFrame, list[Finding]]:
    records = _matchable(spec, tables[spec.table])
    prepared = spec.prepare(records)
    if len(prepared) < 2:
        return pd.DataFrame(), pd.DataFrame(), []
    result = dedupe(prepared, spec.config)
    id_column = {"organisations": "org_id", "people": "person_id", "xero_contacts": "contact_id"}[spec.table]
    names = dict(
        zip(records[id_column].astype(str), records["name"].fillna("").astype(str).str.strip(), strict=True)
    )
    archived: set[str] = set()
    if spec.table == "xero_contacts":
        archived = set(
            records.loc[records["status"].fillna("").str.upper() == "ARCHIVED", id_column].astype(str)
        )
    survivors = _Survivors(_ranking(spec, tables, records, prepared), spec.table)
    evidence = [pair_evidence(row, spec.config) for row in result.pairs.to_dict("records")]
    cluster_of = {m: n for n, c in enumerate(result.clusters) for m in c.members}
    by_cluster: dict[int, list[dict[str, Any]]] = {}
    findings: list[Finding] = []
    cluster_rows = []
    for item in evidence:
        left, right = cluster_of.get(item["left"]), cluster_of.get(item["right"])
        if left is not None and left == right:
            by_cluster.setdefault(left, []).append(item)
        elif item["band"] == "possible":
            keep, _ = survivors.choose((item["left"], item["right"]))
            findings.append(_possible_finding(spec, item, keep, names))
    for n, cluster in enumerate(result.clusters):
        survivor, reason = survivors.choose(cluster.members)
        findings.append(
            _cluster_finding(spec, cluster, survivor, reason, by_cluster.get(n, []), names, archived)
        )
        cluster_rows.append(
            {
                "table": spec.table,
                "cluster_id": f"{spec.table}:{n + 1}",
                "members": list(cluster.members),
                "size": len(cluster.members),
                "band": cluster.band,
                "cohesion": round(cluster.cohesion, 2),
                "survivor": survivor,
                "survivor_reason": reason,
            }
        )
    pairs = pd.DataFrame(
        {
            "table": spec.table,
            "left": result.pairs["left"],
            "right": result.pairs["right"],
            "score": result.pairs["score"],
            "band": result.pairs["band"],
            "evidence": evidence,
        }
    )
    return pairs, pd.DataFrame(cluster_rows), findings


PAIR_COLUMNS = ["table", "left", "right", "score", "band", "evidence"]
CLUSTER_COLUMNS = [
    "table",
    "cluster_id",
    "members",
    "size",
    "band",
    "cohesion",
    "survivor",
    "survivor_reason",
]


def find_duplicates(tables: ProfileTables) -> DuplicateResult:
    """Duplicate organisations, people and Xero contacts, each system on its own."""
    pairs, clusters, findings = [], [], []
    for spec in TABLES:
        p, c, f = _one_table(spec, tables)
        pairs.append(p)
        clusters.append(c)
        findings.extend(f)
    pair_frame = pd.concat(
        [p for p in pairs if not p.empty] or [pd.DataFrame(columns=PAIR_COLUMNS)], ignore_index=True
    )
    cluster_frame = pd.concat(
        [c for c in clusters if not c.empty] or [pd.DataFrame(columns=CLUSTER_COLUMNS)], ignore_index=True
    )
    return DuplicateResult(pair_frame[PAIR_COLUMNS], cluster_frame[CLUSTER_COLUMNS], findings_frame(findings))
