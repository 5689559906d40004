"""Xero wire records -> rows of the canonical tables (`workbench.canonical`).

Money stays `Decimal`, date-only fields are `datetime.date`, instants aware UTC `datetime`. A record
that does not fit its model stops the conversion with an error naming the endpoint, record and field;
the saved pages are untouched, so nothing already pulled is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from workbench.canonical import Row
from workbench.errors import MalformedResponse
from workbench.pull.source import CanonicalBatch, RawRecord
from workbench.xero.models import (
    Account,
    Address,
    Contact,
    CreditNote,
    Currency,
    Invoice,
    Item,
    Organisation,
    Payment,
    TaxRate,
    XeroModel,
)

M = TypeVar("M", bound=XeroModel)

# the endpoint names of a Xero pull -> (canonical table, Xero resource)
ENDPOINT_TABLES = {
    "organisation": "xero_organisation",
    "currencies": "currencies",
    "tax_rates": "tax_rates",
    "accounts": "accounts",
    "items": "items",
    "contacts": "xero_contacts",
    "invoices": "invoices",
    "credit_notes": "credit_notes",
    "payments": "payments",
}
# Xero's postal (billing) address first: it is the one the UI asks for first and invoices print
_ADDRESS_PREFERENCE = ("POBOX", "STREET")
_PHONE_PREFERENCE = ("DEFAULT", "MOBILE", "DDI", "OFFICE")


def _parse(model: type[M], endpoint: str, record: RawRecord) -> M:
    try:
        return model.model_validate(record)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(record)"
        ident = next((str(record[k]) for k in _ID_KEYS if isinstance(record, dict) and record.get(k)), "?")
        raise MalformedResponse(
            f"Xero {endpoint} record {ident}: field {field} {first['msg'].lower()} "
            f"(got {str(first.get('input'))[:80]!r})",
            hint="the pulled pages are kept; report this record, or fix it in Xero and pull again",
        ) from None


_ID_KEYS = (
    "InvoiceID",
    "ContactID",
    "CreditNoteID",
    "PaymentID",
    "AccountID",
    "ItemID",
    "TaxType",
    "Code",
    "OrganisationID",
)


def organisation_row(org: Organisation, tenant_id: str | None = None) -> Row:
    return {
        "organisation_id": org.organisation_id or tenant_id,
        "name": org.name,
        "legal_name": org.legal_name,
        "version": org.version,
        "base_currency": org.base_currency,
        "country_code": org.country_code,
        "pays_tax": org.pays_tax,
        "tax_number": org.tax_number,
        "sales_tax_basis": org.sales_tax_basis,
        "sales_tax_period": org.sales_tax_period,
        "default_sales_tax": org.default_sales_tax,
        "period_lock_date": org.period_lock_date,
    }


def _address(addresses: list[Address]) -> Address | None:
    filled = [a for a in addresses if not a.is_empty]
    for kind in _ADDRESS_PREFERENCE:
        for address in filled:
            if (address.address_type or "").upper() == kind:
                return address
    return filled[0] if filled else None


def contact_row(contact: Contact) -> Row:
    address = _address(contact.addresses)
    phones = {(p.phone_type or "").upper(): p.text for p in contact.phones if p.text}
    phone = next((phones[k] for k in _PHONE_PREFERENCE if k in phones), next(iter(phones.values()), None))
    return {
        "contact_id": contact.contact_id,
        "name": contact.name,
        "contact_number": contact.contact_number,
        "account_number": contact.account_number,
        "status": contact.contact_status,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email_address,
        "tax_number": contact.tax_number,
        "company_number": contact.company_number,
        "is_customer": contact.is_customer,
        "is_supplier": contact.is_supplier,
        "default_currency": contact.default_currency,
        "address": ", ".join(address.lines) if address and address.lines else None,
        "city": address.city if address else None,
        "postcode": address.postal_code if address else None,
        "country": address.country if address else None,
        "phone": phone,
        "sales_tax_type": contact.accounts_receivable_tax_type,
        "merged_to_contact_id": contact.merged_to_contact_id,
        "updated_at": contact.updated_date_utc,
    }


def invoice_row(invoice: Invoice) -> Row:
    return {
        "invoice_id": invoice.invoice_id,
        "type": invoice.type,
        "invoice_number": invoice.invoice_number,
        "reference": invoice.reference,
        "contact_id": invoice.contact.contact_id if invoice.contact else None,
        "date": invoice.date,
        "due_date": invoice.due_date,
        "status": invoice.status,
        "line_amount_types": invoice.line_amount_types,
        "currency": invoice.currency_code,
        "currency_rate": invoice.currency_rate,
        "subtotal": invoice.sub_total,
        "total_tax": invoice.total_tax,
        "total": invoice.total,
        "total_discount": invoice.total_discount,
        "amount_due": invoice.amount_due,
        "amount_paid": invoice.amount_paid,
        "amount_credited": invoice.amount_credited,
        "fully_paid_on": invoice.fully_paid_on_date,
        "sent_to_contact": invoice.sent_to_contact,
        "updated_at": invoice.updated_date_utc,
    }


def invoice_line_rows(invoice: Invoice) -> list[Row]:
    return [
        {
            "invoice_id": invoice.invoice_id,
            # description-only lines written by other apps may lack an id: keep them, keyed by position
            "line_id": line.line_item_id or f"{invoice.invoice_id}:{position}",
            "position": position,
            "description": line.description,
            "quantity": line.quantity,
            "unit_amount": line.unit_amount,
            "item_code": line.item_code,
            "account_code": line.account_code,
            "tax_type": line.tax_type,
            "tax_amount": line.tax_amount,
            "line_amount": line.line_amount,
            "discount_rate": line.discount_rate,
        }
        for position, line in enumerate(invoice.line_items, start=1)
    ]


def credit_note_row(note: CreditNote) -> Row:
    return {
        "credit_note_id": note.credit_note_id,
        "type": note.type,
        "credit_note_number": note.credit_note_number,
        "reference": note.reference,
        "contact_id": note.contact.contact_id if note.contact else None,
        "date": note.date,
        "status": note.status,
        "line_amount_types": note.line_amount_types,
        "currency": note.currency_code,
        "subtotal": note.sub_total,
        "total_tax": note.total_tax,
        "total": note.total,
        "remaining_credit": note.remaining_credit,
        "allocations": [
            {
                "invoice_id": a.invoice.invoice_id if a.invoice else None,
                "amount": str(a.amount) if a.amount is not None else None,
                "date": a.date.isoformat() if a.date else None,
            }
            for a in note.allocations
        ],
        "updated_at": note.updated_date_utc,
    }


def payment_row(payment: Payment) -> Row:
    return {
        "payment_id": payment.payment_id,
        "invoice_id": payment.invoice.invoice_id if payment.invoice else None,
        "credit_note_id": payment.credit_note.credit_note_id if payment.credit_note else None,
        "date": payment.date,
        "amount": payment.amount,
        "currency_rate": payment.currency_rate,
        "reference": payment.reference,
        "status": payment.status,
        "payment_type": payment.payment_type,
        "is_reconciled": payment.is_reconciled,
        "updated_at": payment.updated_date_utc,
    }


def tax_rate_row(rate: TaxRate) -> Row:
    return {
        "tax_type": rate.tax_type,
        "name": rate.name,
        "status": rate.status,
        "report_tax_type": rate.report_tax_type,
        "effective_rate": rate.effective_rate,
        "display_rate": rate.display_tax_rate,
        "can_apply_to_revenue": rate.can_apply_to_revenue,
        "can_apply_to_expenses": rate.can_apply_to_expenses,
    }


def account_row(account: Account) -> Row:
    return {
        "account_id": account.account_id,
        "code": account.code,
        "name": account.name,
        "type": account.type,
        "status": account.status,
        "tax_type": account.tax_type,
        "account_class": account.class_,
        "system_account": account.system_account,
    }


def item_row(item: Item) -> Row:
    sales = item.sales_details
    return {
        "item_id": item.item_id,
        "code": item.code,
        "name": item.name,
        "description": item.description,
        "is_sold": item.is_sold,
        "is_purchased": item.is_purchased,
        "sales_unit_price": sales.unit_price if sales else None,
        "sales_account_code": sales.account_code if sales else None,
        "sales_tax_type": sales.tax_type if sales else None,
        "updated_at": item.updated_date_utc,
    }


def currency_row(currency: Currency) -> Row:
    return {"code": currency.code, "description": currency.description}


_SIMPLE: dict[str, tuple[type[Any], Callable[[Any], Row]]] = {
    "currencies": (Currency, currency_row),
    "tax_rates": (TaxRate, tax_rate_row),
    "accounts": (Account, account_row),
    "items": (Item, item_row),
    "contacts": (Contact, contact_row),
    "credit_notes": (CreditNote, credit_note_row),
    "payments": (Payment, payment_row),
}


def canonicalise(pages: Mapping[str, list[RawRecord]], *, tenant_id: str | None = None) -> CanonicalBatch:
    """Canonical rows from the saved records of each endpoint of a Xero pull.

    Only the tables of endpoints present in `pages` are filled. The lines of every invoice in this pull
    replace that invoice's previous lines (so an incremental pull drops a line removed in Xero).
    """
    batch = CanonicalBatch()
    if "organisation" in pages:
        batch.rows["xero_organisation"] = [
            organisation_row(_parse(Organisation, "organisation", r), tenant_id)
            for r in pages["organisation"]
        ]
    for endpoint, (model, to_row) in _SIMPLE.items():
        if endpoint in pages:
            batch.rows[ENDPOINT_TABLES[endpoint]] = _unique(
                [to_row(_parse(model, endpoint, r)) for r in pages[endpoint]], _KEYS[endpoint]
            )
    if "invoices" in pages:
        invoices = [_parse(Invoice, "invoices", r) for r in pages["invoices"]]
        batch.rows["invoices"] = _unique([invoice_row(i) for i in invoices], "invoice_id")
        latest = {i.invoice_id: i for i in invoices}  # a record seen twice (re-paged): the last copy wins
        batch.rows["invoice_lines"] = [row for i in latest.values() for row in invoice_line_rows(i)]
        batch.replace["invoice_lines"] = ("invoice_id", set(latest))
    # reference data is fetched whole on every pull: what Xero no longer has must go
    batch.complete = {ENDPOINT_TABLES[e] for e in _WHOLE if e in pages} | (
        {"xero_organisation"} if "organisation" in pages else set()
    )
    return batch


_WHOLE = ("currencies", "tax_rates", "accounts", "items")


_KEYS = {
    "currencies": "code",
    "tax_rates": "tax_type",
    "accounts": "account_id",
    "items": "item_id",
    "contacts": "contact_id",
    "credit_notes": "credit_note_id",
    "payments": "payment_id",
}


def _unique(rows: list[Row], key: str) -> list[Row]:
    """One row per key, the last copy winning: a record updated mid-pull can appear on two pages."""
    return list({row[key]: row for row in rows}.values())
