"""Name material for a UK SMB's customers and suppliers: people, companies, towns, streets, postcodes.

Pools are plain tuples; `CompanyNamer` and `PersonNamer` draw from them and guarantee that no two
generated names collide once normalised (duplicates are only ever planted on purpose).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass


def _items(text: str) -> tuple[str, ...]:
    """A pool written as comma-separated text (keeps the data compact and diff-friendly)."""
    return tuple(" ".join(item.split()) for item in text.split(",") if item.strip())


FIRST_NAMES = _items(
    """
    Oliver, George, Harry, Jack, Jacob, Noah, Charlie, Thomas, Oscar, William, James, Henry, Leo, Alfie,
    Joshua, Freddie, Archie, Ethan, Isaac, Alexander, Joseph, Edward, Samuel, Max, Daniel, Arthur, Lucas,
    Mohammed, Logan, Theo, Harrison, Benjamin, Mason, Sebastian, Finley, Adam, Dylan, Zachary, Riley, Teddy,
    Robert, Michael, David, Richard, Peter, Paul, Mark, Stephen, Andrew, Christopher, Matthew, Anthony,
    Simon, Gareth, Rhys, Owen, Callum, Ross, Fraser, Euan, Ravi, Arjun, Imran, Tariq, Kwame, Tomasz, Piotr,
    Marek, Ciaran, Niall, Olivia, Amelia, Isla, Ava, Emily, Isabella, Mia, Poppy, Ella, Lily, Sophie, Grace,
    Evie, Chloe, Jessica, Charlotte, Lucy, Hannah, Ruby, Freya, Elizabeth, Katherine, Margaret, Susan,
    Sarah, Rebecca, Rachel, Laura, Emma, Claire, Nicola, Joanne, Helen, Victoria, Alison, Fiona, Siobhan,
    Catriona, Eilidh, Megan, Priya, Anjali, Aisha, Fatima, Zara, Amara, Agnieszka, Magdalena, Aoife, Niamh,
    Jennifer, Natalie, Gemma, Jade, Abigail, Harriet, Imogen, Phoebe, Eleanor, Beatrice
    """
)
SURNAMES = _items(
    """
    Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Robinson, Wright, Thompson, Evans,
    Walker, White, Roberts, Green, Hall, Wood, Jackson, Clarke, Patel, Khan, Ahmed, Singh, Shah, Hussain,
    Begum, Ali, Chaudhry, Mistry, Hughes, Edwards, Lewis, Harris, Morgan, Price, Griffiths, Owen, Rees,
    Jenkins, Campbell, Stewart, Murray, MacDonald, Fraser, Ross, Reid, Robertson, Paterson, Grant, Kelly,
    Murphy, Byrne, Walsh, Doyle, Brennan, Gallagher, Quinn, Kennedy, Doherty, Turner, Cooper, Hill, Ward,
    Morris, Moore, Clark, Lee, King, Baker, Harrison, Morton, Lawson, Fletcher, Marshall, Holmes, Mills,
    Knight, Palmer, Lloyd, Parker, Bennett, Watson, Gray, Cook, Bailey, Richardson, Chapman, Webb, Barker,
    Atkinson, Whitmore, Ashworth, Pemberton, Hargreaves, Ainsworth, Blackwood, Cartwright, Drummond,
    Ellison, Fairbairn, Gillespie, Hollins, Ingram, Jefferson, Kershaw, Lockwood, Merriman, Northcott,
    Oakley, Prendergast, Quarmby, Rowntree, Sutcliffe, Thornton, Underwood, Vickers, Wainwright, Yardley,
    Ackroyd, Bramley, Calloway, Dunmore, Eastwood, Fenwick, Goodall, Heseltine, Illingworth, Jowett,
    Kitchen, Lambert, Metcalfe, Nuttall, Ormerod, Pickering, Radcliffe, Stansfield, Tattersall, Uttley,
    Wardle, Bhatt, Desai, Joshi, Kapoor, Malik, Nair, Rahman, Sandhu, Okafor, Mensah, Adeyemi, Nowak,
    Kowalski, Novak, Rossi, Silva, Costa, Fernandes, Dubois, Schmidt, Muller, Jansen, Abbott, Beaumont,
    Carrington, Dalton, Everett, Forsyth, Gordon, Hamilton, Irving, Kemp, Lindsay, Maxwell, Nicholson,
    Osborne, Pritchard, Ramsay, Sinclair, Tennant, Vaughan, Whitfield, Yates, Archer, Bolton, Crowther,
    Denton, Elliott, Foster, Gibson, Hayward, Jarvis, Kirby, Leach, Middleton, Nash, Oliver, Payne, Riley
    """
)
_NICKNAMES = """
    Robert=Bob William=Bill Richard=Dick Elizabeth=Liz Katherine=Kate Margaret=Maggie Michael=Mike
    Christopher=Chris Alexander=Alex Daniel=Dan Matthew=Matt Anthony=Tony Benjamin=Ben Samuel=Sam Joseph=Joe
    Edward=Ed Thomas=Tom Jennifer=Jen Rebecca=Becky Victoria=Vicky Abigail=Abby Stephen=Steve Andrew=Andy
    Nicola=Nicky Zachary=Zach
    """
NICKNAMES = dict(pair.split("=") for pair in _NICKNAMES.split())
# What a company does, by sector: the sector drives its products and its VAT treatment.
# What a company does, by sector: the sector drives its products and its VAT treatment.
TRADES = {
    "Construction": _items(
        """
        Builders, Construction, Joinery, Roofing, Scaffolding, Plastering, Groundworks, Civil Engineering,
        Electrical Contractors, Plumbing and Heating, Brickwork, Shopfitting, Demolition, Flooring, Glazing
        """
    ),
    "Manufacturing": _items(
        """
        Engineering, Fabrications, Precision Engineering, Plastics, Packaging, Printing, Foundry,
        Components, Metalworks, Textiles, Furniture Makers, Tooling, Coatings, Electronics
        """
    ),
    "Professional services": _items(
        """
        Consulting, Associates, Partners, Accountants, Solicitors, Surveyors, Architects, Recruitment,
        Marketing, Design Studio, Advisory, Communications, Financial Planning
        """
    ),
    "Retail": _items(
        """
        Stores, Interiors, Furnishings, Gifts, Outfitters, Bakery, Garden Centre, Home and Living, Cycles,
        Wines
        """
    ),
    "Hospitality": _items(
        """
        Hotels, Inns, Catering, Events, Kitchen, Leisure, Coffee Roasters
        """
    ),
    "Technology": _items(
        """
        Software, Systems, Digital, Networks, Data, Technologies, Labs, Analytics, Cloud Services, Computing
        """
    ),
    "Education": _items(
        """
        Training, Academy, Learning, Tuition, Education Services, Skills
        """
    ),
    "Healthcare": _items(
        """
        Dental, Care, Pharmacy, Physiotherapy, Clinic, Veterinary, Opticians
        """
    ),
    "Charity": _items(
        """
        Trust, Foundation, Housing Association, Community Projects
        """
    ),
}
SECTORS = tuple(TRADES)
SUPPLIER_TRADES = _items(
    """
    Office Supplies, Couriers, Energy, Insurance Brokers, IT Services, Cleaning Services, Vehicle Leasing,
    Telecoms, Print Supplies, Facilities, Stationers, Hire Services
    """
)
SECTOR_WEIGHTS = (9, 11, 16, 9, 7, 14, 8, 8, 5)
BRAND_WORDS = _items(
    """
    Bluebell, Kestrel, Oakridge, Brightwater, Silverline, Greenleaf, Redwood, Ironbridge, Northgate,
    Westfield, Harbour, Summit, Keystone, Anchor, Beacon, Meridian, Apex, Vantage, Crescent, Falcon, Heron,
    Lantern, Mosaic, Orchard, Pinnacle, Quayside, Riverside, Sterling, Thistle, Unity, Vertex, Willow, Yew
    Tree, Acorn, Bramble, Copper Beech, Driftwood, Elmstone, Foxglove, Granite, Hawthorn, Ivybridge,
    Juniper, Kingfisher, Larkspur, Millstone, Nettle, Osprey, Primrose, Quarry, Rosewood, Saltire,
    Tidewater, Upland, Valley, Wren, Amberley, Blackthorn, Cobalt, Dovetail, Evergreen, Fernhill, Goldcrest,
    Highgate, Inkwell, Jubilee, Kiln, Lighthouse, Marble Arch, Northstar, Old Mill, Pebble, Redkite,
    Skylark, Tall Pines, Underhill, Whitecliff, Arrow, Bridgewater, Cornerstone, Daybreak, Ember, Flint,
    Gatehouse, Hilltop, Islay, Kelpie, Linden, Moorland, Nimbus, Oakwood, Puffin, Regent, Stag, Tamarind,
    Vale, Waterside, Zenith, Albion, Buttercross, Chalkstone, Dunlin, Eastgate, Firecrest
    """
)
REGION_WORDS = _items(
    """
    Pennine, Thames, Severn, Cotswold, Chiltern, Mersey, Tyne, Solent, Wessex, Mercia, Northumbria, Humber,
    Trent, Avon, Medway, Peak, Dales, Fenland, Weald, Mendip, Clyde, Forth, Tay, Cambrian, Snowdon, Exmoor,
    Dartmoor, Lakeland, Wolds, Broads
    """
)
STREETS = _items(
    """
    High, Station, Church, Mill, Victoria, Park, London, Main, Queen, King, North, South, West, Bridge,
    Market, Green, Manor, New, Grove, Albert, Chapel, York, Castle, Springfield, Meadow, Orchard, Windsor,
    Riverside, Canal, Wharf
    """
)
STREET_KINDS = ("Road", "Street", "Lane", "Avenue", "Way", "Close", "Court", "Place", "Parade", "Row")
UNIT_PLACES = ("Business Park", "Industrial Estate", "Trading Estate", "Enterprise Centre", "Technology Park")
# (town, nation, county, postcode area or London outward codes, phone area code)
TOWNS = tuple(
    tuple(row.strip().split("|"))
    for row in """
    London|England|Greater London|EC1V EC2A EC3M WC1X WC2H E1 E14 N1 N7 NW1 SE1 SE10 SW1V W1T W6|020
    Leeds|England|West Yorkshire|LS|0113
    Manchester|England|Greater Manchester|M|0161
    Birmingham|England|West Midlands|B|0121
    Bristol|England|Bristol|BS|0117
    Sheffield|England|South Yorkshire|S|0114
    Liverpool|England|Merseyside|L|0151
    Newcastle upon Tyne|England|Tyne and Wear|NE|0191
    Nottingham|England|Nottinghamshire|NG|0115
    Leicester|England|Leicestershire|LE|0116
    Coventry|England|West Midlands|CV|024
    Bradford|England|West Yorkshire|BD|01274
    Southampton|England|Hampshire|SO|023
    Portsmouth|England|Hampshire|PO|023
    Brighton|England|East Sussex|BN|01273
    Reading|England|Berkshire|RG|0118
    Oxford|England|Oxfordshire|OX|01865
    Cambridge|England|Cambridgeshire|CB|01223
    Norwich|England|Norfolk|NR|01603
    Ipswich|England|Suffolk|IP|01473
    Exeter|England|Devon|EX|01392
    Plymouth|England|Devon|PL|01752
    Bath|England|Somerset|BA|01225
    Gloucester|England|Gloucestershire|GL|01452
    Swindon|England|Wiltshire|SN|01793
    Milton Keynes|England|Buckinghamshire|MK|01908
    Northampton|England|Northamptonshire|NN|01604
    Peterborough|England|Cambridgeshire|PE|01733
    York|England|North Yorkshire|YO|01904
    Hull|England|East Riding of Yorkshire|HU|01482
    Derby|England|Derbyshire|DE|01332
    Stoke-on-Trent|England|Staffordshire|ST|01782
    Preston|England|Lancashire|PR|01772
    Warrington|England|Cheshire|WA|01925
    Chester|England|Cheshire|CH|01244
    Lincoln|England|Lincolnshire|LN|01522
    Guildford|England|Surrey|GU|01483
    Canterbury|England|Kent|CT|01227
    Chelmsford|England|Essex|CM|01245
    Luton|England|Bedfordshire|LU|01582
    Worcester|England|Worcestershire|WR|01905
    Harrogate|England|North Yorkshire|HG|01423
    Truro|England|Cornwall|TR|01872
    Bournemouth|England|Dorset|BH|01202
    Carlisle|England|Cumbria|CA|01228
    Cardiff|Wales|Cardiff|CF|029
    Swansea|Wales|Swansea|SA|01792
    Newport|Wales|Newport|NP|01633
    Wrexham|Wales|Wrexham|LL|01978
    Edinburgh|Scotland|City of Edinburgh|EH|0131
    Glasgow|Scotland|Glasgow City|G|0141
    Aberdeen|Scotland|Aberdeen City|AB|01224
    Dundee|Scotland|Dundee City|DD|01382
    Inverness|Scotland|Highland|IV|01463
    Belfast|Northern Ireland|Antrim|BT|028
    """.strip().splitlines()
)
# Foreign customers: (country code, country name, city, postcode pattern, phone prefix, legal forms, tld)
FOREIGN = {
    "IE": (
        "Ireland",
        (("Dublin", "D02"), ("Cork", "T12"), ("Galway", "H91"), ("Limerick", "V94")),
        "+353",
        ("Ltd", "Limited", "DAC"),
        "ie",
    ),
    "DE": (
        "Germany",
        (("Berlin", "10115"), ("Munich", "80331"), ("Hamburg", "20095"), ("Cologne", "50667")),
        "+49",
        ("GmbH",),
        "de",
    ),
    "FR": (
        "France",
        (("Paris", "75008"), ("Lyon", "69002"), ("Lille", "59000"), ("Bordeaux", "33000")),
        "+33",
        ("SAS", "SARL"),
        "fr",
    ),
    "NL": (
        "Netherlands",
        (("Amsterdam", "1012"), ("Rotterdam", "3011"), ("Utrecht", "3511"), ("Eindhoven", "5611")),
        "+31",
        ("B.V.",),
        "nl",
    ),
    "US": (
        "United States",
        (
            ("New York, NY", "10001"),
            ("Boston, MA", "02110"),
            ("Austin, TX", "78701"),
            ("Chicago, IL", "60601"),
        ),
        "+1",
        ("Inc.", "LLC"),
        "com",
    ),
}
FREE_MAIL = ("gmail.com", "outlook.com", "btinternet.com", "hotmail.co.uk", "yahoo.co.uk")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# Legal forms a generated stem may carry (display spelling); canonical forms for matching are in tests.
GB_FORMS = ("Ltd", "Ltd", "Ltd", "Ltd", "Limited", "Limited", "LLP", "PLC", "")
NON_WORD = re.compile(r"[^a-z0-9 ]+")


_DROP = str.maketrans("", "", "".join(chr(c) for c in range(128) if not (chr(c).isalnum() or chr(c) == " ")))


def name_key(stem: str) -> str:
    """A stem folded for collision checks: case, '&'/'and', punctuation and spacing ignored."""
    folded = stem.casefold().replace("&", " and ").translate(_DROP)
    if not folded.isascii():
        folded = NON_WORD.sub("", folded)
    return " ".join(folded.split())


@dataclass(frozen=True, slots=True)
class Town:
    name: str
    nation: str
    county: str
    outward: tuple[str, ...]
    area_code: str


TOWN_LIST = tuple(Town(t, n, c, tuple(o.split()), a) for t, n, c, o, a in TOWNS)
TOWN_WEIGHTS = tuple(8 if t.name == "London" else 3 if len(t.outward[0]) == 1 else 1 for t in TOWN_LIST)


def postcode(town: Town, rng: random.Random) -> str:
    """A real-format UK postcode for the town: outward code, space, digit and two letters."""
    if len(town.outward) > 1:
        outward = rng.choice(town.outward)
    else:
        outward = f"{town.outward[0]}{rng.randint(1, 19 if len(town.outward[0]) == 2 else 40)}"
    return f"{outward} {rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def street_line(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return f"Unit {rng.randint(1, 40)}, {rng.choice(BRAND_WORDS)} {rng.choice(UNIT_PLACES)}"
    return f"{rng.randint(1, 240)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"


def slug(text: str) -> str:
    return name_key(text).replace(" and ", "").replace(" ", "")


class CompanyNamer:
    """Company stems that are unique once folded (`name_key`), across every company of the client."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()
        self.domains: set[str] = set()

    def _draw(self, sector: str, wide: bool) -> str:
        rng = self.rng
        trade = rng.choice(TRADES.get(sector, SUPPLIER_TRADES))
        pick = rng.random()
        if wide:  # the roomier patterns, once the common ones start to collide on a big client
            if pick < 0.5:
                return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {trade}"
            if pick < 0.8:
                return f"{rng.choice(BRAND_WORDS)} {rng.choice(REGION_WORDS)} {trade}"
            first, second = rng.sample(SURNAMES, 2)
            return f"{first} & {second} {trade}"
        if pick < 0.28:
            return f"{rng.choice(SURNAMES)} {trade}"
        if pick < 0.42:
            first, second = rng.sample(SURNAMES, 2)
            return f"{first} & {second}" + (f" {trade}" if rng.random() < 0.5 else "")
        if pick < 0.60:
            return f"{rng.choice(REGION_WORDS)} {trade}"
        if pick < 0.90:
            return f"{rng.choice(BRAND_WORDS)} {trade}"
        if pick < 0.95:
            return f"{rng.choice(BRAND_WORDS)} {rng.choice(REGION_WORDS)} {trade}"
        letters = "ABCDEGHJKLMNPRSTW"
        return f"{rng.choice(letters)}{rng.choice(letters)} {rng.choice(SURNAMES)} {trade}"

    def stem(self, sector: str) -> str:
        for attempt in range(60):
            stem = self._draw(sector, attempt >= 3)
            key = name_key(stem)
            if key not in self.taken:
                self.taken.add(key)
                return stem
        stem = f"{self._draw(sector, True)} {self.rng.choice(REGION_WORDS)} {len(self.taken)}"
        self.taken.add(name_key(stem))
        return stem

    def domain(self, stem: str, tld: str) -> str:
        words = name_key(stem).replace(" and ", " ").split()
        base = "".join(words[:3])[:28]
        for suffix in ("", "group", "uk", "ltd", "hq"):
            candidate = f"{base}{suffix}.{tld}"
            if candidate not in self.domains:
                self.domains.add(candidate)
                return candidate
        candidate = f"{base}{len(self.domains)}.{tld}"
        self.domains.add(candidate)
        return candidate


class PersonNamer:
    """Full names unique across the client; a middle initial or a double-barrelled surname breaks ties,
    as in a real CRM of that size."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()
        self.plain = len(FIRST_NAMES) * len(SURNAMES)

    def name(self) -> tuple[str, str]:
        rng, taken = self.rng, self.taken
        for _ in range(8 if len(taken) < self.plain // 2 else 2):
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            if f"{first} {last}" not in taken:
                taken.add(f"{first} {last}")
                return first, last
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            if rng.random() < 0.5:
                first = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}."
            else:
                last = f"{rng.choice(SURNAMES)}-{last}"
            if f"{first} {last}" not in taken:
                taken.add(f"{first} {last}")
                return first, last
