"""Deals: who gets how many, when they open and close, what they contain, and which carry problems.

Every won deal is invoiced (one invoice, or one per month for a support retainer) unless a problem says
otherwise; retainers are how the client's invoice volume exceeds its deal volume.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from workbench.sandbox.demo.catalogue import (
    DRC_PRODUCTS,
    RETAINERS,
    STANDARD_SERVICES,
    Product,
    price_in,
    products_for,
)
from workbench.sandbox.demo.rng import add_months
from workbench.sandbox.demo.world import CUSTOMER_ROLES, Company, Deal, Line
from workbench.sandbox.xero.totals import round2

HUNDRED = Decimal(100)
VAT_20 = Decimal("1.2")
DISCOUNTS = (Decimal(5), Decimal(10), Decimal("12.5"), Decimal(15))
ODD_DISCOUNTS = (Decimal("2.5"), Decimal("7.5"), Decimal("12.5"), Decimal("17.5"))


@dataclass
class Budget:
    """Where the client's invoices come from; `deal_invoices` is what won deals must fill."""

    invoices: int
    bills: int
    xero_only: int
    voided: int
    deleted: int
    extras: int

    @property
    def deal_invoices(self) -> int:
        return max(0, self.invoices - self.bills - self.xero_only - self.voided - self.deleted - self.extras)


def budget_for(invoices: int, has_xero_only: bool, extras: int) -> Budget:
    return Budget(
        invoices=invoices,
        bills=round(0.08 * invoices),
        xero_only=round(0.06 * invoices) if has_xero_only else 0,
        voided=round(0.008 * invoices),
        deleted=round(0.003 * invoices),
        extras=extras,
    )


