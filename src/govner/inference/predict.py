"""``govner predict``: tag a stream of reports and write one record per document, safely.

The stream: documents are read lazily (:func:`govner.data.reader.iter_documents`),
filtered by shard and by what an earlier run already wrote, and gathered into
groups of a few hundred thousand characters; the tagger batches the windows of
a whole group by length, and the records go out in input order, each written
whole with a single ``write`` call and flushed. Memory depends on the group
size, not on the number of documents.

Nothing is lost and nothing is doubled:

- a document that cannot be read becomes an error record (``{"id", "source",
  "error"}`` in JSON Lines, a ``# error = ...`` block in CoNLL; Label Studio
  files hold tasks only, so there it is reported on stderr) and the run goes on;
- a run killed at any moment leaves whole records (plus at most one partial
  last record, which ``--resume`` cuts off), and ``--resume`` skips every
  document whose id is already in the output, so kill -9 and ``--resume`` give
  each document exactly once;
- ``--num-shards N --shard-index I`` keeps the documents whose id hashes to
  shard ``I`` (BLAKE2b of the UTF-8 id, so every machine and Python version
  agrees, unlike ``hash()``), so N jobs cover a corpus with no overlap.

Four output formats (:data:`FORMATS`):

``jsonl``
    ``{"id", "source", <other .jsonl fields>, "entities": [{"start", "end", "label", "text", "score"}]}``
    per line; offsets are code points into the original text, ``text == original[start:end]``.
``conll``
    ``# id = ...`` and ``# source = ...``, then one line per character of the original text,
    ``CHAR<TAB>TAG`` (IOB2), then a blank line. White-space and other invisible characters
    are written as ``U+XXXX`` (``U+000A`` for a line break), so every line is one visible
    character and the original text, offsets included, reads back exactly (:func:`read_conll`).
``label-studio``
    a JSON list of tasks ``{"data": {"text", "doc_id", "source", ...}, "predictions":
    [{"model_version", "score", "result"}]}``, one task per line. Offsets are code points,
    like every annotation file of the project (``govner annotations validate`` and
    :func:`govner.data.labelstudio.load_documents` read it). Label Studio itself
    counts UTF-16 units; the two agree unless a text has characters beyond U+FFFF (rare
    CJK extensions, emoji). For such texts ``govner studio push --model`` (which converts)
    is the way in; the run says how many tasks it concerns.
``html``
    one self-contained page (:mod:`govner.html`): every document with its entities
    highlighted, a legend, an index with counts per label, search and label filters, 50
    documents rendered at a time. One line per document, so it streams and resumes too.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from govner.data.document import Document, ReadError, Span
from govner.errors import GovnerError

FORMATS = ("jsonl", "conll", "label-studio", "html")
GROUP_CHARS = 200_000  # characters tagged together: enough windows to batch by length, little memory
FIRST_GROUP_CHARS = 4_000  # the first group is small, so the first records (and the progress bar) come at once
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class OutputError(GovnerError):
    """An output file that ``--resume`` cannot continue (another format, or edited by hand)."""


# --------------------------------------------------------------------------- records


@dataclass
class Result:
    """One document's outcome: ``entities`` and ``confidence`` for a document, ``error`` for a failure."""

    id: str | None
    source: str
    text: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    entities: list[dict[str, Any]] = field(default_factory=list)
    confidence: float = 1.0
    error: str | None = None


def item_key(item: Document | ReadError) -> str:
    """What identifies an input item for ``--resume`` and sharding: its id, else its error message.

    An error without an id (a ``.jsonl`` line that is not JSON) is known by its
    message, which names the file and line.
    """
    if item.id is not None:
        return str(item.id)
    return str(item)


def shard_of(key: str, num_shards: int) -> int:
    """The shard (``0 .. num_shards - 1``) of a document id: a stable hash, the same on every machine.

    >>> shard_of("002_04f38ca700b2c47f", 4)
    1
    """
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % num_shards


# --------------------------------------------------------------------------- formats


def _escape_char(char: str) -> str:
    """A character as a CoNLL token: itself if visible, else ``U+XXXX``."""
    if char.isspace() or not char.isprintable():
        return f"U+{ord(char):04X}"
    return char


