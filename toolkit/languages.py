"""Language codes as each model family spells them, keyed by ISO 639-1."""

from __future__ import annotations

from toolkit.errors import ConfigError

# What tk reads and writes (each table is the one place these are defined).
TEXT_LANGUAGES = ("de", "en", "zh")  # whose numbers, terms and language tk checks and scores
SOURCE_LANGUAGES = TEXT_LANGUAGES  # --from
TRANSLATION_TARGETS = ("en", "zh")  # tk translate --to
SUMMARY_LANGUAGES = TEXT_LANGUAGES  # tk summarize --to

# ISO 639-1 -> (English name, NLLB/FLORES-200 code, Marian target tokens in preference order)
LANGUAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "ar": ("Arabic", "arb_Arab", (">>ara<<", ">>arb<<", ">>ar<<")),
    "cs": ("Czech", "ces_Latn", (">>ces<<", ">>cs<<")),
    "da": ("Danish", "dan_Latn", (">>dan<<", ">>da<<")),
    "de": ("German", "deu_Latn", (">>deu<<", ">>de<<")),
    "el": ("Greek", "ell_Grek", (">>ell<<", ">>el<<")),
    "en": ("English", "eng_Latn", (">>eng<<", ">>en<<")),
    "es": ("Spanish", "spa_Latn", (">>spa<<", ">>es<<")),
    "fi": ("Finnish", "fin_Latn", (">>fin<<", ">>fi<<")),
    "fr": ("French", "fra_Latn", (">>fra<<", ">>fr<<")),
    "hi": ("Hindi", "hin_Deva", (">>hin<<", ">>hi<<")),
    "hu": ("Hungarian", "hun_Latn", (">>hun<<", ">>hu<<")),
    "it": ("Italian", "ita_Latn", (">>ita<<", ">>it<<")),
    "ja": ("Japanese", "jpn_Jpan", (">>jpn<<", ">>ja<<")),
    "ko": ("Korean", "kor_Hang", (">>kor<<", ">>ko<<")),
    "nl": ("Dutch", "nld_Latn", (">>nld<<", ">>nl<<")),
    "pl": ("Polish", "pol_Latn", (">>pol<<", ">>pl<<")),
    "pt": ("Portuguese", "por_Latn", (">>por<<", ">>pt<<")),
    "ru": ("Russian", "rus_Cyrl", (">>rus<<", ">>ru<<")),
    "sv": ("Swedish", "swe_Latn", (">>swe<<", ">>sv<<")),
    "tr": ("Turkish", "tur_Latn", (">>tur<<", ">>tr<<")),
    "uk": ("Ukrainian", "ukr_Cyrl", (">>ukr<<", ">>uk<<")),
    "vi": ("Vietnamese", "vie_Latn", (">>vie<<", ">>vi<<")),
    # Chinese means Simplified Chinese (Mandarin) throughout tk.
    "zh": ("Simplified Chinese", "zho_Hans",
           (">>cmn_Hans<<", ">>zho_Hans<<", ">>cmn<<", ">>zho<<", ">>zh<<")),
}

# ISO 639-2/3 codes found in Marian tokenizer configs ("deu", "eng", "zho", "cmn").
ISO3_TO_1: dict[str, str] = {
    "ara": "ar", "ces": "cs", "dan": "da", "deu": "de", "ger": "de", "ell": "el", "eng": "en",
    "spa": "es", "fin": "fi", "fra": "fr", "fre": "fr", "hin": "hi", "hun": "hu", "ita": "it",
    "jpn": "ja", "kor": "ko", "nld": "nl", "dut": "nl", "pol": "pl", "por": "pt", "rus": "ru",
    "swe": "sv", "tur": "tr", "ukr": "uk", "vie": "vi", "zho": "zh", "chi": "zh", "cmn": "zh",
}


def language_name(code: str) -> str:
    """'English' for 'en'; the code itself when unknown."""
    return LANGUAGES[code][0] if code in LANGUAGES else code


def to_iso1(code: str | None) -> str | None:
    """'en' from 'en', 'eng', 'eng_Latn' or 'cmn_Hans'; None when unknown."""
    if not code:
        return None
    base = code.split("_", 1)[0].split("-", 1)[0].lower()
    if base in LANGUAGES:
        return base
    return ISO3_TO_1.get(base)


def check_pair(source: str, target: str, targets: tuple[str, ...] = TRANSLATION_TARGETS) -> None:
    """Refuse an unknown source or target language, naming the choices."""
    if source not in SOURCE_LANGUAGES:
        raise ConfigError(f"--from {source}: tk reads {', '.join(SOURCE_LANGUAGES)}")
    if target not in targets:
        raise ConfigError(f"unknown target language {target!r}; use --to "
                          + " or --to ".join(targets))
