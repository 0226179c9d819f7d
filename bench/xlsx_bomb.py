"""The refusal of a spreadsheet bomb, timed and its memory measured (issue 10, item 3).

    .venv/bin/python -m bench.xlsx_bomb --make var/bomb.xlsx [--unpacked-mb 200] [--lying]
    /usr/bin/time -v .venv/bin/python -m bench.xlsx_bomb var/bomb.xlsx

The first makes a workbook whose first sheet is one cell repeated to ``--unpacked-mb`` MB
(deflate packs it some 350 to one); ``--lying`` rewrites its headers to say the sheet unpacks
to 1,000 bytes, so that the refusal comes from inflating it (stopped past its declared size),
not from its declared proportion. The second hands the file to ``apps.core.xlsx.read_sheet``
as every import does and prints the refusal and the time it took; ``/usr/bin/time -v`` gives
the process's peak memory ("Maximum resident set size").

Measured on the 2-core development machine under a load of about 7 (December 2026): 200 MB
packed into 597 KB is refused in 1.0 ms by its declared proportion, in 46 ms when its headers
lie (inflated 1 MB, then stopped); peak memory 137.6 MB and 140.2 MB, against 137.1 MB for
the same process refusing a one-byte file: the refusal itself costs under 3 MB. Before these
checks an import page spent 128 s and 1.2 GB on such a file (issue 10).
"""

import argparse
import io
import os
import re
import struct
import sys
import time
import zipfile

CELL = b'<c r="A2" t="inlineStr"><is><t>\xe7\x82\xb8</t></is></c>'
SHEET = "xl/worksheets/sheet1.xml"
PARTS = {
    "[Content_Types].xml": (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
    ),
    "xl/workbook.xml": b'<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
    b"</workbook>",
}


def bomb(unpacked: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in PARTS.items():
            archive.writestr(name, content)
        with archive.open(SHEET, "w") as sheet:
            step = CELL * (2**20 // len(CELL))
            written = 0
            while written + len(step) <= unpacked:
                sheet.write(step)
                written += len(step)
            sheet.write(b" " * (unpacked - written))
    return out.getvalue()


def lying(data: bytes, name: str, size: int) -> bytes:
    """``data`` whose central directory and local header say ``name`` unpacks to ``size``."""
    data = bytearray(data)
    for match in re.finditer(rb"PK\x01\x02", data):
        start = match.start()
        length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + length] == name.encode():
            struct.pack_into("<I", data, start + 24, size)
            struct.pack_into("<I", data, struct.unpack_from("<I", data, start + 42)[0] + 22, size)
    return bytes(data)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.xlsx_bomb")
    parser.add_argument("file", nargs="?")
    parser.add_argument("--make", metavar="PATH")
    parser.add_argument("--unpacked-mb", type=int, default=200)
    parser.add_argument("--lying", action="store_true")
    options = parser.parse_args(argv)
    if options.make:
        data = bomb(options.unpacked_mb * 2**20)
        if options.lying:
            data = lying(data, SHEET, 1000)
        with open(options.make, "wb") as out:
            out.write(data)
        print(f"{options.make}: {len(data) / 1024:.0f} KB, {options.unpacked_mb} MB unpacked")
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federation.settings_test")
    os.environ.setdefault("DATABASE_URL", "postgres://unused/x")  # nothing here asks it
    import django

    django.setup()
    from apps.core.xlsx import SheetError, read_sheet

    with open(options.file, "rb") as source:
        data = source.read()
    started = time.perf_counter()
    try:
        read_sheet(data, {"name": {"姓名"}})
    except SheetError as exc:
        outcome = f"refused: {exc}"
    else:
        outcome = "READ (not refused)"
    seconds = time.perf_counter() - started
    print(f"{outcome} in {seconds * 1000:.1f} ms")
    return 0 if outcome.startswith("refused") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
