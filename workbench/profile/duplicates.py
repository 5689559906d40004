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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.profile.duplicate_columns import prepare_organisations, prepare_people, prepare_xero_contacts
from workbench.profile.duplicate_configs import ORGANISATIONS, PEOPLE, XERO_CONTACTS
from workbench.profile.duplicate_findings import Wording, cluster_finding, possible_finding
from workbench.profile.findings import Finding, findings_frame
from workbench.profile.matcher import MatcherConfig, dedupe, pair_evidence
from workbench.profile.tables import ProfileTables


@dataclass(frozen=True)
class _Table:
    """How one canonical table is matched, and its findings worded."""

    words: Wording
    prepare: Callable[[pd.DataFrame], pd.DataFrame]
    config: MatcherConfig
    id_column: str

    @property
    def table(self) -> str:
        return self.words.table


TABLES = (
    _Table(
        Wording("organisations", "duplicate_organization", "CRM organisation", "CRM organisations",
                "business", "the CRM"),
        prepare_organisations, ORGANISATIONS, "org_id",
    ),
    _Table(
        Wording("people", "duplicate_person", "CRM person", "CRM people", "person", "the CRM"),
        prepare_people, PEOPLE, "person_id",
    ),
    _Table(
        Wording("xero_contacts", "duplicate_contact", "Xero contact", "Xero contacts", "business", "Xero"),
        prepare_xero_contacts, XERO_CONTACTS, "contact_id",
    ),
)  # fmt: skip
# the table whose rows (by the record's id column) count as its activity when choosing the survivor
_ACTIVITY = {"organisations": "deals", "people": "deals", "xero_contacts": "invoices"}
# the tables whose records are compared, read whole; of the activity tables one column each is read
RECORD_TABLES = tuple(spec.table for spec in TABLES)
INPUT_TABLES = tuple(dict.fromkeys([*RECORD_TABLES, *_ACTIVITY.values()]))


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
    key = spec.id_column
    source = records.set_index(records[key].astype(str)).reindex(ids)
    facts = pd.DataFrame(index=ids)
    if spec.table == "organisations":
        facts["xero_id"] = source["xero_contact_id"].notna().to_numpy()
    if spec.table == "xero_contacts":
        facts["active"] = (source["status"].fillna("ACTIVE").astype(str).str.upper() == "ACTIVE").to_numpy()
    activity = tables.columns(_ACTIVITY[spec.table], [key])  # not the whole table: read on its own
    facts["activity"] = _counts(activity, key).reindex(ids).fillna(0)
    facts["complete"] = prepared.notna().sum(axis=1).to_numpy()
    if spec.table == "xero_contacts":
        facts["recent"] = _seconds(source["updated_at"])
    else:
        created = _seconds(source["created_at"])
        facts["older"] = np.where(np.isfinite(created), -created, -np.inf)
    return facts


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
    id_column = spec.id_column
    # names and statuses of the records a finding will name, not of the whole table
    involved = (
        {m for c in result.clusters for m in c.members}
        | set(result.pairs["left"])
        | set(result.pairs["right"])
    )
    named = records[records[id_column].astype(str).isin(involved)]
    names = dict(
        zip(named[id_column].astype(str), named["name"].fillna("").astype(str).str.strip(), strict=True)
    )
    archived: set[str] = set()
    if spec.table == "xero_contacts":
        archived = set(
            named.loc[named["status"].fillna("").astype(str).str.upper() == "ARCHIVED", id_column].astype(str)
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
            findings.append(possible_finding(spec.words, item, keep, names))
    for n, cluster in enumerate(result.clusters):
        survivor, reason = survivors.choose(cluster.members)
        findings.append(
            cluster_finding(spec.words, cluster, survivor, reason, by_cluster.get(n, []), names, archived)
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
