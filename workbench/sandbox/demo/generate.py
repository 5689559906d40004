"""The deterministic demo client: a UK SMB's Xero tenant and Pipedrive company with planted problems.

The same seed, size and as_of always give identical data: every random choice comes from streams
derived from the seed (see `rng.derive`), never from global state, uuid4 or the clock.
"""

from __future__ import annotations

import dataclasses
import gc
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workbench.sandbox.demo import pipedrive_reference as pd_ref
from workbench.sandbox.demo import xero_reference as xero_ref
from workbench.sandbox.demo.dataset import DemoClient, Manifest, PipedriveCompany, Record, XeroTenant
from workbench.sandbox.demo.deal_plan import DealPlanner, LineBuilder, budget_for, choose_retainers
from workbench.sandbox.demo.manifest import links, planted_problems
from workbench.sandbox.demo.pipedrive_side import PipedriveRenderer
from workbench.sandbox.demo.planting import Planter, cluster_extras
from workbench.sandbox.demo.problems import target_counts
from workbench.sandbox.demo.rng import add_months, derive, guid
from workbench.sandbox.demo.vat_numbers import corrupt_gb
from workbench.sandbox.demo.world import Company, CompanyFactory, Deal, split_roles
from workbench.sandbox.demo.xero_contacts import XeroContactRenderer
from workbench.sandbox.demo.xero_invoices import InvoiceBuilder, Spec
from workbench.sandbox.demo.xero_ledger import Ledger

DEFAULT_AS_OF = date(2026, 11, 20)


