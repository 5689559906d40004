"""Which Xero contact a deal's invoice goes to, by the plan's match keys in the plan's order.

Keys are read exactly as the profile's CRM ↔ Xero matching reads them (`profile.matching_keys`): VAT
numbers normalised, emails and business domains folded (free mail ignored), names compared on their
core with the legal form ignored. Only a unique ACTIVE contact is a match. A key that finds two
contacts, or only an archived one, stops the flow from creating a contact: a new one would be a
duplicate of a business Xero already has (and Xero refuses a second active contact of the same name).
Similar-name (typo) matching is left to the profile's matching report: it never links without a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench.flow.drafts import ContactChoice, HoldReason
from workbench.plan.model import MatchKey, MatchKeyRule, OnMatch, Plan, WhenUnmatched
from workbench.profile.duplicate_columns import company_number
from workbench.profile.matching_keys import Memo, crm_keys, xero_keys
from workbench.profile.names import normalise_email
from workbench.profile.shared_reads import group_records, live_organisations, record_keys
from workbench.profile.stored_contact_ids import follow_merges
from workbench.profile.tables import ProfileTables

NEW_CONTACT = "new contact"
STORED_ID = "stored ContactID"
_KEY_WORDS = {
    MatchKey.STORED_ID: STORED_ID,
    MatchKey.VAT_NUMBER: "VAT number",
    MatchKey.COMPANY_NUMBER: "company number",
    MatchKey.EMAIL: "email address",
    MatchKey.DOMAIN: "email / web domain",
    MatchKey.NAME: "name",
}


@dataclass(frozen=True)
class NoContact:
    """Why a deal's organisation has no contact the flow may use; the builder holds the deal."""

    reason: HoldReason
    why: str


@dataclass(frozen=True)
class _Org:
    key: str
    org_id: str
    name: str
    values: dict[MatchKey, frozenset[str]]  # what the organisation offers for each key
    row: dict[str, Any]


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


