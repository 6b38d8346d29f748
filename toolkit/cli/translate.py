"""``tk translate``: a thin adapter over :mod:`toolkit.translate`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit.cli.options import progress_bar, quiet_libraries
from toolkit.config import SETTINGS


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--to", "target", required=True, metavar="LANG",
              help="Target language: en or zh.")
@click.option("--from", "source", default="de", show_default=True,
              type=click.Choice(["de", "en", "zh"]),
              help="Source language of the documents.")
@click.option("-m", "--model", metavar="MODEL",
              help="Catalog name, hub id, local folder or .gguf file "
                   "[default: the catalog's model for the language; TK_MODEL].")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(dir_okay=False),
              help="Glossary (TSV/CSV/TBX) to enforce; repeat for several "
                   "[default: `glossary` in tk.toml, TK_GLOSSARY].")
@click.option("--no-glossary", is_flag=True, help="Translate without any glossary.")
@click.option("--no-enforce", is_flag=True,
              help="Check glossary terms and numbers but never intervene (no hints, no retries): "
                   "the baseline that shows what enforcement adds.")
@click.option("--no-repair", is_flag=True,
              help="Leave numbers as the model wrote them. By default a number whose figure is "
                   "right and whose scale or format is wrong (380 million for 380 Milliarden, "
                   "6,22% in English) is rewritten from the source and recorded in the "
                   "record's checks.repaired.")
@click.option("--retry", "retry", type=click.Choice(["inline", "force", "inline+force"]),
              default="inline", show_default=True,
              help="How a retry asks for missing terms and wrong numbers: inline writes the "
                   "required forms into the source where the terms stand (models copy them "
                   "into place; runs on any engine); force forces them while decoding "
                   "(transformers; often lands after the sentence); inline+force: inline, "
                   "then force in the last round.")
@click.option("-o", "--output", metavar="DIR|-",
              help="Folder for <doc>.<lang>.txt files and translations.jsonl, or - for "
                   "records on stdout. Without it the translated text goes to stdout.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "tsv", "text"]),
              help="Format on stdout [default: jsonl with -o -, else text].")
@click.option("--engine", type=SETTINGS["engine"].type,
              help="Generation backend: transformers (every model; terms can be forced while "
                   "decoding) or ctranslate2 (converted once, int8 on CPU; measured here at 2x "
                   "(MT) to 6x (chat LLM) the transformers path; "
                   "pip install 'tk-translate[ctranslate2]'; with --retry force its last retry "
                   "round runs on transformers) [default: transformers; TK_ENGINE].")
@click.option("--device", type=SETTINGS["device"].type,
              help="Where the model runs [default: auto = cuda, mps, else cpu; TK_DEVICE].")
@click.option("--dtype", type=SETTINGS["dtype"].type,
              help="Weights' dtype [default: auto = bfloat16 on CUDA, float32 on CPU; with "
                   "--engine ctranslate2 int8 on CPU, float16 on CUDA; TK_DTYPE].")
@click.option("--beams", type=SETTINGS["beams"].type, help="Beam size [default: model's; TK_BEAMS].")
@click.option("--max-new-tokens", type=SETTINGS["max_new_tokens"].type, metavar="N",
              help="Cap on each segment's new tokens, against runaway output [default: 2x the "
                   "input (3x into Chinese) plus a margin; TK_MAX_NEW_TOKENS].")
@click.option("--max-batch-tokens", type=SETTINGS["max_batch_tokens"].type, metavar="N",
              help="Token budget of one batch: beams x (input + output) tokens summed over its "
                   "rows, what it holds in memory [default: 8192; TK_MAX_BATCH_TOKENS].")
@click.option("--batching", type=SETTINGS["batching"].type,
              help="How the transformers engine batches a chat LLM's greedy requests: padded "
                   "batches, or transformers' continuous batching (paged attention; a finished "
                   "row's slot goes to the next segment) [default: auto = continuous on CUDA, "
                   "padded elsewhere; TK_BATCHING].")
@click.option("--threads", type=SETTINGS["threads"].type, metavar="N",
              help="CPU threads for torch [default: torch's; TK_THREADS]. On a machine busy with "
                   "other work, fewer threads than cores can be several times faster.")
@click.option("--no-checks", is_flag=True, help="Skip number and language checks (and their retries).")
@click.option("--no-cache", is_flag=True,
              help="Translate everything again instead of reusing finished segments.")
@click.option("--no-fallback", is_flag=True,
              help="Without --model, fail when the catalog's model cannot be had instead of "
                   "falling back to the small offline starter [TK_FALLBACK=0, fallback = false "
                   "in tk.toml].")
@click.option("--trust-remote-code", is_flag=True,
              help="Allow a model's own Python code to run (only for models you trust).")
@click.option("--shard", metavar="K/N",
              help="Translate only share K of N of the documents (by a stable hash of each "
                   "document's id): N machines, each with its own K, cover a corpus exactly "
                   "once with no coordination.")
@click.option("--shard-size", type=click.IntRange(1), default=None, metavar="DOCS",
              help="Documents per output shard with -o DIR, the unit a resumed job skips "
                   "[default: 32].")
@click.option("--runner", type=click.Choice(["local", "ray"]), default="local",
              show_default=True,
              help="Who translates the shards of -o DIR: this process, or a Ray actor pool "
                   "(one model per actor; pip install 'tk-translate[ray]').")
@click.option("--ray-actors", type=click.IntRange(1), metavar="N",
              help="Actors (model copies) for --runner ray [default: one per GPU, else 1].")
@click.option("--ray-gpus-per-actor", type=click.FloatRange(0), default=0.0, metavar="G",
              help="GPUs each actor takes, e.g. 1, or 0.5 for two per GPU [default: 0].")
@click.option("--ray-address", metavar="ADDR",
              help="An existing Ray cluster, e.g. ray://head:10001 [default: RAY_ADDRESS, "
                   "else a local Ray].")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
def translate(inputs: tuple[str, ...], target: str, source: str, model: str | None,
              glossaries: tuple[str, ...], no_glossary: bool, no_enforce: bool, no_repair: bool,
              retry: str, output: str | None,
              fmt: str | None, engine: str | None, device: str | None, dtype: str | None,
              beams: int | None, max_new_tokens: int | None, max_batch_tokens: int | None,
              batching: str | None, threads: int | None, no_checks: bool, no_cache: bool, no_fallback: bool,
              trust_remote_code: bool, shard: str | None, shard_size: int | None,
              runner: str, ray_actors: int | None, ray_gpus_per_actor: float,
              ray_address: str | None, quiet: bool) -> None:
    """Translate German documents into English or Chinese, segment by segment.

    INPUTS are .txt files, folders of them, JSONL files with `id` and `text`
    fields, Parquet files with `id` and `text` columns, a `datasets` dataset
    saved with save_to_disk, or - for stdin. Every output record carries its
    checks, counted as a reader sees the text: each glossary term placed,
    appended after the sentence, left untranslated or missing; numbers right,
    wrong or missing (and those repaired from the source); whether the output
    is in the target language and whether it repeats itself.

    With -o DIR the input is streamed (memory stays flat for any corpus) into
    shards of documents plus a manifest.json; a job that dies (Ctrl-C, kill -9,
    a lost machine) continues where it stopped when the same command is run
    again - no segment lost or duplicated. A rerun with settings that would
    change the output is refused. `tk jobs status DIR` shows its progress.

    \b
    Examples:
      tk translate --to en corpus/clean -o out/en
      tk translate --to zh corpus/clean --model starter -o - | jq .translation
      echo "Alibaba stellt Qwen3.5 vor." | tk translate --to en -
      tk translate --to zh articles.jsonl -g glossaries/ai-finance.tsv -o out/zh
      tk translate --to en corpus/clean --model Helsinki-NLP/opus-mt-de-en --device cuda
      tk translate --to en big.parquet -o out/en --shard 2/8     # machine 2 of 8
    """
    from toolkit.documents import load_documents
    from toolkit.qa.language import source_language_warnings
    from toolkit.outputs import check_writable
    from toolkit.errors import ModelError
    from toolkit.translate import (TARGET_LANGUAGES, glossary_from_settings, load_translator,
                                   translate_segments)

    if target not in TARGET_LANGUAGES:
        raise ModelError(f"unknown target language {target!r}; use --to en or --to zh")
    if output not in (None, "-"):
        from toolkit.cli.jobs import translate_job

        translate_job(inputs, target=target, source=source, model=model, glossaries=glossaries,
                      no_glossary=no_glossary, no_enforce=no_enforce, output=output, fmt=fmt,
                      repair=not no_repair, retry=retry,
                      engine=engine, device=device, dtype=dtype, beams=beams,
                      max_new_tokens=max_new_tokens, max_batch_tokens=max_batch_tokens,
                      batching=batching, threads=threads, no_checks=no_checks, no_cache=no_cache,
                      no_fallback=no_fallback, trust_remote_code=trust_remote_code, shard=shard,
                      shard_size=shard_size, quiet=quiet, runner=runner, ray_actors=ray_actors,
                      ray_gpus_per_actor=ray_gpus_per_actor, ray_address=ray_address)
        return
    if shard or shard_size or runner != "local":
        raise ModelError("--shard, --shard-size and --runner need an output folder (-o DIR)")
    documents = load_documents(inputs, lang=source)
    if output not in (None, "-"):
        check_writable(output, folder=True)  # now, not after an hour of translation
    for warning in source_language_warnings(documents, source):
        _note(warning)
    show = not quiet and sys.stderr.isatty()
    if not show:
        quiet_libraries()
    glossary = None if no_glossary else glossary_from_settings(glossaries)
    # A fallback to the starter is announced even with -q: outputs would silently come from
    # a 0.5B model otherwise.
    translator = load_translator(
        model, target, source_lang=source, engine=engine, device=device, dtype=dtype,
        beams=beams, max_new_tokens=max_new_tokens, max_batch_tokens=max_batch_tokens,
        batching=batching, threads=threads, cache=not no_cache, fallback=False if no_fallback else None,
        trust_remote_code=trust_remote_code, announce=_note,
    )
    segments = segment(documents, show)
    with progress_bar(len(segments), f"{source}→{target}", enabled=show) as bar:
        run = translate_segments(segments, translator, target, source_lang=source,
                                 glossary=glossary, enforce=not no_enforce,
                                 checks=not no_checks, repair=not no_repair, retry=retry,
                                 progress=bar)
    write_run(run, output, fmt)
    if not quiet and not no_checks:
        click.echo(run.summary(), err=True)


def segment(documents, show: bool):  # noqa: ANN001, ANN201
    """The documents' segments; long inputs (segmentation takes seconds) get their own bar."""
    from toolkit.segments import paragraphs, segment_documents

    chars = sum(len(p) for d in documents for p in paragraphs(d.text))
    with progress_bar(chars, "segmenting", enabled=show and chars > 200_000, unit="char") as bar:
        return segment_documents(documents, bar)


