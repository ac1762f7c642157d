"""The table-file pipeline the imports share: reading, header mapping, row building, reports."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.core.tables import (
    READ_ERRORS,
    REPORT_LIMIT,
    SKIP,
    Columns,
    Parsed,
    Problem,
    RowRejected,
    TableFileError,
    TableReport,
    build_rows,
    cell_text,
    csv_rows,
    find_header,
    listing,
    run_file_import,
    show,
    table_rows,
)
from bot.db import Database

COLUMNS = Columns(
    {
        "title": ("岗位", "title"),
        "employer": ("单位", "employer"),
        "contact": ("联系人", "电话", "contact"),
        SKIP: ("序号",),
    },
    joined=("contact",),
)


def _workbook(*rows: Sequence[Any]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read(data: bytes, filename: str) -> list[tuple[int, list[Any]]]:
    _fmt, rows = table_rows(data, filename=filename, max_bytes=1024 * 1024)
    return list(rows)


# Reading


def test_a_gbk_csv_gives_its_non_blank_rows_with_their_lines() -> None:
    text = "本周岗位\n\n岗位,单位\n分拣员,某物流\n,\n保安,某物业\n"

    fmt, rows = table_rows(text.encode("gbk"), filename="岗位.csv", max_bytes=1024)

    assert fmt == "csv"
    assert list(rows) == [
        (1, ["本周岗位"]),
        (3, ["岗位", "单位"]),
        (4, ["分拣员", "某物流"]),
        (6, ["保安", "某物业"]),
    ]


def test_a_cell_over_several_lines_keeps_the_lines_of_the_rows_after_it() -> None:
    text = 'title,employer\n"line one\nline two",a\nb,c\n'

    assert list(csv_rows(text)) == [
        (1, ["title", "employer"]),
        (2, ["line one\nline two", "a"]),
        (4, ["b", "c"]),
    ]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [("a;b;c\n1;2;3\n", ";"), ("a\tb\tc\n1\t2,5\t3\n", "\t"), ("a,b\n1,2\n", ",")],
)
def test_the_csv_delimiter_is_the_one_most_used(text: str, delimiter: str) -> None:
    assert list(csv_rows(text))[0][1] == text.splitlines()[0].split(delimiter)


def test_a_given_delimiter_is_used_as_it_is() -> None:
    assert list(csv_rows("a;b,c\n", ",")) == [(1, ["a;b", "c"])]


def test_a_workbook_gives_the_rows_of_its_first_sheet_by_row_number() -> None:
    data = _workbook(["本周岗位"], [], ["岗位", "单位"], ["分拣员", 3.0])

    fmt, rows = table_rows(data, filename="list.bin", max_bytes=1024 * 1024)

    assert fmt == "xlsx"
    assert list(rows) == [(1, ["本周岗位", None]), (3, ["岗位", "单位"]), (4, ["分拣员", 3.0])]


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        pytest.param(b"", "a.csv", "file-empty", id="empty"),
        pytest.param(b" \r\n ", "a.csv", "file-empty", id="blank"),
        pytest.param("\ufeff".encode(), "a.csv", "file-empty", id="only-a-bom"),
        pytest.param(b"\xd0\xcf\x11\xe0 old", "a.csv", "file-old-excel", id="xls"),
        pytest.param(b"a,b\n\x00\x01", "a.csv", "file-binary", id="nul"),
        pytest.param(b"\xff\xfe\x00\xd8", "a.csv", "file-encoding", id="bad-utf16"),
        pytest.param(b"PK\x03\x04 broken", "a.xlsx", "file-bad-xlsx", id="broken-xlsx"),
        pytest.param(b"not a workbook", "a.xlsx", "file-bad-xlsx", id="xlsx-name"),
    ],
)
def test_an_unreadable_file_is_refused_with_its_reason(
    data: bytes, filename: str, reason: str
) -> None:
    with pytest.raises(TableFileError) as caught:
        _read(data, filename)

    assert caught.value.reason == reason
    assert reason in READ_ERRORS


def test_a_file_over_the_limit_is_refused_with_its_size() -> None:
    with pytest.raises(TableFileError) as caught:
        table_rows(b"x" * (3 * 1024 * 1024), filename="a.csv", max_bytes=2 * 1024 * 1024)

    assert (caught.value.reason, caught.value.detail) == ("file-too-large", "3.0 MB")


def test_cells_are_read_as_one_line_of_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(12.0) == "12"
    assert cell_text(True) == "true"
    assert cell_text(datetime(2026, 1, 2)) == "2026-01-02"
    assert cell_text(date(2026, 1, 2)) == "2026-01-02"
    assert cell_text("  a \n b ") == "a b"


def test_a_quoted_value_is_cut_short_and_non_text_is_written_as_json() -> None:
    assert show("x" * 50) == "x" * 39 + "…"
    assert show("short") == "short"
    assert show(["经度", 1]) == '["经度", 1]'


# Columns


def test_a_header_maps_names_by_their_folded_form_and_lists_the_rest() -> None:
    header = COLUMNS.header(3, ["序号", "岗位（必填）", "ＴＩＴＬＥ", "Employer", "", "备注"])

    assert header.line == 3
    assert header.columns == {1: "title", 3: "employer"}
    assert header.ignored == (2, 5)  # a second title column, and an unknown one
    assert header.fields == {"title", "employer"}


def test_a_joined_field_takes_every_column_naming_it() -> None:
    header = COLUMNS.header(1, ["联系人", "电话", "岗位"])

    assert header.columns == {0: "contact", 1: "contact", 2: "title"}
    assert header.ignored == ()


def test_columns_may_compare_names_their_own_way() -> None:
    columns = Columns({"name": ("name",)}, key=str.strip)

    assert columns.field(" name ") == "name"
    assert columns.field("Name") is None


def test_the_header_is_found_below_title_rows_and_the_rows_after_it_remain() -> None:
    rows = iter([(1, ["本周岗位"]), (2, ["岗位", "单位"]), (3, ["分拣员", "某物流"])])

    header = find_header(rows, COLUMNS, naming="title", search=5)

    assert (header.line, header.columns) == (2, {0: "title", 1: "employer"})
    assert list(rows) == [(3, ["分拣员", "某物流"])]


def test_without_a_header_in_the_rows_searched_the_first_row_comes_back() -> None:
    rows = iter([(1, ["a"]), (2, ["b"]), (3, ["岗位"])])

    header = find_header(rows, COLUMNS, naming="title", search=2)

    assert (header.line, header.cells, header.fields) == (1, ["a"], set())


def test_a_file_without_rows_has_no_header() -> None:
    with pytest.raises(TableFileError) as caught:
        find_header(iter([]), COLUMNS, naming="title", search=5)

    assert caught.value.reason == "file-empty"


# Rows


@dataclass(frozen=True, slots=True)
class Numbered(Problem):
    """A problem of another kind, as an import may list its rejected rows."""


def _build(line: int, value: str, warnings: list[Problem]) -> str:
    if not value:
        raise RowRejected("missing", "col")
    if value.isupper():
        warnings.append(Problem(line, "shouting", value))
    return value.lower()


def test_rows_are_built_in_order_collecting_rejections_and_warnings() -> None:
    parsed: Parsed[str] = Parsed(format="csv")
    records = [(2, "a"), (3, ""), (4, "B")]

    rows = list(build_rows(records, _build, parsed, max_rows=10, problem=Numbered))

    assert rows == ["a", "b"]
    assert parsed.rejected == [Numbered(3, "missing", "col")]
    assert parsed.warnings == [Problem(4, "shouting", "B")]


def test_a_rejected_row_leaves_no_warning() -> None:
    def build(line: int, value: str, warnings: list[Problem]) -> str:
        warnings.append(Problem(line, "odd"))
        raise RowRejected("bad")

    parsed: Parsed[str] = Parsed(format="csv")

    assert list(build_rows([(1, "x")], build, parsed, max_rows=10)) == []
    assert (parsed.rejected, parsed.warnings) == ([Problem(1, "bad")], [])


def test_more_records_than_allowed_refuse_the_file() -> None:
    parsed: Parsed[str] = Parsed(format="csv")
    records = [(line, "x") for line in range(1, 2000)]

    with pytest.raises(TableFileError) as caught:
        list(build_rows(records, _build, parsed, max_rows=1500))

    assert (caught.value.reason, caught.value.detail) == ("file-too-many-rows", "1,500")


# Reports


def test_a_listing_shows_the_first_entries_and_counts_the_rest() -> None:
    entries = list(range(REPORT_LIMIT + 3))

    lines = listing(entries, lambda n: f"row {n}", lambda more: f"{more} more")

    assert lines[0] == "  row 0"
    assert lines[REPORT_LIMIT - 1] == f"  row {REPORT_LIMIT - 1}"
    assert lines[REPORT_LIMIT:] == ["  3 more"]
    assert listing([1], str, str) == ["  1"]


def test_a_report_counts_what_was_added_updated_unchanged_and_rejected() -> None:
    report = TableReport(added=2, updated=1, rejected=[Problem(3, "bad")])

    assert report.counts() == {"added": 2, "updated": 1, "unchanged": 0, "rejected": 1}


# The command line


@dataclass
class _Report:
    text: str

    def render(self, lang: str) -> str:
        return f"{lang}: {self.text}"


def _database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'tables.sqlite3'}"


def _refused_text(err: TableFileError, lang: str) -> str:
    return f"refused in {lang}: {err.reason} {err.detail}".strip()


def _reason_text(err: TableFileError, lang: str) -> str:
    return f"{err.reason} in {lang}: {err.detail}"


async def test_the_command_line_import_prints_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"a,b\n")
    seen: list[bytes] = []

    async def run(db: Database, data: bytes) -> _Report:
        seen.append(data)
        return _Report("done")

    code = await run_file_import(
        _database_url(tmp_path),
        path,
        run,
        max_bytes=1024,
        refused=_refused_text,
        reason=_reason_text,
        lang="en",
    )

    assert (code, seen) == (0, [b"a,b\n"])
    assert capsys.readouterr().out == "en: done\n"


async def test_the_command_line_import_exits_1_for_a_refused_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"a,b\n")

    async def run(db: Database, data: bytes) -> _Report:
        raise TableFileError("file-no-title-column", "a, b")

    async def never(db: Database, data: bytes) -> _Report:
        raise AssertionError("a file over the limit is not imported")

    url = _database_url(tmp_path)
    common: dict[str, Any] = {"refused": _refused_text, "reason": _reason_text, "lang": "en"}
    assert await run_file_import(url, path, run, max_bytes=1024, **common) == 1
    assert await run_file_import(url, path, never, max_bytes=2, **common) == 1

    err = capsys.readouterr().err.splitlines()
    assert err == [
        "refused in en: file-no-title-column a, b",
        "refused in en: file-too-large 0.0 MB",
    ]


async def test_the_command_line_import_exits_2_when_the_file_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def never(db: Database, data: bytes) -> _Report:
        raise AssertionError("nothing to import")

    code = await run_file_import(
        _database_url(tmp_path),
        tmp_path / "missing.csv",
        never,
        max_bytes=1024,
        refused=_refused_text,
        reason=_reason_text,
        lang="en",
    )

    assert code == 2
    assert capsys.readouterr().err.startswith("file-unreadable in en: missing.csv: ")
