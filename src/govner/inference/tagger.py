"""Run a token-classification model over whole reports and return original-text entities.

The path of a report: normalize (keeping the offset map) → cut windows → batch
windows of similar length → model → one emission vector per *character* →
Viterbi decoding restricted to valid IOB2 → spans in the window's own region →
original offsets. Any ``AutoModelForTokenClassification`` works: govner's own
CRF tagger decodes with its learned transitions; other models (a fine-tuned
BERT) decode their log-probabilities under the same IOB2 constraints.

>>> tagger = Tagger.from_pretrained("models/default")  # doctest: +SKIP
>>> tagger.predict(["恩阳区投资38亿元。"])  # doctest: +SKIP
[[{'start': 0, 'end': 3, 'label': 'LOC', 'text': '恩阳区', 'score': 0.98}, ...]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from govner.data.conventions import merge_adjacent
from govner.data.document import Span
from govner.data.examples import window_spans_to_original
from govner.data.normalize import normalize
from govner.data.segment import split_windows
from govner.inference.postprocess import combine_with_rules, propagate_labels
from govner.training.model import CRF, IMPOSSIBLE


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


class Tagger:
    """A loaded model plus the windowing and decoding that turn it into a report tagger."""

    def __init__(
        self,
        model,
        tokenizer,
        *,
        max_len: int = 128,
        overlap: int = 16,
        batch_size: int = 64,
        merge_locations: bool = True,
        rules: bool = False,
        propagate: Sequence[str] = (),
    ) -> None:
        self.model = model.eval()
        self.merge_locations = merge_locations  # the guideline's "one address is one LOC" rule
        self.rules = rules  # rule AMOUNT/SLOGAN spans take precedence (govner.inference.postprocess)
        self.propagate = tuple(propagate)  # labels tagged at every occurrence of a found mention
        self.tokenizer = tokenizer
        self.max_len = max_len
        self.overlap = overlap
        self.batch_size = batch_size
        self.tags = [model.config.id2label[i] for i in range(model.config.num_labels)]
        self.outside = self.tags.index("O")
        crf = getattr(model, "crf", None)
        # A model without its own CRF decodes log-probabilities with zero transition scores,
        # under the same IOB2 constraints.
        self.model_has_crf = isinstance(crf, CRF)
        self.crf = crf if self.model_has_crf else CRF(self.tags)

    @classmethod
    def from_pretrained(cls, path: str | Path, **kwargs: Any) -> Tagger:
        """Load a saved model folder (``govner train`` output or any token-classification model).

        Window sizes and post-processing come from the folder's ``govner_config.yaml`` when it
        has one; ``kwargs`` override them.
        """
        import yaml
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        import govner.training.model  # noqa: F401  (registers the govner model with the Auto classes)

        settings: dict[str, Any] = {}
        saved = Path(path) / "govner_config.yaml"
        if saved.exists():
            config = yaml.safe_load(saved.read_text(encoding="utf-8")) or {}
            data, inference = config.get("data", {}), config.get("inference", {})
            settings = {k: data[k] for k in ("max_len", "overlap") if k in data}
            options = ("rules", "merge_locations", "propagate", "batch_size")
            settings.update({k: inference[k] for k in options if k in inference})
        settings.update(kwargs)
        model = AutoModelForTokenClassification.from_pretrained(str(path))
        tokenizer = AutoTokenizer.from_pretrained(str(path))
        return cls(model, tokenizer, **settings)

    def _char_emissions(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """[B, C, T] scores per character (first sub-token) and the [B, C] character mask."""
        encoded = self.tokenizer(
            [list(t) for t in texts], is_split_into_words=True, padding=True, return_tensors="pt"
        )
        logits = self.model(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]).logits
        if not self.model_has_crf:
            logits = torch.log_softmax(logits, dim=-1)
        width = max(len(t) for t in texts)
        emissions = torch.full((len(texts), width, len(self.tags)), IMPOSSIBLE)
        emissions[:, :, self.outside] = 0.0  # a character with no token (e.g. a space BERT drops) is O
        mask = torch.zeros(len(texts), width, dtype=torch.bool)
        for b, text in enumerate(texts):
            mask[b, : len(text)] = True
            seen = set()
            for position, char_index in enumerate(encoded.word_ids(b)):
                if char_index is not None and char_index not in seen:
                    seen.add(char_index)
                    emissions[b, char_index] = logits[b, position]
        return emissions, mask

    @torch.inference_mode()
    def tag_texts(self, texts: Sequence[str]) -> list[tuple[list[str], list[float]]]:
        """IOB2 tags and the probability of each chosen tag, per character of each text."""
        results: list[tuple[list[str], list[float]] | None] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths share a batch
        for first in range(0, len(order), self.batch_size):
            batch = [i for i in order[first : first + self.batch_size] if texts[i]]
            for i in order[first : first + self.batch_size]:
                if not texts[i]:
                    results[i] = ([], [])
            if not batch:
                continue
            emissions, mask = self._char_emissions([texts[i] for i in batch])
            paths = self.crf.decode(emissions, mask)
            probs = torch.softmax(emissions, dim=-1)
            for row, (i, path) in enumerate(zip(batch, paths, strict=True)):
                chosen = probs[row, torch.arange(len(path)), torch.tensor(path)].tolist()
                results[i] = ([self.tags[t] for t in path], chosen)
        return results  # type: ignore[return-value]

    def predict_documents(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities of each document, in original-text offsets, sorted by position."""
        norms = [normalize(text) for text in texts]
        jobs = []  # (document index, window)
        for d, norm in enumerate(norms):
            for window in split_windows(norm.text, max_len=self.max_len, overlap=self.overlap):
                jobs.append((d, window))
        tagged = self.tag_texts([norms[d].text[w.start : w.end] for d, w in jobs])
        entities: list[list[Entity]] = [[] for _ in texts]
        char_probs: list[dict[int, float]] = [{} for _ in texts]  # normalized offset -> probability
        spans: list[list[Span]] = [[] for _ in texts]
        for (d, window), (tags, probs) in zip(jobs, tagged, strict=True):
            keep = (window.keep_start, window.keep_end)
            for i in range(window.keep_start, window.keep_end):
                char_probs[d][i] = probs[i - window.start]
            spans[d].extend(window_spans_to_original(norms[d], window.start, tags, keep=keep))
        for d, found in enumerate(spans):
            found = merge_adjacent(found, "LOC") if self.merge_locations else sorted(found)
            from_rules: set[Span] = set()
            if self.rules:
                from govner.rules import rule_spans_original

                from_rules = set(rule_spans_original(texts[d]))
                found = combine_with_rules(found, sorted(from_rules))
            if self.propagate:
                found = propagate_labels(texts[d], found, self.propagate)
            for span in found:
                start, end = norms[d].to_normalized(span.start, span.end)
                if span in from_rules:
                    score = 1.0  # a rule match, not a model probability
                else:
                    score = sum(char_probs[d].get(i, 0.0) for i in range(start, end)) / (end - start)
                text = texts[d][span.start : span.end]
                entities[d].append(Entity(span.start, span.end, span.label, text, round(score, 4)))
        return entities

    def predict(self, texts: Sequence[str]) -> list[list[dict[str, Any]]]:
        """Like ``predict_documents`` but plain dicts (``start``, ``end``, ``label``, ``text``, ``score``)."""
        return [[e.to_dict() for e in found] for found in self.predict_documents(texts)]
