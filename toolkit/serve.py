"""``tk serve``: one loaded model behind LibreTranslate's HTTP API, with tk's glossary
enforcement and checks (extra ``[serve]``: Starlette and uvicorn).

    POST /translate   q (a string or a list), source (de or auto), target (en, zh),
                      format (text or html: markup kept), api_key  ->  {"translatedText": ...}
    GET  /languages   [{"code", "name", "targets"}]
    POST /detect      q  ->  [{"language", "confidence"}]

Clients written for LibreTranslate work unchanged: JSON or form-encoded requests, its
response and error shapes (``{"error": "..."}`` with 400, 403, 413, 500). tk's own additions
ride in one extra field, ``tk``: per segment its checks, the model and the fingerprint.

Requests that arrive together share batches: each request's segments go into one queue, and
a worker takes what has gathered (up to ``max_batch_segments``, or what arrived within
``wait_ms``) as one translation call, so concurrent clients fill the model's batches the way
one large job does. Identical segments are served from the generation cache. Every request
gets one log line (method, path, status, characters, milliseconds; the text only with
``log_text``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from toolkit.errors import ConfigError, TkError
from toolkit.languages import TRANSLATION_TARGETS, language_name

log = logging.getLogger("tk.serve")


@dataclass(frozen=True)
class ServeOptions:
    """What the service allows, checked once where it starts."""

    host: str = "127.0.0.1"
    port: int = 5000
    api_keys: frozenset[str] = frozenset()  # empty: no key needed
    char_limit: int = 5000  # characters per request, all of q together
    list_limit: int = 100  # texts per request when q is a list
    wait_ms: float = 5.0  # how long the batcher waits for more requests to join a batch
    max_batch_segments: int = 64
    log_text: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ConfigError(f"--port {self.port}: give a port between 1 and 65535")
        if self.char_limit < 1 or self.list_limit < 1:
            raise ConfigError("--char-limit and --list-limit must be at least 1")

    @staticmethod
    def read_keys(path: str) -> frozenset[str]:
        """API keys from a file, one a line (blank lines and # comments skipped)."""
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"--api-keys {path}: cannot read it ({e})") from None
        keys = frozenset(k.strip() for k in lines if k.strip() and not k.startswith("#"))
        if not keys:
            raise ConfigError(f"--api-keys {path}: no keys in it (one a line)")
        return keys


class BadRequest(Exception):
    """A request the service refuses, with the HTTP status and LibreTranslate's message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class _Item:
    texts: list[str]
    target: str
    future: asyncio.Future[Any] = field(repr=False)
    fmt: str = "text"  # "html": each text an HTML fragment or page, markup kept


class Translating:
    """The loaded model and glossary; translates lists of texts, one call at a time (one
    thread: a model is not shared between threads), for the batcher."""

    def __init__(self, options: Any) -> None:
        from toolkit.load import load_glossary

        self.options = options  # TranslateOptions (its target is the first language served)
        self.glossary = load_glossary(options.glossaries) if options.use_glossary else None
        self.translators: dict[str, Any] = {}
        self.targets: tuple[str, ...] = ()

    def load(self, announce: Any = None) -> None:
        """Load the model once; the targets are those it can translate into."""
        from toolkit.tasks.translator import Translator
        from toolkit.translate import translator_for

        first = translator_for(self.options.model, self.options.target, self.options.source,
                               announce)
        self.translators[self.options.target] = first
        for target in TRANSLATION_TARGETS:
            if target == self.options.target:
                continue
            other = Translator(first.backend, beams=first.beams,
                               max_new_tokens=first.max_new_tokens)
            other.constrained_factory = first.constrained_factory
            try:
                other.check(self.options.source, target)
            except TkError:
                continue
            self.translators[target] = other
        self.targets = tuple(t for t in TRANSLATION_TARGETS if t in self.translators)

    def translate(self, texts: Sequence[str], target: str,
                  formats: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Each text translated (segmented, enforced, checked, joined), with its records; a
        text whose format is "html" comes back as HTML, its markup kept."""
        from toolkit.documents import Document
        from toolkit.segments import segment_documents
        from toolkit.translate import document_output, document_texts, translate_segments

        formats = formats or ["text"] * len(texts)
        docs = [html_document(f"q{i}", t, self.options.source) if f == "html"
                else Document(id=f"q{i}", text=t, lang=self.options.source)
                for i, (t, f) in enumerate(zip(texts, formats, strict=True))]
        segments = segment_documents(docs)
        o = self.options
        run = translate_segments(segments, self.translators[target], target,
                                 source_lang=o.source, glossary=self.glossary,
                                 enforce=o.enforce, checks=o.checks, repair=o.repair,
                                 retry=o.retry)
        joined = document_texts(run.records)
        out = []
        for doc in docs:
            records = [r for r in run.records if r.doc == doc.id]
            text = joined.get(doc.id, "").strip()
            if doc.markup is not None:
                text = document_output([r.to_dict() for r in records], doc, target)[1].decode("utf-8")
            out.append({"text": text, "records": records})
        return out


