"""The hard gates of routes-and-vat §6.2: facts that rule a route out for a flow before any scoring.

Every gate is reported, applying or not, with the client's own figure as evidence, so the
recommendation shows what was checked as well as what bit.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from workbench.route.case import Case
from workbench.route.inputs import FLOWS, Flow, Route
from workbench.route.words import count, listed, share


class Gate(BaseModel):
    gate: str
    title: str
    applies: bool
    evidence: str
    effect: str
    source: str
    excludes: dict[Flow, list[Route]] = Field(default_factory=dict)


def _all(*routes: Route) -> dict[Flow, list[Route]]:
    return {flow: list(routes) for flow in FLOWS}


def hard_gates(case: Case) -> list[Gate]:
    return [
        _pipedrive(case),
        _xero_by_xero(case),
        _hubspot_custom_fields(case),
        _hubspot_invoice_edits(case),
        _salesforce_write_back(case),
        _salesforce_api_addon(case),
        _api_headroom(case),
        _invoice_volume(case),
        _line_level_tax(case),
        _currencies(case),
    ]


def _pipedrive(case: Case) -> Gate:
    applies = case.answers.crm == "pipedrive"
    chosen_native = case.connector_id == "pipedrive_native"
    return Gate(
        gate="pipedrive_native_unavailable",
        title="Pipedrive's own Xero app is closed to new users",
        applies=applies,
        evidence=f"CRM is {case.answers.crm}"
        + ("; the answers name Pipedrive's own app" if applies and chosen_native else ""),
        effect="route 1 means a marketplace app (e.g. Cloudify: drafts only, Pipedrive → Xero only)",
        source="[P] support.pipedrive.com pipedrive-integration-xero (13 Nov 2024)",
        excludes=_all("native") if applies and chosen_native else {},
    )


def _xero_by_xero(case: Case) -> Gate:
    applies = case.answers.uses_xero_by_xero
    return Gate(
        gate="xero_by_xero_retired",
        title="Xero's own HubSpot app was disconnected on 13 Mar 2026",
        applies=applies,
        evidence="the client still relies on 'Xero by Xero'" if applies else "not in use",
        effect="migrate off it: it no longer syncs anything",
        source="[T] uk.cyberclick.net",
        excludes=_all("native") if applies and case.connector_id == "xero_by_xero" else {},
    )


def _hubspot_custom_fields(case: Case) -> Gate:
    fields = case.custom_fields
    applies = case.answers.crm == "hubspot" and fields > 0 and not case.answers.hubspot_operations_hub
    return Gate(
        gate="hubspot_custom_fields_need_ops_hub",
        title="HubSpot Data Sync maps custom fields only with paid Operations Hub",
        applies=applies,
        evidence=f"{case.custom_fields_said}; Operations Hub: "
        + ("yes" if case.answers.hubspot_operations_hub else "no"),
        effect="buy Operations Hub, or carry the fields by middleware or a custom build",
        source="[P] knowledge.hubspot.com understand-your-data-sync-field-mappings",
        excludes={"contacts": ["native"], "deal_to_invoice": ["native"]} if applies else {},
    )


def _hubspot_invoice_edits(case: Case) -> Gate:
    lock = case.connector is not None and case.connector.invoice_edit_lock
    applies = case.answers.crm == "hubspot" and case.answers.invoices_edited_in_xero and lock
    return Gate(
        gate="hubspot_invoice_edit_lock",
        title="Invoices HubSpot creates must be edited in HubSpot",
        applies=applies,
        evidence="finance edits invoices in Xero after creation"
        if case.answers.invoices_edited_in_xero
        else "finance does not edit the CRM's invoices in Xero",
        effect="native two-way invoice sync fails on invoices edited in Xero",
        source="[P] knowledge.hubspot.com connect-hubspot-and-xero-data-sync",
        excludes={"deal_to_invoice": ["native"]} if applies else {},
    )


def _salesforce_write_back(case: Case) -> Gate:
    applies = case.answers.crm == "salesforce" and case.answers.salesforce_write_back
    return Gate(
        gate="salesforce_write_back",
        title="Breadwinner does not write Salesforce edits back to Xero",
        applies=applies,
        evidence="edits in Salesforce must reach Xero" if applies else "no Salesforce write-back needed",
        effect="middleware or a custom build",
        source="[P-vendor] breadwinner.com syncing-and-mapping",
        excludes=_all("native") if applies else {},
    )


def _salesforce_api_addon(case: Case) -> Gate:
    edition = case.answers.salesforce_edition
    applies = case.answers.crm == "salesforce" and edition in ("essentials", "professional")
    users = case.answers.salesforce_users
    return Gate(
        gate="salesforce_api_addon",
        title="Salesforce below Enterprise has no API access without the add-on",
        applies=applies,
        evidence=f"Salesforce {edition or 'edition not given'}, {count(users)} user(s)",
        effect="middleware and custom routes budget the API add-on per user",
        source="[G] api-evangelist/salesforce plans (salesforce.com/sales/pricing, 2026-08-13)",
    )


def _api_headroom(case: Case) -> Gate:
    limit = case.value("xero_calls_headroom_per_day")
    peak = case.load.middleware_xero_calls_peak_day
    applies = peak > limit
    return Gate(
        gate="xero_api_headroom",
        title=f"Peak Xero API calls above {count(limit)} a day",
        applies=applies,
        evidence=f"middleware would spend about {count(peak)} calls on a peak day "
        f"({count(case.load.xero_calls_peak_day)} batched with webhooks)",
        effect="batching, webhooks and If-Modified-Since needed; generic Zaps may throttle",
        source=case.thresholds.source("xero_calls_headroom_per_day"),
        excludes=_all("middleware") if applies else {},
    )


def _invoice_volume(case: Case) -> Gate:
    limit = case.value("invoice_advisory_per_month")
    invoices = case.volumes.invoices_per_month
    return Gate(
        gate="xero_invoice_volume_advisory",
        title=f"More than {count(limit)} invoices a month",
        applies=invoices > limit,
        evidence=f"{count(invoices)} sales invoices a month",
        effect="Xero's performance advisory: consider summarised posting",
        source=case.thresholds.source("invoice_advisory_per_month"),
    )


def _line_level_tax(case: Case) -> Gate:
    tax = case.volumes.tax
    limit = case.value("line_level_tax_share")
    measured = case.line_level_tax_share
    applies = measured > limit
    per_line = case.connector is not None and case.connector.line_level_tax is True
    parts = [
        f"{share(tax.reverse_charge_share)} of sales lines domestic reverse charge",
        f"{share(tax.ec_share + tax.no_vat_share)} outside the scope of UK VAT",
        f"{count(tax.mixed_rate_invoices)} of {count(tax.invoices)} invoices mixing rates",
    ]
    flat = (
        " The Flat Rate scheme does not support DRC: handle those by hand."
        if case.answers.flat_rate_vat
        else ""
    )
    return Gate(
        gate="line_level_tax",
        title="Reverse charge, outside-scope or mixed rates on one invoice",
        applies=applies,
        evidence=listed(parts),
        effect="line-level TaxType rules needed; a connector with one tax per deal is not enough." + flat,
        source="[P-copy] Xero Central DRC article + " + case.thresholds.source("line_level_tax_share"),
        excludes={"deal_to_invoice": ["native"]} if applies and not per_line else {},
    )


def _currencies(case: Case) -> Gate:
    supported = case.connector.currencies if case.connector is not None else None
    used = case.currencies
    beyond = [c for c in used if supported is not None and c not in supported]
    unknown = case.multi_currency and supported is None and case.connector is not None
    applies = case.multi_currency and (bool(beyond) or unknown)
    if beyond:
        evidence = f"currencies {', '.join(used)}; {', '.join(beyond)} beyond the connector's"
    elif unknown:
        evidence = f"currencies {', '.join(used)}; the connector's currency support is not documented"
    else:
        evidence = f"currencies {', '.join(used) or 'none measured'}"
    return Gate(
        gate="currencies_beyond_connector",
        title="Currencies the connector does not support",
        applies=applies,
        evidence=evidence,
        effect="middleware or a custom build for invoices and their status",
        source="[T] nbh.co (HubSpot's ~6 currencies)",
        excludes={"deal_to_invoice": ["native"], "invoice_status": ["native"]} if applies else {},
    )
