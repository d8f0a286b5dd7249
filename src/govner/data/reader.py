"""Read reports from files, folders, ``.jsonl`` files and stdin, one document at a time.

Two rules shape this module:

- **The text is never altered.** Offsets the toolkit reports are offsets into
  the text as read, so nothing is normalized here: CRLF stays CRLF, full-width
  stays full-width. The only thing removed is a leading byte-order mark, which
  is part of the encoding rather than of the text.
- **One bad input never sinks a batch.** :func:`iter_documents` yields a
  :class:`~govner.data.document.ReadError` for every file, folder or ``.jsonl``
  line it cannot read and carries on, so a run over 100,000 files reports the
  three broken ones instead of stopping at the first. The errors are loud and
  specific (which file, which line, which byte) because "could not read input"
  is useless when the input is a folder of thousands of reports.

Encodings are decided by :func:`decode_report`: a byte-order mark (UTF-8,
UTF-16, UTF-32, GB18030) wins; otherwise strict UTF-8; otherwise strict GB18030 (a
superset of GB2312 and GBK, still common for Chinese government documents),
but only when the result looks like Chinese. GB18030 decodes many byte strings
that are really Latin-1 or cp1252, and silently turning ``Müller`` into
``M黮ler`` would be worse than refusing the file.

>>> decode_report("政府工作报告\\r\\n".encode("gb18030"), "report.txt")
'政府工作报告\\r\\n'
>>> decode_report(b"M\\xfcller", "notes.txt")
Traceback (most recent call last):
...
govner.data.reader.ReportDecodeError: notes.txt: not UTF-8 or GB18030 text: invalid byte 0xfc at offset 1
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from govner.data.document import Document, ReadError
from govner.data.jsontext import JsonError, encodes_as_utf8, load_json
from govner.data.normalize import HAN
from govner.errors import GovnerError

__all__ = ["ReportDecodeError", "decode_report", "iter_documents", "read_documents"]

STDIN = "-"
MAX_BYTES = 256 * 1024 * 1024  # one report file; a longer one is an error (a link to /dev/zero never ends)
TEXT_SUFFIX = ".txt"
JSONL_SUFFIX = ".jsonl"

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE mark.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (b"\x84\x31\x95\x33", "gb18030"),  # GB18030's own encoding of U+FEFF
)
# The encodings whose text is full of NUL bytes.
_WIDE = frozenset({"utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"})

# Control characters that do not occur in text. Tab, line breaks, vertical tab
# and form feed (a page break in old exports) are left out on purpose.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.10

# What GB18030 produces for real Chinese text: Han characters plus the symbol
# rows of GB2312/GBK (CJK and full-width punctuation, ①, ■, Greek, Cyrillic,
# pinyin letters with tone marks). Private-use characters and the rest are not.
_CHINESE_LIKE = re.compile(
    f"[{HAN}\u00a0-\u024f\u02c0-\u02ff\u0391-\u03c9\u0401-\u0451\u2000-\u33ff\ufe30-\ufe4f\uff00-\uffef]"
)
_NON_ASCII_RUN = re.compile("[^\x00-\x7f]+")
_MAX_SUSPICIOUS_SHARE = 0.10


class ReportDecodeError(ValueError):
    """Bytes that are not a readable report; ``message`` says why, without the source."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


# --------------------------------------------------------------------------- decoding


def decode_report(data: bytes, source: str) -> str:
    """The text of a report file's ``data``; raises :class:`ReportDecodeError` if it has none.

    ``source`` only names the input in the error. The text is returned exactly
    as encoded, minus a leading byte-order mark.

    >>> decode_report(b"\\xef\\xbb\\xbf\\xe5\\x8c\\xba", "a.txt")
    '区'
    >>> decode_report(b" \\n", "a.txt")
    Traceback (most recent call last):
    ...
    govner.data.reader.ReportDecodeError: a.txt: empty file
    """
    if not data:
        raise ReportDecodeError(source, "empty file")
    bom, encoding = _find_bom(data)
    if encoding not in _WIDE:
        # Only UTF-16/32 put NUL bytes in text; any other NUL means binary.
        # UTF-16 without a mark is too ambiguous to guess, so it lands here too.
        _check_no_nul(data, source)
    text = _decode_without_bom(data, source) if encoding is None else _decode_with_bom(data, bom, encoding, source)
    # A second mark (a file converted twice by an editor) would otherwise sit
    # invisibly at offset 0 and shift every offset by one.
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ReportDecodeError(source, "empty file")
    _check_not_binary(text, source)
    return text


