"""govner evaluate: metric code against hand-computed cases and seqeval itself, reports, gates, id matching."""

import json
import math
import warnings

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from govner.cli import main
from govner.config import config_from_dict
from govner.corpus import split_documents
from govner.data.document import Document, Span
from govner.data.iob import spans_to_tags
from govner.data.labelstudio import write_documents
from govner.evaluation.metrics import (
    confusion,
    error_counts,
    lenient_scores,
    span_scores,
    strict_scores,
)
from govner.evaluation.report import build_report, check_gates, error_list
from govner.evaluation.systems import SystemOutput
from helpers import ROOT, TEXT, task

GOLD = str(ROOT / "annotations" / "seed_gold.json")
# the gold spans of helpers.TEXT
LOC, AMOUNT1, AMOUNT2, SLOGAN = Span(0, 6, "LOC"), Span(12, 19, "AMOUNT"), Span(24, 28, "AMOUNT"), Span(32, 39,
                                                                                                        "SLOGAN")


def seqeval_dict(y_true, y_pred):
    """seqeval's own report, keyed like ``strict_scores``."""
    with warnings.catch_warnings():  # numpy warns when there is no entity at all (the test expects 0)
        warnings.simplefilter("ignore", RuntimeWarning)
        report = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    names = {"micro avg": "micro", "macro avg": "macro", "weighted avg": "weighted"}
    return {
        names.get(k, k): {"precision": float(v["precision"]), "recall": float(v["recall"]),
                          "f1": float(v["f1-score"]), "support": int(v["support"])}
        for k, v in report.items()
    }


# --- strict scores: hand-computed cases, each also checked against seqeval directly -----------------------------


def entities_from_tags(tags):
    """The entities seqeval's strict IOB2 mode reads in ``tags`` (ill-formed ``I-`` runs dropped)."""
    from seqeval.scheme import IOB2, Entities

    (found,) = Entities([list(tags)], IOB2).entities
    return [Span(e.start, e.end, e.tag) for e in found]

