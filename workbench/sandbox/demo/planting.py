"""Where each problem goes: chooses the companies and deals that carry them, before anything is rendered.

A company carries at most one company-level problem, so every planted condition is unambiguous; the
deal-level problems sit on clean (or only record-level) customers, one problem per deal.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from workbench.sandbox.demo.problems import pick
from workbench.sandbox.demo.variants import CONTACT_VARIANTS, ORG_VARIANTS, PERSON_VARIANTS, applicable
from workbench.sandbox.demo.world import CRM_ROLES, Company, Deal

# Problems that live in single records (names, fields) and leave the money alone.
RECORD_LEVEL = frozenset(
    {
        "duplicate_organization",
        "duplicate_contact",
        "duplicate_person",
        "invalid_vat_number",
        "missing_email",
        "missing_address",
    }
)

# Record-level problems a company may carry as well as a deal-level one (a missing address would hide
# that a mis-coded customer is in the UK).
DEAL_HOSTS = RECORD_LEVEL - {"missing_address"}


def cluster_extras(clusters: int, every: int) -> int:
    """Extra records of `clusters` duplicate clusters where every `every`-th one is a triple."""
    return clusters + clusters // every


class Planter:
    """Marks companies and deals with the problems they carry; `planted` lists them per kind."""

    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.planted: dict[str, list[Any]] = defaultdict(list)

    def _mark(self, kind: str, companies: list[Company]) -> list[Company]:
        for company in companies:
            company.problem = kind
            self.planted[kind].append(company)
        return companies

    def _free(self, company: Company) -> bool:
        return company.problem is None

    def _free_and(self, rule: Callable[[Company], bool]) -> Callable[[Company], bool]:
        return lambda company: company.problem is None and rule(company)

    # record-level, before deals ----------------------------------------------------------------
    def record_level(self, companies: list[Company], counts: dict[str, int]) -> None:
        rng = self.rng
        self._mark("crm_org_without_xero_contact", [c for c in companies if c.role == "unlinked"])
        self._mark("xero_contact_without_crm_org", [c for c in companies if c.role == "xero_only"])
        crm = [c for c in companies if c.in_crm]
        for n, company in enumerate(
            self._mark("duplicate_organization", pick(rng, crm, counts["duplicate_organization"], self._free))
        ):
            kinds = self._variant_kinds(company, ORG_VARIANTS, 2 if n % 5 == 4 else 1)
            company.extra["org_variants"] = kinds
        contactable = [c for c in companies if c.role in ("linked", "xero_only")]
        for n, company in enumerate(
            self._mark("duplicate_contact", pick(rng, contactable, counts["duplicate_contact"], self._free))
        ):
            company.extra["contact_variants"] = self._variant_kinds(
                company, CONTACT_VARIANTS, 2 if n % 6 == 5 else 1
            )
        for company in self._mark("duplicate_person", pick(rng, crm, counts["duplicate_person"], self._free)):
            company.extra["person_variant"] = rng.choice(PERSON_VARIANTS)
        gb_vat = [c for c in companies if c.country == "GB" and c.vat and c.role != "supplier"]
        for company in self._mark(
            "invalid_vat_number", pick(rng, gb_vat, counts["invalid_vat_number"], self._free)
        ):
            side = "xero" if company.role in ("linked", "xero_only") else "pipedrive"
            if company.role == "linked" and rng.random() < 0.5:
                side = "pipedrive"
            company.extra["invalid_vat_side"] = side
        for kind in ("missing_email", "missing_address"):
            sided = [c for c in companies if c.role != "unlinked"]
            for company in self._mark(kind, pick(rng, sided, counts[kind], self._free)):
                side = "xero" if company.in_xero else "pipedrive"
                if company.role == "linked" and rng.random() < 0.5:
                    side = "pipedrive"
                company.extra[f"{kind}_side"] = side

    def _variant_kinds(self, company: Company, kinds: tuple[str, ...], how_many: int) -> list[str]:
        usable = [k for k in kinds if applicable(k, company)]
        return self.rng.sample(usable, min(how_many, len(usable)))

    # company-level, after deals ----------------------------------------------------------------
    def company_level(self, companies: list[Company], counts: dict[str, int]) -> None:
        rng, as_of = self.rng, self.as_of
        linked = [c for c in companies if c.role == "linked"]
        late = as_of - timedelta(days=80)

        def has_open(c: Company) -> bool:
            return any(d.status == "open" for d in c.deals)

        def has_due(c: Company) -> bool:
            return any(d.status == "won" and d.close is not None and d.close <= late for d in c.deals)

        def won(c: Company) -> int:
            return sum(1 for d in c.deals if d.status == "won")

        rules = {
            "reverse_charge_customer": lambda c: c.treatment == "drc",
            "standard_rated_eu_b2b_service": lambda c: c.treatment == "eu" and c.vat is not None,
            "mixed_line_amount_types": lambda c: c.treatment == "standard" and won(c) >= 3,
            "archived_contact_with_open_deal": has_open,
            "overdue_customer_with_open_deal": lambda c: has_open(c) and has_due(c),
        }
        for kind, rule in rules.items():
            self._mark(kind, pick(rng, linked, counts[kind], self._free_and(rule)))
        clean = max(1, round(0.04 * len(linked)))
        for company in pick(rng, linked, clean, lambda c: self._free(c) and not has_open(c) and has_due(c)):
            company.overdue = True
        old = as_of - timedelta(days=400)
        for company in pick(
            rng,
            linked,
            clean,
            lambda c: (
                self._free(c)
                and not has_open(c)
                and not c.overdue
                and all(d.close is not None and d.close <= old for d in c.deals if d.status == "won")
            ),
        ):
            company.archived = True

    # deal-level --------------------------------------------------------------------------------
    def deal_level(self, deals: list[Deal], companies: list[Company], counts: dict[str, int]) -> None:
        rng, as_of = self.rng, self.as_of
        for company in self.planted["crm_org_without_xero_contact"]:
            for deal in company.deals:
                if deal.status == "won":
                    deal.problem = "won_deal_not_invoiced"
                    self.planted["won_deal_not_invoiced"].append(deal)

        def eligible(d: Deal) -> bool:
            c = d.company
            return (
                d.problem is None
                and d.status == "won"
                and d.kind == "oneoff"
                and c.role == "linked"
                and c.treatment == "standard"
                and not c.archived
                and (c.problem is None or c.problem in DEAL_HOSTS)
            )

        won = [d for d in deals if eligible(d)]
        extra_rules = {
            "vat_total_is_deal_value_times_1_2": lambda d: d.company.basis == "exclusive",
            "vat_total_is_deal_value_divided_by_1_2": lambda d: d.company.basis == "inclusive",
            "rounding_difference": lambda d: d.company.basis == "exclusive",
            "zero_rated_domestic_sale": lambda d: True,
            "exempt_domestic_sale": lambda d: True,
            "won_deal_not_invoiced": lambda d: d.close is not None and d.close <= as_of - timedelta(days=14),
            "deal_invoiced_twice": lambda d: d.close is not None and d.close <= as_of - timedelta(days=30),
        }
        for kind, deal_rule in extra_rules.items():
            wanted = counts[kind] - len(self.planted[kind])
            for deal in pick(rng, won, wanted, _both(eligible, deal_rule)):
                deal.problem = kind
                self.planted[kind].append(deal)
        hosts = [
            c
            for c in companies
            if c.role == "linked"
            and c.treatment == "standard"
            and not c.archived
            and (c.problem is None or c.problem in DEAL_HOSTS)
        ]
        for company in pick(rng, hosts, counts["invoice_reference_without_deal"]):
            self.planted["invoice_reference_without_deal"].append(company)


def _both(first: Callable[[Deal], bool], second: Callable[[Deal], bool]) -> Callable[[Deal], bool]:
    return lambda deal: first(deal) and second(deal)


def crm_companies(companies: list[Company]) -> list[Company]:
    return [c for c in companies if c.role in CRM_ROLES]
