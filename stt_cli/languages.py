"""Language names as people and court systems write them, mapped to the codes Whisper knows.

Court case-management systems write BCP-47 tags (``id-ID``), archives ISO 639-2/3 codes (``ind``), older
Java and Android systems the withdrawn ``in`` for Indonesian, and people write names (``Indonesian``). Whisper
knows 100 languages by its own two- or three-letter codes (mostly ISO 639-1; ``jw`` for Javanese and ``haw``
and ``yue`` are its own). Everything is mapped here, once, before any model is loaded.
"""

from __future__ import annotations

from stt_cli.errors import UsageError

# Whisper's code -> (English name, ISO 639-2/3 codes). Whisper's own list, in its order.
LANGUAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "en": ("English", ("eng",)),
    "zh": ("Chinese", ("zho", "chi", "cmn")),
    "de": ("German", ("deu", "ger")),
    "es": ("Spanish", ("spa",)),
    "ru": ("Russian", ("rus",)),
    "ko": ("Korean", ("kor",)),
    "fr": ("French", ("fra", "fre")),
    "ja": ("Japanese", ("jpn",)),
    "pt": ("Portuguese", ("por",)),
    "tr": ("Turkish", ("tur",)),
    "pl": ("Polish", ("pol",)),
    "ca": ("Catalan", ("cat",)),
    "nl": ("Dutch", ("nld", "dut")),
    "ar": ("Arabic", ("ara", "arb")),
    "sv": ("Swedish", ("swe",)),
    "it": ("Italian", ("ita",)),
    "id": ("Indonesian", ("ind",)),
    "hi": ("Hindi", ("hin",)),
    "fi": ("Finnish", ("fin",)),
    "vi": ("Vietnamese", ("vie",)),
    "he": ("Hebrew", ("heb",)),
    "uk": ("Ukrainian", ("ukr",)),
    "el": ("Greek", ("ell", "gre")),
    "ms": ("Malay", ("msa", "may", "zsm")),
    "cs": ("Czech", ("ces", "cze")),
    "ro": ("Romanian", ("ron", "rum")),
    "da": ("Danish", ("dan",)),
    "hu": ("Hungarian", ("hun",)),
    "ta": ("Tamil", ("tam",)),
    "no": ("Norwegian", ("nor", "nob")),
    "th": ("Thai", ("tha",)),
    "ur": ("Urdu", ("urd",)),
    "hr": ("Croatian", ("hrv",)),
    "bg": ("Bulgarian", ("bul",)),
    "lt": ("Lithuanian", ("lit",)),
    "la": ("Latin", ("lat",)),
    "mi": ("Maori", ("mri", "mao")),
    "ml": ("Malayalam", ("mal",)),
    "cy": ("Welsh", ("cym", "wel")),
    "sk": ("Slovak", ("slk", "slo")),
    "te": ("Telugu", ("tel",)),
    "fa": ("Persian", ("fas", "per", "pes")),
    "lv": ("Latvian", ("lav", "lvs")),
    "bn": ("Bengali", ("ben",)),
    "sr": ("Serbian", ("srp",)),
    "az": ("Azerbaijani", ("aze", "azj")),
    "sl": ("Slovenian", ("slv",)),
    "kn": ("Kannada", ("kan",)),
    "et": ("Estonian", ("est", "ekk")),
    "mk": ("Macedonian", ("mkd", "mac")),
    "br": ("Breton", ("bre",)),
    "eu": ("Basque", ("eus", "baq")),
    "is": ("Icelandic", ("isl", "ice")),
    "hy": ("Armenian", ("hye", "arm")),
    "ne": ("Nepali", ("nep", "npi")),
    "mn": ("Mongolian", ("mon", "khk")),
    "bs": ("Bosnian", ("bos",)),
    "kk": ("Kazakh", ("kaz",)),
    "sq": ("Albanian", ("sqi", "alb")),
    "sw": ("Swahili", ("swa", "swh")),
    "gl": ("Galician", ("glg",)),
    "mr": ("Marathi", ("mar",)),
    "pa": ("Punjabi", ("pan",)),
    "si": ("Sinhala", ("sin",)),
    "km": ("Khmer", ("khm",)),
    "sn": ("Shona", ("sna",)),
    "yo": ("Yoruba", ("yor",)),
    "so": ("Somali", ("som",)),
    "af": ("Afrikaans", ("afr",)),
    "oc": ("Occitan", ("oci",)),
    "ka": ("Georgian", ("kat", "geo")),
    "be": ("Belarusian", ("bel",)),
    "tg": ("Tajik", ("tgk",)),
    "sd": ("Sindhi", ("snd",)),
    "gu": ("Gujarati", ("guj",)),
    "am": ("Amharic", ("amh",)),
    "yi": ("Yiddish", ("yid",)),
    "lo": ("Lao", ("lao",)),
    "uz": ("Uzbek", ("uzb", "uzn")),
    "fo": ("Faroese", ("fao",)),
    "ht": ("Haitian Creole", ("hat",)),
    "ps": ("Pashto", ("pus",)),
    "tk": ("Turkmen", ("tuk",)),
    "nn": ("Nynorsk", ("nno",)),
    "mt": ("Maltese", ("mlt",)),
    "sa": ("Sanskrit", ("san",)),
    "lb": ("Luxembourgish", ("ltz",)),
    "my": ("Myanmar", ("mya", "bur")),
    "bo": ("Tibetan", ("bod", "tib")),
    "tl": ("Tagalog", ("tgl", "fil")),
    "mg": ("Malagasy", ("mlg", "plt")),
    "as": ("Assamese", ("asm",)),
    "tt": ("Tatar", ("tat",)),
    "haw": ("Hawaiian", ("haw",)),
    "ln": ("Lingala", ("lin",)),
    "ha": ("Hausa", ("hau",)),
    "ba": ("Bashkir", ("bak",)),
    "jw": ("Javanese", ("jav",)),
    "su": ("Sundanese", ("sun",)),
    "yue": ("Cantonese", ("yue",)),
}