def _unescape_token(token: str) -> str:
    if len(token) == 1:
        return token
    if token.startswith("U+"):
        return chr(int(token[2:], 16))
    raise ValueError(f"not a character or U+XXXX escape: {token!r}")


def _comment(value: str) -> str:
    """``value`` on one comment line: line breaks and other invisible control characters as ``U+XXXX``."""
    return "".join(c if c.isprintable() or c == " " else f"U+{ord(c):04X}" for c in value)


class Format:
    """How records look on disk, and how an existing file is read back for ``--resume``."""

    name = ""
    header = ""
    footer = ""
    record_start = b""  # how a record of this format begins: a cut-off tail must, to be cut

    def document(self, result: Result) -> str:
        """The text of one document's record."""
        raise NotImplementedError

    def error(self, result: Result) -> str | None:
        """The text of one failed document's record, or None where the format has no place for it."""
        raise NotImplementedError

    def resume_key(self, key: str) -> str:
        """``key`` as :meth:`scan` reports it (the same unless the format escapes it)."""
        return key

    def scan(self, lines: Iterable[bytes], where: str) -> tuple[dict[str, bool], int]:
        """``({key: failed}, bytes to keep)`` of an existing output, read line by line.

        What follows the last whole record is a record a crash cut short and is not
        kept; anything else that is not a record raises :class:`OutputError` rather
        than be cut (``-o`` may name the wrong file).
        """
        raise NotImplementedError

    def _tail(self, line: bytes, where: str, number: int) -> None:
        start = line.lstrip()
        # a record cut short, even inside its first bytes (a crash right after the write began)
        if not (start.startswith(self.record_start) or self.record_start.startswith(start)):
            raise OutputError(f"{where}:{number}: not a govner {self.name} record; cannot resume")


class JsonlFormat(Format):
    name = "jsonl"
    record_start = b'{"id"'

    def document(self, result: Result) -> str:
        record = {"id": result.id, "source": result.source, **result.meta, "entities": result.entities}
        return json.dumps(record, ensure_ascii=False) + "\n"

    def error(self, result: Result) -> str:
        return json.dumps({"id": result.id, "source": result.source, "error": result.error}, ensure_ascii=False) + "\n"

    def scan(self, lines: Iterable[bytes], where: str) -> tuple[dict[str, bool], int]:
        keys: dict[str, bool] = {}
        keep = 0
        for number, line in enumerate(lines, start=1):
            if not line.endswith(b"\n"):  # written whole with its newline, or cut short by a crash
                self._tail(line, where, number)
                break
            if line.strip():
                try:
                    record = json.loads(line)
                    key = record["id"] if record["id"] is not None else record["error"]
                    if "entities" not in record and "error" not in record:
                        raise KeyError("entities")  # a .jsonl of someone else's, with ids but not govner's records
                    keys[str(key)] = "error" in record
                except (ValueError, KeyError, TypeError):
                    raise OutputError(f"{where}:{number}: not a govner jsonl record (no entities or error); "
                                      "cannot resume: is -o the right file?") from None
            keep += len(line)
        return keys, keep


class ConllFormat(Format):
    name = "conll"
    record_start = b"# "

    def document(self, result: Result) -> str:
        text = result.text
        tags = ["O"] * len(text)
        for e in result.entities:
            tags[e["start"]] = f"B-{e['label']}"
            for i in range(e["start"] + 1, e["end"]):
                tags[i] = f"I-{e['label']}"
        lines = [f"# id = {_comment(str(result.id))}", f"# source = {_comment(result.source)}"]
        lines.extend(f"{_escape_char(c)}\t{t}" for c, t in zip(text, tags, strict=True))
        return "\n".join(lines) + "\n\n"

    def error(self, result: Result) -> str:
        lines = [f"# id = {_comment(str(result.id))}"] if result.id is not None else []
        lines += [f"# source = {_comment(result.source)}", f"# error = {_comment(str(result.error))}"]
        return "\n".join(lines) + "\n\n"

    def resume_key(self, key: str) -> str:
        return _comment(key)

    def scan(self, lines: Iterable[bytes], where: str) -> tuple[dict[str, bool], int]:
        keys: dict[str, bool] = {}
        keep = offset = 0
        block: dict[str, str] = {}  # the comments of the block being read
        block_start = (1, b"")  # line number and first line of that block
        for number, line in enumerate(lines, start=1):
            offset += len(line)
            if line == b"\n":  # a blank line closes a block
                if block:
                    key = block.get("id", block.get("error"))
                    if key is None:
                        raise OutputError(f"{where}:{block_start[0]}: a block without '# id = '; cannot resume")
                    keys[key] = "error" in block
                    block = {}
                keep = offset
                continue
            if not block:
                block_start = (number, line)
            if line.startswith(b"# "):
                name, _, value = line[2:].decode("utf-8", "replace").rstrip("\n").partition(" = ")
                block[name] = value
            elif b"\t" not in line and line.endswith(b"\n"):  # (a last line without newline was cut short)
                raise OutputError(f"{where}:{number}: not a govner conll line; cannot resume")
        if offset > keep:  # the block a crash cut short
            self._tail(block_start[1], where, block_start[0])
        return keys, keep


