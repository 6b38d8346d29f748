"""Pieces several commands share: the progress bar."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Bar:
    """A progress callback (``bar(n)``: n more done) that can also say which phase a job is
    in (``bar.phase("retries: 12 segments")``)."""

    def __init__(self, tqdm_bar: Any = None) -> None:
        self._bar = tqdm_bar

    def __call__(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def phase(self, text: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=True)


@contextmanager
def progress_bar(total: int, desc: str, enabled: bool = True,
                 unit: str = "seg") -> Iterator[Bar]:
    """A tqdm bar on stderr, advanced by the callback it yields; silent when disabled. It
    stays on screen at the end (with its elapsed time and rate)."""
    if not enabled:
        yield Bar()
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc=desc, unit=unit, unit_scale=unit == "char", dynamic_ncols=True,
              leave=True) as bar:
        yield Bar(bar)


def quiet_libraries() -> None:
    """Silence Hugging Face's own progress bars and advice: for logs and pipes, not terminals."""
    import warnings

    from huggingface_hub.utils import disable_progress_bars
    from transformers.utils import logging

    disable_progress_bars()
    logging.disable_progress_bar()
    logging.set_verbosity_error()
    warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")


def note(message: str) -> None:
    """A line for the user on stderr (stdout stays for outputs)."""
    import click

    click.echo(message, err=True)


def model_options(command: Any) -> Any:
    """The flags that choose and run a model, the same in every command that loads one."""
    import click

    from toolkit.config import SETTINGS

    flags = [
        click.option("-m", "--model", metavar="MODEL",
                     help="Catalog name, hub id, local folder or .gguf file [default: the "
                          "catalog's model for the task and language; TK_MODEL]."),
        click.option("--engine", type=SETTINGS["engine"].type,
                     help="Generation backend: auto (ctranslate2 where it is installed and runs "
                          "the model, else transformers; the run says which and why), "
                          "transformers (every model; terms can be forced while decoding) or "
                          "ctranslate2 (converted once, int8 on CPU; 2x (MT) to 6x (chat LLM) "
                          "the transformers path measured here; pip install "
                          "'tk-translate[ctranslate2]') [default: auto; TK_ENGINE]."),
        click.option("--device", type=SETTINGS["device"].type,
                     help="Where the model runs [default: auto = cuda, mps, else cpu; TK_DEVICE]."),
        click.option("--dtype", type=SETTINGS["dtype"].type,
                     help="Weights' dtype [default: auto = bfloat16 on CUDA, float32 on CPU; "
                          "with --engine ctranslate2 int8 on CPU, float16 on CUDA; TK_DTYPE]."),
        click.option("--beams", type=SETTINGS["beams"].type,
                     help="Beam size [default: model's; TK_BEAMS]."),
        click.option("--max-new-tokens", type=SETTINGS["max_new_tokens"].type, metavar="N",
                     help="Cap on each output's new tokens, against runaway output [default: "
                          "2x the input (3x into Chinese) plus a margin; TK_MAX_NEW_TOKENS]."),
        click.option("--max-batch-tokens", type=SETTINGS["max_batch_tokens"].type, metavar="N",
                     help="Token budget of one batch: beams x (input + output) tokens summed "
                          "over its rows, what it holds in memory [default: 8192; "
                          "TK_MAX_BATCH_TOKENS]."),
        click.option("--batching", type=SETTINGS["batching"].type,
                     help="How the transformers engine batches a chat LLM's greedy requests: "
                          "padded batches, or transformers' continuous batching (paged "
                          "attention) [default: auto = continuous on CUDA, padded elsewhere; "
                          "TK_BATCHING]."),
        click.option("--threads", type=SETTINGS["threads"].type, metavar="N",
                     help="CPU threads for torch [default: torch's; TK_THREADS]. On a machine "
                          "busy with other work, fewer threads than cores can be several times "
                          "faster."),
        click.option("--trust-remote-code", is_flag=True,
                     help="Allow a model's own Python code to run (only for models you trust)."),
        click.option("--no-cache", is_flag=True,
                     help="Generate everything again instead of reusing finished outputs "
                          "(nothing is read from or written to $TK_HOME/cache)."),
        click.option("--no-fallback", is_flag=True,
                     help="Without --model, fail when the catalog's model cannot be had instead "
                          "of falling back to the small offline starter [TK_FALLBACK=0, "
                          "fallback = false in tk.toml]."),
    ]
    return _apply(flags, command)


