"""The demo client's clean records are clean: arithmetic holds, and nothing looks like a problem unless
it was planted (so a profiler's findings can be scored against the manifest)."""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from tests.sandbox.demo_checks import Index, canonical, deal_id_of, gb_vat_ok
from tests.spec_validation import load_spec_dict
from workbench.sandbox.demo import DemoSize, generate_demo_client
from workbench.sandbox.demo.dataset import DemoClient
from workbench.sandbox.xero.totals import apply_totals

EU = {"Ireland", "Germany", "France", "Netherlands"}


@pytest.fixture(scope="module")
def client() -> DemoClient:
    return generate_demo_client(7)


@pytest.fixture(scope="module")
def index(client: DemoClient) -> Index:
    return Index(client)


def test_totals_are_xeros_per_line_arithmetic(client: DemoClient) -> None:
    rates = {r["TaxType"]: r["EffectiveRate"] for r in client.xero.tax_rates}
    for document in [*client.xero.invoices, *client.xero.credit_notes]:
        again = apply_totals(
            copy.deepcopy({k: document[k] for k in ("LineAmountTypes", "LineItems")}), lambda t: rates[t]
        )
        for key in ("SubTotal", "TotalTax", "Total", "TotalDiscount"):
            assert again[key] == document.get(key, again[key]), (document.get("InvoiceNumber"), key)
        assert [line["LineAmount"] for line in again["LineItems"]] == [
            line["LineAmount"] for line in document["LineItems"]
        ]


def test_payments_and_credits_add_up(client: DemoClient) -> None:
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for payment in client.xero.payments:
        paid[payment["Invoice"]["InvoiceID"]] += payment["Amount"]
        assert payment["Status"] == "AUTHORISED" and payment["Account"]["Code"] == "090"
    credited: dict[str, Decimal] = defaultdict(Decimal)
    for note in client.xero.credit_notes:
        allocated = sum((a["Amount"] for a in note["Allocations"]), Decimal(0))
        assert note["RemainingCredit"] == note["Total"] - allocated
        assert note["Status"] == ("PAID" if note["RemainingCredit"] == 0 else "AUTHORISED")
        for allocation in note["Allocations"]:
            credited[allocation["Invoice"]["InvoiceID"]] += allocation["Amount"]
    for invoice in client.xero.invoices:
        key = invoice["InvoiceID"]
        assert invoice["AmountPaid"] == paid.get(key, 0)
        assert invoice["AmountCredited"] == credited.get(key, 0)
        if invoice["Status"] in ("VOIDED", "DELETED", "DRAFT", "SUBMITTED"):
            assert invoice["AmountPaid"] == 0 and invoice["AmountCredited"] == 0
        if invoice["Status"] not in ("VOIDED", "DELETED"):
            assert (
                invoice["AmountDue"] == invoice["Total"] - invoice["AmountPaid"] - invoice["AmountCredited"]
            )
        assert (invoice["Status"] == "PAID") == ("FullyPaidOnDate" in invoice)
        if invoice["Status"] == "PAID":
            assert invoice["AmountDue"] == 0
        assert invoice["UpdatedDateUTC"].date() >= invoice["Date"]
        assert invoice["Date"] <= client.manifest.as_of


def test_invoice_numbers_and_statuses(client: DemoClient) -> None:
    sales = [i for i in client.xero.invoices if i["Type"] == "ACCREC"]
    numbers = [i["InvoiceNumber"] for i in sales]
    assert len(set(numbers)) == len(numbers) and all(n.startswith("INV-") for n in numbers)
    statuses = Counter(i["Status"] for i in client.xero.invoices)
    assert {"DRAFT", "AUTHORISED", "PAID", "VOIDED", "DELETED"} <= set(statuses)
    assert statuses["PAID"] > len(client.xero.invoices) // 2
    assert Counter(i["Type"] for i in client.xero.invoices)["ACCPAY"] > 0
    assert {i["CurrencyCode"] for i in client.xero.invoices} == {"GBP", "EUR", "USD"}
    assert sum(i["Reference"].startswith("PD-") for i in sales) > len(sales) * 0.8


def test_clean_gb_vat_numbers_pass_the_check(index: Index) -> None:
    bad_contacts = index.planted("invalid_vat_number", "xero.contact")
    bad_orgs = index.planted("invalid_vat_number", "pipedrive.organization")
    checked = 0
    for contact_id, contact in index.contacts.items():
        number = contact.get("TaxNumber")
        if number and number.startswith("GB") and contact_id not in bad_contacts:
            assert gb_vat_ok(number), number
            checked += 1
    for org_id, org in index.orgs.items():
        number = index.org_vat(org)
        is_gb = bool(number) and (number or "")[:2] in ("GB", *(str(d) for d in range(10)))
        if is_gb and org_id not in bad_orgs:
            assert gb_vat_ok(number or ""), number
    assert checked > 50
    assert index.client.xero.organisation["TaxNumber"] and gb_vat_ok(
        index.client.xero.organisation["TaxNumber"]
    )


