"""Money as exact integer pence, and Xero's per-line tax arithmetic on it (2 dp, half up).

Canonical money columns hold `Decimal`; a VAT verdict needs them exact but a profile of 400,000 lines
cannot afford Decimal arithmetic row by row. Integer pence give both: every Xero amount has 2 dp, so it
converts to a whole number of pence exactly, and tax is then integer arithmetic that reproduces Xero's
rounding to the penny.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pandas as pd

from workbench.profile.findings import money as format_money

# Rates are percentages with up to 4 dp (Xero's TaxComponents.Rate): 20% -> 200_000.
RATE_SCALE = 10_000
PERCENT = 100 * RATE_SCALE
_ONE = Decimal(1)


def _exact_scaled(value: object, places: int) -> float:
    """One value times 10**places rounded half up, or NaN when it is missing or not a number."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        return float(int(number.scaleb(places).quantize(_ONE, rounding=ROUND_HALF_UP)))
    except (InvalidOperation, ValueError, TypeError):
        return np.nan


def to_pence(values: pd.Series) -> pd.Series:
    """Amounts as nullable Int64 pence, exact.

    The fast path carries each Decimal through a double only as transport: a 2-dp amount below 10**13
    lands within far less than half a penny of its whole number of pence, so rounding recovers it exactly.
    Values that do not land on a whole penny (more than 2 dp) are redone exactly in Decimal, half up.
    """
    raw = values.to_numpy(dtype=object)
    scaled = values.to_numpy(dtype=float, na_value=np.nan) * 100
    pence = np.rint(scaled)
    inexact = ~np.isnan(scaled) & (np.abs(scaled - pence) > 1e-6)
    for i in np.flatnonzero(inexact):
        pence[i] = _exact_scaled(raw[i], 2)
    return integers(pence, values.index)


def integers(values: np.ndarray, index: pd.Index) -> pd.Series:
    """Whole numbers held as floats (NaN = missing) as a nullable Int64 column, without pandas' slow
    element-wise coercion."""
    missing = np.isnan(values)
    array = pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)
    return pd.Series(array, index=index)


def to_rate_units(values: pd.Series) -> pd.Series:
    """Percentages as nullable Int64 in units of 1/10,000 of a percent, exact (tax_rates is small)."""
    return pd.Series([_exact_scaled(v, 4) for v in values], index=values.index, dtype=float).astype("Int64")


def half_up(numerator: np.ndarray, denominator: np.ndarray | int) -> np.ndarray:
    """numerator / denominator rounded half away from zero (Decimal's ROUND_HALF_UP), integers only."""
    sign = np.sign(numerator)
    magnitude = np.abs(numerator)
    return sign * ((2 * magnitude + denominator) // (2 * denominator))


def xero_line_tax(line_pence: pd.Series, rate_units: pd.Series, line_amount_types: pd.Series) -> pd.Series:
    """The tax Xero computes for each line, in pence: Exclusive round2(amount x rate); Inclusive
    round2(amount x rate / (1 + rate)); NoTax nothing. <NA> where the amount or rate is unknown."""
    known = line_pence.notna() & rate_units.notna()
    amount = line_pence.fillna(0).to_numpy(dtype=np.int64)
    rate = rate_units.fillna(0).to_numpy(dtype=np.int64)
    inclusive = (line_amount_types == "Inclusive").to_numpy()
    denominator = np.where(inclusive, PERCENT + rate, PERCENT)
    tax = half_up(amount * rate, denominator)
    tax = np.where((line_amount_types == "NoTax").to_numpy(), 0, tax)
    return pd.Series(tax, index=line_pence.index, dtype="Int64").where(known)


def vat_on_total(net_pence: int, rate_units: int) -> int:
    """VAT worked out once on a net total, rounded half up (how a CRM often computes it)."""
    value = half_up(np.array([net_pence * rate_units]), np.array([PERCENT]))
    return int(value[0])


def money(pence: object, currency: object = "GBP") -> str:
    """Pence as an explanation shows money (`findings.money`: '£1,234.56', 'EUR 80.00')."""
    if pence is None or pence is pd.NA:
        return "an unknown amount"
    return format_money(Decimal(int(pence)).scaleb(-2), currency)  # type: ignore[call-overload]


def rate_text(rate_units: object) -> str:
    """A rate in 1/10,000 % as '20%' or '17.5%'."""
    if rate_units is None or rate_units is pd.NA:
        return "an unknown rate"
    value = Decimal(int(rate_units)) / RATE_SCALE  # type: ignore[call-overload]
    return f"{value.normalize():f}%"
