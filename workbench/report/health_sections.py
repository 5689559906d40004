"""The report's sections on what the profile found: summary, duplicates, matching, VAT, hygiene and
volumes. Each reads the health profile (the figures the app's charts plot) and returns HTML."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from workbench.app_support import charts, summaries
from workbench.app_support import evidence as ev
from workbench.profile.findings import SEVERITIES, money
from workbench.profile.health import HealthProfile
from workbench.report import markup as m
from workbench.report.redact import Redaction

LISTED_FINDINGS = 100  # per kind: findings.csv holds every one
TOP_CLUSTERS = 5  # per table
XERO_TABLES = frozenset(
    {
        "xero_organisation",
        "xero_contacts",
        "invoices",
        "invoice_lines",
        "credit_notes",
        "payments",
        "tax_rates",
        "accounts",
        "items",
        "currencies",
    }
)
_BAND_ORDER = {"certain": 0, "likely": 1, "possible": 2}
_SEVERITY_ORDER = {s: n for n, s in enumerate(SEVERITIES)}


def client_name(profile: HealthProfile, fallback: str) -> str:
    """The client as its Xero organisation is named (the engagement's name when Xero was not pulled)."""
    organisation = profile.tables["xero_organisation"]
    if not organisation.empty and isinstance(organisation["name"].iloc[0], str):
        return str(organisation["name"].iloc[0])
    return fallback


def vat_not_charged(vat: pd.DataFrame) -> Decimal:
    """VAT the findings say is not being charged or declared on UK sales, in pounds."""
    if vat.empty:
        return Decimal(0)
    pence = sum(int(e.get("vat_not_charged_pence", 0)) for e in vat["evidence"] if isinstance(e, Mapping))
    return Decimal(pence) / 100


def summary(profile: HealthProfile, engagement: str) -> str:
    findings = profile.findings
    by_severity = findings["severity"].value_counts() if not findings.empty else pd.Series(dtype=int)
    rates = summaries.duplicate_rates(profile)
    coverage = summaries.match_coverage(profile.matching)
    linked = int(coverage.loc[coverage["outcome"].str.startswith("linked"), "organisations"].sum())
    total = int(coverage["organisations"].sum())
    tiles = [
        ("findings", f"{len(findings):,}"),
        *((f"{s} severity", f"{int(by_severity.get(s, 0)):,}") for s in SEVERITIES),
        ("CRM organisations linked to Xero", f"{linked:,} of {total:,}"),
        ("VAT findings", f"{len(profile.vat):,}"),
        ("VAT not charged or declared", money(vat_not_charged(profile.vat))),
    ]
    counts = profile.volumes.counts
    counts = counts[counts["records"] > 0].assign(
        system=lambda f: f["table"].map(lambda t: "Xero" if t in XERO_TABLES else "CRM")
    )
    per_kind = profile.counts()
    worst_rate = rates.sort_values("rate", ascending=False).iloc[0] if len(rates) else None
    lines = [
        f"Engagement '{engagement}': the data as each system held it on {profile.tables.as_of:%d %B %Y}.",
    ]
    if worst_rate is not None and worst_rate["rate"] > 0:
        lines.append(
            f"The highest duplicate rate is {worst_rate['rate']:.1%} among {worst_rate['label']} "
            f"({worst_rate['duplicates']:,} records that are a second copy)."
        )
    return "".join(
        [
            m.figures(tiles),
            "".join(m.paragraph(line) for line in lines),
            m.heading(3, "Records per system"),
            m.table(counts, {"system": "system", "table": "table", "records": "records", "live": "live"}),
            m.heading(3, "Findings per kind and severity"),
            m.table(per_kind, {"kind": "kind", "severity": "severity", "findings": "findings"}),
        ]
    )


def _evidence_pairs(evidence: Any) -> list[tuple[str, str]]:
    """A finding's evidence as (label, value) lines, money in pounds; a nested list of pairs counted."""
    if not isinstance(evidence, Mapping):
        return []
    currency = str(evidence.get("currency") or "GBP")
    lines = []
    for key, value in evidence.items():
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            lines.append((ev.label(str(key)), f"{len(value)} compared"))
            continue
        lines.append((ev.label(str(key)), ev.value_text(str(key), value, currency)))
    return lines


def _finding(row: Any) -> str:
    body = (
        f'<p>{m.esc(row.explanation)}</p><p class="fix"><strong>Fix:</strong> {m.esc(row.fix)}</p>'
        + m.definitions(_evidence_pairs(row.evidence))
    )
    return (
        f'<article class="finding {m.esc(row.severity)}"><header><span class="badge">'
        f"{m.esc(row.severity)}</span> {m.esc(row.subject_table)} {m.esc(row.subject_id)}</header>"
        f"{body}</article>"
    )


def findings_list(
    findings: pd.DataFrame, redaction: Redaction, *, opened: bool = False, limit: int = LISTED_FINDINGS
) -> str:
    """The findings grouped by kind (most severe, then most frequent first), each with its plain-English
    explanation, fix and evidence; `opened` shows every group open, else a click opens one."""
    if findings.empty:
        return m.paragraph("Nothing found here.", "good")
    shown = redaction.findings(findings)
    shown = shown.assign(_order=shown["severity"].map(_SEVERITY_ORDER))
    groups = []
    for kind, of_kind in shown.groupby("kind", sort=False):
        counts = of_kind["severity"].value_counts()
        severities = ", ".join(f"{int(counts[s]):,} {s}" for s in SEVERITIES if s in counts)
        groups.append((int(of_kind["_order"].min()), -len(of_kind), str(kind), severities, of_kind))
    parts = []
    for _, _, kind, severities, of_kind in sorted(groups, key=lambda g: g[:3]):
        ranked = of_kind.sort_values("_order", kind="stable")
        items = "".join(_finding(row) for row in ranked.head(limit).itertuples(index=False))
        if len(ranked) > limit:
            items += m.paragraph(
                f"The first {limit:,} of {len(ranked):,} are listed; findings.csv holds every one."
            )
        title = f"{kind.replace('_', ' ')}: {len(ranked):,} ({severities})"
        parts.append(m.details(title, items, "kind", opened=opened))
    return "".join(parts)


def _cluster_rows(
    profile: HealthProfile, table: str, members: list[str], redaction: Redaction
) -> pd.DataFrame:
    """A cluster's records, the columns that tell duplicates apart, personal data withheld if asked."""
    rows = ev.finding_records(profile.tables, {table: members}).get(table, pd.DataFrame())
    if rows.empty:
        return rows
    column = ev.id_column(table)
    wanted = [
        c for c in (column, "name", "email", "email_domain", "vat_number", "phone", "postcode") if c in rows
    ]
    return redaction.frame(rows[wanted].astype(object))


def top_clusters(profile: HealthProfile, redaction: Redaction, per_table: int = TOP_CLUSTERS) -> str:
    """The biggest, surest clusters of each table: members, survivor and each pair's evidence."""
    clusters = profile.duplicates.clusters
    if clusters.empty:
        return m.paragraph("No duplicate clusters.", "good")
    pairs = profile.duplicates.pairs
    parts = []
    for table, of_table in clusters.groupby("table", sort=False):
        ranked = of_table.assign(_band=of_table["band"].map(_BAND_ORDER)).sort_values(
            ["_band", "size", "cohesion"], ascending=[True, False, False], kind="stable"
        )
        label = summaries.TABLE_LABELS.get(str(table), ("", str(table)))[1]
        parts.append(m.heading(3, f"{label}: top {min(per_table, len(ranked))} of {len(ranked):,} clusters"))
        for cluster in ranked.head(per_table).itertuples(index=False):
            members = [str(x) for x in cluster.members]
            inside = pairs[
                (pairs["table"] == table)
                & pairs["left"].astype(str).isin(members)
                & pairs["right"].astype(str).isin(members)
            ]
            evidence = "".join(
                m.heading(4, f"{p.left} ↔ {p.right}: score {p.score:g}, {p.band}")
                + m.definitions(
                    (ev.label(k), ev.value_text(k, v))
                    for k, v in (p.evidence if isinstance(p.evidence, Mapping) else {}).items()
                    if k in ("agreed", "conflicted", "similarity")
                )
                for p in inside.itertuples(index=False)
            )
            rows = _cluster_rows(profile, str(table), members, redaction)
            names = " / ".join(rows["name"].astype(str)) if "name" in rows else ""
            summary_line = (
                f"{names} ({cluster.size} records, {cluster.band}): keep {cluster.survivor} "
                f"({redaction.text(str(cluster.survivor_reason))})"
            )
            headers = {str(c): str(c).replace("_", " ") for c in rows.columns}
            body = (m.table(rows, headers) if not rows.empty else "") + evidence
            parts.append(m.details(summary_line, body, "cluster"))
    return "".join(parts)


def duplicates(profile: HealthProfile, chart: m.Charts, redaction: Redaction) -> str:
    rates = summaries.duplicate_rates(profile)
    return "".join(
        [
            m.paragraph(
                "Records that are a second copy of another in the same system. A sync copies every "
                "duplicate across and links invoices to the wrong copy: merge them before the first sync."
            ),
            chart(charts.duplicate_rates_figure(rates)),
            m.table(
                rates,
                {"label": "records", "live": "live", "clusters": "clusters", "duplicates": "second copies"},
            ),
            top_clusters(profile, redaction),
            m.heading(3, "Duplicate findings"),
            findings_list(profile.duplicates.findings, redaction),
        ]
    )


def matching(profile: HealthProfile, chart: m.Charts, redaction: Redaction) -> str:
    result = profile.matching
    coverage = summaries.match_coverage(result)
    return "".join(
        [
            m.paragraph(
                "Which CRM organisation is which Xero contact: a stored ContactID first, then VAT number, "
                "invoice reference, email or domain, then name, each contact used once."
            ),
            chart(charts.match_coverage_figure(coverage)),
            m.figures(
                [
                    ("CRM organisations not matched", f"{len(result.unmatched_crm):,}"),
                    ("Xero contacts with no CRM organisation", f"{len(result.unmatched_xero):,}"),
                ]
            ),
            chart(charts.key_coverage_figure(summaries.key_coverage(result))),
            m.heading(3, "Which key to store"),
            m.paragraph(result.key_recommendation.text, "recommendation"),
            m.heading(3, "Matching findings"),
            findings_list(result.findings, redaction),
        ]
    )


def vat(profile: HealthProfile, chart: m.Charts, redaction: Redaction) -> str:
    found = profile.vat
    parts = [
        m.paragraph(
            "Invoices whose VAT is wrong or risky, checked against the organisation's own tax rates and "
            "recomputed the way Xero rounds (per line, 2 dp, half up). Amounts are in pounds unless the "
            "invoice is in another currency."
        ),
        m.figures(
            [
                ("VAT findings", f"{len(found):,}"),
                ("VAT not charged or declared", money(vat_not_charged(found))),
            ]
        ),
    ]
    if not found.empty:
        parts.append(chart(charts.findings_by_kind_figure(found, "VAT findings by kind and severity")))
    parts.append(findings_list(found, redaction, opened=True))
    return "".join(parts)


def hygiene(profile: HealthProfile, chart: m.Charts, redaction: Redaction) -> str:
    found = profile.hygiene
    parts = [
        m.paragraph(
            "Records that would break or mislead a sync: won deals never invoiced, references naming no "
            "deal, deals billed twice, archived or overdue customers with open deals, missing details."
        )
    ]
    if not found.empty:
        parts.append(chart(charts.findings_by_kind_figure(found, "Hygiene findings by kind and severity")))
    parts.append(findings_list(found, redaction))
    return "".join(parts)


def volumes(profile: HealthProfile, chart: m.Charts) -> str:
    measured = profile.volumes
    events = measured.events.set_index("event")["average_per_month"]
    peak = (
        f"Busiest month: {measured.peak_month} with {measured.peak_month_invoices:,} sales invoices."
        if measured.peak_month
        else "No sales invoices yet."
    )
    return "".join(
        [
            m.figures(
                [
                    ("deals won a month", f"{events.get('deals_won', 0):,.0f}"),
                    ("sales invoices a month", f"{events.get('sales_invoices', 0):,.0f}"),
                    ("payments a month", f"{events.get('payments', 0):,.0f}"),
                    ("lines per invoice", f"{measured.average_lines_per_invoice:,.2f}"),
                ]
            ),
            m.paragraph(peak),
            chart(charts.monthly_figure(summaries.monthly_activity(measured))),
            m.heading(3, "Events per month"),
            m.table(
                measured.events,
                {
                    "meaning": "event",
                    "average_per_month": "average a month",
                    "peak_month": "peak month",
                    "peak": "peak",
                },
            ),
            m.heading(3, "Currencies"),
            m.table(measured.currencies),
            m.heading(3, "API calls for a first full sync"),
            m.table(
                measured.api_calls,
                {"system": "system", "table": "table", "records": "records", "calls": "calls"},
            ),
        ]
    )