def html_document(doc_id: str, text: str, lang: str) -> Any:
    """A request's HTML as a document (LibreTranslate's ``format=html``); malformed HTML is an
    :class:`~toolkit.errors.InputError` naming the position."""
    from toolkit.documents import markup_document
    from toolkit.formats import read_markup

    return markup_document(doc_id, read_markup(text.encode("utf-8"), "html", doc_id), lang)


class Batcher:
    """Requests' texts queued and translated together (see the module docstring)."""

    def __init__(self, model: Translating, options: ServeOptions) -> None:
        self.model = model
        self.options = options
        self.queue: asyncio.Queue[_Item] = asyncio.Queue()
        self.batches = 0

    async def translate(self, texts: list[str], target: str, fmt: str = "text"
                        ) -> list[dict[str, Any]]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        await self.queue.put(_Item(texts, target, future, fmt))
        result: list[dict[str, Any]] = await future
        return result

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            items = [await self.queue.get()]
            deadline = loop.time() + self.options.wait_ms / 1000
            while sum(len(i.texts) for i in items) < self.options.max_batch_segments:
                timeout = deadline - loop.time()
                if timeout <= 0:
                    break
                try:
                    items.append(await asyncio.wait_for(self.queue.get(), timeout))
                except asyncio.TimeoutError:
                    break
            for target in {i.target for i in items}:
                group = [i for i in items if i.target == target]
                await self._run(group, target)

    async def _run(self, group: list[_Item], target: str) -> None:
        texts = [t for i in group for t in i.texts]
        formats = [i.fmt for i in group for _ in i.texts]
        self.batches += 1
        try:
            results = await asyncio.to_thread(self.model.translate, texts, target, formats)
        except Exception:
            # One batch failed: each request is tried alone, so one bad input costs only
            # its own request (a 500 for it), never the others'.
            for item in group:
                await self._alone(item, target)
            return
        at = 0
        for item in group:
            if not item.future.done():
                item.future.set_result(results[at:at + len(item.texts)])
            at += len(item.texts)

    async def _alone(self, item: _Item, target: str) -> None:
        try:
            result = await asyncio.to_thread(self.model.translate, item.texts, target,
                                             [item.fmt] * len(item.texts))
        except Exception as e:  # reported to this request's caller as a 500, logged here
            log.warning("translation failed: %s: %s", type(e).__name__, e)
            if not item.future.done():
                item.future.set_exception(e)
            return
        if not item.future.done():
            item.future.set_result(result)


