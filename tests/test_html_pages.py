"""The HTML pages in a real browser: Debian's Chromium, headless (``.ci/run`` installs it with apt).

Each page is opened from disk with every network request sent to a dead proxy, and its DOM
after the scripts ran (``--dump-dom``) is read back: exactly one highlighted element per
entity, with the right label and text; filters (which live in the address's #fragment, the
same code path as the page's checkboxes) change what is shown. A screenshot of each page type
is written under the test's temporary folder (and to ``$GOVNER_SCREENSHOTS`` if set).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from govner.cli import main
from govner.evaluation.metrics import KINDS
from helpers import ROOT

SEEDS = ROOT / "data" / "raw"  # seed 000 is traditional Chinese with pinyin notes such as 區(qū)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "Chromium is not installed (apt-get install chromium; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def browse(page: Path, fragment: str = "", screenshot: Path | None = None) -> str:
    """The DOM of ``page#fragment`` after its scripts ran; all network access goes to a dead proxy."""
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
               "--virtual-time-budget=10000", "--window-size=1200,1600"]
    if screenshot is not None:
        done = subprocess.run([*command, f"--screenshot={screenshot}", url], capture_output=True, text=True,
                              timeout=180)
        assert screenshot.exists(), done.stderr[-2000:]
        if os.environ.get("GOVNER_SCREENSHOTS"):
            Path(os.environ["GOVNER_SCREENSHOTS"]).mkdir(parents=True, exist_ok=True)
            shutil.copy(screenshot, Path(os.environ["GOVNER_SCREENSHOTS"]) / screenshot.name)
    done = subprocess.run([*command, "--dump-dom", url], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and "</html>" in done.stdout, done.stderr[-2000:]
    return done.stdout


class Marks(HTMLParser):
    """The highlighted elements of a dumped DOM, per document section: (label, text, kind, at)."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.docs: dict[str, list[tuple[str, str, str | None, str]]] = {}
        self.summary = ""
        self._doc: str | None = None
        self._mark: dict[str, str | None] | None = None
        self._text: list[str] = []
        self._in_summary = False
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "data-doc" in attrs:
            self._doc = attrs["data-doc"]
            self.docs[self._doc] = []
        elif tag == "mark":
            assert attrs.get("class") == "ent" and self._mark is None, "marks are never nested"
            self._mark, self._text = attrs, []
        elif attrs.get("id") == "summary":
            self._in_summary = True

    def handle_endtag(self, tag):
        if tag == "mark" and self._mark is not None:
            assert self._doc is not None
            self.docs[self._doc].append((self._mark["data-label"], "".join(self._text), self._mark.get("data-kind"),
                                         self._mark["data-at"]))
            self._mark = None
        elif tag == "span":
            self._in_summary = False

    def handle_data(self, data):
        if self._mark is not None:
            self._text.append(data)
        if self._in_summary:
            self.summary += data


def assert_self_contained(page: Path) -> None:
    """Nothing the page would fetch: no external src/href, no url() but data:, no @import."""
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)""", text, re.I)
    assert not re.search(r"url\(\s*['\"]?(?!data:)", text) and "@import" not in text


@pytest.mark.slow
def test_a_predict_page_shows_every_entity_exactly_once_offline(tiny_model, tmp_path):
    records_file, page = tmp_path / "predicted.jsonl", tmp_path / "predicted.html"
    assert main(["predict", "--model", str(tiny_model), str(SEEDS), "-o", str(records_file), "--quiet"]) == 0
    assert main(["predict", "--model", str(tiny_model), str(SEEDS), "-o", str(page), "--format", "html",
                 "--quiet"]) == 0
    assert_self_contained(page)
    records = {r["id"]: r for r in map(json.loads, records_file.read_text(encoding="utf-8").splitlines())}

    shown = Marks(browse(page, screenshot=tmp_path / "predict-page.png"))
    assert sorted(shown.docs) == sorted(records)
    for doc_id, record in records.items():
        expected = [(e["label"], e["text"], None, f"{e['start']}-{e['end']}") for e in record["entities"]]
        assert shown.docs[doc_id] == expected, doc_id
    traditional = records["000_f499792f28ac6c10"]["entities"]
    assert any("陽" in e["text"] for e in traditional), "the traditional seed's spans are shown as written"

    only_loc = Marks(browse(page, "labels=LOC"))
    assert {label for marks in only_loc.docs.values() for label, *_ in marks} == {"LOC"}
    assert sum(map(len, only_loc.docs.values())) == sum(e["label"] == "LOC" for r in records.values()
                                                        for e in r["entities"])
    searched = Marks(browse(page, "q=003_68ec"))
    assert list(searched.docs) == ["003_68ec25cebe00ae37"] and searched.summary.startswith("1 of 5")