class DealPlanner:
    """Allocates deals to companies and dates them inside the client's history window."""

    def __init__(self, rng: random.Random, as_of: date, start: date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.start = start
        self.window = max(30, (as_of - start).days)

    def _won(self, company: Company, guaranteed: bool) -> Deal:
        rng = self.rng
        if company.role == "unlinked":
            close = self.as_of - timedelta(days=rng.randint(15, 75))
        else:
            close = self.start + timedelta(days=rng.randrange(self.window))
        add = close - timedelta(days=rng.randint(10, 150))
        return Deal(company, "won", add, close, close + timedelta(days=rng.randint(-20, 20)), guaranteed)

    def _lost(self, company: Company) -> Deal:
        rng = self.rng
        close = self.start + timedelta(days=rng.randrange(-60, self.window))
        add = close - timedelta(days=rng.randint(10, 120))
        return Deal(company, "lost", add, close, close + timedelta(days=rng.randint(-20, 30)))

    def _open(self, company: Company) -> Deal:
        add = self.as_of - timedelta(days=self.rng.randint(1, 240))
        return Deal(company, "open", add, None, add + timedelta(days=self.rng.randint(20, 160)))

    def make(self, company: Company, status: str, guaranteed: bool = False) -> Deal:
        if status == "won":
            deal = self._won(company, guaranteed)
        else:
            deal = self._lost(company) if status == "lost" else self._open(company)
        company.deals.append(deal)
        return deal

    def allocate(self, crm: list[Company], total: int, won_cap: int) -> list[Deal]:
        """Exactly `total` deals (when there are companies): one won per customer, one per prospect, the
        rest spread with customers three times as likely; at most `won_cap` won (beyond the guaranteed)."""
        rng = self.rng
        deals: list[Deal] = []
        customers = [c for c in crm if c.role in CUSTOMER_ROLES]
        prospects = [c for c in crm if c.role == "prospect"]
        for company in customers[:total]:
            deals.append(self.make(company, "won", guaranteed=True))
        for company in prospects[: max(0, total - len(deals))]:
            deals.append(self.make(company, "open" if rng.random() < 0.5 else "lost"))
        extra = total - len(deals)
        if extra > 0 and crm:
            cumulative, running = [], 0
            for company in crm:
                running += 3 if company.role == "linked" else 1
                cumulative.append(running)
            won = sum(1 for d in deals if d.status == "won")
            for company in rng.choices(crm, cum_weights=cumulative, k=extra):
                roll = rng.random()
                if company.role == "linked" and roll < 0.45 and won < won_cap:
                    status = "won"
                    won += 1
                elif company.role == "prospect":
                    status = "open" if roll < 0.5 else "lost"
                else:
                    status = "lost" if roll < 0.72 else "open"
                deals.append(self.make(company, status))
        for company in crm:
            if company.deals:
                first = min(d.add for d in company.deals)
                company.added = min(company.added, first - timedelta(days=rng.randint(0, 60)))
        return deals


def instalment_dates(deal: Deal, as_of: date) -> list[date]:
    """Invoice dates of a retainer: monthly from the won date, up to as_of."""
    assert deal.close is not None
    out = []
    for month in range(deal.months):
        day = add_months(deal.close, month)
        if day > as_of:
            break
        out.append(day)
    return out


def choose_retainers(rng: random.Random, deals: list[Deal], needed: int, as_of: date) -> int:
    """Turn the oldest eligible won deals into monthly retainers until `needed` extra invoices exist."""
    candidates = [
        d
        for d in deals
        if d.status == "won"
        and d.kind == "oneoff"
        and d.problem is None
        and d.company.role == "linked"
        and d.company.problem is None
        and d.company.treatment != "drc"
    ]
    candidates.sort(key=lambda d: (d.close, d.company.idx))
    added = 0
    for deal in candidates:
        if added >= needed:
            break
        deal.kind = "retainer"
        deal.months = 12 if rng.random() < 0.7 else 24
        count = len(instalment_dates(deal, as_of))
        if count - 1 > needed - added:
            deal.months = needed - added + 1
            count = len(instalment_dates(deal, as_of))
        added += count - 1
    return added


def _amount(line: Line) -> Decimal:
    """Quantity x price less the discount, rounded as Xero rounds a line (see totals.line_amount)."""
    if not line.discount:
        return round2(line.quantity * line.price)
    return round2(line.quantity * line.price * (HUNDRED - line.discount) / HUNDRED)


def line_sum(line: Line, tax_method: str) -> Decimal:
    """Pipedrive's per-line sum: the line net of discount, plus its tax when prices exclude tax."""
    amount = _amount(line)
    if tax_method == "exclusive":
        return amount + round2(amount * line.tax / HUNDRED)
    return amount


class LineBuilder:
    """Deal lines from the catalogue, honouring the company's VAT treatment and the deal's problem."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def build(self, deal: Deal) -> None:
        company, rng = deal.company, self.rng
        deal.tax_method = {"exclusive": "exclusive", "inclusive": "inclusive", "none": "none"}[company.basis]
        if company.problem == "mixed_line_amount_types" and deal.status == "won":
            deal.tax_method = "inclusive" if company.extra.setdefault("flip", 0) % 2 else "exclusive"
            company.extra["flip"] += 1
        if deal.problem == "rounding_difference":
            self._rounding(deal)
            return
        if deal.kind == "retainer":
            product = RETAINERS[0] if rng.random() < 0.7 else RETAINERS[1]
            deal.lines = [self._line(deal, product, deal.months, Decimal(0))]
        else:
            pool = self._pool(deal)
            count = min(len(pool), rng.choice((1, 1, 1, 2, 2, 3, 4)))
            deal.lines = []
            for product in rng.sample(pool, count):
                quantity = rng.randint(1, max(1, product.max_quantity // (3 if rng.random() < 0.7 else 1)))
                discount = rng.choice(DISCOUNTS) if rng.random() < 0.15 else Decimal(0)
                deal.lines.append(self._line(deal, product, quantity, discount))
        value = Decimal("0.00")
        for line in deal.lines:
            line.sum = line_sum(line, deal.tax_method)
            value += line.sum
        deal.value = value

    def _pool(self, deal: Deal) -> tuple[Product, ...]:
        company = deal.company
        if deal.problem in ("zero_rated_domestic_sale", "exempt_domestic_sale"):
            return STANDARD_SERVICES
        if company.problem == "standard_rated_eu_b2b_service":
            return STANDARD_SERVICES
        if company.treatment == "drc":
            return DRC_PRODUCTS
        return products_for(company.sector)

    def _line(self, deal: Deal, product: Product, quantity: int, discount: Decimal) -> Line:
        company = deal.company
        tax, tax_type = product.tax, product.tax_type
        if company.treatment == "drc":
            tax, tax_type = Decimal(0), "DRCHARGE20"
            if company.problem == "reverse_charge_customer":
                tax, tax_type = Decimal(20), "OUTPUT2"
        elif company.treatment == "eu":
            tax, tax_type = Decimal(0), "ZERORATEDOUTPUT"
            if company.problem == "standard_rated_eu_b2b_service":
                tax, tax_type = Decimal(20), "OUTPUT2"
        elif company.treatment == "export":
            tax, tax_type = Decimal(0), "NONE"
        if deal.problem == "zero_rated_domestic_sale":
            tax, tax_type = Decimal(0), "ZERORATEDOUTPUT"
        elif deal.problem == "exempt_domestic_sale":
            tax, tax_type = Decimal(0), "EXEMPTOUTPUT"
        price = price_in(product, company.currency)
        if deal.tax_method == "inclusive":
            price = round2(price * (HUNDRED + tax) / HUNDRED)
        return Line(product, quantity, price, discount, tax, tax_type)

    def _rounding(self, deal: Deal) -> None:
        """Three lines at negotiated prices whose VAT, rounded per line, is a penny off VAT on the total."""
        rng = self.rng
        deal.tax_method = "exclusive"
        for _ in range(200):
            lines = []
            for product in rng.sample(STANDARD_SERVICES, 3):
                price = round2(price_in(product, "GBP") * Decimal(rng.randint(850, 990)) / 1000)
                lines.append(
                    Line(product, rng.randint(1, 3), price, rng.choice(ODD_DISCOUNTS), Decimal(20), "OUTPUT2")
                )
            net = sum((_amount(line) for line in lines), Decimal(0))
            for line in lines:
                line.sum = line_sum(line, "exclusive")
            per_line = sum((line.sum for line in lines), Decimal(0))
            on_total = round2(net * VAT_20)
            if abs(per_line - on_total) == Decimal("0.01"):
                deal.lines, deal.value = lines, on_total
                return
        raise RuntimeError("no penny rounding difference found")  # pragma: no cover - 200 tries suffice
