"""Renders the planned world as Pipedrive v2 records: organizations, persons, deals and deal products.

Ids follow creation order and skip a few numbers (deleted records), as a real account's do; the gaps
in deal ids are what an invoice reference to a deal that no longer exists points at.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from workbench.sandbox.demo.pipedrive_reference import CustomFields
from workbench.sandbox.demo.rng import instant
from workbench.sandbox.demo.variants import person_variant, variant_name
from workbench.sandbox.demo.vat_numbers import gb_display
from workbench.sandbox.demo.world import Company, CompanyFactory, Deal, Person

Record = dict[str, Any]
LOST_REASONS = (
    "Price",
    "Went with a competitor",
    "No budget this year",
    "Timing",
    "No response",
    "Scope changed",
)
TREATMENT_LABEL = {
    "drc": "Domestic reverse charge",
    "eu": "Outside scope (non-UK B2B)",
    "export": "Outside scope (non-UK B2B)",
}
TAX_LABEL = {
    "OUTPUT2": "Standard rated (20%)",
    "RROUTPUT": "Reduced rate (5%)",
    "ZERORATEDOUTPUT": "Zero rated",
}


def sequential_ids(count: int, rng: random.Random, gap_share: float = 0.03) -> tuple[list[int], list[int]]:
    """`count` increasing ids starting at 1 with a few skipped, and the skipped ones."""
    ids, gaps, next_id = [], [], 1
    for _ in range(count):
        while rng.random() < gap_share:
            gaps.append(next_id)
            next_id += 1
        ids.append(next_id)
        next_id += 1
    return ids, gaps


class PipedriveRenderer:
    def __init__(
        self,
        rng: random.Random,
        as_of: date,
        fields: CustomFields,
        stages: list[Record],
        product_ids: dict[str, int],
        factory: CompanyFactory,
    ) -> None:
        self.rng = rng
        self.as_of = as_of
        self.now = datetime(as_of.year, as_of.month, as_of.day, 8, tzinfo=UTC)
        self.fields = fields
        self.product_ids = product_ids
        self.factory = factory
        self.stages = {p: [s for s in stages if s["pipeline_id"] == p] for p in (1, 2)}
        self.deal_gaps: list[int] = []
        self.person_ids: dict[tuple[int, int], list[int]] = {}  # (company idx, org slot) -> person ids

    def _when(self, day: date) -> datetime:
        return instant(min(day, self.as_of - timedelta(days=1)), self.rng)

    def _later(self, start: datetime) -> datetime:
        span = (self.now - start).total_seconds()
        return start if span <= 0 else start + timedelta(seconds=int(self.rng.random() * span))

    # organizations -------------------------------------------------------------------------------
    def organizations(self, crm: list[Company]) -> list[Record]:
        rng = self.rng
        entries: list[tuple[datetime, int, int, Company]] = []
        for company in crm:
            entries.append((self._when(company.added), company.idx, 0, company))
            for slot, _ in enumerate(company.extra.get("org_variants", ()), start=1):
                later = company.added + timedelta(days=rng.randint(20, 700))
                entries.append((self._when(later), company.idx, slot, company))
        entries.sort(key=lambda e: (e[0], e[1], e[2]))
        ids, _ = sequential_ids(len(entries), rng)
        records = []
        for org_id, (added, _, slot, company) in zip(ids, entries, strict=True):
            if slot == 0:
                company.org_ids.insert(0, org_id)
            else:
                company.org_ids.append(org_id)
            records.append(self._organization(org_id, added, slot, company))
        return records

    def _organization(self, org_id: int, added: datetime, slot: int, company: Company) -> Record:
        rng, extra = self.rng, company.extra
        name = company.stem if extra.get("crm_short_name") else company.name
        kind = None
        if slot:
            kind = extra["org_variants"][slot - 1]
            name = variant_name(kind, company.stem, company.form, rng, self.factory.companies.taken)
            extra.setdefault("org_variant_names", []).append(name)
        vat = None
        if company.vat and (extra.get("vat_in_crm") or kind == "shared_vat_number"):
            vat = gb_display(company.vat, rng) if company.country == "GB" else company.vat
            if extra.get("invalid_vat_side") == "pipedrive" and slot == 0:
                vat = extra["invalid_vat"]
        xero_id = None
        if company.role == "linked" and (extra.get("xero_id_in_crm") if slot == 0 else rng.random() < 0.2):
            xero_id = company.contact_ids[0]
        missing_address = slot == 0 and extra.get("missing_address_side") == "pipedrive"
        shares_domain = "shared_email_domain" in extra.get("org_variants", ())
        website = f"https://www.{company.domain}" if rng.random() < 0.75 or shares_domain else None
        return {
            "id": org_id,
            "name": name,
            "owner_id": company.owner if slot == 0 else rng.choice(self.factory.owners),
            "add_time": added,
            "update_time": self._later(added),
            "is_deleted": False,
            "visible_to": 3,
            "address": None if missing_address else self._address(company),
            "label_ids": [],
            "website": website,
            "linkedin": None,
            "industry": None,
            "annual_revenue": None,
            "employee_count": rng.choice((None, 5, 12, 25, 40, 80, 150, 300)),
            "custom_fields": {
                self.fields.org_vat: vat,
                self.fields.org_xero_id: xero_id,
                self.fields.org_sector: self.fields.sector_option.get(company.sector)
                if rng.random() < 0.8
                else None,
            },
        }

    @staticmethod
    def _address(company: Company) -> Record:
        street = company.street
        number, route, subpremise = None, street, None
        if street.startswith("Unit "):
            subpremise, route = street.split(", ", 1)
        elif street[0].isdigit():
            number, route = street.split(" ", 1)
        return {
            "value": f"{street}, {company.city} {company.postcode}, {company.country_name}",
            "country": company.country_name,
            "admin_area_level_1": company.nation,
            "admin_area_level_2": company.county or None,
            "locality": company.city,
            "sublocality": None,
            "route": route,
            "street_number": number,
            "subpremise": subpremise,
            "postal_code": company.postcode,
        }

    # persons -------------------------------------------------------------------------------------
    def persons(self, crm: list[Company], total: int) -> list[Record]:
        rng = self.rng
        plan: list[tuple[Company, int, Person, str | None]] = []
        for company in crm[:total]:
            if not company.people:
                company.people.append(self.factory.person(company))
            plan.append((company, 0, company.people[0], None))
        for company in crm:
            if "person_variant" in company.extra and len(plan) < total:
                kind = company.extra["person_variant"]
                first, last = person_variant(kind, company.people[0].first, company.people[0].last, rng)
                twin = Person(
                    first, last, company.people[0].email, company.people[0].phone, company.people[0].role
                )
                plan.append((company, 0, twin, kind))
            for slot in range(1, len(company.org_ids)):
                if rng.random() < 0.5 and len(plan) < total:
                    plan.append((company, slot, self._new_person(company), None))
        if total > len(plan) and crm:
            cumulative, running = [], 0
            for company in crm:
                running += 2 if company.role == "linked" else 1
                cumulative.append(running)
            for company in rng.choices(crm, cum_weights=cumulative, k=total - len(plan)):
                plan.append((company, 0, self._new_person(company), None))
        dated = []
        for n, (company, _, person, variant) in enumerate(plan):
            offset = 0 if person is company.people[0] and variant is None else rng.randint(20, 400)
            dated.append((self._when(company.added + timedelta(days=offset)), n))
        dated.sort()
        ids, _ = sequential_ids(len(plan), rng, 0.02)
        records: list[Record] = []
        for person_id, (added, n) in zip(ids, dated, strict=True):
            company, slot, person, variant = plan[n]
            person.id = person_id if variant is None else person.id
            self.person_ids.setdefault((company.idx, slot), []).append(person_id)
            if variant is not None:
                company.extra.setdefault("person_twins", []).append(person_id)
            records.append(self._person(person_id, added, company, slot, person, variant))
        return records

    def _new_person(self, company: Company) -> Person:
        person = self.factory.person(company)
        company.people.append(person)
        return person

    def _person(
        self,
        person_id: int,
        added: datetime,
        company: Company,
        slot: int,
        person: Person,
        variant: str | None,
    ) -> Record:
        rng = self.rng
        missing = company.extra.get("missing_email_side") == "pipedrive" and person is company.people[0]
        emails = [] if missing else [{"value": person.email, "primary": True, "label": "work"}]
        phones = [
            {
                "value": person.phone,
                "primary": True,
                "label": "mobile" if person.phone[:2] == "07" else "work",
            }
        ]
        return {
            "id": person_id,
            "name": f"{person.first} {person.last}",
            "first_name": person.first,
            "last_name": person.last,
            "owner_id": company.owner,
            "org_id": company.org_ids[slot],
            "add_time": added,
            "update_time": self._later(added),
            "emails": emails,
            "phones": phones,
            "is_deleted": False,
            "visible_to": 3,
            "label_ids": [],
            "picture_id": None,
            "custom_fields": {self.fields.person_role: person.role if rng.random() < 0.7 else None},
        }

    # deals ---------------------------------------------------------------------------------------
    def deals(self, deals: list[Deal]) -> tuple[list[Record], list[Record]]:
        rng = self.rng
        dated = sorted((self._when(d.add), n) for n, d in enumerate(deals))
        ids, self.deal_gaps = sequential_ids(len(deals), rng)
        records: list[Record] = []
        products: list[Record] = []
        for deal_id, (added, n) in zip(ids, dated, strict=True):
            deal = deals[n]
            deal.id = deal_id
            records.append(self._deal(deal, added))
            products.extend(self._deal_products(deal, added, len(products)))
        return records, products

    def _deal(self, deal: Deal, added: datetime) -> Record:
        rng, company = self.rng, deal.company
        if deal.status != "won" and deal.lines and rng.random() < 0.15:
            deal.lines = []
            deal.value = Decimal(rng.randrange(500, 20000, 50))
        main = deal.lines[0].product.name if deal.lines else "Discovery workshop"
        deal.title = (
            f"{company.stem} - support retainer ({deal.months} months)"
            if deal.kind == "retainer"
            else f"{company.stem} - {main}"
        )
        slots = len(company.org_ids)
        deal.org_slot = rng.randrange(1, slots) if slots > 1 and rng.random() < 0.2 else 0
        people = self.person_ids.get((company.idx, deal.org_slot), ())
        deal.person_id = rng.choice(people) if people and rng.random() < 0.9 else None
        pipeline = 2 if deal.kind == "retainer" else 1
        stages = self.stages[pipeline]
        closed = self._when(deal.close) if deal.close else None
        if closed is not None and closed < added:
            closed = added
        stage = (
            stages[-1]
            if deal.status == "won"
            else rng.choice(stages[:-1] if deal.status == "open" else stages)
        )
        update = self._later(closed or added)
        return {
            "id": deal.id,
            "title": deal.title,
            "owner_id": company.owner,
            "person_id": deal.person_id,
            "org_id": company.org_ids[deal.org_slot],
            "pipeline_id": pipeline,
            "stage_id": stage["id"],
            "value": deal.value,
            "currency": company.currency,
            "add_time": added,
            "update_time": update,
            "stage_change_time": closed or self._later(added),
            "is_deleted": False,
            "is_archived": False,
            "status": deal.status,
            "probability": stage["deal_probability"] if deal.status == "open" else None,
            "lost_reason": rng.choice(LOST_REASONS) if deal.status == "lost" else None,
            "visible_to": 3,
            "close_time": closed,
            "won_time": closed if deal.status == "won" else None,
            "lost_time": closed if deal.status == "lost" else None,
            "expected_close_date": deal.expected,
            "label_ids": [],
            "origin": "ManuallyCreated",
            "origin_id": None,
            "channel": None,
            "channel_id": None,
            "source_lead_id": None,
            "arr": None,
            "mrr": None,
            "acv": None,
            "custom_fields": {self.fields.deal_vat: self._vat_treatment(deal)},
        }

    def _vat_treatment(self, deal: Deal) -> int | None:
        company, rng = deal.company, self.rng
        if deal.problem in ("zero_rated_domestic_sale", "exempt_domestic_sale") or not deal.lines:
            return None
        label = TREATMENT_LABEL.get(company.treatment) or TAX_LABEL.get(deal.lines[0].tax_type)
        if label is None or rng.random() < (0.3 if company.treatment != "standard" else 0.45):
            return None
        return self.fields.vat_option[label]

    def _deal_products(self, deal: Deal, added: datetime, first_id: int) -> list[Record]:
        out = []
        for n, line in enumerate(deal.lines, start=1):
            out.append(
                {
                    "id": first_id + n,
                    "sum": line.sum,
                    "tax": line.tax,
                    "deal_id": deal.id,
                    "name": line.product.name,
                    "product_id": self.product_ids[line.product.code],
                    "product_variation_id": None,
                    "order_nr": n,
                    "add_time": added,
                    "update_time": added,
                    "comments": (
                        f"{deal.months}-month agreement, invoiced monthly" if deal.kind == "retainer" else ""
                    ),
                    "currency": deal.company.currency,
                    "discount": line.discount,
                    "discount_type": "percentage",
                    "quantity": line.quantity,
                    "item_price": line.price,
                    "tax_method": deal.tax_method,
                    "is_enabled": True,
                    "billing_frequency": "one-time",
                    "billing_frequency_cycles": None,
                    "billing_start_date": None,
                }
            )
        return out
