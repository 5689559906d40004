"""The tenant's own tax rates, each read as a VAT treatment (charged, zero-rated, exempt, ...).

Codes are never assumed: a tenant can rename rates, archive them or add its own (`TAX001`), and the
domestic reverse charge codes are labelled inconsistently across sources (reference xero-api.md §5). The
treatment is therefore read from what Xero reports the rate as (`ReportTaxType`), then from its name,
then from its rate, and only a code the tenant actually has is ever judged.
"""

from __future__ import annotations

import re

import pandas as pd

from workbench.profile.vat_money import to_rate_units
from workbench.profile.vat_text import flag

CHARGED = "charged"  # VAT charged at a positive rate: 20% standard, 5% reduced
ZERO_RATED = "zero_rated"
EC_ZERO = "ec_zero"  # the legacy zero-rated EC supplies codes
EXEMPT = "exempt"
NO_VAT = "no_vat"  # outside the scope of VAT
REVERSE_CHARGE = "reverse_charge"
OTHER = "other"

TREATMENT_WORDS = {
    CHARGED: "standard or reduced-rated",
    ZERO_RATED: "zero-rated",
    EC_ZERO: "zero-rated (EC)",
    EXEMPT: "exempt",
    NO_VAT: "no VAT (outside the scope)",
    REVERSE_CHARGE: "domestic reverse charge",
    OTHER: "other",
}
# A sale to a UK customer coded like this charges no VAT at all.
UNTAXED_SALE = frozenset({ZERO_RATED, EC_ZERO, EXEMPT, NO_VAT})

_BY_REPORT_TYPE = {
    "DRCHARGE": REVERSE_CHARGE,
    "DRCHARGESUPPLY": REVERSE_CHARGE,
    "REVERSECHARGES": REVERSE_CHARGE,
    "EXEMPTOUTPUT": EXEMPT,
    "EXEMPTINPUT": EXEMPT,
    "ECOUTPUT": EC_ZERO,
    "ECOUTPUTSERVICES": EC_ZERO,
    "ZERORATEDOUTPUT": ZERO_RATED,
    "ZERORATEDINPUT": ZERO_RATED,
    "NONE": NO_VAT,
}
_BY_NAME = (
    (re.compile(r"reverse\s*charge", re.IGNORECASE), REVERSE_CHARGE),
    (re.compile(r"exempt", re.IGNORECASE), EXEMPT),
    (re.compile(r"\bEC\b.*zero|zero.*\bEC\b", re.IGNORECASE), EC_ZERO),
    (re.compile(r"zero[\s-]*rated", re.IGNORECASE), ZERO_RATED),
    (re.compile(r"^\s*no\s+(vat|tax)\b|outside\s+(the\s+)?scope", re.IGNORECASE), NO_VAT),
)
INACTIVE_STATUSES = frozenset({"ARCHIVED", "DELETED"})
RATE_COLUMNS = ["name", "status", "active", "revenue", "rate_units", "nominal_units", "treatment"]


def _treatment(report_type: object, name: object, nominal_units: object) -> str:
    if isinstance(report_type, str) and report_type.upper() in _BY_REPORT_TYPE:
        return _BY_REPORT_TYPE[report_type.upper()]
    if isinstance(name, str):
        for pattern, treatment in _BY_NAME:
            if pattern.search(name):
                return treatment
    if nominal_units is not pd.NA and nominal_units is not None and int(nominal_units) > 0:  # type: ignore[call-overload]
        return CHARGED
    return OTHER


def tax_rate_table(tax_rates: pd.DataFrame) -> pd.DataFrame:
    """One row per tenant tax type: name, status, active, revenue, rate_units (the effective rate Xero
    computes tax at: 0 for the reverse charge), nominal_units (the rate shown) and treatment."""
    if tax_rates.empty:
        return pd.DataFrame(columns=RATE_COLUMNS, index=pd.Index([], name="tax_type"))
    rates = tax_rates.dropna(subset=["tax_type"])
    rates = rates.set_index(rates["tax_type"].astype(str).str.strip().str.upper())
    rates = rates[~rates.index.duplicated(keep="last")]
    nominal = to_rate_units(rates["display_rate"])
    effective = to_rate_units(rates["effective_rate"])
    table = pd.DataFrame(
        {
            "name": rates["name"],
            "status": rates["status"].fillna("ACTIVE").astype(str).str.upper(),
            # Xero only returns CanApplyToRevenue when true; an absent flag is not a permission.
            "revenue": flag(rates["can_apply_to_revenue"]),
            "rate_units": effective.fillna(nominal),
            "nominal_units": nominal.fillna(effective),
        },
        index=rates.index,
    )
    table["active"] = ~table["status"].isin(INACTIVE_STATUSES)
    table["treatment"] = [
        _treatment(report, name, units)
        for report, name, units in zip(
            rates["report_tax_type"], rates["name"], table["nominal_units"], strict=True
        )
    ]
    # A "charged" reading needs VAT actually computed: a positive rate shown but 0% effective is a
    # self-accounted rate (acquisitions, reverse charge) that charges the customer nothing.
    self_accounted = (table["treatment"] == CHARGED) & (table["rate_units"].fillna(0) == 0)
    table.loc[self_accounted, "treatment"] = OTHER
    return table[RATE_COLUMNS]
