"""Word lists for synthetic people and places. Pure data: no Django, no randomness.

Place names are the real districts the postcodes serve; everything attached to a person (names,
streets, house numbers, phone numbers) is invented. The demo draws from these by position, so
reordering or extending a list changes what a seed builds: add new lists rather than edit these.
"""

LA_CODE = "343"
LA_NAME = "Sefton"
# Other authorities a former UPN may have been allocated by (Liverpool, Knowsley, Wirral) and
# 888 (Lancashire).
FORMER_UPN_LAS = ("341", "340", "344", "888")

# Outward code -> towns it serves. Only the shape of the full postcode is checked (BS7666).
POSTCODE_AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("L20", ("Bootle",)),
    ("L21", ("Litherland", "Seaforth", "Ford")),
    ("L22", ("Waterloo",)),
    ("L23", ("Crosby", "Blundellsands", "Thornton")),
    ("L30", ("Netherton", "Bootle")),
    ("L31", ("Maghull", "Lydiate", "Melling")),
    ("L37", ("Formby",)),
    ("L38", ("Hightown", "Ince Blundell")),
    ("PR8", ("Southport", "Birkdale", "Ainsdale")),
    ("PR9", ("Southport", "Churchtown", "Crossens")),
)
# Weighted towards the denser south of the borough, as a CME caseload is.
POSTCODE_WEIGHTS = (16, 12, 8, 8, 14, 8, 5, 2, 14, 13)
# BS7666: the two inward letters are never C, I, K, M, O or V.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

STREET_STEMS = (
    "Moss", "Marsh", "Sandy", "Church", "Mill", "Orchard", "Hawthorn", "Beech", "Linacre",
    "Station", "Chapel", "Willow", "Heather", "Dune", "Shore", "Harbour", "Park", "Meadow",
    "Kingfisher", "Lark", "Rowan", "Sefton", "Brook", "Well", "Ash", "Holly", "Cedar", "Alder",
    "Maple", "Poplar", "Rosemary", "Primrose", "Clover", "Fern", "Thistle", "Bluebell", "Heron",
    "Curlew", "Plover", "Redshank", "Tern", "Lime", "Chestnut", "Hazel", "Larch", "Laurel",
)  # fmt: skip
STREET_KINDS = (
    "Road", "Street", "Lane", "Avenue", "Close", "Drive", "Grove", "Way", "Crescent", "Walk",
    "Court", "Gardens", "Terrace", "View",
)  # fmt: skip
BLOCKS = ("Court", "House", "Heights", "Mews")

FAR_PLACES = (
    "Liverpool", "Manchester", "Preston", "Wigan", "Blackpool", "Birmingham", "Leeds", "St Helens",
    "Warrington", "Chester", "Glasgow", "London", "Stoke-on-Trent", "Wrexham",
)  # fmt: skip
OTHER_LAS = (
    "Liverpool", "Knowsley", "Wirral", "West Lancashire", "Lancashire", "Wigan", "St Helens",
    "Manchester", "Warrington", "Cheshire West and Chester",
)  # fmt: skip

SAINTS = (
    "Oswald", "Monica", "Elizabeth", "Teresa", "Benet", "Jerome", "Gregory", "Mary", "Joseph",
    "Patrick", "Anne", "Wilfrid", "Edmund", "Luke", "John", "Peter", "Paul", "Thomas", "Philip",
    "Michael", "Nicholas", "Bede", "Cuthbert", "Aidan", "Chad", "Hilda", "Bernadette", "Columba",
    "Winefride", "Ambrose", "Francis", "Clare", "George", "Andrew", "Stephen", "Helen",
)  # fmt: skip
LADY_OF = ("Lourdes", "Walsingham", "Compassion", "the Rosary", "Good Help", "the Assumption")
HOLY = ("Holy Trinity", "Holy Family", "Holy Spirit", "Christ the King", "Holy Rosary")
SCHOOL_PLACES = (
    "Netherton", "Litherland", "Bootle", "Waterloo", "Crosby", "Maghull", "Formby", "Ainsdale",
    "Birkdale", "Churchtown", "Hightown", "Lydiate", "Seaforth", "Thornton", "Ford", "Linacre",
    "Orrell", "Marshside", "Woodvale", "Hillside", "Blundellsands", "Melling", "Crossens",
    "Hatton Hill", "Freshfield", "Sudell", "Kew", "Larkfield", "Redgate", "Meols",
)  # fmt: skip
PLACE_FEATURES = (
    "Park", "Lane", "Moss", "Green", "Vale", "Meadows", "Brook", "Village", "Heath", "Fields",
    "Bank", "Wood", "Hey", "Dale",
)  # fmt: skip
TREES = ("Rowan", "Hawthorn", "Oak", "Beech", "Willow", "Holly", "Elm", "Cedar", "Alder", "Ash")

