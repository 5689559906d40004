from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.plan.factories import tiny_engagement, tiny_tables
from workbench.excel.diff import PlanChange, diff_plans
from workbench.plan.defaults import propose_plan
from workbench.plan.model import Direction, Plan, SignOff


def _plan(tmp_path: Path) -> Plan:
    with tiny_engagement(tmp_path / "engagements") as engagement:
        return propose_plan(tiny_tables(engagement))


def test_changes_are_listed_per_cell_and_per_row_in_the_workbooks_words(tmp_path: Path) -> None:
    old = _plan(tmp_path)
    fields = list(old.fields)
    fields[1] = fields[1].model_copy(update={"direction": Direction.TWO_WAY, "notes": "both ways"})
    removed = fields.pop(2)
    new = old.model_copy(
        update={
            "fields": tuple(fields),
            "deal_invoice": old.deal_invoice.model_copy(update={"due_days": 14}),
            "sign_off": (
                *old.sign_off,
                SignOff(id="S04", role="Director", name="Al", signed_on=date(2026, 12, 1)),
            ),
        }
    )
    changes = diff_plans(old, new)
    address = f"Field mapping {fields[1].id} (Address → Contact.Addresses[STREET])"
    assert [str(c) for c in changes] == [
        f"{address}: Direction 'CRM → Xero' → 'Two-way'",
        f"{address}: Notes (blank) → 'both ways'",
        f"Field mapping {removed.id} (Email → Contact.EmailAddress): row removed",
        "Sign-off S04 (Director): row added",
        "Deal to invoice due_days: Days until due 30 → 14",
    ]
    assert diff_plans(old, old) == []


def test_evidence_we_wrote_is_not_a_client_change(tmp_path: Path) -> None:
    old = _plan(tmp_path)
    rules = (old.tax_rules[0].model_copy(update={"evidence": "recounted"}), *old.tax_rules[1:])
    assert diff_plans(old, old.model_copy(update={"tax_rules": rules})) == []
    change = PlanChange("Sign-off", "S01", "changed", "Date", None, date(2026, 11, 25), "Finance")
    assert str(change) == "Sign-off S01 (Finance): Date (blank) → 25/11/2026"
