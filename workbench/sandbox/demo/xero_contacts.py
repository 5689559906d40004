"""Renders the client's customers and suppliers as Xero contacts (with planted duplicates and gaps).

`IsCustomer`/`IsSupplier` are left False here and set from the invoices once those exist, as Xero does.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from workbench.sandbox.demo.rng import instant
from workbench.sandbox.demo.variants import variant_name
from workbench.sandbox.demo.world import Company

Record = dict[str, Any]
RECEIVABLE_TAX = {"drc": "DRCHARGE20", "eu": "ZERORATEDOUTPUT", "export": "NONE"}


class XeroContactRenderer:
    def __init__(self, rng: random.Random, as_of: date, taken: set[str]) -> None:
        self.rng = rng
        self.as_of = as_of
        self.taken = taken
        self.names: set[str] = set()

    def contacts(self, companies: list[Company]) -> list[Record]:
        """Primary contact of every company in Xero, then each duplicate beside it, oldest first."""
        rng = self.rng
        entries: list[tuple[date, int, int, Company]] = []
        for company in companies:
            entries.append((company.added, company.idx, 0, company))
            for slot in range(1, len(company.contact_ids)):
                entries.append(
                    (company.added + timedelta(days=rng.randint(30, 600)), company.idx, slot, company)
                )
        entries.sort(key=lambda e: (e[0], e[1], e[2]))
        numbers = 0
        records = []
        for added, _, slot, company in entries:
            record = self._contact(company, slot, min(added, self.as_of - timedelta(days=1)))
            if rng.random() < 0.3:
                numbers += 1
                record["ContactNumber"] = f"{'SUP' if company.role == 'supplier' else 'CUS'}-{numbers:05d}"
            records.append(record)
        return records

    def _name(self, company: Company, slot: int) -> str:
        if slot == 0:
            name = company.name
        else:
            kind = company.extra["contact_variants"][slot - 1]
            name = variant_name(kind, company.stem, company.form, self.rng, self.taken)
            company.extra.setdefault("contact_variant_names", []).append(name)
        if name.casefold() in self.names:  # pragma: no cover - names are unique by construction
            raise RuntimeError(f"duplicate Xero contact name {name!r}")
        self.names.add(name.casefold())
        return name

    def _contact(self, company: Company, slot: int, added: date) -> Record:
        rng, extra = self.rng, company.extra
        person = company.people[0]
        kind = extra["contact_variants"][slot - 1] if slot else None
        email = person.email if extra.get("xero_email_is_person") else f"accounts@{company.email_domain}"
        if company.email_domain != company.domain:
            email = person.email
        if kind == "shared_email_domain":
            email = (
                f"finance@{company.email_domain}"
                if email.startswith("accounts@")
                else f"accounts@{company.domain}"
            )
        status = (
            "ARCHIVED"
            if company.archived or company.problem == "archived_contact_with_open_deal"
            else "ACTIVE"
        )
        if slot:
            status = "ACTIVE"
        elif company.role == "supplier" and company.problem is None and rng.random() < 0.05:
            status = "ARCHIVED"
        contact: Record = {
            "ContactID": company.contact_ids[slot],
            "ContactStatus": status,
            "Name": self._name(company, slot),
            "FirstName": person.first,
            "LastName": person.last,
            "EmailAddress": email,
        }
        if slot == 0 and extra.get("missing_email_side") == "xero":
            del contact["EmailAddress"]
        tax_number = self._tax_number(company, slot, kind)
        if tax_number:
            contact["TaxNumber"] = tax_number
        if company.treatment in RECEIVABLE_TAX and company.role != "supplier" and rng.random() < 0.6:
            contact["AccountsReceivableTaxType"] = RECEIVABLE_TAX[company.treatment]
        missing_address = slot == 0 and extra.get("missing_address_side") == "xero"
        contact["Addresses"] = self._addresses(company, missing_address)
        contact["Phones"] = self._phones(company)
        contact.update(
            {
                "UpdatedDateUTC": instant(
                    added + timedelta(days=rng.randint(0, max(0, (self.as_of - added).days - 1))), rng
                ),
                "ContactGroups": [],
                "IsSupplier": False,
                "IsCustomer": False,
                "DefaultCurrency": company.currency,
                "ContactPersons": [],
                "HasAttachments": False,
                "HasValidationErrors": False,
            }
        )
        if rng.random() < 0.5:
            contact["Website"] = f"https://www.{company.domain}"
        return contact

    def _tax_number(self, company: Company, slot: int, kind: str | None) -> str | None:
        extra = company.extra
        if not company.vat or not (extra.get("vat_in_xero") or kind == "shared_vat_number"):
            return None
        if slot == 0 and extra.get("invalid_vat_side") == "xero":
            return str(extra["invalid_vat"])
        if company.country == "GB" and self.rng.random() < 0.15:
            digits = company.vat[2:]
            return f"GB {digits[:3]} {digits[3:7]} {digits[7:]}"
        return company.vat

    def _addresses(self, company: Company, missing: bool) -> list[Record]:
        if missing:
            return [{"AddressType": "POBOX"}, {"AddressType": "STREET"}]
        line: Record = {
            "AddressLine1": company.street,
            "City": company.city,
            "PostalCode": company.postcode,
            "Country": company.country_name,
        }
        if company.county:
            line["Region"] = company.county
        pobox = {"AddressType": "POBOX", **line}
        if self.rng.random() < 0.2:
            pobox["AttentionTo"] = "Accounts Payable"
        return [pobox, {"AddressType": "STREET", **line}]

    def _phones(self, company: Company) -> list[Record]:
        country = "44" if company.country == "GB" else company.phone_area.lstrip("+")
        area = company.phone_area if company.country == "GB" else ""
        default = {
            "PhoneType": "DEFAULT",
            "PhoneNumber": company.phone_local,
            "PhoneAreaCode": area,
            "PhoneCountryCode": country,
        }
        return [default, {"PhoneType": "DDI"}, {"PhoneType": "FAX"}, {"PhoneType": "MOBILE"}]
