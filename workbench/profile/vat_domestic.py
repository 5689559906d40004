"""Sales to UK customers that charge no VAT on goods or services the tenant itself treats as
standard-rated: zero_rated_domestic_sale, exempt_domestic_sale, no_vat_domestic_sale.

Zero-rated, exempt and outside-scope supplies all exist (printed books, insurance, statutory fees), so the
code on the line is only wrong when the tenant's own setup says the product carries VAT (see
`vat_lines`). A NoTax invoice charges no VAT whatever its lines say, so its lines count as "no VAT"; one
whose product the tenant's setup itself leaves untaxed (mileage, disbursements) is not flagged.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.profile.findings import Finding, Severity
from workbench.profile.vat_customers import UK
from workbench.profile.vat_lines import ACCOUNT
from workbench.profile.vat_money import money, rate_text, vat_on_total
from workbench.profile.vat_rates import CHARGED, EC_ZERO, EXEMPT, NO_VAT, TREATMENT_WORDS, ZERO_RATED
from workbench.profile.vat_text import flag, grouped, listing, lookup, unique_in_order

KIND_OF_TREATMENT = {
    ZERO_RATED: "zero_rated_domestic_sale",
    EC_ZERO: "zero_rated_domestic_sale",
    EXEMPT: "exempt_domestic_sale",
    NO_VAT: "no_vat_domestic_sale",
}
_SHOWN = 4
Row = dict[str, Any]
_COLUMNS = [
    "invoice_id",
    "invoice_number",
    "contact_id",
    "currency",
    "line_id",
    "description",
    "tax_type",
    "line_pence",
    "product",
    "account_code",
    "expected_source",
    "expected_code",
    "expected_units",
    "line_amount_types",
]
# What the coding is legitimately for, for the fix text.
LEGITIMATE = {
    ZERO_RATED: "printed books, for example, are zero-rated",
    EC_ZERO: "goods dispatched to an EU business, for example",
    EXEMPT: "insurance and most financial services, for example, are exempt",
    NO_VAT: "statutory fees and disbursements, for example, are outside the scope",
}


def _known(value: object) -> bool:
    return value is not None and value is not pd.NA


def _source_text(line: Row) -> str:
    source, code = line["expected_source"], line["expected_code"]
    if source == "item":
        return f"the Xero item {line['product']} defaults to {code}"
    if source == "product":
        return f"the CRM product {line['product']} carries {code} VAT"
    return f"account {line['account_code']} defaults to {code}"


def domestic_sale_findings(
    lines: pd.DataFrame, profile: pd.DataFrame, deal_of_invoice: pd.DataFrame
) -> list[Finding]:
    """One finding per kind and deal billed (or per invoice when it bills no known deal).
    `deal_of_invoice`: invoice_id -> deal_id, deal_title."""
    notax = (lines["line_amount_types"] == "NoTax").to_numpy()
    untaxed = lines["treatment"].isin(list(KIND_OF_TREATMENT)).to_numpy() | notax
    mask = untaxed & flag(lines["customer_location"] == UK).to_numpy()
    mask &= flag(lines["expected_treatment"] == CHARGED).to_numpy()
    if not mask.any():
        return []
    treatment = lines.loc[mask, "treatment"].astype(object).where(~notax[mask], NO_VAT)
    suspect = lines.loc[mask, _COLUMNS].assign(
        kind=treatment.map(KIND_OF_TREATMENT),
        coded_as=treatment,
        deal_id=lambda f: lookup(f["invoice_id"], deal_of_invoice["deal_id"]),
        deal_title=lambda f: lookup(f["invoice_id"], deal_of_invoice["deal_title"]),
    )
    suspect["group"] = suspect["deal_id"].where(suspect["deal_id"].notna(), suspect["invoice_id"])
    names = profile["name"]
    return [
        _finding(kind, rows, names) for (kind, _), rows in sorted(grouped(suspect, ["kind", "group"]).items())
    ]


def _finding(kind: str, rows: list[Row], names: pd.Series) -> Finding:
    first = rows[0]
    contact_id = str(first["contact_id"])
    currency = first["currency"]
    net = sum(int(r["line_pence"]) for r in rows if _known(r["line_pence"]))
    missing_vat = sum(
        vat_on_total(int(r["line_pence"]), int(r["expected_units"]))
        for r in rows
        if _known(r["line_pence"]) and _known(r["expected_units"])
    )
    shown = "; ".join(
        f"'{r['description']}' {money(r['line_pence'], currency)} "
        f"{'on a NoTax invoice' if r['line_amount_types'] == 'NoTax' else 'coded ' + str(r['tax_type'])} "
        f"where {_source_text(r)} ({rate_text(r['expected_units'])})"
        for r in rows[:_SHOWN]
    )
    more = f" and {len(rows) - _SHOWN} more line(s)" if len(rows) > _SHOWN else ""
    deal = first["deal_id"]
    billed = f" billing deal {deal} '{first['deal_title']}'" if deal is not None else ""
    coded = TREATMENT_WORDS[str(first["coded_as"])]
    weak = all(r["expected_source"] == ACCOUNT for r in rows)
    severity: Severity = "medium" if weak else "high"
    invoice_ids = unique_in_order(r["invoice_id"] for r in rows)
    numbers = unique_in_order(r["invoice_number"] or r["invoice_id"] for r in rows)
    records = {"invoices": invoice_ids, "xero_contacts": [contact_id]}
    if deal is not None:
        records["deals"] = [str(deal)]
    return Finding(
        kind=kind,
        severity=severity,
        subject_table="deals" if deal is not None else "invoices",
        subject_id=str(deal) if deal is not None else invoice_ids[0],
        explanation=f"{names.get(contact_id, contact_id)} is a UK customer, yet invoice(s) "
        f"{listing(numbers)}{billed} code {len(rows)} line(s) worth {money(net, currency)} as {coded}: "
        f"{shown}{more}. About {money(missing_vat, currency)} of VAT is not being charged or declared.",
        fix="Confirm the supply's VAT liability. If it is standard-rated, credit the invoice and re-issue "
        f"it at {' / '.join(sorted({str(r['expected_code']) for r in rows}))}, and map the CRM product to "
        "that rate in the plan; keep "
        f"{coded} only for supplies the law treats so ({LEGITIMATE[str(first['coded_as'])]})"
        + (
            ", and give the line a Xero item so the check need not rely on the account default."
            if weak
            else "."
        ),
        records=records,
        evidence={
            "lines": [str(r["line_id"]) for r in rows],
            "net_pence": net,
            "vat_not_charged_pence": missing_vat,
            "evidence_from": sorted({str(r["expected_source"]) for r in rows}),
        },
    )
