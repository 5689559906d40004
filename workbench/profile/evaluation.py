"""Scoring findings against a labelled ground truth (the sandbox manifest, or a client's labelled sample).

Ground truth is plain data: a list of `{"kind", "records": {"system.type": [ids]}}` as
`workbench sandbox manifest` prints. Duplicate kinds are scored on pairs (every pair of records in one
true entity, against every pair inside one reported cluster); every other kind on the record the problem
is about, named per kind in `EVALUATED_ON`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import pandas as pd

# manifest record type -> canonical table
MANIFEST_TABLES = {
    "pipedrive.organization": "organisations",
    "pipedrive.person": "people",
    "pipedrive.deal": "deals",
    "hubspot.company": "organisations",
    "hubspot.contact": "people",
    "hubspot.deal": "deals",
    "xero.contact": "xero_contacts",
    "xero.invoice": "invoices",
}
DUPLICATE_KINDS = {
    "duplicate_organization": "organisations",
    "duplicate_person": "people",
    "duplicate_contact": "xero_contacts",
}
# kind -> the canonical tables whose ids identify one instance of the problem (first present wins)
EVALUATED_ON: dict[str, tuple[str, ...]] = {
    "crm_org_without_xero_contact": ("organisations",),
    "xero_contact_without_crm_org": ("xero_contacts",),
    "vat_total_is_deal_value_times_1_2": ("deals",),
    "vat_total_is_deal_value_divided_by_1_2": ("deals",),
    "zero_rated_domestic_sale": ("deals",),
    "exempt_domestic_sale": ("deals",),
    "standard_rated_eu_b2b_service": ("xero_contacts",),
    "invalid_vat_number": ("organisations", "xero_contacts"),
    "reverse_charge_customer": ("xero_contacts",),
    "mixed_line_amount_types": ("xero_contacts",),
    "rounding_difference": ("deals",),
    "won_deal_not_invoiced": ("deals",),
    "invoice_reference_without_deal": ("invoices",),
    "deal_invoiced_twice": ("deals",),
    "archived_contact_with_open_deal": ("xero_contacts",),
    "overdue_customer_with_open_deal": ("xero_contacts",),
    "missing_email": ("people", "xero_contacts"),
    "missing_address": ("organisations", "xero_contacts"),
}


@dataclass(frozen=True)
class KindScore:
    kind: str
    planted: int
    found: int
    true_positives: int

    @property
    def recall(self) -> float:
        return self.true_positives / self.planted if self.planted else 1.0

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 1.0


def _canonical(records: Mapping[str, Sequence[Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, ids in records.items():
        table = MANIFEST_TABLES.get(key, key)
        out.setdefault(table, []).extend(str(i) for i in ids)
    return out


def _items(kind: str, records: Mapping[str, Sequence[Any]]) -> set[tuple[str, ...]]:
    """The scored units one problem or finding stands for."""
    records = _canonical(records)
    if kind in DUPLICATE_KINDS:
        members = sorted(set(records.get(DUPLICATE_KINDS[kind], [])))
        return set(combinations(members, 2))
    for table in EVALUATED_ON[kind]:
        if records.get(table):
            return {(table, i) for i in records[table]}
    return {("unidentified", kind)}


def _entity_pairs(groups: Iterable[set[str]]) -> set[tuple[str, ...]]:
    """All pairs inside the connected components of the given groups (true duplicates chain)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for group in groups:
        members = list(group)
        for other in members[1:]:
            parent[find(other)] = find(members[0])
    components: dict[str, list[str]] = {}
    for x in list(parent):
        components.setdefault(find(x), []).append(x)
    return {pair for c in components.values() for pair in combinations(sorted(c), 2)}


def score_findings(findings: pd.DataFrame, problems: Iterable[Mapping[str, Any]]) -> list[KindScore]:
    """Per planted kind: how many instances were planted, reported, and reported correctly."""
    planted: dict[str, set[tuple[str, ...]]] = {}
    duplicate_groups: dict[str, list[set[str]]] = {k: [] for k in DUPLICATE_KINDS}
    for problem in problems:
        kind = problem["kind"]
        if kind in DUPLICATE_KINDS:
            members = _canonical(problem["records"]).get(DUPLICATE_KINDS[kind], [])
            duplicate_groups[kind].append(set(members))
        else:
            planted.setdefault(kind, set()).update(_items(kind, problem["records"]))
    for kind, groups in duplicate_groups.items():
        if groups:
            planted[kind] = _entity_pairs(groups)
    scores = []
    for kind in sorted(planted):
        reported: set[tuple[str, ...]] = set()
        for records in findings.loc[findings["kind"] == kind, "records"]:
            reported |= _items(kind, records)
        truth = planted[kind]
        scores.append(KindScore(kind, len(truth), len(reported), len(truth & reported)))
    return scores


def scores_frame(scores: Sequence[KindScore]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "kind": s.kind,
                "planted": s.planted,
                "found": s.found,
                "correct": s.true_positives,
                "recall": round(s.recall, 3),
                "precision": round(s.precision, 3),
            }
            for s in scores
        ]
    )
