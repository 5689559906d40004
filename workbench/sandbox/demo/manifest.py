"""Turns the planted problems into manifest entries naming the rendered records (ids on both sides)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from workbench.sandbox.demo.dataset import PlantedProblem
from workbench.sandbox.demo.problems import PROBLEM_KINDS, ProblemLog
from workbench.sandbox.demo.world import Company, Deal
from workbench.sandbox.demo.xero_invoices import Spec, deal_reference

Ids = dict[str, list[str | int]]
# Company-level problems whose records include the company's invoices.
WITH_INVOICES = (
    "reverse_charge_customer",
    "standard_rated_eu_b2b_service",
    "mixed_line_amount_types",
    "overdue_customer_with_open_deal",
    "xero_contact_without_crm_org",
)


def links(companies: list[Company]) -> list[dict[str, str | int]]:
    """Every (Pipedrive organization, Xero contact) pair that is the same real company."""
    out: list[dict[str, str | int]] = []
    for company in companies:
        if company.role == "linked":
            for org_id in company.org_ids:
                for contact_id in company.contact_ids:
                    out.append({"pipedrive.organization": org_id, "xero.contact": contact_id})
    return out


def planted_problems(planted: dict[str, list[Any]], specs: list[Spec]) -> list[PlantedProblem]:
    wanted = {c.idx for kind in WITH_INVOICES for c in planted.get(kind, ())}
    by_company: dict[int, list[Spec]] = {}
    for spec in specs:
        if spec.company.idx in wanted and spec.doc["Type"] == "ACCREC":
            by_company.setdefault(spec.company.idx, []).append(spec)
    by_invoice = {s.doc["InvoiceID"]: s.doc for s in specs if s.deal is not None and s.deal.problem}
    log = ProblemLog()
    for kind in PROBLEM_KINDS:
        describe = DESCRIBE.get(kind)
        for subject in planted.get(kind, ()):
            if isinstance(subject, Deal):
                records, detail = _deal_problem(kind, subject, by_invoice)
            else:
                assert describe is not None
                records, detail = describe(subject, by_company.get(subject.idx, []))
            log.add(kind, records, detail)
    return log.problems


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _deal_problem(kind: str, deal: Deal, invoices: dict[str, dict[str, Any]]) -> tuple[Ids, str]:
    company = deal.company
    docs = [invoices[i] for i in deal.invoice_ids if i in invoices]
    records: Ids = {"pipedrive.deal": [deal.id]}
    if docs:
        records["xero.invoice"] = [d["InvoiceID"] for d in docs]
        records["xero.contact"] = sorted({d["Contact"]["ContactID"] for d in docs})
    value = deal.value
    if kind == "won_deal_not_invoiced":
        why = "" if company.role == "linked" else " (the organization has no Xero contact)"
        return records, f"won {deal.close}, no invoice references {deal_reference(deal.id)}{why}"
    if kind == "deal_invoiced_twice":
        numbers = " and ".join(d["InvoiceNumber"] for d in docs)
        return records, f"{deal_reference(deal.id)} is on {numbers}"
    total = docs[0]["Total"]
    if kind == "vat_total_is_deal_value_times_1_2":
        return (
            records,
            f"deal value {_money(value)} already includes VAT; invoice total {_money(total)} = value x 1.2",
        )
    if kind == "vat_total_is_deal_value_divided_by_1_2":
        return (
            records,
            f"deal value {_money(value)} includes VAT; invoice total {_money(total)} = value / 1.2",
        )
    if kind == "rounding_difference":
        return records, (
            f"deal value {_money(value)} is VAT on the total; Xero's per-line VAT gives {_money(total)}"
        )
    products = ", ".join(line.product.code for line in deal.lines)
    code = "ZERORATEDOUTPUT" if kind == "zero_rated_domestic_sale" else "EXEMPTOUTPUT"
    return records, f"UK customer, standard-rated {products} coded {code}"


def _org(company: Company) -> Ids:
    return {"pipedrive.organization": list(company.org_ids[:1])}


def _contact(company: Company) -> Ids:
    return {"xero.contact": list(company.contact_ids[:1])}


def _open_deals(company: Company) -> list[str | int]:
    return [d.id for d in company.deals if d.status == "open"]


def _duplicate_org(company: Company, _: list[Spec]) -> tuple[Ids, str]:
    names = " / ".join(repr(n) for n in company.extra.get("org_variant_names", []))
    kinds = "+".join(company.extra["org_variants"])
    base = company.stem if company.extra.get("crm_short_name") else company.name
    return {"pipedrive.organization": list(company.org_ids)}, f"{kinds}: {base!r} ~ {names}"


def _duplicate_contact(company: Company, _: list[Spec]) -> tuple[Ids, str]:
    names = " / ".join(repr(n) for n in company.extra.get("contact_variant_names", []))
    kinds = "+".join(company.extra["contact_variants"])
    return {"xero.contact": list(company.contact_ids)}, f"{kinds}: {company.name!r} ~ {names}"


def _duplicate_person(company: Company, _: list[Spec]) -> tuple[Ids, str]:
    person = company.people[0]
    twins = company.extra.get("person_twins", [])
    return {"pipedrive.person": [person.id, *twins]}, f"{company.extra['person_variant']}: {person.name!r}"


def _invalid_vat(company: Company, _: list[Spec]) -> tuple[Ids, str]:
    side = company.extra["invalid_vat_side"]
    records = _contact(company) if side == "xero" else _org(company)
    return records, f"{side} VAT number {company.extra['invalid_vat']!r}: {company.extra['invalid_reason']}"


def _sided(field: str) -> Callable[[Company, list[Spec]], tuple[Ids, str]]:
    def describe(company: Company, _: list[Spec]) -> tuple[Ids, str]:
        side = company.extra[f"{field}_side"]
        if side == "xero":
            return _contact(company), f"Xero contact {company.name!r} has no {field.split('_')[1]}"
        if field == "missing_email":
            return {
                "pipedrive.person": [company.people[0].id]
            }, f"person {company.people[0].name!r} has no email"
        return _org(company), f"organization {company.name!r} has no address"

    return describe


def _unlinked(company: Company, _: list[Spec]) -> tuple[Ids, str]:
    won: list[str | int] = [d.id for d in company.deals if d.status == "won"]
    return {
        **_org(company),
        "pipedrive.deal": won,
    }, f"{company.name!r} has won deals {won} but no Xero contact"


def _xero_only(company: Company, specs: list[Spec]) -> tuple[Ids, str]:
    return {**_contact(company), "xero.invoice": [s.doc["InvoiceID"] for s in specs]}, (
        f"{company.name!r} has {len(specs)} sales invoices but no Pipedrive organization"
    )


def _with_invoices(
    detail: str, only: Callable[[Spec], bool] = lambda s: True
) -> Callable[..., tuple[Ids, str]]:
    def describe(company: Company, specs: list[Spec]) -> tuple[Ids, str]:
        chosen = [s for s in specs if only(s)]
        records = {**_contact(company), **_org(company), "xero.invoice": [s.doc["InvoiceID"] for s in chosen]}
        return records, detail.format(name=company.name, n=len(chosen), country=company.country)

    return describe


def _mixed(company: Company, specs: list[Spec]) -> tuple[Ids, str]:
    kinds = [s.doc["LineAmountTypes"] for s in specs]
    records = {**_contact(company), "xero.invoice": [s.doc["InvoiceID"] for s in specs]}
    return records, (
        f"{company.name!r}: {kinds.count('Exclusive')} Exclusive and {kinds.count('Inclusive')} "
        "Inclusive invoices"
    )


def _archived(company: Company, _: list[Spec]) -> tuple[Ids, str]:
    open_ids = _open_deals(company)
    return {**_contact(company), **_org(company), "pipedrive.deal": open_ids}, (
        f"Xero contact archived while deals {open_ids} are open"
    )


def _overdue(company: Company, specs: list[Spec]) -> tuple[Ids, str]:
    late = [s.doc for s in specs if s.force_overdue]
    due = sum((d["AmountDue"] for d in late), Decimal(0))
    open_ids = _open_deals(company)
    records = {
        **_contact(company),
        **_org(company),
        "xero.invoice": [d["InvoiceID"] for d in late],
        "pipedrive.deal": open_ids,
    }
    return records, f"{len(late)} overdue invoice(s), {_money(due)} due, while deals {open_ids} are open"


def _orphan(company: Company, _: list[Spec]) -> tuple[Ids, str]:
    ids = company.extra.get("orphan_invoices", [])
    return {
        "xero.invoice": list(ids[-1:])
    }, "the invoice Reference names a Pipedrive deal that does not exist"


DESCRIBE: dict[str, Callable[[Company, list[Spec]], tuple[Ids, str]]] = {
    "duplicate_organization": _duplicate_org,
    "duplicate_contact": _duplicate_contact,
    "duplicate_person": _duplicate_person,
    "invalid_vat_number": _invalid_vat,
    "missing_email": _sided("missing_email"),
    "missing_address": _sided("missing_address"),
    "crm_org_without_xero_contact": _unlinked,
    "xero_contact_without_crm_org": _xero_only,
    "reverse_charge_customer": _with_invoices(
        "{name!r} is a construction (CIS) customer with a VAT number invoiced at OUTPUT2 on {n} invoices; "
        "the domestic reverse charge (DRCHARGE20) applies"
    ),
    "standard_rated_eu_b2b_service": _with_invoices(
        "{name!r} ({country}) is an EU business with a VAT number charged 20% VAT on services on {n} invoices"
    ),
    "mixed_line_amount_types": _mixed,
    "archived_contact_with_open_deal": _archived,
    "overdue_customer_with_open_deal": _overdue,
    "invoice_reference_without_deal": _orphan,
}