def write_run(run, output: str | None, fmt: str | None) -> None:  # noqa: ANN001
    import json

    from toolkit import __version__
    from toolkit.outputs import atomic_write, file_stems, jsonl_text, tsv_text, write_stdout
    from toolkit.translate import document_texts

    dicts = [r.to_dict() for r in run.records]
    if output is None or output == "-":
        fmt = fmt or ("jsonl" if output == "-" else "text")
        if fmt == "jsonl":
            write_stdout(jsonl_text(dicts))
        elif fmt == "tsv":
            write_stdout(tsv_text(dicts, ["doc", "id", "source", "translation"]))
        else:
            write_stdout("\n".join(document_texts(run.records).values()))
        return
    folder = Path(output)
    texts = document_texts(run.records)
    stems = file_stems(list(texts))  # ids never choose where a file goes
    for doc, text in texts.items():
        atomic_write(folder / f"{stems[doc]}.{run.records[0].lang}.txt", text)
    atomic_write(folder / "translations.jsonl", jsonl_text(dicts))
    atomic_write(folder / "run.json", json.dumps(
        {"tk": __version__, "model": run.records[0].model if run.records else None,
         "fingerprint": run.fingerprint, "segments": len(dicts), "retries": run.stats,
         "usage": run.usage},
        ensure_ascii=False, indent=2) + "\n")
    if fmt == "tsv":
        atomic_write(folder / "translations.tsv",
                     tsv_text(dicts, ["doc", "id", "source", "translation"]))
    _note(f"wrote {len(dicts)} segments of {len(texts)} document(s) to {folder}/")


def _note(message: str) -> None:
    click.echo(message, err=True)
