"""Evaluation: strict seqeval scores (:mod:`.metrics`), systems and baselines, reports and ``govner evaluate``."""
