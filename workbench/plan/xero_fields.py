"""The Xero fields a plan can map, and which of them an integration may write.

Read-only fields (totals, balances, ids Xero assigns) can only flow Xero → CRM; a plan that pushes a
CRM value into one is wrong however the client words it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class XeroField:
    name: str
    writable: bool
    meaning: str


_FIELDS = (
    XeroField("Contact.Name", True, "the contact's name (unique among active contacts today)"),
    XeroField("Contact.ContactNumber", True, "API-only external key, shown as Contact Code"),
    XeroField("Contact.AccountNumber", True, "user-defined account number"),
    XeroField("Contact.EmailAddress", True, "the contact's email (no umlauts)"),
    XeroField("Contact.FirstName", True, "first name of the primary person"),
    XeroField("Contact.LastName", True, "last name of the primary person"),
    XeroField("Contact.TaxNumber", True, "VAT number (UK), free text up to 50 characters"),
    XeroField("Contact.CompanyNumber", True, "company registration number"),
    XeroField("Contact.Addresses[STREET]", True, "street address"),
    XeroField("Contact.Addresses[POBOX]", True, "postal (billing) address"),
    XeroField("Contact.Phones[DEFAULT]", True, "main phone number"),
    XeroField("Contact.Phones[MOBILE]", True, "mobile phone number"),
    XeroField("Contact.DefaultCurrency", True, "currency new invoices default to"),
    XeroField("Contact.PaymentTerms", True, "the contact's payment terms"),
    XeroField("Contact.AccountsReceivableTaxType", True, "default tax type on the contact's sales"),
    XeroField("Contact.ContactStatus", True, "ACTIVE or ARCHIVED"),
    XeroField("Contact.ContactID", False, "Xero's id for the contact (assigned by Xero)"),
    XeroField("Contact.Website", False, "read-only in the API"),
    XeroField("Contact.Balances.AccountsReceivable.Outstanding", False, "what the customer owes"),
    XeroField("Contact.Balances.AccountsReceivable.Overdue", False, "what the customer owes past due"),
    XeroField("Invoice.InvoiceID", False, "Xero's id for the invoice"),
    XeroField("Invoice.InvoiceNumber", False, "the invoice number (Xero numbers sales invoices)"),
    XeroField("Invoice.Reference", True, "the CRM deal the invoice bills (PD-1172)"),
    XeroField("Invoice.Status", False, "DRAFT, SUBMITTED, AUTHORISED, PAID, VOIDED, DELETED"),
    XeroField("Invoice.Date", True, "invoice date"),
    XeroField("Invoice.DueDate", True, "due date"),
    XeroField("Invoice.CurrencyCode", True, "invoice currency"),
    XeroField("Invoice.SubTotal", False, "total before tax"),
    XeroField("Invoice.TotalTax", False, "tax on the invoice"),
    XeroField("Invoice.Total", False, "total including tax"),
    XeroField("Invoice.AmountDue", False, "what is still to be paid"),
    XeroField("Invoice.AmountPaid", False, "what has been paid"),
    XeroField("Invoice.FullyPaidOnDate", False, "the day the invoice was paid in full"),
    XeroField("Invoice.LineItems.Description", True, "line description"),
    XeroField("Invoice.LineItems.Quantity", True, "line quantity"),
    XeroField("Invoice.LineItems.UnitAmount", True, "line unit price"),
    XeroField("Invoice.LineItems.ItemCode", True, "the Xero item sold"),
    XeroField("Invoice.LineItems.AccountCode", True, "the revenue account"),
    XeroField("Invoice.LineItems.TaxType", True, "the tax rate (a code from the tenant's TaxRates)"),
    XeroField("Payment.Date", False, "the day a payment was made"),
    XeroField("Payment.Amount", False, "the amount of a payment"),
)
XERO_FIELDS: dict[str, XeroField] = {f.name: f for f in _FIELDS}
