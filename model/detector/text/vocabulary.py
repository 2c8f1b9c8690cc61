"""Room names as plans write them, and the room type each one names.

The types are a fixed vocabulary (`ROOM_TYPES`); a label maps to one by its words, full or
abbreviated (BR, CL, W.I.C., BA, LR, DR, K, Store, Cupboard, ...), in English and a few
other languages. A label of several names ("Reception Room / Kitchen") takes the type of the
first name it holds, the way the room is introduced.
"""

from __future__ import annotations

import itertools
import re

from ..results import ROOM_TYPES

# Words (lower case, dots and spaces removed by `_key`) -> type. Multi-word names are keyed
# with their spaces removed too ("walkin" for "walk-in", "wic" for "W.I.C.").
_NAMES: dict[str, tuple[str, ...]] = {
    "bedroom": (
        "bedroom",
        "bed",
        "bedrm",
        "bdrm",
        "br",
        "bd",
        "master",
        "masterbedroom",
        "guestroom",
        "nursery",
        "chambre",
        "schlafzimmer",
        "dormitorio",
        "habitacion",
        "camera",
        "slaapkamer",
        "sovrum",
    ),
    "bathroom": (
        "bathroom",
        "bath",
        "ba",
        "bth",
        "wc",
        "toilet",
        "shower",
        "showerroom",
        "ensuite",
        "en-suite",
        "ens",
        "lavatory",
        "powderroom",
        "pwd",
        "cloakroom",
        "cloaks",
        "washroom",
        "bad",
        "badezimmer",
        "sdb",
        "salledebain",
        "salledeau",
        "bano",
        "bagno",
        "restroom",
    ),
    "kitchen": (
        "kitchen",
        "k",
        "kit",
        "kitch",
        "kitchenette",
        "galley",
        "cuisine",
        "kuche",
        "küche",
        "cocina",
        "cucina",
        "keuken",
        "kok",
    ),
    "living": (
        "living",
        "livingroom",
        "lr",
        "lounge",
        "reception",
        "receptionroom",
        "recep",
        "familyroom",
        "family",
        "sittingroom",
        "drawingroom",
        "den",
        "salon",
        "greatroom",
        "sejour",
        "séjour",
        "wohnzimmer",
        "salotto",
        "sala",
        "woonkamer",
        "vardagsrum",
        "livingarea",
        "mediaroom",
        "playroom",
        "conservatory",
        "sunroom",
    ),
    "dining": (
        "dining",
        "diningroom",
        "dr",
        "din",
        "dinette",
        "breakfast",
        "diningarea",
        "esszimmer",
        "comedor",
        "eetkamer",
    ),
    "hall": (
        "hall",
        "hallway",
        "entrance",
        "entry",
        "entrancehall",
        "foyer",
        "corridor",
        "landing",
        "lobby",
        "vestibule",
        "passage",
        "gallery",
        "flur",
        "diele",
        "couloir",
        "entree",
        "entrée",
        "pasillo",
        "ingresso",
        "hal",
        "gang",
        "stairs",
        "staircase",
    ),
    "closet": (
        "closet",
        "cl",
        "clo",
        "clos",
        "wic",
        "walkin",
        "walkincloset",
        "wardrobe",
        "ward",
        "wr",
        "cupboard",
        "cpd",
        "cup",
        "store",
        "storage",
        "stor",
        "linen",
        "pantry",
        "dressing",
        "dressingroom",
        "airingcupboard",
        "ac",
        "placard",
        "abstellraum",
        "ripostiglio",
        "trastero",
        "kast",
        "berging",
    ),
    "balcony": (
        "balcony",
        "bal",
        "balc",
        "terrace",
        "roofterrace",
        "patio",
        "deck",
        "veranda",
        "verandah",
        "porch",
        "loggia",
        "balkon",
        "terrasse",
        "balcon",
        "terrazza",
        "terraza",
    ),
    "utility": (
        "utility",
        "uty",
        "util",
        "utilityroom",
        "laundry",
        "laund",
        "wd",
        "boiler",
        "boilerroom",
        "plant",
        "plantroom",
        "mech",
        "mechanical",
        "buanderie",
        "hauswirtschaftsraum",
        "lavanderia",
        "washhouse",
        "meter",
        "meters",
    ),
    "office": (
        "office",
        "study",
        "library",
        "studio",
        "workroom",
        "homeoffice",
        "bureau",
        "buro",
        "büro",
        "arbeitszimmer",
        "estudio",
        "studiolo",
        "kantoor",
    ),
    "garage": ("garage", "gar", "carport", "garaje", "garagem"),
    "other": ("gym", "cinema", "games", "gamesroom", "wine", "winecellar", "cellar", "sauna"),
}

