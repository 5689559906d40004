"""What the demo company sells: one catalogue behind both the Xero items and the Pipedrive products.

Most codes exist on both sides; one product is Pipedrive-only and one item Xero-only (purchases), as in
a real client whose two systems were set up by different people.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    name: str
    description: str
    unit: str
    price: Decimal  # GBP, net of VAT
    account: str  # Xero sales account code
    tax_type: str  # Xero TaxType the item carries for a UK customer
    tax: Decimal  # Pipedrive product tax %
    kind: str  # service | goods | retainer | drc (construction services)
    sectors: tuple[str, ...] = ()  # who buys it; empty = everyone
    max_quantity: int = 10
    in_xero: bool = True
    in_pipedrive: bool = True
    is_purchased: bool = False


def _p(value: str) -> Decimal:
    return Decimal(value)


TWENTY, FIVE, ZERO = Decimal(20), Decimal(5), Decimal(0)
CONSTRUCTION = ("Construction",)
CATALOGUE = (
    Product(
        "CONS-DAY",
        "Consultancy (day rate)",
        "Senior consultant, per day on site or remote",
        "day",
        _p("750"),
        "200",
        "OUTPUT2",
        TWENTY,
        "service",
        max_quantity=15,
    ),
    Product(
        "WKSHP-HALF",
        "Workshop facilitation - half day",
        "Facilitated workshop, up to 12 delegates",
        "session",
        _p("950"),
        "200",
        "OUTPUT2",
        TWENTY,
        "service",
        max_quantity=4,
    ),
    Product(
        "WKSHP-FULL",
        "Workshop facilitation - full day",
        "Facilitated workshop, up to 20 delegates",
        "session",
        _p("1650"),
        "200",
        "OUTPUT2",
        TWENTY,
        "service",
        max_quantity=4,
    ),
    Product(
        "DESIGN-HR",
        "Design services (hourly)",
        "Workspace and process design, per hour",
        "hour",
        _p("85"),
        "200",
        "OUTPUT2",
        TWENTY,
        "service",
        max_quantity=40,
    ),
    Product(
        "TRAIN-SEAT",
        "Training course (per delegate)",
        "One-day practitioner course, per delegate",
        "delegate",
        _p("345"),
        "200",
        "OUTPUT2",
        TWENTY,
        "service",
        max_quantity=12,
    ),
    Product(
        "LIC-ANNUAL",
        "Workbench software licence (annual, per seat)",
        "Annual subscription per named user",
        "seat",
        _p("240"),
        "200",
        "OUTPUT2",
        TWENTY,
        "service",
        max_quantity=25,
    ),
    Product(
        "KIT-STD",
        "Workshop kit - standard",
        "Boxed facilitation kit: cards, boards, markers",
        "kit",
        _p("129"),
        "200",
        "OUTPUT2",
        TWENTY,
        "goods",
        max_quantity=10,
    ),
    Product(
        "KIT-PRO",
        "Workshop kit - professional",
        "Professional kit with magnetic wall system",
        "kit",
        _p("289"),
        "200",
        "OUTPUT2",
        TWENTY,
        "goods",
        max_quantity=6,
    ),
    Product(
        "MANUAL-PRT",
        "Printed training manual",
        "Bound course manual (printed matter, zero-rated)",
        "copy",
        _p("24"),
        "200",
        "ZERORATEDOUTPUT",
        ZERO,
        "goods",
        max_quantity=30,
    ),
    Product(
        "INSTALL-DAY",
        "Installation and fit-out (per day)",
        "Installation and fit-out crew, per day",
        "day",
        _p("480"),
        "200",
        "OUTPUT2",
        TWENTY,
        "drc",
        CONSTRUCTION,
        max_quantity=20,
    ),
    Product(
        "SURVEY",
        "Site survey",
        "Pre-installation site survey and report",
        "survey",
        _p("395"),
        "200",
        "OUTPUT2",
        TWENTY,
        "drc",
        CONSTRUCTION,
        max_quantity=2,
    ),
    Product(
        "ENERGY-INST",
        "Energy-saving materials installation (residential)",
        "Insulation and controls fitted in residential accommodation",
        "job",
        _p("220"),
        "200",
        "RROUTPUT",
        FIVE,
        "service",
        ("Charity",),
        max_quantity=10,
    ),
    Product(
        "SUP-RET",
        "Support retainer (monthly)",
        "Helpdesk and account management, per month",
        "month",
        _p("450"),
        "200",
        "OUTPUT2",
        TWENTY,
        "retainer",
        max_quantity=24,
    ),
    Product(
        "HOSTING-MTH",
        "Hosted workbench (monthly)",
        "Managed hosting of the workbench, per month",
        "month",
        _p("60"),
        "200",
        "OUTPUT2",
        TWENTY,
        "retainer",
        max_quantity=24,
    ),
    Product(
        "TRAVEL",
        "Travel and subsistence recharge",
        "Travel and subsistence at cost",
        "trip",
        _p("165"),
        "260",
        "OUTPUT2",
        TWENTY,
        "service",
        max_quantity=4,
        is_purchased=True,
    ),
    Product(
        "DEV-CUSTOM",
        "Custom development (hourly)",
        "Bespoke development, per hour",
        "hour",
        _p("95"),
        "200",
        "OUTPUT2",
        TWENTY,
        "service",
        max_quantity=60,
        in_xero=False,
    ),
    Product(
        "EXP-MILEAGE",
        "Mileage",
        "Business mileage at HMRC rate",
        "mile",
        _p("0.45"),
        "493",
        "NONE",
        ZERO,
        "service",
        max_quantity=1,
        in_pipedrive=False,
        is_purchased=True,
    ),
)
BY_CODE = {p.code: p for p in CATALOGUE}
RETAINERS = tuple(p for p in CATALOGUE if p.kind == "retainer")
SELLABLE = tuple(p for p in CATALOGUE if p.in_pipedrive and p.kind in ("service", "goods"))
DRC_PRODUCTS = tuple(p for p in CATALOGUE if p.kind == "drc")
STANDARD_SERVICES = tuple(p for p in SELLABLE if p.kind == "service" and p.tax == TWENTY and not p.sectors)
# Prices in the other currencies the client sells in (list prices of 50 or more are whole units).
FX_PRICE = {"GBP": Decimal(1), "EUR": Decimal("1.2"), "USD": Decimal("1.3")}


def price_in(product: Product, currency: str) -> Decimal:
    if currency == "GBP":
        return product.price
    return (product.price * FX_PRICE[currency]).quantize(
        Decimal(1) if product.price >= 50 else Decimal("0.01")
    )


def products_for(sector: str) -> tuple[Product, ...]:
    return tuple(p for p in SELLABLE if not p.sectors or sector in p.sectors)
