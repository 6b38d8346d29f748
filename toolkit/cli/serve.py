"""``tk serve``: a thin adapter over :mod:`toolkit.serve`."""

from __future__ import annotations

from typing import Any

import click

from toolkit.cli.options import glossary_options, model_options, model_options_from, note
from toolkit.languages import TRANSLATION_TARGETS


@click.command()
@click.option("--to", "target", default="en", show_default=True,
              type=click.Choice(TRANSLATION_TARGETS),
              help="The language whose catalog model is loaded without --model; a model that "
                   "can translate into the other target serves it too.")
@glossary_options("Glossary to enforce in every request [default: tk.toml, TK_GLOSSARY].",
                  "Serve without any glossary.")
@click.option("--no-enforce", is_flag=True, help="Check terms and numbers, never intervene.")
@click.option("--no-checks", is_flag=True, help="Skip number and language checks.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens the service to the network.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--api-keys", "api_keys", type=click.Path(dir_okay=False), metavar="FILE",
              help="A file of API keys, one a line: requests without one of them get 403.")
@click.option("--char-limit", type=click.IntRange(1), default=5000, show_default=True,
              help="Most characters one request may hold (413 beyond).")
@click.option("--list-limit", type=click.IntRange(1), default=100, show_default=True,
              help="Most texts in one request's q list (400 beyond).")
@click.option("--batch-wait-ms", type=click.FloatRange(0, 1000), default=5.0, show_default=True,
              help="How long a batch waits for other requests to join it.")
@click.option("--log-text", is_flag=True, help="Put each request's text into its log line.")
@model_options
def serve(target: str, glossaries: tuple[str, ...], no_glossary: bool, no_enforce: bool,
          no_checks: bool, host: str, port: int, api_keys: str | None, char_limit: int,
          list_limit: int, batch_wait_ms: float, log_text: bool, **flags: Any) -> None:
    """Serve one loaded model over LibreTranslate's HTTP API, glossary enforced.

    Existing LibreTranslate clients (libretranslatepy, CAT tools, browser extensions)
    work unchanged: POST /translate, GET /languages, POST /detect. Every answer also
    carries a `tk` field: each segment's checks, the model and its fingerprint.
    Requests that arrive together share batches. SIGTERM finishes the requests under
    way, then stops. Install with pip install 'tk-translate[serve]'.

    \b
    Examples:
      tk serve --model starter
      tk serve --model ./opus-mt-de-en --engine ctranslate2 --port 5005
      tk serve --model starter --api-keys keys.txt --host 0.0.0.0
      curl -s localhost:5000/translate -H 'Content-Type: application/json' \\
           -d '{"q": "Die KI wächst.", "source": "de", "target": "en"}'
    """
    from toolkit.errors import ConfigError
    from toolkit.serve import ServeOptions, Translating
    from toolkit.serve import serve as run
    from toolkit.translate import TranslateOptions

    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise ConfigError("tk serve needs Starlette and uvicorn: pip install "
                          "'tk-translate[serve]'") from None
    options = ServeOptions(host=host, port=port, char_limit=char_limit, list_limit=list_limit,
                           wait_ms=batch_wait_ms, log_text=log_text,
                           api_keys=ServeOptions.read_keys(api_keys) if api_keys else frozenset())
    translate = TranslateOptions(target, model=model_options_from(flags), glossaries=glossaries,
                                 use_glossary=not no_glossary, enforce=not no_enforce,
                                 checks=not no_checks)
    model = Translating(translate)
    model.load(note)
    note(f"tk serve: {', '.join(model.targets)} from {translate.source} on "
         f"http://{host}:{port} (LibreTranslate API; Ctrl-C or SIGTERM to stop)")
    run(model, options)
