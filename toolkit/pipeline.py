"""The whole pipeline as one resumable run: translate -> summarize -> score -> report.

    from toolkit.pipeline import RunOptions, run_pipeline
    result = run_pipeline(["corpus/"], RunOptions(targets=("en", "zh"), output="out/run",
                                                  refs="eval/refs"))
    result.translations["en"]          # the records, as tk translate writes them
    result.scores["en"]["translations"]  # the score report (a dict, as scores-en.json holds)

A run folder holds one job folder of the engine per stage (``translate-en/``,
``summarize-en/``, ...: each resumable, each refusing a rerun with other settings and naming
them), the scores as ``scores-<lang>.json``, ``report.html`` and ``run.json`` (what was asked,
each stage's state and time). Running the same command again redoes nothing that finished,
and finishes what a killed run left, with the outputs an uninterrupted run writes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError, InputError, TkError
from toolkit.jobs import DEFAULT_SHARD_DOCS, Job, JobOptions, write_run_json
from toolkit.load import ModelOptions

TARGETS = ("en", "zh")
RUN_FORMAT = 1


@dataclass(frozen=True)
class RunOptions:
    """What ``tk run`` is asked to do, checked once where it enters (flags, ``[run]`` in
    tk.toml, a notebook call)."""

    output: str
    targets: tuple[str, ...] = TARGETS
    source: str = "de"
    model: ModelOptions = field(default_factory=ModelOptions)
    glossaries: tuple[str, ...] = ()
    use_glossary: bool = True
    summaries: bool = True
    max_words: int = 100  # English summaries
    max_chars: int = 220  # Chinese summaries
    refs: str | None = None
    baseline: str | None = None
    shard_docs: int = DEFAULT_SHARD_DOCS

    def __post_init__(self) -> None:
        wrong = [t for t in self.targets if t not in TARGETS]
        if wrong or not self.targets:
            raise ConfigError(f"--to {','.join(self.targets) or '(none)'}: tk translates into "
                              f"{' and '.join(TARGETS)}; give --to en, --to zh or --to en,zh")
        if len(set(self.targets)) != len(self.targets):
            raise ConfigError(f"--to {','.join(self.targets)}: each language once")
        if self.max_words < 5 or self.max_chars < 10:
            raise ConfigError("a summary limit must allow at least 5 words or 10 characters")
        if self.refs is not None:
            _check_refs(self.refs, self.targets, self.summaries)
        if self.baseline is not None:
            _check_baseline(self.baseline, self.targets)



@dataclass
class Stage:
    """One stage of a run: what it is, where its output is, whether it is done."""

    name: str  # translate-en, summarize-zh, scores-en, report
    folder: Path
    status: str = "pending"  # pending | running | complete | failed
    seconds: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunResult:
    """A finished run, as objects for a notebook."""

    folder: Path
    stages: list[Stage]
    translations: dict[str, list[dict[str, Any]]]
    summaries: dict[str, list[dict[str, Any]]]
    scores: dict[str, dict[str, Any]]
    report: Path


Announce = Callable[[str], None]
StageProgress = Callable[[Stage, int, int], Any]  # -> the stage's progress callback


def stage_names(options: RunOptions) -> list[str]:
    names = [f"translate-{t}" for t in options.targets]
    if options.summaries:
        names += [f"summarize-{t}" for t in options.targets]
    if options.refs:
        names += [f"scores-{t}" for t in options.targets]
    return [*names, "report"]


def run(inputs: str | Sequence[str], *, output: str, to: str | Sequence[str] = TARGETS,
        model: str | None = None, refs: str | None = None, baseline: str | None = None,
        summaries: bool = True, glossaries: Sequence[str] = (), **model_options: Any,
        ) -> RunResult:
    """``tk run`` in one call, for notebooks: the outputs come back as objects.

        from toolkit.pipeline import run
        result = run("corpus/", to=["en", "zh"], model="starter", refs="eval/refs",
                     output="out/run")
        result.scores["en"]["translations"]["systems"][0]["scores"]["bleu"]["score"]

    ``model_options`` are those of :class:`~toolkit.load.ModelOptions` (engine, device, ...)."""
    targets = (to,) if isinstance(to, str) else tuple(to)
    options = RunOptions(output=output, targets=targets,
                         model=ModelOptions.resolve(model=model, **model_options),
                         glossaries=tuple(glossaries), summaries=summaries, refs=refs,
                         baseline=baseline)
    return run_pipeline([inputs] if isinstance(inputs, str) else list(inputs), options)


def run_pipeline(inputs: Sequence[str], options: RunOptions, *,
                 announce: Announce | None = None,
                 progress: StageProgress | None = None) -> RunResult:
    """Run (or finish) every stage of ``options`` over ``inputs`` in ``options.output``."""
    folder = Path(options.output)
    plan, earlier = _plan(folder, inputs, options)
    stages = [Stage(name, folder / name) for name in stage_names(options)]
    stages[-1].folder = folder / "report.html"
    started = time.time()
    for stage in stages:
        before = earlier.get(stage.name)
        if stage.name.startswith("scores-") and before and before["status"] == "complete" \
                and (folder / f"{stage.name}.json").is_file():
            # Scores are a function of finished stages: done once, kept.
            stage.status, stage.seconds = "complete", before.get("seconds", 0.0)
            stage.detail = before.get("detail", {})
            continue
        stage.status = "running"
        _save(folder, plan, stages, started)
        t0 = time.perf_counter()
        try:
            _run_stage(stage, folder, inputs, options, announce, progress)
        except BaseException:  # a kill, Ctrl-C or an error: run.json says where it stopped
            stage.status = "failed"
            stage.seconds = round(time.perf_counter() - t0, 2)
            _save(folder, plan, stages, started)
            raise
        stage.seconds = round(time.perf_counter() - t0, 2)
        if before and before["status"] == "complete" and stage.name != "report":
            # Finished earlier and reused now: its time is the run that did the work.
            stage.detail["reused_in_s"] = stage.seconds
            stage.seconds = before.get("seconds", stage.seconds)
        stage.status = "complete"
        _save(folder, plan, stages, started)
    return load_run(folder)


def _run_stage(stage: Stage, folder: Path, inputs: Sequence[str], options: RunOptions,
               announce: Announce | None, progress: StageProgress | None) -> None:
    from toolkit.documents import DocumentSource

    kind, _, lang = stage.name.partition("-")
    if kind in ("translate", "summarize"):
        task = (_translate_task if kind == "translate" else _summarize_task)(options, lang)
        stage.detail = _run_job(task, DocumentSource(tuple(inputs), options.source), stage,
                                options, announce, progress)
    elif kind == "scores":
        stage.detail = _score(folder, options, lang)
    else:
        from toolkit.report import write_report

        write_report(folder)


def load_run(folder: str | Path) -> RunResult:
    """A run folder's outputs as objects (what :func:`run_pipeline` returns)."""
    folder = Path(folder)
    data = read_run_json(folder)
    stages = [Stage(s["name"], folder / s["name"], s["status"], s.get("seconds", 0.0),
                    s.get("detail", {})) for s in data["stages"]]
    translations: dict[str, list[dict[str, Any]]] = {}
    summaries: dict[str, list[dict[str, Any]]] = {}
    scores: dict[str, dict[str, Any]] = {}
    for lang in data["settings"]["targets"]:
        path = folder / f"translate-{lang}" / "translations.jsonl"
        if path.is_file():
            translations[lang] = _records(path)
        path = folder / f"summarize-{lang}" / "summaries.jsonl"
        if path.is_file():
            summaries[lang] = _records(path)
        path = folder / f"scores-{lang}.json"
        if path.is_file():
            scores[lang] = json.loads(path.read_text(encoding="utf-8"))
    return RunResult(folder, stages, translations, summaries, scores, folder / "report.html")


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def read_run_json(folder: Path) -> dict[str, Any]:
    path = folder / "run.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(f"{folder}: not a tk run folder (no readable run.json); give the "
                         "-o folder of tk run, tk translate or tk summarize") from None
    if not isinstance(data, dict) or data.get("task") != "run" or "stages" not in data:
        raise InputError(f"{folder}: not a tk run folder (its run.json is not tk run's)")
    return data


