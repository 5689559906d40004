"""Duplicate findings in words: one finding per cluster, one review finding per "possible" pair, each
naming the records, what agrees between them (and what is against it) and whom to merge into whom."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.profile.findings import Finding, Severity
from workbench.profile.matcher import MatchCluster


@dataclass(frozen=True)
class Wording:
    """How one table's findings read."""

    table: str
    kind: str
    noun: str  # "CRM organisation", "CRM person", "Xero contact"
    plural: str
    entity: str  # what the records stand for: "business", "person"
    system: str  # where the merge is done


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
    "postcode_abroad": "the same postcode",
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
    "postcode_abroad": "different postcodes",
    "email": "different email addresses",
    "email_or_domain": "different email domains",
    "domain": "different email/web domains",
    "phone": "different phone numbers",
    "organisation": "different organisations",
    "family_name": "different family names",
    "given_name": "different given names",
    "middle_name": "different middle initials",
}


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


def pair_in_words(evidence: Mapping[str, Any]) -> str:
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


def _label(record_id: str, names: Mapping[str, str], spec: Wording) -> str:
    return f"{names.get(record_id, '?')!r} ({spec.noun.split()[-1]} {record_id})"


def cluster_finding(
    spec: Wording,
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
        + (f" — {pair_in_words(strongest)}." if strongest else ".")
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


def possible_finding(spec: Wording, evidence: dict[str, Any], keep: str, names: Mapping[str, str]) -> Finding:
    other = evidence["right"] if keep == evidence["left"] else evidence["left"]
    return Finding(
        kind=f"possible_{spec.kind}",
        severity="low",
        subject_table=spec.table,
        subject_id=keep,
        explanation=(
            f"{_label(keep, names, spec)} and {_label(other, names, spec)} might be one {spec.entity}: "
            f"{pair_in_words(evidence)}. Not enough to be sure."
        ),
        fix=(
            f"Compare the two {spec.plural}; if they are one {spec.entity}, merge "
            f"{_label(other, names, spec)} into {_label(keep, names, spec)} in {spec.system}; "
            "if not, nothing to do."
        ),
        records={spec.table: [keep, other]},
        evidence=evidence,
    )
