"""The app's non-Streamlit helpers that shape what is shown: evidence in words, findings tables, the
questionnaire, problems without secrets, the day data is read as of."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pandas as pd
import pytest

from tests.profile.hygiene_frames import contact, org, profile
from workbench.app_support import evidence as ev
from workbench.app_support import findings_view as fv
from workbench.app_support import questionnaire as q
from workbench.app_support.problems import REDACTED, describe, redact
from workbench.errors import AuthError, ConfigurationError
from workbench.profile.findings import Finding, findings_frame


# --- evidence ---------------------------------------------------------------------------------------
def test_evidence_reads_pence_as_money_and_lists_as_text() -> None:
    lines = ev.evidence_lines(
        {
            "value_pence": 342000,
            "overcharged_pence": 57000,
            "currency": "EUR",
            "totals": [Decimal("178.2"), Decimal("178.2")],
            "vat_on_total_matches": False,
            "invoice_numbers": [f"INV-{n}" for n in range(15)],
        }
    )
    assert lines[0] == "- **Value**: €3,420.00"
    assert lines[1] == "- **Overcharged**: €570.00"
    assert "- **Totals**: €178.20, €178.20" in lines
    assert "- **VAT on total matches**: no" in lines
    assert lines[-1].endswith("INV-11 and 3 more")


def test_a_clusters_pairs_nest_under_the_evidence() -> None:
    lines = ev.evidence_lines(
        {"band": "certain", "pairs": [{"left": "1", "right": "2", "agreed": ["vat_number", "postcode"]}]}
    )
    assert lines == [
        "- **Band**: certain",
        "- **Pairs**:",
        "  - 1.",
        "    - **Left**: 1",
        "    - **Right**: 2",
        "    - **Agreed**: vat_number, postcode",
    ]


def test_a_findings_records_come_back_in_its_order_and_missing_ones_are_left_out() -> None:
    tables = profile(
        organisations=[org("1", "Acme Ltd"), org("2", "Beta LLP"), org("3", "Gamma")],
        xero_contacts=[contact("c-1", "Acme Limited")],
    )
    found = ev.finding_records(tables, {"organisations": ["3", "1", "99"], "xero_contacts": ["c-1"]})
    assert list(found["organisations"]["org_id"]) == ["3", "1"]
    assert list(found["xero_contacts"]["name"]) == ["Acme Limited"]
    shown = ev.side_by_side(found["organisations"], "organisations")
    assert list(shown.columns) == ["3", "1"] and shown.loc["name", "1"] == "Acme Ltd"
    assert "vat_number" not in shown.index  # empty on every record: left out


def test_the_id_column_of_each_table() -> None:
    assert [ev.id_column(t) for t in ("organisations", "invoice_lines", "xero_contacts", "tax_rates")] == [
        "org_id",
        "line_id",
        "contact_id",
        "tax_type",
    ]


# --- findings tables --------------------------------------------------------------------------------
def _findings() -> pd.DataFrame:
    def finding(kind: str, severity: str, subject: str, records: int = 1) -> Finding:
        return Finding(
            kind=kind,
            severity=severity,  # type: ignore[arg-type]
            subject_table="invoices",
            subject_id=subject,
            explanation=f"{kind} on {subject} " + "x" * 100,
            fix="fix it",
            records={"invoices": [f"{subject}-{n}" for n in range(records)]},
            evidence={"total_pence": 1234},
        )

    return findings_frame(
        [
            finding("zero_rated_domestic_sale", "high", "a", 3),
            finding("zero_rated_domestic_sale", "high", "b"),
            finding("rounding_difference", "low", "c"),
            finding("mixed_line_amount_types", "medium", "d"),
        ]
    )


def test_findings_filter_by_kind_severity_and_table() -> None:
    findings = _findings()
    assert fv.kinds(findings)[0] == "zero_rated_domestic_sale"
    assert fv.severities(findings) == ["high", "medium", "low"]
    assert len(fv.filter_findings(findings)) == 4
    assert list(fv.filter_findings(findings, kinds=["rounding_difference"])["subject_id"]) == ["c"]
    assert list(fv.filter_findings(findings, severities=["high", "medium"])["subject_id"]) == ["a", "b", "d"]
    assert fv.filter_findings(findings, tables=["deals"]).empty


def test_shown_findings_count_their_records_and_labels_stay_short() -> None:
    findings = _findings()
    shown = fv.shown(findings)
    assert "evidence" not in shown.columns
    assert list(shown["records"]) == [4, 2, 2, 2]  # the subject is one of the records
    label = fv.finding_label(findings.iloc[0])
    assert label.startswith("[high] zero_rated_domestic_sale — ") and label.endswith("...")


def test_the_findings_csv_has_a_bom_and_json_for_nested_columns() -> None:
    data = fv.findings_csv(_findings())
    assert data.startswith("\ufeff".encode())
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert json.loads(frame["records"][0]) == {"invoices": ["a", "a-0", "a-1", "a-2"]}
    assert json.loads(frame["evidence"][0]) == {"total_pence": 1234}
    assert (
        fv.findings_csv(fv.filter_findings(_findings(), kinds=["none"]))
        .decode("utf-8-sig")
        .startswith("kind,")
    )


# --- problems ---------------------------------------------------------------------------------------
def test_a_workbench_error_is_its_message_and_hint() -> None:
    problem = describe(AuthError("Xero refused the token", hint="connect again"), "pulling")
    assert (problem.message, problem.hint, problem.details, problem.expected) == (
        "Xero refused the token",
        "connect again",
        None,
        True,
    )


def test_anything_else_is_one_line_and_details_without_secrets() -> None:
    secret = "s3cr3t-value"
    token = "A" * 10 + "b7Zq0_-" * 5
    try:
        raise ValueError(f"client_secret={secret} bearer {token} at page 3")
    except ValueError as exc:
        problem = describe(exc, "pulling Xero")
    assert problem.message == "Something unexpected went wrong while pulling Xero (ValueError)."
    assert problem.details is not None and not problem.expected
    assert secret not in problem.details and token not in problem.details
    assert "at page 3" in problem.details
    assert "tests/app/test_support_views.py" not in problem.details  # a test file is not a known package
    assert "test_support_views.py" in problem.details


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password: hunter2 then", f"password: {REDACTED} then"),
        ("Authorization=abc;", f"Authorization={REDACTED};"),
        ("code xyz&state=1", f"code {REDACTED}&state=1"),
        ("id 0123456789abcdefABCDEF0123 done", f"id {REDACTED} done"),
        ("nothing to hide here", "nothing to hide here"),
    ],
)
def test_redaction(text: str, expected: str) -> None:
    assert redact(text) == expected


# --- the questionnaire ------------------------------------------------------------------------------
def test_open_questions_are_left_out_so_they_become_assumptions() -> None:
    answers, note = q.answers_from(
        {
            "custom_logic": q.YES,
            "in_house_developer": q.NO,
            "two_way": [],
            "budget_monthly_gbp": "£1,250.50",
            "extra_apps": "Slack, , Stripe",
            "latency_minutes": "",
            "connector_available": q.NOT_ANSWERED,
        }
    )
    assert note is None
    assert answers.custom_logic is True and answers.in_house_developer is False
    assert answers.budget_monthly_gbp == Decimal("1250.50")
    assert answers.extra_apps == ["Slack", "Stripe"]
    assert {"two_way", "latency_minutes", "connector_available", "crm"} <= set(answers.defaulted)
    assert "custom_logic" not in answers.defaulted


def test_the_crm_defaults_to_the_one_the_data_came_from() -> None:
    tables = profile(organisations=[org("1", "Acme Ltd", source="hubspot")])
    answers, note = q.answers_from({}, tables)
    assert answers.crm == "hubspot" and note == "CRM taken from the pulled data: hubspot"
    answers, note = q.answers_from({"crm": "salesforce"}, tables)
    assert answers.crm == "salesforce" and note is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latency_minutes", "soon", "must be a whole number"),
        ("budget_one_off_gbp", "lots", "must be an amount in pounds"),
        ("budget_one_off_gbp", "-5", "cannot be negative"),
        ("connector", "no-such-connector", None),
    ],
)
def test_unusable_answers_name_their_question(field: str, value: str, message: str | None) -> None:
    if message is None:  # a connector the catalogue lacks is the route's business, not the form's
        answers, _ = q.answers_from({field: value})
        assert answers.connector == value
        return
    with pytest.raises(ConfigurationError, match=message):
        q.answers_from({field: value})


def test_every_question_is_a_discovery_answer_and_choices_start_open() -> None:
    from workbench.route.inputs import DiscoveryAnswers

    assert {question.field for question in q.QUESTIONS} == set(DiscoveryAnswers.model_fields)
    for question in q.QUESTIONS:
        if question.kind in ("yesno", "choice"):
            assert q.options(question)[0] == q.NOT_ANSWERED, question.field
    connector = next(question for question in q.QUESTIONS if question.field == "connector")
    assert "cloudify_pipedrive" in q.options(connector) or len(q.options(connector)) > 3
