"""Summarization as a job of the engine (:mod:`toolkit.jobs`): ``tk summarize -o DIR``,
streamed, sharded and resumable like translation, on the local runner or Ray."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from toolkit.documents import Document
from toolkit.jobs.task import RECOVERABLE, ShardResult, failure
from toolkit.load import glossary_digest, load_glossary
from toolkit.outputs import atomic_write, atomic_writer, file_stems, jsonl_line
from toolkit.summarize import (
    SummarizeOptions,
    SummaryTally,
    inputs_from_documents,
    summarize_documents,
    summarizer_for,
)


class SummarizeJob:
    """The :class:`~toolkit.jobs.task.JobTask` of summarization: one record per document."""

    name = "summarize"
    unit = "doc"

    def __init__(self, options: SummarizeOptions) -> None:
        self.options = options
        self.glossary = load_glossary(options.glossaries) if options.use_glossary else None
        self.summarizer: Any = None

    def describe(self) -> str:
        return f"summaries ({self.options.target})"

    def units(self, doc: Document) -> int:
        return 1

    def prepare(self, announce: Callable[[str], None] | None = None) -> None:
        if self.summarizer is None:
            self.summarizer = summarizer_for(self.options.model, self.options.target,
                                             window=self.options.window, announce=announce)
            self.summarizer.check(self.options.source, self.options.target)

    def settings(self) -> dict[str, Any]:
        return {"task": "summarize", "target": self.options.target,
                "source": self.options.source, "fingerprint": self.summarizer.fingerprint(),
                "glossary": glossary_digest(self.glossary), "options": self.options.request()}

    def info(self) -> dict[str, Any]:
        return {"model": self.summarizer.model_label, "engine": self.summarizer.engine,
                "fingerprint_short": self.summarizer.fingerprint_short}

    def recipe(self) -> tuple[Callable[..., SummarizeJob], Any]:
        return SummarizeJob, replace(self.options,
                                     model=self.options.model.pinned(self.summarizer.backend))

    def cache_hits(self) -> int:
        return self.summarizer.backend.cache_hits or 0

    def run_shard(self, docs: Sequence[Document], progress: Any) -> ShardResult:
        before = self.summarizer.backend.usage.new_tokens
        records: list[dict[str, Any]] = []
        failed: list[dict[str, str]] = []
        o = self.options
        for doc in docs:  # one document at a time: a failure costs only that one
            try:
                run = summarize_documents(inputs_from_documents([doc]), self.summarizer,
                                          o.target, glossary=self.glossary, **o.request())
                records += [r.to_dict() for r in run.records]
            except RECOVERABLE as e:
                failed.append(failure(doc, e))
            if progress is not None:
                progress(1)
        return ShardResult(records, failed, SummaryTally.of(records),
                           new_tokens=self.summarizer.backend.usage.new_tokens - before)

    def assemble(self, folder: Path, records: Callable[[], Iterator[dict[str, Any]]],
                 manifest: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
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
        return outputs, {"documents": count}