def test_clean_names_are_unique(index: Index) -> None:
    dup_orgs = index.planted("duplicate_organization", "pipedrive.organization")
    names = Counter(canonical(o["name"]) for i, o in index.orgs.items() if i not in dup_orgs)
    assert names.most_common(1)[0][1] == 1
    dup_contacts = index.planted("duplicate_contact", "xero.contact")
    names = Counter(canonical(c["Name"]) for i, c in index.contacts.items() if i not in dup_contacts)
    assert names.most_common(1)[0][1] == 1
    assert len({c["Name"].casefold() for c in index.contacts.values()}) == len(index.contacts)
    twins = index.planted("duplicate_person", "pipedrive.person")
    emails = Counter(
        e["value"].casefold() for i, p in index.persons.items() if i not in twins for e in p["emails"]
    )
    assert emails.most_common(1)[0][1] == 1


def test_nothing_looks_like_a_problem_unless_planted(index: Index) -> None:
    won_uninvoiced = {
        d for d, deal in index.deals.items() if deal["status"] == "won" and d not in index.invoices_by_deal
    }
    assert won_uninvoiced == index.planted("won_deal_not_invoiced", "pipedrive.deal")
    orphans = {
        i for i, inv in index.invoices.items() if deal_id_of(inv["Reference"]) not in (None, *index.deals)
    }
    assert orphans == index.planted("invoice_reference_without_deal", "xero.invoice")
    twice = {
        d
        for d, docs in index.invoices_by_deal.items()
        if Counter(i["Reference"] for i in docs if index.live(i)).most_common(1)[0][1] > 1
    }
    assert twice == index.planted("deal_invoiced_twice", "pipedrive.deal")
    open_orgs = {d["org_id"] for d in index.deals.values() if d["status"] == "open"}
    overdue = {
        i["Contact"]["ContactID"]
        for i in index.invoices.values()
        if i["Type"] == "ACCREC"
        and i["Status"] == "AUTHORISED"
        and i["DueDate"] < index.as_of
        and i["AmountDue"] > 0
    }
    assert {c for c in overdue if index.orgs_of_contact[c] & open_orgs} == index.planted(
        "overdue_customer_with_open_deal", "xero.contact"
    )
    archived = {c for c, contact in index.contacts.items() if contact["ContactStatus"] == "ARCHIVED"}
    assert {c for c in archived if index.orgs_of_contact[c] & open_orgs} == index.planted(
        "archived_contact_with_open_deal", "xero.contact"
    )
    mixed = {
        c
        for c, docs in index.invoices_by_contact.items()
        if {"Exclusive", "Inclusive"} <= {i["LineAmountTypes"] for i in docs if i["Type"] == "ACCREC"}
    }
    assert mixed == index.planted("mixed_line_amount_types", "xero.contact")


def test_hygiene_gaps_are_all_planted(index: Index) -> None:
    assert {c for c, x in index.contacts.items() if not x.get("EmailAddress")} == index.planted(
        "missing_email", "xero.contact"
    )
    assert {p for p, x in index.persons.items() if not x["emails"]} == index.planted(
        "missing_email", "pipedrive.person"
    )
    assert {
        c for c, x in index.contacts.items() if not any(a.get("AddressLine1") for a in x["Addresses"])
    } == (index.planted("missing_address", "xero.contact"))
    assert {o for o, x in index.orgs.items() if x["address"] is None} == index.planted(
        "missing_address", "pipedrive.organization"
    )


def test_vat_codes_are_right_unless_planted(client: DemoClient, index: Index) -> None:
    standard = {i["Name"] for i in client.xero.items if i.get("SalesDetails", {}).get("TaxType") == "OUTPUT2"}
    standard.add("Custom development (hourly)")  # a Pipedrive product with no Xero item
    found: dict[str, set[str]] = defaultdict(set)
    for invoice in index.invoices.values():
        if invoice["Type"] != "ACCREC":
            continue
        contact = index.contacts[invoice["Contact"]["ContactID"]]
        country = contact["Addresses"][0].get("Country")
        codes = {line["TaxType"] for line in invoice["LineItems"]}
        zero_rated = [
            line["Description"] for line in invoice["LineItems"] if line["TaxType"] == "ZERORATEDOUTPUT"
        ]
        if country == "United Kingdom" and any(d.startswith(tuple(standard)) for d in zero_rated):
            found["zero_rated_domestic_sale"].add(invoice["InvoiceID"])
        if "EXEMPTOUTPUT" in codes:
            found["exempt_domestic_sale"].add(invoice["InvoiceID"])
        if country in EU and contact.get("TaxNumber") and "OUTPUT2" in codes:
            found["standard_rated_eu_b2b_service"].add(invoice["InvoiceID"])
    for kind, invoices in found.items():
        assert invoices == index.planted(kind, "xero.invoice"), kind