class LabelStudioFormat(Format):
    name = "label-studio"
    header = "[\n"
    footer = "\n]\n"
    record_start = b'{"data"'

    def __init__(self, model_version: str) -> None:
        self.model_version = model_version
        self.separator = ""  # written before the next task: "" before the first, ",\n" after one
        self.astral = 0  # tasks whose code-point offsets differ from Label Studio's UTF-16 ones

    def document(self, result: Result) -> str:
        from govner.data.labelstudio import span_result

        results = []
        for n, e in enumerate(result.entities):
            item = span_result(result.text, Span(e["start"], e["end"], e["label"]), f"p{n}")
            results.append({**item, "score": e["score"]})
        data = {"text": result.text, "doc_id": result.id, "source": result.source}
        data.update({k: v for k, v in result.meta.items() if k not in data})
        prediction = {"model_version": self.model_version, "score": result.confidence, "result": results}
        if _ASTRAL.search(result.text):
            self.astral += 1
        # The separator goes with the next task, so the list can be closed after any task.
        text = self.separator + json.dumps({"data": data, "predictions": [prediction]}, ensure_ascii=False)
        self.separator = ",\n"
        return text

    def error(self, result: Result) -> None:
        return None  # a task needs a text; the error goes to stderr and the summary

    def scan(self, lines: Iterable[bytes], where: str) -> tuple[dict[str, bool], int]:
        keys: dict[str, bool] = {}
        keep = offset = 0
        for number, line in enumerate(lines, start=1):
            line_start, offset = offset, offset + len(line)
            body = line.rstrip(b"\n").rstrip(b",")
            if number == 1:
                if line != self.header.encode():
                    raise OutputError(f"{where}: does not start with a '[' line; not a govner label-studio file")
                keep = offset
                continue
            if body.strip() in (b"", b"]"):
                continue
            try:
                keys[str(json.loads(body)["data"]["doc_id"])] = False
            except (ValueError, KeyError, TypeError):
                if line.endswith(b"\n"):
                    raise OutputError(f"{where}:{number}: not a govner label-studio task; cannot resume") from None
                self._tail(line, where, number)  # the task a crash cut short
                break
            keep = line_start + len(body)  # right after the task: the next write starts with ",\n"
        self.separator = ",\n" if keys else ""
        return keys, keep


