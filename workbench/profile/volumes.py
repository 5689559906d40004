"""The volumes a route decision prices: events per month (deals won, invoices raised, payments...),
custom fields in use, currencies, products, table sizes, lines per invoice, and how many linked
records are edited on both sides (the case that needs two-way conflict rules).

Monthly figures count what a sync would have had to carry that month, so every document created counts
(a voided invoice was still created). Averages use the twelve full months before `as_of`'s month; the
month `as_of` falls in is partial and is shown but not averaged.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from workbench.profile.shared_reads import blank, live_organisations
from workbench.profile.stored_contact_ids import stored_contact_links
from workbench.profile.tables import ProfileTables

# Edits on both sides within this window are what a two-way sync must reconcile; a quarter is the
# span a consultant can ask the client about ("who changed this last quarter, and where?").
BOTH_SIDES_WINDOW_DAYS = 90
AVERAGE_MONTHS = 12
# Records per read request: Xero pages up to 1,000 (since July 2024), Pipedrive v2 up to 500 and
# HubSpot's CRM objects up to 100. Xero allows 5,000 calls per tenant per day.
PAGE_SIZES = {"xero": 1000, "pipedrive": 500, "hubspot": 100}
XERO_DAILY_CALLS = 5000
# crm_fields.entity (Pipedrive and HubSpot spellings) -> the canonical table holding its records
FIELD_ENTITIES = {
    "organization": "organisations",
    "org": "organisations",
    "company": "organisations",
    "companies": "organisations",
    "person": "people",
    "contact": "people",
    "contacts": "people",
    "deal": "deals",
    "deals": "deals",
    "product": "products",
    "products": "products",
}
MONTHLY_EVENTS = {
    "deals_won": "won deals (each a draft invoice to create)",
    "deals_created": "new CRM deals",
    "organisations_created": "new CRM organisations (each a Xero contact to find or create)",
    "people_created": "new CRM people",
    "sales_invoices": "sales invoices raised in Xero (status and totals back to the CRM)",
    "sales_invoice_lines": "lines on those invoices",
    "bills": "supplier bills (not synced to a CRM, shown for scale)",
    "payments": "payments recorded (paid status back to the CRM)",
    "credit_notes": "credit notes raised",
}


@dataclass(frozen=True)
class Volumes:
    counts: pd.DataFrame  # table, records, live
    monthly: pd.DataFrame  # month, one column per MONTHLY_EVENTS key
    events: pd.DataFrame  # event, meaning, average_per_month, peak_month, peak, last_full_month
    custom_fields: pd.DataFrame  # entity, table, field, field_type, defined, populated, records, share
    currencies: pd.DataFrame  # currency, deals, deal_value, sales_invoices, invoiced_total
    products: pd.DataFrame  # code, name, crm_product, xero_item, deal_lines, deals, invoice_lines
    edited_both_sides: pd.DataFrame  # one row: linked_pairs, crm_edited, xero_edited, both_edited, share
    api_calls: pd.DataFrame  # system, table, records, page_size, calls
    average_lines_per_invoice: float
    peak_month: str | None  # month with the most sales invoices raised
    peak_month_invoices: int


def measure_volumes(tables: ProfileTables, org_links: pd.DataFrame | None = None) -> Volumes:
    """All volume figures of one engagement. `org_links` (the matcher's links) ties organisations to
    Xero contacts; without it the ContactIDs stored on the organisations do."""
    monthly = monthly_counts(tables)
    events = event_summary(monthly, tables)
    peak_month, peak = _peak(monthly, "sales_invoices")
    return Volumes(
        counts=table_counts(tables),
        monthly=monthly,
        events=events,
        custom_fields=custom_fields_in_use(tables),
        currencies=currencies_in_use(tables),
        products=products_in_use(tables),
        edited_both_sides=edited_on_both_sides(tables, org_links),
        api_calls=backfill_api_calls(tables),
        average_lines_per_invoice=average_lines_per_invoice(tables),
        peak_month=peak_month,
        peak_month_invoices=peak,
    )


# --- sizes ------------------------------------------------------------------------------------------
def table_counts(tables: ProfileTables) -> pd.DataFrame:
    """Rows per canonical table, and how many are live (not deleted / voided / archived)."""
    rows = []
    for name in tables:
        frame = tables[name]
        rows.append({"table": name, "records": len(frame), "live": int(_live(name, frame).sum())})
    return pd.DataFrame(rows, columns=["table", "records", "live"])


def _live(name: str, frame: pd.DataFrame) -> pd.Series:
    live = pd.Series(True, index=frame.index)
    if "is_deleted" in frame.columns:
        live &= ~frame["is_deleted"].fillna(False).astype(bool)
    if name in ("invoices", "credit_notes"):
        live &= ~frame["status"].isin(["VOIDED", "DELETED"])
    if name == "xero_contacts":
        live &= frame["status"].fillna("ACTIVE").eq("ACTIVE") & blank(frame["merged_to_contact_id"])
    return live


def average_lines_per_invoice(tables: ProfileTables) -> float:
    """Lines per sales invoice (every status: a sync carries the lines of whatever it creates)."""
    invoices = tables["invoices"]
    sales = invoices.loc[invoices["type"].eq("ACCREC"), "invoice_id"]
    if sales.empty:
        return 0.0
    lines = tables["invoice_lines"]
    return round(float(lines["invoice_id"].isin(set(sales)).sum()) / len(sales), 2)


# --- per month --------------------------------------------------------------------------------------
def _month(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values, utc=True).dt.tz_localize(None)
    return stamps.dt.to_period("M")


def monthly_counts(tables: ProfileTables) -> pd.DataFrame:
    """Events per calendar month, from the first month anything happened to `as_of`'s month."""
    deals = tables["deals"]
    deals = deals[~deals["is_deleted"].fillna(False).astype(bool)]
    won = deals[
        deals["status"].astype(str).str.lower().eq("won") | deals["is_won"].fillna(False).astype(bool)
    ]
    invoices = tables["invoices"]
    sales = invoices[invoices["type"].eq("ACCREC")]
    sales_day = sales.drop_duplicates("invoice_id").set_index("invoice_id")["date"]
    line_days = tables["invoice_lines"]["invoice_id"].map(sales_day)
    series = {
        "deals_won": _month(won["won_time"].fillna(won["close_time"])),
        "deals_created": _month(deals["created_at"]),
        "organisations_created": _month(live_organisations(tables)["created_at"]),
        "people_created": _month(tables["people"]["created_at"]),
        "sales_invoices": _month(sales["date"]),
        "sales_invoice_lines": _month(line_days),
        "bills": _month(invoices.loc[invoices["type"].eq("ACCPAY"), "date"]),
        "payments": _month(tables["payments"]["date"]),
        "credit_notes": _month(tables["credit_notes"]["date"]),
    }
    as_of = pd.Period(pd.Timestamp(tables.as_of), "M")
    counted = {name: s.dropna().value_counts() for name, s in series.items()}
    firsts = [c.index.min() for c in counted.values() if len(c)]
    start = min(firsts) if firsts else as_of
    months = pd.period_range(min(start, as_of), as_of, freq="M")
    frame = pd.DataFrame({name: c.reindex(months, fill_value=0) for name, c in counted.items()}, index=months)
    frame = frame.fillna(0).astype(int)
    frame.index.name = "month"
    return frame.reset_index().assign(month=lambda f: f["month"].astype(str))


def event_summary(monthly: pd.DataFrame, tables: ProfileTables) -> pd.DataFrame:
    """Per event: the average month of the last twelve full ones, the peak full month and its count."""
    as_of = pd.Period(pd.Timestamp(tables.as_of), "M")
    months = pd.PeriodIndex(monthly["month"], freq="M")
    full = monthly[months < as_of]
    recent = full[pd.PeriodIndex(full["month"], freq="M") >= as_of - AVERAGE_MONTHS]
    rows = []
    for event, meaning in MONTHLY_EVENTS.items():
        peak_month, peak = _peak(full, event)
        rows.append(
            {
                "event": event,
                "meaning": meaning,
                "average_per_month": round(float(recent[event].mean()), 1) if len(recent) else 0.0,
                "peak_month": peak_month,
                "peak": peak,
                "last_full_month": int(full[event].iloc[-1]) if len(full) else 0,
            }
        )
    return pd.DataFrame(rows)


def _peak(monthly: pd.DataFrame, column: str) -> tuple[str | None, int]:
    if monthly.empty or monthly[column].max() == 0:
        return None, 0
    at = monthly[column].idxmax()
    return str(monthly.loc[at, "month"]), int(monthly.loc[at, column])


# --- what is in use ---------------------------------------------------------------------------------
def custom_fields_in_use(tables: ProfileTables) -> pd.DataFrame:
    """Every custom field defined in the CRM or present on records, with how many records fill it.

    A defined field nobody fills needs no mapping; a field on records that no definition names is an
    unresolved key (a hash the pull could not name) and needs one before it can be mapped.
    """
    fields = tables["crm_fields"]
    custom = fields[fields["is_custom"].fillna(False).astype(bool)]
    defined = pd.DataFrame(
        {
            "table": custom["entity"].astype(str).str.lower().map(FIELD_ENTITIES),
            "entity": custom["entity"],
            "field": custom["name"].fillna(custom["field_key"]),
            "field_type": custom["field_type"],
        }
    )
    filled = []
    for table in ("organisations", "people", "deals"):
        frame = tables[table]
        frame = frame[~frame["is_deleted"].fillna(False).astype(bool)] if "is_deleted" in frame else frame
        # counted in plain Python: per record a small dict, far cheaper than a Series per record
        counts = pd.Series(
            Counter(name for value in frame["custom_fields"].tolist() for name in _filled_names(value)),
            dtype="int64",
        ).sort_values(ascending=False, kind="stable")
        filled.append(
            pd.DataFrame(
                {"table": table, "field": counts.index, "populated": counts.to_numpy(), "records": len(frame)}
            )
        )
    populated = pd.concat(filled, ignore_index=True) if filled else pd.DataFrame()
    merged = defined.assign(defined=True).merge(populated, on=["table", "field"], how="outer")
    merged["defined"] = merged["defined"].eq(True)
    sizes = {t: len(tables[t]) for t in ("organisations", "people", "deals", "products")}
    merged["records"] = merged["table"].map(sizes).astype("Int64")
    # products carry no custom-field values in the canonical tables, so their fill stays unknown (NA)
    populated = merged["populated"].astype("Int64")
    merged["populated"] = populated.where(merged["table"].eq("products"), populated.fillna(0))
    merged["share"] = (merged["populated"].astype("Float64") / merged["records"].astype("Float64")).round(3)
    merged = merged.sort_values(
        ["table", "populated", "field"], ascending=[True, False, True], na_position="last"
    )
    columns = ["entity", "table", "field", "field_type", "defined", "populated", "records", "share"]
    return merged[columns].reset_index(drop=True)


def _filled_names(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return []
    return [
        str(k) for k, v in value.items() if v is not None and str(v).strip() != "" and v != [] and v != {}
    ]


def currencies_in_use(tables: ProfileTables) -> pd.DataFrame:
    """Deals and sales invoices per currency, with their totals in that currency (Decimal)."""
    deals = tables["deals"]
    deals = deals[~deals["is_deleted"].fillna(False).astype(bool)]
    invoices = tables["invoices"]
    sales = invoices[invoices["type"].eq("ACCREC") & ~invoices["status"].isin(["VOIDED", "DELETED"])]
    codes = sorted(set(deals["currency"].dropna()) | set(sales["currency"].dropna()))
    rows = []
    for code in codes:
        in_deals = deals[deals["currency"].eq(code)]
        in_sales = sales[sales["currency"].eq(code)]
        rows.append(
            {
                "currency": code,
                "deals": len(in_deals),
                "deal_value": _sum(in_deals["value"]),
                "sales_invoices": len(in_sales),
                "invoiced_total": _sum(in_sales["total"]),
            }
        )
    return pd.DataFrame(rows, columns=["currency", "deals", "deal_value", "sales_invoices", "invoiced_total"])


def _sum(values: pd.Series) -> Decimal:
    present = values[values.notna()].tolist()
    return sum((v if isinstance(v, Decimal) else Decimal(str(v)) for v in present), Decimal(0))


def products_in_use(tables: ProfileTables) -> pd.DataFrame:
    """CRM products and Xero items side by side by code, with how often each is sold on each side."""
    products = tables["products"]
    products = products[~products["is_deleted"].fillna(False).astype(bool)]
    items = tables["items"]
    lines = tables["deal_lines"]
    by_code = lines.groupby(lines["product_code"].fillna(""))
    deal_lines = by_code.size()
    deals_per = by_code["deal_id"].nunique()
    invoice_lines = tables["invoice_lines"]["item_code"].dropna().value_counts()
    crm = pd.DataFrame({"code": products["code"], "crm_name": products["name"], "crm_product": True})
    xero = pd.DataFrame({"code": items["code"], "xero_name": items["name"], "xero_item": True})
    both = crm.dropna(subset=["code"]).merge(xero.dropna(subset=["code"]), on="code", how="outer")
    both["name"] = both["crm_name"].fillna(both["xero_name"])
    both["crm_product"] = both["crm_product"].eq(True)
    both["xero_item"] = both["xero_item"].eq(True)
    both["deal_lines"] = both["code"].map(deal_lines).fillna(0).astype(int)
    both["deals"] = both["code"].map(deals_per).fillna(0).astype(int)
    both["invoice_lines"] = both["code"].map(invoice_lines).fillna(0).astype(int)
    both = both.sort_values(["deal_lines", "invoice_lines", "code"], ascending=[False, False, True])
    columns = ["code", "name", "crm_product", "xero_item", "deal_lines", "deals", "invoice_lines"]
    return both[columns].reset_index(drop=True)


# --- two-way edits ----------------------------------------------------------------------------------
def edited_on_both_sides(tables: ProfileTables, org_links: pd.DataFrame | None = None) -> pd.DataFrame:
    """Linked organisation/contact pairs both last edited within the window before `as_of`.

    Only the last edit of each record is known, so this is a lower bound on pairs edited on both sides.
    """
    links = stored_contact_links(tables) if org_links is None else org_links
    links = links.loc[links["contact_id"].notna(), ["org_id", "contact_id"]].astype(str).drop_duplicates()
    since = pd.Timestamp(tables.as_of, tz="UTC") - pd.Timedelta(days=BOTH_SIDES_WINDOW_DAYS)
    orgs = live_organisations(tables)
    org_edited = set(orgs.loc[pd.to_datetime(orgs["updated_at"], utc=True) >= since, "org_id"].astype(str))
    contacts = tables["xero_contacts"]
    contact_edited = set(
        contacts.loc[pd.to_datetime(contacts["updated_at"], utc=True) >= since, "contact_id"].astype(str)
    )
    crm = links["org_id"].isin(org_edited)
    xero = links["contact_id"].isin(contact_edited)
    pairs = len(links)
    return pd.DataFrame(
        [
            {
                "window_days": BOTH_SIDES_WINDOW_DAYS,
                "linked_pairs": pairs,
                "crm_edited": int(crm.sum()),
                "xero_edited": int(xero.sum()),
                "both_edited": int((crm & xero).sum()),
                "share_both": round(float((crm & xero).sum()) / pairs, 3) if pairs else 0.0,
            }
        ]
    )


# --- API budget -------------------------------------------------------------------------------------
BACKFILL_TABLES = {
    "xero": ("xero_contacts", "invoices", "credit_notes", "payments", "items"),
    "crm": ("organisations", "people", "deals", "products"),
}


def backfill_api_calls(tables: ProfileTables) -> pd.DataFrame:
    """Read requests a first full sync needs per table, at each API's largest page (invoice lines come
    inside Xero's invoice pages; deal products in batches of 100 deals)."""
    crm_source = (
        str(tables["organisations"]["source"].dropna().iloc[0])
        if len(tables["organisations"])
        else "pipedrive"
    )
    rows = []
    for system, names in BACKFILL_TABLES.items():
        api = "xero" if system == "xero" else crm_source
        size = PAGE_SIZES.get(api, 100)
        for name in names:
            records = len(tables[name])
            rows.append(
                {
                    "system": api,
                    "table": name,
                    "records": records,
                    "page_size": size,
                    "calls": max(1, math.ceil(records / size)),
                }
            )
    deals = len(tables["deals"])
    rows.append(
        {
            "system": crm_source,
            "table": "deal_lines",
            "records": len(tables["deal_lines"]),
            "page_size": 100,
            "calls": max(1, math.ceil(deals / 100)),
        }
    )
    frame = pd.DataFrame(rows)
    frame["share_of_xero_day"] = (
        (frame["calls"] / XERO_DAILY_CALLS).round(4).where(frame["system"].eq("xero"))
    )
    return frame
