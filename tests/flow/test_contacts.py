"""Contacts by the plan's match keys: a unique active Xero contact only, held when a person must decide
(each case for the client's organisations kept in Pipedrive and, as companies, in HubSpot)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flow.factories import (
    contact,
    crm_rows,
    edited,
    flow_plan,
    flow_tables,
    match_keys,
    organisation,
    xero_rows,
)
from tests.flow.writeback_support import CRMS
from workbench.flow.contacts import NEW_CONTACT, ContactResolver, NoContact
from workbench.flow.drafts import ContactChoice, HoldReason
from workbench.plan.model import MatchKey, OnMatch, WhenUnmatched
from workbench.profile.tables import ProfileTables


@pytest.fixture(scope="module", params=CRMS)
def crm(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory, crm: str) -> ProfileTables:
    return flow_tables(tmp_path_factory.mktemp("contacts"), crm=crm_rows(crm))


def crm_of(tables: ProfileTables) -> str:
    return str(tables["organisations"]["source"].iloc[0])


def resolve(tables: ProfileTables, org_id: str, **plan: object) -> ContactChoice | NoContact:
    source = crm_of(tables)
    return ContactResolver(flow_plan(crm=source, **plan), tables).resolve(source, org_id)  # type: ignore[arg-type]


def test_each_exact_key_links_a_unique_active_contact(tables: ProfileTables) -> None:
    assert resolve(tables, "1") == ContactChoice(matched_by="stored ContactID", contact_id="C1")
    # 'GB 987 6543 21' on the organisation, 'GB987654321' in Xero: compared as the profile compares them
    assert resolve(tables, "2") == ContactChoice(matched_by="VAT number", contact_id="C2")
    # 'anna@fjordconsulting.nl' in the CRM, 'Anna@FjordConsulting.nl' in Xero
    assert resolve(tables, "6") == ContactChoice(matched_by="email address", contact_id="C7")


def test_an_unmatched_organisation_becomes_a_new_contact_with_its_main_person(tables: ProfileTables) -> None:
    choice = resolve(tables, "3")
    assert choice == ContactChoice(
        matched_by=NEW_CONTACT,
        new_contact={
            "Name": "Gamma Books",
            "EmailAddress": "grace@gammabooks.co.uk",
            "FirstName": "Grace",
            "LastName": "Hopper",
            "TaxNumber": "GB555123456",  # 'gb 555 1234 56' as the plan's transform says: upper, no spaces
            "Addresses": [
                {
                    "AddressType": "STREET",
                    "AddressLine1": "3 Mill Lane",
                    "City": "York",
                    "PostalCode": "YO1 7AA",
                    "Country": "United Kingdom",
                }
            ],
            "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "0113 496 0000"}],
        },
    )
    assert choice.payload()["Name"] == "Gamma Books"


def test_unmatched_is_held_when_the_plan_says_hold(tables: ProfileTables) -> None:
    held = resolve(tables, "3", when_unmatched=WhenUnmatched.HOLD)
    assert isinstance(held, NoContact) and held.reason is HoldReason.NO_CONTACT
    assert held.why.startswith(
        "no Xero contact matches 'Gamma Books' by stored ContactID, VAT number, company number, email "
        "address, email / web domain, name, and the plan holds unmatched deals"
    )
    assert "store the right contact's ContactID in 'Xero contact ID'" in held.why


def test_a_stored_contact_that_is_archived_holds_the_deal_and_says_why(tables: ProfileTables) -> None:
    held = resolve(tables, "4")
    assert held == NoContact(
        HoldReason.CONTACT_REVIEW,
        "'Delta Design Ltd' matches Xero contact 'Delta Design Ltd' (C4) by stored ContactID, but it is "
        "archived: restore it in Xero, or correct the organisation's stored ContactID",
    )


def test_a_name_shared_by_two_active_contacts_is_no_match_and_no_new_contact(tables: ProfileTables) -> None:
    keys = match_keys((MatchKey.STORED_ID, OnMatch.LINK), (MatchKey.NAME, OnMatch.LINK))
    held = resolve(tables, "5", keys=keys)
    assert isinstance(held, NoContact) and held.reason is HoldReason.CONTACT_REVIEW
    assert held.why.startswith(
        "no unique Xero contact for 'Echo Events Ltd': its name matches 2 active Xero contacts ('Echo "
        "Events Limited' (C5), 'ECHO EVENTS LTD.' (C6)). A new contact would duplicate one of them"
    )


def test_a_review_key_match_is_held_for_a_person_and_the_key_order_is_the_plan_s(
    tables: ProfileTables,
) -> None:
    # by the seed's policy the name is a review key: Acme's stored ContactID, checked first, links it ...
    assert resolve(tables, "1") == ContactChoice(matched_by="stored ContactID", contact_id="C1")
    # ... but with the name first, 'Acme Ltd' = 'Acme Limited' is found first and sent for review
    keys = match_keys((MatchKey.NAME, OnMatch.REVIEW), (MatchKey.STORED_ID, OnMatch.LINK))
    held = resolve(tables, "1", keys=keys)
    assert held == NoContact(
        HoldReason.CONTACT_REVIEW,
        "'Acme Ltd' matches Xero contact 'Acme Limited' (C1) by name only, and the plan sends name matches "
        "for review: once a person has checked, store ContactID C1 in 'Xero contact ID' on the organisation",
    )
    # a name key the client set to link automatically links
    keys = match_keys((MatchKey.NAME, OnMatch.LINK))
    assert resolve(tables, "1", keys=keys) == ContactChoice(matched_by="name", contact_id="C1")


def test_stored_ids_follow_xero_merges_and_a_stale_one_falls_through_to_the_next_key(
    tmp_path: Path, crm: str
) -> None:
    rows = crm_rows(crm)
    rows["organisations"] += [
        organisation("8", "Acme Trading Ltd", xero_contact_id="C9", source=crm),  # C9 was merged into C1
        organisation(
            "9", "Beta Builders (North) Ltd", xero_contact_id="C404", vat_number="GB987654321", source=crm
        ),
    ]
    tables = flow_tables(tmp_path, crm=rows)
    assert resolve(tables, "8") == ContactChoice(matched_by="stored ContactID", contact_id="C1")
    assert resolve(tables, "9") == ContactChoice(matched_by="VAT number", contact_id="C2")


def test_a_stale_stored_id_with_nothing_else_to_go_on_is_held_not_replaced(tmp_path: Path, crm: str) -> None:
    rows = crm_rows(crm)
    rows["organisations"].append(
        organisation("8", "Kestrel Kitchens Ltd", xero_contact_id="C404", source=crm)
    )
    held = resolve(flow_tables(tmp_path, crm=rows), "8")
    assert held == NoContact(
        HoldReason.CONTACT_REVIEW,
        "its stored ContactID C404 is not in this Xero organisation and no other match key finds 'Kestrel "
        "Kitchens Ltd' in Xero: once a person has checked, store the right contact's ContactID in 'Xero "
        "contact ID' on the organisation, or clear the stored one so the flow can create the contact",
    )


def test_company_numbers_and_domains(tmp_path: Path, crm: str) -> None:
    rows = crm_rows(crm)
    rows["organisations"] += [
        organisation("8", "Ivy Interiors", company_number="1234567", source=crm),
        organisation("9", "Juniper Joinery", website="https://www.juniperjoinery.co.uk", source=crm),
    ]
    xero = xero_rows()
    xero["xero_contacts"] += [
        contact("C20", "Ivy Interiors (Holdings)", company_number="01234567"),
        contact("C21", "JJ Trade Account", email="office@juniperjoinery.co.uk"),
    ]
    tables = flow_tables(tmp_path, crm=rows, xero=xero)
    assert resolve(tables, "8") == ContactChoice(matched_by="company number", contact_id="C20")
    held = resolve(tables, "9")
    assert isinstance(held, NoContact) and held.reason is HoldReason.CONTACT_REVIEW
    assert "matches Xero contact 'JJ Trade Account' (C21) by email / web domain only" in held.why


def test_a_key_that_finds_only_an_archived_contact_stops_a_duplicate_being_created(
    tmp_path: Path, crm: str
) -> None:
    rows = edited(crm_rows(crm), "organisations", "org_id", "4", xero_contact_id=None,
                  vat_number="GB111222333", custom_fields={})  # fmt: skip
    xero = edited(xero_rows(), "xero_contacts", "contact_id", "C4", tax_number="GB 111 222 333")
    held = resolve(flow_tables(tmp_path, crm=rows, xero=xero), "4")
    assert isinstance(held, NoContact) and held.reason is HoldReason.CONTACT_REVIEW
    assert "by VAT number, but it is archived" in held.why


def test_a_new_contact_whose_name_xero_already_has_is_held(tmp_path: Path, crm: str) -> None:
    # without the name key nothing links Harbour Hotels, but Xero refuses a second active contact named so
    rows = edited(crm_rows(crm), "organisations", "org_id", "7", xero_contact_id=None, custom_fields={})
    keys = match_keys((MatchKey.STORED_ID, OnMatch.LINK), (MatchKey.VAT_NUMBER, OnMatch.LINK))
    held = resolve(flow_tables(tmp_path, crm=rows), "7", keys=keys)
    assert isinstance(held, NoContact) and held.reason is HoldReason.CONTACT_REVIEW
    assert "an active Xero contact has that name, so Xero would refuse a new one" in held.why


def test_a_deal_without_an_organisation_has_no_one_to_invoice(tables: ProfileTables) -> None:
    resolver = ContactResolver(flow_plan(crm=crm_of(tables)), tables)
    for org_id in (None, "", "999"):
        held = resolver.resolve(crm_of(tables), org_id)
        assert isinstance(held, NoContact) and held.reason is HoldReason.NO_CONTACT