@pytest.mark.slow
def test_a_predict_page_of_10000_documents_opens_and_pages(tiny_model, tmp_path):
    inputs, page = tmp_path / "many.jsonl", tmp_path / "many.html"
    lines = [json.dumps({"id": f"d{i:05d}", "text": f"第{i}号：巴中市恩阳区投资{i}亿元，开展“三年行动”。"},
                        ensure_ascii=False) for i in range(10_000)]
    inputs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["predict", "--model", str(tiny_model), str(inputs), "-o", str(page), "--format", "html",
                 "--quiet"]) == 0
    started = time.perf_counter()
    first = Marks(browse(page))
    seconds = time.perf_counter() - started
    print(f"10,000-document page ({page.stat().st_size / 2**20:.1f} MiB) opened and rendered in {seconds:.1f} s",
          file=sys.stderr)
    assert len(first.docs) == 50 and first.summary.startswith("10000 of 10000 document(s); page 1 of 200")
    last = Marks(browse(page, "page=200"))
    assert list(last.docs)[-1] == "d09999" and len(last.docs) == 50


@pytest.mark.slow
def test_the_evaluation_page_marks_every_span_by_what_happened_to_it(tiny_run, tmp_path):
    model, config, _ = tiny_run
    out = tmp_path / "eval"
    assert main(["evaluate", "--model", str(model), "--config", str(config), "--split", "dev", "--system", "model",
                 "--system", "rules", "--output", str(out), "--stdout", "none"]) == 0
    page = out / "report.html"
    assert_self_contained(page)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    texts = {}
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith('<script type="application/json" data-govner-doc>'):
            record = json.loads(line.removeprefix('<script type="application/json" data-govner-doc>')
                                .removesuffix("</script>"))
            texts[record["id"]] = record["text"]

    for system in ("model", "rules"):
        shown = Marks(browse(page, "" if system == "model" else f"system={system}",
                             screenshot=tmp_path / f"evaluation-page-{system}.png"))
        assert sorted(shown.docs) == sorted(report["documents"]["ids"])
        marks = [m for doc_marks in shown.docs.values() for m in doc_marks]
        counts = report["systems"][system]["errors"]["all"]
        for kind in KINDS:  # one element per predicted span by its kind, one per missed gold span
            assert sum(m[2] == kind for m in marks) == counts[kind], (system, kind)
        assert len(marks) == counts["predicted"] + counts["missed"]
        for doc_id, doc_marks in shown.docs.items():
            for _, text, _, at in doc_marks:
                start, end = map(int, at[1:].split("-"))
                assert texts[doc_id][start:end] == text
        # every row of the error table points at an element of the page
        anchors = {(doc_id, at) for doc_id, doc_marks in shown.docs.items() for *_, at in doc_marks}
        html_text = page.read_text(encoding="utf-8")
        links = re.findall(rf'href="#system={system}&amp;doc=([^&]+)&amp;at=([pg]\d+-\d+)"', html_text)
        assert len(links) == len(report["systems"][system]["error_list"])
        assert set(links) <= anchors

    missed_only = Marks(browse(page, "kinds=missed"))
    kinds = {m[2] for doc_marks in missed_only.docs.values() for m in doc_marks}
    assert kinds == {"missed"} and sum(map(len, missed_only.docs.values())) == \
        report["systems"]["model"]["errors"]["all"]["missed"]


