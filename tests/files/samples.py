"""Files as a phone, an office suite or an attacker would send them."""

import io
import zipfile

from PIL import ExifTags, Image

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode."
TEXT = "这不是照片，只是一段文字。\n".encode()


def gps_exif(orientation: int | None = None) -> Image.Exif:
    """A phone's EXIF: maker, where the photo was taken and, if given, how to turn it."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (30.0, 15.0, 7.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (120.0, 9.0, 3.0),
    }
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    return exif


def two_colour_image(mode: str = "RGB", size=(40, 20)) -> Image.Image:
    """Red on the left half, blue on the right: a turn shows where the halves went."""
    image = Image.new("RGB", size, "red")
    image.paste("blue", (size[0] // 2, 0, size[0], size[1]))
    return image.convert(mode)


def photo(fmt: str = "JPEG", *, orientation: int | None = None, mode: str = "RGB") -> bytes:
    """A photo with GPS in its EXIF (and XMP where the format keeps it)."""
    out = io.BytesIO()
    two_colour_image(mode).save(out, fmt, exif=gps_exif(orientation), xmp=XMP)
    return out.getvalue()


def office(kind: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .docx or .xlsx: a zip holding [Content_Types].xml and its main part."""
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind]
    members = {"[Content_Types].xml": b"<Types/>", main: b"<document/>", **(extra or {})}
    return zip_of(members)


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def has_metadata(data: bytes) -> bool:
    image = Image.open(io.BytesIO(data))
    return bool(image.getexif()) or b"Exif" in data or b"xmpmeta" in data or b"PhoneMaker" in data
