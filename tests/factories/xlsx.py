import io
import zipfile

from openpyxl import Workbook


def xlsx(header, *rows) -> bytes:
    """An .xlsx file as a user would upload it: the header row, then the rows."""
    workbook = Workbook()
    workbook.active.append(list(header))
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rebuilt(data: bytes, **parts: bytes) -> bytes:
    """The workbook ``data`` with parts replaced or added, by name; "__" stands for "/"
    (``rebuilt(data, xl__sharedStrings__xml=…)``) or pass ``**{"xl/…": …}``."""
    parts = {name.replace("__", "/"): content for name, content in parts.items()}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, parts.pop(info.filename, source.read(info.filename)))
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()
