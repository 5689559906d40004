"""The discovery questionnaire as the app asks it: one question per `DiscoveryAnswers` field, each
answerable or left open, and the answers read back into the model.

An open question is left out of the answers, so the model keeps its default and the recommendation
lists it as an assumption; that is why every yes/no question has a third choice, "not answered".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, get_args

from pydantic import ValidationError

from workbench.errors import ConfigurationError
from workbench.profile.tables import ProfileTables
from workbench.route.inputs import Crm, DiscoveryAnswers, SalesforceEdition, TwoWayObject
from workbench.route.thresholds import load_thresholds

NOT_ANSWERED = "not answered"
YES, NO = "yes", "no"
Kind = Literal["yesno", "choice", "multi", "count", "money", "list"]
KNOWN_CRMS = ("pipedrive", "hubspot", "salesforce")  # as `workbench route` reads them from the data


@dataclass(frozen=True)
class Question:
    field: str
    prompt: str
    kind: Kind
    options: tuple[str, ...] = ()
    group: str = "discovery"  # "discovery", or the CRM the question is only asked for


def _connectors() -> tuple[str, ...]:
    return tuple(sorted(load_thresholds().connectors))


_SF, _HS = "salesforce", "hubspot"
QUESTIONS: tuple[Question, ...] = (
    Question("crm", "Which CRM does the client use?", "choice", get_args(Crm)),
    Question("connector", "Which connector would they use (open: the CRM's usual one)?", "choice"),
    Question("connector_available", "Is a maintained native connector available to them?", "yesno"),
    Question("connector_covers_process", "Do the connector's objects and rules fit their process?", "yesno"),
    Question("two_way", "Which objects are edited on both sides?", "multi", get_args(TwoWayObject)),
    Question(
        "invoices_edited_in_xero", "Does finance edit invoices in Xero after the CRM made them?", "yesno"
    ),
    Question("custom_logic", "Branching rules, approvals or conditional mappings?", "yesno"),
    Question("extra_apps", "Apps in the flow beyond the CRM and Xero (comma-separated)", "list"),
    Question("non_standard_tax", "A conditional tax map (by product, by customer...)?", "yesno"),
    Question("non_standard_invoice_numbering", "Non-standard invoice numbering?", "yesno"),
    Question("multi_currency", "Do they invoice in several currencies (open: as measured)?", "yesno"),
    Question("custom_fields_to_xero", "Custom CRM fields that must reach Xero (open: all in use)", "count"),
    Question("in_house_developer", "Someone in-house who can own code?", "yesno"),
    Question("can_own_automations", "Can a client user own Zaps or Make scenarios?", "yesno"),
    Question("budget_monthly_gbp", "Monthly budget (GBP)", "money"),
    Question("budget_one_off_gbp", "One-off budget (GBP)", "money"),
    Question("latency_minutes", "Longest acceptable sync delay (minutes)", "count"),
    Question("flat_rate_vat", "On the VAT flat rate scheme?", "yesno"),
    Question("audit_or_residency", "Own logs, idempotency records or data residency required?", "yesno"),
    Question("licenses_workato", "Do they already license Workato?", "yesno"),
    Question("hubspot_operations_hub", "A paid HubSpot Operations Hub subscription?", "yesno", group=_HS),
    Question("uses_xero_by_xero", "Still relying on the retired Xero by Xero app?", "yesno", group=_HS),
    Question("salesforce_edition", "Salesforce edition", "choice", get_args(SalesforceEdition), group=_SF),
    Question("salesforce_users", "Salesforce users", "count", group=_SF),
    Question("salesforce_write_back", "Must edits made in Salesforce reach Xero?", "yesno", group=_SF),
)


def options(question: Question) -> tuple[str, ...]:
    """The choices a choice or yes/no question offers, "not answered" first."""
    if question.kind == "yesno":
        return (NOT_ANSWERED, YES, NO)
    if question.kind == "choice":
        listed = _connectors() if question.field == "connector" else question.options
        return (NOT_ANSWERED, *listed)
    return question.options


def crm_of(tables: ProfileTables) -> str | None:
    """The CRM the organisations were pulled from, when it is one the questionnaire knows."""
    sources = tables["organisations"]["source"].dropna().astype(str).str.lower().unique()
    return next((s for s in sources if s in KNOWN_CRMS), None)


def answers_from(
    values: Mapping[str, Any], tables: ProfileTables | None = None
) -> tuple[DiscoveryAnswers, str | None]:
    """The answers given in `values` (field → widget value), open questions left out; the CRM, when not
    answered, is the one the data came from (a note says so)."""
    given: dict[str, Any] = {}
    by_field = {q.field: q for q in QUESTIONS}
    for field, raw in values.items():
        question = by_field.get(field)
        if question is None:
            continue
        answer = _read(question, raw)
        if answer is not None:
            given[field] = answer
    note = None
    if "crm" not in given and tables is not None:
        crm = crm_of(tables)
        if crm is not None:
            given["crm"] = crm
            note = f"CRM taken from the pulled data: {crm}"
    try:
        return DiscoveryAnswers.model_validate(given), note
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        prompt = (
            by_field[str(first["loc"][0])].prompt if first["loc"] and first["loc"][0] in by_field else field
        )
        raise ConfigurationError(
            f"the answer to '{prompt}' is not usable: {first['msg']}", hint="change that answer and try again"
        ) from None


def _read(question: Question, raw: Any) -> Any:
    """A widget's value as the model's field wants it; None for an open question."""
    if raw is None or raw == NOT_ANSWERED:
        return None
    if question.kind == "yesno":
        return raw == YES
    if question.kind == "choice":
        return str(raw)
    if question.kind == "multi":
        return list(raw) or None
    text = str(raw).strip()
    if not text:
        return None
    if question.kind == "list":
        return [part.strip() for part in text.split(",") if part.strip()] or None
    if question.kind == "count":
        if not text.isdigit():
            raise ConfigurationError(
                f"the answer to '{question.prompt}' must be a whole number, not '{text}'",
                hint="type digits only, or leave it empty to keep the question open",
            )
        return int(text)
    try:
        amount = Decimal(text.replace(",", "").replace("£", ""))
    except InvalidOperation:
        raise ConfigurationError(
            f"the answer to '{question.prompt}' must be an amount in pounds, not '{text}'",
            hint="type an amount like 250 or 1,500.00, or leave it empty",
        ) from None
    if amount < 0:
        raise ConfigurationError(
            f"the answer to '{question.prompt}' cannot be negative", hint="type 0 or more"
        )
    return amount
