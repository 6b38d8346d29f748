"""``report.html``: a run as a person reads it, in one self-contained file (no network).

Scores per language and stage with their intervals, signatures and, when a baseline was
given, the paired-bootstrap difference; plots (inline SVG) of the score per document and of
the problems by kind; every document with its source and translations side by side, segment
by segment, each problem marked where it is (a missing or untranslated term, a wrong number,
German words left, a repaired span, a retry that fixed it), a filter for the segments with
problems, and the summaries with their checks next to the references; the run's
fingerprint, model, engine, settings and timing.

    from toolkit.report import write_report
    write_report("out/run")          # a tk run folder, or a tk translate / tk summarize folder
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import InputError, TkError
from toolkit.formats.tags import strip_tags
from toolkit.outputs import atomic_write

SCORE_METRICS = ("bleu", "chrf", "terms", "numbers", "untranslated", "rouge1", "rouge2",
                 "rougeL", "rougeLsum")
PROBLEM_KINDS = ("term missing", "term after the sentence", "term untranslated", "number wrong",
                 "number missing",
                 "wrong language", "repeats", "German left")


@dataclass
class RunData:
    """What a report shows, read from an output folder."""

    folder: Path
    title: str
    settings: dict[str, Any]
    stages: list[dict[str, Any]]
    translations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    summaries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    references: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)  # stage -> its run.json


def write_report(folder: str | Path) -> Path:
    """Build ``report.html`` in ``folder`` (a tk run, translate or summarize folder)."""
    data = read_folder(Path(folder))
    path = data.folder / "report.html"
    atomic_write(path, render(data))
    return path


def read_folder(folder: Path) -> RunData:
    """A tk run folder, or a single tk translate / tk summarize job folder."""
    try:
        meta = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(f"{folder}: not a tk output folder (no readable run.json); give the "
                         "-o folder of tk run, tk translate or tk summarize") from None
    if not isinstance(meta, dict):
        raise InputError(f"{folder}: its run.json is not tk's")
    task = meta.get("task")
    if task == "run":
        data = RunData(folder, f"tk run: {folder.name}", meta.get("settings", {}),
                       meta.get("stages", []))
        for lang in data.settings.get("targets", []):
            _read_stage(data, folder / f"translate-{lang}", lang)
            _read_stage(data, folder / f"summarize-{lang}", lang)
            path = folder / f"scores-{lang}.json"
            if path.is_file():
                data.scores[lang] = json.loads(path.read_text(encoding="utf-8"))
        refs = data.settings.get("refs")
        if refs and data.summaries:
            data.references = _reference_summaries(refs, list(data.summaries))
        return data
    if task in ("translate", "summarize"):
        data = RunData(folder, f"tk {task}: {folder.name}", {}, [
            {"name": task, "status": "complete",
             "seconds": (meta.get("throughput") or {}).get("seconds", 0.0), "detail": {}}])
        lang = _read_stage(data, folder, None)
        data.settings = {"targets": [lang] if lang else [], "model": meta.get("model"),
                         "engine": meta.get("engine")}
        return data
    raise InputError(f"{folder}: its run.json is of no tk run, translation or summary job")


def _read_stage(data: RunData, folder: Path, lang: str | None) -> str | None:
    for name, target in (("translations.jsonl", data.translations),
                         ("summaries.jsonl", data.summaries)):
        path = folder / name
        if not path.is_file():
            continue
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                   if line.strip()]
        lang = lang or next((r.get("lang") for r in records if r.get("lang")), None) or "?"
        target[lang] = records
    if lang is not None:
        try:
            data.runs[folder.name] = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    return lang


def _reference_summaries(refs: str, langs: list[str]) -> dict[str, dict[str, list[str]]]:
    from toolkit.score.references import read_reference_summaries

    out = {}
    for lang in langs:
        try:
            out[lang] = read_reference_summaries(refs, lang).summaries
        except TkError:  # a report shows what there is; the scores stage checked the refs
            continue
    return out


# --- what a segment's checks say, as a reader counts it --------------------------------------------


def problems(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, what) for each problem of a translation record."""
    from toolkit.qa.checks import record_problems

    return record_problems(record.get("checks"))


