"""Builds the Xero invoice documents: one per won deal (or per month of a retainer), the planted
problem invoices, voided and deleted ones, Xero-only customers' invoices and suppliers' bills.

Totals always come from `apply_totals` (Xero's per-line rounding); statuses, payments and credit notes
are settled afterwards by `xero_ledger`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from workbench.sandbox.demo.deal_plan import LineBuilder, instalment_dates
from workbench.sandbox.demo.rng import guid
from workbench.sandbox.demo.world import Company, Deal, Line
from workbench.sandbox.xero.totals import apply_totals, round2

Record = dict[str, Any]
REFERENCE_PREFIX = "PD-"
LINE_AMOUNT_TYPES = {"exclusive": "Exclusive", "inclusive": "Inclusive", "none": "NoTax"}
VAT_20 = Decimal("1.2")
# Units of each currency per pound, as Xero's CurrencyRate gives them (4 dp).
RATES = {
    "GBP": (Decimal(1),),
    "EUR": tuple(Decimal(n) / 10000 for n in range(11350, 11951, 7)),
    "USD": tuple(Decimal(n) / 10000 for n in range(12400, 13401, 9)),
}
QUANTITY = tuple(Decimal(n) for n in range(100))
TERMS = {days: timedelta(days=days) for days in (14, 30, 60)}
# What each kind of supplier bills: (account code, description, TaxType, lowest, highest)
SUPPLIER_LINES = {
    "Office Supplies": ("429", "Office supplies", "INPUT2", 20, 400),
    "Couriers": ("425", "Courier services", "INPUT2", 15, 250),
    "Energy": ("445", "Electricity and gas", "INPUT2", 150, 900),
    "Insurance Brokers": ("433", "Insurance premium", "EXEMPTINPUT", 200, 2500),
    "IT Services": ("463", "IT support and licences", "INPUT2", 80, 1500),
    "Cleaning Services": ("408", "Office cleaning", "INPUT2", 90, 600),
    "Vehicle Leasing": ("449", "Vehicle lease", "INPUT2", 250, 700),
    "Telecoms": ("489", "Phones and broadband", "INPUT2", 40, 300),
    "Print Supplies": ("310", "Printed manuals and kit components", "INPUT2", 100, 3000),
    "Facilities": ("473", "Repairs and maintenance", "INPUT2", 60, 1200),
    "Stationers": ("461", "Printing and stationery", "INPUT2", 15, 200),
    "Hire Services": ("325", "Equipment hire", "INPUT2", 100, 1500),
}
GENERAL_LINE = ("429", "General expenses", "INPUT2", 20, 500)


def deal_reference(deal_id: int, instalment: int | None = None) -> str:
    """The client's convention: 'PD-<deal id>', and 'PD-<deal id>/<nn>' for a retainer's nth month."""
    return (
        f"{REFERENCE_PREFIX}{deal_id}"
        if instalment is None
        else f"{REFERENCE_PREFIX}{deal_id}/{instalment:02d}"
    )


@dataclass(slots=True, eq=False)
class Spec:
    """One invoice document and what the ledger needs to settle it."""

    doc: Record
    company: Company
    kind: str  # deal | instalment | voided | deleted | twice | orphan | xero_only | bill
    deal: Deal | None = None
    force_overdue: bool = False


class InvoiceBuilder:
    def __init__(
        self, rng: random.Random, as_of: date, start: date, rate_for: Callable[[str], Decimal]
    ) -> None:
        self.rng = rng
        self.as_of = as_of
        self.start = start
        self.window = max(30, (as_of - start).days)
        self.rate_for = rate_for
        self.lines = LineBuilder(rng)
        self.specs: list[Spec] = []

    # documents -----------------------------------------------------------------------------------
    def _rate(self, currency: str) -> Decimal:
        rates = RATES[currency]
        return rates[int(self.rng.random() * len(rates))]

    def _contact(self, company: Company) -> str:
        ids = company.contact_ids
        if len(ids) > 1 and self.rng.random() < 0.3:
            return ids[self.rng.randrange(1, len(ids))]
        return ids[0]

    def _items(self, lines: list[Line], note: str = "", quantity: int | None = None) -> list[Record]:
        codes = self.rng.random() < 0.75
        items = []
        for line in lines:
            product = line.product
            item: Record = {
                "LineItemID": guid(self.rng),
                "Description": f"{product.name}{note}",
                "Quantity": QUANTITY[quantity if quantity is not None else line.quantity],
                "UnitAmount": line.price,
                "AccountCode": product.account,
                "TaxType": line.tax_type,
            }
            if codes and product.in_xero:
                item["ItemCode"] = product.code
            if line.discount:
                item["DiscountRate"] = line.discount
            items.append(item)
        return items

    def _doc(
        self,
        kind: str,
        company: Company,
        day: date,
        reference: str,
        items: list[Record],
        line_amount_types: str,
        deal: Deal | None = None,
        contact: str | None = None,
        same_as: Record | None = None,
    ) -> Spec:
        terms = TERMS[company.extra.get("terms", 30)]
        doc: Record = {
            "Type": "ACCPAY" if kind == "bill" else "ACCREC",
            "InvoiceID": guid(self.rng),
            "InvoiceNumber": "",
            "Reference": reference,
            "Contact": {"ContactID": contact or self._contact(company)},
            "Date": day,
            "DueDate": day + terms,
            "Status": "AUTHORISED",
            "LineAmountTypes": line_amount_types,
            "LineItems": items,
            "CurrencyCode": company.currency,
            "CurrencyRate": self._rate(company.currency),
        }
        if same_as is None:
            apply_totals(doc, self.rate_for)
        else:  # a retainer's next month: the very lines apply_totals already settled for the first one
            for item, settled in zip(items, same_as["LineItems"], strict=True):
                item["LineAmount"], item["TaxAmount"] = settled["LineAmount"], settled["TaxAmount"]
            for key in ("SubTotal", "TotalTax", "Total", "TotalDiscount"):
                doc[key] = same_as[key]
        spec = Spec(doc, company, kind, deal)
        self.specs.append(spec)
        return spec

    def _day_after(self, day: date, low: int, high: int) -> date:
        return min(self.as_of, day + timedelta(days=self.rng.randint(low, high)))

    def _any_day(self) -> date:
        return self.start + timedelta(days=self.rng.randrange(self.window))

    # per source ----------------------------------------------------------------------------------
    def for_deal(self, deal: Deal) -> list[Spec]:
        """The invoices a won deal gets (none for a planted 'won, not invoiced')."""
        company = deal.company
        assert deal.close is not None
        lat = LINE_AMOUNT_TYPES[deal.tax_method]
        if deal.problem == "won_deal_not_invoiced":
            return []
        if deal.kind == "retainer":
            out: list[Spec] = []
            for n, day in enumerate(instalment_dates(deal, self.as_of), start=1):
                items = self._items(deal.lines, f" - {day:%B %Y}", quantity=1)
                reference = deal_reference(deal.id, n)
                settled = out[0].doc if out else None
                out.append(
                    self._doc("instalment", company, day, reference, items, lat, deal, same_as=settled)
                )
            return out
        day = self._day_after(deal.close, 0, 5)
        reference = deal_reference(deal.id)
        if deal.problem == "vat_total_is_deal_value_times_1_2":
            items = [self._single(deal.title, deal.value)]
            return [self._doc("deal", company, day, reference, items, "Exclusive", deal)]
        if deal.problem == "vat_total_is_deal_value_divided_by_1_2":
            items = [self._single(deal.title, round2(deal.value / VAT_20))]
            return [self._doc("deal", company, day, reference, items, "Inclusive", deal)]
        first = self._doc("deal", company, day, reference, self._items(deal.lines), lat, deal)
        if deal.problem != "deal_invoiced_twice":
            return [first]
        again = self._day_after(day, 3, 20)
        return [first, self._doc("twice", company, again, reference, self._items(deal.lines), lat, deal)]

    def _single(self, title: str, amount: Decimal) -> Record:
        return {
            "LineItemID": guid(self.rng),
            "Description": title,
            "Quantity": Decimal(1),
            "UnitAmount": amount,
            "AccountCode": "200",
            "TaxType": "OUTPUT2",
        }

    def cancelled(self, deal: Deal, status: str) -> Spec:
        """A VOIDED or DELETED earlier attempt at a deal's invoice (the live one is built separately)."""
        assert deal.close is not None
        items = self._items(deal.lines)
        items[0]["Quantity"] += 1
        spec = self._doc(
            "voided" if status == "VOIDED" else "deleted",
            deal.company,
            self._day_after(deal.close, 0, 2),
            deal_reference(deal.id),
            items,
            LINE_AMOUNT_TYPES[deal.tax_method],
            deal,
        )
        spec.doc["Status"] = status
        return spec

    def loose(self, company: Company, kind: str, reference: str, day: date | None = None) -> Spec:
        """An invoice not tied to a deal: a Xero-only customer's, or one quoting a deal that is gone."""
        deal = Deal(company, "won", self.start, self.start, self.start)
        self.lines.build(deal)
        return self._doc(
            kind,
            company,
            day or self._any_day(),
            reference,
            self._items(deal.lines),
            LINE_AMOUNT_TYPES[deal.tax_method],
            contact=company.contact_ids[0],
        )

    def bill(self, supplier: Company) -> Spec:
        rng = self.rng
        trade = next((t for t in SUPPLIER_LINES if supplier.stem.endswith(t)), None)
        account, description, tax_type, low, high = SUPPLIER_LINES[trade] if trade else GENERAL_LINE
        items = []
        for n in range(1 if rng.random() < 0.8 else 2):
            amount = Decimal(rng.randint(low * 100, high * 100)) / Decimal(100)
            items.append(
                {
                    "LineItemID": guid(rng),
                    "Description": description if n == 0 else f"{description} (extra)",
                    "Quantity": Decimal(1),
                    "UnitAmount": amount,
                    "AccountCode": account,
                    "TaxType": tax_type,
                }
            )
        basis = supplier.extra.setdefault("bill_basis", "Inclusive" if rng.random() < 0.2 else "Exclusive")
        spec = self._doc("bill", supplier, self._any_day(), "", items, basis, contact=supplier.contact_ids[0])
        prefix = supplier.extra.setdefault("bill_prefix", rng.choice(("INV-", "SI", "", "A/", "BL")))
        spec.doc["InvoiceNumber"] = f"{prefix}{rng.randint(1000, 99999)}"
        return spec
