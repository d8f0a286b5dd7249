"""The default govner tagger in one file: character embedding → BiGRU → linear → CRF.

The embedding and the two BiGRU layers start from Baidu LAC's pretrained
character encoder (see ``govner.model.lac``), so the model knows Chinese
words and names before it sees a single report. The CRF's transitions are
learned, and transitions IOB2 forbids (``O → I-X``, ``B-X → I-Y``) are masked,
so decoding always returns valid tags.

The CRF also trains from *partially* labelled text. For a corpus that never
marks some labels (MSRA marks no amounts or slogans) an ``O`` there means
"O, or one of those labels"; the loss then sums over every tag path that agrees
with what the corpus does mark (``allowed_tags``), instead of teaching the model
that amounts are ``O``.

It is a ``transformers`` ``PreTrainedModel``. This file imports only torch,
transformers (numpy with it) and its sibling ``decoding.py``, because
``save_pretrained`` copies both into the model folder and writes ``auto_map``:
``AutoModelForTokenClassification.from_pretrained(DIR, trust_remote_code=True)``
then loads a saved model where govner is not installed. Without labels, ``forward``
returns the CRF's log-marginals as ``logits`` (forward-backward), so a plain
token-classification pipeline's per-character argmax reads the CRF instead of
raw emission scores; govner itself decodes :meth:`~GovnerTaggerForTokenClassification.emissions`
with Viterbi (``decoding.py``, shared with every backend). ``govner.model.export``
writes the same module as the ONNX graph the ``onnx`` backend runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from transformers import AutoConfig, AutoModelForTokenClassification, PretrainedConfig, PreTrainedModel
from transformers.modeling_outputs import TokenClassifierOutput

from .decoding import IMPOSSIBLE, MODEL_TYPE, iob2_masks, viterbi_decode

# the parameters of one layer and direction of nn.GRU, named as in its state dict (weight_ih_l0, …)
_GRU_WEIGHTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class GovnerTaggerConfig(PretrainedConfig):
    """Sizes of the tagger; ``id2label`` holds the IOB2 tags. Defaults are LAC's encoder sizes."""

    model_type = MODEL_TYPE

    def __init__(
        self,
        vocab_size: int = 58224,
        embedding_size: int = 128,
        hidden_size: int = 128,
        num_layers: int = 2,
        dropout: float = 0.1,
        quote_ids: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]] = ((), (), ()),
        lexicon_categories: int = 0,
        lexicon_words_per_set: int = 3,
        **kwargs,
    ) -> None:
        self.vocab_size = vocab_size
        self.embedding_size = embedding_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        # token ids of opening quotes, closing quotes, and quotes that do both (ASCII "): the model marks
        # every character inside a quotation itself, so any tokenizer or pipeline gets the feature
        self.quote_ids = [list(ids) for ids in quote_ids]
        # SoftLexicon inputs (govner.data.lexicon): 0 = none; else the number of word categories, and
        # the words kept per character and set (B, M, E, S)
        self.lexicon_categories = lexicon_categories
        self.lexicon_words_per_set = lexicon_words_per_set
        super().__init__(**kwargs)


def o_may_hide_mask(tags: Sequence[str], hidden_labels: Sequence[str]) -> torch.Tensor:
    """[T] bool: the tags an ``O`` of a corpus that never marks ``hidden_labels`` may hide (``O`` itself too).

    >>> o_may_hide_mask(["O", "B-LOC", "I-LOC", "B-AMOUNT", "I-AMOUNT"], ["AMOUNT"]).tolist()
    [True, False, False, True, True]
    """
    return torch.tensor([tag == "O" or tag[2:] in hidden_labels for tag in tags], dtype=torch.bool)


def agreeing_tags(labels: torch.Tensor, o_may_hide: torch.Tensor | None, o_id: int, num_tags: int) -> torch.Tensor:
    """[B, L, T] bool: the gold tag, or where gold is ``O`` any tag of the example's ``o_may_hide`` [B, T].

    The partial labels both losses use (the CRF's sum over agreeing paths, the softmax's
    probability of agreeing tags); labels −100 are treated as tag 0 (callers mask them).
    Without ``o_may_hide`` every ``O`` is certain.
    """
    safe = labels.clamp(min=0)
    allowed = nn.functional.one_hot(safe, num_tags).bool()
    if o_may_hide is None:
        return allowed
    outside = safe == o_id
    return allowed | (outside.unsqueeze(2) & o_may_hide.to(labels.device).bool().unsqueeze(1))


