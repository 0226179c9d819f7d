"""Reading the .xlsx sheets staff already keep: rows as dicts, headers in Chinese or English.

python-calamine (Rust) reads the sheet, some ten times faster than openpyxl, but only once the
archive has passed the limits of docs/api.md (Limits) — checked on the archive's bytes, before
anything parses it:

- the file at most 20 MB, at most 1,000 parts, 200 MB once unpacked: the sizes the archive
  declares, then the real ones (each part inflated and counted, stopping at the first byte past
  its declared size), and no part unpacking out of proportion to its packed size;
- no document type declaration (a DTD: entities, a billion laughs) in any part;
- every cell that holds a value says where it is, within 60 columns and the rows allowed.
  Calamine builds the sheet as one dense grid from its first to its last cell: one cell at
  XFD1048576 in a 5 KB file would ask for hundreds of gigabytes and end the process.
"""

import io
import re
import struct
import zlib
from typing import NamedTuple
from zipfile import ZIP_DEFLATED, ZIP_STORED, BadZipFile, LargeZipFile, ZipFile, ZipInfo

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, SheetTypeEnum

MAX_ROWS = 5000  # an admin page's import
LIMIT_ROWS = 100_000  # any import, a command's too (docs/api.md)
MAX_COLUMNS = 60
MAX_FILE_BYTES = 20 * 2**20
MAX_UNPACKED_BYTES = 200 * 2**20
MAX_PARTS = 1000
# Sheet XML packs some 5-20 to one; deflate can reach 1,000 to one. Small parts are left out:
# the total bounds them.
MAX_RATIO = 100
RATIO_FROM_BYTES = 2**20
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature … file name length, extra field length
_INFLATE_STEP = 2**20


class SheetError(ValueError):
    """The file as a whole cannot be read (not .xlsx, no header, too many rows)."""


class TooManyRows(SheetError):
    """The sheet has more rows than allowed: a page may hand it to a job instead."""


class Cell(NamedTuple):
    value: object  # str, float, bool, date, datetime, time or None (empty)
    is_number: bool
    text: str  # trimmed; a whole number without ".0"


_EMPTY = Cell(None, False, "")


def read_sheet(
    data: bytes, columns: dict[str, set[str]], *, max_rows: int | None = MAX_ROWS
) -> list[tuple[int, dict[str, Cell]]]:
    """The first sheet's rows after its header, as ``(row number, {column: Cell})``.

    ``columns`` maps each column's key to the header texts that name it
    (``{"username": {"用户名", "username"}}``). Blank rows are skipped.
    ``max_rows=None`` allows as many as any import may have (``LIMIT_ROWS``, for commands).
    """
    max_rows = LIMIT_ROWS if max_rows is None else min(max_rows, LIMIT_ROWS)
    check_archive(data, max_rows=max_rows)
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            index = next(
                (
                    index
                    for index, sheet in enumerate(workbook.sheets_metadata)
                    if sheet.typ == SheetTypeEnum.WorkSheet
                ),
                None,
            )
            if index is None:
                raise SheetError(_("The sheet is empty."))
            grid = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
    except SheetError:
        raise
    except BaseException as exc:  # calamine's errors, and a Rust panic (not an Exception)
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        raise SheetError(_("The file is not an .xlsx workbook.")) from exc
    return _rows(grid, columns, max_rows)


def _rows(grid: list[list], columns, max_rows: int):
    if not grid:
        raise SheetError(_("The sheet is empty."))
    names = {}
    for index, value in enumerate(grid[0]):
        name = _cell(value).text.lower()
        if name:
            names.setdefault(name, index)
    positions = {}
    for key, aliases in columns.items():
        found = [names[alias.lower()] for alias in aliases if alias.lower() in names]
        if not found:
            raise SheetError(
                _("The header has no column %(column)s.") % {"column": "/".join(sorted(aliases))}
            )
        positions[key] = found[0]
    if len(grid) > max_rows + 1:
        raise TooManyRows(too_many_rows(max_rows))
    # Column by column: a column's cells are made once per distinct text (most columns repeat
    # a few), then each row's dict; calamine's grid is rectangular.
    body = grid[1:]
    keys = list(positions)
    columns_of_cells = [_cells([row[index] for row in body]) for index in positions.values()]
    blank = (_EMPTY,) * len(keys)
    return [
        (number, dict(zip(keys, cells, strict=True)))
        for number, cells in enumerate(zip(*columns_of_cells, strict=True), start=2)
        if cells != blank
    ]


