"""Tests for govner.data.reader: encodings, refusals, .jsonl lines, folders, stdin, laziness."""

from __future__ import annotations

import codecs
import inspect
import io
import itertools
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govner.data.document import Document, ReadError
from govner.data.reader import ReportDecodeError, decode_report, iter_documents, read_documents

REPORT = "2023年，全市地区生产总值增长5.2%，完成固定资产投资1200亿元。\n坚持稳中求进工作总基调。\n"
TRADITIONAL = "廣安區(qū)經開區管委會：二〇二三年完成投資三億元，堅持高質量發展。\n"


def write(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (str as UTF-8) to ``path``, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def only(items: list) -> object:
    assert len(items) == 1, items
    return items[0]


def read_one(path: Path) -> Document | ReadError:
    return only(list(iter_documents([path])))


# ------------------------------------------------------------------ decode_report


def test_utf8_file_is_one_document_named_by_stem(tmp_path: Path) -> None:
    path = write(tmp_path / "gov_2023.txt", REPORT)
    doc = read_one(path)
    assert doc == Document(id="gov_2023", text=REPORT, source=str(path))


def test_utf8_bom_is_stripped_and_offsets_start_at_the_text(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.txt", codecs.BOM_UTF8 + REPORT.encode("utf-8"))
    doc = read_one(path)
    assert isinstance(doc, Document)
    assert doc.text == REPORT
    assert doc.text[6:8] == "全市"  # the same offsets as in the file without a BOM


def test_repeated_boms_never_leave_one_at_the_start() -> None:
    assert decode_report(codecs.BOM_UTF8 * 2 + "区".encode(), "x") == "区"


def test_gb18030_byte_order_mark_is_trusted_and_stripped() -> None:
    # GB18030 has its own four-byte mark (U+FEFF encoded); it declares the
    # encoding, so even text that does not look Chinese is decoded.
    assert decode_report("\ufeff政府工作报告".encode("gb18030"), "x") == "政府工作报告"
    assert decode_report("\ufeffMüller".encode("gb18030"), "x") == "Müller"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "gb2312"])
def test_gb_encoded_chinese_is_decoded(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "gb.txt", REPORT.encode(encoding))
    doc = read_one(path)
    assert isinstance(doc, Document)
    assert doc.text == REPORT


def test_gbk_traditional_chinese_with_pinyin_note_is_decoded() -> None:
    # Traditional characters in GBK often have a second byte in the ASCII range (區 is 0x85 0x5e).
    data = TRADITIONAL.encode("gbk")
    assert b"\x85^" in data
    assert decode_report(data, "t.txt") == TRADITIONAL


@pytest.mark.parametrize(
    ("data", "byte", "offset"),
    [
        (b"Caf\xe9 cr\xe8me br\xfbl\xe9e", 0xE9, 3),  # GB18030 cannot decode this either
        (b"Gr\xfc\xdfe aus Z\xfcrich", 0xFC, 2),  # GB18030 decodes it, into private-use garbage
        (b"Herr M\xfcller, Stra\xdfe f\xfcr", 0xFC, 6),  # GB18030 decodes it into lone Han characters
        (b"na\xefve r\xe9sum\xe9s", 0xEF, 2),
    ],
)
def test_latin1_text_is_refused_naming_the_offset(tmp_path: Path, data: bytes, byte: int, offset: int) -> None:
    path = write(tmp_path / "latin.txt", data)
    error = read_one(path)
    assert error == ReadError(
        str(path), f"not UTF-8 or GB18030 text: invalid byte 0x{byte:02x} at offset {offset}", id=path.stem
    )


def test_truncated_utf8_is_not_mistaken_for_gb18030() -> None:
    data = "政府工作报告".encode() + "政".encode()[:2]  # last character cut short
    assert data.decode("gb18030") == "鏀垮簻宸ヤ綔鎶ュ憡鏀"  # which GB18030 would happily decode
    with pytest.raises(ReportDecodeError, match=f"invalid byte 0xe6 at offset {len(data) - 2}$"):
        decode_report(data, "cut.txt")


