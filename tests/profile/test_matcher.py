from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from workbench.profile.blocking import Block, SortedNeighbourhood, candidate_pairs
from workbench.profile.clustering import connected_components
from workbench.profile.duplicate_columns import prepare_organisations
from workbench.profile.duplicate_configs import ORGANISATIONS
from workbench.profile.matcher import (
    Bands,
    Best,
    Edits,
    Exact,
    Fuzzy,
    MatcherConfig,
    Prefix,
    dedupe,
    link,
    pair_evidence,
    score_pairs,
)


def organisations(*rows: dict[str, object]) -> pd.DataFrame:
    """CRM organisation rows with every other column blank; org ids 1, 2, 3... in order."""
    base = {
        "name": None,
        "website": None,
        "email_domain": None,
        "address": None,
        "postcode": None,
        "city": None,
    }
    base |= {"vat_number": None, "company_number": None, "xero_contact_id": None, "is_deleted": False}
    return pd.DataFrame([{**base, "org_id": str(n), **row} for n, row in enumerate(rows, start=1)])


def pair_of(frame: pd.DataFrame) -> pd.Series:
    prepared = prepare_organisations(frame)
    return score_pairs(prepared, ORGANISATIONS, [0], [1]).iloc[0]


def test_same_vat_and_legal_form_variant_is_certain() -> None:
    row = pair_of(organisations({"name": "ACME Ltd", "vat_number": "GB 980 7806 84"},
                                {"name": "Acme Limited", "vat_number": "980780684"}))  # fmt: skip
    assert row["band"] == "certain"
    evidence = pair_evidence(row, ORGANISATIONS)
    assert "vat_number" in evidence["agreed"]
    assert evidence["similarity"]["name"] == 100


def test_identical_names_with_nothing_against_them_are_likely() -> None:
    assert pair_of(organisations({"name": "ACME Ltd"}, {"name": "Acme Limited"}))["band"] == "likely"


@pytest.mark.parametrize(
    "shared",
    [{}, {"postcode": "LS1 4AB"}, {"postcode": "LS1 4AB", "address": "1 Park Row, Leeds LS1 4AB"}],
)
def test_northern_and_southern_trust_are_never_auto_matched(shared: dict[str, object]) -> None:
    row = pair_of(
        organisations({"name": "Northern Trust Ltd", **shared}, {"name": "Southern Trust Ltd", **shared})
    )
    assert row["band"] in ("", "possible")
    frame = organisations({"name": "Northern Trust Ltd", **shared}, {"name": "Southern Trust Ltd", **shared})
    result = dedupe(prepare_organisations(frame), ORGANISATIONS)
    assert result.clusters == []


def test_different_vat_numbers_overrule_identical_names() -> None:
    row = pair_of(organisations({"name": "Acme Ltd", "vat_number": "GB980780684"},
                                {"name": "Acme Ltd", "vat_number": "GB123456782"}))  # fmt: skip
    assert row["band"] == ""
    assert "vat_number" in pair_evidence(row, ORGANISATIONS)["conflicted"]


def test_ltd_and_llp_of_one_name_are_not_likely() -> None:
    row = pair_of(organisations({"name": "Jones Ltd"}, {"name": "Jones LLP"}))
    assert row["band"] in ("", "possible")


def test_one_typo_with_a_shared_address_is_likely() -> None:
    address = {"postcode": "M1 1AE", "address": "4 Mill Lane, Manchester M1 1AE"}
    row = pair_of(
        organisations({"name": "Peak Cycles Ltd", **address}, {"name": "Peak Cecles Ltd", **address})
    )
    assert row["band"] in ("likely", "certain")
    assert row["name_typo"] > 0


def test_reordered_partner_names_in_one_district_abroad_are_not_likely() -> None:
    row = pair_of(
        organisations(
            {
                "name": "Wilson & Eastwood",
                "postcode": "20095",
                "address": "2 Harbour Street",
                "city": "Hamburg",
            },
            {
                "name": "Eastwood & Wilson GmbH",
                "postcode": "20095",
                "address": "138 Market Street",
                "city": "Hamburg",
            },
        )
    )
    assert row["band"] in ("", "possible")
    assert row["name_same"] < 0 and row["name_similarity"] == 100  # the same words, not the same name


def test_trading_name_meets_the_legal_name() -> None:
    legal = "Vickers Holdings Limited t/a Vickers Outfitters"
    row = pair_of(
        organisations(
            {"name": "Vickers Outfitters", "postcode": "YO1 7HH"}, {"name": legal, "postcode": "YO1 7HH"}
        )
    )
    assert row["band"] in ("likely", "certain")


# --- the engine on a generic configuration --------------------------------------------------------
CHAIN = MatcherConfig(
    comparators=(
        Fuzzy("name", ("name",), levels=((100, 6), (80, 2)), below=-4, scorer="ratio"),
        Exact("k1", "k1", agree=6),
        Exact("k2", "k2", agree=6),
    ),
    blocking=(Block(("k1",)), Block(("k2",))),
    bands=Bands(certain=12, likely=8, possible=4),
)


