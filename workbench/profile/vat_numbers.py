"""VAT numbers that fail their check digits (CRM organisations and Xero contacts), and linked records
that hold two different valid numbers.

python-stdnum decides validity: `stdnum.gb.vat` for UK numbers (9 digits, 12 for a branch, GD/HA for
government and health bodies), `stdnum.eu.vat` for EU prefixes (XI included), the country's own module
for other prefixes. A bare number is read as the record's country's. The plain 9/12-digit GB numbers
that make up most of a UK client's data are checked in one vectorised pass with stdnum's own weights
and rules (`_gb_standard_valid`, tested against stdnum), since stdnum costs ~15 us a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat
from stdnum.util import get_cc_module

from workbench.profile.findings import Finding
from workbench.profile.vat_customers import UK, location_of_country
from workbench.profile.vat_text import flag, per_unique

_GB_WEIGHTS = np.array([8, 7, 6, 5, 4, 3, 2, 10, 1])
_REASONS: dict[type[Exception], str] = {
    stdnum_errors.InvalidLength: "it has the wrong number of digits",
    stdnum_errors.InvalidChecksum: "its check digits do not match",
    stdnum_errors.InvalidFormat: "it contains characters a VAT number cannot",
    stdnum_errors.InvalidComponent: "a part of it is not one that is issued",
}
# Country names of the EU prefixes stdnum knows, for bare numbers typed without one.
_PREFIX_OF_COUNTRY = {
    "ireland": "IE",
    "france": "FR",
    "germany": "DE",
    "netherlands": "NL",
    "the netherlands": "NL",
    "belgium": "BE",
    "spain": "ES",
    "italy": "IT",
    "portugal": "PT",
    "austria": "AT",
    "denmark": "DK",
    "sweden": "SE",
    "finland": "FI",
    "poland": "PL",
    "luxembourg": "LU",
    "greece": "EL",
    "czech republic": "CZ",
    "czechia": "CZ",
}


_SEPARATORS = str.maketrans("", "", " \t\n\r.-/:#")
_LABEL = re.compile(r"^VAT(?:REG(?:ISTRATION)?)?(?:NO|NUMBER)?")
_DIGIT = re.compile(r"\d")
_STANDARD_GB = re.compile(r"\d{9}|\d{12}")


def compact_vat(number: object) -> str | None:
    """Upper case without spaces, dots, dashes or a leading 'VAT No:' label; None when blank or with no
    digit at all (a placeholder such as 'n/a' or 'applied for' is not a number that can fail a check)."""
    if number is None or number is pd.NA or (isinstance(number, float) and number != number):
        return None
    text = str(number).upper().translate(_SEPARATORS)
    if text.startswith("VAT"):
        text = _LABEL.sub("", text)
    return text if _DIGIT.search(text) else None


def comparable_vat(compact: str | None) -> str | None:
    """One registration, one form: GB/XI prefix dropped and a 12-digit branch number cut to its 9 digits
    (the rule of `names.normalise_vat_number`)."""
    if compact is None:
        return None
    body = compact[2:] if compact[:2] in ("GB", "XI") else compact
    return body[:9] if len(body) == 12 and body.isdigit() else body


def _country_prefix(country: object) -> str | None:
    """The VAT prefix a bare number typed for a record in this country takes: GB for the UK (or an
    unknown country: a UK client's default), the EU prefix, or None (a non-EU tax number: not checked)."""
    location = location_of_country(pd.Series([country])).iloc[0]
    if location is None or location == UK:
        return "GB"
    return _PREFIX_OF_COUNTRY.get(str(country).strip().casefold())


def _read(compact: str, country_prefix: str | None) -> tuple[str, str] | None:
    """(prefix, number as its validator takes it), or None when there is nothing to check."""
    prefix = compact[:2] if compact[:2].isalpha() else None
    if prefix is None:
        if country_prefix is None:
            return None
        return country_prefix, compact if country_prefix == "GB" else country_prefix + compact
    return prefix, compact


def _gb_standard_valid(digits: pd.Series) -> pd.Series:
    """stdnum.gb.vat's rule for 9 and 12-digit numbers, vectorised (the 12th digits are a branch)."""
    if digits.empty:
        return pd.Series(dtype=bool, index=digits.index)
    text = "".join(d[:9] for d in digits).encode("ascii")
    matrix = (np.frombuffer(text, dtype=np.uint8).reshape(-1, 9) - 48).astype(np.int64)
    checksum = (matrix * _GB_WEIGHTS).sum(axis=1) % 97
    new_style = matrix[:, :3] @ np.array([100, 10, 1]) >= 100
    valid = np.where(new_style, np.isin(checksum, [0, 42, 55]), checksum == 0)
    return pd.Series(valid, index=digits.index)


def _validator(prefix: str) -> Callable[[str], object] | None:
    if prefix in ("GB", "GD", "HA"):  # GD / HA: UK government departments and health authorities
        return gb_vat.validate
    if prefix.lower() in eu_vat.MEMBER_STATES or prefix in ("EL", "XI"):
        return eu_vat.validate
    module = get_cc_module(prefix.lower(), "vat")
    return module.validate if module is not None else None


@lru_cache(maxsize=65_536)
def _reason(prefix: str, number: str) -> str | None:
    """Why stdnum rejects the number (None: valid, or a prefix stdnum has no module for)."""
    if prefix == "UK":  # a common slip: the UK's VAT prefix is GB (UK is no country code)
        why = _reason("GB", "GB" + number[2:])
        return why or "it starts UK, but UK VAT numbers are written with the prefix GB"
    validate = _validator(prefix)
    if validate is None:
        return None
    try:
        validate(number)
    except stdnum_errors.ValidationError as error:
        return next((text for kind, text in _REASONS.items() if isinstance(error, kind)), "it is not valid")
    return None


def read_vat_numbers(numbers: pd.Series, countries: pd.Series) -> pd.DataFrame:
    """Per record (index as `numbers`): `key`, the number in comparable form (`comparable_vat`; None
    when blank or a placeholder), and `reason` it is invalid (None when valid or not checkable: a
    non-EU foreign tax number). `countries` is the record's country, used for a number typed without
    its prefix."""
    keys: list[str | None] = [None] * len(numbers)
    reasons: list[str | None] = [None] * len(numbers)
    present = np.flatnonzero(numbers.notna().to_numpy())
    hints = per_unique(countries, _country_prefix).where(countries.notna(), "GB").to_numpy()
    values = numbers.to_numpy()
    standard_at, standard_digits = [], []
    for position in present:
        compact = compact_vat(values[position])
        if compact is None:
            continue
        keys[position] = comparable_vat(compact)
        reading = _read(compact, hints[position])
        if reading is None:
            continue
        prefix, body = reading
        digits = body[2:] if body.startswith("GB") else body
        if prefix == "GB" and _STANDARD_GB.fullmatch(digits):
            standard_at.append(position)
            standard_digits.append(digits)
        else:
            reasons[position] = _reason(prefix, body)
    valid = _gb_standard_valid(pd.Series(standard_digits, dtype=object)).to_numpy()
    for i in np.flatnonzero(~valid):
        reasons[standard_at[i]] = _REASONS[stdnum_errors.InvalidChecksum]
    return pd.DataFrame({"key": keys, "reason": reasons}, index=numbers.index, dtype=object)


def vat_number_problems(numbers: pd.Series, countries: pd.Series) -> pd.Series:
    """Why each VAT number is invalid (None when valid, blank or not checkable)."""
    return read_vat_numbers(numbers, countries)["reason"]


def _invalid_finding(table: str, record_id: str, name: str, number: str, why: str, side: str) -> Finding:
    system = "CRM" if table == "organisations" else "Xero"
    return Finding(
        kind="invalid_vat_number",
        severity="medium",
        subject_table=table,
        subject_id=record_id,
        explanation=f"{side} {name!r} has VAT number {number!r}, which is not a valid VAT number: {why}.",
        fix="Ask the customer for its VAT number (or read it from its letterhead / HMRC's 'Check a UK VAT "
        f"number' service) and correct it in {system}; a wrong number on an invoice can cost the customer "
        "its VAT reclaim and the tenant its zero-rating or reverse-charge evidence.",
        records={table: [record_id]},
        evidence={"vat_number": number, "reason": why},
    )


def _differs_finding(pair: dict[str, Any]) -> Finding:
    return Finding(
        kind="vat_number_differs",
        severity="medium",
        subject_table="organisations",
        subject_id=str(pair["org_id"]),
        explanation=f"CRM organisation {pair['name_org']!r} has VAT number {pair['vat_number']!r} but its "
        f"linked Xero contact {pair['name_contact']!r} has {pair['tax_number']!r}; both are valid numbers, "
        "so one of them belongs to another company or is an old registration.",
        fix="Check the customer's current VAT number (its invoices or HMRC's checker), correct the wrong "
        "side, and make one system the master for VAT numbers in the plan.",
        records={"organisations": [str(pair["org_id"])], "xero_contacts": [str(pair["contact_id"])]},
        evidence={"crm": pair["vat_number"], "xero": pair["tax_number"]},
    )


def vat_number_findings(
    organisations: pd.DataFrame, contacts: pd.DataFrame, links: pd.DataFrame
) -> list[Finding]:
    """invalid_vat_number on CRM organisations (`vat_number`) and Xero contacts (`tax_number`), and
    vat_number_differs between an organisation and its linked contact (`links`: contact_id, org_id)."""
    orgs = organisations[~flag(organisations["is_deleted"])]
    orgs = pd.DataFrame(
        {
            "org_id": orgs["org_id"].astype(str).to_numpy(),
            "name": orgs["name"].to_numpy(),
            "vat_number": orgs["vat_number"].to_numpy(),
        }
    ).join(read_vat_numbers(orgs["vat_number"], orgs["country"]).reset_index(drop=True))
    people = contacts[contacts["merged_to_contact_id"].isna()]
    people = pd.DataFrame(
        {
            "contact_id": people["contact_id"].astype(str).to_numpy(),
            "name": people["name"].to_numpy(),
            "tax_number": people["tax_number"].to_numpy(),
        }
    ).join(read_vat_numbers(people["tax_number"], people["country"]).reset_index(drop=True))
    findings = [
        _invalid_finding(
            "organisations", o["org_id"], o["name"], o["vat_number"], o["reason"], "CRM organisation"
        )
        for o in orgs[orgs["reason"].notna()].to_dict("records")
    ]
    findings += [
        _invalid_finding(
            "xero_contacts", c["contact_id"], c["name"], c["tax_number"], c["reason"], "Xero contact"
        )
        for c in people[people["reason"].notna()].to_dict("records")
    ]
    good_orgs = orgs[orgs["key"].notna() & orgs["reason"].isna()].drop_duplicates("org_id")
    good_people = people[people["key"].notna() & people["reason"].isna()].drop_duplicates("contact_id")
    pairs = links.merge(good_orgs[["org_id", "name", "vat_number", "key"]], on="org_id").merge(
        good_people[["contact_id", "name", "tax_number", "key"]],
        on="contact_id",
        suffixes=("_org", "_contact"),
    )
    differing = pairs[pairs["key_org"] != pairs["key_contact"]]
    findings += [_differs_finding(pair) for pair in differing.to_dict("records")]
    return findings
