"""VAT treatments that follow the customer, judged per Xero contact: standard-rated services to overseas
businesses, the construction domestic reverse charge, and mixed Exclusive / Inclusive invoicing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pandas as pd

from workbench.profile.findings import Finding, Severity
from workbench.profile.vat_customers import ABROAD, UK, Customers
from workbench.profile.vat_money import money, rate_text
from workbench.profile.vat_rates import CHARGED, REVERSE_CHARGE
from workbench.profile.vat_text import Distinct, flag, grouped, listing, normal_text, unique_in_order

Row = dict[str, Any]


def _numbers(rows: list[Row]) -> list[str]:
    return unique_in_order(r["invoice_number"] or r["invoice_id"] for r in rows)


def _records(contact_id: str, rows: list[Row], orgs: dict[str, list[str]]) -> dict[str, list[str]]:
    records = {"xero_contacts": [contact_id], "invoices": unique_in_order(r["invoice_id"] for r in rows)}
    if orgs.get(contact_id):
        records["organisations"] = orgs[contact_id]
    return records


def _vat_charged(rows: list[Row]) -> str:
    per_currency: dict[str, int] = defaultdict(int)
    for r in rows:
        if pd.notna(r["tax_pence"]):
            per_currency[str(r["currency"])] += int(r["tax_pence"])
    return ", ".join(money(v, c) for c, v in sorted(per_currency.items()))


_LINE_COLUMNS = [
    "description",
    "contact_id",
    "invoice_id",
    "invoice_number",
    "line_id",
    "tax_type",
    "tax_pence",
    "currency",
    "product",
]


def eu_b2b_findings(lines: pd.DataFrame, customers: Customers) -> list[Finding]:
    """standard_rated_eu_b2b_service: VAT charged to an overseas customer that has a VAT number.

    A B2B service is supplied where the customer belongs (HMRC VATPOSS06300), so a UK supplier's
    service to an overseas business is outside the scope of UK VAT, and goods leaving the UK are
    zero-rated exports; the customer's VAT number is the usual evidence it is a business (VATPOSS06500).
    A number with a GB/XI prefix means the customer is UK VAT-registered and may belong here, so it is
    left alone, as are overseas customers without a number (consumers, who pay UK VAT).
    """
    business_abroad = (
        flag(lines["customer_location"] == ABROAD)
        & lines["customer_vat_number"].notna()
        & ~lines["customer_vat_prefix"].isin(["GB", "XI"])
    )
    charged = business_abroad & flag(lines["treatment"] == CHARGED) & (lines["line_amount_types"] != "NoTax")
    groups = grouped(lines.loc[charged, _LINE_COLUMNS], "contact_id")
    orgs = customers.orgs_of(groups)
    profile = customers.profile
    findings = []
    for contact_id, rows in sorted(groups.items()):
        row = profile.loc[contact_id]
        numbers = _numbers(rows)
        codes_used = ", ".join(sorted({str(r["tax_type"]) for r in rows}))
        findings.append(
            Finding(
                kind="standard_rated_eu_b2b_service",
                severity="high",
                subject_table="xero_contacts",
                subject_id=str(contact_id),
                explanation=f"{row['name']} ({row['country'] or 'overseas'}, VAT number {row['vat_number']}) "
                f"is an overseas business, yet {len(rows)} line(s) on {len(numbers)} invoice(s) "
                f"({listing(numbers)}) charge UK VAT at {codes_used}: {_vat_charged(rows)} of VAT. B2B "
                "services to an overseas business are outside the scope of UK VAT (the customer "
                "reverse-charges it), and exported goods are zero-rated.",
                fix="Check the supply is not an exception (land in the UK, admission to a UK event, goods "
                "delivered in the UK); otherwise credit the VAT, re-invoice outside the scope (the "
                "tenant's no-VAT or zero-rated services code) and set the contact's default sales tax to it.",
                records=_records(str(contact_id), rows, orgs),
                evidence={"vat_number": row["vat_number"], "lines": [str(r["line_id"]) for r in rows]},
            )
        )
    return findings


def _sold(lines: pd.DataFrame) -> pd.Series:
    """What each line sells: its product, else its description (a tenant that types free-text lines)."""
    described = "text:" + Distinct(lines["description"], normal_text).column().fillna("")
    return lines["product"].where(lines["product"].notna(), described)


def _income_reverse_charge_codes(rates: pd.DataFrame) -> str:
    codes = rates[(rates["treatment"] == REVERSE_CHARGE) & flag(rates["revenue"]) & flag(rates["active"])]
    text = " or ".join(f"{code} ({rate_text(units)})" for code, units in codes["nominal_units"].items())
    return text or "a domestic reverse charge income rate (create it in Xero first)"


def reverse_charge_findings(
    lines: pd.DataFrame,
    customers: Customers,
    marked_deals: Callable[[set[str]], set[str]],
    item_treatments: pd.Series,
    rates: pd.DataFrame,
) -> list[Finding]:
    """reverse_charge_customer: a UK VAT-registered customer invoiced with VAT charged on services the
    tenant itself treats as reverse-charge construction services.

    The services are the ones the tenant invoices to someone under a reverse charge code, or whose Xero
    item defaults to one. Both parties must be VAT-registered, so a customer without a VAT number is
    left alone. What else says the customer is a reverse charge customer sets the severity: the tenant
    already treats it so (its contact's default sales tax, its other invoices, a CRM deal marked so):
    high; it is a construction business by its CRM sector or its name: medium; nothing else: low, since
    only an end user or intermediary (who must say so in writing) is charged VAT on these services.
    `marked_deals(contact_ids)`: those of the contacts billed for a deal the CRM marks reverse charge;
    `item_treatments`: product code -> treatment of the Xero item's default sales tax.
    """
    reverse = flag(lines["treatment"] == REVERSE_CHARGE)
    charged = (
        flag(lines["customer_location"] == UK)
        & lines["customer_vat_number"].notna()
        & flag(lines["treatment"] == CHARGED)
        & (lines["line_amount_types"] != "NoTax")
    )
    covered = set(_sold(lines.loc[reverse, _LINE_COLUMNS])) | set(
        item_treatments.index[(item_treatments == REVERSE_CHARGE).to_numpy()]
    )
    history = set(lines.loc[reverse, "contact_id"])
    charged_lines = lines.loc[charged, _LINE_COLUMNS]
    eligible = charged_lines[_sold(charged_lines).isin(covered).to_numpy()]
    groups = grouped(eligible, "contact_id")
    orgs = customers.orgs_of(groups)
    candidates = {str(c) for c in groups}
    building, marked = customers.in_construction(candidates), marked_deals(candidates)
    named = customers.named_as_builders(candidates)
    profile = customers.profile
    codes_text = _income_reverse_charge_codes(rates)
    findings = []
    for contact_id, rows in sorted(groups.items()):
        row = profile.loc[contact_id]
        treated = []
        if row["default_treatment"] == REVERSE_CHARGE:
            treated.append(f"its Xero default sales tax is {row['sales_tax_type']}")
        if contact_id in history:
            treated.append("the tenant invoices it under the reverse charge elsewhere")
        if contact_id in marked:
            treated.append("a CRM deal billed to it is marked domestic reverse charge")
        trade = []
        if contact_id in building:
            trade.append("the CRM lists it in the construction sector")
        if contact_id in named:
            trade.append("its name names a construction trade")
        signals = [*treated, *trade] or ["it is VAT-registered and buys the tenant's reverse charge services"]
        numbers = _numbers(rows)
        products = ", ".join(sorted({str(r["product"] or r["description"]) for r in rows}))
        codes_used = ", ".join(sorted({str(r["tax_type"]) for r in rows}))
        severity: Severity = "high" if treated else "medium" if trade else "low"
        findings.append(
            Finding(
                kind="reverse_charge_customer",
                severity=severity,
                subject_table="xero_contacts",
                subject_id=str(contact_id),
                explanation=f"{row['name']} (VAT number {row['vat_number']}) looks like a UK reverse charge "
                f"customer ({'; '.join(signals)}), yet {len(rows)} line(s) of {products} on {len(numbers)} "
                f"invoice(s) ({listing(numbers)}) charge VAT at {codes_used} ({_vat_charged(rows)}). The "
                "tenant invoices these services under the domestic reverse charge, where the customer "
                "accounts for the VAT.",
                fix="Unless the customer has confirmed in writing that it is an end user or intermediary, "
                f"credit these invoices and re-issue them at {codes_text} with the reverse charge wording, "
                "and set the contact's default sales tax to it.",
                records=_records(str(contact_id), rows, orgs),
                evidence={"signals": signals, "lines": [str(r["line_id"]) for r in rows]},
            )
        )
    return findings


def mixed_line_amount_findings(invoices: pd.DataFrame, customers: Customers) -> list[Finding]:
    """mixed_line_amount_types: one customer's live sales `invoices` are partly tax-exclusive, partly
    tax-inclusive.

    NoTax invoices do not count: an invoice carrying no VAT is neither, and sits beside either kind
    legitimately (a disbursement-only invoice).
    """
    priced = invoices.loc[
        invoices["line_amount_types"].isin(["Exclusive", "Inclusive"]),
        ["contact_id", "invoice_id", "invoice_number", "line_amount_types", "date"],
    ]
    kinds = priced.groupby("contact_id", sort=False)["line_amount_types"].nunique()
    mixed = priced[priced["contact_id"].isin(kinds.index[kinds > 1])].sort_values(["date", "invoice_id"])
    groups = grouped(mixed, "contact_id")
    orgs = customers.orgs_of(groups)
    names = customers.profile["name"]
    findings = []
    for contact_id, rows in sorted(groups.items()):
        exclusive = _numbers([r for r in rows if r["line_amount_types"] == "Exclusive"])
        inclusive = _numbers([r for r in rows if r["line_amount_types"] == "Inclusive"])
        findings.append(
            Finding(
                kind="mixed_line_amount_types",
                severity="medium",
                subject_table="xero_contacts",
                subject_id=str(contact_id),
                explanation=f"{names.get(contact_id, contact_id)}'s sales invoices mix {len(exclusive)} "
                f"tax-exclusive ({listing(exclusive)}) and {len(inclusive)} tax-inclusive "
                f"({listing(inclusive)}) invoices, so the same kind of CRM price is billed with VAT on top "
                "on some and VAT inside it on others.",
                fix="Decide whether this customer's CRM prices include VAT, set LineAmountTypes explicitly "
                "in the flow (never the default), and check the invoices of the other kind charged what "
                "was agreed.",
                records=_records(str(contact_id), rows, orgs),
                evidence={"exclusive": len(exclusive), "inclusive": len(inclusive)},
            )
        )
    return findings