class HtmlFormat(Format):
    name = "html"
    record_start = b'<script type="application/json" data-govner-doc>'

    def __init__(self) -> None:
        from govner.html import page_foot, page_head

        self.header = page_head("govner predictions", []) + "\n"
        self.footer = page_foot()

    def document(self, result: Result) -> str:
        from govner.html import document_line

        return document_line({"id": result.id, "source": result.source, "text": result.text,
                              "entities": result.entities, "confidence": round(result.confidence, 4)})

    def error(self, result: Result) -> str:
        from govner.html import document_line

        return document_line({"id": result.id, "source": result.source, "error": result.error})

    def scan(self, lines: Iterable[bytes], where: str) -> tuple[dict[str, bool], int]:
        from govner.html import END_OF_DOCUMENTS

        keys: dict[str, bool] = {}
        keep = offset = 0
        end = b"</script>"
        for number, line in enumerate(lines, start=1):
            line_start, offset = offset, offset + len(line)
            if number == 1:
                if not line.endswith(b"\n") and b"<!DOCTYPE html>".startswith(line[:15]):
                    break  # the head itself was cut short: start the page again (keep nothing)
                if not (line.startswith(b"<!DOCTYPE html>") and b"govner-config" in line):
                    raise OutputError(f"{where}: not a govner html page; cannot resume")
                keep = offset
                continue
            foot = END_OF_DOCUMENTS.encode()
            if line.rstrip(b"\n") == foot or (not line.endswith(b"\n") and foot.startswith(line)):
                break  # the page's foot (or its first bytes): cut here, the run writes it again at the end
            body = line.rstrip(b"\n")
            try:
                if not (line.endswith(b"\n") and body.startswith(self.record_start) and body.endswith(end)):
                    raise ValueError
                record = json.loads(body[len(self.record_start) : -len(end)])
                keys[str(record["id"] if record["id"] is not None else record["error"])] = "error" in record
            except (ValueError, KeyError, TypeError):
                if line.endswith(b"\n"):
                    raise OutputError(f"{where}:{number}: not a govner html document line; cannot resume") from None
                self._tail(line, where, number)
                break
            keep = line_start + len(line)
        return keys, keep


def make_format(name: str, model_version: str = "govner") -> Format:
    """The :class:`Format` called ``name`` (one of :data:`FORMATS`)."""
    if name == "jsonl":
        return JsonlFormat()
    if name == "conll":
        return ConllFormat()
    if name == "label-studio":
        return LabelStudioFormat(model_version)
    if name == "html":
        return HtmlFormat()
    raise ValueError(f"unknown format {name!r} (known: {', '.join(FORMATS)})")


def read_conll(path: str | Path) -> list[Document]:
    """Documents of a ``--format conll`` file: original text and spans, as :class:`Document` objects.

    Error blocks are left out. The inverse of the writer: ``U+XXXX`` tokens become their
    characters again, so ``doc.text`` is the text as read and the spans are its offsets.
    """
    from govner.data.iob import tags_to_spans

    docs = []
    for block in Path(path).read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.split("\n") if line]
        comments = dict(line[2:].split(" = ", 1) for line in lines if line.startswith("# "))
        if not lines or "error" in comments:
            continue
        rows = [line.split("\t") for line in lines if not line.startswith("# ")]
        text = "".join(_unescape_token(char) for char, _ in rows)
        spans = tags_to_spans([tag for _, tag in rows])
        docs.append(Document(comments["id"], text, comments.get("source", str(path)), spans))
    return docs


# --------------------------------------------------------------------------- output


class Output:
    """Records written whole (one ``write`` call each) to a file or stdout, resumable.

    ``resume`` reads what an earlier run wrote, cuts off a record a crash left
    half-written, and appends after it; the keys it found are in :attr:`done`.
    """

    def __init__(self, path: str | None, fmt: Format, resume: bool = False) -> None:
        self.path = path
        self.format = fmt
        self.done: dict[str, bool] = {}  # key -> failed, of records already in the file
        self.truncated = 0  # bytes of a half-written record removed on resume
        self._fd: int | None = None
        self._stream: BinaryIO | None = None
        if path is None or path == "-":
            self._stream = sys.stdout.buffer
            self._write(fmt.header)
            return
        try:
            if os.path.isdir(path):
                raise IsADirectoryError(21, "is a folder")
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as err:
            raise OutputError(f"{path}: cannot write: {err.strerror or err}") from None
        try:
            # An advisory lock for the whole run, on the output itself: a second run on the same file (a
            # retried job while the first still runs) stops here instead of writing documents twice. The
            # kernel drops it when the process ends, however it ends, so no stale lock file is left behind.
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            self._fd = None
            raise OutputError(f"{path}: another govner predict is writing this file (it holds the file's lock); "
                              "wait for it, or write elsewhere") from None
        keep = 0
        if resume:
            with open(path, "rb") as f:  # line by line: the output of a big run is big
                self.done, keep = fmt.scan(f, path)
            self.truncated = os.fstat(self._fd).st_size - keep
        if stat.S_ISREG(os.fstat(self._fd).st_mode):  # (a device such as /dev/stdout cannot be cut)
            os.ftruncate(self._fd, keep)  # after the lock: never cut a file another run is writing
        if keep == 0:
            self._write(fmt.header)

    def _write(self, text: str) -> None:
        if not text:
            return
        data = text.encode("utf-8")
        if self._stream is not None:
            self._stream.write(data)
            self._stream.flush()
            return
        view = memoryview(data)
        try:
            while view:  # one call for any record that fits the kernel's write size; a loop just in case
                written = os.write(self._fd, view)  # type: ignore[arg-type]
                view = view[written:]
        except OSError as err:  # a full disk, a quota, a lost network mount: stop with what was written whole
            raise OutputError(f"{self.path}: cannot write: {err.strerror or err}; what was written before is "
                              "whole, and --resume continues from it") from None

    def write(self, result: Result) -> None:
        """Write one result's record (if the format has one for it)."""
        text = self.format.error(result) if result.error is not None else self.format.document(result)
        if text:
            self._write(text)

    def close(self) -> None:
        """Write the format's closing text (``]`` for Label Studio) and close the file."""
        with contextlib.suppress(BrokenPipeError):
            self._write(self.format.footer)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# --------------------------------------------------------------------------- the run


