"""Reading .xlsx sheets (apps/core/xlsx.py): the cells as imports see them, and the archive
refused before anything parses it when it breaks docs/api.md's limits."""

import datetime
import io
import random
import re
import struct
import zipfile

import pytest
from django.utils import translation

from apps.core import xlsx
from apps.core.xlsx import Cell, SheetError, check_archive, read_sheet
from tests.factories.xlsx import bomb, rebuilt
from tests.factories.xlsx import xlsx as workbook

COLUMNS = {"name": {"姓名", "name"}, "number": {"号码"}}
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def never_parsed(monkeypatch):
    """Fails the test if calamine is asked to read: the archive must be refused before."""

    class Refuse:
        @staticmethod
        def from_filelike(*args, **kwargs):
            raise AssertionError("the archive was parsed")

    monkeypatch.setattr(xlsx, "CalamineWorkbook", Refuse)


def with_cells(cells: str) -> bytes:
    """A one-column workbook whose sheet data is ``cells`` (rows of ``<c>`` as written)."""
    data = workbook(["姓名", "号码"], ["甲", "1"])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read(SHEET).decode()
    sheet_data = re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{cells}</sheetData>", sheet)
    return rebuilt(data, **{SHEET: sheet_data.encode()})


HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>号码</t></is></c></row>'
)


def refusal(data: bytes, **options) -> str:
    with pytest.raises(SheetError) as refused:
        read_sheet(data, COLUMNS, **options)
    return str(refused.value)


# The cells


def test_cells_are_what_an_import_reads_numbers_dates_and_text():
    born = datetime.date(1980, 5, 17)
    data = workbook(
        ["姓名", "号码", "生日"],
        ["  张秀英 ", 13912345678, born],
        [None, None, None],  # blank: skipped, still counted
        ["李桂兰", 1.5, True],
    )

    rows = read_sheet(data, {**COLUMNS, "born": {"生日"}})

    assert [number for number, _cells in rows] == [2, 4]
    first, second = rows[0][1], rows[1][1]
    assert first["name"] == Cell("  张秀英 ", False, "张秀英")
    assert first["number"] == Cell(13912345678.0, True, "13912345678")
    assert first["born"].value in (born, datetime.datetime(1980, 5, 17))
    assert (second["number"].text, second["number"].is_number) == ("1.5", True)
    assert (second["born"].text, second["born"].is_number) == ("True", False)  # not a number


def test_an_empty_cell_has_no_value_and_no_text():
    rows = read_sheet(workbook(["姓名", "号码"], ["甲", None], ["", "2"]), COLUMNS)

    assert rows[0][1]["number"] == Cell(None, False, "")
    assert rows[1][1]["name"] == Cell(None, False, "")


def test_a_header_is_found_in_any_case_and_a_missing_one_is_named():
    assert read_sheet(workbook(["NAME", "号码"], ["甲", 1]), COLUMNS)[0][1]["name"].text == "甲"
    assert refusal(workbook(["姓名"], ["甲"])) == "The header has no column 号码."


def test_the_rows_past_a_pages_limit_are_refused_before_the_sheet_is_parsed(never_parsed):
    data = workbook(["姓名", "号码"], *([["甲", 1]] * 6))

    assert refusal(data, max_rows=5) == "A sheet may have at most 5 rows."


def test_a_command_may_read_up_to_the_products_limit(monkeypatch):
    monkeypatch.setattr(xlsx, "LIMIT_ROWS", 3)
    data = workbook(["姓名", "号码"], *([["甲", 1]] * 4))

    within = workbook(["姓名", "号码"], *([["甲", 1]] * 3))

    assert refusal(data, max_rows=None) == "A sheet may have at most 3 rows."
    assert len(read_sheet(within, COLUMNS, max_rows=None)) == 3


# The archive's limits, before parsing


def test_a_file_over_20_mb_is_refused_unread(never_parsed):
    assert refusal(b"PK\x03\x04" + bytes(20 * 2**20)) == "A workbook may be at most 20 MB."


def test_what_is_not_a_zip_is_not_a_workbook(never_parsed):
    assert refusal(b"name,number\n") == "The file is not an .xlsx workbook."


def test_a_workbook_that_unpacks_past_the_limit_is_refused(never_parsed, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_UNPACKED_BYTES", 2**20)
    noise = random.Random(1).randbytes(2**20)  # noqa: S311 - packs no smaller, in proportion
    data = rebuilt(workbook(["姓名", "号码"]), **{"xl/media/noise.bin": noise})

    assert refusal(data) == "A workbook may unpack to at most 1 MB."


def test_a_part_that_unpacks_out_of_proportion_is_refused(never_parsed):
    data = rebuilt(workbook(["姓名", "号码"]), **{"xl/media/notes.xml": bytes(4 * 2**20)})

    assert refusal(data) == (
        "The workbook unpacks out of proportion to its size: it is not an ordinary sheet."
    )


def lying_about(data: bytes, name: str, size: int) -> bytes:
    """``data`` whose headers say part ``name`` unpacks to ``size`` bytes."""
    data = bytearray(data)
    encoded = name.encode()
    for match in re.finditer(rb"PK\x01\x02", data):  # the central directory's entries
        start = match.start()
        length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + length] == encoded:
            struct.pack_into("<I", data, start + 24, size)
            local = struct.unpack_from("<I", data, start + 42)[0]
            struct.pack_into("<I", data, local + 22, size)
    return bytes(data)


