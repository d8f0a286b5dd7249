"""The annotation loop: a Label Studio server (:mod:`.studio`, ``govner studio``) and active learning (:mod:`.select`).

The annotation *file* format and its validator are in :mod:`govner.data.labelstudio` and :mod:`govner.data.validate`.
"""
