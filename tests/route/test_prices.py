"""The editable price table: sources on every figure, tier choice, and a consultant's override."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.route.factories import answers, worked_example
from workbench.errors import ConfigurationError, InputFileError
from workbench.route.decision import recommend
from workbench.route.documents import shipped
from workbench.route.prices import cheapest_make, cheapest_zapier, load_prices

FIGURE_KEYS = {"value", "rate", "monthly"}


def _figures(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        if FIGURE_KEYS & node.keys():
            found.append((path, node))
        for key, value in node.items():
            found += _figures(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _figures(value, f"{path}[{i}]")
    return found


def test_every_shipped_figure_names_its_source_and_date() -> None:
    figures = _figures(shipped("prices.json"))
    assert len(figures) > 20
    for path, figure in figures:
        assert figure.get("source"), path
        assert figure.get("as_of"), path
    build = shipped("prices.json")["custom"]["build"]
    assert build["source"].startswith("[J]")


def test_zapier_overage_on_a_lower_tier_beats_the_next_tier() -> None:
    zapier = load_prices().zapier
    # 750-task plan + 1,250 tasks at 1.25 × 19.99/750 = 61.64, cheaper than the 5,000 plan at 89
    choice = cheapest_zapier(2000, zapier)
    assert (choice.tier, choice.extra_units, choice.monthly.quantize(Decimal("0.01"))) == (
        "Professional 750",
        1250,
        Decimal("61.64"),
    )
    # above 3 × 750 the 750 plan stops: the 5,000 plan it is
    assert cheapest_zapier(2405, zapier).tier == "Professional 5,000"
    assert not cheapest_zapier(16000, zapier).fits  # beyond 3 × 5,000: the ladder needs its next tier


def test_make_extra_packs_are_bought_at_the_plan_rate() -> None:
    make = load_prices().make
    assert cheapest_make(14404, make).tier == "Core 20,000"  # $18 beats $10.59 + one 10k pack
    bigger = cheapest_make(45000, make)
    assert (bigger.tier, bigger.extra_units, bigger.monthly) == ("Core 20,000", 30000, Decimal("45.0"))
    assert cheapest_make(900, make).tier == "Free"


def test_usd_prices_turn_into_pounds_at_the_tables_own_rate() -> None:
    prices = load_prices()
    assert prices.to_gbp(Decimal("100"), "USD") == Decimal("79.00")
    with pytest.raises(ConfigurationError, match="no FX rate for CHF"):
        prices.to_gbp(Decimal(1), "CHF")


def test_a_consultants_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    override = tmp_path / "prices.yaml"
    override.write_text(
        "fx_to_gbp:\n  USD: {rate: '0.5', source: 'consultant, 1 Dec 2026'}\n"
        "connectors:\n  cloudify_pipedrive: {value: '29', currency: GBP, source: 'listing, 1 Dec 2026'}\n"
        "make:\n  tiers:\n"
        "    - {name: 'Core 40,000', units: 40000, monthly: '30', source: 'make.com, 1 Dec 2026'}\n",
        encoding="utf-8",
    )
    prices = load_prices(override)
    assert prices.fx_to_gbp["USD"].rate == Decimal("0.5")
    assert prices.fx_to_gbp["AUD"].rate == Decimal("0.50")  # untouched
    assert [t.name for t in prices.make.tiers] == ["Core 40,000"]  # a list replaces the shipped one whole
    assert prices.zapier.tiers[0].name == "Professional 750"  # untouched

    shipped_rec = recommend(answers(crm="pipedrive"), worked_example())
    edited_rec = recommend(answers(crm="pipedrive"), worked_example(), prices=prices)
    # Make 11,080 ops × 1.3 → the only tier left, $30 at 0.5 = £15
    assert edited_rec.costs["middleware"].monthly_gbp == Decimal("15.00")
    assert shipped_rec.costs["middleware"].monthly_gbp == Decimal("14.22")  # $18 at 0.79
    assert "Cloudify Pipedrive–Xero fee" in shipped_rec.costs["native"].unpriced
    assert edited_rec.costs["native"].unpriced == []
    assert edited_rec.costs["native"].monthly_gbp == Decimal("29.00")


def test_a_broken_override_names_the_file_and_the_field(tmp_path: Path) -> None:
    override = tmp_path / "prices.json"
    override.write_text('{"custom": {"hosting_monthly": {"value": "cheap"}}}', encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_prices(override)
    message = str(caught.value)
    assert str(override) in message and "custom.hosting_monthly" in message


def test_an_unreadable_yaml_override_says_where(tmp_path: Path) -> None:
    override = tmp_path / "prices.yaml"
    override.write_text("fx_to_gbp:\n  USD: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="not valid YAML"):
        load_prices(override)
