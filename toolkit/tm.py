"""Translation memory: segment pairs from a TMX file, looked up by source text.

An exact match (same text after whitespace is collapsed) is reused without asking the model
(its record says ``tm: exact`` and it is still checked); a fuzzy match (rapidfuzz's
normalized Indel similarity, 0-1) at or above a threshold is given to a chat model as an
example before the segment (``tm: fuzzy 0.83``). ``tk tm export`` writes a run's pairs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import ConfigError, InputError
from toolkit.formats.tmx import Unit, read_tmx


def _key(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Match:
    source: str
    target: str
    score: float  # 1.0 for an exact match


class TranslationMemory:
    """The pairs of a TMX file for one language pair, indexed for exact and fuzzy lookup."""

    def __init__(self, units: Iterable[Unit], source_lang: str, target_lang: str,
                 digest: str = "") -> None:
        self.pairs: dict[str, str] = {}
        for u in units:
            src, tgt = u.variants.get(source_lang), u.variants.get(target_lang)
            if src and tgt:
                self.pairs.setdefault(_key(src), tgt)
        self._sources = list(self.pairs)
        self.digest = digest
        self.source_lang, self.target_lang = source_lang, target_lang

    @classmethod
    def load(cls, path: str | Path, source_lang: str, target_lang: str) -> TranslationMemory:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise InputError(f"{path}: cannot read the translation memory ({e.strerror})") from None
        memory = cls(read_tmx(data, str(path)), source_lang, target_lang,
                     hashlib.sha256(data).hexdigest()[:16])
        if not memory.pairs:
            raise InputError(f"{path}: no {source_lang}-{target_lang} pairs in this translation "
                             "memory; check the languages of its <tuv xml:lang>")
        return memory

    def __len__(self) -> int:
        return len(self.pairs)

    def exact(self, text: str) -> str | None:
        return self.pairs.get(_key(text))

    def fuzzy(self, text: str, threshold: float) -> Match | None:
        """The most similar source at or above ``threshold`` (exact matches excluded)."""
        from rapidfuzz import fuzz, process

        key = _key(text)
        found = process.extractOne(key, self._sources, scorer=fuzz.ratio,
                                   score_cutoff=threshold * 100)
        if found is None:
            return None
        source, score, _ = found
        if source == key:
            return None
        return Match(source, self.pairs[source], round(score / 100, 3))


def check_fuzzy(value: float | None) -> float | None:
    if value is not None and not 0.5 <= value < 1.0:
        raise ConfigError(f"--tm-fuzzy {value}: give a similarity from 0.5 to 0.99 "
                          "(exact matches are always reused)")
    return value


def record_files(run: Path) -> list[Path]:
    """The translations.jsonl files of a run: the file itself, a ``tk translate -o`` folder's,
    or each ``translate-<lang>/`` of a ``tk run`` folder."""
    if run.is_file():
        return [run]
    if (run / "translations.jsonl").is_file():
        return [run / "translations.jsonl"]
    found = sorted(run.glob("translate-*/translations.jsonl"))
    if not found:
        raise InputError(f"{run}: no translations.jsonl here (nor in translate-*/); give a "
                         "folder written by tk translate -o or tk run")
    return found


def merged_units(files: Iterable[Path]) -> list[Unit]:
    """One unit per segment (id and source), with the translations of every file."""
    from toolkit.jsonl import json_object

    units: dict[tuple[str, str], Unit] = {}
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"{path}: cannot read ({e})") from None
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            r = json_object(line, f"{path}:{n}", "each line must be a tk translation record")
            if not (r.get("source") and r.get("translation") and r.get("lang") and r.get("id")):
                raise InputError(f"{path}:{n}: not a tk translation record (id, source, "
                                 "translation, lang)")
            key = (str(r["id"]), str(r["source"]))
            unit = units.setdefault(key, Unit(key[0], {"de": key[1]}, r.get("doc")))
            unit.variants.setdefault(str(r["lang"]), str(r["translation"]))
    return list(units.values())
