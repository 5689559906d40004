"""What makes two CRM organisations, two CRM people or two Xero contacts one real entity: the matcher
configuration for each (over the columns `workbench.profile.duplicate_columns` prepares).

Points are roughly log2 likelihood ratios (how much likelier the outcome is for one business than for
two), set from what each key means in UK bookkeeping rather than fitted to any one client:

- a VAT or Companies House number identifies one legal entity (+10); two different ones are two
  entities (-10), whatever the names say;
- a business email domain or a phone line belongs to one business (+7, +5), but a business can have
  several (-1 when they differ);
- a UK postcode and street are shared by the businesses in one building (+3, +2; a postcode abroad is
  often a whole district, +1); a different address
  (-3, -1) is a conflict but not a verdict: a business moves, and a record per branch (one mailbox and
  phone line, other addresses) is still one business, a likely duplicate with the addresses named
  against it;
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

from workbench.profile.blocking import Block, SortedNeighbourhood
from workbench.profile.comparators import Best, Edits, Exact, Fuzzy, Prefix
from workbench.profile.matcher import Bands, MatcherConfig

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
        Block(("postcode_uk", "postcode_abroad"), max_size=40),
        Block(("first_outward",), max_size=40),
        Block(("address_key",), max_size=20),
        # a typo after the first letters with no key in common is at best a review pair: the next name
        # in sort order is enough of a window for those
        SortedNeighbourhood("name_core", window=2),
    )


def _company_keys(phone: bool, email: bool) -> tuple[Exact | Best | Fuzzy, ...]:
    keys: list[Exact | Best | Fuzzy] = [
        Exact("vat_number", "vat", agree=10, disagree=-10),
        Exact("company_number", "company_number", agree=10, disagree=-10),
        Exact("legal_form", "legal_form", agree=0, disagree=-3),
        Exact("postcode", "postcode_uk", agree=3, disagree=-3),
        Exact("postcode_abroad", "postcode_abroad", agree=1, disagree=-3),
        Fuzzy("street", ("street",), levels=((95, 2), (80, 1)), below=-1),
    ]
    if email:
        # a shared mailbox (accounts@) is as good as the domain it sits on, a little better
        keys.append(
            Best("email_or_domain", (Exact("email", "email", 8, -1), Exact("domain", "domain", 7, -1)))
        )
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
# A personal email address is one person (+9; role mailboxes are dropped when prepared); an office
# phone and an organisation are shared by colleagues (+3, +2); the family name (+5, a typo +3) and the
# given name (+4 incl. Bob = Robert, an initial +1) must agree, a clear difference in either is a
# different person (-5, -4), and so are middle initials that cannot match (-7). Bands: certain >= 15
# (email and name), likely >= 10 (name and the organisation and phone, or email and a near name),
# possible >= 7.
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
                Exact("family_same", "family", agree=5, disagree=-5),
                Fuzzy(
                    "family_similar", ("family",), levels=((92, 3), (85, 1)), below=-5, scorer="jaro_winkler"
                ),
            ),
        ),
        Best(
            "given_name",
            (
                Exact("given_same", "given_formal", agree=4, disagree=-4),  # Bob = Robert
                Prefix("given_initial", "given", agree=1, disagree=-4),  # J. = John
                Fuzzy("given_similar", ("given",), levels=((92, 2),), below=-4, scorer="jaro_winkler"),
            ),
        ),
        # middle names or initials that cannot be the same ("R." against "B.") are two people
        Best(
            "middle_name",
            (Exact("middle_same", "middle", agree=0, disagree=-7), Prefix("middle_initial", "middle", 0, -7)),
        ),
    ),
    blocking=(
        Block(("email",), max_size=20),
        Block(("phone",), max_size=30),
        Block(("org_id",), max_size=60),
        SortedNeighbourhood("full", window=2),
    ),
    bands=Bands(certain=15, likely=10, possible=7),
)