# Popular UK given names of the 2010s: Faker's en_GB first names are a generation too old.
GIRLS = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia",
    "Grace", "Freya", "Evie", "Poppy", "Ella", "Emily", "Daisy", "Florence", "Sienna", "Willow",
    "Harper", "Ruby", "Millie", "Phoebe", "Scarlett", "Matilda", "Erin", "Layla", "Maisie",
    "Esme", "Eliza", "Hallie", "Summer", "Lacey", "Niamh", "Maya", "Aisha", "Zara", "Megan",
    "Chloe", "Jessica", "Holly", "Lexi", "Darcie", "Imogen", "Skye", "Amber", "Libby",
)  # fmt: skip
BOYS = (
    "Oliver", "George", "Noah", "Arthur", "Harry", "Leo", "Muhammad", "Jack", "Charlie",
    "Oscar", "Jacob", "Henry", "Thomas", "Freddie", "Alfie", "Theo", "William", "Theodore",
    "Archie", "Joshua", "Alexander", "James", "Isaac", "Edward", "Lucas", "Tommy", "Finley",
    "Max", "Logan", "Ethan", "Mason", "Harrison", "Reggie", "Riley", "Louie", "Jaxon", "Kai",
    "Tyler", "Dylan", "Callum", "Liam", "Connor", "Kian", "Ryan", "Jayden", "Owen", "Sonny",
)  # fmt: skip

NICKNAMES = {
    "Oliver": "Ollie", "Alexander": "Alex", "William": "Will", "Thomas": "Tom", "James": "Jamie",
    "Joshua": "Josh", "Theodore": "Teddy", "Edward": "Eddie", "Isaac": "Zac", "Harrison": "Harry",
    "Isabella": "Bella", "Matilda": "Tilly", "Florence": "Flo", "Jessica": "Jess",
    "Imogen": "Immy", "Eliza": "Lizzie", "Sophia": "Sophie", "Amelia": "Millie",
}  # fmt: skip
# Spellings met on referrals from other agencies: (pattern, replacement), "$" anchors at the end.
SPELLINGS = (
    ("ies$", "is"), ("is$", "ies"), ("ke$", "k"), ("rk$", "rke"), ("ay$", "ey"), ("y$", "ey"),
    ("tt", "t"), ("mps", "ms"), ("ph", "v"), ("ll", "l"), ("Mac", "Mc"), ("Mc", "Mac"),
    ("or$", "er"), ("eid$", "eed"),
)  # fmt: skip

# Faker locales for families who moved to the UK; the ones whose name lists Faker gets right.
MIGRANT_LOCALES: tuple[tuple[str, str, str], ...] = (
    # (locale, first language, country)
    ("pl_PL", "Polish", "Poland"),
    ("ro_RO", "Romanian", "Romania"),
    ("pt_PT", "Portuguese", "Portugal"),
    ("sk_SK", "Slovak", "Slovakia"),
)

ETHNICITY_BRITISH = (
    ("White - British", 88), ("Mixed - White and Black Caribbean", 2),
    ("Mixed - White and Asian", 2), ("Any other mixed background", 2), ("White - Irish", 1),
    ("Black - African", 1), ("Asian - Pakistani", 1), ("Chinese", 1),
    ("Information not yet obtained", 2),
)  # fmt: skip
ETHNICITY_GRT = (("Traveller of Irish heritage", 1), ("Gypsy/Roma", 1))

SCHOOL_ROLES = (
    "attendance officer", "designated safeguarding lead", "head of year", "pastoral lead",
    "school business manager", "inclusion manager",
)  # fmt: skip


# Year groups (Reception = 0) of referred children: CME caseloads skew to secondary age.
YEAR_WEIGHTS = (3, 4, 4, 4, 5, 5, 5, 6, 7, 9, 11, 12)

# Given names met on referrals beyond the popular ones above: other communities' names and older
# ones, many with a variant in the matching reference list (data/nicknames.csv). With GIRLS,
# BOYS and SURNAMES they are the wider pool the benchmarks draw from.
MORE_GIRLS = (
    "Elsie", "Charlotte", "Evelyn", "Sofia", "Alice", "Fatima", "Maryam", "Zofia", "Zuzanna",
    "Natalia", "Ekaterina", "Hannah", "Lucy", "Nadia", "Amira", "Bella", "Aria", "Luna", "Eleanor",
    "Victoria", "Rebecca", "Samantha", "Elizabeth", "Catherine", "Margaret", "Kayleigh", "Zoe",
    "Amy", "Georgina", "Isabel",
)  # fmt: skip

MORE_BOYS = (
    "Arlo", "Roman", "Yusuf", "Ibrahim", "Ahmed", "Hussein", "Mustafa", "Abdullah", "Jakub",
    "Mateusz", "Piotr", "Dmitri", "Andrei", "Samuel", "Benjamin", "Daniel", "David", "Michael",
    "Matthew", "Nathaniel", "Nicholas", "Patrick", "Richard", "Robert", "Stephen", "Anthony",
    "Christopher", "Frederick", "Gabriel", "Joseph", "John", "Jonathan", "Lewis",
)  # fmt: skip

# Common surnames in England and Wales, with the communities a CME caseload meets.
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes",
    "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin",
    "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison",
    "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price",
    "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey",
    "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall",
    "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman",
    "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hussain", "Campbell", "Matthews", "Owen",
    "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd", "Butler", "Russell", "Barker",
    "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Kowalski", "Nowak", "Wisniewski",
    "Ivanov", "Popescu", "Okafor", "Adeyemi", "Mensah", "Oyelaran", "Nguyen", "Chen", "Rahman",
    "Ahmed", "Mahmood", "Iqbal", "Akhtar", "Shah", "Sharma", "Kaur", "Gill",
)  # fmt: skip
