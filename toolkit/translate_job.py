"""Translation as a job of the engine (:mod:`toolkit.jobs`): ``tk translate -o DIR``.

    from toolkit.documents import DocumentSource
    from toolkit.jobs import Job, JobOptions
    from toolkit.load import ModelOptions
    from toolkit.translate import TranslateOptions
    from toolkit.translate_job import TranslateJob

    options = TranslateOptions("en", model=ModelOptions.resolve(model="starter"))
    job = Job(TranslateJob(options), DocumentSource(["corpus/"]), JobOptions("out/en"))
    job.plan()
    with job:
        run = job.run()
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from toolkit.documents import Document
from toolkit.jobs.task import ShardResult, add_stats, one_by_one
from toolkit.load import glossary_digest, load_glossary
from toolkit.outputs import atomic_write, atomic_writer, file_stems, jsonl_line, tsv_text
from toolkit.translate import (
    TranslateOptions,
    document_output,
    translate_documents,
    translator_for,
)

TSV_COLUMNS = ["doc", "id", "source", "translation"]


@dataclass(frozen=True)
class TranslateTally:
    """Checks and retry counts over a run's shards, added shard by shard."""

    checks: Any = None  # CheckSummary
    retries: dict[str, Any] | None = None

    def merge(self, other: TranslateTally) -> TranslateTally:
        checks = (other.checks if self.checks is None else self.checks if other.checks is None
                  else self.checks.merge(other.checks))
        return TranslateTally(checks, add_stats([s for s in (self.retries, other.retries) if s]))

    def render(self) -> str:
        from toolkit.tasks.retry import RetryStats

        lines = [self.checks.render()] if self.checks is not None else []
        if self.retries and self.retries.get("retried") is not None:
            lines.append(RetryStats(**self.retries).render())
        return "\n".join(lines)