def create_app(model: Translating, options: ServeOptions) -> Any:
    """The Starlette application: LibreTranslate's routes over the loaded ``model``."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    batcher = Batcher(model, options)

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        worker = asyncio.create_task(batcher.run())
        try:
            yield
        finally:
            worker.cancel()

    async def translate(request: Request) -> JSONResponse:
        params = await _params(request)
        _authorize(params, options)
        q = params.get("q")
        if q is None or q == "" or q == []:
            raise BadRequest(400, "Invalid request: missing q parameter")
        texts = [q] if isinstance(q, str) else q
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise BadRequest(400, "Invalid request: q must be a string or a list of strings")
        if len(texts) > options.list_limit:
            raise BadRequest(400, f"Invalid request: q holds {len(texts)} texts; at most "
                                  f"{options.list_limit} per request")
        chars = sum(len(t) for t in texts)
        if chars > options.char_limit:
            raise BadRequest(413, f"Invalid request: request ({chars}) exceeds text limit "
                                  f"({options.char_limit})")
        source = params.get("source") or "auto"
        target = params.get("target")
        if source not in ("auto", model.options.source):
            raise BadRequest(400, f"{source} is not supported as a source language; use "
                                  f"{model.options.source} or auto")
        if target is None:
            raise BadRequest(400, "Invalid request: missing target parameter")
        if target not in model.targets:
            raise BadRequest(400, f"{target} is not supported; targets: "
                                  f"{', '.join(model.targets)}")
        fmt = params.get("format") or "text"
        if fmt not in ("text", "html"):
            raise BadRequest(400, f"format {fmt!r} is not supported; use text or html")
        if fmt == "html":
            for i, text in enumerate(texts):
                try:
                    html_document(f"q[{i}]" if isinstance(q, list) else "q", text,
                                  model.options.source)
                except TkError as e:
                    raise BadRequest(400, f"Invalid request: {e}") from None
        request.state.chars = chars
        results = await batcher.translate(list(texts), target, fmt)
        translated = [r["text"] for r in results]
        body: dict[str, Any] = {"translatedText": translated[0] if isinstance(q, str)
                                else translated}
        if source == "auto":
            body["detectedLanguage"] = {"confidence": 100.0, "language": model.options.source}
        if params.get("alternatives"):
            body["alternatives"] = [] if isinstance(q, str) else [[] for _ in texts]
        body["tk"] = _extras(results, model)
        return JSONResponse(body)

    async def languages(request: Request) -> JSONResponse:
        rows = [{"code": model.options.source, "name": language_name(model.options.source),
                 "targets": list(model.targets)}]
        rows += [{"code": t, "name": language_name(t), "targets": []} for t in model.targets]
        return JSONResponse(rows)

    async def detect(request: Request) -> JSONResponse:
        from toolkit.qa.language import UNKNOWN, detect_language

        params = await _params(request)
        _authorize(params, options)
        q = params.get("q")
        if not isinstance(q, str) or not q.strip():
            raise BadRequest(400, "Invalid request: missing q parameter")
        found = detect_language(q[: options.char_limit])
        if found == UNKNOWN:
            return JSONResponse([])
        return JSONResponse([{"confidence": 90.0, "language": found}])

    async def settings(request: Request) -> JSONResponse:
        return JSONResponse({"charLimit": options.char_limit, "keyRequired": bool(options.api_keys),
                             "suggestions": False, "supportedFilesFormat": []})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "model": _model_label(model),
                             "batches": batcher.batches})

    app = Starlette(routes=[
        Route("/translate", _guard(translate, options), methods=["POST"]),
        Route("/languages", _guard(languages, options), methods=["GET", "POST"]),
        Route("/detect", _guard(detect, options), methods=["POST"]),
        Route("/frontend/settings", _guard(settings, options), methods=["GET"]),
        Route("/health", _guard(health, options), methods=["GET"]),
    ], lifespan=lifespan)
    app.state.batcher = batcher
    return app


def _guard(handler: Any, options: ServeOptions) -> Any:
    """Every answer in LibreTranslate's shape, and one log line per request; no traceback
    ever reaches a client."""
    from starlette.responses import JSONResponse

    async def wrapped(request: Any) -> Any:
        started = time.perf_counter()
        request.state.chars = 0
        try:
            response = await handler(request)
        except BadRequest as e:
            response = JSONResponse({"error": str(e)}, status_code=e.status)
        except TkError as e:
            response = JSONResponse({"error": str(e)}, status_code=400)
        except Exception as e:  # the model failed on this request: logged, a 500 for it alone
            log.warning("%s %s failed: %s: %s", request.method, request.url.path,
                        type(e).__name__, e)
            response = JSONResponse({"error": "translation failed on this input; the "
                                              "server keeps serving others"}, status_code=500)
        text = ""
        if options.log_text and response.status_code == 200 and request.url.path == "/translate":
            text = " " + json.dumps(getattr(request.state, "q", None), ensure_ascii=False)
        log.info("%s %s %d %d chars %.0f ms%s", request.method, request.url.path,
                 response.status_code, request.state.chars,
                 (time.perf_counter() - started) * 1000, text)
        return response

    return wrapped


async def _params(request: Any) -> dict[str, Any]:
    """The request's parameters from JSON, a form (what libretranslatepy sends) or the query."""
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    params: dict[str, Any] = {k: v for k, v in request.query_params.items()}
    if kind == "application/json" or (not kind and body[:1] in (b"{", b"[")):
        try:
            data = json.loads(body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise BadRequest(400, f"Invalid request: malformed JSON ({e})") from None
        if not isinstance(data, dict):
            raise BadRequest(400, "Invalid request: the JSON body must be an object")
        params.update(data)
    elif body:
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise BadRequest(400, "Invalid request: the form is not UTF-8") from None
        for key, values in form.items():
            params[key] = values if key == "q" and len(values) > 1 else values[-1]
    request.state.q = params.get("q")
    for key in ("source", "target", "format", "api_key"):
        if key in params and params[key] is not None and not isinstance(params[key], str):
            raise BadRequest(400, f"Invalid request: {key} must be a string")
    return params


def _authorize(params: dict[str, Any], options: ServeOptions) -> None:
    if options.api_keys and params.get("api_key") not in options.api_keys:
        raise BadRequest(403, "Invalid API key" if params.get("api_key") else
                         "Please contact the server operator to get an API key")


def _extras(results: list[dict[str, Any]], model: Translating) -> dict[str, Any]:
    records = [[{"source": r.source, "translation": r.translation, "checks": r.checks,
                 "retried": r.retried} for r in result["records"]] for result in results]
    first = next((r for result in results for r in result["records"]), None)
    return {"model": _model_label(model), "engine": first.engine if first else None,
            "fingerprint": first.fingerprint if first else None, "segments": records}


def _model_label(model: Translating) -> str:
    translator = next(iter(model.translators.values()), None)
    return str(translator.model_label) if translator is not None else ""


def serve(model: Translating, options: ServeOptions) -> None:
    """Run the service until SIGTERM or Ctrl-C; requests under way are finished first."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    uvicorn.run(create_app(model, options), host=options.host, port=options.port,
                log_level="warning", access_log=False, timeout_graceful_shutdown=30)