_TYPE_OF: dict[str, str] = {word: t for t, words in _NAMES.items() for word in words}
assert set(_NAMES) == set(ROOM_TYPES)
# Abbreviations so short that they name a room only when they stand alone on their line.
_ALONE_ONLY = {"k", "br", "ba", "lr", "dr", "cl", "wr", "ac", "bd", "wd", "den", "bad"}
# Words on a plan that are no room's name: stairs and doors, north arrows, fixtures.
_NOT_NAMES = {"up", "dn", "down", "in", "out", "n", "s", "e", "w", "ref", "dw", "f", "fr"}

_WORD = re.compile(r"[^\W\d_]+(?:[.'’-][^\W\d_]+)*\.?", re.UNICODE)


def _key(text: str) -> str:
    """A name as looked up: lower case, without dots, spaces, hyphens, slashes or digits."""
    return re.sub(r"[\s.\-/'’&\d]+", "", text.lower())


def words_of(text: str) -> list[str]:
    """The words (letters only) of a line of text, in order."""
    return _WORD.findall(text)


def type_of_label(label: str | None) -> str | None:
    """The room type `label` names, from `ROOM_TYPES`; None when it names none we know.

    The whole label is tried first ("Walk-in Closet", "W.I.C."), then each name the label
    lists ("Reception Room / Kitchen" is a living room), then word by word and in pairs.
    """
    if not label:
        return None
    whole = _key(label)
    if whole in _TYPE_OF and (whole not in _ALONE_ONLY or len(words_of(label)) <= 2):
        return _TYPE_OF[whole]
    for part in re.split(r"[/&+,]|\band\b", label, flags=re.IGNORECASE):
        words = [_key(w) for w in words_of(part)]
        words = [w for w in words if w]
        # pairs first: "Living Room", "Dining Area", "Roof Terrace", "Walk In"
        for a, b in itertools.pairwise(words):
            if a + b in _TYPE_OF:
                return _TYPE_OF[a + b]
        for w in words:
            if w in _TYPE_OF and (w not in _ALONE_ONLY or len(words) == 1):
                return _TYPE_OF[w]
    return None


def looks_like_name(text: str) -> bool:
    """Whether a line read inside a room can be (part of) its name.

    A known room word, or a plain word of letters (3+ letters with a vowel) that is not a
    marking such as UP or DN. Garbage (symbols, digits, consonant runs) is no name.
    """
    stripped = text.strip().strip(":;,.-/")
    # a room's number may follow its name ("Bedroom 2", "BR 3"); no other digits
    stripped = re.sub(r"\s+\(?\d{1,2}\)?$", "", stripped)
    if not stripped or re.search(r"\d", stripped):
        return False
    if re.search(r"[^\w\s.'’/&()+\-]", stripped, flags=re.UNICODE):
        return False
    words = words_of(stripped)
    if not words or sum(len(w) for w in words) < 0.7 * len(stripped.replace(" ", "")):
        return False
    if type_of_label(stripped) is not None or _key(stripped) in _TYPE_OF:
        return True
    keys = [_key(w) for w in words]
    if all(k in _NOT_NAMES for k in keys):
        return False
    return any(len(k) >= 3 and re.search(r"[aeiouyàâäéèêëïîôöùûü]", k) for k in keys)


# Single words of the vocabulary that OCR slips are corrected to (long enough to be sure).
_LEXICON = sorted(
    {w for words in _NAMES.values() for w in words if len(w) >= 4 and w.isalpha()}
    | {"room", "area", "suite", "guest", "walk", "master"}
)


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b, or limit + 1 once it is sure to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _corrected_word(word: str) -> str:
    key = word.lower()
    if len(key) < 4 or not key.isalpha() or key in _TYPE_OF:
        return word
    if key in _LEXICON:
        return word
    # a word whose first letters were lost (a door's swing across them): "eption"
    choices = [w for w in _LEXICON if w.endswith(key) and len(w) - len(key) <= 3]
    if len(key) < 5 or not choices:
        limit = 1 if len(key) <= 5 else 2
        best = [(d, w) for w in _LEXICON if (d := _distance(key, w, limit)) <= limit]
        nearest = min((d for d, _ in best), default=0)
        choices = [w for d, w in best if d == nearest]
    if len(choices) != 1:
        return word
    fixed = choices[0]
    if word.isupper():
        return fixed.upper()
    # a capital, or a first letter lost (names start with one): capitalised
    return fixed.capitalize() if word[:1].isupper() or fixed[0] != key[0] else fixed


def correct_name(text: str) -> str:
    """A name as read, with words that OCR got one or two letters wrong (or lost the first
    letters of) set to the vocabulary word they are unmistakably ("Dirim" -> "Dining").
    A capital after a small letter starts a word: the space the recogniser lost
    ("LivinlgRoom" -> "Living Room")."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    return re.sub(r"[^\W\d_]+", lambda m: _corrected_word(m.group(0)), text)
