"""Run a token-classification model over whole reports and return original-text entities.

The path of a group of reports: normalize each (keeping the offset map) → cut
windows → sort the windows of *all* the reports by length and batch them (so a
batch holds windows of similar length whichever report they come from, and
little of it is padding) → model → one emission vector per *character* →
Viterbi decoding restricted to valid IOB2 → spans in each window's own region →
original offsets → post-processing per report. Any
``AutoModelForTokenClassification`` works: govner's own CRF tagger decodes with
its learned transitions; other models (a fine-tuned BERT) decode their
log-probabilities under the same IOB2 constraints.

Everything after the forward pass is numpy over whole batches: at tens of
thousands of characters a second there is no budget for a Python step (let
alone a tensor operation) per character.

Two backends compute the emissions: ``torch`` (any model transformers loads)
and ``onnx`` (govner's own GRU-CRF models only): the same network rebuilt as an
ONNX Runtime graph straight from ``model.safetensors``, with the GRU's
``sequence_lens`` playing the part of ``pack_padded_sequence``. It needs neither
torch nor transformers, so it starts in about a second instead of seven, and it
runs the GRU somewhat faster on one core (docs/predict.md has the numbers).
``backend="auto"`` (``govner predict``, :func:`govner.load`) takes it when it can.

>>> tagger = Tagger.from_pretrained("models/default")  # doctest: +SKIP
>>> tagger.predict(["恩阳区投资38亿元。"])  # doctest: +SKIP
[[{'start': 0, 'end': 3, 'label': 'LOC', 'text': '恩阳区', 'score': 0.98}, ...]]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from govner.data.conventions import merge_adjacent
from govner.data.document import Span
from govner.data.normalize import NormalizedText, normalize
from govner.data.segment import Window, split_windows
from govner.inference.postprocess import combine_with_rules, drop_overlaps, propagate_labels, repeat_quoted_slogans

# The score of a forbidden transition; equal to govner.training.model.IMPOSSIBLE (a test checks),
# kept here so that the onnx backend never imports torch.
IMPOSSIBLE = -10000.0
BACKENDS = ("auto", "torch", "onnx")
GOVNER_MODEL_TYPE = "govner-gru-crf"

# Characters per group of documents in predict_documents: bounds memory for a long list
# while leaving enough windows to sort by length.
GROUP_CHARS = 200_000


@dataclass(frozen=True)
class Entity:
    """A predicted entity: ``[start, end)`` into the original text, ``text == original[start:end]``."""

    start: int
    end: int
    label: str
    text: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label, "text": self.text, "score": self.score}


@dataclass(frozen=True)
class Analysis:
    """What the tagger says about one document.

    ``confidence`` is the mean probability of the chosen tag over the characters the
    model saw (``1 - uncertainty`` in :mod:`govner.annotations.select`); ``chars`` is
    the length of the original text.
    """

    entities: list[Entity]
    confidence: float
    chars: int


@dataclass(frozen=True)
class Scored:
    """What :meth:`Tagger.score` found in a group of documents, for :meth:`Tagger.finish`."""

    texts: list[str]
    norms: list[NormalizedText]
    found: list[list[tuple[int, int, str]]]  # per document: normalized start, end, label
    probs: list[np.ndarray]  # per document: probability of the chosen tag per normalized character
    covered: list[int]  # per document: characters inside some window's keep region


def viterbi_decode(
    emissions: np.ndarray, lengths: np.ndarray, transitions: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Best tag path per sequence, ``[B, L]`` (positions past a sequence's length are 0).

    The same recursion as :meth:`govner.training.model.CRF.decode`, vectorized over the
    batch in both directions (that one walks back through each sequence in Python).
    ``emissions`` is ``[B, L, T]``; ``transitions[i, j]`` scores tag ``i`` → tag ``j``.

    >>> e = np.array([[[0.0, 1.0], [2.0, 0.0], [0.0, 0.0]]], dtype=np.float32)
    >>> viterbi_decode(e, np.array([2]), np.zeros((2, 2), np.float32), np.zeros(2, np.float32), np.zeros(2, np.float32))
    array([[1, 0, 0]])
    """
    batch, length, _ = emissions.shape
    score = start + emissions[:, 0]
    history = []
    for t in range(1, length):
        candidates = score[:, :, None] + transitions  # [B, from, to]
        best_from = candidates.argmax(axis=1)
        step = np.take_along_axis(candidates, best_from[:, None, :], axis=1)[:, 0] + emissions[:, t]
        score = np.where((t < lengths)[:, None], step, score)
        history.append(best_from)
    score = score + end
    tags = score.argmax(axis=1)
    rows = np.arange(batch)
    paths = np.zeros((batch, length), dtype=np.int64)
    paths[rows, np.maximum(lengths - 1, 0)] = tags
    for t in range(length - 1, 0, -1):
        active = t < lengths
        previous = history[t - 1][rows, tags]
        tags = np.where(active, previous, tags)
        paths[:, t - 1] = np.where(active, previous, paths[:, t - 1])
    return paths


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def iob2_masks(tags: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(transition penalty [from, to], start penalty [to])``: 0 where IOB2 allows, ``IMPOSSIBLE`` elsewhere.

    The numpy twin of :func:`govner.training.model.iob2_transition_mask` (a test checks).

    >>> transition, start = iob2_masks(["O", "B-LOC", "I-LOC"])
    >>> (transition < 0).astype(int).tolist(), (start < 0).astype(int).tolist()
    ([[0, 0, 1], [0, 0, 0], [0, 0, 0]], [0, 0, 1])
    """
    n = len(tags)
    transition = np.zeros((n, n), dtype=np.float32)
    start = np.zeros(n, dtype=np.float32)
    for j, to in enumerate(tags):
        if to.startswith("I-"):
            start[j] = IMPOSSIBLE
            for i, frm in enumerate(tags):
                if frm not in (f"B-{to[2:]}", to):
                    transition[i, j] = IMPOSSIBLE
    return transition, start


def _check_char_lookup(encode: Callable[[list[str]], list[int]], vocab: dict[str, int], unknown: int) -> bool:
    """Whether ``encode`` (a tokenizer over a list of characters) is a plain per-character vocabulary lookup."""
    probe = ["巴中市恩陽區(qū)", "投资 38.01億元\r\n“Ａ1”\u3000𠀀\ufeffé OOV"]
    return all(encode(list(text)) == [vocab.get(c, unknown) for c in text] for text in probe)


def _char_vocabulary(tokenizer: Any) -> tuple[dict[str, int], int] | None:
    """``(vocab, unknown id)`` if ``tokenizer`` maps each character to one token by plain lookup, else None.

    govner's LAC tokenizer (a WordLevel model over single characters, no normalizer, no
    special tokens) does, and then a dict lookup per character replaces the tokenizer call
    and the word-id bookkeeping. A probe checks the lookup against the tokenizer itself.
    """
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None or backend.normalizer is not None or type(backend.model).__name__ != "WordLevel":
        return None
    vocab = tokenizer.get_vocab()
    unknown = vocab.get(backend.model.unk_token)
    if unknown is None:
        return None

    def encode(chars: list[str]) -> list[int]:
        return tokenizer(chars, is_split_into_words=True, add_special_tokens=True)["input_ids"]

    return (vocab, unknown) if _check_char_lookup(encode, vocab, unknown) else None


class TorchScorer:
    """Emissions from any transformers token-classification model (and its tokenizer)."""

    def __init__(self, model: Any, tokenizer: Any) -> None:
        import torch

        from govner.training.model import CRF

        self.model = model.eval()
        self.tokenizer = tokenizer
        self.tags = [model.config.id2label[i] for i in range(model.config.num_labels)]
        self.outside = self.tags.index("O")
        crf = getattr(model, "crf", None)
        # A model without its own CRF decodes log-probabilities with zero transition scores,
        # under the same IOB2 constraints.
        self.model_has_crf = isinstance(crf, CRF)
        if self.model_has_crf:
            with torch.no_grad():
                transitions, start = crf._scores()  # learned scores plus the IOB2 masks, as CRF.decode uses them
                self.transitions = transitions.float().numpy().copy()
                self.start = start.float().numpy().copy()
                self.end = crf.end.float().numpy().copy()
        else:
            self.transitions, self.start = iob2_masks(self.tags)
            self.end = np.zeros(len(self.tags), dtype=np.float32)
        self.char_vocab = _char_vocabulary(tokenizer)
        pad = getattr(tokenizer, "pad_token_id", None)
        self.pad_id = pad if pad is not None else 0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """``[B, C, T]`` scores per character (first sub-token) of non-empty ``texts``; padding is O."""
        import torch

        width = max(len(t) for t in texts)
        with torch.inference_mode():
            if self.char_vocab is not None:
                ids, mask = encode_chars(texts, self.char_vocab, self.pad_id, width)
                logits = self.model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).logits
                if not self.model_has_crf:
                    logits = torch.log_softmax(logits, dim=-1)
                return logits.float().numpy()
            encoded = self.tokenizer(
                [list(t) for t in texts], is_split_into_words=True, padding=True, return_tensors="pt"
            )
            logits = self.model(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]).logits
            if not self.model_has_crf:
                logits = torch.log_softmax(logits, dim=-1)
            logits = logits.float().numpy()
        emissions = np.full((len(texts), width, len(self.tags)), IMPOSSIBLE, dtype=np.float32)
        emissions[:, :, self.outside] = 0.0  # a character with no token (e.g. a space BERT drops) is O
        for row in range(len(texts)):
            words = np.array([-1 if w is None else w for w in encoded.word_ids(row)])
            chars, first = np.unique(words, return_index=True)  # first sub-token of each character
            keep = chars >= 0
            emissions[row, chars[keep]] = logits[row, first[keep]]
        return emissions


def encode_chars(
    texts: Sequence[str], char_vocab: tuple[dict[str, int], int], pad_id: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(input_ids, attention_mask)`` ``[B, width]`` for one-token-per-character vocabularies."""
    vocab, unknown = char_vocab
    get = vocab.get
    ids = np.full((len(texts), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(texts), width), dtype=np.int64)
    for row, text in enumerate(texts):
        ids[row, : len(text)] = [get(c, unknown) for c in text]
        mask[row, : len(text)] = 1
    return ids, mask