def test_an_i_tag_after_o_in_predictions_is_no_entity():
    y_true = [["B-LOC", "I-LOC", "O", "O", "B-ORG", "I-ORG"]]
    y_pred = [["O", "I-LOC", "O", "O", "B-ORG", "I-ORG"]]
    scores = strict_scores(y_true, y_pred)
    # by hand: ORG right, the LOC fragment starts with I- after O, so it is not an entity at all
    assert scores["LOC"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert scores["ORG"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert scores["micro"]["precision"] == 1.0 and scores["micro"]["recall"] == 0.5
    assert scores["micro"]["f1"] == pytest.approx(2 / 3)
    assert scores == seqeval_dict(y_true, y_pred)
    # the span views read the same entities as seqeval: the stray I-LOC is nothing, not a LOC to overlap
    assert entities_from_tags(y_pred[0]) == [Span(4, 6, "ORG")]
    gold, pred = [entities_from_tags(y_true[0])], [entities_from_tags(y_pred[0])]
    assert lenient_scores(gold, pred, "overlap")["LOC"]["recall"] == 0.0
    assert error_counts(gold, pred)["LOC"]["missed"] == 1


def test_an_i_tag_of_another_label_ends_the_entity():
    y_true = [["B-LOC", "I-LOC", "I-LOC", "O"]]
    y_pred = [["B-LOC", "I-LOC", "I-ORG", "O"]]
    assert strict_scores(y_true, y_pred) == seqeval_dict(y_true, y_pred)
    # by hand: the prediction is the two-character LOC [0, 2) (I-ORG starts nothing), which is not the gold [0, 3)
    assert entities_from_tags(y_pred[0]) == [Span(0, 2, "LOC")]
    assert strict_scores(y_true, y_pred)["LOC"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert lenient_scores([[Span(0, 3, "LOC")]], [entities_from_tags(y_pred[0])], "overlap")["LOC"]["f1"] == 1.0


def test_nested_looking_prediction_inside_a_gold_organization():
    # 恩阳区委统战部 is one ORG (guideline: outermost only); the system says 恩阳 LOC + 区委统战部 ORG
    gold = [[Span(0, 7, "ORG")]]
    pred = [[Span(0, 2, "LOC"), Span(2, 7, "ORG")]]
    strict = span_scores([9], gold, pred)
    assert strict["micro"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert strict == seqeval_dict([spans_to_tags(9, gold[0])], [spans_to_tags(9, pred[0])])
    overlap = lenient_scores(gold, pred, "overlap")
    assert overlap["ORG"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert overlap["LOC"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert overlap["micro"]["precision"] == 0.5 and overlap["micro"]["recall"] == 1.0
    assert overlap["micro"]["f1"] == pytest.approx(2 / 3)
    assert lenient_scores(gold, pred, "type_ignoring")["micro"]["f1"] == 0.0
    table = confusion(gold, pred)
    assert table["ORG"] == {"LOC": 0, "ORG": 1, "none": 0}  # the longer overlap decides the column
    assert table["none"] == {"LOC": 0, "ORG": 0, "none": 0}  # 恩阳 overlaps the gold: not spurious
    counts = error_counts(gold, pred)
    assert counts["LOC"]["boundary+type"] == 1 and counts["ORG"]["boundary"] == 1
    assert counts["all"]["missed"] == counts["all"]["spurious"] == 0


def test_nested_looking_gold_covered_by_one_long_prediction():
    gold = [[Span(0, 2, "LOC"), Span(2, 7, "ORG")]]
    pred = [[Span(0, 7, "ORG")]]
    table = confusion(gold, pred)
    assert table["LOC"]["ORG"] == 1 and table["ORG"]["ORG"] == 1
    counts = error_counts(gold, pred)
    assert counts["ORG"] == {"gold": 1, "predicted": 1, "correct": 0, "boundary": 1, "type": 0,
                             "boundary+type": 0, "missed": 0, "spurious": 0}
    assert counts["LOC"]["gold"] == 1 and counts["LOC"]["missed"] == 0  # overlapped, so not a miss
    doc = Document("d", "恩阳区委统战部开会", "inline", gold[0])
    listed, _ = error_list([doc], pred, ("LOC", "ORG"))
    assert [(e["error"], e["label"], e["kind"], e["text"]) for e in listed] == [
        ("FN", "LOC", "boundary+type", "恩阳"),
        ("FP", "ORG", "boundary", "恩阳区委统战部"),  # within a label: by document, then offset
        ("FN", "ORG", "boundary", "区委统战部"),
    ]


def test_empty_documents_and_documents_without_gold_entities():
    # an empty text, a text with no gold entity (one spurious prediction), and a normal one
    lengths = [0, 5, 6]
    gold = [[], [], [Span(0, 3, "LOC")]]
    pred = [[], [Span(1, 3, "ORG")], [Span(0, 3, "LOC")]]
    scores = span_scores(lengths, gold, pred)
    assert scores == seqeval_dict([spans_to_tags(n, g) for n, g in zip(lengths, gold, strict=True)],
                                  [spans_to_tags(n, p) for n, p in zip(lengths, pred, strict=True)])
    assert scores["LOC"]["f1"] == 1.0
    assert scores["ORG"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert scores["micro"]["precision"] == 0.5 and scores["micro"]["recall"] == 1.0
    counts = error_counts(gold, pred)
    assert counts["ORG"]["spurious"] == 1 and counts["all"]["correct"] == 1
    assert confusion(gold, pred)["none"]["ORG"] == 1


def test_no_entity_anywhere_gives_zeros_not_nan():
    for lengths in ([0], [0, 3]):
        empty = [[] for _ in lengths]
        scores = span_scores(lengths, empty, empty)
        assert all(not math.isnan(v) for s in scores.values() for v in s.values())
        json.dumps(scores, allow_nan=False)  # report.json must stay valid JSON
        assert lenient_scores(empty, empty, "overlap")["micro"]["f1"] == 0.0
        assert error_counts(empty, empty) == {"all": dict.fromkeys(error_counts([[]], [[]])["all"], 0)}


def test_type_error_and_boundary_error_are_told_apart():
    gold = [[Span(0, 3, "LOC"), Span(5, 9, "AMOUNT")]]
    pred = [[Span(0, 3, "ORG"), Span(5, 8, "AMOUNT")]]  # a type error, then a boundary error
    assert span_scores([10], gold, pred)["micro"]["f1"] == 0.0
    type_ignoring = lenient_scores(gold, pred, "type_ignoring")
    overlap = lenient_scores(gold, pred, "overlap")
    assert type_ignoring["ORG"]["precision"] == 1.0 and type_ignoring["LOC"]["recall"] == 1.0
    assert type_ignoring["AMOUNT"]["f1"] == 0.0
    assert overlap["AMOUNT"]["f1"] == 1.0 and overlap["LOC"]["recall"] == 0.0
    assert type_ignoring["micro"]["f1"] == overlap["micro"]["f1"] == 0.5
    counts = error_counts(gold, pred)
    assert counts["ORG"]["type"] == 1 and counts["AMOUNT"]["boundary"] == 1
    assert confusion(gold, pred)["LOC"]["ORG"] == 1


def test_lenient_macro_and_weighted_follow_seqeval_definitions():
    gold = [[Span(0, 2, "LOC"), Span(3, 5, "LOC"), Span(6, 8, "ORG")]]
    pred = [[Span(0, 2, "LOC"), Span(6, 8, "LOC")]]
    exact = lenient_scores(gold, pred, "exact")
    seqeval = span_scores([9], gold, pred)
    for key in ("LOC", "ORG", "micro", "macro", "weighted"):
        assert exact[key] == pytest.approx(seqeval[key]), key


# --- the span views against seqeval on arbitrary documents -------------------------------------------------------

LABELS4 = ["LOC", "ORG", "AMOUNT", "SLOGAN"]


@st.composite
def flat_spans(draw, length):
    """Non-overlapping spans inside ``length`` characters."""
    cuts = sorted(draw(st.sets(st.integers(0, length), max_size=8)))
    spans = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        if a < b:
            spans.append(Span(a, b, draw(st.sampled_from(LABELS4))))
    return spans


@st.composite
def corpora(draw):
    lengths = draw(st.lists(st.integers(0, 20), min_size=1, max_size=4))
    gold = [draw(flat_spans(n)) for n in lengths]
    pred = [draw(flat_spans(n)) for n in lengths]
    return lengths, gold, pred


@given(corpora())
def test_span_views_agree_with_seqeval_on_any_documents(corpus):
    lengths, gold, pred = corpus
    y_true = [spans_to_tags(n, g) for n, g in zip(lengths, gold, strict=True)]
    y_pred = [spans_to_tags(n, p) for n, p in zip(lengths, pred, strict=True)]
    strict = strict_scores(y_true, y_pred)
    reference = seqeval_dict(y_true, y_pred)
    for key, values in reference.items():
        for metric, value in values.items():
            assert strict[key][metric] == pytest.approx(0.0 if math.isnan(value) else value), (key, metric)
    # our own exact matcher reproduces seqeval: the lenient code is built on the same counting
    exact = lenient_scores(gold, pred, "exact")
    for key in [k for k in strict if k != "weighted"]:
        assert exact[key]["f1"] == pytest.approx(strict[key]["f1"]), key
    counts = error_counts(gold, pred)["all"]
    n_gold, n_pred = sum(map(len, gold)), sum(map(len, pred))
    assert counts["gold"] == n_gold and counts["predicted"] == n_pred
    assert counts["correct"] == round(strict["micro"]["recall"] * n_gold)  # correct = strict true positives
    assert sum(counts[k] for k in ("correct", "boundary", "type", "boundary+type", "spurious")) == n_pred
    # the lenient views never score below strict
    for view in ("overlap", "type_ignoring"):
        assert lenient_scores(gold, pred, view)["micro"]["recall"] >= strict["micro"]["recall"] - 1e-12
    # each confusion row sums to that label's gold support
    table = confusion(gold, pred)
    for label in LABELS4:
        if label in table:
            assert sum(table[label].values()) == sum(s.label == label for g in gold for s in g)
    # the error listing has exactly the strict FNs and FPs
    docs = [Document(str(i), "x" * n, "t", g) for i, (n, g) in enumerate(zip(lengths, gold, strict=True))]
    listed, _ = error_list(docs, pred, LABELS4)
    assert sum(e["error"] == "FN" for e in listed) == n_gold - counts["correct"]
    assert sum(e["error"] == "FP" for e in listed) == n_pred - counts["correct"]


# --- reports ------------------------------------------------------------------------------------------------------

def test_error_list_context_is_fifteen_characters_each_side():
    text = "一二三四五六七八九十" * 4
    doc = Document("d", text, "t", [Span(20, 22, "LOC")])
    (entry,) = error_list([doc], [[]], ("LOC",))[0]
    assert entry["left"] == text[5:20] and entry["right"] == text[22:37]
    assert entry["kind"] == "missed" and entry["other"] is None


def test_gates_on_micro_and_label_f1():
    doc = Document("d", TEXT, "t", [LOC, AMOUNT1, AMOUNT2, SLOGAN])
    report = build_report([doc], [SystemOutput("pred", "", [[LOC, AMOUNT1, SLOGAN]])], {"files": []})
    assert report["systems"]["pred"]["strict"]["micro"]["f1"] == pytest.approx(6 / 7)
    assert check_gates(report, "pred", 0.85)["passed"]
    assert not check_gates(report, "pred", 0.86)["passed"]
    assert check_gates(report, "pred", None, [("SLOGAN", 1.0)])["passed"]
    assert not check_gates(report, "pred", None, [("AMOUNT", 0.9)])["passed"]  # AMOUNT F1 = 2/3
    assert not check_gates(report, "pred", None, [("ORG", 0.1)])["passed"]  # no ORG in the data: cannot pass


# --- govner evaluate end to end, on hand-written prediction files ------------------------------------------------

def entities(text, spans):
    return [{"start": s.start, "end": s.end, "label": s.label, "text": text[s.start : s.end], "score": 1.0}
            for s in spans]


@pytest.fixture
def gold_file(write_tasks):
    other = "常德经开区签约项目16个。"
    tasks = [task(doc_id="a"), task(doc_id="b"), task(other, [{"start": 0, "end": 5, "labels": ["LOC"]},
                                                             {"start": 9, "end": 12, "labels": ["AMOUNT"]}], "c")]
    for i, t in enumerate(tasks):
        t["id"] = i + 1
    return write_tasks(tasks, "gold.json")


def write_pred(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_pred_mode_matches_by_id_lists_missing_and_unknown_documents(gold_file, tmp_path, capsys):
    pred = write_pred(tmp_path / "pred.jsonl", [
        {"id": "a", "source": "x", "entities": entities(TEXT, [LOC, AMOUNT1, AMOUNT2, SLOGAN])},
        {"id": "zzz", "source": "x", "entities": []},
        {"id": "c", "source": "x", "error": "could not read"},
    ])
    out = tmp_path / "report"
    code = main(["evaluate", "--pred", str(pred), "--gold", str(gold_file), "--output", str(out), "--no-charts"])
    assert code == 0
    captured = capsys.readouterr()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    notes = report["systems"]["pred"]["notes"]
    assert notes["missing"] == ["b", "c"] and notes["unknown"] == ["zzz"] and notes["errors"] == {"c": "could not read"}
    # a: 4 of 4 right; b: 4 gold spans missed; c (failed): 2 missed
    strict = report["systems"]["pred"]["strict"]
    assert strict["micro"]["precision"] == 1.0 and strict["micro"]["recall"] == pytest.approx(4 / 10)
    assert report["systems"]["pred"]["errors"]["all"]["missed"] == 6
    assert "no prediction for" in captured.out and "`zzz`" in captured.out
    assert "warning: pred: no prediction for b, c" in captured.err


def test_report_files_stdout_and_charts(gold_file, tmp_path, capsys):
    pred = write_pred(tmp_path / "pred.jsonl", [
        {"id": "a", "entities": entities(TEXT, [Span(0, 3, "LOC"), AMOUNT1, Span(24, 28, "ORG"), SLOGAN])},
        {"id": "b", "entities": entities(TEXT, [LOC, AMOUNT1, AMOUNT2, SLOGAN, Span(40, 42, "ORG")])},
    ])
    out = tmp_path / "report"
    code = main(["evaluate", "--pred", str(pred), "--gold", str(gold_file), "--system", "rules", "--output", str(out)])
    assert code == 0
    stdout = capsys.readouterr().out
    for name in ("report.json", "report.md", "scores.png", "confusion-pred.png", "confusion-rules.png"):
        assert (out / name).exists(), name
    assert (out / "scores.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    markdown = (out / "report.md").read_text(encoding="utf-8")
    table = "| label | support | pred P | pred R | pred F1 | rules P | rules R | rules F1 |"
    assert table in stdout and "## Error listing" in stdout  # the whole report goes to stdout
    assert stdout.split("## `pred`")[0] in markdown.replace(
        "![strict precision, recall and F1 per label](scores.png)\n\n", "")
    assert "| label | support | pred P | pred R | pred F1 | rules P | rules R | rules F1 |" in markdown
    assert "![strict precision, recall and F1 per label](scores.png)" in markdown
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert list(report["systems"]) == ["pred", "rules"]
    pred_report = report["systems"]["pred"]
    assert pred_report["errors"]["LOC"]["boundary"] == 1 and pred_report["errors"]["ORG"]["type"] == 1
    assert pred_report["confusion"]["AMOUNT"]["ORG"] == 1
    assert pred_report["confusion"]["none"]["ORG"] == 1  # 活動 in document b overlaps no gold span
    # the error listing: grouped by label, with context and the closest span on the other side
    listing = markdown[markdown.index("## Error listing"):]
    assert "### `pred`: 4 FN, 3 FP" in listing and "#### pred · LOC: 2 FN, 1 FP" in listing
    assert "- **FN** missed: `常德经开区` · `c` [0, 5) · `⟦常德经开区⟧签约项目16个。`" in listing  # c had no prediction
    assert ("- **FN** boundary: `巴中市恩陽區` (predicted LOC `巴中市`) · `a` [0, 6) · "
            "`⟦巴中市恩陽區⟧(qū)投資38.01億元，同…`") in listing
    assert "- **FP** type: `9.6%` (gold AMOUNT `9.6%`)" in listing
    assert "- **FP** spurious: `活動` · `b` [40, 42)" in listing
    assert json.loads(json.dumps(report, allow_nan=False)) == report


def test_fail_under_and_fail_under_label_exit_codes(gold_file, tmp_path, capsys):
    # a: all four spans right; b: the slogan missed; c: both right
    pred = write_pred(tmp_path / "pred.jsonl", [
        {"id": "a", "entities": entities(TEXT, [LOC, AMOUNT1, AMOUNT2, SLOGAN])},
        {"id": "b", "entities": entities(TEXT, [LOC, AMOUNT1, AMOUNT2])},
        {"id": "c", "entities": [{"start": 0, "end": 5, "label": "LOC"}, {"start": 9, "end": 12, "label": "AMOUNT"}]},
    ])
    base = ["evaluate", "--pred", str(pred), "--gold", str(gold_file), "--stdout", "none"]
    # by hand: 9 of 10 gold spans found, 9 predicted, all right: P = 1, R = 0.9, F1 = 18/19 = 0.947
    assert main([*base, "--fail-under", "0.94"]) == 0
    assert main([*base, "--fail-under", "0.95"]) == 1
    err = capsys.readouterr().err
    assert "FAILED: pred micro-F1 0.9474 < 0.9500 (--fail-under)" in err
    # SLOGAN: 1 of 2 found → F1 2/3
    assert main([*base, "--fail-under-label", "SLOGAN=0.6", "--fail-under-label", "LOC=1"]) == 0
    assert main([*base, "--fail-under-label", "SLOGAN=0.9"]) == 1
    assert "FAILED: pred SLOGAN F1 0.6667 < 0.9000" in capsys.readouterr().err
    assert main([*base, "--fail-under-label", "SLGOAN=0.9"]) == 2  # a typo is an error, never a pass
    assert main([*base, "--fail-under-label", "SLOGAN"]) == 2
    assert "expected LABEL=VALUE" in capsys.readouterr().err


def test_gate_verdict_is_in_the_report(gold_file, tmp_path):
    pred = write_pred(tmp_path / "pred.jsonl", [{"id": "a", "entities": entities(TEXT, [LOC])}])
    out = tmp_path / "r"
    assert main(["evaluate", "--pred", str(pred), "--gold", str(gold_file), "--output", str(out), "--no-charts",
                 "--stdout", "none", "--fail-under", "0.85"]) == 1
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["gates"]["passed"] is False and report["gates"]["checks"][0]["floor"] == 0.85
    assert "## Gate: **FAILED**" in (out / "report.md").read_text(encoding="utf-8")


def test_baseline_adds_deltas(gold_file, tmp_path):
    old = write_pred(tmp_path / "old.jsonl", [
        {"id": k, "entities": entities(TEXT, [LOC, AMOUNT1])} for k in ("a", "b")
    ])
    new = write_pred(tmp_path / "new.jsonl", [
        {"id": k, "entities": entities(TEXT, [LOC, AMOUNT1, AMOUNT2, SLOGAN])} for k in ("a", "b")
    ])
    args = ["evaluate", "--gold", str(gold_file), "--no-charts", "--stdout", "none"]
    assert main([*args, "--pred", str(old), "--output", str(tmp_path / "old")]) == 0
    assert main([*args, "--pred", str(new), "--output", str(tmp_path / "new"),
                 "--baseline", str(tmp_path / "old" / "report.json")]) == 0
    old_report = json.loads((tmp_path / "old" / "report.json").read_text(encoding="utf-8"))
    new_report = json.loads((tmp_path / "new" / "report.json").read_text(encoding="utf-8"))
    deltas = new_report["baseline"]["deltas"]["pred"]
    assert new_report["baseline"]["same_documents"] is True
    # SLOGAN F1 0 → 1 (both gold slogans, in a and b); AMOUNT recall 2/5 → 4/5 (c has one); LOC unchanged
    assert old_report["systems"]["pred"]["strict"]["SLOGAN"]["f1"] == 0.0
    assert deltas["SLOGAN"]["f1"] == pytest.approx(1.0)
    assert deltas["AMOUNT"]["recall"] == pytest.approx(0.4)
    assert deltas["LOC"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    markdown = (tmp_path / "new" / "report.md").read_text(encoding="utf-8")
    assert "| label | support | pred P | pred R | pred F1 | Δ F1 |" in markdown
    assert "| SLOGAN | 2 | 1.0000 | 1.0000 | 1.0000 | +1.0000 |" in markdown


@pytest.mark.parametrize(("entity", "message"), [
    ({"start": 0, "end": 6, "label": "LOC", "text": "巴中市恩阳区"}, "does not match the gold text"),
    ({"start": 0, "end": 99, "label": "LOC"}, "ends past the text"),
    ({"start": 0, "label": "LOC"}, "start and end must be whole numbers"),
])
def test_prediction_offsets_must_fit_the_original_text(gold_file, tmp_path, capsys, entity, message):
    pred = write_pred(tmp_path / "p.jsonl", [{"id": "a", "entities": [entity]}])
    assert main(["evaluate", "--pred", str(pred), "--gold", str(gold_file), "--stdout", "none"]) == 2
    assert message in capsys.readouterr().err


def test_bad_prediction_files_are_errors_with_a_location(gold_file, tmp_path, capsys):
    overlapping = write_pred(tmp_path / "o.jsonl", [{"id": "a", "entities": [
        {"start": 0, "end": 6, "label": "LOC"}, {"start": 3, "end": 8, "label": "ORG"}]}])
    assert main(["evaluate", "--pred", str(overlapping), "--gold", str(gold_file)]) == 2
    assert "overlap" in capsys.readouterr().err
    twice = write_pred(tmp_path / "t.jsonl", [{"id": "a", "entities": []}, {"id": "a", "entities": []}])
    assert main(["evaluate", "--pred", str(twice), "--gold", str(gold_file)]) == 2
    assert "t.jsonl:2: a second prediction for document 'a'" in capsys.readouterr().err
    broken = tmp_path / "b.jsonl"
    broken.write_text('{"id": "a", "entities": []}\n{oops\n', encoding="utf-8")
    assert main(["evaluate", "--pred", str(broken), "--gold", str(gold_file)]) == 2
    assert "b.jsonl:2: invalid JSON" in capsys.readouterr().err


def test_option_combinations_that_make_no_sense_are_errors(gold_file, tmp_path, capsys):
    assert main(["evaluate", "--gold", str(gold_file), "--system", "model"]) == 2
    assert "--system model needs --model" in capsys.readouterr().err
    assert main(["evaluate", "--gold", str(gold_file)]) == 2
    assert main(["evaluate", "--system", "rules"]) == 2
    assert "no gold documents" in capsys.readouterr().err
    assert main(["evaluate", "--system", "rules", "--gold", str(gold_file), "--config", "x.yaml"]) == 2
    assert main(["evaluate", "--model", str(tmp_path), "--system", "rules", "--gold", str(gold_file)]) == 2


def test_duplicate_gold_ids_are_an_error(write_tasks, capsys):
    path = write_tasks([task(doc_id="a"), task(doc_id="a")])
    assert main(["evaluate", "--gold", str(path), "--system", "rules"]) == 2
    assert "appears twice" in capsys.readouterr().err


def test_baselines_side_by_side_on_the_same_documents(gold_file, tmp_path, capsys):
    assert main(["evaluate", "--gold", str(gold_file), "--system", "rules", "--system", "lac", "--stdout", "tables",
                 "--output", str(tmp_path / "r"), "--no-charts"]) == 0
    stdout = capsys.readouterr().out
    assert "| label | support | rules P | rules R | rules F1 | lac P | lac R | lac F1 |" in stdout
    assert "## Error listing" not in stdout  # --stdout tables
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    rules, lac = report["systems"]["rules"], report["systems"]["lac"]
    assert set(rules["predicted_spans"]) <= {"AMOUNT", "SLOGAN"} and set(lac["predicted_spans"]) <= {"LOC", "ORG"}
    assert rules["strict"]["AMOUNT"]["f1"] == 1.0  # 38.01億元, 9.6%, 16个: the regexes' home ground
    # FNs of labels a baseline never predicts are counted, not listed
    assert rules["unlisted_false_negatives"] == {"LOC": 3}
    assert all(e["label"] in ("AMOUNT", "SLOGAN") for e in rules["error_list"])


# --- gold documents from a config --------------------------------------------------------------------------------

def small_config(**data):
    return config_from_dict({"data": {"annotations": [GOLD], **data},
                             "corpus": {"synthetic": [], "msra_sentences": 0}}, "inline")


def test_split_documents_is_the_dev_split_training_scores_on():
    from govner.corpus import build_training_data, split_documents

    config = small_config()
    dev = split_documents(config, "dev")
    assert [d.id for d in dev] == [d.id for d in build_training_data(config).dev_documents]
    assert len(dev) == 2 and all(d.spans for d in dev)
    train = split_documents(config, "train")
    assert {d.id for d in train} | {d.id for d in dev} == {d.id for d in split_documents(config, "all")}
    assert not {d.id for d in train} & {d.id for d in dev}
    fixed = small_config(dev_ids=["001_ea375ec86079450b"])
    assert [d.id for d in split_documents(fixed, "dev")] == ["001_ea375ec86079450b"]


def test_evaluate_with_config_and_split(tmp_path, capsys, monkeypatch):
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({"data": {"annotations": [GOLD], "dev_ids": ["003_68ec25cebe00ae37"]},
                                      "corpus": {"synthetic": []}}), encoding="utf-8")
    assert main(["evaluate", "--config", str(config), "--split", "dev", "--system", "rules",
                 "--stdout", "tables"]) == 0
    out = capsys.readouterr().out
    assert "split `dev` of config" in out and "`003_68ec25cebe00ae37`" in out
    assert "| AMOUNT | 27 |" in out  # report 003 has 27 gold amounts (README table)


# --- a real (tiny) model ------------------------------------------------------------------------------------------

@pytest.fixture
def eval_model(tiny_run):
    """A real model, its config file and the dev scores govner train measured for it."""
    return tiny_run


def test_model_mode_reproduces_the_training_dev_scores(eval_model, tmp_path, capsys):
    model, config, scores = eval_model
    out = tmp_path / "r"
    code = main(["evaluate", "--model", str(model), "--config", str(config), "--split", "dev",
                 "--system", "model", "--system", "rules", "--output", str(out), "--no-charts"])
    assert code == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert list(report["systems"]) == ["model", "rules"]
    assert report["documents"]["ids"] == ["000_f499792f28ac6c10", "003_68ec25cebe00ae37"]
    # the same documents and the same prediction path as govner train's metrics.json
    assert report["systems"]["model"]["strict"] == scores
    assert "| label | support | model P | model R | model F1 | rules P |" in capsys.readouterr().out


def test_model_predictions_file_scores_like_the_model(eval_model, tmp_path):
    model, config, _ = eval_model
    raw = ROOT / "data" / "raw"
    pred = tmp_path / "p.jsonl"
    files = [str(raw / "000_f499792f28ac6c10.txt"), str(raw / "003_68ec25cebe00ae37.txt")]
    assert main(["predict", "--model", str(model), *files, "-o", str(pred), "--quiet"]) == 0
    args = ["evaluate", "--config", str(config), "--no-charts", "--stdout", "none"]
    assert main([*args, "--pred", str(pred), "--output", str(tmp_path / "p")]) == 0
    assert main([*args, "--model", str(model), "--output", str(tmp_path / "m")]) == 0
    by_pred = json.loads((tmp_path / "p" / "report.json").read_text(encoding="utf-8"))["systems"]["pred"]
    by_model = json.loads((tmp_path / "m" / "report.json").read_text(encoding="utf-8"))["systems"]["model"]
    for key in ("strict", "lenient", "confusion", "errors", "error_list"):
        assert by_pred[key] == by_model[key], key


def test_a_model_trained_on_the_evaluated_documents_is_named_in_a_warning(tmp_path, capsys):
    from govner.evaluation.cli import warn_if_trained_on

    docs = [Document(f"doc{i}", "巴中市恩阳区", "x.json", [Span(0, 6, "LOC")]) for i in range(5)]
    write_documents(tmp_path / "gold.json", docs)
    for dev_fraction, warned in ((0, True), (0.4, False)):
        model = tmp_path / f"model-{dev_fraction}"
        model.mkdir()
        saved = {"data": {"annotations": [str(tmp_path / "gold.json")], "dev_fraction": dev_fraction, "split_seed": 13}}
        (model / "govner_config.yaml").write_text(yaml.safe_dump(saved), encoding="utf-8")
        dev = split_documents(config_from_dict(saved, "saved"), "dev")
        warn_if_trained_on(model, dev or docs[:1])
        err = capsys.readouterr().err
        assert ("was trained on" in err) is warned, err
    warn_if_trained_on(tmp_path / "no-model", docs)  # no saved config: nothing to say
    assert capsys.readouterr().err == ""
