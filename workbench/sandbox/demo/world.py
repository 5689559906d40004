"""The real-world picture behind both systems: the client's companies, their people and their deals.

The generator first plans this world (who is a customer, a prospect or a supplier, which problems sit
where), then renders it twice: once as Pipedrive records and once as Xero records.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from workbench.sandbox.demo.catalogue import Product
from workbench.sandbox.demo.names import (
    FOREIGN,
    FREE_MAIL,
    GB_FORMS,
    SECTOR_WEIGHTS,
    SECTORS,
    TOWN_LIST,
    TOWN_WEIGHTS,
    CompanyNamer,
    PersonNamer,
    postcode,
    slug,
    street_line,
)
from workbench.sandbox.demo.vat_numbers import vat_for

CRM_ROLES = ("linked", "unlinked", "prospect")
CUSTOMER_ROLES = ("linked", "unlinked")
COUNTRY_CODES = ("GB", "IE", "DE", "FR", "NL", "US")
COUNTRY_WEIGHTS = (880, 30, 20, 20, 20, 30)
CURRENCY_OF = {"GB": "GBP", "IE": "EUR", "DE": "EUR", "FR": "EUR", "NL": "EUR", "US": "USD"}
JOB_ROLES = (
    "Managing Director",
    "Finance Director",
    "Operations Manager",
    "Office Manager",
    "Procurement Lead",
    "Head of People",
    "Facilities Manager",
    "Accounts Payable",
    "Project Manager",
    "Director",
)


@dataclass(slots=True, eq=False)
class Person:
    first: str
    last: str
    email: str
    phone: str
    role: str
    id: int = 0

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(slots=True, eq=False)
class Line:
    product: Product
    quantity: int
    price: Decimal  # item price as the deal shows it (gross when the deal is VAT-inclusive)
    discount: Decimal
    tax: Decimal  # Pipedrive tax %
    tax_type: str  # the Xero TaxType this line is invoiced with
    sum: Decimal = Decimal(0)  # Pipedrive's line sum, set once the deal's tax method is known


@dataclass(slots=True, eq=False)
class Deal:
    company: Company
    status: str  # open | won | lost
    add: date
    close: date | None
    expected: date
    guaranteed: bool = False
    kind: str = "oneoff"  # oneoff | retainer
    months: int = 0
    problem: str | None = None
    org_slot: int = 0
    tax_method: str = "exclusive"
    lines: list[Line] = field(default_factory=list)
    value: Decimal = Decimal(0)
    id: int = 0
    person_id: int | None = None
    title: str = ""
    invoice_ids: list[str] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Company:
    idx: int
    role: str  # linked | unlinked | prospect | xero_only | supplier
    sector: str
    country: str
    stem: str
    form: str
    domain: str
    email_domain: str
    vat: str | None
    city: str
    county: str
    nation: str
    street: str
    postcode: str
    phone_area: str
    phone_local: str
    treatment: str  # standard | drc | eu | export
    basis: str  # exclusive | inclusive | none
    owner: int
    added: date
    people: list[Person] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    problem: str | None = None  # the one company-level problem planted on it
    overdue: bool = False
    archived: bool = False
    org_ids: list[int] = field(default_factory=list)
    contact_ids: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.stem} {self.form}" if self.form else self.stem

    @property
    def currency(self) -> str:
        return CURRENCY_OF[self.country]

    @property
    def country_name(self) -> str:
        return "United Kingdom" if self.country == "GB" else FOREIGN[self.country][0]

    @property
    def in_crm(self) -> bool:
        return self.role in CRM_ROLES

    @property
    def in_xero(self) -> bool:
        return self.role in ("linked", "xero_only", "supplier")


@dataclass
class Roles:
    """How many companies of each role the sizes allow."""

    linked: int
    unlinked: int
    prospects: int
    xero_only: int
    suppliers: int


def split_roles(base_crm: int, contacts_budget: int, unlinked: int, xero_only: int) -> Roles:
    """Customers (with a Xero contact or not), prospects, Xero-only customers and suppliers."""
    unlinked = min(unlinked, max(0, base_crm - 2))
    customers = max(unlinked + 1, round(0.78 * base_crm))
    xero_only = min(xero_only, max(0, contacts_budget - 2))
    min_suppliers = max(1, round(0.06 * contacts_budget))
    linked = max(1, min(customers - unlinked, contacts_budget - xero_only - min_suppliers))
    linked = min(linked, base_crm - unlinked)
    return Roles(
        linked,
        unlinked,
        base_crm - linked - unlinked,
        xero_only,
        max(0, contacts_budget - linked - xero_only),
    )


class CompanyFactory:
    """Draws companies: name, sector, country, VAT number, address, people."""

    def __init__(self, rng: random.Random, as_of: date, start: date, owners: list[int]) -> None:
        self.rng = rng
        self.as_of = as_of
        self.start = start
        self.owners = owners
        self.companies = CompanyNamer(rng)
        self.persons = PersonNamer(rng)
        self.vats: set[str] = set()
        self.emails: set[str] = set()

    def vat(self, country: str) -> str | None:
        while True:
            number = vat_for(country, self.rng)
            if number is None or number not in self.vats:
                if number:
                    self.vats.add(number)
                return number

    def make(self, idx: int, role: str) -> Company:
        rng = self.rng
        supplier = role == "supplier"
        country = "GB"
        if role in CRM_ROLES:
            country = COUNTRY_CODES[bisect(_CUM_COUNTRY, rng.random() * _CUM_COUNTRY[-1])]
        elif role == "xero_only" and rng.random() < 0.1:
            country = rng.choice(("IE", "US"))
        sector = "Supplies" if supplier else SECTORS[bisect(_CUM_SECTOR, rng.random() * _CUM_SECTOR[-1])]
        stem = self.companies.stem(sector)
        if country == "GB":
            form = "Ltd" if sector == "Charity" and rng.random() < 0.5 else rng.choice(GB_FORMS)
            town = TOWN_LIST[bisect(_CUM_TOWN, rng.random() * _CUM_TOWN[-1])]
            city, county, nation = town.name, town.county, town.nation
            code, street = postcode(town, rng), street_line(rng)
            area = town.area_code
            local = (
                f"{rng.randrange(100, 1000)} {rng.randrange(10**4):04d}"
                if len(area) <= 4
                else f"{rng.randrange(10**5, 10**6)}"
            )
            tld = "co.uk" if rng.random() < 0.7 else rng.choice(("com", "uk"))
        else:
            name, cities, prefix, forms, tld = FOREIGN[country]
            form = rng.choice(forms)
            city, head = rng.choice(cities)
            county, nation = "", name
            code = _foreign_postcode(country, head, rng)
            street = (
                f"{rng.randint(1, 180)} {rng.choice(('Harbour', 'Market', 'Station', 'Park', 'Main'))} Street"
            )
            area, local = prefix, f"{rng.randrange(10**6, 10**7)}"
        domain = self.companies.domain(stem, tld)
        email_domain = domain
        if country == "GB" and not form and rng.random() < 0.35:
            email_domain = rng.choice(FREE_MAIL)
        registered = country != "US" and (country != "GB" or sector == "Construction" or rng.random() < 0.7)
        treatment = "standard"
        if country == "GB" and sector == "Construction":
            treatment = "drc"
        elif country in ("IE", "DE", "FR", "NL"):
            treatment = "eu"
        elif country == "US":
            treatment = "export"
        basis = "none" if treatment == "export" else "exclusive"
        if treatment == "standard" and rng.random() < 0.12:
            basis = "inclusive"
        company = Company(
            idx=idx,
            role=role,
            sector=sector,
            country=country,
            stem=stem,
            form=form,
            domain=domain,
            email_domain=email_domain,
            vat=self.vat(country) if registered else None,
            city=city,
            county=county,
            nation=nation,
            street=street,
            postcode=code,
            phone_area=area,
            phone_local=local,
            treatment=treatment,
            basis=basis,
            owner=rng.choice(self.owners),
            added=self.start - timedelta(days=rng.randint(0, 900)),
        )
        return company

    def person(self, company: Company) -> Person:
        rng = self.rng
        first, last = self.persons.name()
        given, family = slug(first), slug(last)
        local = f"{given}.{family}" if rng.random() < 0.7 else f"{given[0]}{family}"
        if company.email_domain != company.domain:
            local = f"{given}{family}"
        email = f"{local}@{company.email_domain}"
        if email in self.emails:
            email = f"{given}.{family}@{company.email_domain}"
        self.emails.add(email)
        if company.country == "GB":
            phone = (
                f"07{rng.randrange(100, 1000)} {rng.randrange(10**6):06d}"
                if rng.random() < 0.4
                else f"{company.phone_area} {company.phone_local}"
            )
        else:
            phone = f"{company.phone_area} {rng.randrange(10**6, 10**7)}"
        return Person(first, last, email, phone, rng.choice(JOB_ROLES))


def _cum(weights: tuple[int, ...]) -> list[int]:
    total, out = 0, []
    for w in weights:
        total += w
        out.append(total)
    return out


_CUM_COUNTRY = _cum(COUNTRY_WEIGHTS)
_CUM_SECTOR = _cum(SECTOR_WEIGHTS)
_CUM_TOWN = _cum(TOWN_WEIGHTS)


def _foreign_postcode(country: str, head: str, rng: random.Random) -> str:
    letters = "ACDEFHKNPRTVWXY"
    if country == "IE":
        return f"{head} {rng.choice(letters)}{rng.randrange(100, 1000)}"
    if country == "NL":
        return f"{head} {rng.choice('ABCDEGHJKLMNPRSTVWXZ')}{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}"
    return head
