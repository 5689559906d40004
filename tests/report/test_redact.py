"""`--redact`: people's names and email addresses withheld from every file; businesses, ids, money kept."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from tests.report.conftest import Checked, xlsx_text
from workbench.report import Redactor, write_report
from workbench.report.redact import EMAIL_MARK, NAME_MARK


def test_names_are_withheld_in_any_case_and_spacing_and_the_longest_name_wins() -> None:
    redactor = Redactor.from_names(["Jade Hughes", "Samuel Lockwood", "Mary Ann Smith", "Mary Ann"])
    text = "'JADE HUGHES' (person 4), 'Samuel   Lockwood' and Mary Ann Smith; Mary Ann; Jade alone"
    assert redactor.text(text) == (
        f"'{NAME_MARK}' (person 4), '{NAME_MARK}' and {NAME_MARK}; {NAME_MARK}; Jade alone"
    )
    assert redactor.text("Add Jade Hughes's email") == f"Add {NAME_MARK}'s email"


def test_a_company_named_after_people_is_kept() -> None:
    redactor = Redactor.from_names(["Riley Wright"])
    text = "Riley & Wright Ltd, Riley-Wright Ltd and Riley Wright himself"
    assert redactor.text(text) == f"Riley & Wright Ltd, Riley-Wright Ltd and {NAME_MARK} himself"


def test_email_addresses_are_withheld_by_their_shape() -> None:
    redactor = Redactor.from_names([])
    assert (
        redactor.text("write to owen.doherty+x@lindsay-kelly.co.uk today") == f"write to {EMAIL_MARK} today"
    )


def test_nested_evidence_and_findings_columns_are_redacted_ids_kept() -> None:
    redactor = Redactor.from_names(["Riley Jansen"])
    findings = pd.DataFrame(
        [
            {
                "kind": "duplicate_person",
                "subject_id": "164",
                "explanation": "'Riley Jansen' (person 164) and riley@acme.co.uk",
                "fix": "Merge Riley Jansen into person 164 of Acme Ltd",
                "evidence": {"pairs": [{"name": "Riley Jansen", "score": 19.0}], "left": "164"},
            }
        ]
    )
    out = redactor.findings(findings).iloc[0]
    assert out["explanation"] == f"'{NAME_MARK}' (person 164) and {EMAIL_MARK}"
    assert out["fix"] == f"Merge {NAME_MARK} into person 164 of Acme Ltd"
    assert out["evidence"] == {"pairs": [{"name": NAME_MARK, "score": 19.0}], "left": "164"}
    assert findings.iloc[0]["explanation"].startswith("'Riley Jansen'")  # the original is untouched


def test_a_redacted_report_names_no_person_and_no_email_in_any_file(checked: Checked, tmp_path: Path) -> None:
    profile = checked.profile
    plain = write_report(checked.engagement, profile, checked.rec, checked.plan, tmp_path / "plain")
    redacted = write_report(
        checked.engagement, profile, checked.rec, checked.plan, tmp_path / "r", redact=True
    )
    assert redacted.redacted
    people = profile.tables["people"]["name"].dropna().astype(str)
    plain_html = plain.html.read_text()
    shown = [name for name in people if name in plain_html]
    assert shown  # the plain report does name people: in duplicate clusters and findings
    texts = {
        "html": redacted.html.read_text(),
        "csv": redacted.findings.read_text(encoding="utf-8-sig"),
        "xlsx": xlsx_text(redacted.plan),
    }
    emails = {
        str(e)
        for table in ("people", "xero_contacts", "crm_users")
        for e in profile.tables[table]["email"].dropna()
    }
    assert any(e in plain_html for e in emails)
    email = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}")
    for kind, text in texts.items():
        assert [n for n in shown if n in text] == [], kind
        assert [e for e in emails if e in text] == [], kind
        outside_scripts = re.sub(r"<script\b.*?</script>", "", text, flags=re.S)  # plotly.js names packages
        assert email.search(outside_scripts) is None, kind
    assert NAME_MARK in texts["html"] and NAME_MARK in texts["csv"]
    # what the client acts on stays: company names, ids and amounts
    companies = [c for c in profile.tables["organisations"]["name"].dropna() if html.escape(c) in plain_html]
    assert companies and [c for c in companies if html.escape(c) not in texts["html"]] == []
    assert len(pd.read_csv(redacted.findings, encoding="utf-8-sig")) == len(profile.findings)