def quotation_feature(input_ids: np.ndarray, quote_ids: Sequence[Sequence[int]]) -> np.ndarray:
    """The numpy twin of :func:`govner.training.model.quotation_feature` (a test checks).

    >>> quotation_feature(np.array([[5, 1, 7, 2, 5]]), [[1], [2], [9]]).tolist()
    [[0, 2, 1, 2, 0]]
    """
    opens, closes, toggles = (np.isin(input_ids, np.array(ids, dtype=input_ids.dtype)) for ids in quote_ids)
    depth = np.cumsum(opens, 1) - opens - np.cumsum(closes, 1)
    toggled = (np.cumsum(toggles, 1) - toggles) % 2
    feature = ((depth > 0) | (toggled == 1)).astype(np.int64)
    feature[opens | closes | toggles] = 2
    return feature


class OnnxScorer:
    """Emissions of a govner GRU-CRF model folder from an ONNX Runtime graph, without torch.

    The graph is built at load time from ``model.safetensors`` and ``config.json``
    (nothing is exported or cached on disk): embedding (+ quotation embedding) →
    ``num_layers`` bidirectional GRUs with ``sequence_lens`` → linear. PyTorch stores
    the GRU gates as (r, z, n), ONNX as (z, r, h); PyTorch's formulation is ONNX's
    ``linear_before_reset=1``. The tokenizer is read from ``tokenizer.json`` with the
    ``tokenizers`` library and must be govner's one-token-per-character vocabulary.
    """

    def __init__(self, path: str | Path) -> None:
        import onnxruntime as ort
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = Path(path)
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        kind = config.get("model_type")
        if kind != GOVNER_MODEL_TYPE:
            raise ValueError(f"{path}: the onnx backend runs {GOVNER_MODEL_TYPE} models, not {kind!r}")
        self.tags = [config["id2label"][str(i)] for i in range(len(config["id2label"]))]
        self.outside = self.tags.index("O")
        self.model_has_crf = True
        weights = load_file(str(path / "model.safetensors"))
        penalty, start_penalty = iob2_masks(self.tags)
        self.transitions = weights["crf.transitions"] + penalty
        self.start = weights["crf.start"] + start_penalty
        self.end = weights["crf.end"].copy()
        self.quote_ids = [list(ids) for ids in config.get("quote_ids") or [[], [], []]]
        self.use_quotes = any(self.quote_ids)

        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        vocab = tokenizer.get_vocab(with_added_tokens=True)
        unk = json.loads((path / "tokenizer.json").read_text(encoding="utf-8"))["model"].get("unk_token")
        if unk not in vocab:
            raise ValueError(f"{path}: tokenizer.json has no unknown token; not a govner character vocabulary")

        def encode(chars: list[str]) -> list[int]:
            return tokenizer.encode(chars, is_pretokenized=True, add_special_tokens=True).ids

        if not _check_char_lookup(encode, vocab, vocab[unk]):
            raise ValueError(f"{path}: the tokenizer is not one token per character; use the torch backend")
        self.char_vocab = (vocab, vocab[unk])
        pad = tokenizer.token_to_id(" ")
        self.pad_id = pad if pad is not None else 0

        options = ort.SessionOptions()
        # One thread per run: parallelism comes from running batches side by side (Tagger.threads),
        # and no idle pool thread spins against other jobs on a shared machine.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        graph = _onnx_graph(config, weights)
        self.session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """``[B, C, T]`` scores per character of non-empty ``texts``."""
        width = max(len(t) for t in texts)
        ids, mask = encode_chars(texts, self.char_vocab, self.pad_id, width)
        feeds = {"input_ids": ids, "lengths": mask.sum(axis=1).astype(np.int32)}
        if self.use_quotes:
            feeds["quote"] = quotation_feature(ids, self.quote_ids)
        return self.session.run(None, feeds)[0]


