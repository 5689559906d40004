from __future__ import annotations

import pytest

from workbench.profile.names import (
    CompanyName,
    canonical_company_name,
    canonical_person_name,
    email_domain,
    formal_given_name,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    normalise_vat_number,
    parse_company_name,
    postcode_outward,
    website_domain,
)

# The 29 UK/IE variants of matching.md §3 (plus the §10 expectations), as a bookkeeper reads them.
COMPANY_VARIANTS = [
    ("ACME Ltd", "acme", "ltd", ()),
    ("Acme Limited", "acme", "ltd", ()),
    ("ACME LTD.", "acme", "ltd", ()),
    ("Acme Ltd (UK)", "acme", "ltd", ("uk",)),
    ("ACME (UK) LIMITED", "acme", "ltd", ("uk",)),
    ("Acme Holdings plc", "acme holdings", "plc", ()),
    ("Acme Holdings P.L.C.", "acme holdings", "plc", ()),
    ("Acme Holdings Public Limited Company", "acme holdings", "plc", ()),
    ("Smith & Co", "smith", "co", ()),
    ("Smith & Co Ltd", "smith", "ltd", ()),
    ("Smith and Co.", "smith", "co", ()),
    ("Jones LLP", "jones", "llp", ()),
    ("Jones L.L.P.", "jones", "llp", ()),
    ("Jones Limited Liability Partnership", "jones", "llp", ()),
    ("Cwmni Cyf", "cwmni", "ltd", ()),
    ("Cwmni Cyfyngedig", "cwmni", "ltd", ()),
    ("Ceol Teoranta", "ceol", "ltd", ()),
    ("Ceol Teo", "ceol", "ltd", ()),
    ("Ceol DAC", "ceol", "dac", ()),
    ("Ceol Designated Activity Company", "ceol", "dac", ()),
    ("Ceol Unlimited Company", "ceol", "unltd", ()),
    ("Green CIC", "green", "cic", ()),
    ("Green Community Interest Company", "green", "cic", ()),
    ("The Acme Company Ltd", "acme", "ltd", ()),
    ("Acme Co. Ltd", "acme", "ltd", ()),
    ("A.C.M.E. Ltd", "acme", "ltd", ()),
    ("Acme Trading Ltd t/a Acme", "acme trading", "ltd", ()),
    ("Co-op Ltd", "co op", "ltd", ()),
    ("Ltd", "ltd", None, ()),
]


@pytest.mark.parametrize(("name", "core", "form", "qualifiers"), COMPANY_VARIANTS)
def test_company_variants_read_like_a_bookkeeper(
    name: str, core: str, form: str | None, qualifiers: tuple[str, ...]
) -> None:
    parsed = parse_company_name(name)
    assert (parsed.core, parsed.legal_form, parsed.qualifiers) == (core, form, qualifiers)
    assert canonical_company_name(name) == core


def test_trading_name_is_split_off() -> None:
    assert parse_company_name("Acme Trading Ltd t/a Acme") == CompanyName("acme trading", "ltd", (), "acme")
    assert (
        parse_company_name("Bloggs Holdings Limited trading as Bloggs & Sons").trading_name
        == "bloggs and sons"
    )
    assert parse_company_name("J Smith T/A Smith Plumbing").core == "j smith"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Smith & Jones Ltd", "Smith and Jones Limited"),
        ("The Old Barn Ltd", "Old Barn Limited"),
        ("Café Crème Ltd", "CAFE CREME LTD"),
        ("Acme Ltd (old)", "Acme Limited"),
        ("Acme Ltd - DO NOT USE", "ACME LTD."),
        ("Acme UK Ltd", "Acme Limited"),
        ("  Acme   Ltd ", "Acme Ltd"),
        ("Smith-Jones Ltd", "Smith Jones Ltd"),
        ("O'Neill's Bar Ltd", "ONeills Bar Limited"),
    ],
)
def test_same_business_same_core(a: str, b: str) -> None:
    assert canonical_company_name(a) == canonical_company_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Northern Trust Ltd", "Southern Trust Ltd"),
        ("Acme Holdings Ltd", "Acme Ltd"),
        ("Smith & Jones Ltd", "Smith Ltd"),
    ],
)
def test_different_businesses_keep_different_cores(a: str, b: str) -> None:
    assert canonical_company_name(a) != canonical_company_name(b)


