"""Hand-built canonical tables for the matching, hygiene and volume tests.

Each builder returns one row as a dict with sensible defaults; `profile(...)` turns lists of rows into
`ProfileTables` typed the way an engagement hands them back (Decimal money, UTC datetimes, naive dates,
nullable booleans), so a rule sees the same dtypes it sees on a real pull.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from workbench.canonical import TABLES
from workbench.profile.tables import ProfileTables

AS_OF = date(2026, 11, 20)
Row = dict[str, Any]


def frame(table: str, rows: list[Row]) -> pd.DataFrame:
    columns = TABLES[table].columns
    unknown = {k for row in rows for k in row} - set(columns)
    if unknown:
        raise KeyError(f"{table} has no columns {sorted(unknown)}")
    data = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=list(columns))
    for column, kind in columns.items():
        values = data[column]
        if kind == "datetime":
            data[column] = pd.to_datetime(values, utc=True)
        elif kind == "date":
            data[column] = pd.to_datetime(values)
        elif kind == "decimal":
            data[column] = values.map(lambda v: None if v is None else Decimal(str(v))).astype(object)
        elif kind == "bool":
            data[column] = values.astype("boolean")
        elif kind == "int":
            data[column] = values.astype("Int64")
        else:
            data[column] = values.astype(object)
    return data


def profile(as_of: date = AS_OF, **tables: list[Row]) -> ProfileTables:
    """`profile(organisations=[org(...)], deals=[deal(...)])`; tables not named are empty."""
    return ProfileTables({name: frame(name, rows) for name, rows in tables.items()}, as_of)


def org(org_id: str, name: str, **fields: Any) -> Row:
    row: Row = {
        "source": "pipedrive",
        "org_id": org_id,
        "name": name,
        "address": "1 High Street",
        "city": "Leeds",
        "postcode": "LS1 1AA",
        "country": "United Kingdom",
        "created_at": "2025-01-01T09:00:00Z",
        "updated_at": "2025-01-01T09:00:00Z",
        "is_deleted": False,
        "custom_fields": {},
    }
    row.update(fields)
    return row


def person(person_id: str, org_id: str | None, name: str, email: str | None = None, **fields: Any) -> Row:
    row: Row = {
        "source": "pipedrive",
        "person_id": person_id,
        "org_id": org_id,
        "name": name,
        "email": email,
        "emails": [email] if email else [],
        "created_at": "2025-01-01T09:00:00Z",
        "updated_at": "2025-01-01T09:00:00Z",
        "is_deleted": False,
        "custom_fields": {},
    }
    row.update(fields)
    return row


def deal(
    deal_id: str, org_id: str, status: str = "won", won: str | None = "2026-09-01", **fields: Any
) -> Row:
    row: Row = {
        "source": "pipedrive",
        "deal_id": deal_id,
        "title": f"Deal {deal_id}",
        "org_id": org_id,
        "value": "1000.00",
        "currency": "GBP",
        "status": status,
        "is_won": status == "won",
        "won_time": f"{won}T10:00:00Z" if status == "won" and won else None,
        "close_time": f"{won}T10:00:00Z" if status != "open" and won else None,
        "created_at": "2026-06-01T09:00:00Z",
        "updated_at": "2026-09-01T09:00:00Z",
        "is_deleted": False,
        "custom_fields": {},
    }
    row.update(fields)
    return row


def contact(contact_id: str, name: str, **fields: Any) -> Row:
    row: Row = {
        "contact_id": contact_id,
        "name": name,
        "status": "ACTIVE",
        "email": f"accounts@{contact_id}.example.co.uk",
        "is_customer": True,
        "is_supplier": False,
        "address": "1 High Street",
        "city": "Leeds",
        "postcode": "LS1 1AA",
        "country": "United Kingdom",
        "updated_at": "2025-01-01T09:00:00Z",
    }
    row.update(fields)
    return row


def invoice(invoice_id: str, contact_id: str, reference: str | None = None, **fields: Any) -> Row:
    row: Row = {
        "invoice_id": invoice_id,
        "type": "ACCREC",
        "invoice_number": f"INV-{invoice_id}",
        "reference": reference,
        "contact_id": contact_id,
        "date": "2026-09-02",
        "due_date": "2026-10-02",
        "status": "PAID",
        "line_amount_types": "Exclusive",
        "currency": "GBP",
        "subtotal": "1000.00",
        "total_tax": "200.00",
        "total": "1200.00",
        "amount_due": "0.00",
        "amount_paid": "1200.00",
        "amount_credited": "0.00",
        "updated_at": "2026-09-02T09:00:00Z",
    }
    row.update(fields)
    return row


def line(invoice_id: str, line_id: str, **fields: Any) -> Row:
    row: Row = {
        "invoice_id": invoice_id,
        "line_id": line_id,
        "position": 1,
        "description": "Consultancy",
        "quantity": "1",
        "unit_amount": "1000.00",
        "account_code": "200",
        "tax_type": "OUTPUT2",
        "tax_amount": "200.00",
        "line_amount": "1000.00",
    }
    row.update(fields)
    return row


def kinds(findings: pd.DataFrame, kind: str) -> list[str]:
    """Subject ids of the findings of one kind, sorted."""
    return sorted(findings.loc[findings["kind"] == kind, "subject_id"])