def _onnx_graph(config: dict[str, Any], weights: dict[str, np.ndarray]) -> bytes:
    """The serialized ONNX model of a govner GRU-CRF tagger's emissions (see :class:`OnnxScorer`)."""
    from onnx import TensorProto, helper, numpy_helper

    hidden = config["hidden_size"]
    use_quotes = any(config.get("quote_ids") or [])

    def gates(w: np.ndarray) -> np.ndarray:  # PyTorch (r, z, n) → ONNX (z, r, h), along the first axis
        r, z, n = np.split(w, 3, axis=0)
        return np.concatenate([z, r, n], axis=0)

    inits = [numpy_helper.from_array(weights["embedding.weight"], "embedding")]
    nodes = [helper.make_node("Gather", ["embedding", "input_ids"], ["embedded"])]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
        helper.make_tensor_value_info("lengths", TensorProto.INT32, ["batch"]),
    ]
    x = "embedded"
    if use_quotes:
        inits.append(numpy_helper.from_array(weights["quote_embedding.weight"], "quote_embedding"))
        inputs.append(helper.make_tensor_value_info("quote", TensorProto.INT64, ["batch", "length"]))
        nodes += [
            helper.make_node("Gather", ["quote_embedding", "quote"], ["quoted"]),
            helper.make_node("Add", ["embedded", "quoted"], ["embedded_q"]),
        ]
        x = "embedded_q"
    nodes.append(helper.make_node("Transpose", [x], ["seq0"], perm=[1, 0, 2]))  # GRU wants [length, batch, .]
    x = "seq0"
    inits.append(numpy_helper.from_array(np.array([0, 0, 2 * hidden], dtype=np.int64), "merge_directions"))
    for layer in range(config["num_layers"]):
        names = [f"l{layer}", f"l{layer}_reverse"]
        w = np.stack([gates(weights[f"encoder.weight_ih_{n}"]) for n in names])
        r = np.stack([gates(weights[f"encoder.weight_hh_{n}"]) for n in names])
        b = np.stack(
            [np.concatenate([gates(weights[f"encoder.bias_ih_{n}"]), gates(weights[f"encoder.bias_hh_{n}"])])
             for n in names]
        )
        inits += [numpy_helper.from_array(a, f"{k}{layer}") for k, a in (("W", w), ("R", r), ("B", b))]
        nodes += [
            helper.make_node(
                "GRU", [x, f"W{layer}", f"R{layer}", f"B{layer}", "lengths"], [f"gru{layer}"],
                direction="bidirectional", hidden_size=hidden, linear_before_reset=1,
            ),
            # [length, 2, batch, hidden] → [length, batch, 2, hidden] → [length, batch, 2 * hidden]
            helper.make_node("Transpose", [f"gru{layer}"], [f"gru{layer}_t"], perm=[0, 2, 1, 3]),
            helper.make_node("Reshape", [f"gru{layer}_t", "merge_directions"], [f"seq{layer + 1}"]),
        ]
        x = f"seq{layer + 1}"
    inits += [
        numpy_helper.from_array(np.ascontiguousarray(weights["classifier.weight"].T), "classifier_w"),
        numpy_helper.from_array(weights["classifier.bias"], "classifier_b"),
    ]
    nodes += [
        helper.make_node("Transpose", [x], ["batch_first"], perm=[1, 0, 2]),
        helper.make_node("MatMul", ["batch_first", "classifier_w"], ["projected"]),
        helper.make_node("Add", ["projected", "classifier_b"], ["logits"]),
    ]
    output = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "length", len(config["id2label"])])
    graph = helper.make_graph(nodes, "govner_emissions", inputs, [output], initializer=inits)
    # IR 8 / opset 17: old enough for any onnxruntime of the last years, new enough for everything used here.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    return model.SerializeToString()