def _marked(text: str, spans: list[tuple[str, str]]) -> str:
    """``text`` escaped, each span's first occurrence wrapped in <mark class=...>."""
    places: list[tuple[int, int, str]] = []
    for needle, css in spans:
        if not needle:
            continue
        start = text.find(needle)
        if start >= 0 and not any(a < start + len(needle) and start < b for a, b, _ in places):
            places.append((start, start + len(needle), css))
    out, at = [], 0
    for a, b, css in sorted(places):
        out.append(html.escape(text[at:a]))
        out.append(f'<mark class="{css}">{html.escape(text[a:b])}</mark>')
        at = b
    out.append(html.escape(text[at:]))
    return "".join(out)


# --- the page --------------------------------------------------------------------------------------


def render(data: RunData) -> str:
    langs = list(dict.fromkeys([*data.translations, *data.summaries]))
    found = {lang: {r["id"]: problems(r) for r in data.translations.get(lang, [])}
             for lang in langs}
    counts = {lang: Counter(k for ps in found[lang].values() for k, _ in ps) for lang in langs}
    flagged = {lang: sum(1 for ps in found[lang].values() if ps) for lang in langs}
    parts = [_head(data.title),
             f"<h1>{html.escape(data.title)}</h1>",
             _overview(data, langs, flagged),
             _scores(data, langs),
             _plots(data, langs, counts),
             _documents(data, langs, found),
             _run_details(data),
             _SCRIPT, "</body></html>\n"]
    return "\n".join(parts)