# Other names and withdrawn or regional codes people use for the same languages.
_ALIASES = {
    "in": "id",  # ISO 639-1 before 1989; still written by Java's Locale and Android
    "iw": "he",
    "ji": "yi",
    "jv": "jw",  # ISO 639-1 Javanese; Whisper says "jw"
    "fil": "tl",
    "nb": "no",
    "mo": "ro",
    "sh": "sr",
    "bahasa indonesia": "id",
    "bahasa melayu": "ms",
    "filipino": "tl",
    "burmese": "my",
    "valencian": "ca",
    "flemish": "nl",
    "haitian": "ht",
    "letzeburgesch": "lb",
    "pushto": "ps",
    "panjabi": "pa",
    "moldavian": "ro",
    "moldovan": "ro",
    "sinhalese": "si",
    "castilian": "es",
    "mandarin": "zh",
    "farsi": "fa",
    "norwegian bokmal": "no",
    "norwegian nynorsk": "nn",
}


def _table() -> dict[str, str]:
    table = dict(_ALIASES)
    for code, (name, iso3) in LANGUAGES.items():
        table[code] = code
        table[name.casefold()] = code
        for other in iso3:
            table[other] = code
    return table


_LOOKUP = _table()


def to_whisper(text: str) -> str:
    """The Whisper code for a language written as a code, a BCP-47 tag or an English name.

    ``id``, ``ind``, ``in``, ``id-ID``, ``id_ID``, ``Indonesian`` and ``Bahasa Indonesia`` all give ``id``.

    Raises:
        UsageError: not a language Whisper knows.
    """
    value = " ".join(text.strip().casefold().replace("_", "-").split())
    if value in _LOOKUP:
        return _LOOKUP[value]
    primary = value.split("-", 1)[0]  # BCP-47: language subtag first (id-ID, zh-Hant-TW, yue-HK)
    if primary in _LOOKUP and primary.isalpha() and len(primary) <= 3:
        return _LOOKUP[primary]
    raise UsageError(
        f"`language` {text!r} is not one Whisper knows; give a code such as 'id' or 'en' (ISO 639 codes, "
        "BCP-47 tags such as 'id-ID' and English names such as 'Indonesian' are accepted too)"
    )


def name_of(code: str) -> str:
    """``"id"`` -> ``"Indonesian"``; an unknown code is returned as it is."""
    return LANGUAGES.get(code, (code, ()))[0]


def document_language(code: str) -> str:
    """The language a document's (and a page's) own words are in: Indonesian for an Indonesian or Malay
    transcript (Whisper often calls Indonesian speech Malay), English for every other."""
    return "id" if code in ("id", "ms") else "en"


# What ends a sentence in the scripts Whisper writes: the Latin marks, the ellipsis, and the CJK full stop and
# full-width question and exclamation marks. The subtitle writer and live lines both cut there (they once
# disagreed on the full-width marks).
SENTENCE_END = (".", "?", "!", "…", "。", "？", "！")


def ends_sentence(text: str) -> bool:
    """Whether a word (as written, spacing aside) ends a sentence."""
    return text.strip().endswith(SENTENCE_END)