@dataclass
class Summary:
    """What a run did. ``skipped`` and ``failed_before`` count the records (and error records) found in
    the output on ``--resume``; ``truncated`` the bytes of a half-written record removed then."""

    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    failed_before: int = 0
    truncated: int = 0
    chars: int = 0
    seconds: float = 0.0
    astral: int = 0

    @property
    def any_failed(self) -> bool:
        return bool(self.failed or self.failed_before)

    def __str__(self) -> str:
        rate = self.chars / self.seconds if self.seconds > 0 else 0.0
        text = (
            f"predicted {self.succeeded} document(s), {self.failed} failed; "
            f"{self.chars:,} characters in {self.seconds:.1f} s ({rate:,.0f} chars/s)"
        )
        if self.skipped:
            text += f"; {self.skipped} already in the output ({self.failed_before} of them failed)"
        return text


def groups(
    items: Iterable[Document | ReadError], group_chars: int = GROUP_CHARS, first_chars: int = FIRST_GROUP_CHARS
) -> Iterator[list[Document | ReadError]]:
    """Consecutive items, cut when the documents in hand reach a character budget.

    The budget starts at ``first_chars`` and doubles up to ``group_chars``, so
    output starts quickly while later groups are big enough to batch well.
    """
    group: list[Document | ReadError] = []
    size = 0
    budget = min(first_chars, group_chars)
    for item in items:
        group.append(item)
        if isinstance(item, Document):
            size += len(item.text)
        if size >= budget:
            yield group
            group, size = [], 0
            budget = min(budget * 2, group_chars)
    if group:
        yield group


def prediction_results(
    tagger: Any,
    items: Iterable[Document | ReadError],
    group_chars: int = GROUP_CHARS,
    first_chars: int = FIRST_GROUP_CHARS,
) -> Iterator[Result]:
    """One :class:`Result` per input item, in input order, tagging documents a group at a time
    (:meth:`~govner.inference.tagger.Tagger.analyze_groups`: the next group is read and scored while this
    one is post-processed)."""

    def texts_of(group: list[Document | ReadError]) -> list[str]:
        return [item.text for item in group if isinstance(item, Document)]

    for group, group_analyses in tagger.analyze_groups(groups(items, group_chars, first_chars), texts_of):
        analyses = iter(group_analyses)
        for item in group:
            if isinstance(item, ReadError):
                yield Result(item.id, item.source, error=str(item))
                continue
            analysis = next(analyses)
            yield Result(
                item.id,
                item.source,
                item.text,
                item.meta,
                [e.to_dict(item.text) for e in analysis.entities],
                analysis.confidence,
            )


def select_items(
    items: Iterable[Document | ReadError],
    done: Callable[[str], bool] | None = None,
    num_shards: int = 1,
    shard_index: int = 0,
) -> Iterator[Document | ReadError]:
    """The items of shard ``shard_index`` (of ``num_shards``) that are not ``done`` yet."""
    for item in items:
        key = item_key(item)
        if num_shards > 1 and shard_of(key, num_shards) != shard_index:
            continue
        if done is not None and done(key):
            continue
        yield item