def _find_bom(data: bytes) -> tuple[bytes, str | None]:
    """``data``'s byte-order mark and its encoding, or ``(b"", None)``."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return bom, encoding
    return b"", None


def _check_no_nul(data: bytes, source: str) -> None:
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ReportDecodeError(source, f"binary file (NUL byte at offset {nul})")


def _decode_with_bom(data: bytes, bom: bytes, encoding: str, source: str) -> str:
    try:
        return data[len(bom) :].decode(encoding)
    except UnicodeDecodeError as err:
        name = encoding.upper()
        raise ReportDecodeError(
            source,
            f"starts with a {name} byte-order mark but is not {name}: {err.reason} at offset {len(bom) + err.start}",
        ) from None


def _decode_without_bom(data: bytes, source: str) -> str:
    """``data`` as strict UTF-8, else as GB18030 if that reads as Chinese."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        utf8_error = err
    text = _decode_gb18030(data)
    if text is not None and not _mostly_utf8(data) and _looks_chinese(text):
        return text
    bad = data[utf8_error.start]
    raise ReportDecodeError(source, f"not UTF-8 or GB18030 text: invalid byte 0x{bad:02x} at offset {utf8_error.start}")


def _decode_gb18030(data: bytes) -> str | None:
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return None


def _mostly_utf8(data: bytes) -> bool:
    """True for UTF-8 with a few broken bytes (e.g. a truncated last character).

    Such a file also tends to decode as GB18030, into plausible-looking Han
    characters; naming the broken UTF-8 byte is the useful answer there.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(len(run) for run in _NON_ASCII_RUN.findall(text)) - bad
    return good > 4 * bad


def _looks_chinese(text: str) -> bool:
    """Whether GB18030-decoded ``text`` reads as Chinese rather than misread Latin bytes.

    A Latin-1 or cp1252 accented letter is one high byte between ASCII letters;
    GB18030 takes it plus the next ASCII letter as one character, which ends up
    alone among ASCII (``M黮ler``) and encoded with an ASCII-range second byte,
    or lands in the private-use area. Real Chinese comes in runs of non-ASCII
    characters, and a lone Han character (``2023年``) almost always has a
    second byte above 0x80.
    """
    total = suspicious = 0
    for run in _NON_ASCII_RUN.finditer(text):
        chars = run.group()
        total += len(chars)
        odd = len(chars) - len(_CHINESE_LIKE.findall(chars))
        if odd == 0 and len(chars) == 1 and _has_ascii_trail(chars):
            odd = 1
        suspicious += odd
    return total > 0 and suspicious <= _MAX_SUSPICIOUS_SHARE * total


def _has_ascii_trail(char: str) -> bool:
    encoded = char.encode("gb18030")
    return len(encoded) == 2 and encoded[1] < 0x80


def _check_not_binary(text: str, source: str) -> None:
    controls = _CONTROL.findall(text)
    if len(controls) > _MAX_CONTROL_SHARE * len(text):
        first = _CONTROL.search(text).start()  # type: ignore[union-attr]
        raise ReportDecodeError(
            source,
            f"binary file ({len(controls)} of {len(text)} characters are control characters, "
            f"the first at character {first})",
        )


# --------------------------------------------------------------------------- inputs


def iter_documents(
    inputs: Iterable[str | Path],
    *,
    stdin: BinaryIO | None = None,
    wanted: Callable[[str], bool] | None = None,
    skip: Callable[[str], bool] | None = None,
    max_bytes: int = MAX_BYTES,
) -> Iterator[Document | ReadError]:
    """Documents from every input, in order, with a :class:`ReadError` for each failure.

    An input is ``"-"`` (stdin: JSON Lines if it starts with ``{``, else one
    document with id ``stdin``), a folder (every ``.txt`` and ``.jsonl`` file
    under it, sorted by path, hidden entries skipped), a ``.jsonl`` file (one
    document per non-blank line, each ``{"id": ..., "text": ..., ...}``) or any
    other file (one document whose id is the file name without extension).
    ``source`` is the path as given. Lazy: one text file is in memory at a time,
    and a UTF-8 ``.jsonl`` file is read line by line, so a file of 100,000
    reports costs no more memory than one of ten.

    ``wanted(id)`` false skips a text file without reading it (``govner predict``
    uses it for ``--resume`` and ``--num-shards``); ``.jsonl`` lines are always read,
    since their ids are inside them. ``skip(path)`` true leaves a file found in a folder
    out entirely (``govner predict`` never reads the file it is writing).

    A file in a sub-folder has the path from the given folder, without extension, as its
    id (``2023/report``), so equal file names in two folders stay apart. Symlinked folders
    are followed once each (a link back up the tree is reported, not looped). Anything that
    is not a regular file (a FIFO, a device) or holds more than ``max_bytes`` is an error.
    Names that are not UTF-8 (a GBK-named file from a Windows zip) keep their undecodable
    bytes escaped as ``\\xNN`` in ids and sources, so every record can be written.
    """
    # A lone path is iterable too (by character, or not at all for Path);
    # catch it here rather than report "no such file or folder" for "r", "e"...
    if isinstance(inputs, (str, bytes, Path)):
        raise TypeError(f"inputs must be an iterable of paths, not a single path: {inputs!r}")
    return _iter_inputs(inputs, stdin, wanted, skip, max_bytes)


def read_documents(
    inputs: Iterable[str | Path], *, stdin: BinaryIO | None = None
) -> tuple[list[Document], list[ReadError]]:
    """All of :func:`iter_documents` at once: ``(documents, errors)``."""
    documents: list[Document] = []
    errors: list[ReadError] = []
    for item in iter_documents(inputs, stdin=stdin):
        if isinstance(item, ReadError):
            errors.append(item)
        else:
            documents.append(item)
    return documents, errors


@dataclass(frozen=True)
class InputFile:
    """One file :func:`iter_documents` reads (or ``-``, stdin), with the id a ``.txt`` file gets."""

    path: str
    doc_id: str | None = None  # the id within a folder (``2023/report``); None: the file's stem (or .jsonl ids)
    folder: str | None = None  # the folder it was found in, if any


def input_files(
    inputs: Iterable[str | Path], skip: Callable[[str], bool] | None = None
) -> Iterator[InputFile | ReadError]:
    """The files behind ``inputs``, in the order :func:`iter_documents` reads them, and the errors of walking.

    Cheap (names only): a cluster run hands the files to readers on other machines
    (:func:`read_input_file` reads one exactly as :func:`iter_documents` would).
    """
    if isinstance(inputs, (str, bytes, Path)):
        raise TypeError(f"inputs must be an iterable of paths, not a single path: {inputs!r}")
    for given in inputs:
        source = str(given)
        if source != STDIN and os.path.isdir(source):
            found = False  # a report, or an error already said about this folder
            for path in _walk(source, set()):
                if isinstance(path, ReadError):
                    found = True
                    yield path
                elif skip is None or not skip(path):
                    found = True
                    relative = os.path.relpath(path, source)
                    yield InputFile(path, printable(os.path.splitext(relative)[0].replace(os.sep, "/")), source)
            if not found:
                yield ReadError(source, f"no {TEXT_SUFFIX} or {JSONL_SUFFIX} files in folder")
        else:
            yield InputFile(source)


def read_input_file(
    unit: InputFile,
    wanted: Callable[[str], bool] | None = None,
    max_bytes: int = MAX_BYTES,
    stdin: BinaryIO | None = None,
) -> Iterator[Document | ReadError]:
    """The documents (and errors) of one :func:`input_files` entry."""
    if unit.path == STDIN and unit.folder is None:
        return _read_stdin(stdin)
    return _read_file(unit.path, wanted, unit.doc_id, max_bytes)


def _iter_inputs(
    inputs: Iterable[str | Path],
    stdin: BinaryIO | None,
    wanted: Callable[[str], bool] | None,
    skip: Callable[[str], bool] | None,
    max_bytes: int,
) -> Iterator[Document | ReadError]:
    for unit in input_files(inputs, skip):
        if isinstance(unit, ReadError):
            yield unit
        else:
            yield from read_input_file(unit, wanted, max_bytes, stdin)


def _read_stdin(stdin: BinaryIO | None) -> Iterator[Document | ReadError]:
    # Looked up on use, not as a default argument, so a replaced sys.stdin counts.
    stream = stdin if stdin is not None else sys.stdin.buffer
    try:
        text = decode_report(stream.read(), STDIN)
    except ReportDecodeError as err:
        yield ReadError(STDIN, err.message)
        return
    except OSError as err:
        yield ReadError(STDIN, _os_message(err))
        return
    if text.lstrip().startswith("{"):
        yield from _parse_jsonl(_split_lines(text), STDIN)
    else:
        yield Document(id="stdin", text=text, source=STDIN)


def _walk(folder: str, visiting: set[tuple[int, int]]) -> Iterator[str | ReadError]:
    """``.txt``/``.jsonl`` files under ``folder``, depth first with names sorted.

    That is the order of sorting the paths by their parts, so output order does
    not depend on the file system. Hidden entries are skipped (``.git``, editor
    backups). Symlinked folders are entered, but a folder already being walked
    (``visiting``: device and inode of the folders above) is an error, so a link
    cycle cannot loop.
    """
    try:
        info = os.stat(folder)
    except OSError as err:
        yield ReadError(printable(folder), _os_message(err))
        return
    key = (info.st_dev, info.st_ino)
    if key in visiting:
        yield ReadError(printable(folder), "a symlink back to a folder above it: not entered again")
        return
    visiting.add(key)
    try:
        # Names only (not os.DirEntry objects, three times their size): a folder of 100,000
        # reports is sorted in memory before the first one is read.
        names = sorted(os.listdir(folder))
    except OSError as err:
        yield ReadError(printable(folder), _os_message(err))
        visiting.discard(key)
        return
    for name in names:
        if name.startswith("."):
            continue
        path = os.path.join(folder, name)
        try:
            is_folder = stat.S_ISDIR(os.stat(path).st_mode)  # stat: a symlinked folder is followed
        except OSError:
            is_folder = False  # gone, unreadable or a dangling link: reading it says why
        if is_folder:
            yield from _walk(path, visiting)
        elif _suffix(name) in (TEXT_SUFFIX, JSONL_SUFFIX):
            yield path
    visiting.discard(key)


def _read_file(
    path: str, wanted: Callable[[str], bool] | None = None, doc_id: str | None = None, max_bytes: int = MAX_BYTES
) -> Iterator[Document | ReadError]:
    # A .txt file's document id is its stem (or its path within the folder given), so its errors carry the id
    # a result line would have had.
    source = printable(path)
    if _suffix(path) == JSONL_SUFFIX:
        doc_id = None
    elif doc_id is None:
        doc_id = printable(Path(path).stem)
    if doc_id is not None and wanted is not None and not wanted(doc_id):
        return
    try:
        info = os.stat(path)
    except FileNotFoundError:
        yield ReadError(source, "no such file or folder", id=doc_id)
        return
    except OSError as err:
        yield ReadError(source, _os_message(err), id=doc_id)
        return
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block forever, /dev/zero never end
        yield ReadError(source, "not a regular file (a pipe, device or socket): skipped", id=doc_id)
        return
    if doc_id is None:
        lines = _utf8_lines(path)
        if lines is not None:
            yield from _parse_jsonl(lines, source)
            return
    elif info.st_size > max_bytes:
        yield ReadError(source, f"{info.st_size:,} bytes, more than the {max_bytes:,} one report may have: "
                        "split it (or raise the limit)", id=doc_id)
        return
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        yield ReadError(source, _os_message(err), id=doc_id)
        return
    try:
        text = decode_report(data, source)
    except ReportDecodeError as err:
        yield ReadError(source, err.message, id=doc_id)
        return
    if _suffix(path) == JSONL_SUFFIX:
        yield from _parse_jsonl(_split_lines(text), source)
    else:
        yield Document(id=doc_id, text=text, source=source)


class InputOutputError(GovnerError):
    """An output file that is also one of the inputs."""


def refuse_overwriting_inputs(output: str | None, inputs: Iterable[str | Path]) -> None:
    """Raise if ``output`` is one of the input files (the same file, by device and inode).

    Opening it for writing would truncate the corpus before a single document is read.
    """
    if output in (None, STDIN) or not os.path.exists(output):
        return
    for given in inputs:
        if str(given) != STDIN and os.path.isfile(given) and os.path.samefile(given, output):
            raise InputOutputError(f"{output}: is also an input; writing it would destroy it (choose another -o)")


def same_file_as(path: str | Path) -> Callable[[str], bool]:
    """A test for "is this the file at ``path``" (by device and inode), for ``iter_documents(skip=...)``."""
    try:
        target = os.stat(path)
    except OSError:
        return lambda _: False

    def test(other: str) -> bool:
        try:
            found = os.stat(other)
        except OSError:
            return False
        return (found.st_dev, found.st_ino) == (target.st_dev, target.st_ino)

    return test


def printable(name: str) -> str:
    """``name`` with undecodable bytes of a file name (kept by Python as lone surrogates) as ``\\xNN``.

    >>> printable(b"\\xb1\\xa8\\xb8\\xe6.txt".decode("utf-8", "surrogateescape"))
    '\\\\xb1\\\\xa8\\\\xb8\\\\xe6.txt'
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:  # bytes a file system name could not decode come back as they were, then escaped
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # other lone surrogates (from a JSON "\\udc00"): escaped as written
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


_CHUNK = 1 << 20


def _utf8_lines(source: str) -> Iterator[str] | None:
    """The lines of a ``.jsonl`` file read one at a time, or None to read it whole.

    A first pass, a chunk at a time, checks what :func:`decode_report` checks on the
    whole text: UTF-8 (an optional byte-order mark), no NUL byte, not blank, not
    mostly control characters. Only a file that passes is streamed, so every file
    decodes exactly as if read whole; the rest (GB18030, UTF-16, broken files) takes
    the whole-file path and its error messages. The pass costs one read of the file,
    which is cheap next to tagging it.
    """
    try:
        with open(source, "rb") as f:
            decoder = codecs.getincrementaldecoder("utf-8")()
            head = f.read(len(codecs.BOM_UTF8))
            if head != codecs.BOM_UTF8:
                f.seek(0)
            chars = controls = marks = 0
            blank = True
            while chunk := f.read(_CHUNK):
                if b"\x00" in chunk:
                    return None
                text = decoder.decode(chunk)
                chars += len(text)
                marks += text.count("\ufeff")
                controls += len(_CONTROL.findall(text))
                blank = blank and not text.replace("\ufeff", "").strip()
            decoder.decode(b"", final=True)
    except (OSError, UnicodeDecodeError):
        return None
    # Where these checks differ from decode_report's at all, they err towards the whole-file path.
    if blank or controls > _MAX_CONTROL_SHARE * (chars - marks):
        return None
    return _stream_lines(source, skip_bom=head == codecs.BOM_UTF8)


def _stream_lines(source: str, skip_bom: bool) -> Iterator[str]:
    # Binary lines split on b"\n" only, as _split_lines does on "\n" (a "\n" byte is never
    # part of a multi-byte UTF-8 character); leading marks go as decode_report strips them.
    with open(source, "rb") as f:
        if skip_bom:
            f.read(len(codecs.BOM_UTF8))
        at_start = True
        for raw in f:
            line = raw.decode("utf-8")
            if at_start:
                stripped = line.lstrip("\ufeff")
                at_start = stripped == ""  # a line of nothing but marks: the text has not started
                line = stripped
            yield line[:-1] if line.endswith("\n") else line


def _split_lines(text: str) -> Iterator[str]:
    # Split on "\n" only: str.splitlines also splits on U+2028 and friends,
    # which JSON allows unescaped inside strings. json.loads ignores a "\r".
    yield from text.split("\n")


def _suffix(name: str) -> str:
    # Case-insensitive: REPORT.TXT from a Windows share is still a report.
    return os.path.splitext(name)[1].lower()


def _os_message(err: OSError) -> str:
    return err.strerror or str(err)


# --------------------------------------------------------------------------- JSON Lines


def _parse_jsonl(lines: Iterable[str], source: str) -> Iterator[Document | ReadError]:
    """One document per non-blank line; each bad line is one error."""
    seen = _SeenIds()  # id -> line of the document read with it
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        item = _parse_line(line, source, number)
        if isinstance(item, Document):
            first = seen.first_line(item.id)
            if first is not None:
                item = ReadError(source, f"duplicate id {item.id!r} (first on line {first})", number, item.id)
            else:
                seen.add(item.id, number)
        yield item


class _SeenIds:
    """The ids read so far from one ``.jsonl`` file and their lines, in about 12 bytes per id.

    A dict of id strings costs ~120 bytes per id: 120 MB for a file of a million
    reports, only to catch duplicates. Here ids are 64-bit hashes (Python's, stable
    within the process) in sorted numpy arrays, plus a small dict of the latest ones.
    Two different ids with the same hash would be reported as duplicates; the odds
    are about n² / 2⁶⁵, 3 in 100 million for a million ids.
    """

    PENDING = 8192  # ids kept in the dict before they move into the arrays

    def __init__(self) -> None:
        self.pending: dict[int, int] = {}
        self.hashes: Any = None  # sorted int64 array, once there is one
        self.lines: Any = None

    def first_line(self, doc_id: str) -> int | None:
        key = hash(doc_id)
        line = self.pending.get(key)
        if line is None and self.hashes is not None:
            i = int(self.hashes.searchsorted(key))
            if i < len(self.hashes) and self.hashes[i] == key:
                line = int(self.lines[i])
        return line

    def add(self, doc_id: str, line: int) -> None:
        self.pending[hash(doc_id)] = line
        if len(self.pending) >= self.PENDING:
            import numpy as np  # only for files of thousands of lines

            keys = np.fromiter(self.pending.keys(), dtype=np.int64, count=len(self.pending))
            values = np.fromiter(self.pending.values(), dtype=np.int64, count=len(self.pending))
            if self.hashes is not None:
                keys = np.concatenate([self.hashes, keys])
                values = np.concatenate([self.lines, values])
            order = np.argsort(keys, kind="stable")
            self.hashes, self.lines = keys[order], values[order].astype(np.int32)
            self.pending.clear()


def _parse_line(line: str, source: str, number: int) -> Document | ReadError:
    try:
        record = load_json(line)
    except JsonError as err:
        where = f" at column {err.column}" if err.column is not None else ""
        return ReadError(source, f"invalid JSON: {err.message}{where}", number)
    if not isinstance(record, dict):
        return ReadError(source, f"expected a JSON object, got {_json_type(record)}", number)
    if ("\\ud" in line or "\\uD" in line) and not encodes_as_utf8(record):  # "\ud800" is JSON, but not Unicode text
        doc_id = record.get("id")
        return ReadError(source, "holds a lone surrogate escape (\\ud800-\\udfff): not Unicode text", number,
                         printable(doc_id) if isinstance(doc_id, str) else None)
    return document_from_record(record, source, number)


def document_from_record(record: dict[str, Any], source: str, number: int | None = None) -> Document | ReadError:
    """The document a decoded JSON object holds (``id``, ``text``, other fields kept as ``meta``), or why not.

    The rules of a ``.jsonl`` line, shared with ``govner serve``'s request bodies.

    >>> document_from_record({"id": 7, "text": "恩阳区"}, "request").id
    '7'
    >>> str(document_from_record({"id": "a", "text": 3}, "request", 2))
    'request:2: "text" must be a string, got a number'
    """
    if "id" not in record:
        return ReadError(source, 'missing "id"', number)
    doc_id = record["id"]
    # bool is an int subclass, but true/false as an id is surely a mistake.
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
        return ReadError(source, f'"id" must be a string or an integer, got {_json_type(doc_id)}', number)
    doc_id = str(doc_id)
    if not doc_id.strip():
        return ReadError(source, 'empty "id"', number)
    if "text" not in record:
        return ReadError(source, 'missing "text"', number, doc_id)
    text = record["text"]
    if not isinstance(text, str):
        return ReadError(source, f'"text" must be a string, got {_json_type(text)}', number, doc_id)
    if not text.strip():
        return ReadError(source, 'empty "text"', number, doc_id)
    meta = {key: value for key, value in record.items() if key not in ("id", "text")}
    return Document(id=doc_id, text=text, source=source, meta=meta)


def _json_type(value: Any) -> str:
    """The JSON name of ``value``'s type, as the user wrote it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
