#!/usr/bin/env bash
# What made eval/results/formats/: corpus article 000 as HTML (corpus/html/) and as Markdown
# (corpus/markdown/) - links, emphasis, a list, a code span, a URL, an image, translate="no" -
# through the README's main command into English and Chinese (the starter by fallback, the
# project's glossary, --engine auto), and the English and Chinese runs as one TMX memory.
set -euo pipefail
out=eval/results/formats
for lang in en zh; do
  tk translate --to $lang corpus/html/ -o $out/html-$lang --replace
  tk translate --to $lang corpus/markdown/ -o $out/markdown-$lang --replace
done
tk tm export $out/html-en $out/html-zh -o $out/html.tmx
