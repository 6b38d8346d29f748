"""Summarization as a job of the engine (:mod:`toolkit.jobs`): ``tk summarize -o DIR``,
streamed, sharded and resumable like translation, on the local runner or Ray."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from toolkit.documents import Document
from toolkit.jobs.task import ShardResult, one_by_one
from toolkit.load import glossary_digest, load_glossary
from toolkit.outputs import atomic_write, atomic_writer, file_stems, jsonl_line
from toolkit.summarize import (
    SummarizeOptions,
    SummaryTally,
    choose_route,
    goes_via_translation,
    summarize_documents,
    summarizer_for,
    translator_for_route,
)


class SummarizeJob:
    """The :class:`~toolkit.jobs.task.JobTask` of summarization: one record per document."""

    name = "summarize"
    unit = "doc"

    def __init__(self, options: SummarizeOptions) -> None:
        self.options = options
        self.glossary = load_glossary(options.glossaries) if options.use_glossary else None
        self.summarizer: Any = None
        self.translator: Any = None

    def describe(self) -> str:
        return f"summaries ({self.options.target})"

    def units(self, doc: Document) -> int:
        return 1

    def prepare(self, announce: Callable[[str], None] | None = None) -> None:
        if self.summarizer is None:
            self.summarizer = summarizer_for(self.options.model, self.options.target,
                                             window=self.options.window, announce=announce)
            o = self.options
            if goes_via_translation(self.summarizer, o):
                self.translator = translator_for_route(self.summarizer, o, announce)
                self.summarizer.check(o.target, o.target)
            else:
                self.summarizer.check(o.source, o.target)

    def settings(self) -> dict[str, Any]:
        o = self.options
        route = choose_route(o.route, self.summarizer, o.source, o.target)
        return {"task": "summarize", "target": o.target, "source": o.source,
                "fingerprint": self.summarizer.fingerprint(),
                "glossary": glossary_digest(self.glossary), "options": o.request(),
                "route": route[0],
                "translation": self.translator.fingerprint() if self.translator else None}

    def info(self) -> dict[str, Any]:
        return {"model": self.summarizer.model_label, "engine": self.summarizer.engine,
                "engine_reason": self.summarizer.backend.engine_reason,
                "fingerprint_short": self.summarizer.fingerprint_short}

    def recipe(self) -> tuple[Callable[..., SummarizeJob], Any]:
        o = self.options
        pinned = replace(o, model=o.model.pinned(self.summarizer.backend))
        if self.translator is not None and o.translation_model is not None:
            translation = o.model.pinned(self.translator.backend).model
            pinned = replace(pinned, translation_model=translation)
        return SummarizeJob, pinned

    def cache_hits(self) -> int:
        hits = self.summarizer.backend.cache_hits or 0
        if self.translator is not None and self.translator.backend is not self.summarizer.backend:
            hits += self.translator.backend.cache_hits or 0
        return hits

    def run_shard(self, docs: Sequence[Document], progress: Any) -> ShardResult:
        before = self._new_tokens()
        o = self.options

        def work(part: Sequence[Document]) -> ShardResult:
            # The documents of a shard go to the model together (their parts in one batch,
            # their retries in one); if one fails on its input, each alone.
            run = summarize_documents(part, self.summarizer, o.target, glossary=self.glossary,
                                      route=o.route, translator=self.translator,
                                      **o.request())
            records = [r.to_dict() for r in run.records]
            if progress is not None:
                progress(len(part))
            return ShardResult(records, tally=SummaryTally.of(records))

        result = one_by_one(docs, work)
        result.new_tokens = self._new_tokens() - before
        return result

    def _new_tokens(self) -> int:
        tokens = self.summarizer.backend.usage.new_tokens
        if self.translator is not None and self.translator.backend.usage is not \
                self.summarizer.backend.usage:
            tokens += self.translator.backend.usage.new_tokens
        return int(tokens)

    def assemble(self, folder: Path, records: Callable[[], Iterator[dict[str, Any]]],
                 manifest: dict[str, Any],
                 documents: Callable[[], Iterator[Document]] | None = None,
                 ) -> tuple[list[str], dict[str, Any]]:
        """<doc>.<lang>.summary.txt and summaries.jsonl."""
        stems = file_stems([r["doc"] for r in records()])
        outputs = ["summaries.jsonl"]
        count = 0
        with atomic_writer(folder / "summaries.jsonl") as out:
            for r in records():
                name = f"{stems[r['doc']]}.{r['lang']}.summary.txt"
                atomic_write(folder / name, r["summary"] + "\n")
                outputs.append(name)
                out.write(jsonl_line(r))
                count += 1
        settings = manifest.get("settings", {})
        return outputs, {"documents": count, "route": settings.get("route"),
                         "translation": settings.get("translation")}
