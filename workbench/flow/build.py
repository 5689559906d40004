"""Won deals into draft invoices, exactly as the signed-off plan says, each checked before it can be sent.

Lines come from the deal's products (one each: quantity, unit price, discount) or from its value (one
line), as the plan says; a deal without products gets one line from its value either way. Each line's
account and item come from the product's Tax mapping row (the plan's defaults for an unmapped product);
its tax type from the deal's VAT treatment row when the plan decides tax by treatment and that row
names one, else from the product's row, else the default. Dates are the won time's UTC day.

The status is DRAFT unless the plan asks for a higher one *and* the operator passes that same status:
either alone, or the two disagreeing, gives DRAFT.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd

from workbench.errors import ConfigurationError
from workbench.flow.contacts import ContactResolver, NoContact
from workbench.flow.drafts import ContactChoice, DraftLine, Held, HoldReason, InvoiceDraft
from workbench.flow.validate import effective_rate, invoice_totals, line_amount, line_tax, validate
from workbench.flow.writeback_fields import is_writeback_field
from workbench.plan.model import (
    CrmRecord,
    DueDateRule,
    InvoiceDate,
    InvoiceStatus,
    LineAmountTypes,
    Plan,
    TaxBasis,
    TaxDecidedBy,
    TaxRule,
    UnitAmountFrom,
)
from workbench.plan.tenant import TenantCodes
from workbench.profile.shared_reads import group_records
from workbench.profile.tables import ProfileTables
from workbench.references import deal_reference

TAX_TYPE_FIELD = "Invoice.LineItems.TaxType"
DEFAULT_ACCOUNT = "the Deal to invoice sheet ('Account for unmapped products')"
DEFAULT_TAX = "the Deal to invoice sheet ('Tax type for unmapped products')"
# Fields the CRM changes on its own whenever anything (the flow's write-back included) touches a deal.
_VOLATILE = frozenset({"updated_at"})
_CRM_METHODS = {"inclusive": True, "exclusive": False}  # deal-line tax methods: does the price include VAT?


def _value(value: Any) -> Any:
    """A cell as plain data (missing -> None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value


def _text(value: Any) -> str | None:
    value = _value(value)
    text = str(value).strip() if value is not None else ""
    return text or None


def _decimal(value: Any) -> Decimal | None:
    value = _value(value)
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _day(value: Any) -> date | None:
    value = _value(value)
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.tz_convert("UTC") if value.tzinfo else value
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _plain(value: Any) -> Any:
    value = _value(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}  # json.dumps sorts the keys
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral_value() else str(value)
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def deal_fingerprint(
    deal: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], ignore_fields: Collection[str] = ()
) -> str:
    """A hash of the deal's own fields and products: what the CRM user changed, not what the flow wrote.

    The flow's write-back custom fields (`writeback_fields`, by name) and `ignore_fields` (names or raw
    field keys, among the custom fields or beside them) are left out, and so is the update time, which
    the write-back moves too.
    """
    ignored = set(ignore_fields)
    own = {k: v for k, v in deal.items() if k not in _VOLATILE and k not in ignored and k != "custom_fields"}
    custom = deal.get("custom_fields")
    if isinstance(custom, dict):
        own["custom_fields"] = {
            k: v for k, v in custom.items() if k not in ignored and not is_writeback_field("deal", str(k))
        }
    products = sorted((_plain(dict(line)) for line in lines), key=lambda line: str(line.get("line_id")))
    text = json.dumps({"deal": _plain(own), "lines": products}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class _Codes:
    account_code: str | None
    tax_type: str | None
    item_code: str | None
    account_from: str
    tax_from: str


class _Mapping:
    """The plan's Tax mapping rows, looked up the way a deal line names its product."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.products = {r.crm_value: r for r in plan.tax_rules if r.applies_to is TaxBasis.PRODUCT}
        self.folded = {k.casefold(): r for k, r in self.products.items()}
        self.treatments = {r.crm_value: r for r in plan.tax_rules if r.applies_to is TaxBasis.VAT_TREATMENT}
        self.treatment_field = next(
            (
                f.crm_field
                for f in plan.fields
                if f.crm_record is CrmRecord.DEAL and f.xero_field == TAX_TYPE_FIELD and f.crm_field
            ),
            None,
        )

    def product(self, code: str | None) -> TaxRule | None:
        if code is None:
            return None
        return self.products.get(code) or self.folded.get(code.casefold())

    def treatment(self, deal: Mapping[str, Any]) -> str | None:
        custom = deal.get("custom_fields")
        if self.treatment_field is None or not isinstance(custom, dict):
            return None
        return _text(custom.get(self.treatment_field))

    def codes(self, code: str | None, treatment: str | None, problems: list[str]) -> _Codes:
        settings = self.plan.deal_invoice
        rule = self.product(code)
        where = f"Tax mapping row {rule.id} (product {rule.crm_value})" if rule else DEFAULT_ACCOUNT
        account = rule.account_code if rule and rule.account_code else settings.default_account_code
        account_from = where if rule and rule.account_code else DEFAULT_ACCOUNT
        tax, tax_from = (
            (rule.tax_type, where) if rule and rule.tax_type else (settings.default_tax_type, DEFAULT_TAX)
        )
        if settings.tax_decided_by is TaxDecidedBy.TREATMENT_FIRST and treatment is not None:
            by_treatment = self.treatments.get(treatment)
            if by_treatment is None:
                problems.append(
                    f"its VAT treatment '{treatment}' has no row on the Tax mapping sheet: add one "
                    "(Applies to 'VAT treatment') with the tax type finance wants, or correct the deal's "
                    "VAT treatment"
                )
            elif by_treatment.tax_type:
                tax = by_treatment.tax_type
                tax_from = f"Tax mapping row {by_treatment.id} (VAT treatment '{treatment}')"
        return _Codes(account, tax, rule.item_code if rule else None, account_from, tax_from)


class _Builder:
    def __init__(self, plan: Plan, tables: ProfileTables, run_date: date, status: InvoiceStatus | None,
                 ignore_fields: Collection[str]) -> None:  # fmt: skip
        self.plan, self.run_date, self.ignore_fields = plan, run_date, ignore_fields
        self.tenant = TenantCodes.from_tables(tables)
        self.contacts = ContactResolver(plan, tables)
        self.mapping = _Mapping(plan)
        lines = tables["deal_lines"].astype({"deal_id": str})
        self.lines = group_records(lines, ["source", "deal_id"])
        contacts = tables["xero_contacts"]
        self.contact_vat = dict(zip(contacts["contact_id"].astype(str), contacts["tax_number"], strict=True))
        wanted = plan.deal_invoice.status
        self.status = wanted if status is not None and status == wanted else InvoiceStatus.DRAFT

    def build(self, deal: dict[str, Any]) -> InvoiceDraft | Held:
        source, deal_id = str(deal["source"]), str(deal["deal_id"])
        title = _text(deal.get("title")) or f"deal {deal_id}"
        products = sorted(self.lines.get((source, deal_id), []), key=lambda line: str(line.get("line_id")))
        problems: list[str] = []
        contact = self.contacts.resolve(source, deal.get("org_id"), deal.get("person_id"))
        choice = contact if isinstance(contact, ContactChoice) else ContactChoice(matched_by="no contact")
        lines = self._lines(deal, title, products, problems)
        self._check_reverse_charge(choice, lines, problems)
        kind = str(self.plan.deal_invoice.line_amount_types.value)
        subtotal, total_tax, total = invoice_totals(
            ((line.line_amount, line.tax_amount) for line in lines), kind
        )
        day = self._date(deal)
        draft = InvoiceDraft(
            source=source, deal_id=deal_id, deal_title=title, reference=deal_reference(source, deal_id),
            contact=choice, currency=(_text(deal.get("currency")) or "").upper(), line_amount_types=kind,
            date=day, due_date=self._due_date(deal, day, problems), status=self.status.value,
            lines=tuple(lines), subtotal=subtotal, total_tax=total_tax, total=total,
            deal_fingerprint=deal_fingerprint(deal, products, self.ignore_fields),
            org_id=_text(deal.get("org_id")),
        )  # fmt: skip
        prefix = f"deal {deal_id} '{title}'"
        found = tuple(f"{prefix}: {p}" for p in problems) + validate(draft, self.tenant)
        draft = replace(draft, problems=found)
        if isinstance(contact, NoContact):
            also = f" (also: {len(found) - 1} more problems, listed on the draft)" if len(found) > 1 else ""
            return Held(source, deal_id, title, contact.reason, contact.why + also, draft=draft)
        if found:
            return Held(source, deal_id, title, HoldReason.INVALID, "; ".join(found), draft=draft)
        return draft

    def _lines(
        self, deal: dict[str, Any], title: str, products: list[dict[str, Any]], problems: list[str]
    ) -> list[DraftLine]:
        treatment = self.mapping.treatment(deal)
        if self.plan.deal_invoice.unit_amount_from is UnitAmountFrom.VALUE or not products:
            codes = self.mapping.codes(None, treatment, problems)
            value = _decimal(deal.get("value")) or Decimal(0)
            return [self._line(title, Decimal(1), value, None, None, codes)]
        self._check_tax_methods(products, problems)
        lines = []
        for product in products:
            code = _text(product.get("product_code")) or _text(product.get("product_id"))
            codes = self.mapping.codes(code, treatment, problems)
            discount = _decimal(product.get("discount"))
            by_amount = str(product.get("discount_type") or "percentage").lower() == "amount"
            lines.append(
                self._line(
                    _text(product.get("name")) or code or title,
                    _decimal(product.get("quantity")) or Decimal(1),
                    _decimal(product.get("unit_price")) or Decimal(0),
                    None if by_amount or not discount else discount,
                    discount if by_amount and discount else None,
                    codes,
                )
            )
        return lines

    def _line(self, description: str, quantity: Decimal, unit: Decimal, rate: Decimal | None,
              amount_off: Decimal | None, codes: _Codes) -> DraftLine:  # fmt: skip
        kind = self.plan.deal_invoice.line_amount_types.value
        amount = line_amount(quantity, unit, rate, amount_off)
        tax_rate = effective_rate(self.tenant, codes.tax_type)
        tax = line_tax(amount, tax_rate or Decimal(0), kind)
        return DraftLine(
            description=description, quantity=quantity, unit_amount=unit, account_code=codes.account_code,
            tax_type=codes.tax_type, line_amount=amount, tax_amount=tax, item_code=codes.item_code,
            discount_rate=rate, discount_amount=amount_off, account_from=codes.account_from,
            tax_from=codes.tax_from,
        )  # fmt: skip

    def _check_tax_methods(self, products: list[dict[str, Any]], problems: list[str]) -> None:
        """A price the CRM says includes VAT, on a plan that says CRM amounts exclude it (or the reverse),
        would bill the wrong VAT."""
        planned = self.plan.deal_invoice.line_amount_types
        for product in products:
            includes = _CRM_METHODS.get(str(product.get("tax_method") or "").lower())
            if includes is None or includes == (planned is LineAmountTypes.INCLUSIVE):
                continue
            said = "includes" if includes else "excludes"
            problems.append(
                f"product '{_text(product.get('name'))}': the CRM says its price {said} VAT but the plan "
                f"says CRM amounts are {planned.value}: correct the deal's products in the CRM, or change "
                "'CRM amounts are' on the Deal to invoice sheet"
            )

    def _check_reverse_charge(
        self, choice: ContactChoice, lines: list[DraftLine], problems: list[str]
    ) -> None:
        """The domestic reverse charge applies only to a VAT-registered customer, whose number the invoice
        must show: Xero prints the contact's."""
        rates = self.tenant.tax_rates
        reverse = sorted(
            {
                line.tax_type
                for line in lines
                if line.tax_type in rates
                and (rates[line.tax_type].report_tax_type or "").startswith("DRCHARGE")
            }
        )
        if not reverse or not (choice.contact_id or choice.new_contact):
            return
        if choice.contact_id:
            number, holder = (
                _text(self.contact_vat.get(choice.contact_id)),
                f"Xero contact {choice.contact_id}",
            )
        else:
            number, holder = _text((choice.new_contact or {}).get("TaxNumber")), "the organisation"
        if number is None:
            problems.append(
                f"TaxType {', '.join(reverse)} is the domestic reverse charge, which needs the customer's "
                f"VAT number on the invoice, and {holder} has none: add it (in Xero, or on the organisation "
                "in the CRM), or map the deal's VAT treatment to another tax type"
            )

    def _date(self, deal: Mapping[str, Any]) -> date:
        if self.plan.deal_invoice.invoice_date is InvoiceDate.RUN:
            return self.run_date
        return _day(deal.get("won_time")) or self.run_date

    def _due_date(self, deal: Mapping[str, Any], day: date, problems: list[str]) -> date:
        settings = self.plan.deal_invoice
        by_terms = day + timedelta(days=settings.due_days)
        if settings.due_date_rule is DueDateRule.DAYS:
            return by_terms
        expected = _day(deal.get("expected_close_date"))
        if expected is None or expected < day:
            said = (
                "has no expected close date"
                if expected is None
                else f"closes {expected:%d/%m/%Y}, before the invoice date {day:%d/%m/%Y}"
            )
            problems.append(
                f"DueDate: the plan takes it from the deal's expected close date, but the deal {said}: set "
                "it in the CRM, or set 'Due date' to 'Days after the invoice date'"
            )
            return by_terms
        return expected


def build_drafts(
    plan: Plan,
    tables: ProfileTables,
    deals: pd.DataFrame,
    *,
    run_date: date,
    status: InvoiceStatus | str | None = None,
    ignore_fields: Collection[str] = (),
) -> list[InvoiceDraft | Held]:
    """One draft invoice per deal, or the reason it is held (a draft with problems is held as INVALID).

    `deals` are candidates (`candidates.won_deals`); `status` is what the operator asked for.
    """
    try:
        asked = InvoiceStatus(str(status).upper()) if status is not None else None
    except ValueError:
        raise ConfigurationError(
            f"there is no invoice status {status!r}",
            hint="ask for DRAFT, SUBMITTED or AUTHORISED (the plan must ask for the same one)",
        ) from None
    builder = _Builder(plan, tables, run_date, asked, ignore_fields)
    return [builder.build(deal) for deal in deals.to_dict("records")]