def default_threads(limit: int = 4) -> int:
    """Batches to run side by side by default: the CPUs this process may use, at most ``limit``.

    Beyond a few, the serial Python part (normalizing, post-processing) dominates. The
    affinity mask, not the machine's CPU count, is what a Slurm job or a container grants.
    """
    import os

    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(limit, available))


def onnx_available(path: str | Path) -> bool:
    """Whether ``path`` holds a govner GRU-CRF model and onnxruntime is installed (the onnx backend can run)."""
    import importlib.util

    try:
        config = json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    needed = ("onnxruntime", "onnx", "safetensors", "tokenizers")
    return (
        config.get("model_type") == GOVNER_MODEL_TYPE
        and (Path(path) / "model.safetensors").exists()
        and all(importlib.util.find_spec(m) is not None for m in needed)
    )


class Tagger:
    """A loaded model plus the windowing, decoding and post-processing that turn it into a report tagger.

    ``model`` is a transformers token-classification model (with its ``tokenizer``) or
    a ready scorer (:class:`TorchScorer`, :class:`OnnxScorer`). ``consistency``
    switches the document-level steps: unquoted repeats of quoted slogans (the
    guideline's rule) and the propagation of ``propagate`` labels to other
    occurrences of a mention. Off, each span rests on its own sentence only. ``threads``
    batches are scored at once (set torch's own thread count to 1 then:
    ``torch.set_num_threads(1)``).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any = None,
        *,
        max_len: int = 128,
        overlap: int = 16,
        batch_size: int = 64,
        merge_locations: bool = True,
        rules: bool = False,
        propagate: Sequence[str] = (),
        consistency: bool = True,
        threads: int = 1,
    ) -> None:
        self.scorer = model if isinstance(model, (TorchScorer, OnnxScorer)) else TorchScorer(model, tokenizer)
        self.backend = "onnx" if isinstance(self.scorer, OnnxScorer) else "torch"
        self.model = getattr(self.scorer, "model", None)
        self.tokenizer = getattr(self.scorer, "tokenizer", None)
        self.merge_locations = merge_locations  # the guideline's "one address is one LOC" rule
        self.rules = rules  # rule AMOUNT/SLOGAN spans take precedence (govner.inference.postprocess)
        self.propagate = tuple(propagate)  # labels tagged at every occurrence of a found mention
        self.consistency = consistency
        self.max_len = max_len
        self.overlap = overlap
        self.batch_size = batch_size
        self.threads = threads  # batches scored at once, each on one core
        self.tags = self.scorer.tags
        self.outside = self.scorer.outside
        self.model_has_crf = self.scorer.model_has_crf
        self._is_begin = np.array([t.startswith("B-") for t in self.tags])
        self._is_inside = np.array([t.startswith("I-") for t in self.tags])
        self._label = [t[2:] for t in self.tags]

    @classmethod
    def from_pretrained(cls, path: str | Path, *, backend: str = "torch", threads: int = 1, **kwargs: Any) -> Tagger:
        """Load a saved model folder (``govner train`` output or any token-classification model).

        Window sizes and post-processing come from the folder's ``govner_config.yaml`` when it
        has one; ``kwargs`` override them. ``backend`` is ``torch``, ``onnx`` (govner GRU-CRF
        models) or ``auto`` (onnx when the folder and the installed packages allow it);
        ``threads`` is the number of batches scored at once (see :class:`Tagger`).
        """
        import yaml

        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r} (known: {', '.join(BACKENDS)})")
        settings: dict[str, Any] = {}
        saved = Path(path) / "govner_config.yaml"
        if saved.exists():
            config = yaml.safe_load(saved.read_text(encoding="utf-8")) or {}
            data, inference = config.get("data", {}), config.get("inference", {})
            settings = {k: data[k] for k in ("max_len", "overlap") if k in data}
            options = ("rules", "merge_locations", "propagate", "batch_size")
            settings.update({k: inference[k] for k in options if k in inference})
        settings.update(kwargs)
        settings["threads"] = threads
        if backend == "onnx" or (backend == "auto" and onnx_available(path)):
            return cls(OnnxScorer(path), **settings)

        from transformers import AutoModelForTokenClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        import govner.training.model  # noqa: F401  (registers the govner model with the Auto classes)

        hf_logging.disable_progress_bar()  # "Loading weights" bars would interleave with predict's own
        try:
            model = AutoModelForTokenClassification.from_pretrained(str(path))
            tokenizer = AutoTokenizer.from_pretrained(str(path))
        finally:
            hf_logging.enable_progress_bar()
        return cls(model, tokenizer, **settings)

    # ------------------------------------------------------------------ model

    def _tag_batches(self, texts: Sequence[str]) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
        """``(indices, paths [B, L], probabilities of the chosen tags [B, L])`` batch by batch.

        Texts are sorted by length, longest first, so a batch wastes little on padding. A
        batch holds ``batch_size`` texts, or more when they are short: about
        ``batch_size * max_len`` characters, because the cost of a pass (a Python step per
        position in the Viterbi loop, the GRU's per-step overhead) depends on its length
        more than on its width.
        """
        order = sorted((i for i in range(len(texts)) if texts[i]), key=lambda i: -len(texts[i]))
        budget = self.batch_size * self.max_len
        batches = []
        first = 0
        while first < len(order):
            size = max(self.batch_size, budget // len(texts[order[first]]))
            batches.append(order[first : first + size])
            first += size

        def tag(batch: list[int]) -> tuple[list[int], np.ndarray, np.ndarray]:
            window_texts = [texts[i] for i in batch]
            emissions = self.scorer(window_texts)
            lengths = np.array([len(t) for t in window_texts])
            scorer = self.scorer
            paths = viterbi_decode(emissions, lengths, scorer.transitions, scorer.start, scorer.end)
            chosen = np.take_along_axis(_softmax(emissions), paths[:, :, None], axis=2)[:, :, 0]
            return batch, paths, chosen

        if self.threads <= 1 or len(batches) <= 1:
            yield from map(tag, batches)
            return
        # Batches run side by side, one core each: onnxruntime and torch release the GIL while
        # they compute, and a GRU scales far better over independent batches than over the
        # threads of one small matrix product per step.
        with ThreadPoolExecutor(self.threads) as pool:
            yield from pool.map(tag, batches)

    def tag_texts(self, texts: Sequence[str]) -> list[tuple[list[str], list[float]]]:
        """IOB2 tags and the probability of each chosen tag, per character of each (normalized) text."""
        results: list[tuple[list[str], list[float]]] = [([], []) for _ in texts]
        for batch, paths, chosen in self._tag_batches(texts):
            for row, i in enumerate(batch):
                n = len(texts[i])
                results[i] = ([self.tags[t] for t in paths[row, :n].tolist()], chosen[row, :n].tolist())
        return results

    # ------------------------------------------------------------------ documents

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Entities and confidence of each document; all windows of all ``texts`` are batched together.

        Memory grows with the total length of ``texts``: give a stream of documents in
        groups (``govner.inference.predict`` does). ``analyze`` is :meth:`score` (the
        network) then :meth:`finish` (post-processing), which a pipeline may run in
        different threads.
        """
        return self.finish(self.score(texts))

    def score(self, texts: Sequence[str]) -> Scored:
        """Normalize, cut windows, run the network and decode: spans per document, before post-processing."""
        norms = [normalize(text) for text in texts]
        jobs: list[tuple[int, Window]] = []
        for d, norm in enumerate(norms):
            jobs.extend((d, w) for w in split_windows(norm.text, max_len=self.max_len, overlap=self.overlap))
        window_texts = [norms[d].text[w.start : w.end] for d, w in jobs]
        found: list[list[tuple[int, int, str]]] = [[] for _ in texts]  # normalized start, end, label
        probs = [np.zeros(len(norm.text), dtype=np.float32) for norm in norms]
        covered = [0] * len(texts)
        for batch, paths, chosen in self._tag_batches(window_texts):
            for row, j in enumerate(batch):
                d, w = jobs[j]
                a, b = w.keep_start - w.start, w.keep_end - w.start
                probs[d][w.keep_start : w.keep_end] = chosen[row, a:b]
                covered[d] += b - a
                found[d].extend(self._window_spans(paths[row, : w.end - w.start], w))
        return Scored(list(texts), norms, found, probs, covered)

    def finish(self, scored: Scored) -> list[Analysis]:
        """Post-process what :meth:`score` found: original offsets, rules, consistency, scores."""
        return [
            self._finish(text, norm, found, probs, covered)
            for text, norm, found, probs, covered in zip(
                scored.texts, scored.norms, scored.found, scored.probs, scored.covered, strict=True
            )
        ]

    def _window_spans(self, path: np.ndarray, window: Window) -> Iterator[tuple[int, int, str]]:
        """Spans of one window's tag path that start in its keep region, in normalized document offsets."""
        begins = np.flatnonzero(self._is_begin[path])
        if not len(begins):
            return
        # A valid IOB2 path continues an entity with I- tags only, so an entity ends at the
        # first position after its B- that is not I-.
        stops = np.append(np.flatnonzero(~self._is_inside[path]), len(path))
        ends = stops[np.searchsorted(stops, begins, side="right")]
        for b, e in zip(begins.tolist(), ends.tolist(), strict=True):
            start = window.start + b
            if window.keep_start <= start < window.keep_end:
                yield start, window.start + e, self._label[path[b]]

    def _finish(
        self, text: str, norm: NormalizedText, found: list[tuple[int, int, str]], probs: np.ndarray, covered: int
    ) -> Analysis:
        """Original offsets, post-processing and scores for one document."""
        spans = drop_overlaps([Span(*norm.to_original(a, b), label) for a, b, label in found])
        if self.merge_locations:
            spans = merge_adjacent(spans, "LOC")
        from_rules: set[Span] = set()
        if self.rules:
            from govner.rules import rule_spans

            # rule_spans_original without normalizing a second time
            from_rules = {
                Span(*norm.to_original(s.start, s.end), s.label)
                for s in rule_spans(norm.text, repeats=self.consistency)
            }
            spans = combine_with_rules(spans, sorted(from_rules))
        if self.consistency:
            spans = repeat_quoted_slogans(norm, text, spans)
            if self.propagate:
                spans = propagate_labels(text, spans, self.propagate, norm=norm)
        entities = []
        for span in spans:
            if span in from_rules:
                score = 1.0  # a rule match, not a model probability
            else:
                start, end = norm.to_normalized(span.start, span.end)
                score = float(probs[start:end].mean(dtype=np.float64))
            entities.append(Entity(span.start, span.end, span.label, text[span.start : span.end], round(score, 4)))
        confidence = float(probs.sum(dtype=np.float64)) / covered if covered else 1.0
        return Analysis(entities, round(confidence, 4), len(text))

    def predict_documents(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities of each document, in original-text offsets, sorted by position."""
        if isinstance(texts, str):
            raise TypeError("predict_documents takes a list of texts, not one string: wrap it in a list")
        results: list[list[Entity]] = []
        group: list[str] = []
        size = 0
        for text in texts:
            group.append(text)
            size += len(text)
            if size >= GROUP_CHARS:
                results.extend(a.entities for a in self.analyze(group))
                group, size = [], 0
        if group:
            results.extend(a.entities for a in self.analyze(group))
        return results

    def predict(self, texts: Sequence[str]) -> list[list[dict[str, Any]]]:
        """Like ``predict_documents`` but plain dicts (``start``, ``end``, ``label``, ``text``, ``score``)."""
        return [[e.to_dict() for e in found] for found in self.predict_documents(texts)]
