"""How a UK bookkeeper reads names: company names (core, legal form, qualifiers, trading name) and
person names, each reduced to a form two records can be compared on; the contact keys (emails,
domains, phones, postcodes, VAT numbers) are read by `workbench.profile.contact_keys` and importable
from here too.

Everything here is a pure function of one value and returns `None` (or `""` for names) when the value
carries nothing comparable, so a blank never "agrees" with another blank. The readings are cached: the
same business appears in the CRM and in Xero, and several analyses read the same names.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from workbench.profile.contact_keys import (
    email_domain,
    is_free_mail_domain,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    normalise_vat_number,
    postcode_outward,
    registrable_domain,
    website_domain,
)
from workbench.profile.text import CACHE_SIZE as _CACHE
from workbench.profile.text import fold

# the contact-key readings live in `contact_keys`; importing them from here keeps one front door
__all__ = [
    "NICKNAMES",
    "CompanyName",
    "canonical_company_name",
    "canonical_person_name",
    "email_domain",
    "fold",
    "formal_given_name",
    "is_free_mail_domain",
    "name_words",
    "normalise_email",
    "normalise_phone",
    "normalise_postcode",
    "normalise_vat_number",
    "parse_company_name",
    "person_name_tokens",
    "postcode_outward",
    "registrable_domain",
    "website_domain",
]

# --- company names ----------------------------------------------------------------------------------
# Legal forms, longest first when matched, each mapped to one canonical token. UK and Irish forms come
# from the ISO 20275 (GLEIF ELF) GB/IE rows incl. their Welsh and Irish abbreviations; the foreign forms
# are the ones a UK business's overseas customers carry. Keys are written as they read after
# `_tokens` (dots dropped, punctuation to spaces, "&" as "and").
_FORM_VARIANTS: dict[str, tuple[str, ...]] = {
    # private limited company (Welsh cyfyngedig, Irish teoranta)
    "ltd": ("ltd", "limited", "private limited company", "limited company", "cyf", "cyfyngedig",
            "cwmni cyfyngedig", "teo", "teoranta", "pvt ltd", "pte ltd", "pte", "pty ltd", "pty"),
    # public limited company (Welsh ccc, Irish cpt)
    "plc": ("plc", "public limited company", "public limited co", "ccc", "cwmni cyfyngedig cyhoeddus",
            "cpt"),
    "llp": ("llp", "limited liability partnership", "pac", "partneriaeth atebolrwydd cyfyngedig"),
    "lp": ("lp", "limited partnership", "ilp"),
    "cic": ("cic", "community interest company", "cbc", "cwmni buddiant cymunedol"),
    "cio": ("cio", "charitable incorporated organisation"),
    "clg": ("clg", "ctr", "limited by guarantee", "company limited by guarantee"),
    # Irish designated activity / unlimited companies, ICAV
    "dac": ("dac", "designated activity company", "cga"),
    "unltd": ("unlimited", "unlimited company", "uc", "ulc", "puc", "pulc"),
    "icav": ("icav",),
    # "& Co", "Company": the weakest form, reported only when nothing stronger is present
    "co": ("co", "and co", "company", "and company"),
    # overseas customers
    "inc": ("inc", "incorporated"),
    "corp": ("corp", "corporation"),
    "llc": ("llc",),
    "gmbh": ("gmbh", "gmbh and co kg"),
    **{form: (form,) for form in ("ag", "kg", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "ab", "aps",
                                  "asa", "oy", "sl")},
}  # fmt: skip
_LEGAL_FORMS = {variant: form for form, variants in _FORM_VARIANTS.items() for variant in variants}
# last word of a form -> the word counts of the forms ending in it, longest first
_ENDINGS: dict[str, tuple[int, ...]] = {}
for _form in _LEGAL_FORMS:
    _ENDINGS[_form.split()[-1]] = tuple(
        sorted({*_ENDINGS.get(_form.split()[-1], ()), len(_form.split())}, reverse=True)
    )
# Annotations bookkeepers put in names (Xero forces unique names, so a second record of the same
# business is often renamed "... (old)" or "... - do not use"). Parenthesised, they are qualifiers.
_ANNOTATIONS = frozenset(
    {"uk", "gb", "old", "new", "do not use", "dont use", "dnu", "duplicate", "dup", "archived", "closed",
     "inactive", "not used"}
)  # fmt: skip
# Bare words that qualify rather than name when they end a name: "Acme UK Ltd" is Acme's UK arm.
_TRAILING_QUALIFIERS = frozenset({"uk", "gb"})
_TRADING_AS = re.compile(r"\s(?:t\s*/\s*a|t/as|trading\s+as|trading\s+under)\s", re.IGNORECASE)
_PARENS = re.compile(r"[(\[]([^)\]]*)[)\]]")
_DASH = re.compile(r"\s[-–—]+\s")
_DROPPED = re.compile(r"[.'’`]")
_BREAKS = re.compile(r"[^0-9a-z]+")


class CompanyName(NamedTuple):
    """A company name read into parts: `core` is what identifies the business.

    `legal_form` is one canonical token (`ltd`, `plc`, `llp`, `lp`, `cic`, `co`, ...) kept as evidence:
    "Jones LLP" and "Jones Ltd" share a core but are different legal entities. `trading_name` is the
    canonical core of a "t/a" name.
    """

    core: str
    legal_form: str | None = None
    qualifiers: tuple[str, ...] = ()
    trading_name: str | None = None


# ASCII fast path of `_tokens`: a byte table turning every non-alphanumeric into a space.
_ASCII_BREAKS = bytes(c if c < 128 and chr(c).isalnum() else 32 for c in range(256))


def _tokens(text: str) -> list[str]:
    """Folded words: dots and apostrophes dropped ("A.C.M.E." -> "acme"), "&"/"+" as "and", every
    other punctuation mark a word break ("Smith-Jones" -> "smith jones")."""
    text = fold(text)
    text = text.replace("&", " and ").replace("+", " and ")
    if text.isascii():
        return text.encode().translate(_ASCII_BREAKS, b".'`").decode().split()
    return _BREAKS.sub(" ", _DROPPED.sub("", text)).split()


def name_words(text: str) -> list[str]:
    """Folded words of any name or address line: "St. John's Road" -> ["st", "johns", "road"]."""
    return _tokens(text)


def _strip_forms(words: list[str]) -> tuple[list[str], list[str]]:
    """Remove legal forms from the end of `words` (repeatedly: "Acme Co. Ltd" has two), longest first."""
    forms: list[str] = []
    while len(words) > 1:
        for n in _ENDINGS.get(words[-1], ()):
            form = _LEGAL_FORMS.get(" ".join(words[-n:])) if n < len(words) else None
            if form is not None:
                forms.append(form)
                words = words[:-n]
                break
        else:
            break
    return words, forms


def _read_legal_part(text: str) -> tuple[str, str | None, tuple[str, ...]]:
    qualifiers: list[str] = []

    def annotation(match: re.Match[str]) -> str:
        inner = " ".join(_tokens(match.group(1)))
        if inner in _ANNOTATIONS or inner in _LEGAL_FORMS:
            qualifiers.append(inner)
            return " " if inner in _ANNOTATIONS else f" {inner} "
        return f" {match.group(1)} "

    if "(" in text or "[" in text:
        text = _PARENS.sub(annotation, text)
    qualifiers = [q for q in qualifiers if q in _ANNOTATIONS]
    # "Acme Ltd - old", "Acme Ltd -- DO NOT USE"
    dash = _DASH.split(text) if "-" in text or "–" in text or "—" in text else [text]
    if len(dash) > 1 and " ".join(_tokens(dash[-1])) in _ANNOTATIONS:
        qualifiers.append(" ".join(_tokens(dash[-1])))
        text = " ".join(dash[:-1])
    words = _tokens(text)
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    words, forms = _strip_forms(words)
    while len(words) > 1 and words[-1] in _TRAILING_QUALIFIERS:
        qualifiers.append(words.pop())
        words, more = _strip_forms(words)
        forms.extend(more)
    strong = [f for f in forms if f != "co"]
    form = strong[0] if strong else (forms[0] if forms else None)
    return " ".join(words), form, tuple(dict.fromkeys(qualifiers))


@lru_cache(maxsize=_CACHE)
def parse_company_name(name: str | None) -> CompanyName:
    """`"The Acme (UK) Trading Co. Ltd t/a Acme"` -> core `acme trading`, form `ltd`, qualifiers
    `("uk",)`, trading name `acme`."""
    if not name or not str(name).strip():
        return CompanyName("")
    legal, _, trading = _split_trading(str(name))
    core, form, qualifiers = _read_legal_part(legal)
    trading_core = _read_legal_part(trading)[0] if trading else None
    return CompanyName(core, form, qualifiers, trading_core or None)


def _split_trading(name: str) -> tuple[str, str, str]:
    parts = _TRADING_AS.split(f" {name} ", maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        return parts[0], "t/a", parts[1]
    return name, "", ""


def canonical_company_name(name: str | None) -> str:
    """The identifying core of a company name: "ACME (UK) LIMITED" and "Acme Ltd." -> "acme"."""
    return parse_company_name(name).core


# --- person names -----------------------------------------------------------------------------------
_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lady", "lord", "rev", "revd"}
)
_SUFFIXES = frozenset(
    {"jr", "jnr", "sr", "snr", "ii", "iii", "iv", "phd", "obe", "mbe", "cbe", "qc", "kc", "esq"}
)


def person_name_tokens(name: str | None) -> list[str]:
    """Folded given-to-family words without titles and post-nominals; "Smith, John" reads "john smith"."""
    if not name or not str(name).strip():
        return []
    text = str(name)
    if text.count(",") == 1:
        family, given = text.split(",")
        if given.strip() and family.strip() and len(_tokens(family)) <= 2:
            text = f"{given} {family}"
    words = _tokens(text)
    while len(words) > 1 and words[0] in _TITLES:
        words = words[1:]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words = words[:-1]
    return words


def canonical_person_name(name: str | None) -> str:
    """ "  Dr. JOHN  O'Brien-Smith " -> "john obrien smith"."""
    return " ".join(person_name_tokens(name))


# Common English given-name short forms -> the formal name they stand for (the synonym lists CRM
# dedupe tools ship, e.g. Bill/William). A short form that serves several names maps to the commonest.
_NICKNAMES_TEXT = """
    abby=abigail abbie=abigail al=alan alex=alexander alf=alfred andy=andrew drew=andrew tony=anthony
    ant=anthony bart=bartholomew ben=benjamin benny=benjamin bert=albert bertie=albert bob=robert
    bobby=robert rob=robert robbie=robert bill=william billy=william will=william liam=william
    brad=bradley cathy=catherine kate=katherine katie=katherine kathy=katherine kat=katherine
    chris=christopher kit=christopher chuck=charles charlie=charles dan=daniel danny=daniel
    dave=david davy=david di=diana dick=richard rick=richard ricky=richard rich=richard
    ed=edward eddie=edward ted=edward ned=edward liz=elizabeth beth=elizabeth lizzie=elizabeth
    betty=elizabeth eliza=elizabeth fred=frederick freddie=frederick gerry=gerald greg=gregory
    harry=henry hal=henry jack=john johnny=john jim=james jimmy=james jamie=james jen=jennifer
    jenny=jennifer jeff=jeffrey joe=joseph joey=joseph jo=joanne jon=jonathan josh=joshua
    ken=kenneth kenny=kenneth larry=lawrence len=leonard leo=leonard maggie=margaret meg=margaret
    peggy=margaret marge=margaret matt=matthew max=maximilian mike=michael mick=michael mickey=michael
    nat=nathan nate=nathan nick=nicholas nicky=nicola pat=patrick patty=patricia pete=peter phil=philip
    ray=raymond reg=reginald ron=ronald ronnie=ronald rosie=rosemary sam=samuel sammy=samuel
    sandy=alexandra sally=sarah steve=stephen stevie=stephen sue=susan susie=susan ted=edward
    terry=terence tim=timothy tom=thomas tommy=thomas becky=rebecca becca=rebecca vicky=victoria
    vic=victor wendy=gwendolyn zach=zachary zac=zachary zak=zachary nikki=nicola
    """
NICKNAMES: dict[str, str] = dict(pair.split("=") for pair in _NICKNAMES_TEXT.split())


def formal_given_name(given: str | None) -> str:
    """A folded given name with a common short form expanded: "Bob" -> "robert", "Robert" -> "robert"."""
    word = " ".join(_tokens(given or ""))
    return NICKNAMES.get(word, word)