# --- the stages ----------------------------------------------------------------------------------


def _translate_task(options: RunOptions, lang: str) -> Any:
    from toolkit.translate import TranslateOptions
    from toolkit.translate_job import TranslateJob

    return TranslateJob(TranslateOptions(lang, options.source, model=options.model,
                                         glossaries=options.glossaries,
                                         use_glossary=options.use_glossary), None)


def _summarize_task(options: RunOptions, lang: str) -> Any:
    from toolkit.summarize import SummarizeOptions
    from toolkit.summarize_job import SummarizeJob

    zh = lang == "zh"
    return SummarizeJob(SummarizeOptions(lang, options.source, model=options.model,
                                         max_words=None if zh else options.max_words,
                                         max_chars=options.max_chars if zh else None,
                                         glossaries=options.glossaries,
                                         use_glossary=options.use_glossary))


def _run_job(task: Any, source: Any, stage: Stage, options: RunOptions,
             announce: Announce | None, progress: StageProgress | None) -> dict[str, Any]:
    job = Job(task, source, JobOptions(output=str(stage.folder), shard_docs=options.shard_docs),
              announce=announce)
    job.plan()
    with job:
        tick = progress(stage, job.total_units, job.total_documents) if progress else None
        run = job.run(tick)
    if run.failed:
        raise InputError(f"{stage.name}: {len(run.failed)} document(s) failed (first: "
                         f"{run.failed[0]['doc']}: {run.failed[0]['error']}); the rest is kept in "
                         f"{stage.folder}/ - run the same command again to retry them")
    manifest = job.folder.manifest
    return {"documents": run.documents, "reused_documents": run.reused_documents,
            "model": manifest.get("model"), "engine": manifest.get("engine"),
            "engine_reason": manifest.get("engine_reason"),
            "fingerprint": manifest.get("fingerprint_short"),
            "tally": run.tally.render() if run.tally is not None else ""}