@dataclass(frozen=True)
class DemoSize:
    """How big the demo client is; the default is a 300-customer UK SMB with two years of history."""

    organisations: int = 300
    people: int = 600
    deals: int = 1500
    xero_contacts: int = 400
    invoices: int = 3000
    months: int = 24

    @classmethod
    def scaled(cls, organisations: int) -> DemoSize:
        """A bigger client in proportion to its organisations: per organisation two people, two deals,
        four-thirds of a Xero contact and two invoices over the same two years."""
        n = max(20, organisations)
        return cls(organisations=n, people=2 * n, deals=2 * n, xero_contacts=(4 * n) // 3, invoices=2 * n)


def generate_demo_client(
    seed: int = 7, size: DemoSize = DemoSize(), as_of: date = DEFAULT_AS_OF
) -> DemoClient:
    """Generate the demo client for `seed` at `size`, with history ending at `as_of`."""
    collecting = gc.isenabled()
    gc.disable()  # millions of new dicts and no garbage: full collections would make this quadratic
    try:
        return _generate(seed, size, as_of)
    finally:
        if collecting:
            gc.enable()


def _generate(seed: int, size: DemoSize, as_of: date) -> DemoClient:
    counts = target_counts(size)
    start = add_months(as_of, -size.months)
    created = add_months(start, -30)

    ref_rng = derive(seed, "reference")
    fields = pd_ref.custom_fields(derive(seed, "fields"))
    users = pd_ref.users(ref_rng, created, as_of)
    owners = [u["id"] for n, u in enumerate(users) if n != 4]
    pipelines, stages = pd_ref.pipelines_and_stages(ref_rng, created)
    products = pd_ref.products(ref_rng, created, users[0]["id"], fields)
    tax_rates = xero_ref.tax_rates()
    effective = {r["TaxType"]: r["EffectiveRate"] for r in tax_rates}

    def rate_for(tax_type: str) -> Decimal:
        return effective.get(tax_type, Decimal(0))

    accounts = xero_ref.accounts(ref_rng, created)
    organisation = xero_ref.organisation(ref_rng, created)

    factory = CompanyFactory(derive(seed, "world"), as_of, start, owners)
    companies = _companies(factory, size, counts)
    planter = Planter(derive(seed, "problems"), as_of)
    planter.record_level(companies, counts)

    crm = [c for c in companies if c.in_crm]
    budget = budget_for(
        size.invoices,
        any(c.role == "xero_only" for c in companies),
        counts["deal_invoiced_twice"] + counts["invoice_reference_without_deal"],
    )
    deals = DealPlanner(derive(seed, "deals"), as_of, start).allocate(crm, size.deals, budget.deal_invoices)
    planter.company_level(companies, counts)
    planter.deal_level(deals, companies, counts)
    one_off = sum(1 for d in deals if d.status == "won" and d.problem != "won_deal_not_invoiced")
    choose_retainers(derive(seed, "retainers"), deals, budget.deal_invoices - one_off, as_of)
    lines = LineBuilder(derive(seed, "lines"))
    for deal in deals:
        lines.build(deal)
    _present(companies, derive(seed, "present"))

    renderer = PipedriveRenderer(
        derive(seed, "pipedrive"), as_of, fields, stages, {p["code"]: p["id"] for p in products}, factory
    )
    organizations = renderer.organizations(crm)
    persons = renderer.persons(crm, size.people)
    deal_records, deal_products = renderer.deals(deals)

    in_xero = [c for c in companies if c.in_xero]
    contacts = XeroContactRenderer(derive(seed, "xero-contacts"), as_of, factory.companies.taken).contacts(
        in_xero
    )
    builder = InvoiceBuilder(derive(seed, "invoices"), as_of, start, rate_for)
    _invoice(
        builder,
        deals,
        companies,
        budget.voided,
        budget.deleted,
        renderer.deal_gaps,
        budget.xero_only,
        size.invoices,
        planter.planted.get("invoice_reference_without_deal", []),
    )
    ledger = Ledger(derive(seed, "ledger"), as_of, accounts[0], rate_for)
    specs = builder.specs
    invoices = ledger.settle(specs)
    _customer_flags(contacts, invoices, ledger.credit_notes)

    xero = XeroTenant(
        tenant_id=guid(ref_rng),
        tenant_name=organisation["Name"],
        organisation=organisation,
        contacts=contacts,
        invoices=invoices,
        credit_notes=ledger.credit_notes,
        payments=ledger.payments,
        tax_rates=tax_rates,
        accounts=accounts,
        items=xero_ref.items(ref_rng, created),
        currencies=xero_ref.currencies(),
    )
    definitions = pd_ref.field_definitions(fields)
    pipedrive = PipedriveCompany(
        company_id=ref_rng.randrange(1_000_000, 10_000_000),
        company_domain=pd_ref.COMPANY_DOMAIN,
        users=users,
        pipelines=pipelines,
        stages=stages,
        organizations=organizations,
        persons=persons,
        products=products,
        deals=deal_records,
        deal_products=deal_products,
        deal_fields=definitions["deal"],
        organization_fields=definitions["organization"],
        person_fields=definitions["person"],
        product_fields=definitions["product"],
        currencies=pd_ref.currencies(),
    )
    manifest = Manifest(
        seed=seed,
        params=dataclasses.asdict(size),
        as_of=as_of,
        counts=record_counts(xero, pipedrive),
        problems=planted_problems(planter.planted, specs),
        links=links(companies),
    )
    for company in companies:  # the plan's company <-> deal cycles would otherwise wait for the collector
        company.deals.clear()
    return DemoClient(xero=xero, pipedrive=pipedrive, manifest=manifest)


def record_counts(xero: XeroTenant, pipedrive: PipedriveCompany) -> dict[str, int]:
    """len() of every list in both systems, keyed 'xero.invoices', 'pipedrive.deals', ..."""
    counts = {}
    for system, data in (("xero", xero), ("pipedrive", pipedrive)):
        for spec in dataclasses.fields(data):
            value = getattr(data, spec.name)
            if isinstance(value, list):
                counts[f"{system}.{spec.name}"] = len(value)
    return counts


def _companies(factory: CompanyFactory, size: DemoSize, counts: dict[str, int]) -> list[Company]:
    rng = factory.rng
    base_crm = max(3, size.organisations - cluster_extras(counts["duplicate_organization"], 5))
    contacts = max(3, size.xero_contacts - cluster_extras(counts["duplicate_contact"], 6))
    roles = split_roles(
        base_crm, contacts, counts["crm_org_without_xero_contact"], counts["xero_contact_without_crm_org"]
    )
    crm_roles = ["linked"] * roles.linked + ["unlinked"] * roles.unlinked + ["prospect"] * roles.prospects
    rng.shuffle(crm_roles)
    all_roles = crm_roles + ["xero_only"] * roles.xero_only + ["supplier"] * roles.suppliers
    companies = [factory.make(idx, role) for idx, role in enumerate(all_roles)]
    for company in companies:
        company.people.append(factory.person(company))
    return companies


def _present(companies: list[Company], rng: random.Random) -> None:
    """How each company shows up in each system: where its VAT number is typed, payment terms, ids."""
    for company in companies:
        extra = company.extra
        extra["terms"] = 30 if rng.random() < 0.7 else rng.choice((14, 14, 60))
        if company.overdue or company.problem == "overdue_customer_with_open_deal":
            extra["terms"] = 30
        extra["xero_email_is_person"] = rng.random() < 0.6
        if company.vat:
            extra["vat_in_xero"] = company.treatment in ("drc", "eu") or rng.random() < 0.75
            extra["vat_in_crm"] = rng.random() < 0.5
            if "shared_vat_number" in extra.get("org_variants", ()):
                extra["vat_in_crm"] = True
            if "shared_vat_number" in extra.get("contact_variants", ()):
                extra["vat_in_xero"] = True
        if company.problem == "invalid_vat_number" and company.vat:
            extra["invalid_vat"], extra["invalid_reason"] = corrupt_gb(company.vat, rng)
            extra["vat_in_xero" if extra["invalid_vat_side"] == "xero" else "vat_in_crm"] = True
        extra["xero_id_in_crm"] = company.role == "linked" and rng.random() < 0.8
        extra["crm_short_name"] = bool(company.form) and rng.random() < 0.3
        if company.in_xero:
            company.contact_ids = [guid(rng) for _ in range(1 + len(extra.get("contact_variants", ())))]


def _invoice(
    builder: InvoiceBuilder,
    deals: list[Deal],
    companies: list[Company],
    voided: int,
    deleted: int,
    gaps: list[int],
    xero_only: int,
    total: int,
    orphan_hosts: list[Company],
) -> None:
    rng = builder.rng
    for deal in sorted(deals, key=lambda d: d.id):
        if deal.status == "won" and deal.company.role == "linked":
            deal.invoice_ids = [s.doc["InvoiceID"] for s in builder.for_deal(deal)]
    clean = [
        d
        for d in deals
        if d.status == "won"
        and d.kind == "oneoff"
        and d.problem is None
        and d.company.role == "linked"
        and d.company.problem is None
    ]
    clean.sort(key=lambda d: d.id)
    for n, deal in enumerate(rng.sample(clean, min(len(clean), voided + deleted))):
        spec = builder.cancelled(deal, "VOIDED" if n < voided else "DELETED")
        deal.invoice_ids.append(spec.doc["InvoiceID"])
    spare = sorted(rng.sample(gaps, min(len(gaps), len(orphan_hosts))))
    top = max((d.id for d in deals), default=0)
    for n, company in enumerate(orphan_hosts):
        ref_id = spare[n] if n < len(spare) else top + 7 + 3 * n
        spec = builder.loose(company, "orphan", f"PD-{ref_id}")
        company.extra.setdefault("orphan_invoices", []).append(spec.doc["InvoiceID"])
    outsiders = [c for c in companies if c.role == "xero_only"]
    if outsiders:
        picks = outsiders + rng.choices(outsiders, k=max(0, xero_only - len(outsiders)))
        for company in picks:
            reference = f"PO-{rng.randint(10000, 99999)}" if rng.random() < 0.5 else ""
            builder.loose(company, "xero_only", reference)
    suppliers = [c for c in companies if c.role == "supplier"]
    bills = total - len(builder.specs)
    if suppliers and bills > 0:
        picks = suppliers[:bills] + rng.choices(suppliers, k=max(0, bills - len(suppliers)))
        for company in picks:
            builder.bill(company)
    _force_overdue(builder.specs, builder.as_of)


def _force_overdue(specs: list[Spec], as_of: date) -> None:
    """Leave the latest one or two past-due invoices of each overdue customer unpaid."""
    by_company: dict[int, list[Spec]] = {}
    for spec in specs:
        company = spec.company
        if (
            (company.overdue or company.problem == "overdue_customer_with_open_deal")
            and spec.kind in ("deal", "instalment")
            and spec.doc["DueDate"] < as_of
        ):
            by_company.setdefault(company.idx, []).append(spec)
    for chosen in by_company.values():
        chosen.sort(key=lambda s: s.doc["Date"], reverse=True)
        for spec in chosen[: 1 + (len(chosen) > 2)]:
            spec.force_overdue = True


def _customer_flags(contacts: list[Record], invoices: list[Record], notes: list[Record]) -> None:
    customers: set[str] = set()
    suppliers: set[str] = set()
    for doc in invoices:
        (suppliers if doc["Type"] == "ACCPAY" else customers).add(doc["Contact"]["ContactID"])
    for note in notes:
        customers.add(note["Contact"]["ContactID"])
    for contact in contacts:
        contact["IsCustomer"] = contact["ContactID"] in customers
        contact["IsSupplier"] = contact["ContactID"] in suppliers
