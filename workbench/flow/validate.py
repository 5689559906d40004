"""Local checks on a draft invoice before anything is sent: codes the tenant really has, a currency it
is subscribed to, a contact, and totals exactly as Xero will compute them.

Xero's arithmetic (developer.xero.com, "Rounding in Xero"): each line's amount is quantity × unit amount
less the discount, rounded to 2 dp; tax is worked out per line at the rate's effective rate and rounded
to 2 dp half up, then summed. Exclusive: tax = amount × rate, total = Σ amount + Σ tax. Inclusive: the
amount includes tax, tax = amount × rate / (100 + rate), subtotal = Σ (amount − tax). NoTax: no tax.
Each problem names the deal, the line and field, and what to change (in the plan or the CRM).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from workbench.flow.drafts import DraftLine, InvoiceDraft
from workbench.plan.model import InvoiceStatus, LineAmountTypes
from workbench.plan.tenant import TenantCodes
from workbench.profile.names import normalise_email

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")
# Xero keeps UnitAmount to 2 dp unless a request asks for unitdp=4; Quantity to 4 dp.
UNIT_PLACES, QUANTITY_PLACES = 2, 4
# Contact field limits from Xero's Contact schema.
CONTACT_LIMITS = {"Name": 255, "EmailAddress": 255, "TaxNumber": 50, "CompanyNumber": 50}


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(
    quantity: Decimal,
    unit_amount: Decimal,
    discount_rate: Decimal | None = None,
    discount_amount: Decimal | None = None,
) -> Decimal:
    """Quantity × unit amount less the discount (a rate in %, or an amount), 2 dp half up."""
    gross = quantity * unit_amount
    if discount_amount:
        return round2(gross - discount_amount)
    return round2(gross * (HUNDRED - (discount_rate or 0)) / HUNDRED)


def line_tax(amount: Decimal, rate_percent: Decimal, line_amount_types: str) -> Decimal:
    """The tax Xero computes on one line (`rate_percent`: the rate's effective rate, 20 for 20%)."""
    if line_amount_types == LineAmountTypes.NO_TAX or rate_percent == 0:
        return ZERO
    if line_amount_types == LineAmountTypes.INCLUSIVE:
        return round2(amount * rate_percent / (HUNDRED + rate_percent))
    return round2(amount * rate_percent / HUNDRED)


def invoice_totals(lines: Iterable[tuple[Decimal, Decimal]], line_amount_types: str) -> tuple[Decimal, ...]:
    """(subtotal, total tax, total) from each line's (amount, tax)."""
    subtotal = total_tax = ZERO
    for amount, tax in lines:
        subtotal += amount - tax if line_amount_types == LineAmountTypes.INCLUSIVE else amount
        total_tax += tax
    return subtotal, total_tax, subtotal + total_tax


def effective_rate(tenant: TenantCodes, tax_type: str | None) -> Decimal | None:
    """The rate Xero computes tax at (a reverse-charge rate's is 0); None when the tenant lacks it."""
    rate = tenant.tax_rates.get(tax_type or "")
    if rate is None:
        return None
    return rate.effective_rate if rate.effective_rate is not None else rate.display_rate


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _money(value: Decimal, currency: str) -> str:
    return f"{currency} {value:,.2f}"


class _Checker:
    """Collects the problems of one draft, each prefixed with the deal (and line) it is about."""

    def __init__(self, draft: InvoiceDraft, tenant: TenantCodes) -> None:
        self.draft, self.tenant = draft, tenant
        self.problems: list[str] = []
        self.deal = f"deal {draft.deal_id} '{draft.deal_title}'"

    def add(self, text: str, line: tuple[int, DraftLine] | None = None) -> None:
        where = f"{self.deal}, line {line[0]} '{line[1].description}'" if line else self.deal
        self.problems.append(f"{where}: {text}")

    def contact(self) -> None:
        choice = self.draft.contact
        if choice.contact_id:
            return
        new = choice.new_contact or {}
        if not str(new.get("Name") or "").strip():
            self.add("no Xero contact: the deal needs a contact matched by the plan's match keys, or created")
            return
        for field, limit in CONTACT_LIMITS.items():
            if len(str(new.get(field) or "")) > limit:
                self.add(
                    f"new contact {field} is longer than Xero's {limit} characters: shorten it in the CRM"
                )
        email = new.get("EmailAddress")
        if email and normalise_email(str(email)) is None:
            self.add(
                f"new contact EmailAddress '{email}' is not an email address Xero accepts: correct it in "
                "the CRM"
            )

    def header(self) -> None:
        draft, tenant = self.draft, self.tenant
        enabled = set(tenant.currencies) | ({tenant.base_currency} if tenant.base_currency else set())
        if not draft.currency:
            self.add("CurrencyCode: the deal has no currency: set it on the deal in the CRM")
        elif draft.currency not in enabled:
            listed = ", ".join(sorted(enabled)) or "none were pulled"
            self.add(
                f"CurrencyCode {draft.currency} is not enabled in this Xero organisation (enabled: "
                f"{listed}): add {draft.currency} under Settings → Currencies in Xero, or change the deal's "
                "currency"
            )
        if draft.line_amount_types not in set(LineAmountTypes):
            self.add(f"LineAmountTypes '{draft.line_amount_types}' is not Exclusive, Inclusive or NoTax")
        if draft.status not in set(InvoiceStatus):
            self.add(f"Status '{draft.status}' is not one the flow sends (DRAFT, SUBMITTED or AUTHORISED)")
        if draft.due_date < draft.date:
            self.add(f"DueDate {draft.due_date:%d/%m/%Y} is before the invoice date {draft.date:%d/%m/%Y}")
        if not draft.lines:
            self.add("no invoice lines: the deal has no products and no value")

    def codes(self, line: tuple[int, DraftLine]) -> None:
        item, tenant = line[1], self.tenant
        fix_tax = f"change the tax type on {item.tax_from or 'the plan'}"
        fix_account = f"change the account on {item.account_from or 'the plan'}"
        if self.draft.line_amount_types != LineAmountTypes.NO_TAX:  # with NoTax, Xero ignores TaxType
            rate = tenant.tax_rates.get(item.tax_type or "")
            if not item.tax_type:
                self.add(f"TaxType is blank, so Xero would pick its own: {fix_tax}", line)
            elif rate is None:
                self.add(
                    f"TaxType {item.tax_type} is not a tax rate in this Xero organisation: {fix_tax}", line
                )
            elif rate.status != "ACTIVE":
                self.add(f"TaxType {item.tax_type} is {rate.status.lower()} in Xero: {fix_tax}", line)
            elif not rate.revenue:
                self.add(f"TaxType {item.tax_type} ({rate.name}) cannot be used on sales: {fix_tax}", line)
        account = tenant.accounts.get(item.account_code or "")
        if not item.account_code:
            self.add(f"AccountCode is blank: {fix_account}", line)
        elif account is None:
            self.add(
                f"AccountCode {item.account_code} is not in this Xero chart of accounts: {fix_account}", line
            )
        elif account.status != "ACTIVE":
            self.add(
                f"AccountCode {item.account_code} is {account.status.lower()} in Xero: {fix_account}", line
            )
        elif not account.revenue:
            self.add(
                f"AccountCode {item.account_code} ({account.name}) is not a sales account (its type is "
                f"{account.type}): {fix_account}",
                line,
            )
        if item.item_code:
            known = tenant.items.get(item.item_code)
            fix_item = f"change the Xero item code on {item.account_from or 'the plan'}"
            if known is None:
                self.add(f"ItemCode {item.item_code} is not a Xero item: {fix_item}", line)
            elif not known.is_sold:
                self.add(f"ItemCode {item.item_code} is not set up as sold in Xero: {fix_item}", line)

    def amounts(self, line: tuple[int, DraftLine]) -> tuple[Decimal, Decimal] | None:
        item, currency = line[1], self.draft.currency
        if _places(item.unit_amount) > UNIT_PLACES:
            self.add(
                f"UnitAmount {item.unit_amount} has more than {UNIT_PLACES} decimal places; Xero would "
                "round it and the totals would change: round the price in the CRM",
                line,
            )
        if _places(item.quantity) > QUANTITY_PLACES:
            self.add(f"Quantity {item.quantity} has more than {QUANTITY_PLACES} decimal places", line)
        amount = line_amount(item.quantity, item.unit_amount, item.discount_rate, item.discount_amount)
        if amount != item.line_amount:
            self.add(
                f"LineAmount {_money(item.line_amount, currency)} but Xero will compute "
                f"{_money(amount, currency)}",
                line,
            )
        rate = effective_rate(self.tenant, item.tax_type)
        if self.draft.line_amount_types == LineAmountTypes.NO_TAX:
            rate = Decimal(0)
        if rate is None:
            return None
        tax = line_tax(amount, rate, self.draft.line_amount_types)
        if tax != item.tax_amount:
            self.add(
                f"TaxAmount {_money(item.tax_amount, currency)} but Xero will compute "
                f"{_money(tax, currency)} at {rate.normalize():f}%",
                line,
            )
        return amount, tax

    def totals(self, computed: list[tuple[Decimal, Decimal] | None]) -> None:
        draft = self.draft
        if any(c is None for c in computed) or not computed:
            return  # a line's tax cannot be worked out: already reported against the line
        subtotal, tax, total = invoice_totals([c for c in computed if c is not None], draft.line_amount_types)
        for field, mine, xeros in (
            ("SubTotal", draft.subtotal, subtotal),
            ("TotalTax", draft.total_tax, tax),
            ("Total", draft.total, total),
        ):
            if mine != xeros:
                self.add(
                    f"{field} {_money(mine, draft.currency)} but Xero will compute "
                    f"{_money(xeros, draft.currency)}"
                )
        if total <= 0:
            self.add(
                f"the invoice total is {_money(total, draft.currency)}: a sales invoice must be for more "
                "than nothing; correct the deal's value or products in the CRM"
            )


def validate(draft: InvoiceDraft, tenant: TenantCodes) -> tuple[str, ...]:
    """Every reason Xero would reject this draft, or book it differently from what the draft says."""
    check = _Checker(draft, tenant)
    check.contact()
    check.header()
    computed = []
    for line in enumerate(draft.lines, 1):
        check.codes(line)
        computed.append(check.amounts(line))
    check.totals(computed)
    return tuple(check.problems)