def test_a_part_that_unpacks_past_its_declared_size_is_refused(never_parsed):
    padded = rebuilt(workbook(["姓名", "号码"]), **{"xl/media/notes.xml": b" " * 3 * 2**20})
    data = lying_about(padded, "xl/media/notes.xml", 1000)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/media/notes.xml").file_size == 1000

    assert refusal(data) == (
        "The workbook unpacks out of proportion to its size: it is not an ordinary sheet."
    )


def test_a_sheet_bomb_is_refused_by_its_proportion_before_anything_is_inflated(
    never_parsed, monkeypatch
):
    """200 MB of one cell repeated, packed into some 200 KB (issue 10, item 3): its sizes as
    the archive declares them are enough; no part is inflated (bench/README.md: the time)."""
    data = bomb()
    sheet = zipfile.ZipFile(io.BytesIO(data)).getinfo(SHEET)
    assert len(data) < 2**20 and sheet.file_size == 200 * 2**20
    monkeypatch.setattr(xlsx, "_inflate", lambda *args: pytest.fail("a part was inflated"))

    assert refusal(data) == (
        "The workbook unpacks out of proportion to its size: it is not an ordinary sheet."
    )


def test_a_sheet_bomb_that_declares_a_small_size_is_refused_past_it(never_parsed, monkeypatch):
    """The same bomb whose headers say 1,000 bytes: inflated in 1 MB steps, it is refused at
    the first step past its declared size, some 1 MB in, never at 200 MB."""
    data = lying_about(bomb(), SHEET, 1000)
    inflated = []
    decompressobj = xlsx.zlib.decompressobj

    class Counting:
        def __init__(self, *args):
            self.inflater = decompressobj(*args)

        def decompress(self, data, max_length):
            chunk = self.inflater.decompress(data, max_length)
            inflated.append(len(chunk))
            return chunk

        def __getattr__(self, name):
            return getattr(self.inflater, name)

    monkeypatch.setattr(xlsx.zlib, "decompressobj", Counting)

    assert refusal(data) == (
        "The workbook unpacks out of proportion to its size: it is not an ordinary sheet."
    )
    assert sum(inflated) <= 2 * xlsx._INFLATE_STEP


def test_a_workbook_of_too_many_parts_is_refused(never_parsed):
    parts = {f"xl/media/part{n}.xml": b"<a/>" for n in range(xlsx.MAX_PARTS)}

    assert refusal(rebuilt(workbook(["姓名", "号码"]), **parts)) == (
        "The workbook has too many parts to be a spreadsheet."
    )


def test_a_sheet_with_a_document_type_declaration_is_refused(never_parsed):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><sst/>'
    )
    data = rebuilt(workbook(["姓名", "号码"]), **{"xl/sharedStrings.xml": laughs})

    assert refusal(data) == (
        "The workbook contains a document type declaration (DTD), which no spreadsheet needs: "
        "open it in Excel or WPS and save it again."
    )


# Cells out of bounds: calamine would build the sheet as one grid from the first to the last


@pytest.mark.parametrize(
    "far",
    [
        '<c r="XFD2" t="inlineStr"><is><t>x</t></is></c>',
        '<c r="AAAAAAAAA2"><v>1</v></c>',
        '<c r="BI2"><v>1</v></c>',  # column 61
        "<c r='bi2'><v>1</v></c>",
        '<c t="n" r="CA2"><v>1</v></c>',  # r not first
        '<x:c xmlns:x="urn:x" r="ZZ2"><x:v>1</x:v></x:c>',  # a namespace prefix
    ],
)
def test_a_cell_past_the_60th_column_is_refused(never_parsed, far):
    assert refusal(with_cells(f'{HEADER}<row r="2">{far}</row>')) == (
        "A sheet may have at most 60 columns."
    )


@pytest.mark.parametrize(
    "far",
    [
        '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',  # 17 billion cells
        '<c r="A1048576"><v>1</v></c>',
        '<c r="A0000100002"><v>1</v></c>',
        '<c s="1" r="B100002" t="n"><v>1</v></c>',
    ],
)
def test_a_cell_past_the_rows_allowed_is_refused(never_parsed, far):
    assert refusal(with_cells(f'{HEADER}<row r="2">{far}</row>'), max_rows=None) == (
        "A sheet may have at most 100000 rows."
    )


@pytest.mark.parametrize("cell", ["<c><v>1</v></c>", '<c t="n"><v>1</v></c>'])
def test_a_cell_that_does_not_say_where_it_is_is_refused(never_parsed, cell):
    assert refusal(with_cells(f'{HEADER}<row r="2">{cell}</row>')) == (
        "Some cells of the sheet do not say where they are: open the file in Excel or WPS and "
        "save it again."
    )


def test_cells_that_cannot_hold_a_value_may_be_anywhere():
    """A self-closing cell (a format without a value) is skipped by the reader."""
    cells = (
        f'{HEADER}<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c>'
        '<c r="B2"><v>7</v></c><c r="XFD2" s="1"/><c s="2"/></row>'
        '<row r="1048576"><c r="A1048576" s="1"/></row>'
    )

    assert read_sheet(with_cells(cells), COLUMNS) == [
        (2, {"name": Cell("甲", False, "甲"), "number": Cell(7.0, True, "7")})
    ]


def test_attributes_in_another_order_are_read_within_bounds():
    cells = (
        f'{HEADER}<row r="2"><c t="inlineStr" r="A2"><is><t>甲</t></is></c>'
        '<c s="0" r = "B2"><v>7</v></c></row>'
    )

    assert read_sheet(with_cells(cells), COLUMNS)[0][1]["number"].text == "7"


def test_the_check_speaks_chinese():
    with translation.override("zh-hans"), pytest.raises(SheetError) as refused:
        check_archive(b"name,number\n")

    assert str(refused.value) == "该文件不是.xlsx格式的Excel工作簿。"