class TranslateJob:
    """The :class:`~toolkit.jobs.task.JobTask` of translation. ``output_format`` "tsv" adds
    translations.tsv to the assembled outputs."""

    name = "translate"
    unit = "seg"

    def __init__(self, options: TranslateOptions, output_format: str | None = None) -> None:
        self.options = options
        self.output_format = output_format
        self.glossary = load_glossary(options.glossaries) if options.use_glossary else None
        self.memory = options.memory()
        self.translator: Any = None
        self.marked_up = False  # the first pass saw an HTML, Markdown or XLIFF document

    def describe(self) -> str:
        return f"{self.options.source}→{self.options.target}"

    def units(self, doc: Document) -> int:
        from toolkit.segments import segment_documents

        self.marked_up |= doc.markup is not None
        return len(segment_documents([doc]))

    def prepare(self, announce: Callable[[str], None] | None = None) -> None:
        if self.translator is None:
            self.translator = translator_for(self.options.model, self.options.target,
                                             self.options.source, announce)

    def settings(self) -> dict[str, Any]:
        return {"task": "translate", "target": self.options.target,
                "source": self.options.source, "fingerprint": self.translator.fingerprint(),
                "glossary": glossary_digest(self.glossary), **self.options.policy(),
                **({"tm": self.memory.digest, "tm_fuzzy": self.options.tm_fuzzy}
                   if self.memory is not None else {})}

    def info(self) -> dict[str, Any]:
        return {"model": self.translator.model_label, "engine": self.translator.engine,
                "engine_reason": self.translator.backend.engine_reason,
                "fingerprint_short": self.translator.fingerprint_short}

    def recipe(self) -> tuple[Callable[..., TranslateJob], Any]:
        return TranslateJob, replace(self.options,
                                     model=self.options.model.pinned(self.translator.backend))

    def cache_hits(self) -> int:
        return self.translator.backend.cache_hits or 0

    def run_shard(self, docs: Sequence[Document], progress: Any) -> ShardResult:
        from toolkit.qa.checks import CheckSummary

        before = self._new_tokens()
        o = self.options

        def work(part: Sequence[Document]) -> ShardResult:
            run = translate_documents(part, self.translator, o.target, source_lang=o.source,
                                      glossary=self.glossary, enforce=o.enforce,
                                      checks=o.checks, repair=o.repair, retry=o.retry,
                                      progress=progress, memory=self.memory,
                                      fuzzy=o.tm_fuzzy)
            checks = CheckSummary.from_checks(run.checks) if run.checks else None
            return ShardResult([r.to_dict() for r in run.records],
                               tally=TranslateTally(checks, run.stats), stats=run.stats)

        result = one_by_one(docs, work)
        result.new_tokens = self._new_tokens() - before
        return result

    def _new_tokens(self) -> int:
        total: int = self.translator.backend.usage.new_tokens
        fallback = self.translator.constrained_loaded
        if fallback is not None and fallback is not self.translator:
            total += fallback.backend.usage.new_tokens
        return total

    def assemble(self, folder: Path, records: Callable[[], Iterator[dict[str, Any]]],
                 manifest: dict[str, Any],
                 documents: Callable[[], Iterator[Document]] | None = None,
                 ) -> tuple[list[str], dict[str, Any]]:
        """<doc>.<lang>.txt (.html, .md, .xlf for marked-up inputs and with --format xliff),
        translations.jsonl (and translations.tsv), written as the records stream by, one
        document at a time (a document never spans two shards)."""
        docs: list[str] = []
        for r in records():
            if not docs or docs[-1] != r["doc"]:
                docs.append(r["doc"])
        stems = file_stems(docs)  # ids never choose where a file goes
        lang = self.options.target
        outputs = ["translations.jsonl"]
        count = 0
        tsv = self.output_format == "tsv"
        # The input is read again only where a file is written from its document: a
        # marked-up one (its bytes) or --format xliff (its path and language).
        again = documents is not None and (self.marked_up or self.output_format == "xliff")
        sources = _matching(documents() if again and documents is not None else iter(()))
        with atomic_writer(folder / "translations.jsonl") as out, \
                (atomic_writer(folder / "translations.tsv") if tsv else _nowhere()) as table:
            table.write(tsv_text([], TSV_COLUMNS))
            for doc_records in _by_document(records()):
                for r in doc_records:
                    out.write(jsonl_line(r))
                count += len(doc_records)
                doc_id = doc_records[0]["doc"]
                suffix, body = document_output(doc_records, sources(doc_id), lang,
                                               self.output_format or "text")
                name = f"{stems[doc_id]}.{lang}{suffix}"
                atomic_write(folder / name, body)
                outputs.append(name)
                table.write(tsv_text(doc_records, TSV_COLUMNS).split("\n", 1)[1])
        if tsv:
            outputs.append("translations.tsv")
        retries = add_stats([e["stats"] for e in manifest["shards"] if e.get("stats")])
        return outputs, {"segments": count, "documents": len(docs), "retries": retries,
                         "new_tokens": sum(e.get("new_tokens", 0) for e in manifest["shards"])}


def _matching(documents: Iterator[Document]) -> Callable[[str], Document | None]:
    """A lookup of the input's documents by id, read forward in step with the records (both
    in input order; a document that failed has no records): memory stays one document."""
    current: list[Document | None] = [None]

    def find(doc_id: str) -> Document | None:
        if current[0] is not None and current[0].id == doc_id:
            return current[0]
        for doc in documents:
            current[0] = doc
            if doc.id == doc_id:
                return doc
        return None

    return find


def _by_document(records: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    group: list[dict[str, Any]] = []
    for r in records:
        if group and group[-1]["doc"] != r["doc"]:
            yield group
            group = []
        group.append(r)
    if group:
        yield group


class _nowhere:
    """A writer that drops what it is given (no TSV asked for)."""

    def __enter__(self) -> _nowhere:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def write(self, text: str) -> int:
        return len(text)