def quotation_feature(input_ids: torch.Tensor, quote_ids: list[list[int]]) -> torch.Tensor:
    """Per token: 0 outside any quotation, 1 inside one, 2 a quotation mark itself.

    Depth counts openers minus closers before each token; a two-way quote (ASCII ``"``)
    opens on odd and closes on even occurrences. Windows are short, so a stray closer
    only affects the rest of its window.

    >>> quotation_feature(torch.tensor([[5, 1, 7, 2, 5]]), [[1], [2], [9]]).tolist()
    [[0, 2, 1, 2, 0]]
    """
    def among(ids: list[int]) -> torch.Tensor:  # torch.isin, in operations every ONNX exporter knows
        if not ids:
            return torch.zeros_like(input_ids, dtype=torch.bool)
        return (input_ids.unsqueeze(-1) == torch.tensor(ids, dtype=input_ids.dtype)).any(-1)

    opens, closes, toggles = (among(ids) for ids in quote_ids)
    depth = torch.cumsum(opens.long(), 1) - opens.long() - torch.cumsum(closes.long(), 1)
    toggled = (torch.cumsum(toggles.long(), 1) - toggles.long()) % 2
    inside = (depth > 0) | (toggled == 1)
    feature = inside.long()
    return feature.masked_fill(opens | closes | toggles, 2)


