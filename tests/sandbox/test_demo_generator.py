"""The demo client generator: deterministic, self-consistent, and every planted problem really there."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from tests.sandbox.demo_checks import (
    NICKNAMES,
    Index,
    canonical,
    deal_id_of,
    edit_distance,
    gb_vat_ok,
    round2,
    trading_parts,
)
from workbench.sandbox.demo import PROBLEM_KINDS, REFERENCE_PREFIX, DemoSize, generate_demo_client
from workbench.sandbox.demo.dataset import DemoClient

EU = {"Ireland", "Germany", "France", "Netherlands"}


@pytest.fixture(scope="module")
def client() -> DemoClient:
    return generate_demo_client(7)


@pytest.fixture(scope="module")
def index(client: DemoClient) -> Index:
    return Index(client)


def _json(client: DemoClient) -> str:
    return json.dumps(client.manifest.to_json(), sort_keys=True, default=str)


def test_same_seed_gives_identical_data(client: DemoClient) -> None:
    again = generate_demo_client(7)
    assert _json(again) == _json(client)
    assert again.xero == client.xero
    assert again.pipedrive == client.pipedrive


def test_different_seed_gives_different_data(client: DemoClient) -> None:
    other = generate_demo_client(8)
    assert _json(other) != _json(client)
    assert other.xero.invoices != client.xero.invoices
    assert other.pipedrive.organizations != client.pipedrive.organizations


def test_manifest_counts_are_the_list_lengths(client: DemoClient) -> None:
    counts = client.manifest.counts
    for system, data in (("xero", client.xero), ("pipedrive", client.pipedrive)):
        for name, value in vars(data).items():
            if isinstance(value, list):
                assert counts[f"{system}.{name}"] == len(value), name
    assert client.manifest.params == vars(DemoSize())


def test_default_size_is_the_requested_size(client: DemoClient) -> None:
    counts = client.manifest.counts
    assert counts["pipedrive.organizations"] == 300
    assert counts["pipedrive.persons"] == 600
    assert counts["pipedrive.deals"] == 1500
    assert counts["xero.contacts"] == 400
    assert counts["xero.invoices"] == 3000


def test_every_problem_kind_is_planted_in_realistic_numbers(client: DemoClient) -> None:
    by_kind = Counter(p.kind for p in client.manifest.problems)
    assert set(by_kind) == set(PROBLEM_KINDS)
    assert all(5 <= n <= 25 for n in by_kind.values()), by_kind


def test_problem_records_exist(index: Index) -> None:
    tables: dict[str, dict[Any, Any]] = {
        "pipedrive.organization": index.orgs,
        "pipedrive.person": index.persons,
        "pipedrive.deal": index.deals,
        "xero.contact": index.contacts,
        "xero.invoice": index.invoices,
    }
    for problem in index.client.manifest.problems:
        assert problem.records, problem
        for entity, ids in problem.records.items():
            assert ids or entity == "pipedrive.deal", problem
            assert all(i in tables[entity] for i in ids), problem


# --- each planted problem really holds ------------------------------------------------------------


def _names_are_variants(names: list[str], keys: list[set[str]]) -> bool:
    """Every name is a variant of the first: same canonical name (or a t/a part), a typo, or a shared key."""
    first = trading_parts(names[0])
    for name, key in zip(names[1:], keys[1:], strict=True):
        parts = trading_parts(name)
        same = any(a == b for a in first for b in parts)
        typo = any(0 < edit_distance(a, b) <= 2 for a in first for b in parts)
        if not (same or typo or key & keys[0]):
            return False
    return True


def _domain(email: str | None) -> str | None:
    return email.rsplit("@", 1)[1].lower() if email and "@" in email else None


def test_duplicate_organizations_are_variants(index: Index) -> None:
    for problem in index.problems["duplicate_organization"]:
        orgs = [index.orgs[i] for i in problem.records["pipedrive.organization"]]
        assert len(orgs) >= 2
        keys = [
            {
                k
                for k in (
                    index.org_vat(o)
                    and "vat:" + canonical(index.org_vat(o) or "").replace(" ", "").removeprefix("gb"),
                    o["website"],
                )
                if k
            }
            for o in orgs
        ]
        assert _names_are_variants([o["name"] for o in orgs], keys), problem


def test_duplicate_contacts_are_variants(index: Index) -> None:
    for problem in index.problems["duplicate_contact"]:
        contacts = [index.contacts[i] for i in problem.records["xero.contact"]]
        assert len(contacts) >= 2
        assert len({c["Name"].casefold() for c in contacts}) == len(contacts)  # Xero names stay unique
        keys = [
            {
                k
                for k in (
                    "vat:" + c["TaxNumber"].replace(" ", "").removeprefix("GB")
                    if c.get("TaxNumber")
                    else None,
                    _domain(c.get("EmailAddress")),
                )
                if k
            }
            for c in contacts
        ]
        assert _names_are_variants([c["Name"] for c in contacts], keys), problem


def test_duplicate_persons_are_variants(index: Index) -> None:
    for problem in index.problems["duplicate_person"]:
        original, *twins = [index.persons[i] for i in problem.records["pipedrive.person"]]
        assert twins
        for twin in twins:
            assert twin["org_id"] == original["org_id"]
            assert twin["emails"] == original["emails"]
            a, b = " ".join(original["name"].split()).casefold(), " ".join(twin["name"].split()).casefold()
            first = twin["first_name"].strip().casefold()
            ok = (
                a == b
                or edit_distance(a, b) <= 2
                or NICKNAMES.get(first) == original["first_name"].casefold()
                or (first.endswith(".") and original["first_name"].casefold().startswith(first[0]))
            )
            assert ok, problem


def test_crm_orgs_without_xero_contact(index: Index) -> None:
    xero_names = {canonical(c["Name"]) for c in index.contacts.values()}
    for problem in index.problems["crm_org_without_xero_contact"]:
        (org_id,) = problem.records["pipedrive.organization"]
        org = index.orgs[org_id]
        assert index.org_xero_id(org) is None
        assert canonical(org["name"]) not in xero_names
        assert any(d["status"] == "won" for d in index.deals_by_org[org_id])


def test_xero_contacts_without_crm_org(index: Index) -> None:
    crm_names = {canonical(o["name"]) for o in index.orgs.values()}
    linked = {index.org_xero_id(o) for o in index.orgs.values()}
    for problem in index.problems["xero_contact_without_crm_org"]:
        (contact_id,) = problem.records["xero.contact"]
        contact = index.contacts[contact_id]
        assert contact["IsCustomer"] and contact_id not in linked
        assert canonical(contact["Name"]) not in crm_names


def _one_invoice(index: Index, problem: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    (deal_id,) = problem.records["pipedrive.deal"]
    (invoice_id,) = problem.records["xero.invoice"]
    deal, invoice = index.deals[deal_id], index.invoices[invoice_id]
    assert deal_id_of(invoice["Reference"]) == deal_id and invoice["CurrencyCode"] == deal["currency"]
    return deal, invoice


def test_vat_ratio_problems(index: Index) -> None:
    for problem in index.problems["vat_total_is_deal_value_times_1_2"]:
        deal, invoice = _one_invoice(index, problem)
        assert invoice["Total"] == round2(deal["value"] * Decimal("1.2"))
    for problem in index.problems["vat_total_is_deal_value_divided_by_1_2"]:
        deal, invoice = _one_invoice(index, problem)
        assert invoice["Total"] == round2(deal["value"] / Decimal("1.2"))


def test_rounding_differences(index: Index) -> None:
    for problem in index.problems["rounding_difference"]:
        deal, invoice = _one_invoice(index, problem)
        assert len(invoice["LineItems"]) >= 2
        assert abs(invoice["Total"] - deal["value"]) == Decimal("0.01")
        assert round2(invoice["SubTotal"] * Decimal("1.2")) == deal["value"]


def _uk(contact: dict[str, Any]) -> bool:
    return any(a.get("Country") == "United Kingdom" for a in contact["Addresses"])


def test_zero_rated_and_exempt_domestic_sales(client: DemoClient, index: Index) -> None:
    standard = {i["Name"] for i in client.xero.items if i.get("SalesDetails", {}).get("TaxType") == "OUTPUT2"}
    standard.add("Custom development (hourly)")
    for kind, code in (
        ("zero_rated_domestic_sale", "ZERORATEDOUTPUT"),
        ("exempt_domestic_sale", "EXEMPTOUTPUT"),
    ):
        for problem in index.problems[kind]:
            _, invoice = _one_invoice(index, problem)
            assert _uk(index.contacts[invoice["Contact"]["ContactID"]])
            assert all(
                line["TaxType"] == code and line["Description"] in standard for line in invoice["LineItems"]
            )


def test_standard_rated_eu_b2b_services(index: Index) -> None:
    for problem in index.problems["standard_rated_eu_b2b_service"]:
        (contact_id,) = problem.records["xero.contact"]
        contact = index.contacts[contact_id]
        assert contact["Addresses"][0]["Country"] in EU and contact.get("TaxNumber")
        assert problem.records["xero.invoice"]
        for invoice_id in problem.records["xero.invoice"]:
            assert {line["TaxType"] for line in index.invoices[invoice_id]["LineItems"]} == {"OUTPUT2"}


def test_invalid_vat_numbers_fail_the_check(index: Index) -> None:
    for problem in index.problems["invalid_vat_number"]:
        for contact_id in problem.records.get("xero.contact", []):
            assert not gb_vat_ok(index.contacts[contact_id]["TaxNumber"])
        for org_id in problem.records.get("pipedrive.organization", []):
            assert not gb_vat_ok(index.org_vat(index.orgs[org_id]) or "")


def test_reverse_charge_customers(index: Index) -> None:
    sector = next(f for f in index.client.pipedrive.organization_fields if f["field_name"] == "Sector")
    construction = next(o["id"] for o in sector["options"] if o["label"] == "Construction")
    for problem in index.problems["reverse_charge_customer"]:
        (contact_id,) = problem.records["xero.contact"]
        assert gb_vat_ok(index.contacts[contact_id].get("TaxNumber") or "")
        (org_id,) = problem.records["pipedrive.organization"]
        assert index.orgs[org_id]["custom_fields"][sector["field_code"]] in (construction, None)
        for invoice_id in problem.records["xero.invoice"]:
            assert {line["TaxType"] for line in index.invoices[invoice_id]["LineItems"]} == {"OUTPUT2"}


def test_mixed_line_amount_types(index: Index) -> None:
    for problem in index.problems["mixed_line_amount_types"]:
        (contact_id,) = problem.records["xero.contact"]
        kinds = {i["LineAmountTypes"] for i in index.invoices_by_contact[contact_id] if i["Type"] == "ACCREC"}
        assert {"Exclusive", "Inclusive"} <= kinds


def test_won_deals_not_invoiced(index: Index) -> None:
    for problem in index.problems["won_deal_not_invoiced"]:
        (deal_id,) = problem.records["pipedrive.deal"]
        assert index.deals[deal_id]["status"] == "won"
        assert not index.invoices_by_deal.get(deal_id)


def test_invoice_references_without_deal(index: Index) -> None:
    for problem in index.problems["invoice_reference_without_deal"]:
        (invoice_id,) = problem.records["xero.invoice"]
        deal_id = deal_id_of(index.invoices[invoice_id]["Reference"])
        assert deal_id is not None and deal_id not in index.deals


def test_deals_invoiced_twice(index: Index) -> None:
    for problem in index.problems["deal_invoiced_twice"]:
        (deal_id,) = problem.records["pipedrive.deal"]
        live = [i for i in index.invoices_by_deal[deal_id] if index.live(i)]
        assert len(live) == 2 and {i["Reference"] for i in live} == {f"{REFERENCE_PREFIX}{deal_id}"}
        assert sorted(i["InvoiceID"] for i in live) == sorted(problem.records["xero.invoice"])


def test_archived_contacts_with_open_deals(index: Index) -> None:
    for problem in index.problems["archived_contact_with_open_deal"]:
        (contact_id,) = problem.records["xero.contact"]
        assert index.contacts[contact_id]["ContactStatus"] == "ARCHIVED"
        deals = [index.deals[i] for i in problem.records["pipedrive.deal"]]
        assert deals and all(d["status"] == "open" for d in deals)
        assert {d["org_id"] for d in deals} <= index.orgs_of_contact[contact_id]


def test_overdue_customers_with_open_deals(index: Index) -> None:
    for problem in index.problems["overdue_customer_with_open_deal"]:
        invoices = [index.invoices[i] for i in problem.records["xero.invoice"]]
        assert invoices
        for invoice in invoices:
            assert invoice["Status"] == "AUTHORISED" and invoice["DueDate"] < index.as_of
            assert invoice["AmountDue"] > 0
        deals = [index.deals[i] for i in problem.records["pipedrive.deal"]]
        assert deals and all(d["status"] == "open" for d in deals)


def test_missing_email_and_address(index: Index) -> None:
    for problem in index.problems["missing_email"]:
        for contact_id in problem.records.get("xero.contact", []):
            assert not index.contacts[contact_id].get("EmailAddress")
        for person_id in problem.records.get("pipedrive.person", []):
            assert index.persons[person_id]["emails"] == []
    for problem in index.problems["missing_address"]:
        for contact_id in problem.records.get("xero.contact", []):
            assert not any(a.get("AddressLine1") for a in index.contacts[contact_id]["Addresses"])
        for org_id in problem.records.get("pipedrive.organization", []):
            assert index.orgs[org_id]["address"] is None