def test_binary_file_with_nul_bytes_is_refused(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
    error = read_one(write(tmp_path / "scan.txt", png))
    assert isinstance(error, ReadError)
    assert error.message == "binary file (NUL byte at offset 8)"


def test_text_mostly_of_control_characters_is_refused() -> None:
    with pytest.raises(ReportDecodeError, match=r"^b\.txt: binary file \(6 of 9 characters"):
        decode_report(b"ab\x01\x02\x03\x04\x05\x06c", "b.txt")


def test_a_few_control_characters_are_kept() -> None:
    text = "第一页\x0c第二页\x1a" + REPORT  # form feed and a DOS end-of-file mark
    assert decode_report(text.encode(), "x") == text


@pytest.mark.parametrize("data", [b"", b"   \r\n\t\n", "\u3000\n".encode(), codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_empty_and_blank_files_are_refused(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "blank.txt", data)
    assert read_one(path) == ReadError(str(path), "empty file", id=path.stem)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_bom_are_decoded(encoding: str) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding)
    bom = bom or {"utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[encoding]
    text = decode_report(bom + REPORT.encode(encoding), "u.txt")
    assert text == REPORT


def test_utf16_without_bom_is_refused_as_binary() -> None:
    with pytest.raises(ReportDecodeError, match=r"binary file \(NUL byte at offset 1\)"):
        decode_report("abc".encode("utf-16-le"), "u.txt")


def test_broken_utf16_after_its_bom_is_refused() -> None:
    data = codecs.BOM_UTF16_LE + "报告".encode("utf-16-le") + b"\x41"  # odd length
    with pytest.raises(ReportDecodeError, match=r"UTF-16-LE byte-order mark but is not UTF-16-LE: .* at offset 6$"):
        decode_report(data, "u.txt")


def test_decode_error_is_a_value_error_with_message_and_source() -> None:
    with pytest.raises(ValueError) as info:
        decode_report(b"", "in/a.txt")
    assert isinstance(info.value, ReportDecodeError)
    assert (info.value.source, info.value.message) == ("in/a.txt", "empty file")
    assert str(info.value) == "in/a.txt: empty file"


def test_crlf_is_preserved(tmp_path: Path) -> None:
    text = "第一行\r\n第二行\r\n\r\n第四行"
    doc = read_one(write(tmp_path / "crlf.txt", text))
    assert isinstance(doc, Document)
    assert doc.text == text
    assert doc.text.count("\r\n") == 3


def test_traditional_text_with_pinyin_notes_is_read_byte_exact(tmp_path: Path) -> None:
    data = TRADITIONAL.encode("utf-8")
    doc = read_one(write(tmp_path / "trad.txt", data))
    assert isinstance(doc, Document)
    assert doc.text.encode("utf-8") == data
    assert doc.text[2:7] == "區(qū)"


@given(
    st.text(
        st.characters(categories=["L", "M", "N", "P", "S", "Zs"], include_characters="\r\n\t"),
        min_size=1,
    ).filter(lambda s: s.strip() and not s.startswith("\ufeff")),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]),
)
def test_any_text_with_a_bom_or_in_utf8_round_trips(text: str, encoding: str) -> None:
    assert decode_report(text.encode(encoding), "h.txt") == text


# ------------------------------------------------------------------ .jsonl


def test_jsonl_bad_lines_are_reported_and_good_lines_still_read(tmp_path: Path) -> None:
    lines = [
        '{"id": "a", "text": "成都市政府"}',
        '{"id": "b", "text": "未闭合',
        "",
        '{"id": "c"}',
        '{"text": "没有编号"}',
        '{"id": "a", "text": "重复编号"}',
        '["not", "an", "object"]',
        '{"id": "d", "text": 42}',
        '{"id": "e", "text": "  "}',
        '{"id": true, "text": "布尔编号"}',
        '{"id": 7, "text": "最后一行"}',
    ]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    docs, errors = read_documents([path])

    assert [(d.id, d.text, d.source) for d in docs] == [("a", "成都市政府", str(path)), ("7", "最后一行", str(path))]
    assert all(e.source == str(path) for e in errors)
    assert [(e.line, e.id) for e in errors] == [
        (2, None),
        (4, "c"),
        (5, None),
        (6, "a"),
        (7, None),
        (8, "d"),
        (9, "e"),
        (10, None),
    ]
    messages = [e.message for e in errors]
    assert messages[0].startswith("invalid JSON: Unterminated string") and messages[0].endswith("column 21")
    assert messages[1:] == [
        'missing "text"',
        'missing "id"',
        "duplicate id 'a' (first on line 1)",
        "expected a JSON object, got an array",
        '"text" must be a string, got a number',
        'empty "text"',
        '"id" must be a string or an integer, got a boolean',
    ]
    assert str(errors[1]) == f'{path}:4: missing "text"'


def test_jsonl_extra_fields_go_to_meta(tmp_path: Path) -> None:
    line = '{"id": 12, "text": "区政府", "year": 2023, "city": "广安", "tags": ["a"]}'
    doc = read_one(write(tmp_path / "m.jsonl", line))
    assert doc == Document(
        id="12", text="区政府", source=str(tmp_path / "m.jsonl"), meta={"year": 2023, "city": "广安", "tags": ["a"]}
    )


def test_jsonl_keeps_crlf_inside_text_and_tolerates_crlf_line_ends(tmp_path: Path) -> None:
    path = write(tmp_path / "w.jsonl", '{"id": "1", "text": "甲\\r\\n乙"}\r\n{"id": "2", "text": "丙"}\r\n')
    docs, errors = read_documents([path])
    assert errors == []
    assert [d.text for d in docs] == ["甲\r\n乙", "丙"]


def test_jsonl_text_may_hold_a_raw_line_separator(tmp_path: Path) -> None:
    path = write(tmp_path / "ls.jsonl", '{"id": "1", "text": "甲\u2028乙"}\n')
    assert read_one(path) == Document(id="1", text="甲\u2028乙", source=str(path))


def test_undecodable_jsonl_is_one_error(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", b'{"id": "1", "text": "\xff"}\n{"id": "2", "text": "ok"}\n')
    error = read_one(path)
    assert error == ReadError(str(path), "not UTF-8 or GB18030 text: invalid byte 0xff at offset 21")


# ------------------------------------------------------------------ folders and paths


def test_folder_recursion_order_selection_and_hidden_entries(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    write(root / "b.txt", "乙")
    write(root / "a.TXT", "甲")
    write(root / "a" / "z.txt", "子目录")
    write(root / "a-b.txt", "连字符")
    write(root / "c.jsonl", '{"id": "c1", "text": "丙一"}\n{"id": "c2", "text": "丙二"}\n')
    write(root / "notes.md", "不读")
    write(root / "scan.pdf", b"%PDF-1.4\x00")
    write(root / ".hidden.txt", "隐藏")
    write(root / ".git" / "x.txt", "隐藏目录")
    docs, errors = read_documents([root])
    assert errors == []
    assert [(Path(d.source).relative_to(root).as_posix(), d.id) for d in docs] == [
        ("a/z.txt", "a/z"),  # a folder's files come before a sibling name that merely starts with its name
        ("a-b.txt", "a-b"),
        ("a.TXT", "a"),
        ("b.txt", "b"),
        ("c.jsonl", "c1"),
        ("c.jsonl", "c2"),
    ]


def test_folder_errors_are_per_file(tmp_path: Path) -> None:
    write(tmp_path / "1.txt", "")
    write(tmp_path / "2.txt", "第二份报告")
    docs, errors = read_documents([tmp_path])
    assert [d.id for d in docs] == ["2"]
    assert errors == [ReadError(str(tmp_path / "1.txt"), "empty file", id="1")]


@pytest.mark.parametrize("content", [None, "notes.md"])
def test_folder_without_reports_is_one_error(tmp_path: Path, content: str | None) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    if content:
        write(folder / content, "不是报告")
    write(folder / ".hidden.txt", "隐藏")
    assert list(iter_documents([folder])) == [ReadError(str(folder), "no .txt or .jsonl files in folder")]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    error = read_one(missing)
    assert error == ReadError(str(missing), "no such file or folder", id=missing.stem)
    assert str(error) == f"{missing}: no such file or folder"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions, not root")
def test_unreadable_file_reports_the_os_error(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.txt", "锁定")
    path.chmod(0)
    try:
        assert read_one(path) == ReadError(str(path), "Permission denied", id=path.stem)
    finally:
        path.chmod(0o644)


def test_permission_error_is_reported_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs as root too, where chmod cannot make a file unreadable.
    path = write(tmp_path / "locked.txt", "锁定")
    later = write(tmp_path / "later.txt", "之后")

    def refuse(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", refuse)
    docs, errors = read_documents([path, later])
    assert errors == [ReadError(str(path), "Permission denied", id=path.stem)]
    assert [d.id for d in docs] == ["later"]


def test_other_extensions_given_explicitly_are_read_as_text(tmp_path: Path) -> None:
    path = write(tmp_path / "report.2023.md", REPORT)
    assert read_one(path) == Document(id="report.2023", text=REPORT, source=str(path))


def test_source_is_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "sub" / "r.txt", "报告")
    monkeypatch.chdir(tmp_path)
    assert read_one("sub/r.txt").source == "sub/r.txt"  # type: ignore[union-attr, arg-type]
    assert [d.source for d in read_documents(["sub"])[0]] == [os.path.join("sub", "r.txt")]


# ------------------------------------------------------------------ stdin


def test_stdin_text_is_one_document() -> None:
    stdin = io.BytesIO(REPORT.encode("gb18030"))
    assert list(iter_documents(["-"], stdin=stdin)) == [Document(id="stdin", text=REPORT, source="-")]


def test_stdin_jsonl_is_one_document_per_line() -> None:
    stdin = io.BytesIO(codecs.BOM_UTF8 + b'\n  {"id": 1, "text": "\xe7\x94\xb2"}\n{"id": 1, "text": "x"}\n')
    docs, errors = read_documents(["-"], stdin=stdin)
    assert docs == [Document(id="1", text="甲", source="-")]
    assert errors == [ReadError("-", "duplicate id '1' (first on line 2)", line=3, id="1")]


def test_empty_stdin_is_an_error() -> None:
    assert list(iter_documents(["-"], stdin=io.BytesIO(b""))) == [ReadError("-", "empty file")]


# ------------------------------------------------------------------ streaming


def test_iter_documents_is_lazy_and_survives_a_bad_first_input(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", "报告")
    stdin = io.BytesIO("标准输入".encode())
    items = iter_documents([tmp_path / "missing", good, "-"], stdin=stdin)
    assert inspect.isgenerator(items)
    assert stdin.tell() == 0  # nothing read before asked
    assert isinstance(next(items), ReadError)
    assert next(items) == Document(id="good", text="报告", source=str(good))
    assert stdin.tell() == 0  # stdin is only read when its turn comes
    assert next(items).text == "标准输入"  # type: ignore[union-attr]
    assert next(items, None) is None


def test_iter_documents_streams_an_endless_input_list(tmp_path: Path) -> None:
    path = write(tmp_path / "r.txt", "报告")
    first_three = list(itertools.islice(iter_documents(itertools.repeat(path)), 3))
    assert [d.id for d in first_three] == ["r", "r", "r"]  # type: ignore[union-attr]


def test_a_single_path_instead_of_a_list_is_a_type_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="not a single path"):
        iter_documents(str(tmp_path / "r.txt"))  # type: ignore[arg-type]


def test_read_documents_splits_documents_and_errors(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "甲")
    docs, errors = read_documents([a, tmp_path / "b.txt"])
    assert [d.id for d in docs] == ["a"]
    assert [e.message for e in errors] == ["no such file or folder"]
