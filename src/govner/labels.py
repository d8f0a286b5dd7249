"""What each entity label is, in one table: everything else derives from it.

``LABEL_TABLE`` says, per label, what it means (the guideline has the full
definition), whether :mod:`govner.rules` produces it (rule spans of those labels
take precedence at prediction), and whether its mentions are propagated to their
other occurrences in a report by default; ``CORPORA`` says which labels each
corpus marks: the project's own reports mark the table's labels, MSRA marks persons, places and
organizations. A corpus that never marks a label (MSRA marks no amounts or slogans) teaches
nothing about it, so its ``O`` is read as "O or that label"
(:func:`unmarked_labels`); nothing lists those labels by hand. A model may also learn an
*auxiliary* label that only an outside corpus marks (``model.auxiliary_labels: [PER]``):
it is trained, the project's own ``O`` may hide it, and it is never output.

The IOB2 tag set, the quotation marks that delimit slogans, and the label order
(part of every saved model's label map, so a new label is appended at the end)
live here too.

Adding a label: append a :class:`Label` row here, describe it in
``annotations/GUIDELINES.md``, add it to ``annotations/label_config.xml`` and
annotate it in the gold data (``docs/development.md``).

>>> LABELS
('LOC', 'ORG', 'AMOUNT', 'SLOGAN')
>>> unmarked_labels("msra", LABELS)
('AMOUNT', 'SLOGAN')
>>> unmarked_labels("govner", (*LABELS, "PER"))
('PER',)
>>> iob2_tags(["LOC"])
('O', 'B-LOC', 'I-LOC')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """One entity type of the guideline."""

    name: str
    meaning: str  # one line; annotations/GUIDELINES.md has the definition
    from_rules: bool = False  # govner.rules finds it; rule spans take precedence over the network's
    propagate: bool = False  # by default, a found mention is tagged at its other occurrences in the report
    # its names begin or sit inside longer names of other labels (湖南 in 湖南楚天药业 ORG): a user-dictionary
    # word of this label leaves such a longer name standing
    inside_names: bool = False
    color: str = "#dddddd"  # its highlight in the HTML pages (predict --format html, evaluation report.html)


LABEL_TABLE: tuple[Label, ...] = (
    Label("LOC", "named places, regions, parks, zones, roads and sites", propagate=True, inside_names=True,
          color="#fdd38a"),
    Label("ORG", "named organizations, companies, media and specific government or party bodies", propagate=True,
          color="#8fe3e3"),
    Label("AMOUNT", "a number with its unit or measure word", from_rules=True, color="#c9e6a3"),
    Label("SLOGAN", "a quoted formulaic phrase of official discourse (and its unquoted repeats)", from_rules=True,
          color="#d7b8f5"),
)

LABELS: tuple[str, ...] = tuple(label.name for label in LABEL_TABLE)
RULE_LABELS: tuple[str, ...] = tuple(label.name for label in LABEL_TABLE if label.from_rules)
PROPAGATED_LABELS: tuple[str, ...] = tuple(label.name for label in LABEL_TABLE if label.propagate)
INSIDE_NAME_LABELS: tuple[str, ...] = tuple(label.name for label in LABEL_TABLE if label.inside_names)
# the labels of names (LOC, ORG), those the rules do not find: the name conventions apply to them
NAME_LABELS: tuple[str, ...] = tuple(label.name for label in LABEL_TABLE if not label.from_rules)

# The corpora training reads, and the entity types each one marks (named as the labels of the same
# meaning: MSRA's LOC and ORG are ours; PER, persons, is MSRA's own label: the MSRA benchmark predicts
# it, the default model may learn it as an auxiliary label).
CORPORA: dict[str, tuple[str, ...]] = {
    "govner": LABELS,  # the project's own annotations: seed gold and synthetic reports
    "msra": ("PER", "LOC", "ORG"),
}


def unmarked_labels(corpus: str, labels: Sequence[str]) -> tuple[str, ...]:
    """The ``labels`` that ``corpus`` never marks, so that an ``O`` there may hide one of them."""
    return tuple(label for label in labels if label not in CORPORA[corpus])


# ---------------------------------------------------------------- tags

OUTSIDE = "O"


def iob2_tags(labels: Sequence[str]) -> tuple[str, ...]:
    """``O`` then ``B-X``, ``I-X`` for each label, in order: a model's label map."""
    return (OUTSIDE, *(f"{p}-{label}" for label in labels for p in ("B", "I")))


TAGS: tuple[str, ...] = iob2_tags(LABELS)
TAG_TO_ID: dict[str, int] = {tag: i for i, tag in enumerate(TAGS)}

# ---------------------------------------------------------------- quotation marks

# Slogans are what reports set in quotation marks. Directional pairs, then the two-way ASCII mark
# (after normalization, full-width ＂ is ASCII ").
QUOTE_PAIRS: dict[str, str] = {"“": "”", "‘": "’", "「": "」", "『": "』"}
TWO_WAY_QUOTES = '"'
OPENING_QUOTES = "".join(QUOTE_PAIRS) + TWO_WAY_QUOTES
CLOSING_QUOTES = "".join(QUOTE_PAIRS.values()) + TWO_WAY_QUOTES
QUOTES = "".join(QUOTE_PAIRS) + "".join(QUOTE_PAIRS.values()) + TWO_WAY_QUOTES
