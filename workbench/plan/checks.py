"""Checks of a plan against itself and against the tenant's real accounts, tax rates, items and fields.

Each problem names the section, row id and field it is about, so the Excel re-import can point at the
cell. Errors stop a plan from being accepted; warnings are things to settle before go-live (a CRM field
that has to be created first, a non-DRAFT status).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from workbench.plan.model import (
    CrmRecord,
    Direction,
    FieldMapping,
    InvoiceStatus,
    LineAmountTypes,
    Master,
    MatchKey,
    OnMatch,
    Plan,
    SyncObject,
    TaxBasis,
    TaxRule,
)
from workbench.plan.tenant import TenantCodes
from workbench.plan.xero_fields import XERO_FIELDS

Severity = Literal["error", "warning"]
DEAL_INVOICE = "deal_invoice"
_LISTED = 12
# Xero computes these objects; a CRM cannot be their source.
_XERO_ONLY = {SyncObject.INVOICES, SyncObject.PAYMENTS, SyncObject.BALANCE}


@dataclass(frozen=True)
class PlanProblem:
    """One problem: `section` is a plan section or "deal_invoice", `field` an attribute name."""

    section: str
    row_id: str | None
    field: str
    value: object
    why: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.section} {self.row_id}" if self.row_id else self.section
        return f"{self.severity}: {where}, {self.field} = {self.value!r}: {self.why}"


def _listed(codes: list[str]) -> str:
    shown = ", ".join(codes[:_LISTED])
    more = f" and {len(codes) - _LISTED} more" if len(codes) > _LISTED else ""
    return (shown + more) if codes else "none found in the pull"


def tax_type_problem(tenant: TenantCodes, tax_type: str) -> str | None:
    """Why a tax type cannot go on a sales line of this tenant, or None if it can."""
    usable = _listed(tenant.revenue_tax_types)
    rate = tenant.tax_rates.get(tax_type)
    if rate is None:
        return (
            f"'{tax_type}' is not a tax rate in this Xero organisation; use one of its sales rates: {usable}"
        )
    if rate.status != "ACTIVE":
        return (
            f"{tax_type} ({rate.name}) is {rate.status.lower()} in Xero, so invoices cannot use it: {usable}"
        )
    if not rate.revenue:
        return (
            f"{tax_type} ({rate.name}) cannot be used on sales (Xero rejects it on an invoice line); "
            f"use one of: {usable}"
        )
    return None


def account_problem(tenant: TenantCodes, code: str) -> str | None:
    """Why an account code cannot take sales in this tenant, or None if it can."""
    usable = _listed(tenant.revenue_account_codes)
    account = tenant.accounts.get(code)
    if account is None:
        return f"there is no account '{code}' in this Xero organisation; use a revenue account: {usable}"
    if account.status != "ACTIVE":
        return f"account {code} ({account.name}) is {account.status.lower()} in Xero; use: {usable}"
    if not account.revenue:
        return f"account {code} ({account.name}) is a {account.type} account, not revenue; use: {usable}"
    return None


class _Checker:
    def __init__(self, plan: Plan, tenant: TenantCodes) -> None:
        self.plan, self.tenant = plan, tenant
        self.problems: list[PlanProblem] = []

    def add(
        self,
        section: str,
        row_id: str | None,
        field: str,
        value: object,
        why: str,
        severity: Severity = "error",
    ) -> None:
        self.problems.append(PlanProblem(section, row_id, field, value, why, severity))

    # objects ---------------------------------------------------------------------------------------
    def objects(self) -> None:
        seen: set[SyncObject] = set()
        for row in self.plan.objects:
            if row.object in seen:
                self.add("objects", row.id, "object", row.object.value, "this object is listed twice")
            seen.add(row.object)
            if row.object in _XERO_ONLY and row.direction in (Direction.CRM_TO_XERO, Direction.TWO_WAY):
                self.add(
                    "objects",
                    row.id,
                    "direction",
                    row.direction.value,
                    f"Xero computes {row.object.value.lower()}; they can only flow Xero → CRM (or not sync)",
                )
            if row.object is SyncObject.DEAL_INVOICE and row.direction not in (
                Direction.CRM_TO_XERO,
                Direction.NOT_SYNCED,
            ):
                self.add(
                    "objects",
                    row.id,
                    "direction",
                    row.direction.value,
                    "a won deal becomes a Xero invoice, so this flow runs CRM → Xero (or not at all)",
                )
        for missing in [o for o in SyncObject if o not in seen]:
            self.add("objects", None, "object", missing.value, "this object is missing; put its row back")

    # fields ----------------------------------------------------------------------------------------
    def fields(self) -> None:
        seen: Counter[tuple[object, ...]] = Counter()
        writers: dict[tuple[SyncObject, str], str] = {}
        for row in self.plan.fields:
            self.field(row)
            key = (row.object, row.crm_record, (row.crm_field or "").casefold(), row.xero_field)
            seen[key] += 1
            if seen[key] == 2:
                self.add(
                    "fields", row.id, "crm_field", row.crm_field, "this mapping is listed twice; delete one"
                )
            if row.xero_field and row.direction in (Direction.CRM_TO_XERO, Direction.TWO_WAY):
                other = writers.setdefault((row.object, row.xero_field), row.id)
                if other != row.id:
                    self.add(
                        "fields",
                        row.id,
                        "xero_field",
                        row.xero_field,
                        f"row {other} already writes {row.xero_field}; one master per field, so keep one",
                    )

    def field(self, row: FieldMapping) -> None:
        synced = row.direction is not Direction.NOT_SYNCED
        if row.required and not synced:
            self.add(
                "fields", row.id, "direction", row.direction.value, "a required mapping has to be synced"
            )
        if synced and not row.crm_field:
            self.add("fields", row.id, "crm_field", None, f"name the CRM field for {row.direction.value}")
        if synced and not row.xero_field:
            self.add("fields", row.id, "xero_field", None, f"name the Xero field for {row.direction.value}")
        xero = XERO_FIELDS.get(row.xero_field) if row.xero_field else None
        if row.xero_field and xero is None:
            self.add(
                "fields",
                row.id,
                "xero_field",
                row.xero_field,
                "not a Xero field the plan can map; pick one from the dropdown",
            )
        if (
            xero is not None
            and not xero.writable
            and row.direction in (Direction.CRM_TO_XERO, Direction.TWO_WAY)
        ):
            self.add(
                "fields",
                row.id,
                "direction",
                row.direction.value,
                f"Xero sets {xero.name} ({xero.meaning}); it can only flow Xero → CRM",
            )
        self.master(row)
        known = self.tenant.field_names(row.crm_record)
        if synced and row.crm_field and known and not self.tenant.has_field(row.crm_record, row.crm_field):
            self.add(
                "fields",
                row.id,
                "crm_field",
                row.crm_field,
                f"there is no {row.crm_record.value.lower()} field '{row.crm_field}' in the CRM yet; "
                "create it before go-live (or pick an existing one)",
                "warning",
            )

    def master(self, row: FieldMapping) -> None:
        expected = {Direction.CRM_TO_XERO: Master.CRM, Direction.XERO_TO_CRM: Master.XERO}.get(row.direction)
        if expected is not None and row.master not in (None, expected):
            self.add(
                "fields",
                row.id,
                "master",
                row.master.value if row.master else None,
                f"{row.direction.value} means {expected.value} is the master; set Master to {expected.value}",
            )
        if row.direction is Direction.TWO_WAY and row.master is None:
            self.add(
                "fields",
                row.id,
                "master",
                None,
                "a two-way field needs a master to settle conflicts; choose CRM or Xero",
            )

    # deal -> invoice -------------------------------------------------------------------------------
    def deal_invoice(self) -> None:
        settings = self.plan.deal_invoice
        if settings.default_account_code is None:
            self.add(DEAL_INVOICE, "default_account_code", "default_account_code", None, "choose an account")
        elif self.tenant.accounts and (why := account_problem(self.tenant, settings.default_account_code)):
            self.add(
                DEAL_INVOICE,
                "default_account_code",
                "default_account_code",
                settings.default_account_code,
                why,
            )
        if settings.default_tax_type is None:
            self.add(DEAL_INVOICE, "default_tax_type", "default_tax_type", None, "choose a tax type")
        elif self.tenant.tax_rates and (why := tax_type_problem(self.tenant, settings.default_tax_type)):
            self.add(DEAL_INVOICE, "default_tax_type", "default_tax_type", settings.default_tax_type, why)
        if settings.won_after is None:
            self.add(
                DEAL_INVOICE,
                "won_after",
                "won_after",
                None,
                "the invoice flow will not run without a first day: enter the day from which won deals are "
                "invoiced (older ones are left alone)",
                "warning",
            )
        field = settings.contact_id_field
        if field is None:
            self.add(
                DEAL_INVOICE,
                "contact_id_field",
                "contact_id_field",
                None,
                "without a CRM field holding the Xero ContactID, every run matches contacts again; "
                "storing the ContactID is the most reliable match",
                "warning",
            )
        elif self.tenant.field_names(CrmRecord.ORGANISATION) and not self.tenant.has_field(
            CrmRecord.ORGANISATION, field
        ):
            self.add(
                DEAL_INVOICE,
                "contact_id_field",
                "contact_id_field",
                field,
                f"there is no organisation field '{field}' in the CRM yet; create it before go-live",
                "warning",
            )
        if settings.line_amount_types is LineAmountTypes.NO_TAX and self.tenant.pays_tax:
            self.add(
                DEAL_INVOICE,
                "line_amount_types",
                "line_amount_types",
                settings.line_amount_types.value,
                "the organisation is VAT registered; NoTax leaves VAT off every invoice the flow raises",
                "warning",
            )
        if settings.status is not InvoiceStatus.DRAFT:
            self.add(
                DEAL_INVOICE,
                "status",
                "status",
                settings.status.value,
                "invoices the flow raises skip finance's review; start with DRAFT until the flow is trusted",
                "warning",
            )

    # tax mapping -----------------------------------------------------------------------------------
    def tax_rules(self) -> None:
        seen: dict[tuple[TaxBasis, str], str] = {}
        for rule in self.plan.tax_rules:
            key = (rule.applies_to, rule.crm_value.casefold())
            if key in seen:
                self.add(
                    "tax_rules",
                    rule.id,
                    "crm_value",
                    rule.crm_value,
                    f"row {seen[key]} already maps this {rule.applies_to.value.lower()}; keep one",
                )
            seen.setdefault(key, rule.id)
            self.tax_rule(rule)

    def tax_rule(self, rule: TaxRule) -> None:
        product = rule.applies_to is TaxBasis.PRODUCT
        if product and rule.account_code is None:
            self.add("tax_rules", rule.id, "account_code", None, "a product needs an account code")
        if product and rule.tax_type is None:
            self.add("tax_rules", rule.id, "tax_type", None, "a product needs a tax type")
        if (
            rule.account_code
            and self.tenant.accounts
            and (why := account_problem(self.tenant, rule.account_code))
        ):
            self.add("tax_rules", rule.id, "account_code", rule.account_code, why)
        if rule.tax_type and self.tenant.tax_rates and (why := tax_type_problem(self.tenant, rule.tax_type)):
            self.add("tax_rules", rule.id, "tax_type", rule.tax_type, why)
        if rule.item_code and self.tenant.items:
            item = self.tenant.items.get(rule.item_code)
            if item is None:
                self.add(
                    "tax_rules",
                    rule.id,
                    "item_code",
                    rule.item_code,
                    f"there is no Xero item '{rule.item_code}'; use one of "
                    f"{_listed(self.tenant.sold_item_codes)} (or leave it blank)",
                )
            elif not item.is_sold:
                self.add(
                    "tax_rules",
                    rule.id,
                    "item_code",
                    rule.item_code,
                    f"Xero item {rule.item_code} is not set up as sold; tick 'I sell this item' in Xero",
                    "warning",
                )
        if product and self.tenant.products and rule.crm_value not in self.tenant.products:
            self.add(
                "tax_rules",
                rule.id,
                "crm_value",
                rule.crm_value,
                "no CRM product has this code; check the spelling",
                "warning",
            )

    # match keys and sign-off -----------------------------------------------------------------------
    def match_keys(self) -> None:
        if not self.plan.match_keys:
            self.add("match_keys", None, "key", None, "no match key is left; contacts could not be matched")
        keys: dict[MatchKey, str] = {}
        orders: dict[int, str] = {}
        for rule in self.plan.match_keys:
            if rule.key in keys:
                self.add(
                    "match_keys",
                    rule.id,
                    "key",
                    rule.key.value,
                    f"row {keys[rule.key]} already uses this key",
                )
            keys.setdefault(rule.key, rule.id)
            if rule.order in orders:
                self.add(
                    "match_keys", rule.id, "order", rule.order, f"row {orders[rule.order]} has this order too"
                )
            orders.setdefault(rule.order, rule.id)
            if rule.key is MatchKey.SIMILAR_NAME and rule.when_matched is OnMatch.LINK:
                self.add(
                    "match_keys",
                    rule.id,
                    "when_matched",
                    rule.when_matched.value,
                    "similar names link different businesses ('ACME Ltd' and 'Acme Services'); "
                    "send them for review",
                    "warning",
                )

    def sign_off(self) -> None:
        for row in self.plan.sign_off:
            if row.name and row.signed_on is None:
                self.add(
                    "sign_off", row.id, "signed_on", None, f"{row.name} signed without a date; add the date"
                )
            if row.signed_on and not row.name:
                self.add("sign_off", row.id, "name", None, "a sign-off date needs the signer's name")


def check_plan(plan: Plan, tenant: TenantCodes) -> list[PlanProblem]:
    """Every problem of the plan, errors and warnings, in section order."""
    checker = _Checker(plan, tenant)
    checker.objects()
    checker.fields()
    checker.deal_invoice()
    checker.tax_rules()
    checker.match_keys()
    checker.sign_off()
    if not tenant.tax_rates:
        checker.add(
            "tax_rules",
            None,
            "tax_type",
            None,
            "the tenant's tax rates were not pulled; tax types are unchecked",
            "warning",
        )
    if not tenant.accounts:
        checker.add(
            "tax_rules",
            None,
            "account_code",
            None,
            "the tenant's accounts were not pulled; accounts are unchecked",
            "warning",
        )
    return checker.problems
