"""The whole health profile in one call: every analysis over one set of canonical tables."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.profile.duplicates import DuplicateResult, find_duplicates
from workbench.profile.findings import concat_findings
from workbench.profile.hygiene import find_hygiene_problems
from workbench.profile.links import invoice_deal_links
from workbench.profile.matching import MatchResult, match_crm_to_xero
from workbench.profile.tables import ProfileTables
from workbench.profile.vat import find_vat_problems
from workbench.profile.volumes import Volumes, measure_volumes

# step name, shown to the user while it runs
STEPS = ("duplicates", "matching", "vat", "hygiene", "volumes")
Progress = Callable[[str, int, int], None]  # (step, steps done, steps in all)


@dataclass(frozen=True)
class HealthProfile:
    """What the profile found, analysis by analysis, and how long each took (seconds)."""

    tables: ProfileTables
    duplicates: DuplicateResult
    matching: MatchResult
    vat: pd.DataFrame
    hygiene: pd.DataFrame
    volumes: Volumes
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def findings(self) -> pd.DataFrame:
        """Every finding of every analysis, one table."""
        return concat_findings([self.duplicates.findings, self.matching.findings, self.vat, self.hygiene])

    def counts(self) -> pd.DataFrame:
        """Findings per kind and severity."""
        findings = self.findings
        if findings.empty:
            return pd.DataFrame(columns=["kind", "severity", "findings"])
        return (
            findings.groupby(["kind", "severity"], sort=False)
            .size()
            .rename("findings")
            .reset_index()
            .sort_values("findings", ascending=False, ignore_index=True)
        )


def run_profile(tables: ProfileTables, progress: Progress | None = None) -> HealthProfile:
    """Run every analysis; `progress(step, done, total)` is called before each step and at the end."""
    seconds: dict[str, float] = {}
    results: dict[str, Any] = {}

    def step(name: str, work: Callable[[], Any]) -> None:
        if progress is not None:
            progress(name, len(seconds), len(STEPS))
        started = time.perf_counter()
        results[name] = work()
        seconds[name] = time.perf_counter() - started

    step("duplicates", lambda: find_duplicates(tables))
    # which invoice bills which deal is read once: matching, VAT and hygiene all start from it
    deal_links: dict[str, pd.DataFrame] = {}

    def matching() -> MatchResult:
        deal_links["links"] = invoice_deal_links(tables)
        return match_crm_to_xero(tables, deal_links["links"])

    step("matching", matching)
    links = results["matching"].links
    step("vat", lambda: find_vat_problems(tables, links, deal_links["links"]))
    step("hygiene", lambda: find_hygiene_problems(tables, links, deal_links["links"]))
    step("volumes", lambda: measure_volumes(tables, links))
    if progress is not None:
        progress("done", len(STEPS), len(STEPS))
    return HealthProfile(tables=tables, seconds=seconds, **results)
