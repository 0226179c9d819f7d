import io
import zipfile

from openpyxl import Workbook

# The people import's header as staff write it (apps/members/imports.py).
PEOPLE_HEADER = [
    "姓名",
    "性别",
    "民族",
    "身份证号",
    "手机号",
    "政治面貌",
    "文化程度",
    "职业",
    "住址",
    "组织代码",
]

# A station's past register as stations keep it (apps/rights/imports.py).
REGISTER_HEADER = [
    "接收站点",
    "接收日期",
    "来源渠道",
    "案件类别",
    "风险等级",
    "导入时状态",
    "结案方式",
    "结案日期",
    "求助人姓名",
    "同意记录身份",
    "同意转介",
    "案情",
]


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


SHEET = "xl/worksheets/sheet1.xml"
BOMB_CELL = b'<c r="A2" t="inlineStr"><is><t>\xe7\x82\xb8</t></is></c>'  # 炸, repeated


def bomb(unpacked: int = 200 * 2**20) -> bytes:
    """A workbook whose first sheet unpacks to ``unpacked`` bytes of one cell repeated, which
    deflate packs some 1,000 to one (200 MB into some 200 KB): written in steps, never held
    unpacked in memory."""
    source = xlsx(["姓名", "号码"], ["甲", "1"])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in original.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, original.read(info.filename))
        with target.open(SHEET, "w") as sheet:
            head = b'<worksheet><sheetData><row r="2">'
            sheet.write(head)
            step = BOMB_CELL * (2**20 // len(BOMB_CELL))
            written = len(head)
            while written + len(step) <= unpacked:
                sheet.write(step)
                written += len(step)
            sheet.write(b" " * (unpacked - written))
    return out.getvalue()
