"""govner: named-entity recognition for Chinese local-government and industrial-development reports."""

__version__ = "0.1.0"
