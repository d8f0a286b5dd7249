"""The default govner tagger in one file: character embedding → BiGRU → linear → CRF.

The embedding and the two BiGRU layers start from Baidu LAC's pretrained
character encoder (see ``govner.training.lac``), so the model knows Chinese
words and names before it sees a single report. The CRF's transitions are
learned, and transitions IOB2 forbids (``O → I-X``, ``B-X → I-Y``) are masked,
so decoding always returns valid tags.

The CRF also trains from *partially* labelled text. For a corpus that never
marks some labels (MSRA marks no amounts or slogans) an ``O`` there means
"O, or one of those labels"; the loss then sums over every tag path that agrees
with what the corpus does mark (``allowed_tags``), instead of teaching the model
that amounts are ``O``.

It is a ``transformers`` ``PreTrainedModel`` registered with the Auto classes,
so ``AutoModelForTokenClassification.from_pretrained(DIR)`` loads a saved one.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from transformers import AutoConfig, AutoModelForTokenClassification, PretrainedConfig, PreTrainedModel
from transformers.modeling_outputs import TokenClassifierOutput

IMPOSSIBLE = -10000.0


class GovnerTaggerConfig(PretrainedConfig):
    """Sizes of the tagger; ``id2label`` holds the IOB2 tags. Defaults are LAC's encoder sizes."""

    model_type = "govner-gru-crf"

    def __init__(
        self,
        vocab_size: int = 58224,
        embedding_size: int = 128,
        hidden_size: int = 128,
        num_layers: int = 2,
        dropout: float = 0.1,
        uncertain_o_labels: tuple[str, ...] = (),
        quote_ids: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]] = ((), (), ()),
        **kwargs,
    ) -> None:
        self.vocab_size = vocab_size
        self.embedding_size = embedding_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        # labels an "O" may hide in examples flagged o_uncertain (corpora that never mark them)
        self.uncertain_o_labels = list(uncertain_o_labels)
        # token ids of opening quotes, closing quotes, and quotes that do both (ASCII "): the model marks
        # every character inside a quotation itself, so any tokenizer or pipeline gets the feature
        self.quote_ids = [list(ids) for ids in quote_ids]
        super().__init__(**kwargs)


def uncertain_tag_mask(tags: list[str], uncertain_labels: list[str]) -> torch.Tensor:
    """[T] bool: the tags an ``O`` of a corpus that never marks ``uncertain_labels`` may hide.

    >>> uncertain_tag_mask(["O", "B-LOC", "I-LOC", "B-AMOUNT", "I-AMOUNT"], ["AMOUNT"]).tolist()
    [True, False, False, True, True]
    """
    return torch.tensor([tag == "O" or tag[2:] in uncertain_labels for tag in tags], dtype=torch.bool)


def agreeing_tags(
    labels: torch.Tensor, o_uncertain: torch.Tensor, uncertain_tags: torch.Tensor, o_id: int
) -> torch.Tensor:
    """[B, L, T] bool: the gold tag, or where gold is ``O`` in an ``o_uncertain`` example any uncertain tag.

    The partial labels both losses use (the CRF's sum over agreeing paths, the softmax's
    probability of agreeing tags); labels −100 are treated as tag 0 (callers mask them).
    """
    safe = labels.clamp(min=0)
    allowed = nn.functional.one_hot(safe, uncertain_tags.numel()).bool()
    outside = (safe == o_id) & o_uncertain.bool().unsqueeze(1)
    return allowed | (outside.unsqueeze(2) & uncertain_tags.to(labels.device))


def quotation_feature(input_ids: torch.Tensor, quote_ids: list[list[int]]) -> torch.Tensor:
    """Per token: 0 outside any quotation, 1 inside one, 2 a quotation mark itself.

    Depth counts openers minus closers before each token; a two-way quote (ASCII ``"``)
    opens on odd and closes on even occurrences. Windows are short, so a stray closer
    only affects the rest of its window.

    >>> quotation_feature(torch.tensor([[5, 1, 7, 2, 5]]), [[1], [2], [9]]).tolist()
    [[0, 2, 1, 2, 0]]
    """
    opens, closes, toggles = (torch.isin(input_ids, torch.tensor(ids, dtype=input_ids.dtype)) for ids in quote_ids)
    depth = torch.cumsum(opens.long(), 1) - opens.long() - torch.cumsum(closes.long(), 1)
    toggled = (torch.cumsum(toggles.long(), 1) - toggles.long()) % 2
    inside = (depth > 0) | (toggled == 1)
    feature = inside.long()
    return feature.masked_fill(opens | closes | toggles, 2)


