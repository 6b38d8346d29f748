"""The checks of a summary, as a reader would make them: every number it states is in the
source, glossary terms keep their rendering (a German form left in is flagged), the target
language, no German words left in it, no loop, no copy of the prompt's renderings list, not
under 40 % of the length asked for, not the title said again; and its coverage of the
document's top-ranked sentences (:mod:`toolkit.qa.coverage`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from toolkit.qa.coverage import Coverage
from toolkit.qa.repetition import repeated_stretch

SHORT = 0.4  # a summary under 40 % of the length asked for is a stub, not a summary

if TYPE_CHECKING:
    from toolkit.glossary import Glossary
    from toolkit.glossary.model import TermHint


@dataclass(frozen=True)
class SummaryCheck:
    numbers: Any  # NumberCheck of the summary's quantities against the source
    used: tuple[dict[str, str], ...]
    untranslated: tuple[dict[str, str], ...]
    language: Any
    repeated: str | None = None  # a stretch the summary says three times or more
    empty: bool = False
    echoed: bool = False  # it copied the prompt's list of renderings instead of summarizing
    german: tuple[str, ...] = ()  # German words of the source left in it
    short: bool = False  # under SHORT of the length asked for
    headline: bool | None = None  # only the title said again (None: not comparable)
    coverage: Coverage | None = None

    @property
    def problems(self) -> int:
        """How far from acceptable: an empty summary is worse than any flawed one (it says
        nothing wrong only because it says nothing); a headline or a stub is no summary."""
        return (len(self.numbers.mismatched) + len(self.untranslated) + len(self.german)
                + (0 if self.language.ok else 2) + (2 if self.repeated else 0)
                + (3 if self.short else 0) + (3 if self.headline else 0)
                + (100 if self.empty or self.echoed else 0))

    @property
    def share(self) -> float:
        """Its coverage (1.0 where none was measured)."""
        return self.coverage.share if self.coverage is not None else 1.0

    def to_dict(self) -> dict[str, Any]:
        unsupported = [{"number": i.source.surface, "problem": i.problem, "reason": i.reason}
                       for i in self.numbers.mismatched]
        return {"numbers": {"checked": self.numbers.checked, "unsupported": unsupported},
                "terms": {"used": list(self.used), "untranslated": list(self.untranslated)},
                "language": self.language.to_dict(), "repeated": self.repeated,
                "echoed_prompt": self.echoed, "untranslated_words": list(self.german),
                "too_short": self.short, "restates_title": self.headline,
                "coverage": self.coverage.to_dict() if self.coverage is not None else None}


def check_summary(text: str, *, source: str, source_lang: str, summarized: str, target: str,
                  glossary: Glossary | None, hints: Sequence[TermHint] = (),
                  limit: int | None = None, unit: str = "words", title: str | None = None,
                  top: Sequence[str] = (), top_lang: str | None = None,
                  top_german: tuple[str, ...] = ()) -> SummaryCheck:
    """Numbers supported by ``source``, glossary renderings, the target language, loops
    (against ``summarized``, the text the model was given) and the prompt's ``hints`` written
    back instead of a summary; under :data:`SHORT` of ``limit``; the ``title`` (in
    ``top_lang``) said again; the coverage of the ``top`` sentences (in ``top_lang``, default
    ``target``; less ``top_german``, the German a translation left in them)."""
    from toolkit.qa.language import check_language
    from toolkit.qa.numbers import check_numbers

    # The summary's quantities, each looked for in the source (the roles of a translation
    # check, reversed): an invented number is "missing" there, a rescaled one "wrong".
    numbers = check_numbers(text, source, target, source_lang)
    used, untranslated = summary_terms(text, source, source_lang, target, glossary)
    language = check_language(text, target, source=source if source_lang != target else None)
    # A small model given the glossary's renderings may write the list back ("KI: 人工智能
    # Alibaba: 阿里巴巴 ..."): three source-and-rendering pairs side by side are no summary.
    pairs = sum(1 for h in hints if re.search(re.escape(h.source) + r"\s*(?:[:：=]|->|→)\s*"
                                              + re.escape(h.target), text))
    from toolkit.qa.untranslated import untranslated_words

    keep = [v for t in (*used, *untranslated) for v in (t["source"], t["target"])]
    german = untranslated_words(source, text, source_lang=source_lang, target_lang=target,
                                keep=keep)
    from toolkit.qa.coverage import coverage, measure, restates_title

    size = measure(text, unit)
    comparable = title is not None and (top_lang or target) == target
    return SummaryCheck(numbers, used, untranslated, language,
                        repeated_stretch(text, summarized), empty=not text.strip(),
                        echoed=pairs >= 3, german=german,
                        short=bool(limit) and size < SHORT * (limit or 0),
                        headline=restates_title(text, title or "", target) if comparable
                        else None,
                        coverage=coverage(text, list(top), target, top_lang=top_lang,
                                          exclude=top_german) if top else None)


def summary_terms(text: str, source: str, source_lang: str, target: str,
                  glossary: Glossary | None
                  ) -> tuple[tuple[dict[str, str], ...], tuple[dict[str, str], ...]]:
    """The glossary renderings a summary uses, and the source forms it left untranslated."""
    if glossary is None:
        return (), ()
    from toolkit.glossary import contains_term, find_terms

    used: dict[str, dict[str, str]] = {}
    for m in find_terms(source, glossary, source_lang, target):
        rendering = m.target(target)
        if rendering and rendering not in used and any(
                contains_term(text, f, target, name=m.entry.is_name()) for f in m.accepted(target)):
            used[rendering] = {"source": m.text, "target": rendering}
    untranslated: dict[str, dict[str, str]] = {}
    if target != source_lang:
        # A German source form written into an English or Chinese summary: "KI" for AI.
        for m in find_terms(text, glossary, source_lang, target):
            rendering = m.target(target)
            if rendering and m.text != rendering and not m.text.startswith(rendering):
                untranslated.setdefault(m.text, {"source": m.text, "target": rendering})
    return tuple(used.values()), tuple(untranslated.values())


@dataclass(frozen=True)
class SummaryTally:
    """What the summaries of a run did, added up shard by shard (flat memory): lengths,
    input handling (the first few documents), numbers, terms, language, retries."""

    documents: int = 0
    unit: str = "words"
    limit: int | None = None
    within: int = 0
    regenerated: int = 0
    cut: int = 0
    cut_in_sentence: int = 0
    inputs: tuple[str, ...] = ()
    checked: int = 0
    numbers: int = 0
    unsupported: int = 0
    used: int = 0
    untranslated: int = 0
    wrong: int = 0
    repeating: int = 0
    dropped: int = 0
    retried: int = 0
    german: int = 0  # German words left in the summaries
    short: int = 0  # under 40 % of the limit
    headline: int = 0  # only the title said again
    coverage: float = 0.0  # the sum of coverage shares (the mean is rendered)
    routes: tuple[str, ...] = ()

    _ADDED = ("documents", "within", "regenerated", "cut", "cut_in_sentence", "checked",
              "numbers", "unsupported", "used", "untranslated", "wrong", "repeating", "dropped",
              "retried", "german", "short", "headline", "coverage")

    @classmethod
    def of(cls, records: Sequence[dict[str, Any]]) -> SummaryTally:
        if not records:
            return cls()
        first = records[0]["length"]
        actions = [r["length"]["action"] for r in records]
        checks = [r["checks"] for r in records if r["checks"]]
        limit = first["limit"]
        return cls(
            documents=len(records), unit=first["unit"], limit=limit,
            within=sum(bool(limit) and r["length"]["measured"] <= limit for r in records),
            regenerated=actions.count("regenerated"),
            cut=actions.count("cut") + actions.count("cut-in-sentence"),
            cut_in_sentence=actions.count("cut-in-sentence"),
            inputs=tuple(f"{r['doc']} {r['input']['tokens']} tokens"
                         + (f" in {r['input']['chunks']} parts, {r['input']['levels']} levels"
                            if r["input"]["chunks"] > 1 else "") for r in records[:7]),
            checked=len(checks),
            numbers=sum(c["numbers"]["checked"] for c in checks),
            unsupported=sum(len(c["numbers"]["unsupported"]) for c in checks),
            used=sum(len(c["terms"]["used"]) for c in checks if c["terms"]),
            untranslated=sum(len(c["terms"]["untranslated"]) for c in checks if c["terms"]),
            wrong=sum(not c["language"]["ok"] for c in checks),
            repeating=sum(bool(c.get("repeated")) for c in checks),
            dropped=sum(c.get("repeats_dropped", 0) for c in checks),
            retried=sum(c["retried"] for c in checks),
            german=sum(len(c.get("untranslated_words") or ()) for c in checks),
            short=sum(bool(c.get("too_short")) for c in checks),
            headline=sum(bool(c.get("restates_title")) for c in checks),
            coverage=sum((c.get("coverage") or {}).get("share", 0.0) for c in checks),
            routes=tuple(sorted({r.get("route", "") for r in records} - {""})))

    def merge(self, other: SummaryTally) -> SummaryTally:
        if not other.documents:
            return self
        if not self.documents:
            return other
        return replace(self, **{k: getattr(self, k) + getattr(other, k) for k in self._ADDED},
                       inputs=(self.inputs + other.inputs)[:7],
                       routes=tuple(sorted(set(self.routes) | set(other.routes))))

    def render(self, seconds: float | None = None) -> str:
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        route = f" ({', '.join(self.routes)})" if self.routes else ""
        lines = [f"summaries: {self.documents} document(s){took}{route}"]
        if self.limit:
            inside = (f", {self.cut_in_sentence} inside a sentence" if self.cut_in_sentence
                      else "")
            lines.append(f"length (max {self.limit} {self.unit}): {self.within} within; "
                         f"{self.regenerated} regenerated, {self.cut} cut at a sentence "
                         f"end{inside}")
        shown = self.inputs[:6]
        lines.append("input: " + ", ".join(shown)
                     + (" ..." if self.documents > len(shown) else ""))
        if self.checked:
            lines.append(f"numbers: {self.numbers} stated, {self.unsupported} not supported by "
                         f"the source; terms: {self.used} glossary renderings used, "
                         f"{self.untranslated} left untranslated; {self.german} German words "
                         f"left; language: {self.wrong} wrong; "
                         f"{self.repeating} still repeating themselves ({self.dropped} repeated "
                         f"sentences dropped); {self.retried} summaries retried")
            lines.append(f"coverage of the top sentences: {self.coverage / self.checked:.0%} "
                         f"on average; {self.short} under 40% of the limit, {self.headline} "
                         "only the title said again")
        return "\n".join(lines)
