"""Glossary entries and glossaries: what a term is in each language and how it must be rendered.

An entry is one concept with forms per language (ISO 639-1 codes). The first form of a
language is the *preferred* one, the one enforced in outputs; further forms are *variants*
(other spellings, irregular inflections) that are matched in sources and accepted in outputs.
Regular German inflection (Aktie/Aktien, Alibabas, ADRs) and hyphenated compounds are handled
by the matcher and need no listing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from toolkit.errors import GlossaryError

Kind = Literal["keep", "translate", "acronym"]
KINDS: tuple[str, ...] = ("keep", "translate", "acronym")
"""keep: same form in every language (Qwen3.5, DeepSeek); translate: a fixed rendering per
language (KI -> AI, Kursziel -> price target, Alibaba -> 阿里巴巴); acronym: an abbreviation
with an optional expansion per language (ADR = American Depositary Receipt)."""

# ISO 639-1: the codes the glossary formats accept (regional tags like en-US fold to "en").
LANGUAGE_CODES: frozenset[str] = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho
    hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv
    kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr
    nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq
    sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh
    yi yo za zh zu""".split()
)

# Languages written without spaces: terms are found as plain substrings there.
UNSPACED_LANGUAGES: frozenset[str] = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo"})

# Languages that capitalize every noun: a capital there says nothing about names.
NOUN_CAPITALIZING: frozenset[str] = frozenset({"de", "lb"})


def language_code(tag: str) -> str | None:
    """The ISO 639-1 code of a language tag ("de", "EN", "zh-Hans", "en_US"), or None."""
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGE_CODES else None


@dataclass(frozen=True)
class TermHint:
    """A source form and the exact form the output must contain: a glossary term found in a
    segment, or a number as the target writes it. Tasks put hints into prompts and retries."""

    source: str
    target: str


@dataclass(frozen=True, eq=True)
class GlossaryEntry:
    """One concept: its forms per language, how it is rendered, and where it was defined.

    ``forms[lang]`` is ``(preferred, *variants)``. ``expansions[lang]`` holds the spelled-out
    forms of an acronym (a source written out in full requires the target written out in full).
    ``case_sensitive`` defaults to True for acronyms (KI is not "ki") and False otherwise;
    expansions are always matched ignoring case.
    """

    forms: Mapping[str, tuple[str, ...]]
    kind: Kind = "translate"
    expansions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    case_sensitive: bool | None = None
    note: str = ""
    origin: str = field(default="", compare=False)  # "file:line", for messages

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise GlossaryError(f"{self._where()}unknown kind {self.kind!r}; use one of: {', '.join(KINDS)}")
        forms = {lang: tuple(f for f in fs if f) for lang, fs in self.forms.items()}
        forms = {lang: fs for lang, fs in forms.items() if fs}
        if not forms:
            raise GlossaryError(f"{self._where()}entry has no terms")
        if self.kind == "keep":
            preferred = {fs[0] for fs in forms.values()}
            if len(preferred) > 1:
                raise GlossaryError(
                    f"{self._where()}kind keep needs the same form in every language, found "
                    f"{' / '.join(sorted(preferred))}; use kind translate"
                )
        expansions = {lang: tuple(f for f in fs if f) for lang, fs in self.expansions.items()}
        expansions = {lang: fs for lang, fs in expansions.items() if fs}
        if expansions and self.kind != "acronym":
            raise GlossaryError(f"{self._where()}expansions are only for kind acronym, not {self.kind}")
        object.__setattr__(self, "forms", MappingProxyType(forms))
        object.__setattr__(self, "expansions", MappingProxyType(expansions))
        if self.case_sensitive is None:
            object.__setattr__(self, "case_sensitive", self.kind == "acronym")

    def __hash__(self) -> int:
        return hash(rendering_key(self) + (self.case_sensitive, self.note))

    def _where(self) -> str:
        return f"{self.origin}: " if self.origin else ""

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self.forms)

    @property
    def label(self) -> str:
        """A short name for messages: the preferred form of the first language."""
        return next(iter(self.forms.values()))[0]

    def term(self, lang: str) -> str | None:
        """The preferred form in ``lang``; keep entries have the same form in every language."""
        if lang in self.forms:
            return self.forms[lang][0]
        if self.kind == "keep":
            return self.label
        return None

    def variants(self, lang: str) -> tuple[str, ...]:
        """All forms in ``lang`` (preferred first), without expansions."""
        if lang in self.forms:
            return self.forms[lang]
        if self.kind == "keep":
            return next(iter(self.forms.values()))
        return ()

    def expansion(self, lang: str) -> str | None:
        """The preferred spelled-out form of an acronym in ``lang``, if the glossary gives one."""
        return self.expansions[lang][0] if lang in self.expansions else None

    def accepted(self, lang: str) -> tuple[str, ...]:
        """Every form that counts as this term in an output in ``lang``: forms, then expansions."""
        return self.variants(lang) + self.expansions.get(lang, ())

    def is_name(self) -> bool:
        """A proper name, which German inflects only with a genitive -s (Alibabas, ADRs), as
        opposed to a common noun (Kursziel/Kursziele). Every kind but ``translate`` is a name;
        a ``translate`` entry is one when its Latin-script renderings outside German are
        capitalized (Nvidia / 英伟达) rather than lowercase (Kursziel -> price target)."""
        if self.kind != "translate":
            return True
        latin = [fs[0] for lang, fs in self.forms.items()
                 if lang not in NOUN_CAPITALIZING and fs[0][:1].isascii() and fs[0][:1].isalpha()]
        return not latin or any(f[0].isupper() for f in latin)



