from io import BytesIO

from openpyxl import Workbook


def xlsx(header, *rows) -> bytes:
    """An .xlsx file as a user would upload it: the header row, then the rows."""
    workbook = Workbook()
    workbook.active.append(list(header))
    for row in rows:
        workbook.active.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
