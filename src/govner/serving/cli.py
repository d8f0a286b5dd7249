"""``govner serve``: the command that loads a model and runs :mod:`govner.serving.app` under uvicorn."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from govner.errors import MissingPackageError, UsageError


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError:
        raise MissingPackageError("govner serve needs uvicorn and starlette (govner's dependencies): "
                                  "pip install uvicorn starlette") from None
    from govner.serving.app import TOKEN_VARIABLE, Limits, Server, load_model

    if args.workers < 1 or args.max_documents < 1 or args.max_body_mb <= 0:
        raise UsageError("--workers and --max-documents must be at least 1, --max-body-mb above 0")
    if args.retrain_after < 0:
        raise UsageError("--retrain-after must be 0 (never) or more")
    if args.retrain_after and args.retrain_config is None:
        raise UsageError("--retrain-after needs --retrain-config (the config a round adds the pulled annotations to)")
    if args.retrain_config is not None and not Path(args.retrain_config).is_file():
        raise UsageError(f"{args.retrain_config}: no such config file")
    url, key = os.environ.get("LABEL_STUDIO_URL"), os.environ.get("LABEL_STUDIO_API_KEY")
    model = load_model(args.model, args.backend)
    if model.tagger.backend == "torch":
        import torch

        torch.set_num_threads(1)  # one core per worker: --workers requests run side by side instead
    server = Server(
        model,
        limits=Limits(max_body_bytes=int(args.max_body_mb * 2**20), max_documents=args.max_documents),
        workers=args.workers,
        token=os.environ.get(TOKEN_VARIABLE),
        studio=(url, key) if url and key else None,
        retrain_config=Path(args.retrain_config) if args.retrain_config else None,
        retrain_after=args.retrain_after,
        retrain_dir=Path(args.retrain_dir or Path(args.model).resolve().parent / "retrained"),
        backend=args.backend,
    )
    guarded = "token required" if server.token else "no token"
    print(f"govner serve: {model.version} ({model.tagger.backend}) on http://{args.host}:{args.port} "
          f"({args.workers} worker(s), {guarded})", file=sys.stderr, flush=True)
    uvicorn.run(server.app(), host=args.host, port=args.port, log_level=args.log_level, access_log=args.access_log)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve",
        help="an HTTP API (POST /predict) and a Label Studio ML backend for a model",
        description="Serve a model over HTTP: POST /predict with {\"documents\": [{\"id\", \"text\"}]} returns the "
        "records govner predict writes; the same server speaks Label Studio's ML backend protocol "
        "(/health, /setup, /predict, /webhook). Set GOVNER_SERVE_TOKEN to require 'Authorization: Bearer "
        "TOKEN' (Label Studio: basic auth with the token as password). See docs/serving.md.",
    )
    serve.add_argument("--model", required=True, help="the model folder (govner train output)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the network)")
    serve.add_argument("--port", type=int, default=9090, help="port (default 9090, Label Studio's usual ML port)")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="requests tagged at once, in threads sharing the one loaded model (default 1; "
                       "at most the cores you give the server)")
    serve.add_argument("--backend", choices=("auto", "onnx", "torch"), default="auto",
                       help="what runs the network (as in govner predict)")
    serve.add_argument("--max-documents", type=int, default=1000, metavar="N",
                       help="documents or Label Studio tasks per request (default 1000)")
    serve.add_argument("--max-body-mb", type=float, default=32.0, metavar="MB",
                       help="largest request body in MiB (default 32)")
    serve.add_argument("--retrain-after", type=int, default=0, metavar="N",
                       help="retrain in the background after N new annotations in a Label Studio project "
                       "(its webhook); 0: only on Label Studio's 'Start training' (default)")
    serve.add_argument("--retrain-config", metavar="YAML",
                       help="the training config of a retraining round; the pulled annotations are added to "
                       "its data.annotations")
    serve.add_argument("--retrain-dir", metavar="DIR",
                       help="where rounds write pulled annotations, logs and models (default: retrained/ beside "
                       "the model folder)")
    serve.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    serve.add_argument("--no-access-log", dest="access_log", action="store_false",
                       help="no line per request (uvicorn's access log never shows headers or tokens)")
    serve.set_defaults(func=cmd_serve)
