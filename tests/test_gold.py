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