def _cells(values: list) -> list[Cell]:
    made: dict[str, Cell] = {}
    cells = []
    for value in values:
        if type(value) is str:
            cell = made.get(value)
            if cell is None:
                cell = made[value] = _cell(value)
        else:
            cell = _cell(value)
        cells.append(cell)
    return cells


def _cell(value) -> Cell:
    """The Cell of a value as calamine gives it: an empty cell is "", a number a float."""
    if value == "" or value is None:
        return _EMPTY
    if isinstance(value, bool):
        return Cell(value, False, str(value))
    if isinstance(value, int | float):
        text = str(int(value)) if isinstance(value, int) or value.is_integer() else str(value)
        return Cell(value, True, text)
    text = str(value).strip()
    return Cell(value, False, text) if text else _EMPTY


# The archive, before anything parses it.


def check_archive(data: bytes, *, max_rows: int = LIMIT_ROWS) -> None:
    """Raise SheetError unless ``data`` is a zip within the limits above, every part of it
    inflated and counted, no DTD in it, and every cell of its sheets within ``max_rows`` rows
    (after the header) and ``MAX_COLUMNS`` columns."""
    if len(data) > MAX_FILE_BYTES:
        raise SheetError(
            _("A workbook may be at most %(limit)d MB.") % {"limit": MAX_FILE_BYTES // 2**20}
        )
    try:
        with ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (BadZipFile, LargeZipFile, ValueError, OSError) as exc:
        raise SheetError(_("The file is not an .xlsx workbook.")) from exc
    if len(parts) > MAX_PARTS:
        raise SheetError(_("The workbook has too many parts to be a spreadsheet."))
    declared = 0
    for part in parts:
        declared += part.file_size
        if part.file_size >= RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(
            part.compress_size, 1
        ):
            raise SheetError(_out_of_proportion())
    if declared > MAX_UNPACKED_BYTES:
        raise SheetError(_too_large_unpacked())
    cells = _CellBounds(rows=max_rows + 1)
    for part in parts:
        xml = _inflate(data, part)
        if xml[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in xml[:4]:
            raise SheetError(_("The file is not an .xlsx workbook."))  # UTF-16: not scanned
        if b"<!" in xml and re.search(rb"<!\s*doctype", xml, re.IGNORECASE):
            raise SheetError(
                _(
                    "The workbook contains a document type declaration (DTD), which no "
                    "spreadsheet needs: open it in Excel or WPS and save it again."
                )
            )
        if b"sheetData" in xml:  # calamine reads cells only inside <sheetData>
            cells.check(xml)


def _inflate(data: bytes, part: ZipInfo) -> bytes:
    """The part's bytes, inflated from its packed bytes whatever its header says: refused as
    soon as they run past its declared size (a reader that trusts the header would go on)."""
    if part.flag_bits & 0x1 or part.compress_type not in (ZIP_STORED, ZIP_DEFLATED):
        raise SheetError(_("The file is not an .xlsx workbook."))  # encrypted, or not deflate
    try:
        signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, part.header_offset)
    except struct.error as exc:
        raise SheetError(_("The file is not an .xlsx workbook.")) from exc
    if signature != b"PK\x03\x04":
        raise SheetError(_("The file is not an .xlsx workbook."))
    start = part.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    packed = memoryview(data)[start : start + part.compress_size]
    if part.compress_type == ZIP_STORED:
        if len(packed) != part.file_size:
            raise SheetError(_out_of_proportion())
        return packed.tobytes()
    inflater, out, size = zlib.decompressobj(-zlib.MAX_WBITS), [], 0
    pending = packed
    try:
        while pending and not inflater.eof:
            chunk = inflater.decompress(pending, _INFLATE_STEP)
            pending = inflater.unconsumed_tail
            size += len(chunk)
            if size > part.file_size:
                raise SheetError(_out_of_proportion())
            out.append(chunk)
            if not chunk and not pending:
                break
    except zlib.error as exc:
        raise SheetError(_("The file is not an .xlsx workbook.")) from exc
    if size != part.file_size:
        raise SheetError(_("The file is not an .xlsx workbook."))
    return b"".join(out)


class _CellBounds:
    """Every ``<c>`` that can hold a value (calamine skips a self-closing one) has an ``r``
    within the bounds. Regular expressions that match only what breaks the rule, so a
    100,000-row sheet is searched at nearly the speed of a byte scan, not parsed."""

    ATTRIBUTE = rb"[^\s=<>/]+\s*=\s*(?:\"[^\"]*\"|'[^']*')"
    # A cell whose attributes have no r: calamine places it after the one before, anywhere.
    NO_POSITION = rb"c(?:\s+(?!r\s*=)" + ATTRIBUTE + rb")*\s*>"
    # A row number as long as the rows allowed or longer (compared in Python), or a column
    # past BH, the 60th (MAX_COLUMNS).
    ROW_DIGITS = rb"[A-Za-z]*0*(?P<row>[1-9][0-9]{%d,})"
    COLUMN_PAST_BH = rb"[A-Za-z]{3,}|[Bb][I-Zi-z]|[C-Zc-z][A-Za-z]"
    # Excel, WPS, LibreOffice and openpyxl write r first: quick to look at. A cell without
    # attributes has no r; where another comes first (elsewhere), the general expression.
    QUICK = rb"<c(?:>|\s+(?:r\s*=\s*%s[^>]*(?<!/)>|(?!r\s*=)(?P<elsewhere>)))"
    ANYWHERE = rb"c\s(?:[^>]*?\s)?r\s*=\s*%s[^>]*(?<!/)>"
    # A tag with a namespace prefix (<x:c …>, as some .NET libraries write) is rare: only then
    # the slower expression that allows one.
    PREFIX = rb"[^\s<>/:!?]+:"

    def __init__(self, *, rows: int):
        self.rows = rows
        far = rb"[\"'](?:%s|%s)" % (self.ROW_DIGITS % (len(str(rows)) - 1), self.COLUMN_PAST_BH)
        self.quick = re.compile(self.QUICK % far)
        self.general = re.compile(
            rb"<(?:%s)?(?:%s|%s)" % (self.PREFIX, self.NO_POSITION, self.ANYWHERE % far)
        )

    def check(self, xml: bytes) -> None:
        if re.search(rb":c[\s>]", xml) or not self._search(self.quick, xml):
            self._search(self.general, xml)

    def _search(self, expression, xml: bytes) -> bool:
        """Raise at the first cell out of bounds; False if some cell needs the general look."""
        for match in expression.finditer(xml):
            if match.groupdict().get("elsewhere") is not None:
                return False
            digits = match.group("row")
            if digits is not None and int(digits) <= self.rows:
                continue  # a long row number still within the rows allowed
            if digits is not None:
                raise TooManyRows(too_many_rows(self.rows - 1))
            if re.match(rb"<[^>]*\sr\s*=", match.group(0)):
                raise SheetError(
                    _("A sheet may have at most %(max)d columns.") % {"max": MAX_COLUMNS}
                )
            raise SheetError(
                _(
                    "Some cells of the sheet do not say where they are: open the file in Excel "
                    "or WPS and save it again."
                )
            )
        return True


def too_many_rows(limit: int) -> str:
    return _("A sheet may have at most %(max)d rows.") % {"max": limit}


def _out_of_proportion() -> str:
    return _("The workbook unpacks out of proportion to its size: it is not an ordinary sheet.")


def _too_large_unpacked() -> str:
    return _("A workbook may unpack to at most %(limit)d MB.") % {
        "limit": MAX_UNPACKED_BYTES // 2**20
    }