def test_clean_deal_invoices_total_the_deal_value(index: Index) -> None:
    skewed = set()
    for kind in (
        "vat_total_is_deal_value_times_1_2",
        "vat_total_is_deal_value_divided_by_1_2",
        "rounding_difference",
    ):
        skewed |= index.planted(kind, "pipedrive.deal")
    checked = 0
    for deal_id, docs in index.invoices_by_deal.items():
        deal = index.deals.get(deal_id)
        one_off = [i for i in docs if "/" not in i["Reference"]]
        if deal is None or deal_id in skewed or not one_off:
            continue
        for invoice in one_off:
            assert invoice["CurrencyCode"] == deal["currency"]
            if index.live(invoice):
                assert invoice["Total"] == deal["value"], (deal_id, invoice["InvoiceNumber"])
                checked += 1
    assert checked > 300


def _spec_properties(spec: str, schema: str) -> set[str]:
    schemas = load_spec_dict(spec)["components"]["schemas"]
    return set(schemas[schema]["properties"])


@pytest.mark.parametrize(
    ("attr", "schema"),
    [
        ("invoices", "Invoice"),
        ("contacts", "Contact"),
        ("payments", "Payment"),
        ("credit_notes", "CreditNote"),
        ("accounts", "Account"),
        ("items", "Item"),
        ("tax_rates", "TaxRate"),
        ("currencies", "Currency"),
    ],
)
def test_xero_records_use_spec_field_names(client: DemoClient, attr: str, schema: str) -> None:
    allowed = _spec_properties("xero", schema)
    for record in getattr(client.xero, attr):
        assert set(record) <= allowed, set(record) - allowed
    assert set(client.xero.organisation) <= _spec_properties("xero", "Organisation")


def test_pipedrive_records_use_spec_field_names(client: DemoClient) -> None:
    spec = load_spec_dict("pipedrive-v2")

    def fields(path: str) -> set[str]:
        schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["example"]
        return set().union(*(set(item) for item in schema["data"]))

    deal_keys = fields("/deals") | {
        "person_id",
        "org_id",
        "probability",
        "lost_reason",
        "close_time",
        "won_time",
        "lost_time",
        "custom_fields",
    }
    for attr, path, extra in (
        ("deals", "/deals", deal_keys),
        ("organizations", "/organizations", set()),
        ("persons", "/persons", set()),
        ("products", "/products", set()),
        ("deal_products", "/deals/{id}/products", set()),
        ("stages", "/stages", set()),
        ("pipelines", "/pipelines", set()),
    ):
        allowed = fields(path) | extra | {"custom_fields"}
        for record in getattr(client.pipedrive, attr):
            assert set(record) <= allowed, (attr, set(record) - allowed)
    for field in client.pipedrive.deal_fields + client.pipedrive.organization_fields:
        assert len(field["field_code"]) == 40 or not field["is_custom_field"]


def test_custom_fields_link_orgs_to_xero(index: Index) -> None:
    linked = [o for o in index.orgs.values() if index.org_xero_id(o)]
    assert len(linked) > 100
    assert all(index.org_xero_id(o) in index.contacts for o in linked)


def test_small_and_scaled_sizes() -> None:
    small = generate_demo_client(
        3, DemoSize(organisations=40, people=80, deals=200, xero_contacts=50, invoices=300)
    )
    assert small.manifest.counts["xero.invoices"] == 300
    assert small.manifest.counts["pipedrive.organizations"] == 40
    assert DemoSize.scaled(100_000).invoices >= 200_000


def test_mid_size_keeps_its_ratios() -> None:
    size = DemoSize.scaled(5_000)
    client = generate_demo_client(11, size)
    counts = client.manifest.counts
    assert counts["pipedrive.organizations"] == 5_000
    assert counts["xero.invoices"] == 2 * 5_000
    assert counts["pipedrive.persons"] == 10_000
    assert counts["xero.contacts"] == size.xero_contacts
    assert counts["pipedrive.deals"] == size.deals
    by_kind = Counter(p.kind for p in client.manifest.problems)
    assert min(by_kind.values()) >= 25, by_kind
