"""Prediction: the tagger over whole reports (:mod:`.tagger`), post-processing and ``govner predict``."""