class ContactResolver:
    """Resolves organisations to Xero contacts for one plan and one set of tables (built once per run)."""

    def __init__(self, plan: Plan, tables: ProfileTables) -> None:
        self.plan = plan
        self.tables = tables
        memo: Memo = {}
        self._contacts = xero_keys(tables, memo).set_index("contact_id", drop=False)
        self._all_contacts = tables["xero_contacts"]
        every = self._all_contacts["contact_id"].astype(str)
        # each contact id -> the contact it stands for now, through Xero's merges (read once, not per deal)
        self._survivor = dict(zip(every, follow_merges(every, self._all_contacts), strict=True))
        self._status = self._contacts["status"].to_dict()
        self._name_of = self._contacts["name"].to_dict()
        self._names = {str(n).strip().casefold() for n in self._active()["name"].dropna()}
        self._index = self._contact_index()
        self._orgs = self._crm_orgs(memo)
        people = tables["people"]
        people = people[~people["is_deleted"].fillna(False).astype(bool) & people["org_id"].notna()]
        self._people = group_records(people.astype({"org_id": str, "person_id": str}), ["source", "org_id"])
        self._cache: dict[str, ContactChoice | NoContact] = {}

    # --- the Xero side ------------------------------------------------------------------------------
    def _active(self) -> pd.DataFrame:
        return self._contacts[self._contacts["status"].eq("ACTIVE")]

    def _contact_index(self) -> dict[MatchKey, dict[str, list[str]]]:
        contacts = self._contacts
        numbers = self._all_contacts.set_index(self._all_contacts["contact_id"].astype(str))["company_number"]
        columns: dict[MatchKey, list[pd.Series]] = {
            MatchKey.VAT_NUMBER: [contacts["vat"]],
            MatchKey.COMPANY_NUMBER: [contacts["contact_id"].map(numbers).map(_company_number)],
            MatchKey.EMAIL: [contacts["email"]],
            MatchKey.DOMAIN: [contacts["domain"]],
            MatchKey.NAME: [contacts["core"], contacts["trading"]],
        }
        index: dict[MatchKey, dict[str, list[str]]] = {}
        for key, series in columns.items():
            found: dict[str, list[str]] = {}
            for values in series:
                for contact_id, value in zip(contacts["contact_id"], values, strict=True):
                    if isinstance(value, str) and value and contact_id not in found.get(value, []):
                        found.setdefault(value, []).append(contact_id)
            index[key] = found
        return index

    # --- the CRM side -------------------------------------------------------------------------------
    def _crm_orgs(self, memo: Memo) -> dict[str, _Org]:
        crm = crm_keys(self.tables, memo)
        live = live_organisations(self.tables).astype({"org_id": str})
        rows = dict(zip(record_keys(live), live.to_dict("records"), strict=True))
        emails = crm.emails.groupby("row")["email"].agg(frozenset).to_dict()
        domains = crm.domains.groupby("row")["domain"].agg(frozenset).to_dict()
        orgs = {}
        for position, org in enumerate(crm.orgs.to_dict("records")):
            row = rows[org["key"]]
            names = {org["core"], org["trading"]} - {"", None}
            values = {
                MatchKey.STORED_ID: _set(self._stored_id(row)),
                MatchKey.VAT_NUMBER: _set(org["vat"]),
                MatchKey.COMPANY_NUMBER: _set(_company_number(row.get("company_number"))),
                MatchKey.EMAIL: emails.get(position, frozenset()),
                MatchKey.DOMAIN: domains.get(position, frozenset()),
                MatchKey.NAME: frozenset(str(n) for n in names),
            }
            orgs[org["key"]] = _Org(org["key"], str(org["org_id"]), str(org["name"] or ""), values, row)
        return orgs

    def _stored_id(self, row: Mapping[str, Any]) -> str | None:
        field = self.plan.deal_invoice.contact_id_field
        custom = row.get("custom_fields")
        if field and isinstance(custom, dict) and _text(custom.get(field)):
            return _text(custom.get(field))
        return _text(row.get("xero_contact_id"))

    # --- resolving ----------------------------------------------------------------------------------
    def resolve(self, source: str, org_id: object, person_id: object = None) -> ContactChoice | NoContact:
        """The contact for the organisation `org_id` of CRM `source` (`person_id`: the deal's person)."""
        org_text = _text(org_id)
        if org_text is None:
            return NoContact(
                HoldReason.NO_CONTACT,
                "the deal has no organisation, so there is no customer to invoice: link the deal to its "
                "organisation in the CRM",
            )
        key = f"{source}\x1f{org_text}"
        if key not in self._cache:
            org = self._orgs.get(key)
            if org is None:
                self._cache[key] = NoContact(
                    HoldReason.NO_CONTACT,
                    f"organisation {org_text} is not in the CRM pull (deleted?): restore it or link the "
                    "deal to the organisation it bills",
                )
            else:
                self._cache[key] = self._resolve(org, _text(person_id))
        return self._cache[key]

    def _resolve(self, org: _Org, person_id: str | None) -> ContactChoice | NoContact:
        ambiguous: list[str] = []
        stale: list[str] = []
        for rule in sorted(self.plan.match_keys, key=lambda r: r.order):
            if rule.key not in _KEY_WORDS:
                continue
            outcome = self._by_key(org, rule, ambiguous, stale)
            if outcome is not None:
                return outcome
        if ambiguous:
            return NoContact(
                HoldReason.CONTACT_REVIEW,
                f"no unique Xero contact for '{org.name}': {'; '.join(ambiguous + stale)}. A new contact "
                f"would duplicate one of them: {self._store_hint()}",
            )
        if stale:
            return NoContact(
                HoldReason.CONTACT_REVIEW,
                f"{'; '.join(stale)} and no other match key finds '{org.name}' in Xero: "
                f"{self._store_hint()}, or clear the stored one so the flow can create the contact",
            )
        return self._unmatched(org, person_id)

    def _by_key(
        self, org: _Org, rule: MatchKeyRule, ambiguous: list[str], stale: list[str]
    ) -> ContactChoice | NoContact | None:
        words = _KEY_WORDS[rule.key]
        values = org.values[rule.key]
        if not values:
            return None
        if rule.key is MatchKey.STORED_ID:
            found = self._stored(next(iter(values)), stale)
        else:
            found = sorted({c for value in values for c in self._index[rule.key].get(value, [])})
        if not found:
            return None
        statuses = [self._status[c] for c in found]
        active = [c for c, status in zip(found, statuses, strict=True) if status == "ACTIVE"]
        if len(active) > 1:
            ambiguous.append(
                f"its {words} matches {len(active)} active Xero contacts ({self._named(active)})"
            )
            return None
        if not active:
            state = " / ".join(sorted({str(s).lower() for s in statuses}))
            return NoContact(
                HoldReason.CONTACT_REVIEW,
                f"'{org.name}' matches Xero contact {self._named(found)} by {words}, but it is {state}: "
                f"restore it in Xero, or correct the organisation's {words}",
            )
        if rule.when_matched is OnMatch.REVIEW:
            return NoContact(
                HoldReason.CONTACT_REVIEW,
                f"'{org.name}' matches Xero contact {self._named(active)} by {words} only, and the plan "
                f"sends {words} matches for review: {self._store_hint(active[0])}",
            )
        return ContactChoice(matched_by=words, contact_id=active[0])

    def _stored(self, stored: str, stale: list[str]) -> list[str]:
        survivor = self._survivor.get(stored, stored)
        if survivor not in self._status:
            known = "merged away" if stored in self._survivor else "not in this Xero organisation"
            stale.append(f"its stored ContactID {stored} is {known}")
            return []
        return [survivor]

    def _named(self, contact_ids: list[str]) -> str:
        return ", ".join(f"'{self._name_of[cid]}' ({cid})" for cid in contact_ids)

    def _store_hint(self, contact_id: str | None = None) -> str:
        field = self.plan.deal_invoice.contact_id_field or "the organisation's Xero ContactID field"
        which = f"ContactID {contact_id}" if contact_id else "the right contact's ContactID"
        return f"once a person has checked, store {which} in '{field}' on the organisation"

    def _unmatched(self, org: _Org, person_id: str | None) -> ContactChoice | NoContact:
        keys = ", ".join(_KEY_WORDS[r.key] for r in self.plan.match_keys if r.key in _KEY_WORDS)
        if self.plan.deal_invoice.when_unmatched is WhenUnmatched.HOLD:
            return NoContact(
                HoldReason.NO_CONTACT,
                f"no Xero contact matches '{org.name}' by {keys or 'any key'}, and the plan holds unmatched "
                f"deals: create the contact in Xero and {self._store_hint()}, or set 'When no Xero contact "
                "matches' to 'Create the Xero contact'",
            )
        name = org.name.strip()
        if name.casefold() in self._names:
            return NoContact(
                HoldReason.CONTACT_REVIEW,
                f"no match key links '{name}', yet an active Xero contact has that name, so Xero would "
                f"refuse a new one: {self._store_hint()}",
            )
        return ContactChoice(matched_by=NEW_CONTACT, new_contact=self._new_contact(org, person_id))

    def _new_contact(self, org: _Org, person_id: str | None) -> dict[str, Any]:
        """The Xero Contact payload for an organisation (its main person's email and name)."""
        row = org.row
        contact: dict[str, Any] = {"Name": org.name.strip()}
        someone = self._person(org.org_id, str(row.get("source")), person_id)
        if someone is not None:
            for field, column in (
                ("EmailAddress", "email"),
                ("FirstName", "first_name"),
                ("LastName", "last_name"),
            ):
                if _text(someone.get(column)):
                    contact[field] = _text(someone.get(column))
        tax = _text(row.get("vat_number"))
        if tax:
            contact["TaxNumber"] = "".join(tax.split()).upper()
        number = _company_number(row.get("company_number"))
        if number:
            contact["CompanyNumber"] = number
        address = _address(row)
        if address:
            contact["Addresses"] = [address]
        phone = _text(someone.get("phone")) if someone is not None else None
        if phone:
            contact["Phones"] = [{"PhoneType": "DEFAULT", "PhoneNumber": phone}]
        return contact

    def _person(self, org_id: str, source: str, person_id: str | None) -> dict[str, Any] | None:
        """The deal's person when they have an email, else the organisation's first person with one."""
        people = sorted(self._people.get((source, org_id), []), key=lambda p: p["person_id"] != person_id)
        with_email = [p for p in people if normalise_email(_text(p.get("email"))) is not None]
        chosen = with_email or people
        return chosen[0] if chosen else None


def _set(value: str | None) -> frozenset[str]:
    return frozenset({value}) if value else frozenset()


def _company_number(value: Any) -> str | None:
    text = _text(value)
    return company_number(text) if text else None


def _address(row: Mapping[str, Any]) -> dict[str, str]:
    """A STREET address: the street part of the CRM's one-line address, with its town, postcode, country."""
    city, postcode, country = (_text(row.get(c)) for c in ("city", "postcode", "country"))
    street = _text(row.get("address")) or ""
    known = {v.casefold() for v in (city, postcode, country) if v}
    parts = [p.strip() for p in street.split(",") if p.strip()]
    kept = []
    for part in parts:
        words = part.casefold()
        for value in known:
            words = words.replace(value, "")
        if words.strip(" ,"):
            kept.append(part)
    lines = kept
    address = {
        "AddressType": "STREET",
        "AddressLine1": ", ".join(lines),
        "City": city or "",
        "PostalCode": postcode or "",
        "Country": country or "",
    }
    return {k: v for k, v in address.items() if v} if lines or city or postcode else {}