class IdIndex:
    """The ids seen so far and where each came first; :meth:`repeat` is the check every run makes.

    Ids are what ``--resume`` and every later step key on: two documents with one id would make one
    of them disappear. The first keeps the id; a repeat is reported, never tagged under it.
    """

    def __init__(self) -> None:
        self._first_source: dict[str, str] = {}

    def repeat(self, doc_id: str, source: str) -> ReadError | None:
        """The error record of a document whose id came before, or None (and the id is now known)."""
        first = self._first_source.get(doc_id)
        if first is None:
            self._first_source[doc_id] = source
            return None
        return ReadError(source, f"duplicate id {doc_id!r} (first in {first}): not tagged; give each document "
                         "its own id")


def unique_ids(items: Iterable[Document | ReadError]) -> Iterator[Document | ReadError]:
    """``items`` with every document whose id came before turned into an error record naming both sources."""
    index = IdIndex()
    for item in items:
        if isinstance(item, Document):
            repeat = index.repeat(item.id, item.source)
            if repeat is not None:
                yield repeat
                continue
        yield item


def run_predict(
    tagger: Any,
    inputs: Iterable[str],
    output: str | None,
    fmt: Format,
    *,
    resume: bool = False,
    num_shards: int = 1,
    shard_index: int = 0,
    progress: Any = None,
    on_error: Callable[[str], None] | None = None,
    group_chars: int = GROUP_CHARS,
) -> Summary:
    """Tag ``inputs`` and write ``output`` (None: stdout) in ``fmt``: all of ``govner predict`` after its options.

    ``progress`` is a tqdm-like bar (``update``, ``set_postfix_str``) or None;
    ``on_error`` gets each error message as it happens.
    """
    from govner.data.reader import iter_documents, refuse_overwriting_inputs, same_file_as

    if num_shards < 1 or not 0 <= shard_index < num_shards:
        raise ValueError(f"need num_shards >= 1 and 0 <= shard_index < num_shards, got {num_shards}, {shard_index}")
    inputs = list(inputs)
    refuse_overwriting_inputs(output, inputs)
    out = Output(output, fmt, resume)
    # never read the file being written, even when it sits inside an input folder
    is_output = same_file_as(output) if output not in (None, "-") else None

    done = {fmt.resume_key(k) for k in out.done}
    summary = Summary(skipped=len(out.done), failed_before=sum(out.done.values()), truncated=out.truncated)

    def is_done(key: str) -> bool:
        return fmt.resume_key(key) in done

    def wanted(doc_id: str) -> bool:  # lets the reader skip a .txt file without reading it
        in_shard = num_shards == 1 or shard_of(doc_id, num_shards) == shard_index
        return in_shard and not is_done(doc_id)

    items = iter_documents(inputs, wanted=wanted if (done or num_shards > 1) else None, skip=is_output)
    selected = unique_ids(select_items(items, is_done if done else None, num_shards, shard_index))
    return write_results(prediction_results(tagger, selected, group_chars), out, summary, progress, on_error)


def write_results(
    results: Iterable[Result],
    out: Output,
    summary: Summary,
    progress: Any = None,
    on_error: Callable[[str], None] | None = None,
) -> Summary:
    """Write each result to ``out`` as it comes, counting into ``summary``; closes ``out`` whatever happens.

    Shared by the single-process run and the cluster run (:mod:`govner.inference.cluster`):
    results come in input order either way.
    """
    start = time.perf_counter()
    shown = 0.0
    try:
        for result in results:
            out.write(result)
            if result.error is not None:
                summary.failed += 1
                if on_error is not None:
                    on_error(result.error)
            else:
                summary.succeeded += 1
                summary.chars += len(result.text)
            if progress is not None:
                progress.update(1)
                now = time.perf_counter()
                if now - shown > 0.5:  # a postfix per document would cost more than the bar is worth
                    rate = summary.chars / max(now - start, 1e-9)
                    progress.set_postfix_str(f"{rate:,.0f} chars/s, {summary.failed} failed", refresh=False)
                    shown = now
    finally:
        out.close()  # also on Ctrl-C, so that a Label Studio file stays a valid JSON list
        summary.seconds = time.perf_counter() - start
        if isinstance(out.format, LabelStudioFormat):
            summary.astral = out.format.astral
    return summary