class CRF(nn.Module):
    """Linear-chain CRF with IOB2 constraints; batch-first; supports partial labels."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__()
        n = len(tags)
        self.transitions = nn.Parameter(torch.zeros(n, n))
        self.start = nn.Parameter(torch.zeros(n))
        self.end = nn.Parameter(torch.zeros(n))
        transition_penalty, start_penalty = iob2_masks(tags)
        self.register_buffer("transition_penalty", torch.from_numpy(transition_penalty))
        self.register_buffer("start_penalty", torch.from_numpy(start_penalty))

    def _scores(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.transitions + self.transition_penalty, self.start + self.start_penalty

    def log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """log Σ over tag paths of exp(score), per sequence; ``emissions`` [B, L, T], ``mask`` [B, L]."""
        transitions, start = self._scores()
        alpha = start + emissions[:, 0]
        for t in range(1, emissions.size(1)):
            step = torch.logsumexp(alpha.unsqueeze(2) + transitions + emissions[:, t].unsqueeze(1), dim=1)
            alpha = torch.where(mask[:, t].unsqueeze(1), step, alpha)
        return torch.logsumexp(alpha + self.end, dim=1)

    def log_marginals(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``[B, L, T]`` log P(tag at position | sequence) by forward-backward; padding positions get log 1 on tag 0.

        The per-position argmax of these is what a token-classification pipeline reads; it
        can differ from the Viterbi path (the best *sequence*) where the model hesitates.
        """
        transitions, start = self._scores()
        length = emissions.size(1)
        alphas = [start + emissions[:, 0]]
        for t in range(1, length):
            step = torch.logsumexp(alphas[-1].unsqueeze(2) + transitions + emissions[:, t].unsqueeze(1), dim=1)
            alphas.append(torch.where(mask[:, t].unsqueeze(1), step, alphas[-1]))
        # beta_t: log Σ over continuations after t; at a sequence's last position that is the end score
        betas = [self.end.expand_as(alphas[-1])]
        for t in range(length - 2, -1, -1):
            step = torch.logsumexp(transitions + (emissions[:, t + 1] + betas[0]).unsqueeze(1), dim=2)
            betas.insert(0, torch.where(mask[:, t + 1].unsqueeze(1), step, self.end.expand_as(step)))
        scores = torch.stack(alphas, 1) + torch.stack(betas, 1)
        marginals = scores - torch.logsumexp(scores, dim=2, keepdim=True)
        padding = torch.full_like(marginals, IMPOSSIBLE)
        padding[..., 0] = 0.0
        return torch.where(mask.unsqueeze(2), marginals, padding)

    def neg_log_likelihood(
        self, emissions: torch.Tensor, allowed_tags: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """Mean over the batch of −log P(any path using only ``allowed_tags`` [B, L, T] | emissions).

        With exactly one allowed tag per position this is the usual CRF loss.
        """
        constrained = emissions.masked_fill(~allowed_tags, IMPOSSIBLE)
        # both sums in one pass over a doubled batch: the loop's steps cost more than their width
        everything, agreeing = self.log_partition(torch.cat([emissions, constrained]), mask.repeat(2, 1)).chunk(2)
        return (everything - agreeing).mean()

    @torch.no_grad()
    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """Best valid tag path per sequence (:func:`govner.decoding.viterbi_decode`), each as long as its mask."""
        transitions, start = self._scores()
        lengths = mask.sum(dim=1).cpu().numpy()
        paths = viterbi_decode(
            emissions.detach().float().cpu().numpy(),
            lengths,
            transitions.detach().float().cpu().numpy(),
            start.detach().float().cpu().numpy(),
            self.end.detach().float().cpu().numpy(),
        )
        return [path[:length].tolist() for path, length in zip(paths, lengths.tolist(), strict=True)]


class GovnerTaggerForTokenClassification(PreTrainedModel):
    """One token per character; ``labels`` are IOB2 tag ids (−100 = padding)."""

    config_class = GovnerTaggerConfig
    base_model_prefix = "govner"
    main_input_name = "input_ids"
    # models saved before partial labels came per example held the mask as a buffer
    _keys_to_ignore_on_load_unexpected: ClassVar[list[str]] = [r"uncertain_o_tags"]

    def __init__(self, config: GovnerTaggerConfig) -> None:
        super().__init__(config)
        tags = [config.id2label[i] for i in range(config.num_labels)]
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_size)
        self.quote_embedding = nn.Embedding(3, config.embedding_size)
        if config.lexicon_categories:
            # a word is the mean of its characters' embeddings plus a vector for its category
            self.lexicon_category = nn.Embedding(config.lexicon_categories, config.embedding_size)
            # the four pooled word sets, projected onto the character embedding (zero at first, so
            # training starts from LAC's pretrained encoder exactly, as with the quotation feature)
            self.lexicon_projection = nn.Linear(4 * config.embedding_size, config.embedding_size)
        self.encoder = nn.GRU(
            config.embedding_size,
            config.hidden_size,
            num_layers=config.num_layers,
            bidirectional=True,
            batch_first=True,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
        )
        # one-layer, one-direction GRUs on the meta device: shapes only, run with the encoder's weights by
        # _encode_by_direction (a tuple, so no submodules: the state dict and LAC's weights stay as they are)
        self._one_direction = tuple(
            nn.GRU(size, config.hidden_size, batch_first=True, device="meta")
            for size in (config.embedding_size, *[2 * config.hidden_size] * (config.num_layers - 1))
        )
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(2 * config.hidden_size, config.num_labels)
        self.crf = CRF(tags)
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
        if module is getattr(self, "quote_embedding", None) or module is getattr(self, "lexicon_projection", None):
            nn.init.zeros_(module.weight)  # start as the pretrained encoder; training learns to use the feature
        elif module is getattr(self, "lexicon_category", None):
            nn.init.normal_(module.weight, std=0.1)

    def emissions(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, lexicon: Sequence[torch.Tensor] | None = None
    ) -> torch.Tensor:
        """Per-character tag scores [B, L, T]; padding never reaches the backward GRU.

        ``lexicon`` is ``(start, end, category, weight)`` of the words at each character, each
        ``[B, L, 4, K]`` (:meth:`govner.data.lexicon.Lexicon.features`), for a model with lexicon inputs.
        """
        lengths = attention_mask.sum(dim=1).clamp(min=1).cpu()
        characters = self.embedding(input_ids)
        embedded = characters
        if any(self.config.quote_ids):
            embedded = embedded + self.quote_embedding(quotation_feature(input_ids, self.config.quote_ids))
        if self.config.lexicon_categories and lexicon is not None:
            # without lexicon inputs (a plain transformers pipeline) the network runs as if no word matched
            embedded = embedded + self.lexicon_vectors(characters, *lexicon)
        embedded = self.dropout(embedded)
        if self.training and torch.is_grad_enabled() and embedded.device.type == "cpu":
            encoded = self._encode_by_direction(embedded, lengths)
        else:
            packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
            encoded, _ = self.encoder(packed)
            encoded, _ = pad_packed_sequence(encoded, batch_first=True, total_length=input_ids.size(1))
        return self.classifier(self.dropout(encoded))

    def _encode_by_direction(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The encoder's BiGRU as the packed sequence computes it, one layer and direction at a time.

        Each direction runs as a one-direction GRU over the padded batch, the backward one over
        every row reversed within its length, so it never reads padding. On CPU a forward and
        backward pass so costs less than half of the packed sequence's, which PyTorch runs step by
        step with a shrinking batch (docs/training.md, "Training speed"). Training on CPU uses this; prediction,
        the ONNX export and GPUs (whose packed kernel is cuDNN's, and where ``nn.DataParallel``'s
        threads would share the one-direction modules) the packed sequence. A test checks that both
        give the same emissions and gradients. Emissions at padding positions differ; nothing reads them.
        """
        steps = torch.arange(embedded.size(1), device=embedded.device)
        lengths = lengths.to(embedded.device).unsqueeze(1)
        order = torch.where(steps < lengths, lengths - 1 - steps, steps)  # reverses a row's characters; its own inverse

        def reverse(rows: torch.Tensor) -> torch.Tensor:
            return rows.gather(1, order.unsqueeze(2).expand_as(rows))

        encoded = embedded
        for layer, gru in enumerate(self._one_direction):
            if layer:  # nn.GRU's dropout between layers
                encoded = F.dropout(encoded, self.encoder.dropout, self.training)
            directions = []
            for suffix, backward in (("", False), ("_reverse", True)):
                weights = {f"{name}_l0": getattr(self.encoder, f"{name}_l{layer}{suffix}") for name in _GRU_WEIGHTS}
                inputs = reverse(encoded) if backward else encoded
                outputs, _ = torch.func.functional_call(gru, weights, (inputs,))
                directions.append(reverse(outputs) if backward else outputs)
            encoded = torch.cat(directions, dim=2)
        return encoded

    def lexicon_vectors(
        self, characters: torch.Tensor, start: torch.Tensor, end: torch.Tensor, category: torch.Tensor,
        weight: torch.Tensor,
    ) -> torch.Tensor:
        """SoftLexicon: each of the four word sets pooled by weight, concatenated, projected to [B, L, D].

        A word's vector is the mean of its characters' embeddings (a difference of prefix sums,
        so no word table is stored or downloaded) plus its category's vector.
        """
        batch, length, size = characters.shape
        prefix = torch.cat([characters.new_zeros(batch, 1, size), characters.cumsum(1)], dim=1)  # [B, L+1, D]
        first, last = start.reshape(batch, -1), end.reshape(batch, -1)  # [B, L*4*K]

        def at(index: torch.Tensor) -> torch.Tensor:
            return prefix.gather(1, index.unsqueeze(-1).expand(-1, -1, size))

        words = (at(last) - at(first)) / (last - first).clamp(min=1).unsqueeze(-1).to(characters.dtype)
        words = words + self.lexicon_category(category.reshape(batch, -1))
        pooled = (words * weight.reshape(batch, -1, 1)).reshape(batch, length, 4, -1, size).sum(3)
        return self.lexicon_projection(pooled.reshape(batch, length, 4 * size))

    def allowed_tags(self, labels: torch.Tensor, mask: torch.Tensor, o_may_hide: torch.Tensor | None) -> torch.Tensor:
        """[B, L, T] bool: the gold tag, or where gold is O any tag that example's O may hide."""
        allowed = agreeing_tags(labels, o_may_hide, self.config.label2id["O"], self.config.num_labels)
        return allowed | ~mask.unsqueeze(2)  # padding: anything (masked out of the CRF anyway)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        o_may_hide: torch.Tensor | None = None,
        lexicon_start: torch.Tensor | None = None,
        lexicon_end: torch.Tensor | None = None,
        lexicon_category: torch.Tensor | None = None,
        lexicon_weight: torch.Tensor | None = None,
        **kwargs,
    ) -> TokenClassifierOutput:
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        mask = attention_mask.bool()
        lexicon = None
        if lexicon_start is not None:
            lexicon = (lexicon_start, lexicon_end, lexicon_category, lexicon_weight)
        emissions = self.emissions(input_ids, attention_mask, lexicon)
        if labels is None:  # inference: per-character posteriors, which an argmax reads correctly
            return TokenClassifierOutput(logits=self.crf.log_marginals(emissions, mask))
        mask = mask & (labels != -100)
        loss = self.crf.neg_log_likelihood(emissions, self.allowed_tags(labels, mask, o_may_hide), mask)
        return TokenClassifierOutput(loss=loss, logits=emissions)  # what training's evaluation decodes

    def decode(self, emissions: torch.Tensor, attention_mask: torch.Tensor) -> list[list[int]]:
        """Valid IOB2 tag ids per sequence (Viterbi) from :meth:`emissions`."""
        return self.crf.decode(emissions, attention_mask.bool())


# Importing this module lets the Auto classes load a saved model; save_pretrained also copies this file
# (and decoding.py) into the folder with an auto_map, for environments without govner.
AutoConfig.register(GovnerTaggerConfig.model_type, GovnerTaggerConfig)
AutoModelForTokenClassification.register(GovnerTaggerConfig, GovnerTaggerForTokenClassification)
GovnerTaggerConfig.register_for_auto_class()
GovnerTaggerForTokenClassification.register_for_auto_class("AutoModelForTokenClassification")