def _head(title: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_CSS}</style></head><body>"""


def _overview(data: RunData, langs: list[str], flagged: dict[str, int]) -> str:
    rows = []
    for lang in langs:
        segs = len(data.translations.get(lang, []))
        docs = len({r["doc"] for r in data.translations.get(lang, [])}) or \
            len(data.summaries.get(lang, []))
        wrong = sum(1 for r in data.translations.get(lang, [])
                    if ((r.get("checks") or {}).get("language") or {}).get("ok") is False)
        rows.append(f"<tr><th>{lang}</th><td>{docs}</td><td>{segs}</td>"
                    f'<td class="flagged" data-lang="{lang}">{flagged[lang]}</td>'
                    f"<td>{wrong}</td><td>{len(data.summaries.get(lang, []))}</td></tr>")
    details = [s.get("detail") or {} for s in data.stages]
    models = sorted({f"{d['model']} on {d['engine']}" for d in details
                     if d.get("model") and d.get("engine")})
    seconds = sum(float(s.get("seconds") or 0) for s in data.stages)
    line = (f"<p>{html.escape('; '.join(models) or str(data.settings.get('model') or ''))}"
            f" · {len(data.stages)} stages, {seconds:.0f} s of work</p>")
    return ("<section id=\"overview\"><h2>Overview</h2>" + line + "<table class=\"grid\"><tr><th>language"
            "</th><th>documents</th><th>segments</th><th>segments with problems</th>"
            "<th>not in the target language</th><th>summaries</th></tr>" + "".join(rows) + "</table></section>")


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _scores(data: RunData, langs: list[str]) -> str:
    if not data.scores:
        return ("<section id=\"scores\"><h2>Scores</h2><p>No scores: the run was given no "
                "reference set (--refs).</p></section>")
    out = ["<section id=\"scores\"><h2>Scores</h2>"]
    for lang in langs:
        for stage in ("translations", "summaries"):
            report = data.scores.get(lang, {}).get(stage)
            if not report:
                continue
            systems = report.get("systems", [])
            comparisons = {c["metric"]: c for c in report.get("comparisons", [])}
            metrics = [m for m in report.get("metrics", []) if m in SCORE_METRICS]
            head = "".join(f"<th>{html.escape(s['name'])}</th>" for s in systems)
            if comparisons:
                head += "<th>difference (95% CI), p</th>"
            body = []
            for m in metrics:
                cells = []
                for s in systems:
                    v = (s.get("scores") or {}).get(m) or {}
                    cells.append(f'<td class="score" data-metric="{m}">{_fmt(v.get("score"))} '
                                 f'<small>[{_fmt(v.get("low"))}, {_fmt(v.get("high"))}]</small>'
                                 "</td>")
                c = comparisons.get(m)
                if c:
                    star = " *" if c.get("p_value", 1) < 0.05 else ""
                    cells.append(f"<td>{c['delta']:+.2f} [{c['delta_low']:+.2f}, "
                                 f"{c['delta_high']:+.2f}], p {c['p_value']:.3f}{star}</td>")
                sig = html.escape(report.get("signatures", {}).get(m, ""))
                body.append(f'<tr><th title="{sig}">{html.escape(_label(m))}</th>'
                            f"{''.join(cells)}</tr>")
            sigs = "".join(f"<li><code>{html.escape(v)}</code></li>"
                           for k, v in report.get("signatures", {}).items() if "@" not in k)
            out.append(f'<h3>{lang}: {stage}</h3><table class="grid" id="scores-{lang}-{stage}">'
                       f"<tr><th>metric</th>{head}</tr>{''.join(body)}</table>"
                       f"<details><summary>signatures</summary><ul>{sigs}</ul></details>")
    out.append("</section>")
    return "".join(out)


def _label(metric: str) -> str:
    return {"bleu": "BLEU", "chrf": "chrF", "terms": "terms placed %",
            "numbers": "numbers right %", "untranslated": "German words / 100 segments",
            "rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L",
            "rougeLsum": "ROUGE-Lsum"}.get(metric, metric)


def _bars(title: str, items: list[tuple[str, float]], unit: str = "") -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return ""
    width, bar, gap, label_w = 560, 18, 6, 190
    top = max((v for _, v in items), default=0) or 1
    height = len(items) * (bar + gap) + 10
    rows = []
    for i, (label, value) in enumerate(items):
        y = i * (bar + gap) + 5
        w = (width - label_w - 60) * value / top
        rows.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">'
                    f"{html.escape(label)}</text><rect x=\"{label_w}\" y=\"{y}\" "
                    f'width="{w:.1f}" height="{bar}"/><text x="{label_w + w + 4:.1f}" '
                    f'y="{y + 13}">{value:g}{unit}</text>')
    return (f'<figure><figcaption>{html.escape(title)}</figcaption><svg role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            + "".join(rows) + "</svg></figure>")


def _plots(data: RunData, langs: list[str], counts: dict[str, Counter[str]]) -> str:
    out = ['<section id="plots"><h2>At a glance</h2><div class="plots">']
    for lang in langs:
        report = data.scores.get(lang, {}).get("translations")
        if report and report.get("documents"):
            mine = report["systems"][-1]["name"]
            metric = "chrf" if any(d["metric"] == "chrf" for d in report["documents"]) else \
                report["documents"][0]["metric"]
            items = [(d["doc"][:28], round(d["score"], 1)) for d in report["documents"]
                     if d["system"] == mine and d["metric"] == metric]
            out.append(_bars(f"{lang}: {_label(metric)} per document", items))
        items = [(kind, float(counts[lang][kind])) for kind in PROBLEM_KINDS
                 if counts[lang][kind]]
        out.append(_bars(f"{lang}: problems by kind (segments' checks)", items) or
                   f"<p>{lang}: no problem in any segment's checks.</p>")
    out.append("</div></section>")
    return "".join(out)


def _documents(data: RunData, langs: list[str],
               found_by_lang: dict[str, dict[str, list[tuple[str, str]]]]) -> str:
    by_doc: dict[str, dict[str, dict[str, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    order: dict[str, list[str]] = defaultdict(list)
    sources: dict[str, str] = {}
    for lang in langs:
        for r in data.translations.get(lang, []):
            if r["id"] not in sources:
                order[r["doc"]].append(r["id"])
                sources[r["id"]] = r.get("source", "")
            by_doc[r["doc"]][r["id"]][lang] = r
    summaries = {lang: {s["doc"]: s for s in data.summaries.get(lang, [])} for lang in langs}
    docs = list(dict.fromkeys([*order, *(d for lang in langs for d in summaries[lang])]))
    out = ['<section id="documents"><h2>Documents</h2><label class="filter"><input '
           'type="checkbox" id="only-problems"> only segments with problems</label>']
    tlangs = [lang for lang in langs if data.translations.get(lang)]
    for doc in docs:
        rows = []
        bad_in_doc = 0
        for seg in order.get(doc, []):
            cells, any_bad = [], False
            source_spans: list[tuple[str, str]] = []
            for lang in tlangs:
                if lang not in by_doc[doc][seg]:
                    cells.append("<td></td>")
                    continue
                r = by_doc[doc][seg][lang]
                found = found_by_lang[lang][seg]
                any_bad = any_bad or bool(found)
                spans = [(w, "german") for k, w in found if k == "German left"]
                spans += [(m.get("found", ""), "number") for m in
                          ((r.get("checks") or {}).get("numbers") or {}).get("mismatched", [])]
                spans += [(x.get("now", ""), "repaired")
                          for x in (r.get("checks") or {}).get("repaired") or []]
                for v in ((r.get("checks") or {}).get("terms") or {}).get("violated", []):
                    source_spans.append((v.get("source", ""), "term"))
                notes = "".join(f'<li class="p" data-kind="{html.escape(k)}">'
                                f"<b>{html.escape(k)}</b>: {html.escape(w)}</li>"
                                for k, w in found)
                if r.get("retried"):
                    notes += ('<li class="info">retried' +
                              ("; fixed" if not found else "") + "</li>")
                for x in (r.get("checks") or {}).get("repaired") or []:
                    notes += (f'<li class="info">repaired: {html.escape(str(x.get("was")))} → '
                              f"{html.escape(str(x.get('now')))}</li>")
                for x in (r.get("checks") or {}).get("markup", {}).get("placed") or []:
                    notes += f'<li class="info">markup put back: {html.escape(str(x))}</li>'
                shown = strip_tags(r.get("translation", ""))  # a reader sees words, not <g1>
                cells.append(f"<td lang=\"{lang}\">{_marked(shown, spans)}"
                             f"{'<ul>' + notes + '</ul>' if notes else ''}</td>")
            bad_in_doc += any_bad
            css = "seg bad" if any_bad else "seg"
            rows.append(f'<tr class="{css}"><td class="id">{html.escape(seg.split(":", 1)[-1])}'
                        f"</td><td lang=\"de\">{_marked(strip_tags(sources[seg]), source_spans)}</td>"
                        f"{''.join(cells)}</tr>")
        head = "".join(f"<th>{lang}</th>" for lang in tlangs)
        table = (f'<table class="doc"><tr><th></th><th>de</th>{head}</tr>{"".join(rows)}'
                 "</table>") if rows else ""
        out.append(f'<details class="document" open><summary>{html.escape(doc)} '
                   f"<small>{len(order.get(doc, []))} segments, {bad_in_doc} with problems"
                   f"</small></summary>{table}{_summary_block(data, doc, langs, summaries)}"
                   "</details>")
    out.append("</section>")
    return "".join(out)


def _summary_block(data: RunData, doc: str, langs: list[str],
                   summaries: dict[str, dict[str, dict[str, Any]]]) -> str:
    blocks = []
    for lang in langs:
        s = summaries[lang].get(doc)
        if s is None:
            continue
        checks = s.get("checks") or {}
        flags = []
        for name in ("too_short", "restates_title", "echoed_prompt"):
            if checks.get(name):
                flags.append(name.replace("_", " "))
        unsupported = (checks.get("numbers") or {}).get("unsupported") or []
        flags += [f"number not in the source: {u}" for u in unsupported]
        flags += [f"German left: {w}" for w in checks.get("untranslated_words") or []]
        if (checks.get("language") or {}).get("ok") is False:
            flags.append("wrong language")
        length = s.get("length") or {}
        facts = (f"{length.get('measured')} of {length.get('limit')} {length.get('unit')}"
                 if length else "")
        if checks.get("coverage") is not None:
            facts += f", coverage {checks['coverage']}"
        refs = data.references.get(lang, {}).get(doc, [])
        ref_html = "".join(f"<blockquote class=\"ref\">{html.escape(t)}</blockquote>"
                           for t in refs)
        flag_html = "".join(f'<li class="p">{html.escape(f)}</li>' for f in flags)
        blocks.append(f'<div class="summary"><h4>summary ({lang}) <small>{html.escape(facts)}'
                      f'</small></h4><p lang="{lang}">{html.escape(s.get("summary", ""))}</p>'
                      f"{'<ul>' + flag_html + '</ul>' if flag_html else ''}"
                      f"{'<h5>references</h5>' + ref_html if ref_html else ''}</div>")
    return "".join(blocks)


def _run_details(data: RunData) -> str:
    stages = "".join(
        f"<tr><td>{html.escape(s['name'])}</td><td>{html.escape(s['status'])}</td>"
        f"<td>{s.get('seconds', 0):.1f} s</td><td>{html.escape(_stage_line(s))}</td></tr>"
        for s in data.stages)
    fingerprints = "".join(
        f"<h4>{html.escape(name)}</h4><pre>{html.escape(json.dumps(meta.get('fingerprint'), indent=1, ensure_ascii=False))}</pre>"
        for name, meta in data.runs.items() if meta.get("fingerprint"))
    settings = html.escape(json.dumps(data.settings, indent=1, ensure_ascii=False))
    return ('<section id="run"><h2>The run</h2><table class="grid"><tr><th>stage</th>'
            f"<th>status</th><th>time</th><th>model, engine</th></tr>{stages}</table>"
            f"<details><summary>settings</summary><pre>{settings}</pre></details>"
            f"<details><summary>fingerprints</summary>{fingerprints}</details></section>")


def _stage_line(stage: dict[str, Any]) -> str:
    d = stage.get("detail") or {}
    bits = [str(d[k]) for k in ("model", "engine") if d.get(k)]
    if d.get("fingerprint"):
        bits.append(f"fingerprint {d['fingerprint']}")
    if d.get("reused_documents"):
        bits.append(f"{d['reused_documents']} documents reused")
    return ", ".join(bits)


def text_of(page: str) -> str:
    """The visible text of a page (tags dropped): for tests and quick looks."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", "",
                                                          page, flags=re.S)))


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1200px;color:#222;padding:0 1em}
h1{font-size:1.5em} h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table.grid{border-collapse:collapse;margin:.5em 0} .grid td,.grid th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
small{color:#666} code,pre{font-size:12px} pre{background:#f6f6f6;padding:.5em;overflow:auto}
.plots{display:flex;flex-wrap:wrap;gap:1.5em} figure{margin:0} figcaption{font-weight:600;margin-bottom:.3em}
svg rect{fill:#4a7ab8} svg text{font-size:11px;fill:#333}
table.doc{border-collapse:collapse;width:100%;margin:.5em 0} table.doc td,table.doc th{border-top:1px solid #eee;padding:.3em .5em;vertical-align:top;text-align:left}
table.doc td.id{color:#888;font-size:11px;white-space:nowrap} tr.bad{background:#fff6f0}
mark.german{background:#ffd2cc} mark.term{background:#ffe08a} mark.number{background:#f5b5e8} mark.repaired{background:#cdeccd}
ul{margin:.2em 0;padding-left:1.2em} li.p{color:#a33} li.info{color:#37a}
details.document{border:1px solid #ddd;border-radius:4px;padding:.3em .6em;margin:.6em 0}
details.document>summary{font-weight:600;cursor:pointer}
.summary{background:#f8f8fb;padding:.4em .8em;margin:.5em 0} blockquote.ref{margin:.3em 0 .3em 1em;color:#444;border-left:3px solid #bbb;padding-left:.6em}
label.filter{display:inline-block;margin:.3em 0 .6em;font-weight:600}
body.only-problems tr.seg:not(.bad){display:none}
"""

_SCRIPT = """<script>
(function () {
  var box = document.getElementById('only-problems');
  function apply() { document.body.classList.toggle('only-problems', box.checked); }
  box.addEventListener('change', apply);
  if (location.hash === '#only-problems') { box.checked = true; apply(); }  // a link to it
})();
</script>"""