def test_a_chain_with_a_weak_link_is_not_merged() -> None:
    # A~B agree on name and k1 (12); B~C only on k2 and a loosely similar name (8, just likely);
    # A and C share nothing (-4). Connected components would make one cluster of three.
    frame = pd.DataFrame(
        {
            "name": ["acme widgets", "acme widgets", "acme widgetz co"],
            "k1": ["x", "x", None],
            "k2": [None, "y", "y"],
        },
        index=["A", "B", "C"],
    )
    result = dedupe(frame, CHAIN)
    scores = {(r.left, r.right): r.score for r in result.pairs.itertuples()}
    assert scores[("A", "B")] >= 12 and 8 <= scores[("B", "C")] < 12
    assert [c.members for c in result.clusters] == [("A", "B")]


def test_a_consistent_triple_stays_one_cluster() -> None:
    frame = pd.DataFrame(
        {"name": ["acme widgets"] * 3, "k1": ["x", "x", "x"], "k2": [None, None, None]}, index=["A", "B", "C"]
    )
    result = dedupe(frame, CHAIN)
    assert [(c.members, c.band) for c in result.clusters] == [(("A", "B", "C"), "certain")]


def test_blank_values_never_agree() -> None:
    frame = pd.DataFrame({"name": [None, ""], "k1": [None, ""], "k2": ["", None]}, index=["A", "B"])
    (a, _), stats = candidate_pairs(frame, CHAIN.blocking)
    assert len(a) == 0 and stats.candidates == 0
    assert score_pairs(frame, CHAIN, [0], [1]).iloc[0]["score"] == 0


def test_link_pairs_only_across_the_two_tables() -> None:
    left = pd.DataFrame(
        {"name": ["acme widgets", "acme widgets"], "k1": ["x", "x"], "k2": [None, None]}, index=["L1", "L2"]
    )
    right = pd.DataFrame(
        {"name": ["acme widgets", "other"], "k1": ["x", "z"], "k2": [None, None]}, index=["R1", "R2"]
    )
    pairs = link(left, right, CHAIN).pairs
    assert sorted(zip(pairs["left"], pairs["right"], strict=True)) == [("L1", "R1"), ("L2", "R1")]
    assert set(pairs["band"]) == {"certain"}


def test_common_values_are_not_blocked_on() -> None:
    frame = pd.DataFrame({"k1": ["office"] * 150 + ["rare", "rare"]})
    (a, b), stats = candidate_pairs(frame, (Block(("k1",), max_size=100),))
    assert list(zip(a, b, strict=True)) == [(150, 151)]
    assert stats.skipped_values["block:k1"] == [("office", 150)]


def test_sorted_neighbourhood_pairs_neighbours_in_sort_order() -> None:
    frame = pd.DataFrame({"key": ["c", "a", "b", None]})
    (a, b), _ = candidate_pairs(frame, (SortedNeighbourhood("key", window=2),))
    assert sorted(zip(a.tolist(), b.tolist(), strict=True)) == [(0, 2), (1, 2)]


def test_prefix_edits_and_best() -> None:
    frame = pd.DataFrame({"given": ["j", "john", "jon", "mary"]})
    config = MatcherConfig(
        comparators=(
            Best("given", (Exact("same", "given", 4, -4), Prefix("initial", "given", 1, -4))),
            Edits("typo", ("given",), agree=3, max_edits=1, min_length=3, disagree=-1),
        ),
        blocking=(),
        bands=Bands(4, 2, 1),
    )
    rows = score_pairs(frame, config, [0, 1, 1, 0], [1, 2, 3, 3])
    assert rows["given"].tolist() == [1, -4, -4, -4]
    assert rows["typo"].tolist() == [-1, 3, -1, -1]  # "j" is too short to be a typo of anything


def test_connected_components() -> None:
    labels = connected_components(6, np.array([0, 1, 4]), np.array([1, 2, 5]))
    assert labels.tolist() == [0, 0, 0, 3, 4, 4]


# --- cost -------------------------------------------------------------------------------------------
WORDS = (
    "acme", "apex", "beacon", "bright", "castle", "cedar", "copper", "crown", "delta", "eagle", "elm",
    "falcon", "forge", "granite", "harbour", "iron", "kestrel", "lark", "maple", "meadow", "north",
    "oak", "orchard", "pioneer", "quarry", "raven", "river", "silver", "summit", "swift", "thistle",
    "vale", "willow", "wren", "york", "zenith", "amber", "birch", "cobalt", "dune", "ember", "fern",
    "glen", "heron", "ivy", "juniper",
)  # fmt: skip
TRADES = (
    "plumbing", "electrical", "consulting", "catering", "design", "joinery", "software", "logistics",
    "printing", "surveyors",
)  # fmt: skip


def synthetic_organisations(n: int, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {rng.choice(TRADES).title()} {i} Ltd"
        area = f"{rng.choice('ABCDEFGHLMNS')}{rng.randint(1, 40)}"
        rows.append(
            {
                "name": name,
                "postcode": f"{area} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTUWXYZ')}",
            }
        )
    return organisations(*rows)


def test_candidate_pairs_grow_near_linearly() -> None:
    small = prepare_organisations(synthetic_organisations(2_000, 1))
    large = prepare_organisations(synthetic_organisations(8_000, 1))
    (a_small, _), _ = candidate_pairs(small, ORGANISATIONS.blocking)
    (a_large, _), _ = candidate_pairs(large, ORGANISATIONS.blocking)
    # four times the records: all pairs would grow sixteen-fold; blocked pairs about four-fold
    assert len(a_large) / len(a_small) < 6
    assert len(a_large) < 20 * len(large)