class Glossary:
    """Validated entries, with lookup by language pair.

    ``source_lang`` is the language the glossary is written from (the first language column of
    a TSV, ``xml:lang`` of a TBX): its forms must be unique, so a source term has one rendering.
    """

    def __init__(self, entries: Iterable[GlossaryEntry] = (), *, source_lang: str = "de", name: str = "") -> None:
        self.entries: tuple[GlossaryEntry, ...] = tuple(entries)
        self.source_lang = source_lang
        self.name = name
        problems = find_conflicts(self.entries, source_lang)
        if problems:
            raise GlossaryError(problems[0] + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""))

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[GlossaryEntry]:
        return iter(self.entries)

    def __repr__(self) -> str:
        return f"Glossary({self.name or 'unnamed'!r}, {len(self)} entries, source_lang={self.source_lang!r})"

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(lang for e in self.entries for lang in e.forms)

    def entries_for(self, source_lang: str, target_lang: str) -> tuple[GlossaryEntry, ...]:
        """Entries usable from ``source_lang`` to ``target_lang`` (keep entries always are)."""
        return tuple(
            e for e in self.entries if e.variants(source_lang) and e.term(target_lang) is not None
        )

    def pairs(self, source_lang: str, target_lang: str) -> dict[str, str]:
        """Preferred source form -> preferred target form: the two-column shape DeepL takes."""
        return {e.term(source_lang): e.term(target_lang) for e in self.entries_for(source_lang, target_lang)}  # type: ignore[misc]

    def lookup(self, term: str, source_lang: str, target_lang: str) -> str | None:
        """The required target form of an exact glossary form (or expansion), else None."""
        folded = term.casefold()
        for e in self.entries_for(source_lang, target_lang):
            if term in e.variants(source_lang) or (
                not e.case_sensitive and folded in {f.casefold() for f in e.variants(source_lang)}
            ):
                return e.term(target_lang)
            if folded in {f.casefold() for f in e.expansions.get(source_lang, ())}:
                return e.expansion(target_lang) or e.term(target_lang)
        return None

    def merged(self, other: Glossary) -> Glossary:
        """Both glossaries in one; a source form defined differently in each is an error."""
        return Glossary(self.entries + other.entries, source_lang=self.source_lang,
                        name=" + ".join(n for n in (self.name, other.name) if n))


def _source_keys(entry: GlossaryEntry, lang: str) -> list[str]:
    forms = list(entry.variants(lang) if lang in entry.forms or entry.kind == "keep" else ())
    keys = [f if entry.case_sensitive else f.casefold() for f in forms]
    keys += [f.casefold() for f in entry.expansions.get(lang, ())]
    return keys


def find_conflicts(entries: Iterable[GlossaryEntry], source_lang: str) -> list[str]:
    """Problems "file:line: ..." for source forms defined twice: a duplicate when both entries
    agree on every rendering, a conflict when they do not."""
    seen: dict[str, GlossaryEntry] = {}
    problems: list[str] = []
    for entry in entries:
        reported: set[int] = set()
        for key in dict.fromkeys(_source_keys(entry, source_lang)):
            first = seen.get(key)
            if first is None:
                seen[key] = entry
                continue
            if id(first) in reported:
                continue
            reported.add(id(first))
            where = f"{entry.origin}: " if entry.origin else ""
            at = f" at {first.origin}" if first.origin else ""
            if rendering_key(first) == rendering_key(entry):
                problems.append(f"{where}duplicate entry for {source_lang} term {key!r} (already defined{at})")
            else:
                problems.append(
                    f"{where}conflicting entries for {source_lang} term {key!r}: "
                    f"{_describe(entry)} here, {_describe(first)}{at}; keep one"
                )
    return problems


def rendering_key(entry: GlossaryEntry) -> tuple[object, ...]:
    """What makes two entries the same: kind, forms and expansions (not notes or origin)."""
    return (entry.kind, tuple(sorted(entry.forms.items())), tuple(sorted(entry.expansions.items())))


def _describe(entry: GlossaryEntry) -> str:
    return f"{entry.kind} " + " / ".join(f"{lang} {' | '.join(fs)}" for lang, fs in entry.forms.items())


# Zero-width and other invisible format characters: in a term they make it match nothing.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]")
