"""The cover sheet (client, date, route and reasons, costs per route, key numbers, how to edit) and the
gotcha checklist. Both read a `RouteSummary`: the route recommendation reduced to what the workbook
prints, so the workbook does not depend on how the recommendation is computed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from workbench.excel import styles
from workbench.excel.identity import WorkbookIdentity
from workbench.plan.model import Plan
from workbench.profile.tables import ProfileTables
from workbench.profile.volumes import custom_fields_in_use

COVER_SHEET = "Cover"
GOTCHAS_SHEET = "Gotchas"
GOTCHA_HEADERS = ("Gotcha", "In your data?", "Evidence", "What to do")
# The seed guide's gotchas, for a workbook exported before the route is worked out.
SEED_GOTCHAS = (
    ("Duplicate contacts", "decide the match key and enforce it; store the Xero ContactID on the CRM record"),
    ("Tax codes and VAT", "set LineAmountTypes and TaxType explicitly; finance signs off the tax mapping"),
    ("One-way vs two-way sync", "one way per field unless a business need forces two-way"),
    ("Xero API rate limits", "batch, throttle and retry; never backfill years of history in one run"),
    ("OAuth token expiry", "store and refresh tokens; alert when a connection needs signing in again"),
    ("Draft vs approved vs sent", "create DRAFT invoices until the flow is trusted"),
    ("Currency and rounding", "send the currency, let Xero convert and round per line"),
)
HOW_TO = (
    "Yellow cells are yours to change; everything else is locked to keep the structure intact.",
    "Dropdowns list the codes your own Xero organisation can use (active sales tax rates, revenue accounts).",
    "Add a row in the blank yellow rows at the bottom of a sheet and leave its ID empty.",
    "Delete a row's content rather than the row itself; required rows cannot be removed.",
    "Send the file back under any name: the workbench recognises it from a hidden sheet.",
)


class _Cost(Protocol):
    @property
    def route(self) -> str: ...
    @property
    def option(self) -> str: ...
    @property
    def available(self) -> bool: ...
    @property
    def monthly_gbp(self) -> Decimal: ...
    @property
    def one_off_gbp(self) -> Decimal: ...
    @property
    def basis(self) -> str: ...


class _Gotcha(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def present(self) -> bool | None: ...
    @property
    def evidence(self) -> str: ...
    @property
    def advice(self) -> str: ...


class RecommendationLike(Protocol):
    """What the cover reads from `workbench.route.RouteRecommendation`."""

    @property
    def route(self) -> str: ...
    @property
    def headline(self) -> str: ...
    @property
    def reasons(self) -> Sequence[str]: ...
    @property
    def costs(self) -> Mapping[str, _Cost]: ...
    @property
    def gotchas(self) -> Sequence[_Gotcha]: ...


@dataclass(frozen=True)
class GotchaRow:
    gotcha: str
    present: bool | None  # None: not assessed
    evidence: str = ""
    action: str = ""


@dataclass(frozen=True)
class RouteCostRow:
    route: str
    monthly_gbp: Decimal | None
    one_off_gbp: Decimal | None = None
    basis: str = ""


@dataclass(frozen=True)
class RouteSummary:
    route: str
    reasons: tuple[str, ...]
    costs: tuple[RouteCostRow, ...] = ()
    gotchas: tuple[GotchaRow, ...] = ()

    @classmethod
    def from_recommendation(cls, recommendation: RecommendationLike) -> RouteSummary:
        costs = tuple(
            RouteCostRow(
                f"{cost.route}: {cost.option}" if cost.option else cost.route,
                cost.monthly_gbp if cost.available else None,
                cost.one_off_gbp if cost.available else None,
                cost.basis,
            )
            for cost in recommendation.costs.values()
        )
        gotchas = tuple(GotchaRow(g.title, g.present, g.evidence, g.advice) for g in recommendation.gotchas)
        # the headline already starts with the route's name ("hybrid: native for contacts; ...")
        route = recommendation.headline or recommendation.route
        return cls(route, tuple(recommendation.reasons), costs, gotchas)


def _count(frame: pd.DataFrame | None, prefix: str = "") -> tuple[int, int]:
    if frame is None or frame.empty:
        return 0, 0
    chosen = frame[frame["kind"].astype(str).str.startswith(prefix)] if prefix else frame
    return len(chosen), int(chosen["severity"].eq("high").sum())


def key_numbers(
    tables: ProfileTables, duplicates: pd.DataFrame | None = None, vat: pd.DataFrame | None = None
) -> list[tuple[str, str]]:
    """The figures the cover quotes, from the pull (and the findings, when given)."""
    since = pd.Timestamp(tables.as_of - timedelta(days=365), tz="UTC")
    orgs = tables["organisations"]
    orgs = orgs[~orgs["is_deleted"].fillna(False).astype(bool)]
    contacts = tables["xero_contacts"]
    deals = tables["deals"]
    won = deals[deals["is_won"].fillna(False).astype(bool)]
    won_recent = int((pd.to_datetime(won["won_time"], utc=True) >= since).sum())
    invoices = tables["invoices"]
    sales = invoices[invoices["type"].eq("ACCREC")]
    sales_recent = int((pd.to_datetime(sales["date"]).dt.tz_localize("UTC") >= since).sum())
    fields = custom_fields_in_use(tables)
    in_use = int((fields["populated"].fillna(0).astype(int) > 0).sum()) if not fields.empty else 0
    stored = int(orgs["xero_contact_id"].notna().sum())
    numbers = [
        ("CRM organisations", f"{len(orgs):,}"),
        ("Xero contacts", f"{len(contacts):,} ({int(contacts['status'].eq('ACTIVE').sum()):,} active)"),
        ("Organisations with a stored Xero ContactID", f"{stored:,} of {len(orgs):,}"),
        ("Won deals, last 12 months", f"{won_recent:,}"),
        ("Sales invoices, last 12 months", f"{sales_recent:,}"),
        ("Custom fields in use", f"{in_use:,}"),
        ("CRM products", f"{len(tables['products']):,}"),
    ]
    if duplicates is not None:
        clusters, high = _count(duplicates, "duplicate_")
        numbers.append(("Duplicate clusters", f"{clusters:,} ({high:,} certain)"))
    if vat is not None:
        found, high = _count(vat)
        numbers.append(("VAT findings", f"{found:,} ({high:,} high severity)"))
    return numbers


def _pounds(value: Decimal | None) -> str:
    return "not priced" if value is None else f"£{value:,.0f}"


def _section(ws: Worksheet, row: int, title: str) -> int:
    ws.cell(row=row, column=1, value=title).font = styles.SUBTITLE_FONT
    return row + 1


def write_cover(
    wb: Workbook,
    plan: Plan,
    identity: WorkbookIdentity,
    route: RouteSummary | None,
    numbers: Sequence[tuple[str, str]],
    exported_on: date,
) -> Worksheet:
    ws = wb.active if wb.active is not None else wb.create_sheet()
    ws.title = COVER_SHEET
    client = plan.client or identity.engagement_name
    ws.cell(row=1, column=1, value=f"CRM ↔ Xero mapping plan: {client}").font = styles.TITLE_FONT
    facts = [
        ("Client", client),
        ("Prepared", exported_on.strftime("%d %B %Y")),
        ("Engagement", identity.engagement_name),
        ("Plan version", str(identity.plan_version)),
        ("CRM", plan.crm.capitalize()),
        ("Signed off", "yes" if plan.signed_off else "not yet: see the Sign-off sheet"),
    ]
    row = 3
    for label, value in facts:
        ws.cell(row=row, column=1, value=label).font = styles.LABEL_FONT
        ws.cell(row=row, column=2, value=value)
        row += 1
    row = _section(ws, row + 1, "Recommended route")
    if route is None:
        ws.cell(row=row, column=1, value="not worked out yet: run `workbench route` and export again")
        ws.cell(row=row, column=1).font = styles.NOTE_FONT
        row += 1
    else:
        ws.cell(row=row, column=1, value=route.route).font = styles.LABEL_FONT
        row += 1
        for reason in route.reasons:
            ws.cell(row=row, column=1, value=f"• {reason}").alignment = styles.WRAP
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
            ws.row_dimensions[row].height = 15 * max(1, len(reason) // 110 + 1)
            row += 1
        if route.costs:
            row = _section(ws, row + 1, "Indicative monthly cost per route")
            styles.style_header(ws, row, ("Route", "Per month", "One-off", "Basis"))
            row += 1
            for cost in route.costs:
                ws.cell(row=row, column=1, value=cost.route)
                ws.cell(row=row, column=2, value=_pounds(cost.monthly_gbp))
                ws.cell(row=row, column=3, value=_pounds(cost.one_off_gbp) if cost.one_off_gbp else "")
                ws.cell(row=row, column=4, value=cost.basis).alignment = styles.WRAP
                row += 1
    row = _section(ws, row + 1, "Key numbers")
    for label, value in numbers:
        ws.cell(row=row, column=1, value=label)
        ws.cell(row=row, column=2, value=value)
        row += 1
    row = _section(ws, row + 1, "How to use this workbook")
    for line in HOW_TO:
        ws.cell(row=row, column=1, value=f"• {line}")
        row += 1
    for column, width in zip("ABCD", (44, 36, 14, 70), strict=True):
        ws.column_dimensions[column].width = width
    styles.protect(ws)
    return ws


def write_gotchas(wb: Workbook, route: RouteSummary | None) -> Worksheet:
    ws = wb.create_sheet(GOTCHAS_SHEET)
    ws.cell(row=1, column=1, value="Gotcha checklist").font = styles.TITLE_FONT
    intro = "The seed guide's gotchas, each marked for this client's data."
    ws.cell(row=2, column=1, value=intro).font = styles.NOTE_FONT
    styles.style_header(ws, 3, GOTCHA_HEADERS)
    rows = (
        list(route.gotchas)
        if route is not None and route.gotchas
        else [
            GotchaRow(title, None, "not assessed yet (run `workbench route`)", action)
            for title, action in SEED_GOTCHAS
        ]
    )
    for offset, gotcha in enumerate(rows):
        present = {True: "Yes", False: "No", None: "Not assessed"}[gotcha.present]
        values = (gotcha.gotcha, present, gotcha.evidence, gotcha.action)
        for column, value in enumerate(values, 1):
            cell = ws.cell(row=4 + offset, column=column, value=value)
            cell.alignment = styles.WRAP
            if gotcha.present:
                ws.cell(row=4 + offset, column=2).fill = styles.HIGH_FILL
    for column, cap in enumerate((28, 14, 60, 60), 1):
        styles.set_width(ws, column, [GOTCHA_HEADERS[column - 1], *(_values(rows, column))], cap)
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:D{3 + len(rows)}"
    styles.protect(ws)
    return ws


def _values(rows: Sequence[GotchaRow], column: int) -> list[str]:
    return [str((r.gotcha, r.present, r.evidence, r.action)[column - 1]) for r in rows]
