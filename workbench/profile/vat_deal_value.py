"""A CRM deal's value against what its invoices bill: VAT added twice, VAT taken out twice, per-line
rounding, and deals invoiced in another currency.

The comparison is the sum over all of a deal's live invoices (an instalment plan is several invoices for
one deal). Tolerances are in pence and come from Xero's arithmetic, not from a percentage: Xero rounds
each line's VAT to the penny, so a total can sit up to half a penny per line (plus half a penny for the
CRM's own rounding) from VAT computed once on the total; anything further is a real difference.

Whether the CRM's deal values include VAT is read from the tenant's own deals: the convention most of
its deals agree with (invoice total = value, or subtotal = value). "Value x 1.2" is only an error when
values include VAT; "value / 1.2" is an error either way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.profile.findings import Finding
from workbench.profile.vat_billing import Billing, deal_totals
from workbench.profile.vat_money import PERCENT, half_up, money, to_pence
from workbench.profile.vat_text import flag, grouped, unique_in_order

GROSS, NET = "gross", "net"
Deal = dict[str, Any]


def _credited(chosen: pd.DataFrame, bills: Billing, invoices: pd.DataFrame) -> np.ndarray:
    """Per chosen deal, the credit notes applied to its invoices (pence); only for the few deals a
    rule picked, since converting money is the slow part."""
    mine = bills.links[bills.links["deal_at"].isin(chosen["deal_at"])]
    credited = to_pence(invoices["amount_credited"].iloc[mine["invoice_at"].to_numpy()]).fillna(0)
    per_deal = pd.Series(credited.to_numpy(dtype=np.int64)).groupby(mine["deal_at"].to_numpy()).sum()
    return per_deal.reindex(chosen["deal_at"]).fillna(0).to_numpy(dtype=np.int64)


def _convention(frame: pd.DataFrame) -> str:
    """GROSS when most of the tenant's VAT-bearing deals are invoiced at their value, NET when most
    are invoiced at their value plus VAT."""
    plain = frame[(frame["instalments"] == 0) & (frame["invoice_count"] == 1) & (frame["tax"] > 0)]
    gross = int((plain["total"] == plain["value"]).sum())
    net = int(((plain["subtotal"] == plain["value"]) & (plain["total"] != plain["value"])).sum())
    return NET if net > gross else GROSS


def _cash(deal: Deal, pence: object) -> str:
    return money(pence, deal["currency"])


def _label(deal: Deal) -> str:
    title = f" '{deal['title']}'" if isinstance(deal["title"], str) else ""
    status = f", {deal['status']}" if isinstance(deal["status"], str) else ""
    return f"Deal {deal['deal_id']}{title}{status}, value {_cash(deal, deal['value'])}"


def _billed(deal: Deal) -> str:
    numbers = deal["invoice_numbers"]
    what = "invoice" if len(numbers) == 1 else f"{len(numbers)} invoices"
    return (
        f"is billed by {what} {', '.join(numbers[:6])}{' ...' if len(numbers) > 6 else ''}: subtotal "
        f"{_cash(deal, deal['subtotal'])} + VAT {_cash(deal, deal['tax'])} = {_cash(deal, deal['total'])}"
    )


def _verdicts(same: pd.DataFrame, convention: str) -> dict[str, pd.Series]:
    """Which deals (invoiced in their own currency) carry which value problem."""
    value, total, subtotal, tax = same["value"], same["total"], same["subtotal"], same["tax"]
    settled = total == value  # invoiced exactly as agreed
    if convention == NET:
        settled |= subtotal == value
    # A CRM value that is the sum of its lines can sit a penny a line from Xero's subtotal of the same
    # lines (each line's quantity x price is rounded separately).
    per_line = same["lines"].clip(lower=1)
    times = (convention == GROSS) & (tax > 0) & ((subtotal - value).abs() <= per_line) & ~settled
    # value / (1 + rate): the total grossed up at the deal's one VAT rate lands back on the value, to
    # the same penny a line (plus the penny the division itself rounded away).
    single = flag(same["low_rate"] == same["high_rate"]) & (same["high_rate"].fillna(0) > 0)
    rate = same["high_rate"].where(single, 0).fillna(0).to_numpy(dtype=np.int64)
    grossed_up = pd.Series(half_up(total.to_numpy() * (PERCENT + rate), PERCENT), index=same.index)
    divided = (
        (tax > 0)
        & single
        & (same["instalments"] == 0)  # 10 of 12 monthly instalments is exactly value / 1.2
        & ((grossed_up - value).abs() <= per_line + 1)
        & ~settled
        & ~times
    )
    # Xero rounds each line's VAT (at most half a penny out) where a CRM rounds VAT once on the total
    # (another half): up to (lines + 1) // 2 pence apart. Only Exclusive invoices round that way.
    rounding = (
        (convention == GROSS)
        & (same["not_exclusive"] == 0)
        & (tax > 0)
        & ((total - value).abs() <= ((same["lines"] + 1) // 2).clip(lower=1))
        & ~settled
        & ~times
        & ~divided
    )
    return {
        "vat_total_is_deal_value_times_1_2": times,
        "vat_total_is_deal_value_divided_by_1_2": divided,
        "rounding_difference": rounding,
    }


def deal_value_findings(bills: Billing, invoices: pd.DataFrame, sums: pd.DataFrame) -> list[Finding]:
    """vat_total_is_deal_value_times_1_2, vat_total_is_deal_value_divided_by_1_2, rounding_difference
    and currency_mismatch, one finding per deal (`sums`: `vat_lines.invoice_sums` of `invoices`)."""
    frame = deal_totals(bills, invoices, sums)
    frame["value"] = to_pence(frame["value"])
    frame = frame[frame["value"].notna() & (frame["value"] != 0)].copy()
    if frame.empty:
        return []
    frame["value"] = frame["value"].astype(np.int64)
    flagged = {"currency_mismatch": frame["other_currency"] > 0}
    same = frame[frame["other_currency"] == 0]
    for kind, mask in _verdicts(same, _convention(same)).items():
        flagged[kind] = mask.reindex(frame.index, fill_value=False)
    chosen = frame[pd.concat(flagged.values(), axis=1).any(axis=1)].copy()
    # A credit note that brings the invoice back to the deal value has already put it right.
    chosen["credited"] = _credited(chosen, bills, invoices)
    repaired = (chosen["credited"] > 0) & (chosen["total"] - chosen["credited"] == chosen["value"])
    chosen = chosen[~repaired | flagged["currency_mismatch"].reindex(chosen.index, fill_value=False)]
    detail = _invoice_detail(bills, invoices, chosen)
    findings = []
    for kind, mask in flagged.items():
        for deal in chosen[mask.reindex(chosen.index, fill_value=False)].to_dict("records"):
            findings.append(BUILDERS[kind]({**deal, **detail[deal["deal_at"]]}))
    return findings


def _invoice_detail(
    bills: Billing, invoices: pd.DataFrame, chosen: pd.DataFrame
) -> dict[int, dict[str, list[str]]]:
    """deal_at -> its invoice ids, numbers, contacts and currencies, for the chosen deals only."""
    mine = bills.links[bills.links["deal_at"].isin(chosen["deal_at"])]
    mine = mine.assign(currency=invoices["currency"].to_numpy()[mine["invoice_at"].to_numpy()])
    out: dict[int, dict[str, list[str]]] = {}
    for key, rows in grouped(mine, "deal_at").items():
        out[int(key)] = {
            "invoice_ids": unique_in_order(r["invoice_id"] for r in rows),
            "invoice_numbers": unique_in_order(r["invoice_number"] or r["invoice_id"] for r in rows),
            "contact_ids": sorted(set(unique_in_order(r["contact_id"] for r in rows))),
            "currencies": sorted({str(r["currency"]).strip().upper() for r in rows if r["currency"]}),
        }
    return out


def _records(deal: Deal) -> dict[str, list[str]]:
    return {
        "deals": [str(deal["deal_id"])],
        "invoices": [str(i) for i in deal["invoice_ids"]],
        "xero_contacts": list(deal["contact_ids"]),
    }


def _evidence(deal: Deal) -> dict[str, object]:
    return {
        "value_pence": int(deal["value"]),
        "subtotal_pence": int(deal["subtotal"]),
        "tax_pence": int(deal["tax"]),
        "total_pence": int(deal["total"]),
        "currency": deal["currency"],
        "instalments": int(deal["instalments"]),
    }


def _currency_finding(deal: Deal) -> Finding:
    other = ", ".join(c for c in deal["currencies"] if c != deal["currency"])
    return Finding(
        kind="currency_mismatch",
        severity="high",
        subject_table="deals",
        subject_id=str(deal["deal_id"]),
        explanation=f"{_label(deal)} is in {deal['currency']} but is invoiced in {other} "
        f"({', '.join(deal['invoice_numbers'])}), so the invoice amount cannot be compared with the deal "
        "and one of the two is in the wrong currency.",
        fix="Invoice in the deal's currency (set CurrencyCode from the deal and let Xero apply its rate), "
        "or correct the deal's currency in the CRM; the tenant must be subscribed to that currency.",
        records=_records(deal),
        evidence={**_evidence(deal), "invoice_currencies": list(deal["currencies"])},
    )


def _times_finding(deal: Deal) -> Finding:
    over = int(deal["total"] - deal["value"])
    return Finding(
        kind="vat_total_is_deal_value_times_1_2",
        severity="high",
        subject_table="deals",
        subject_id=str(deal["deal_id"]),
        explanation=f"{_label(deal)} (VAT included, as this CRM's deal values are) {_billed(deal)}. The "
        f"VAT-inclusive value was invoiced as the net amount and VAT added again: the total is the value "
        f"x {(deal['total'] / deal['value']):.2f} and the customer is overcharged {_cash(deal, over)}.",
        fix=f"Credit {_cash(deal, over)} (or the whole invoice and re-issue it at the deal value including "
        "VAT). In the flow, send the CRM's VAT-inclusive prices with LineAmountTypes Inclusive, or net "
        "prices with Exclusive, never gross prices as Exclusive.",
        records=_records(deal),
        evidence={**_evidence(deal), "overcharged_pence": over},
    )


def _divided_finding(deal: Deal) -> Finding:
    short = int(deal["value"] - deal["total"])
    return Finding(
        kind="vat_total_is_deal_value_divided_by_1_2",
        severity="high",
        subject_table="deals",
        subject_id=str(deal["deal_id"]),
        explanation=f"{_label(deal)} {_billed(deal)}, which is the value divided by "
        f"{(deal['value'] / deal['total']):.2f}: VAT was taken out of the VAT-inclusive value and the net "
        f"amount then invoiced as if it included VAT, so the customer is billed {_cash(deal, short)} less "
        "than agreed and the VAT declared is understated.",
        fix=f"Raise a supplementary invoice for the {_cash(deal, short)} shortfall (or credit and re-issue "
        "at the deal value). In the flow, send net prices with LineAmountTypes Exclusive or gross prices "
        "with Inclusive, never net prices as Inclusive.",
        records=_records(deal),
        evidence={**_evidence(deal), "undercharged_pence": short},
    )


def _rounding_finding(deal: Deal) -> Finding:
    gap = int(deal["total"] - deal["value"])
    on_total = int(deal["subtotal"] + deal["vat_on_total"])
    matches = on_total == deal["value"]
    why = (
        f"the CRM worked out VAT once on the total ({_cash(deal, on_total)}, exactly the deal value)"
        if matches
        else "the CRM rounds VAT differently"
    )
    return Finding(
        kind="rounding_difference",
        severity="low",
        subject_table="deals",
        subject_id=str(deal["deal_id"]),
        explanation=f"{_label(deal)} {_billed(deal)}, {_cash(deal, abs(gap))} "
        f"{'more' if gap > 0 else 'less'} than the deal: Xero rounds VAT on each of the "
        f"{int(deal['lines'])} lines while {why}.",
        fix="Nothing is wrong with either figure, but the difference will recur: compute VAT per line in "
        "the CRM, or let the flow compare deal and invoice with a tolerance of half a penny per line (or "
        "post the difference to Xero's Rounding account) so it does not raise a false alarm.",
        records=_records(deal),
        evidence={**_evidence(deal), "difference_pence": gap, "vat_on_total_matches": bool(matches)},
    )


BUILDERS = {
    "currency_mismatch": _currency_finding,
    "vat_total_is_deal_value_times_1_2": _times_finding,
    "vat_total_is_deal_value_divided_by_1_2": _divided_finding,
    "rounding_difference": _rounding_finding,
}
