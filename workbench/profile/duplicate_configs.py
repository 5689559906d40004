"""What makes two CRM organisations, two CRM people or two Xero contacts one real entity: the prepared
columns and the matcher configuration for each.

Points are roughly log2 likelihood ratios (how much likelier the outcome is for one business than for
two), set from what each key means in UK bookkeeping rather than fitted to any one client:

- a VAT or Companies House number identifies one legal entity (+10); two different ones are two
  entities (-10), whatever the names say;
- a business email domain or a phone line belongs to one business (+7, +5), but a business can have
  several (-1 when they differ);
- a postcode and street are shared by the businesses in one building (+3, +2), a different postcode is
  a mild conflict (a business moves, -2);
- the name (after `workbench.profile.names` has removed case, punctuation, legal form, "The", "(UK)")
  is the main evidence: identical +9; the same words in another order, 95+ similar or one typo apart
  (length 6+) +6; 90+ +4, 85+ +2;
  a shared first word only keeps the name from counting against; otherwise -4. "Northern Trust" and
  "Southern Trust" (86, two edits) earn +2 and need two more keys before they even reach review;
- Ltd against LLP (or PLC) is a different legal entity under a similar name (-3).

Bands: certain >= 15 (a strong key and a matching name, or every secondary key), likely >= 9 (an
identical name with nothing against it; or a near name plus one shared key), possible >= 5 (review).
"""

from __future__ import annotations

import re

import pandas as pd

from workbench.profile.blocking import Block, SortedNeighbourhood
from workbench.profile.comparators import Best, Edits, Exact, Fuzzy, Prefix
from workbench.profile.matcher import Bands, MatcherConfig
from workbench.profile.names import (
    formal_given_name,
    is_free_mail_domain,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    normalise_vat_number,
    parse_company_name,
    person_name_tokens,
    registrable_domain,
    website_domain,
)

# --- shared column preparation ----------------------------------------------------------------------


def _apply(values: pd.Series, function: object) -> pd.Series:
    """`function` over the distinct values only (many records share a postcode, a domain, a form)."""
    uniques = pd.unique(values.astype(object))
    mapping = {value: function(value) if isinstance(value, str) else None for value in uniques}  # type: ignore[operator]
    return values.astype(object).map(mapping)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype(object).where(frame[name].notna(), None)
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


_COMPANY_NUMBER = re.compile(r"[^0-9A-Z]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_COUNTRY_WORDS = frozenset(
    {"united", "kingdom", "uk", "gb", "england", "scotland", "wales", "great", "britain"}
)


def company_number(value: str | None) -> str | None:
    """A Companies House number as 8 characters ("1234567" -> "01234567", "sc 123456" -> "SC123456")."""
    if not value:
        return None
    compact = _COMPANY_NUMBER.sub("", str(value).upper())
    if not compact:
        return None
    return compact.zfill(8) if compact.isdigit() and len(compact) < 8 else compact


def street_key(address: str | None, postcode: str | None) -> str | None:
    """An address as folded words without the postcode and country (a street line to compare)."""
    if not address:
        return None
    words = _NOT_WORD.sub(" ", str(address).casefold()).split()
    drop = set((postcode or "").casefold().split()) | _COUNTRY_WORDS
    kept = [w for w in words if w not in drop]
    return " ".join(kept) or None


def _hosts(emails: pd.Series) -> pd.Series:
    """The part after the @ of normalised emails (fewer distinct values than the emails)."""
    return pd.Series([e.rpartition("@")[2] if e else None for e in emails], index=emails.index, dtype=object)


def _business_domain(host: str | None) -> str | None:
    domain = registrable_domain(host)
    return None if is_free_mail_domain(domain) else domain


def company_name_columns(names: pd.Series) -> pd.DataFrame:
    """name_core, name_trading, legal_form (strong forms only), name_first, name_sorted."""
    parsed = _apply(names, parse_company_name)
    core = parsed.map(lambda p: p.core or None if p is not None else None)
    trading = parsed.map(lambda p: p.trading_name if p is not None else None)
    # "Co"/"& Co" is too weak a form to conflict with anything
    form = parsed.map(lambda p: p.legal_form if p is not None and p.legal_form != "co" else None)
    first = core.map(lambda c: c.split()[0] if c else None)
    ordered = core.map(lambda c: " ".join(sorted(c.split())) if c else None)
    return pd.DataFrame(
        {
            "name_core": core,
            "name_trading": trading,
            "legal_form": form,
            "name_first": first,
            "name_sorted": ordered,
        }
    )


