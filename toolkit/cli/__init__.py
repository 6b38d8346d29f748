"""The ``tk`` command: a thin shell over the library. Subcommands import on first use."""

from __future__ import annotations

import errno
import importlib

import click

from toolkit import __version__
from toolkit.errors import TkError

# name -> "module:attribute"; each module holds one click command or group.
COMMANDS: dict[str, str] = {
    "translate": "toolkit.cli.translate:translate",
    "summarize": "toolkit.cli.summarize:summarize",
    "corpus": "toolkit.cli.corpus:corpus",
    "glossary": "toolkit.cli.glossary:glossary",
    "models": "toolkit.cli.models:models",
    "score": "toolkit.cli.score:score",
    "cache": "toolkit.cli.cache:cache",
    "jobs": "toolkit.cli.jobs:jobs",
    "serve": "toolkit.cli.serve:serve",
    "run": "toolkit.cli.run:run",
    "report": "toolkit.cli.run:report",
    "tm": "toolkit.cli.tm:tm",
}

SHORT_HELP: dict[str, str] = {
    "translate": "Translate German documents into English or Chinese.",
    "summarize": "Summarize documents of any length in German, English or Chinese.",
    "corpus": "Clean, inspect and segment a corpus of articles.",
    "glossary": "Check, convert and look up terms in glossaries (TSV, TBX).",
    "models": "List the model catalog; fetch the offline starter model.",
    "score": "Score translations or summaries against reference sets.",
    "cache": "Show or clear what tk keeps in $TK_HOME/cache.",
    "jobs": "Status of a job folder: done, remaining, failed, throughput.",
    "serve": "Serve a model over LibreTranslate's HTTP API, glossary enforced.",
    "run": "Translate, summarize, score and report in one resumable run.",
    "report": "Build report.html from a tk run (or translate / summarize) folder.",
    "tm": "Translation memories: a run's segment pairs as TMX 1.4b.",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when run (keeps ``tk --help`` instant)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, _, attr = COMMANDS[name].partition(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # `tk --help` lists commands from SHORT_HELP, without importing any of them.
        with formatter.section("Commands"):
            formatter.write_dl(list(SHORT_HELP.items()))

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except TkError as e:
            from toolkit.config import debug

            if debug():
                raise
            click.echo(f"Error: {e}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted. Segments committed to the cache are kept: run the same "
                       "command again to resume (no output file was written).", err=True)
            ctx.exit(130)
        except OSError as e:
            # Writing to stdout failed (`> /dev/full`, a pipe closed on us): click.echo raises
            # these with no file name. Anything else is a bug and keeps its traceback.
            from toolkit.outputs import STDOUT_ERRORS, silence_stdout

            if e.filename is not None or e.errno not in STDOUT_ERRORS:
                raise
            silence_stdout()
            if e.errno == errno.EPIPE:  # `tk ... | head`: the reader has what it wanted
                ctx.exit(0)
            click.echo(f"Error: cannot write to stdout: {e.strerror}", err=True)
            ctx.exit(1)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tk")
def main() -> None:
    """tk translates German news into English and Chinese with open MT models, keeps a
    domain glossary exact, and scores the results against reference sets.

    \b
    Start here:
      tk models pull starter                # small offline model to try the pipeline
      tk translate --to en corpus/clean -o out/en
      tk translate --to zh corpus/clean -o - | head
      tk score translations out/en/translations.jsonl --refs eval/refs --lang en

    Every command takes --help. Set TK_DEBUG=1 to see tracebacks.
    """