def _apply(flags: list[Any], command: Any) -> Any:
    """``command`` with ``flags`` (click option decorators) in the order listed."""
    for flag in reversed(flags):
        command = flag(command)
    return command


MODEL_FLAGS = ("model", "engine", "device", "dtype", "beams", "max_new_tokens",
               "max_batch_tokens", "batching", "threads", "trust_remote_code", "no_cache",
               "no_fallback")


def model_options_from(flags: dict[str, Any]) -> Any:
    """The checked ModelOptions of the flags :func:`model_options` added (popped from
    ``flags``)."""
    from toolkit.load import ModelOptions

    given = {name: flags.pop(name) for name in MODEL_FLAGS}
    no_cache, no_fallback = given.pop("no_cache"), given.pop("no_fallback")
    given["trust_remote_code"] = given["trust_remote_code"] or None
    return ModelOptions.resolve(**given, cache=False if no_cache else None,
                                fallback=False if no_fallback else None)


def glossary_options(use: str, without: str) -> Any:
    """``-g/--glossary`` (repeatable) and ``--no-glossary``, the same in every command that
    enforces a glossary; ``use`` and ``without`` are their help texts."""
    import click

    def decorate(command: Any) -> Any:
        return _apply([
            click.option("-g", "--glossary", "glossaries", multiple=True,
                         type=click.Path(dir_okay=False), help=use),
            click.option("--no-glossary", is_flag=True, help=without),
        ], command)

    return decorate


def job_options(what: str) -> Any:
    """The flags of a resumable job (-o DIR), the same in every command that runs one."""
    import click

    def decorate(command: Any) -> Any:
        flags = [
            click.option("--shard", metavar="K/N",
                         help=f"{what} only share K of N of the documents (by a stable hash of "
                              "each document's id): N machines, each with its own K, cover a "
                              "corpus exactly once with no coordination."),
            click.option("--shard-size", type=click.IntRange(1), default=None, metavar="DOCS",
                         help="Documents per output shard with -o DIR, the unit a resumed job "
                              "skips [default: 32]."),
            click.option("--replace", is_flag=True,
                         help="With -o DIR holding a job over another input or with other "
                              "settings: remove it (its shards and outputs) and start anew."),
            click.option("--runner", type=click.Choice(["local", "ray"]), default="local",
                         show_default=True,
                         help="Who works on the shards of -o DIR: this process, or a Ray actor "
                              "pool (one model per actor; pip install 'tk-translate[ray]')."),
            click.option("--ray-actors", type=click.IntRange(1), metavar="N",
                         help="Actors (model copies) for --runner ray [default: one per GPU, "
                              "else 1]."),
            click.option("--ray-gpus-per-actor", type=click.FloatRange(0), default=None,
                         metavar="G",
                         help="GPUs each actor takes, e.g. 1, or 0.5 for two per GPU "
                              "[default: 0]."),
            click.option("--ray-address", metavar="ADDR",
                         help="An existing Ray cluster, e.g. ray://head:10001 [default: "
                              "RAY_ADDRESS, else a local Ray]."),
        ]
        return _apply(flags, command)

    return decorate


JOB_FLAGS = ("shard", "shard_size", "replace", "runner", "ray_actors", "ray_gpus_per_actor",
             "ray_address")


def job_options_from(flags: dict[str, Any], output: str | None) -> Any:
    """The checked JobOptions of -o DIR and the flags :func:`job_options` added (popped from
    ``flags``); None without an output folder, where none of them may be given."""
    from toolkit.errors import ConfigError
    from toolkit.jobs import DEFAULT_SHARD_DOCS, JobOptions
    from toolkit.jobs.engine import parse_share

    given = {name: flags.pop(name) for name in JOB_FLAGS}
    if output in (None, "-"):
        named = [f"--{k.replace('_', '-')}" for k, v in given.items()
                 if v not in (None, False, "local")]
        if named:
            raise ConfigError(f"{', '.join(named)} need an output folder (-o DIR)")
        return None
    return JobOptions(output=output,
                      shard=parse_share(given["shard"]) if given["shard"] else None,
                      shard_docs=given["shard_size"] or DEFAULT_SHARD_DOCS,
                      runner=given["runner"], ray_actors=given["ray_actors"],
                      ray_gpus_per_actor=given["ray_gpus_per_actor"] or 0.0,
                      ray_address=given["ray_address"], replace=given["replace"])
