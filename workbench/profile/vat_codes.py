"""Sales lines whose tax code the tenant does not have, has retired, or cannot use on income; and tax
amounts that are not what Xero's own per-line rounding gives."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.profile.findings import Finding, Severity
from workbench.profile.vat_money import money, rate_text, to_pence, xero_line_tax
from workbench.profile.vat_text import flag, grouped, lookup

# Draft and submitted invoices still have to be approved, and Xero refuses to approve them with a code
# it does not accept; an approved one is history, but the same mapping will write the next invoice.
_UNAPPROVED = frozenset({"DRAFT", "SUBMITTED"})
_SHOWN_LINES = 5
Row = dict[str, Any]
_CODE_COLUMNS = [
    "invoice_id",
    "invoice_number",
    "reference",
    "contact_id",
    "status",
    "currency",
    "line_id",
    "position",
    "description",
    "line_pence",
    "tax_type",
]


def _line_text(line: Row) -> str:
    description = line["description"] if isinstance(line["description"], str) else "(no description)"
    return f"line {line['position']} '{description}' {money(line['line_pence'], line['currency'])}"


def _lines_text(rows: list[Row]) -> str:
    shown = "; ".join(_line_text(line) for line in rows[:_SHOWN_LINES])
    more = len(rows) - _SHOWN_LINES
    return shown + (f" and {more} more" if more > 0 else "")


def invoice_label(row: Row, contact_names: pd.Series) -> str:
    """'INV-00123 to Acme Ltd (reference PD-12)'."""
    name = contact_names.get(row["contact_id"], "an unknown contact")
    reference = f" (reference {row['reference']})" if isinstance(row["reference"], str) else ""
    return f"{row['invoice_number'] or row['invoice_id']} to {name}{reference}"


_WHAT = {
    "unknown_tax_type": "TaxType {code}, which this Xero organisation does not have",
    "inactive_tax_type": "TaxType {code} ('{name}'), which this Xero organisation has {status}",
    "non_revenue_tax_type": "TaxType {code} ('{name}'), which cannot be used on income",
}
_FIX = {
    "unknown_tax_type": "Map the CRM product or deal to a tax rate that exists in the tenant's Tax Rates "
    "(GET /TaxRates), correct the line, and make the flow refuse codes the tenant does not have.",
    "inactive_tax_type": "Map to the tenant's active replacement rate; if the invoice is still a draft, "
    "change the line before approving it.",
    "non_revenue_tax_type": "Use the income-side rate (the 'VAT on Income' version of the code) on sales "
    "lines, and map revenue accounts only to rates whose CanApplyToRevenue is true.",
}


def _code_finding(kind: str, rows: list[Row], contact_names: pd.Series) -> Finding:
    first = rows[0]
    unapproved = first["status"] in _UNAPPROVED
    what = _WHAT[kind].format(
        code=first["tax_type"], name=first["rate_name"], status=str(first["rate_status"]).lower()
    )
    severity: Severity = "high" if unapproved or kind == "unknown_tax_type" else "medium"
    state = f"{str(first['status']).lower()} invoice" + (
        " (Xero will refuse to approve it)" if unapproved else ""
    )
    return Finding(
        kind=kind,
        severity=severity,
        subject_table="invoices",
        subject_id=str(first["invoice_id"]),
        explanation=f"Sales {state} {invoice_label(first, contact_names)} codes {len(rows)} line(s) "
        f"with {what}: {_lines_text(rows)}.",
        fix=_FIX[kind],
        records={"invoices": [str(first["invoice_id"])], "xero_contacts": [str(first["contact_id"])]},
        evidence={"tax_type": first["tax_type"], "lines": [str(r["line_id"]) for r in rows]},
    )


def tax_code_findings(lines: pd.DataFrame, rates: pd.DataFrame, contact_names: pd.Series) -> list[Finding]:
    """unknown_tax_type / inactive_tax_type / non_revenue_tax_type, one finding per invoice and code."""
    if rates.empty:  # tax rates were never pulled: nothing can be judged against them
        return []
    coded = lines["tax_type"].notna()
    active = flag(lines["active"])
    kinds = {
        "unknown_tax_type": coded & ~lines["known"],
        "inactive_tax_type": lines["known"] & ~active,
        "non_revenue_tax_type": lines["known"] & active & ~flag(lines["revenue"]),
    }
    findings = []
    for kind, mask in kinds.items():
        chosen = lines.loc[mask, _CODE_COLUMNS].assign(
            rate_status=lambda f: lookup(f["tax_type"], rates["status"]),
            rate_name=lambda f: lookup(f["tax_type"], rates["name"]),
        )
        for _, rows in sorted(grouped(chosen, ["invoice_id", "tax_type"]).items()):
            findings.append(_code_finding(kind, rows, contact_names))
    return findings


def tax_amount_findings(
    lines: pd.DataFrame, invoices: pd.DataFrame, sums: pd.DataFrame, contact_names: pd.Series
) -> list[Finding]:
    """tax_amount_mismatch: a line's stored tax is not Xero's per-line rounding of its amount at the
    tenant's rate, or an invoice's total tax is not the sum of its lines' tax.

    Xero computes every line's tax itself unless a caller overrides TaxAmount, so any penny of
    difference is an override (or a rate the tenant has edited since) and is what the VAT return
    reports. Lines with a code the tenant does not have cannot be recomputed and are left out.
    `sums` is `vat_lines.invoice_sums` of `invoices` (rows in the same order).
    """
    expected = xero_line_tax(lines["line_pence"], lines["rate_units"], lines["line_amount_types"])
    stored = lines["tax_pence"].fillna(0)
    wrong = flag(expected.notna() & (stored != expected))
    stated_tax = pd.Series(
        to_pence(invoices["total_tax"]).to_numpy(), index=invoices["invoice_id"].to_numpy()
    )
    line_tax = pd.Series(sums["tax"].to_numpy(), index=stated_tax.index)
    has_lines = pd.Series(sums["lines"].to_numpy() > 0, index=stated_tax.index)
    sum_wrong = flag(stated_tax.notna() & has_lines & (stated_tax != line_tax))
    flagged = set(lines.loc[wrong, "invoice_id"]) | set(sum_wrong.index[sum_wrong.to_numpy()])
    if not flagged:
        return []
    chosen = lines["invoice_id"].isin(flagged)
    mine = lines.loc[chosen, [*_CODE_COLUMNS, "rate_units", "line_amount_types"]].assign(
        expected_tax=expected[chosen], wrong=wrong[chosen], stored_tax=stored[chosen]
    )
    findings = []
    columns = [
        "invoice_id",
        "invoice_number",
        "reference",
        "contact_id",
        "currency",
        "position",
        "description",
        "line_pence",
        "tax_type",
        "rate_units",
        "line_amount_types",
        "expected_tax",
        "wrong",
        "stored_tax",
    ]
    for invoice_id, rows in sorted(grouped(mine[columns], "invoice_id").items()):
        head = rows[0]
        bad = [r for r in rows if r["wrong"]]
        parts = [
            f"{_line_text(line)} at {line['tax_type']} ({rate_text(line['rate_units'])}, "
            f"{line['line_amount_types']}) stores VAT {money(line['stored_tax'], line['currency'])} where "
            f"Xero's per-line rounding gives {money(line['expected_tax'], line['currency'])}"
            for line in bad[:_SHOWN_LINES]
        ]
        difference = int(np.sum([r["stored_tax"] - r["expected_tax"] for r in bad], dtype=np.int64))
        total_off = bool(sum_wrong.get(invoice_id, False))
        if total_off:
            parts.append(
                f"the invoice's total tax {money(stated_tax[invoice_id], head['currency'])} is not the sum "
                f"of its lines' tax {money(line_tax[invoice_id], head['currency'])}"
            )
            difference = difference or int(stated_tax[invoice_id] - line_tax[invoice_id])
        severity: Severity = "medium" if abs(difference) >= 100 or total_off else "low"
        findings.append(
            Finding(
                kind="tax_amount_mismatch",
                severity=severity,
                subject_table="invoices",
                subject_id=str(invoice_id),
                explanation=f"Sales invoice {invoice_label(head, contact_names)}: " + "; ".join(parts) + ".",
                fix="Let Xero compute line tax (do not send TaxAmount), or send exactly its per-line "
                "rounding; if the amount was overridden on purpose, record why. Correct a draft before "
                "approving it; an approved invoice needs a credit note and a corrected invoice.",
                records={"invoices": [str(invoice_id)], "xero_contacts": [str(head["contact_id"])]},
                evidence={"difference_pence": difference, "currency": head["currency"]},
            )
        )
    return findings
