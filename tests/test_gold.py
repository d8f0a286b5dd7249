"""The shipped seed gold: valid, complete, and faithful to the raw reports."""

import re

from govner.data.examples import document_examples
from govner.data.labelstudio import load_documents
from govner.data.validate import validate_file
from govner.labels import LABELS
from helpers import ROOT

GOLD = ROOT / "annotations" / "seed_gold.json"


def test_seed_reports_are_copied_byte_for_byte():
    shared = ROOT.parent / "shared" / "seeds"
    raw = sorted((ROOT / "data" / "raw").glob("*.txt"))
    assert len(raw) == 5
    if shared.is_dir():
        for path in raw:
            assert path.read_bytes() == (shared / path.name).read_bytes()


def test_gold_validates_and_covers_every_report_and_label():
    problems, counts = validate_file(GOLD)
    assert problems == []
    assert all(counts[label] >= 50 for label in LABELS), counts
    docs = load_documents(GOLD)
    raw = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "data" / "raw").glob("*.txt")}
    assert {d.id: d.text for d in docs} == raw


def test_every_gold_span_round_trips_through_normalization():
    for doc in load_documents(GOLD):
        document_examples(doc, max_len=128, overlap=16)  # raises SpanMappingError otherwise


def test_quoted_phrases_are_mostly_slogans():
    """Guideline: every quoted phrase of 2+ characters is a SLOGAN unless an exception applies."""
    quoted = covered = 0
    for doc in load_documents(GOLD):
        starts = {s.start: s for s in doc.spans}
        for m in re.finditer(r"“([^“”\n]{2,})”", doc.text):
            quoted += 1
            span = starts.get(m.start(1))
            covered += span is not None and span.label in {"SLOGAN", "LOC", "ORG"}
    assert quoted > 300
    assert covered / quoted > 0.95


def load_gold_mentions_script():
    """scripts/gold_mentions.py as a module (it is a script, not part of the package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gold_mentions", ROOT / "scripts" / "gold_mentions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_synthetic_file_is_rebuilt_exactly_when_an_input_changed(tmp_path, monkeypatch):
    """data/synthetic/synthetic_gold.json is not tracked: setup and the test session run
    ``build --if-stale``, which must rebuild after any change of a report or mention list
    (an edit, a new file, a deleted one) and leave an up-to-date file alone."""
    import os

    script = load_gold_mentions_script()
    reports, mentions, out = tmp_path / "reports", tmp_path / "mentions", tmp_path / "gold.json"
    reports.mkdir()
    mentions.mkdir()
    (reports / "syn_t_01.txt").write_text("恩阳区招商局\n", encoding="utf-8")
    (mentions / "syn_t_01.tsv").write_text("1\tORG\t恩阳区招商局\n", encoding="utf-8")
    monkeypatch.setattr(script, "ROOT", tmp_path)
    monkeypatch.setattr(script, "RAW", reports)
    monkeypatch.setattr(script, "MENTIONS", mentions)
    monkeypatch.setattr(script, "OUT", out)
    inputs = [reports, mentions, *reports.iterdir(), *mentions.iterdir(), *script.CODE]
    newest = max(p.stat().st_mtime_ns for p in inputs)

    def set_time(path, ns):
        os.utime(path, ns=(ns, ns))

    def spans():
        return [[s.start, s.end, s.label] for doc in load_documents(out) for s in doc.spans]

    assert script.build(if_stale=True) == 0 and spans() == [[0, 6, "ORG"]]  # missing: built
    set_time(out, newest + 10**9)
    (mentions / "syn_t_01.tsv").write_text("1\tLOC\t恩阳区\n", encoding="utf-8")
    set_time(mentions / "syn_t_01.tsv", newest)  # an edit older than the output: not rebuilt
    assert script.build(if_stale=True) == 0 and spans() == [[0, 6, "ORG"]]
    set_time(mentions / "syn_t_01.tsv", newest + 2 * 10**9)  # edited after the build: rebuilt
    assert script.build(if_stale=True) == 0 and spans() == [[0, 3, "LOC"]]
    set_time(out, newest + 3 * 10**9)
    (mentions / "syn_t_01.tsv").unlink()  # a deleted list changes its folder's time
    set_time(mentions, newest + 4 * 10**9)
    assert script.build(if_stale=True) == 0 and spans() == []
