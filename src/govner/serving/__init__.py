"""``govner serve``: one HTTP server for govner's own prediction API and Label Studio's ML backend protocol.

- :mod:`govner.serving.app` — the Starlette application: routes, request limits,
  the bearer token, and the model slot that retraining swaps atomically.
- :mod:`govner.serving.retrain` — counting annotations from Label Studio's
  webhooks and retraining in the background (``govner studio pull`` +
  ``govner train`` in a child process).

uvicorn runs the application (``govner.cli``); docs/serving.md is the user's guide.
"""