def _place_keys(frame: pd.DataFrame, postcode: pd.Series, address: pd.Series) -> None:
    """Adds `street`, `first_outward` (first word of the name + the outward code of a UK postcode, the
    whole code abroad: "acme LS1") and `address_key` (postcode + street: one building's door)."""
    frame["street"] = [street_key(a, p) for a, p in zip(address, postcode, strict=True)]
    text = postcode.astype(object)
    outward = [p.split(" ")[0] if isinstance(p, str) else None for p in text]
    frame["first_outward"] = [
        f"{f} {o}" if f and o else None for f, o in zip(frame["name_first"], outward, strict=True)
    ]
    frame["address_key"] = [
        f"{p} {s}" if p and s else None for p, s in zip(text, frame["street"], strict=True)
    ]


# --- company records (CRM organisations, Xero contacts) --------------------------------------------
COMPANY_BANDS = Bands(certain=15, likely=9, possible=5)


def _company_name_comparator() -> Best:
    return Best(
        "name",
        (
            Fuzzy("name_same", ("name_core", "name_trading"), levels=((100, 9),), below=-4, scorer="ratio"),
            # the same words in another order ("Smith & Jones" / "Jones & Smith") is not the same name
            Fuzzy(
                "name", ("name_core", "name_trading"), levels=((95, 6), (90, 4), (85, 2), (75, 1)), below=-4
            ),
            Edits(
                "name_typo", ("name_core", "name_trading"), agree=6, max_edits=1, min_length=6, disagree=-4
            ),
            Exact("name_first", "name_first", agree=0, disagree=-4),
        ),
    )


def _company_blocking(extra: tuple[str, ...]) -> tuple[Block | SortedNeighbourhood, ...]:
    return (
        *(Block((column,), max_size=30) for column in extra),
        Block(("name_core", "name_trading"), max_size=50),
        Block(("name_sorted",), max_size=50),
        Block(("postcode",), max_size=40),
        Block(("first_outward",), max_size=40),
        Block(("address_key",), max_size=20),
        # a typo after the first letters, with no key in common: at best a review pair, so a narrow window
        SortedNeighbourhood("name_core", window=3),
    )


def prepare_organisations(organisations: pd.DataFrame) -> pd.DataFrame:
    """CRM organisations as matcher input, indexed by org_id (deleted ones left out)."""
    live = organisations
    if "is_deleted" in organisations.columns:
        live = organisations[~organisations["is_deleted"].fillna(False).astype(bool)]
    frame = company_name_columns(_column(live, "name"))
    postcode = _apply(_column(live, "postcode"), normalise_postcode)
    website = _apply(_column(live, "website"), website_domain)
    domain = website.where(website.notna(), _apply(_column(live, "email_domain"), registrable_domain))
    frame["domain"] = domain
    frame["postcode"] = postcode
    _place_keys(frame, postcode, _column(live, "address"))
    frame["vat"] = _apply(_column(live, "vat_number"), normalise_vat_number)
    frame["company_number"] = _apply(_column(live, "company_number"), company_number)
    frame["xero_contact_id"] = _column(live, "xero_contact_id")
    frame.index = _column(live, "org_id").astype(str).to_numpy()
    return frame


def _company_keys(phone: bool, email: bool) -> tuple[Exact | Best | Fuzzy, ...]:
    keys: list[Exact | Best | Fuzzy] = [
        Exact("vat_number", "vat", agree=10, disagree=-10),
        Exact("company_number", "company_number", agree=10, disagree=-10),
        Exact("legal_form", "legal_form", agree=0, disagree=-3),
        Exact("postcode", "postcode", agree=3, disagree=-2),
        Fuzzy("street", ("street",), levels=((95, 2), (80, 1)), below=-1),
    ]
    if email:
        # a shared mailbox (accounts@) is as good as the domain it sits on, a little better
        keys.append(Best("email", (Exact("email", "email", 8, -1), Exact("domain", "domain", 7, -1))))
    else:
        keys.append(Exact("domain", "domain", agree=7, disagree=-1))
    if phone:
        keys.append(Exact("phone", "phone", agree=5, disagree=-1))
    return tuple(keys)


ORGANISATIONS = MatcherConfig(
    comparators=(
        _company_name_comparator(),
        *_company_keys(phone=False, email=False),
        # two CRM records linked to the same Xero contact are one customer as far as the books go
        Exact("xero_contact_id", "xero_contact_id", agree=8, disagree=-2),
    ),
    blocking=_company_blocking(("vat", "company_number", "domain", "xero_contact_id")),
    bands=COMPANY_BANDS,
)