def _score(folder: Path, options: RunOptions, lang: str) -> dict[str, Any]:
    """Translations (and summaries) against the references; against the baseline's too, with
    the paired bootstrap, when one is given. Written to scores-<lang>.json."""
    from toolkit.load import load_glossary
    from toolkit.outputs import atomic_write
    from toolkit.score import score_summaries, score_translations

    assert options.refs is not None
    # Terms, numbers and German words checked again on the text as a reader sees it, with the
    # run's glossary (as `tk score -g`), so a baseline from any tool is counted alike.
    glossary = load_glossary(options.glossaries) if options.use_glossary else None
    systems: list[str] = []
    baseline = _baseline_folder(options.baseline, "translate", lang)
    if baseline is not None:
        systems.append(str(baseline))
    systems.append(str(folder / f"translate-{lang}"))
    # The language of every segment is checked (and counted) by the translation stage; the
    # scores are given whatever it found, not refused.
    translations = score_translations(systems, options.refs, lang, compare=baseline is not None,
                                      glossary=glossary, check_lang=False)
    scores: dict[str, Any] = {"translations": translations.to_dict()}
    if options.summaries:
        mine = folder / f"summarize-{lang}" / "summaries.jsonl"
        base = _baseline_folder(options.baseline, "summarize", lang)
        paths = [str(base / "summaries.jsonl")] if base is not None else []
        summaries = score_summaries([*paths, str(mine)], options.refs, lang,
                                    compare=base is not None, check_lang=False)
        scores["summaries"] = summaries.to_dict()
    atomic_write(folder / f"scores-{lang}.json",
                 json.dumps(scores, ensure_ascii=False, indent=1) + "\n")
    return {"systems": len(systems), "baseline": str(baseline) if baseline else None}


# --- checks where the options enter ----------------------------------------------------------------


def _check_refs(refs: str, targets: Sequence[str], summaries: bool) -> None:
    from toolkit.score.references import resolve_reference_path

    for lang in targets:
        kinds = ("translations", "summaries") if summaries else ("translations",)
        for kind in kinds:
            try:
                path = resolve_reference_path(refs, kind, lang)
            except TkError as e:  # the reference reader's own one-line errors
                raise InputError(f"--refs {refs}: {e}") from None
            try:
                with open(path, encoding="utf-8") as f:
                    f.read(1)
            except (OSError, UnicodeDecodeError) as e:
                raise InputError(f"--refs {refs}: cannot read {path} ({e})") from None


def _baseline_folder(baseline: str | None, kind: str, lang: str) -> Path | None:
    """The baseline's output for a stage: a tk run folder's stage, or a plain job folder."""
    if baseline is None:
        return None
    root = Path(baseline)
    staged = root / f"{kind}-{lang}"
    if staged.is_dir():
        return staged
    record = "translations.jsonl" if kind == "translate" else "summaries.jsonl"
    if kind == "translate" and (root / record).is_file():
        return root
    return None


def _check_baseline(baseline: str, targets: Sequence[str]) -> None:
    root = Path(baseline)
    if not root.is_dir():
        raise InputError(f"--baseline {baseline}: no such folder (give a tk run folder, or a "
                         "tk translate -o folder)")
    missing = [lang for lang in targets if _baseline_folder(baseline, "translate", lang) is None]
    if missing:
        raise InputError(f"--baseline {baseline}: holds no translation into "
                         f"{', '.join(missing)} (translate-<lang>/ of a tk run, or "
                         "translations.jsonl)")


# --- the run folder ------------------------------------------------------------------------------


def _plan(folder: Path, inputs: Sequence[str],
          options: RunOptions) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The run's settings, checked against an earlier run in the same folder (differences
    named), and that run's stages by name."""
    from toolkit.jobs.folder import differences
    from toolkit.outputs import check_writable

    if not inputs:
        raise InputError("give the documents to run on (files, folders, JSONL, -)")
    if "-" in inputs:
        raise InputError("tk run reads its inputs more than once (one stage each): give files "
                         "or folders, not - (stdin)")
    # As JSON holds it (tuples as lists, a resolved model as its text), to compare with run.json.
    settings = json.loads(json.dumps({"inputs": [str(i) for i in inputs], **asdict(options)},
                                     default=str))
    if (folder / "run.json").is_file():
        earlier = read_run_json(folder)
        changed = differences(earlier["settings"], settings)
        if changed:
            raise ConfigError(f"{folder} holds a run with other settings ({'; '.join(changed)});"
                              " give another -o folder, or remove this one")
        return settings, {s["name"]: s for s in earlier["stages"]}
    if folder.exists() and any(folder.iterdir()):
        raise InputError(f"{folder} is not empty and holds no tk run; give a new or empty "
                         "-o folder")
    check_writable(str(folder), folder=True)
    return settings, {}


def _save(folder: Path, settings: dict[str, Any], stages: list[Stage], started: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_run_json(folder, {
        "task": "run", "format": RUN_FORMAT, "settings": settings,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "stages": [{"name": s.name, "status": s.status, "seconds": s.seconds,
                    "detail": s.detail} for s in stages],
    })
