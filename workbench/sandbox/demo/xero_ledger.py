"""Settles the invoices: numbers, statuses, credit notes, payments, and the amounts that follow from them.

Past-due invoices are paid unless the customer was chosen to be overdue, so every overdue balance in
the data is deliberate; `AmountDue = Total - AmountPaid - AmountCredited` holds on every invoice.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from workbench.sandbox.demo.rng import guid, instant
from workbench.sandbox.demo.xero_invoices import Spec
from workbench.sandbox.xero.totals import apply_totals, round2

Record = dict[str, Any]
ZERO = Decimal("0.00")
CREDIT_SHARES = (Decimal("0.1"), Decimal("0.25"), Decimal("0.5"))
SALES = frozenset({"deal", "instalment", "xero_only"})
PAYMENT_REFERENCES = ("BACS", "Faster Payment", "Bank transfer", "Card", "Direct debit", "CHAPS")


class Ledger:
    def __init__(
        self, rng: random.Random, as_of: date, bank: Record, rate_for: Callable[[str], Decimal]
    ) -> None:
        self.rng = rng
        self.as_of = as_of
        self.bank = {"AccountID": bank["AccountID"], "Code": bank["Code"]}
        self.rate_for = rate_for
        self.payments: list[Record] = []
        self.credit_notes: list[Record] = []
        self.draft_after = as_of - timedelta(days=7)
        self.submitted_after = as_of - timedelta(days=30)
        self.bill_draft_after = as_of - timedelta(days=5)
        self.reconciled_before = as_of - timedelta(days=10)

    def settle(self, specs: list[Spec]) -> list[Record]:
        """Number, status and pay every invoice; returns the invoices in date order."""
        specs.sort(key=lambda s: (s.doc["Date"], s.doc["Type"]))
        number = 0
        for spec in specs:
            if spec.doc["Type"] == "ACCREC":
                number += 1
                spec.doc["InvoiceNumber"] = f"INV-{number:05d}"
        for spec in specs:
            self._settle(spec)
        self.credit_notes.sort(key=lambda n: (n["Date"], n["CreditNoteID"]))
        for n, note in enumerate(self.credit_notes, start=1):
            note["CreditNoteNumber"] = f"CN-{n:04d}"
        self.payments.sort(key=lambda p: (p["Date"], p["PaymentID"]))
        return [spec.doc for spec in specs]

    def _settle(self, spec: Spec) -> None:
        doc, rng = spec.doc, self.rng
        day: date = doc["Date"]
        status = doc["Status"]
        if status == "AUTHORISED" and not spec.force_overdue:
            if spec.kind == "bill":
                if day > self.bill_draft_after and rng.random() < 0.1:
                    status = "DRAFT"
            elif spec.kind in SALES:
                if day > self.draft_after and rng.random() < 0.5:
                    status = "DRAFT"
                elif day > self.submitted_after and rng.random() < 0.03:
                    status = "SUBMITTED"
        total: Decimal = doc["Total"]
        credited = paid = ZERO
        last = day
        if status == "AUTHORISED":
            if (
                spec.kind in SALES
                and (spec.deal is None or spec.deal.problem is None)
                and rng.random() < 0.025
            ):
                credited, last = self._credit(spec)
            paid, last = self._pay(spec, total - credited, last if last > day else day)
            if paid + credited == total:
                status = "PAID"
                doc["FullyPaidOnDate"] = last
        doc["Status"] = status
        doc["AmountDue"] = ZERO if status in ("VOIDED", "DELETED") else total - paid - credited
        doc["AmountPaid"] = paid
        doc["AmountCredited"] = credited
        doc["UpdatedDateUTC"] = instant(last, rng)
        doc["SentToContact"] = status in ("AUTHORISED", "PAID") and rng.random() < 0.9
        doc["HasAttachments"] = False
        doc["HasErrors"] = False
        doc["IsDiscounted"] = doc["TotalDiscount"] > 0

    def _pay(self, spec: Spec, owed: Decimal, day: date) -> tuple[Decimal, date]:
        """Payments against an authorised invoice; returns what was paid and the last event's date."""
        doc, rng, as_of = spec.doc, self.rng, self.as_of
        due: date = doc["DueDate"]
        if owed <= 0:
            return ZERO, day
        if due < as_of and not spec.force_overdue:
            share = Decimal(1)
        elif spec.force_overdue:
            share = Decimal("0.5") if rng.random() < 0.3 else ZERO
        else:
            roll = rng.random()
            share = Decimal(1) if roll < 0.35 else Decimal("0.4") if roll < 0.45 else ZERO
        if share == 0:
            return ZERO, day
        latest = min(as_of, due + timedelta(days=25)) if due < as_of else as_of
        first = min(latest, day + timedelta(days=3))
        pay_day = first + timedelta(days=rng.randint(0, max(0, (latest - first).days)))
        amount = owed if share == 1 else round2(owed * share)
        if share == 1 and rng.random() < 0.15 and owed > Decimal(2):
            part = round2(owed * Decimal(rng.randint(30, 70)) / 100)
            part_day = first + timedelta(days=rng.randint(0, max(0, (pay_day - first).days)))
            self._payment(spec, part, part_day)
            self._payment(spec, owed - part, pay_day)
        else:
            self._payment(spec, amount, pay_day)
        return amount, pay_day

    def _payment(self, spec: Spec, amount: Decimal, day: date) -> None:
        doc, rng = spec.doc, self.rng
        rate: Decimal = doc["CurrencyRate"]
        record = {
            "PaymentID": guid(rng),
            "Invoice": {"InvoiceID": doc["InvoiceID"]},
            "Account": dict(self.bank),
            "Date": day,
            "Amount": amount,
            "BankAmount": amount if rate == 1 else round2(amount / rate),
            "CurrencyRate": rate,
            "Reference": rng.choice(PAYMENT_REFERENCES) if doc["Type"] == "ACCPAY" else doc["InvoiceNumber"],
            "Status": "AUTHORISED",
            "PaymentType": "ACCPAYPAYMENT" if doc["Type"] == "ACCPAY" else "ACCRECPAYMENT",
            "IsReconciled": day < self.reconciled_before or rng.random() < 0.5,
            "UpdatedDateUTC": instant(day, rng),
            "HasAccount": True,
            "HasValidationErrors": False,
        }
        self.payments.append(record)

    def _credit(self, spec: Spec) -> tuple[Decimal, date]:
        """A credit note against part of the invoice's first line; most are allocated to it at once."""
        doc, rng = spec.doc, self.rng
        line = doc["LineItems"][0]
        item = {k: line[k] for k in ("Description", "AccountCode", "TaxType", "UnitAmount") if k in line}
        item["LineItemID"] = guid(rng)
        item["Description"] = f"Credit: {line['Description']}"
        if line["Quantity"] > 1:
            item["Quantity"] = Decimal(1)
            if "DiscountRate" in line:
                item["DiscountRate"] = line["DiscountRate"]
        else:
            item["Quantity"] = Decimal(1)
            item["UnitAmount"] = round2(line["UnitAmount"] * rng.choice(CREDIT_SHARES))
        day = min(self.as_of, doc["Date"] + timedelta(days=rng.randint(3, 30)))
        note: Record = {
            "Type": "ACCRECCREDIT",
            "CreditNoteID": guid(rng),
            "CreditNoteNumber": "",
            "Reference": f"Credit against {doc['InvoiceNumber']}",
            "Contact": dict(doc["Contact"]),
            "Date": day,
            "Status": "AUTHORISED",
            "LineAmountTypes": doc["LineAmountTypes"],
            "LineItems": [item],
            "CurrencyCode": doc["CurrencyCode"],
            "CurrencyRate": doc["CurrencyRate"],
        }
        apply_totals(note, self.rate_for)
        del note["TotalDiscount"]  # not a CreditNote field
        allocated = ZERO
        allocations: list[Record] = []
        if rng.random() < 0.85 and note["Total"] < doc["Total"]:
            allocated = note["Total"]
            allocations.append(
                {
                    "AllocationID": guid(rng),
                    "Invoice": {"InvoiceID": doc["InvoiceID"]},
                    "Amount": allocated,
                    "Date": day,
                }
            )
        note.update(
            {
                "Status": "PAID" if allocated == note["Total"] else "AUTHORISED",
                "RemainingCredit": note["Total"] - allocated,
                "Allocations": allocations,
                "UpdatedDateUTC": instant(day, rng),
                "SentToContact": True,
                "HasAttachments": False,
            }
        )
        if allocated:
            note["FullyPaidOnDate"] = day
        self.credit_notes.append(note)
        return allocated, day if allocated else doc["Date"]