def test_legal_form_is_kept_as_evidence() -> None:
    assert parse_company_name("Jones LLP").legal_form != parse_company_name("Jones Ltd").legal_form
    assert parse_company_name("Acme GmbH").legal_form == "gmbh"
    assert parse_company_name("Acme Inc.").legal_form == parse_company_name("Acme Incorporated").legal_form


def test_blank_company_name() -> None:
    assert parse_company_name(None) == CompanyName("")
    assert canonical_company_name("   ") == ""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("  Dr. JOHN  O'Brien-Smith ", "john obrien smith"),
        ("Smith, John", "john smith"),
        ("Mrs Jane Doe MBE", "jane doe"),
        ("José Álvarez", "jose alvarez"),
        ("", ""),
        (None, ""),
    ],
)
def test_canonical_person_name(name: str | None, expected: str) -> None:
    assert canonical_person_name(name) == expected


def test_nicknames_expand_to_the_formal_name() -> None:
    assert formal_given_name("Bob") == formal_given_name("Robert") == "robert"
    assert formal_given_name("BILL") == "william"
    assert formal_given_name("Xanthe") == "xanthe"


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("jo@acme.co.uk", "acme.co.uk"),
        (" Jo.Bloggs@Mail.ACME.co.uk ", "acme.co.uk"),
        ("someone@gmail.com", None),
        ("someone@hotmail.co.uk", None),
        ("someone@yahoo.fr", None),
        ("someone@btinternet.com", None),
        ("someone@icloud.com", None),
        ("not an email", None),
        (None, None),
    ],
)
def test_email_domain(email: str | None, expected: str | None) -> None:
    assert email_domain(email) == expected


def test_normalise_email_keeps_free_mail() -> None:
    assert normalise_email(" Jo.Bloggs@GMAIL.com ") == "jo.bloggs@gmail.com"
    assert normalise_email("@acme.com") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.Acme.co.uk/about", "acme.co.uk"),
        ("acme.com", "acme.com"),
        ("http://shop.acme.com:8080", "acme.com"),
        ("www.bbc.co.uk", "bbc.co.uk"),
        ("", None),
        ("n/a", None),
    ],
)
def test_website_domain(url: str, expected: str | None) -> None:
    assert website_domain(url) == expected


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+44 (0)20 7946 0000", "02079460000"),
        ("0044 20 7946 0000", "02079460000"),
        ("020 7946 0000", "02079460000"),
        ("+44 020 7946 0000", "02079460000"),
        ("442079460000", "02079460000"),
        ("07700 900123 ext. 12", "07700900123"),
        ("+33 1 23 45 67 89", "+33123456789"),
        ("123", None),
        (None, None),
    ],
)
def test_normalise_phone(phone: str | None, expected: str | None) -> None:
    assert normalise_phone(phone) == expected


def test_postcodes() -> None:
    assert normalise_postcode("sw1a1aa") == normalise_postcode(" SW1A  1AA ") == "SW1A 1AA"
    assert postcode_outward("m1 1ae") == "M1"
    assert normalise_postcode("75008") == "75008"
    assert postcode_outward("75008") is None
    assert normalise_postcode("  ") is None


@pytest.mark.parametrize(
    ("vat", "expected"),
    [
        ("GB 980 7806 84", "980780684"),
        ("gb 980-780-684", "980780684"),
        ("980780684", "980780684"),
        ("GB980780684001", "980780684"),
        ("IE6388047V", "IE6388047V"),
        ("GD001", "GD001"),
        ("", None),
    ],
)
def test_normalise_vat_number(vat: str, expected: str | None) -> None:
    assert normalise_vat_number(vat) == expected