def prepare_xero_contacts(contacts: pd.DataFrame) -> pd.DataFrame:
    """Xero contacts as matcher input, indexed by ContactID (see `workbench.profile.duplicates` for
    which contacts are left out)."""
    frame = company_name_columns(_column(contacts, "name"))
    postcode = _apply(_column(contacts, "postcode"), normalise_postcode)
    frame["email"] = _apply(_column(contacts, "email"), normalise_email)
    frame["domain"] = _apply(_hosts(frame["email"]), _business_domain)
    frame["phone"] = _apply(_column(contacts, "phone"), normalise_phone)
    frame["postcode"] = postcode
    _place_keys(frame, postcode, _column(contacts, "address"))
    frame["vat"] = _apply(_column(contacts, "tax_number"), normalise_vat_number)
    frame["company_number"] = _apply(_column(contacts, "company_number"), company_number)
    person = _column(contacts, "first_name").fillna("") + " " + _column(contacts, "last_name").fillna("")
    frame["person"] = _apply(person, lambda p: " ".join(person_name_tokens(p)) or None)
    frame.index = _column(contacts, "contact_id").astype(str).to_numpy()
    return frame


XERO_CONTACTS = MatcherConfig(
    comparators=(
        _company_name_comparator(),
        *_company_keys(phone=True, email=True),
        # the contact person on the record: a duplicate is usually keyed in for the same person
        Exact("contact_person", "person", agree=2, disagree=0),
    ),
    blocking=_company_blocking(("vat", "company_number", "email", "domain", "phone")),
    bands=COMPANY_BANDS,
)

# --- people -----------------------------------------------------------------------------------------
# Mailboxes a team shares: the same address on two people says nothing about them being one person.
ROLE_MAILBOXES = frozenset(
    {
        "info", "accounts", "account", "sales", "admin", "office", "hello", "enquiries", "enquiry",
        "contact", "finance", "billing", "invoices", "invoice", "support", "team", "reception", "mail",
        "payments", "purchasing", "orders", "bookings", "hr", "jobs", "marketing", "noreply", "no-reply",
    }
)  # fmt: skip


def personal_email(email: str | None) -> str | None:
    address = normalise_email(email)
    if address is None or address.split("@")[0] in ROLE_MAILBOXES:
        return None
    return address


def _words(values: pd.Series) -> pd.Series:
    return _apply(values, lambda n: " ".join(person_name_tokens(n)) or None)


def prepare_people(people: pd.DataFrame) -> pd.DataFrame:
    """CRM people as matcher input, indexed by person_id (deleted ones left out)."""
    live = people
    if "is_deleted" in people.columns:
        live = people[~people["is_deleted"].fillna(False).astype(bool)]
    first = _words(_column(live, "first_name"))
    last = _words(_column(live, "last_name"))
    full = pd.Series([None] * len(live), index=live.index, dtype=object)
    missing = (first.isna() | last.isna()).to_numpy()
    if missing.any():
        full[missing] = _words(_column(live, "name")[missing])
    # first_name/last_name when the CRM has them, else the first and last words of the full name
    given, family = [], []
    for f, la, n in zip(first, last, full, strict=True):
        words = n.split() if n else []
        given.append(f.split()[0] if f else (words[0] if len(words) > 1 else None))
        family.append(la or (words[-1] if words else None))
    frame = pd.DataFrame({"given": given, "family": family}, index=live.index, dtype=object)
    frame["given_formal"] = _apply(frame["given"], formal_given_name)
    frame["full"] = [" ".join(w for w in (g, f) if w) or None for g, f in zip(given, family, strict=True)]
    frame["email"] = _apply(_column(live, "email"), personal_email)
    frame["phone"] = _apply(_column(live, "phone"), normalise_phone)
    frame["org_id"] = _column(live, "org_id")
    frame.index = _column(live, "person_id").astype(str).to_numpy()
    return frame


PEOPLE = MatcherConfig(
    comparators=(
        Exact("email", "email", agree=9, disagree=-2),
        # office lines are shared by colleagues: weak on its own
        Exact("phone", "phone", agree=3, disagree=-1),
        # a namesake at another organisation on another phone is someone else
        Exact("organisation", "org_id", agree=2, disagree=-2),
        Best(
            "family_name",
            (
                Exact("family_name", "family", agree=5, disagree=-5),
                Fuzzy("family_name", ("family",), levels=((92, 3), (85, 1)), below=-5, scorer="jaro_winkler"),
            ),
        ),
        Best(
            "given_name",
            (
                Exact("given_name", "given_formal", agree=4, disagree=-4),  # Bob = Robert
                Prefix("given_initial", "given", agree=1, disagree=-4),  # J. = John
                Fuzzy("given_name", ("given",), levels=((92, 2),), below=-4, scorer="jaro_winkler"),
            ),
        ),
    ),
    blocking=(
        Block(("email",), max_size=20),
        Block(("phone",), max_size=30),
        Block(("org_id",), max_size=60),
        SortedNeighbourhood("full", window=3),
    ),
    bands=Bands(certain=15, likely=10, possible=7),
)