def iob2_transition_mask(tags: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """``(allowed[from, to], allowed_start[to])``: the transitions IOB2 permits.

    >>> allowed, start = iob2_transition_mask(["O", "B-LOC", "I-LOC"])
    >>> allowed.int().tolist(), start.int().tolist()
    ([[1, 1, 0], [1, 1, 1], [1, 1, 1]], [1, 1, 0])
    """
    n = len(tags)
    allowed = torch.ones(n, n, dtype=torch.bool)
    start = torch.ones(n, dtype=torch.bool)
    for j, to in enumerate(tags):
        if to.startswith("I-"):
            start[j] = False
            for i, frm in enumerate(tags):
                allowed[i, j] = frm in (f"B-{to[2:]}", to)
    return allowed, start


class CRF(nn.Module):
    """Linear-chain CRF with IOB2 constraints; batch-first; supports partial labels."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__()
        n = len(tags)
        self.transitions = nn.Parameter(torch.zeros(n, n))
        self.start = nn.Parameter(torch.zeros(n))
        self.end = nn.Parameter(torch.zeros(n))
        allowed, start_allowed = iob2_transition_mask(tags)
        self.register_buffer("transition_penalty", (~allowed).float() * IMPOSSIBLE)
        self.register_buffer("start_penalty", (~start_allowed).float() * IMPOSSIBLE)

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

    def neg_log_likelihood(
        self, emissions: torch.Tensor, allowed_tags: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """Mean over the batch of −log P(any path using only ``allowed_tags`` [B, L, T] | emissions).

        With exactly one allowed tag per position this is the usual CRF loss.
        """
        constrained = emissions.masked_fill(~allowed_tags, IMPOSSIBLE)
        return (self.log_partition(emissions, mask) - self.log_partition(constrained, mask)).mean()

    @torch.no_grad()
    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """Best valid tag path per sequence (Viterbi), each as long as its mask."""
        transitions, start = self._scores()
        score = start + emissions[:, 0]
        history = []
        for t in range(1, emissions.size(1)):
            best, index = (score.unsqueeze(2) + transitions).max(dim=1)
            step = best + emissions[:, t]
            score = torch.where(mask[:, t].unsqueeze(1), step, score)
            history.append(index)
        score = score + self.end
        lengths = mask.sum(dim=1).tolist()
        last = score.argmax(dim=1).tolist()
        paths = []
        for b, length in enumerate(lengths):
            tag = last[b]
            path = [tag]
            for t in range(length - 1, 0, -1):
                tag = int(history[t - 1][b, tag])
                path.append(tag)
            paths.append(path[::-1])
        return paths


class GovnerTaggerForTokenClassification(PreTrainedModel):
    """One token per character; ``labels`` are IOB2 tag ids (−100 = padding)."""

    config_class = GovnerTaggerConfig
    base_model_prefix = "govner"
    main_input_name = "input_ids"

    def __init__(self, config: GovnerTaggerConfig) -> None:
        super().__init__(config)
        tags = [config.id2label[i] for i in range(config.num_labels)]
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_size)
        self.quote_embedding = nn.Embedding(3, config.embedding_size)
        self.encoder = nn.GRU(
            config.embedding_size,
            config.hidden_size,
            num_layers=config.num_layers,
            bidirectional=True,
            batch_first=True,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
        )
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(2 * config.hidden_size, config.num_labels)
        self.crf = CRF(tags)
        self.register_buffer("uncertain_o_tags", uncertain_tag_mask(tags, config.uncertain_o_labels))
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
        elif module is getattr(self, "quote_embedding", None):
            nn.init.zeros_(module.weight)  # start as the pretrained encoder; training learns to use quotes

    def emissions(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Per-character tag scores [B, L, T]; padding never reaches the backward GRU."""
        lengths = attention_mask.sum(dim=1).clamp(min=1).cpu()
        embedded = self.embedding(input_ids)
        if any(self.config.quote_ids):
            embedded = embedded + self.quote_embedding(quotation_feature(input_ids, self.config.quote_ids))
        embedded = self.dropout(embedded)
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        encoded, _ = self.encoder(packed)
        encoded, _ = pad_packed_sequence(encoded, batch_first=True, total_length=input_ids.size(1))
        return self.classifier(self.dropout(encoded))

    def allowed_tags(self, labels: torch.Tensor, mask: torch.Tensor, o_uncertain: torch.Tensor | None) -> torch.Tensor:
        """[B, L, T] bool: the gold tag, or for o_uncertain examples any uncertain tag where gold is O."""
        if o_uncertain is None:
            o_uncertain = torch.zeros(labels.size(0), dtype=torch.bool, device=labels.device)
        allowed = agreeing_tags(labels, o_uncertain, self.uncertain_o_tags, self.config.label2id["O"])
        return allowed | ~mask.unsqueeze(2)  # padding: anything (masked out of the CRF anyway)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        o_uncertain: torch.Tensor | None = None,
        **kwargs,
    ) -> TokenClassifierOutput:
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        mask = attention_mask.bool()
        logits = self.emissions(input_ids, attention_mask)
        loss = None
        if labels is not None:
            mask = mask & (labels != -100)
            loss = self.crf.neg_log_likelihood(logits, self.allowed_tags(labels, mask, o_uncertain), mask)
        return TokenClassifierOutput(loss=loss, logits=logits)

    def decode(self, logits: torch.Tensor, attention_mask: torch.Tensor) -> list[list[int]]:
        """Valid IOB2 tag ids per sequence from ``forward``'s logits."""
        return self.crf.decode(logits, attention_mask.bool())


AutoConfig.register(GovnerTaggerConfig.model_type, GovnerTaggerConfig)
AutoModelForTokenClassification.register(GovnerTaggerConfig, GovnerTaggerForTokenClassification)
