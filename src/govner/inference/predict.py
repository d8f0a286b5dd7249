"""``govner predict``: tag a stream of reports and write one JSON line per document.

Documents are read lazily and tagged in small batches, so memory does not grow
with the number of documents; a document that cannot be read becomes an
``error`` line and the run goes on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from govner.data.document import Document, ReadError
from govner.inference.tagger import Tagger


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def prediction_records(
    tagger: Tagger, items: Iterable[Document | ReadError], docs_per_batch: int = 16
) -> Iterator[dict[str, Any]]:
    """One record per input item: ``{"id", "source", "entities"}`` or ``{"id", "source", "error"}``."""
    for batch in batched(items, docs_per_batch):
        docs = [item for item in batch if isinstance(item, Document)]
        found = iter(tagger.predict([d.text for d in docs]) if docs else [])
        for item in batch:
            if isinstance(item, ReadError):
                yield {"id": item.id, "source": item.source, "error": str(item)}
            else:
                yield {"id": item.id, "source": item.source, **item.meta, "entities": next(found)}


def write_predictions(records: Iterable[dict[str, Any]], out: TextIO, progress=None) -> tuple[int, int]:
    """Write records as JSON lines (each flushed whole); returns (succeeded, failed)."""
    ok = failed = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        if "error" in record:
            failed += 1
            print(f"error: {record['error']}", file=sys.stderr)
        else:
            ok += 1
        if progress is not None:
            progress.update(1)
    return ok, failed
