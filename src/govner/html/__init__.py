"""Self-contained HTML pages of highlighted documents: ``govner predict --format html`` and ``report.html``.

A page is written in three parts, so that ``govner predict`` can stream it: :func:`page_head`
(one line: styles, title, controls), one :func:`document_line` per document (its JSON in a
``<script type="application/json">`` element, never parsed as HTML), and :func:`page_foot`
(the renderer, ``page.js``). The browser renders the documents of one page at a time (50 by
default) from that JSON, so a file of 10,000 reports still opens; filters, search and the
page number live in the address's ``#fragment``, so every view can be linked to. Nothing is
fetched: no fonts, scripts or images from anywhere (``tests/test_html_pages.py`` checks, and
renders the pages in headless Chromium).

>>> head = page_head("t", [])
>>> head.startswith("<!DOCTYPE html>") and "\\n" not in head
True
>>> document_line({"id": "a", "text": "</script>"})
'<script type="application/json" data-govner-doc>{"id": "a", "text": "\\\\u003c/script>"}</script>\\n'
"""

from __future__ import annotations

import html
import json
from importlib.resources import files
from typing import Any

from govner.labels import LABEL_TABLE

END_OF_DOCUMENTS = "<!-- govner: end of documents -->"  # the first line of the foot; --resume cuts here
PAGE_SIZE = 50  # documents rendered at once


def _asset(name: str) -> str:
    return files("govner.html").joinpath(name).read_text(encoding="utf-8")


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def page_head(title: str, labels: list[str], *, kinds: tuple[str, ...] = (), systems: tuple[str, ...] = (),
              intro: str = "", heading: bool = True) -> str:
    """Everything before the documents, on one line: styles, the page's settings, legend and controls.

    ``labels`` are the labels to show (the label table's, if empty); ``kinds`` adds a filter
    by error kind, ``systems`` a choice of system (evaluation pages); ``intro`` is HTML put
    before the controls (the evaluation tables), which then brings its own heading (``heading=False``).
    """
    rows = [row for row in LABEL_TABLE if not labels or row.name in labels]
    names = [row.name for row in rows] + [name for name in labels if name not in {row.name for row in rows}]
    colors = {row.name: row.color for row in rows}
    config = {"labels": [{"name": name} for name in names], "colors": colors, "kinds": list(kinds),
              "systems": list(systems), "page_size": PAGE_SIZE}
    legend = "".join(
        f'<label><input type="checkbox" data-filter-label="{html.escape(name)}" checked> '
        f'<span class="key" style="background:{colors.get(name, "#ddd")}">{html.escape(name)}</span></label>'
        for name in names
    )
    kind_boxes = "".join(
        f'<label><input type="checkbox" data-filter-kind="{html.escape(kind)}" checked> '
        f'<span class="key kind" data-kind="{html.escape(kind)}">{html.escape(kind)}</span></label>'
        for kind in kinds
    )
    system_choice = ("<label>system <select id=\"system\">" + "".join(
        f'<option value="{html.escape(s)}">{html.escape(s)}</option>' for s in systems) + "</select></label>"
        if systems else "")
    parts = [
        "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        f"<title>{html.escape(title)}</title><style>{_asset('page.css').replace(chr(10), '')}</style>",
        f'<script type="application/json" id="govner-config">{script_json(config)}</script></head><body>',
        f"<header><h1>{html.escape(title)}</h1></header>" if heading else "",
        intro.replace("\n", " "),
        "<main><div class=\"controls\">",
        f'<div class="legend">{legend}</div>',
        f'<div class="kinds">{kind_boxes}</div>' if kinds else "",
        f'{system_choice}<label>search <input type="search" id="search" placeholder="id or text"></label> '
        '<span id="summary" class="meta"></span></div>',
        '<table class="index" id="index"></table><div id="documents"></div><div class="pager" id="pager"></div>'
        "</main>",
    ]
    return "".join(parts)


def document_line(record: dict[str, Any]) -> str:
    """One document as a line of the page: ``id``, ``text``, ``source``, ``entities`` or ``marks``, ``error``."""
    return f'<script type="application/json" data-govner-doc>{script_json(record)}</script>\n'


def page_foot() -> str:
    """The renderer and the end of the page; its first line is :data:`END_OF_DOCUMENTS`."""
    return f"{END_OF_DOCUMENTS}\n<script>{_asset('page.js')}</script>\n</body></html>\n"
