"""Status refresh: paid / overdue / voided onto deals, on stop / overdue / in good standing onto their
organisations, from a hand-made Xero tenant behind the emulator; and the account-status rule itself."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.flow.writeback_support import CRMS, CrmSide, crm_side, flow_setup, xero_invoice
from tests.sandbox.xero_factory import CONTACT_IDS, small_tenant
from tests.xero.support import XeroSandbox, xero_sandbox
from workbench.cli import main
from workbench.commands.flow_refresh import print_refresh
from workbench.flow.crm_fields import current_values
from workbench.flow.refresh import (
    IN_GOOD_STANDING,
    ON_STOP,
    OVERDUE,
    CrmView,
    account_status,
    refresh_engagement,
    refresh_statuses,
    worst,
)
from workbench.flow.runner import run_flow
from workbench.flow.writeback import FieldKeys, InvoiceState, crm_view, ensure_fields
from workbench.flow.writeback_fields import DEAL_AMOUNT_DUE, DEAL_INVOICE_STATUS, ORGANISATION_ACCOUNT_STATUS
from workbench.sandbox.xero.totals import apply_totals
from workbench.store import Engagement
from workbench.xero.client import XeroClient

TODAY = date(2026, 11, 20)
ALPHA, BETA, GAMMA, DELTA = CONTACT_IDS[:4]


def _owed(days_late: int, amount: str = "100", status: str = "AUTHORISED") -> InvoiceState:
    return InvoiceState(
        deal_id="",
        invoice_id="x",
        invoice_number=None,
        status=status,
        amount_due=Decimal(amount),
        currency="GBP",
        due_date=TODAY - timedelta(days=days_late),
    )


@pytest.mark.parametrize(
    ("invoices", "expected"),
    [
        ([], IN_GOOD_STANDING),
        ([_owed(0)], IN_GOOD_STANDING),  # due today is not late
        ([_owed(-30)], IN_GOOD_STANDING),
        ([_owed(1)], OVERDUE),
        ([_owed(60)], OVERDUE),  # 60 days late is not yet more than 60
        ([_owed(61)], ON_STOP),
        ([_owed(90, amount="0")], IN_GOOD_STANDING),  # settled
        ([_owed(90, status="PAID", amount="0")], IN_GOOD_STANDING),
        ([_owed(90, status="DRAFT")], IN_GOOD_STANDING),  # a draft is not owed
        ([_owed(5), _owed(75), _owed(-3)], ON_STOP),
    ],
)
def test_account_status_rule(invoices: list[InvoiceState], expected: str) -> None:
    assert account_status(invoices, TODAY) == expected


def test_a_shorter_on_stop_period_and_the_worst_of_several_contacts() -> None:
    assert account_status([_owed(20)], TODAY, on_stop_days=14) == ON_STOP
    assert worst([IN_GOOD_STANDING, OVERDUE]) == OVERDUE
    assert worst([OVERDUE, ON_STOP, IN_GOOD_STANDING]) == ON_STOP
    assert worst([]) == IN_GOOD_STANDING


def _tenant_invoice(
    deal_id: int | None, contact: str, status: str, due: date, **values: Any
) -> dict[str, Any]:
    raw = xero_invoice(deal_id or 0, status=status, contact_id=contact, due=due, **values)
    invoice = {k: v for k, v in raw.items() if k not in ("AmountDue", "Total", "StatusAttributeString")}
    invoice.update(
        Date=due - timedelta(days=30),
        DueDate=due,
        LineAmountTypes="Exclusive",
        CurrencyRate=Decimal(1),
        LineItems=[{"Description": "Consulting", "Quantity": Decimal(1), "UnitAmount": Decimal("500"),
                    "AccountCode": "200", "TaxType": "OUTPUT2"}],
    )  # fmt: skip
    apply_totals(invoice, lambda tax_type: Decimal("20") if tax_type == "OUTPUT2" else Decimal(0))
    paid = invoice["Total"] if status == "PAID" else Decimal("0.00")
    invoice.update(AmountPaid=paid, AmountCredited=Decimal("0.00"), AmountDue=invoice["Total"] - paid)
    return invoice


@pytest.fixture
def xero() -> XeroSandbox:
    tenant = small_tenant(invoices=0)
    tenant.invoices = [
        _tenant_invoice(1, ALPHA, "PAID", TODAY - timedelta(days=40)),
        _tenant_invoice(2, BETA, "AUTHORISED", TODAY - timedelta(days=10)),
        _tenant_invoice(3, GAMMA, "AUTHORISED", TODAY + timedelta(days=20)),
        # Gamma also owes an older invoice the flow never raised, 90 days late: on stop
        _tenant_invoice(None, GAMMA, "AUTHORISED", TODAY - timedelta(days=90), reference="PO 77",
                        invoice_id="22222222-0000-4000-8000-000000000001", number="INV-0900"),
        _tenant_invoice(4, DELTA, "VOIDED", TODAY - timedelta(days=5)),
        # a bill from Delta long overdue is money Delta is owed, not money it owes
        _tenant_invoice(None, DELTA, "AUTHORISED", TODAY - timedelta(days=200), reference="",
                        invoice_id="22222222-0000-4000-8000-000000000002", number="", Type="ACCPAY"),
    ]  # fmt: skip
    return xero_sandbox(tenant)


@pytest.fixture(params=CRMS)
def side(request: pytest.FixtureRequest) -> CrmSide:
    return crm_side(request.param)


def _invoiced(xero: XeroSandbox, deals: tuple[str, ...]) -> dict[str, str]:
    ids = {str(i["Reference"]).removeprefix("PD-"): i["InvoiceID"] for i in xero.tenant.invoices[:5]}
    return {d: ids[d] for d in deals}


def test_refresh_writes_statuses_onto_deals_and_organisations_then_nothing(
    xero: XeroSandbox, side: CrmSide
) -> None:
    keys: FieldKeys = ensure_fields(side.client, create=True)
    client = xero.xero_client()
    invoiced = _invoiced(xero, ("1", "2", "3", "4")) | {"5": "11111111-0000-4000-8000-999999999999"}
    view = side.view()
    orgs = [str(view.deal_orgs[d]) for d in ("1", "2", "3", "4")]
    assert len(set(orgs)) == 4  # four organisations, one a deal

    result = refresh_statuses(client, side.client, keys, invoiced, view, today=TODAY)

    def shown(entity: str, record_id: str | int, wanted: Any) -> Any:
        return current_values(side.stored(entity, record_id), [keys.of(wanted)])[wanted.key]

    assert [shown("deal", d, DEAL_INVOICE_STATUS) for d in (1, 2, 3, 4)] == [
        "PAID",
        "OVERDUE",
        "AUTHORISED",
        "VOIDED",
    ]
    currency = "GBP" if side.crm == "pipedrive" else None  # a HubSpot number carries no currency
    assert shown("deal", 1, DEAL_AMOUNT_DUE) == (Decimal(0), currency)
    assert shown("deal", 2, DEAL_AMOUNT_DUE) == (Decimal(600), currency)
    statuses = [IN_GOOD_STANDING, OVERDUE, ON_STOP, IN_GOOD_STANDING]
    assert {o: shown("organization", o, ORGANISATION_ACCOUNT_STATUS) for o in orgs} == dict(
        zip(orgs, statuses, strict=True)
    )
    assert result.not_in_xero == ["5"]
    assert sorted(result.deals.written) == ["1", "2", "3", "4"]
    assert sorted(result.organisations_written) == sorted(orgs)
    assert result.summary()["on_stop"] == [orgs[2]] and result.summary()["overdue"] == [orgs[1]]
    # two Xero reads: the invoices by InvoiceID, then the customers' approved invoices
    queries = [dict(r.url.params) for r in xero.transport.api_calls("Invoices")]
    assert result.xero_calls == 2 and len(queries) == 2
    assert set(queries[0]["IDs"].split(",")) == set(invoiced.values())
    assert set(queries[1]["ContactIDs"].split(",")) == {ALPHA, BETA, GAMMA, DELTA}
    assert queries[1]["Statuses"] == "AUTHORISED"
    # Pipedrive: one PATCH per deal and per organisation; HubSpot: a batch of deals, one of companies
    assert result.crm_calls == (8 if side.crm == "pipedrive" else 2)

    # nothing new in Xero: a second refresh reads again and writes nothing
    mark = side.mark()
    again = refresh_statuses(client, side.client, keys, invoiced, side.view(), today=TODAY)
    assert side.writes(mark) == [] and again.deals.unchanged == 4 and again.organisations_unchanged == 4

    # a month on, Beta's invoice is 40 days late: still overdue, and only deal 3 is now late too
    month_on = TODAY + timedelta(days=30)
    later = refresh_statuses(client, side.client, keys, invoiced, side.view(), today=month_on)
    assert later.deals.written == ["3"] and shown("deal", 3, DEAL_INVOICE_STATUS) == "OVERDUE"
    assert later.organisations_written == [] and later.account_statuses[orgs[1]] == OVERDUE
    assert len(side.writes(mark)) == 1


def test_an_organisation_the_crm_no_longer_has_is_reported_and_the_rest_written(
    xero: XeroSandbox, side: CrmSide
) -> None:
    keys = ensure_fields(side.client, create=True)
    view = side.view()
    gone = view.deal_orgs["2"]
    moved = CrmView(
        deal_orgs={**view.deal_orgs, "2": "9999"}, deal_fields=view.deal_fields, org_fields=view.org_fields
    )
    invoiced = _invoiced(xero, ("1", "2", "3"))
    result = refresh_statuses(xero.xero_client(), side.client, keys, invoiced, moved, today=TODAY)
    assert list(result.organisations_failed) == ["9999"] and gone not in result.organisations_written
    assert len(result.organisations_written) == 2
    assert result.summary()["organisations_failed"] == result.organisations_failed


@pytest.mark.parametrize("crm", CRMS)
def test_refresh_of_an_engagement_after_a_flow_run(tmp_path: Path, crm: str) -> None:
    """An invoice the flow created, then approved long past due, then voided in Xero: each refresh finds
    it through the ledger and writes the status back once."""
    for setup in flow_setup(tmp_path, crm=crm):
        engagement, connector = setup.engagement, setup.connector
        report = run_flow(engagement, setup.plan, connector, mode="live", reports_dir=None).report
        created = sorted((o.deal_id, o.invoice_id) for o in report.outcomes if o.outcome == "created")
        assert created, report.outcomes
        deal_id, invoice_id = created[0]
        xero = connector.xero_source().client
        assert setup.shown("deal", deal_id, DEAL_INVOICE_STATUS) == "DRAFT"  # the run's own write-back
        _update_in_xero(xero, {"InvoiceID": invoice_id, "Status": "AUTHORISED", "DueDate": "2026-08-01"})

        result = refresh_engagement(engagement, connector)

        assert setup.shown("deal", deal_id, DEAL_INVOICE_STATUS) == "OVERDUE"
        org_id = crm_view(engagement, crm).deal_orgs[deal_id]
        assert org_id is not None and result.account_statuses[org_id] == ON_STOP  # 3½ months late
        assert setup.shown("organization", org_id, ORGANISATION_ACCOUNT_STATUS) == ON_STOP
        assert deal_id in result.deals.written and result.not_in_xero == []
        shown_text = io.StringIO()
        print_refresh(result, shown_text)
        assert f"on stop: organisations {org_id}" in shown_text.getvalue()
        assert f"Deals: {len(result.deals.written)} updated" in shown_text.getvalue()

        again = refresh_engagement(engagement, connector)
        assert again.deals.written == [] and again.organisations_written == []

        _update_in_xero(xero, {"InvoiceID": invoice_id, "Status": "VOIDED"})
        voided = refresh_engagement(engagement, connector)
        assert voided.deals.written == [deal_id]
        assert setup.shown("deal", deal_id, DEAL_INVOICE_STATUS) == "VOIDED"


MISSING = {
    "sandbox": "Pipedrive has no deal field 'Xero invoice number'",
    "hubspot-sandbox": "HubSpot has no deal property 'Xero invoice number'",
}


@pytest.mark.parametrize(("kind", "missing"), MISSING.items())
def test_the_refresh_command_without_the_fields_says_how_to_create_them(
    capsys: pytest.CaptureFixture[str], kind: str, missing: str
) -> None:
    Engagement.open("refresh-cli").close()
    assert main(["flow", "--crm", kind, "refresh", "--engagement", "refresh-cli"]) == 1
    error = capsys.readouterr().err
    assert missing in error
    assert "workbench flow refresh --engagement NAME --create-fields" in error
    with Engagement.open("refresh-cli", create=False) as engagement:
        assert engagement.snapshots() == []  # it stopped before pulling anything


def _update_in_xero(xero: XeroClient, invoice: dict[str, Any]) -> None:
    answer = xero.session.request(
        "POST",
        f"{xero.base_url}/Invoices",
        headers={"xero-tenant-id": xero.tenant_id or "", "Accept": "application/json"},
        json={"Invoices": [invoice]},
    )
    assert answer.status_code == 200, answer.text


def test_invoices_are_read_fifty_ids_a_query(xero: XeroSandbox) -> None:
    client = xero.xero_client()
    wanted = [i["InvoiceID"] for i in xero.tenant.invoices] + [
        f"33333333-0000-4000-8000-{n:012d}" for n in range(114)
    ]
    found = client.get_invoices_by_ids(wanted + wanted[:3])  # repeats are asked for once
    assert sorted(i["InvoiceID"] for i in found) == sorted(i["InvoiceID"] for i in xero.tenant.invoices)
    sizes = [len(r.url.params["IDs"].split(",")) for r in xero.transport.api_calls("Invoices")]
    assert sizes == [50, 50, 20]