@pytest.mark.slow
def test_an_html_page_cut_by_a_crash_resumes_with_each_document_once(tiny_model, tmp_path):
    page = tmp_path / "cut.html"
    assert main(["predict", "--model", str(tiny_model), str(SEEDS), "-o", str(page), "--format", "html",
                 "--quiet"]) == 0
    text = page.read_text(encoding="utf-8")
    third = text.index('<script type="application/json" data-govner-doc>{"id": "002')
    page.write_text(text[: third + 200], encoding="utf-8")  # killed in the middle of the third document
    assert main(["predict", "--model", str(tiny_model), str(SEEDS), "-o", str(page), "--format", "html",
                 "--quiet", "--resume"]) == 0
    resumed = page.read_text(encoding="utf-8")
    ids = re.findall(r'data-govner-doc>\{"id": "([^"]+)"', resumed)
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 5
    assert resumed.count("<!-- govner: end of documents -->") == 1 and resumed.endswith("</html>\n")
    assert resumed == text  # byte for byte what an uninterrupted run writes


def injected(dom: str) -> list[tuple[str, str]]:
    """Event-handler attributes and images that are not inlined data: what an injected tag would bring."""
    found: list[tuple[str, str]] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name.startswith("on") or (tag == "img" and name == "src" and not (value or "").startswith("data:")):
                    found.append((tag, name))

    Tags().feed(dom)
    return found


HOSTILE_IDS = ["r 100%&x", 'a"b`<img src=x onerror=alert(1)>', "line\nbreak"]


@pytest.mark.slow
def test_ids_and_labels_that_need_escaping_neither_break_nor_inject(tiny_model, tmp_path):
    """Document ids with %, &, quotes, backticks, markup and line breaks; a label outside the label table."""
    from govner.html import document_line, page_foot, page_head
    from helpers import task

    gold = tmp_path / "gold.json"
    text = "巴中市恩阳区投资38.01亿元，开展“三年行动”。恩阳区"
    values = [{"start": 0, "end": 6, "labels": ["LOC"]}, {"start": 8, "end": 15, "labels": ["AMOUNT"]},
              {"start": 25, "end": 28, "labels": ["ORG"]}]  # the last one the model surely misses or mislabels
    tasks = [task(text, values, doc_id) | {"id": n} for n, doc_id in enumerate(HOSTILE_IDS, start=1)]
    gold.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "eval"
    assert main(["evaluate", "--model", str(tiny_model), "--data", str(gold), "--output", str(out),
                 "--stdout", "none"]) == 0
    page = out / "report.html"
    dom = browse(page)
    assert not injected(dom), "report text (ids, labels) is never markup"
    shown = Marks(dom)
    assert sorted(shown.docs) == sorted(HOSTILE_IDS)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    errors = report["systems"]["model"]["error_list"]
    assert errors, "the gold has an error the model makes"
    from govner.evaluation.html_report import error_anchor

    links = re.findall(r'href="(#system=model&amp;doc=[^"]+)"', page.read_text(encoding="utf-8"))
    assert len(links) == len(errors)
    for link, entry in list(zip(links, errors, strict=True))[:3]:  # following a link focuses the right element
        focused = browse(page, link.replace("&amp;", "&")[1:])
        (mark,) = re.findall(r'<mark class="ent focus"[^>]*>', focused)
        assert f'data-at="{error_anchor(entry)}"' in mark
        section = focused[: focused.index(mark)].rsplit("<section", 1)[1]
        assert html_unescape(re.search(r'data-doc="([^"]*)"', section).group(1)) == entry["doc"]

    other = tmp_path / "other.html"  # a model with a label the table does not have, and an id-less error record
    other.write_text(page_head("p", []) + "\n" + document_line(
        {"id": "d1", "source": "s", "text": "张三在恩阳区", "entities": [
            {"start": 0, "end": 2, "label": "PER", "text": "张三", "score": 0.9},
            {"start": 3, "end": 6, "label": "LOC", "text": "恩阳区", "score": 0.8}]})
        + document_line({"id": None, "source": "x.jsonl", "error": "x.jsonl:2: invalid JSON"}) + page_foot(),
        encoding="utf-8")
    marks = Marks(browse(other, "q=d1")).docs
    assert marks == {"d1": [("PER", "张三", None, "0-2"), ("LOC", "恩阳区", None, "3-6")]}
