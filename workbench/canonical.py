"""The system-neutral tables everything downstream reads.

Each source (Xero, Pipedrive, HubSpot, CSV/XLSX files) is converted into rows of these tables; the
engagement store keeps them per snapshot and hands them back as pandas DataFrames. Analyses read these
tables only, never a source client.

Column types: "text", "int", "bool", "decimal" (money and rates: `Decimal`, never float), "date"
(calendar day), "datetime" (UTC instant), "json" (a list or dict, e.g. unresolved custom fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["text", "int", "bool", "decimal", "date", "datetime", "json"]


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: dict[str, ColumnType]
    description: str = ""

    def __post_init__(self) -> None:
        missing = [k for k in self.key if k not in self.columns]
        if missing:
            raise ValueError(f"table {self.name}: key columns {missing} are not columns")


def _table(table_name: str, key: tuple[str, ...], description: str, /, **columns: ColumnType) -> Table:
    return Table(table_name, key, dict(columns), description)


# --- CRM side (Pipedrive, HubSpot, files) ---------------------------------------------------------
ORGANISATIONS = _table(
    "organisations",
    ("source", "org_id"),
    "CRM companies / organisations",
    source="text",
    org_id="text",
    name="text",
    website="text",
    email_domain="text",
    address="text",
    city="text",
    postcode="text",
    country="text",
    vat_number="text",
    company_number="text",
    xero_contact_id="text",
    owner_id="text",
    owner_name="text",
    created_at="datetime",
    updated_at="datetime",
    is_deleted="bool",
    custom_fields="json",
)
PEOPLE = _table(
    "people",
    ("source", "person_id"),
    "CRM contacts / persons",
    source="text",
    person_id="text",
    org_id="text",
    name="text",
    first_name="text",
    last_name="text",
    email="text",
    emails="json",
    phone="text",
    job_title="text",
    owner_id="text",
    created_at="datetime",
    updated_at="datetime",
    is_deleted="bool",
    custom_fields="json",
)
DEALS = _table(
    "deals",
    ("source", "deal_id"),
    "CRM deals / opportunities",
    source="text",
    deal_id="text",
    title="text",
    org_id="text",
    person_id="text",
    owner_id="text",
    owner_name="text",
    value="decimal",
    currency="text",
    status="text",
    is_won="bool",
    pipeline_id="text",
    pipeline_name="text",
    stage_id="text",
    stage_name="text",
    won_time="datetime",
    lost_time="datetime",
    close_time="datetime",
    expected_close_date="date",
    created_at="datetime",
    updated_at="datetime",
    is_deleted="bool",
    custom_fields="json",
)
DEAL_LINES = _table(
    "deal_lines",
    ("source", "line_id"),
    "products attached to CRM deals",
    source="text",
    line_id="text",
    deal_id="text",
    product_id="text",
    product_code="text",
    name="text",
    quantity="decimal",
    unit_price="decimal",
    discount="decimal",
    discount_type="text",
    tax_percent="decimal",
    tax_method="text",
    line_total="decimal",
    currency="text",
)
PRODUCTS = _table(
    "products",
    ("source", "product_id"),
    "CRM product catalogue",
    source="text",
    product_id="text",
    code="text",
    name="text",
    unit="text",
    tax_percent="decimal",
    prices="json",
    is_deleted="bool",
    updated_at="datetime",
)
CRM_USERS = _table(
    "crm_users",
    ("source", "user_id"),
    "CRM users (deal and organisation owners)",
    source="text",
    user_id="text",
    name="text",
    email="text",
    is_active="bool",
)
STAGES = _table(
    "stages",
    ("source", "stage_id"),
    "CRM pipeline stages",
    source="text",
    stage_id="text",
    pipeline_id="text",
    pipeline_name="text",
    name="text",
    order_nr="int",
    deal_probability="int",
)
CRM_FIELDS = _table(
    "crm_fields",
    ("source", "entity", "field_key"),
    "CRM field definitions (custom-field hashes to names)",
    source="text",
    entity="text",
    field_key="text",
    name="text",
    field_type="text",
    is_custom="bool",
    options="json",
)

# --- Xero side ------------------------------------------------------------------------------------
XERO_ORGANISATION = _table(
    "xero_organisation",
    ("organisation_id",),
    "the connected Xero organisation",
    organisation_id="text",
    name="text",
    legal_name="text",
    version="text",
    base_currency="text",
    country_code="text",
    pays_tax="bool",
    tax_number="text",
    sales_tax_basis="text",
    sales_tax_period="text",
    default_sales_tax="text",
    period_lock_date="date",
)
XERO_CONTACTS = _table(
    "xero_contacts",
    ("contact_id",),
    "Xero contacts, archived included",
    contact_id="text",
    name="text",
    contact_number="text",
    account_number="text",
    status="text",
    first_name="text",
    last_name="text",
    email="text",
    tax_number="text",
    company_number="text",
    is_customer="bool",
    is_supplier="bool",
    default_currency="text",
    address="text",
    city="text",
    postcode="text",
    country="text",
    phone="text",
    sales_tax_type="text",
    merged_to_contact_id="text",
    updated_at="datetime",
)
INVOICES = _table(
    "invoices",
    ("invoice_id",),
    "Xero invoices and bills",
    invoice_id="text",
    type="text",
    invoice_number="text",
    reference="text",
    contact_id="text",
    date="date",
    due_date="date",
    status="text",
    line_amount_types="text",
    currency="text",
    currency_rate="decimal",
    subtotal="decimal",
    total_tax="decimal",
    total="decimal",
    total_discount="decimal",
    amount_due="decimal",
    amount_paid="decimal",
    amount_credited="decimal",
    fully_paid_on="date",
    sent_to_contact="bool",
    updated_at="datetime",
)
INVOICE_LINES = _table(
    "invoice_lines",
    ("invoice_id", "line_id"),
    "Xero invoice line items",
    invoice_id="text",
    line_id="text",
    position="int",
    description="text",
    quantity="decimal",
    unit_amount="decimal",
    item_code="text",
    account_code="text",
    tax_type="text",
    tax_amount="decimal",
    line_amount="decimal",
    discount_rate="decimal",
)
CREDIT_NOTES = _table(
    "credit_notes",
    ("credit_note_id",),
    "Xero credit notes",
    credit_note_id="text",
    type="text",
    credit_note_number="text",
    reference="text",
    contact_id="text",
    date="date",
    status="text",
    line_amount_types="text",
    currency="text",
    subtotal="decimal",
    total_tax="decimal",
    total="decimal",
    remaining_credit="decimal",
    allocations="json",
    updated_at="datetime",
)
PAYMENTS = _table(
    "payments",
    ("payment_id",),
    "Xero payments",
    payment_id="text",
    invoice_id="text",
    credit_note_id="text",
    date="date",
    amount="decimal",
    currency_rate="decimal",
    reference="text",
    status="text",
    payment_type="text",
    is_reconciled="bool",
    updated_at="datetime",
)
TAX_RATES = _table(
    "tax_rates",
    ("tax_type",),
    "the tenant's tax rates (read, never assumed)",
    tax_type="text",
    name="text",
    status="text",
    report_tax_type="text",
    effective_rate="decimal",
    display_rate="decimal",
    can_apply_to_revenue="bool",
    can_apply_to_expenses="bool",
)
ACCOUNTS = _table(
    "accounts",
    ("account_id",),
    "the tenant's chart of accounts",
    account_id="text",
    code="text",
    name="text",
    type="text",
    status="text",
    tax_type="text",
    account_class="text",
    system_account="text",
)
ITEMS = _table(
    "items",
    ("item_id",),
    "Xero items",
    item_id="text",
    code="text",
    name="text",
    description="text",
    is_sold="bool",
    is_purchased="bool",
    sales_unit_price="decimal",
    sales_account_code="text",
    sales_tax_type="text",
    updated_at="datetime",
)
CURRENCIES = _table(
    "currencies",
    ("code",),
    "currencies the tenant is subscribed to",
    code="text",
    description="text",
)

CRM_TABLES = (ORGANISATIONS, PEOPLE, DEALS, DEAL_LINES, PRODUCTS, CRM_USERS, STAGES, CRM_FIELDS)
XERO_TABLES = (
    XERO_ORGANISATION,
    XERO_CONTACTS,
    INVOICES,
    INVOICE_LINES,
    CREDIT_NOTES,
    PAYMENTS,
    TAX_RATES,
    ACCOUNTS,
    ITEMS,
    CURRENCIES,
)
TABLES: dict[str, Table] = {t.name: t for t in (*CRM_TABLES, *XERO_TABLES)}

Row = dict[str, object]
