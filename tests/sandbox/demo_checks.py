"""Independent readings of the demo client for its tests: name canonicalisation, GB VAT check, indexes.

Deliberately not imported from the generator, so a misunderstanding there cannot hide in both.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workbench.sandbox.demo.dataset import DemoClient

LEGAL_FORMS = (
    "public limited company",
    "limited liability partnership",
    "designated activity company",
    "limited",
    "ltd",
    "plc",
    "llp",
    "gmbh",
    "sas",
    "sarl",
    "bv",
    "inc",
    "incorporated",
    "llc",
    "dac",
)
REFERENCE = re.compile(r"^PD-(\d+)(?:/(\d+))?$")
NICKNAMES = {
    "bob": "robert",
    "bill": "william",
    "dick": "richard",
    "liz": "elizabeth",
    "kate": "katherine",
    "maggie": "margaret",
    "mike": "michael",
    "chris": "christopher",
    "alex": "alexander",
    "dan": "daniel",
    "matt": "matthew",
    "tony": "anthony",
    "ben": "benjamin",
    "sam": "samuel",
    "joe": "joseph",
    "ed": "edward",
    "tom": "thomas",
    "jen": "jennifer",
    "becky": "rebecca",
    "vicky": "victoria",
    "abby": "abigail",
    "steve": "stephen",
    "andy": "andrew",
    "nicky": "nicola",
    "zach": "zachary",
}


def canonical(name: str) -> str:
    """Company name folded the way a matcher would: case, punctuation, '&', 'The', legal form."""
    text = name.casefold().replace("&", " and ")
    text = re.sub(r"[.,'()]", "", text)
    text = re.sub(r"[-/]", " ", text)
    text = " ".join(text.split())
    if text.startswith("the "):
        text = text[4:]
    changed = True
    while changed:
        changed = False
        for form in LEGAL_FORMS:
            if text.endswith(" " + form):
                text, changed = text[: -len(form) - 1], True
    return text


def trading_parts(name: str) -> list[str]:
    """A 't/a' name's legal and trading parts, canonicalised; else the one canonical name."""
    if " t/a " in name:
        return [canonical(part) for part in name.split(" t/a ")]
    return [canonical(name)]


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def gb_vat_ok(value: str) -> bool:
    """HMRC's check: weights 8..2 on the first seven digits plus the last two as a number, 0 or 42 mod 97."""
    digits = re.sub(r"[\s.\-]", "", value).upper().removeprefix("GB")
    if not re.fullmatch(r"\d{9}(\d{3})?", digits):
        return False
    total = sum(w * int(d) for w, d in zip(range(8, 1, -1), digits[:7], strict=True)) + int(digits[7:9])
    return total % 97 in (0, 42)


def round2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def deal_id_of(reference: str) -> int | None:
    match = REFERENCE.match(reference or "")
    return int(match.group(1)) if match else None


class Index:
    """Every record of a demo client by id, plus the lookups the checks need."""

    def __init__(self, client: DemoClient) -> None:
        x, p = client.xero, client.pipedrive
        self.client = client
        self.as_of = client.manifest.as_of
        self.contacts = {c["ContactID"]: c for c in x.contacts}
        self.invoices = {i["InvoiceID"]: i for i in x.invoices}
        self.orgs = {o["id"]: o for o in p.organizations}
        self.persons = {r["id"]: r for r in p.persons}
        self.deals = {d["id"]: d for d in p.deals}
        self.field = {f["field_name"]: f["field_code"] for f in p.organization_fields}
        self.deal_field = {f["field_name"]: f for f in p.deal_fields}
        self.problems: dict[str, list[Any]] = defaultdict(list)
        for problem in client.manifest.problems:
            self.problems[problem.kind].append(problem)
        self.invoices_by_contact: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.invoices_by_deal: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for invoice in x.invoices:
            self.invoices_by_contact[invoice["Contact"]["ContactID"]].append(invoice)
            deal_id = deal_id_of(invoice.get("Reference", ""))
            if invoice["Type"] == "ACCREC" and deal_id is not None:
                self.invoices_by_deal[deal_id].append(invoice)
        self.deals_by_org: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for deal in p.deals:
            self.deals_by_org[deal["org_id"]].append(deal)
        self.orgs_of_contact: dict[str, set[int]] = defaultdict(set)
        for link in client.manifest.links:
            self.orgs_of_contact[str(link["xero.contact"])].add(int(link["pipedrive.organization"]))

    def planted(self, kind: str, entity: str) -> set[Any]:
        return {i for problem in self.problems[kind] for i in problem.records.get(entity, [])}

    def org_vat(self, org: dict[str, Any]) -> str | None:
        return org["custom_fields"].get(self.field["VAT number"])

    def org_xero_id(self, org: dict[str, Any]) -> str | None:
        return org["custom_fields"].get(self.field["Xero contact ID"])

    def live(self, invoice: dict[str, Any]) -> bool:
        return invoice["Status"] not in ("VOIDED", "DELETED")
