"""clean_upload: the type from the bytes, photos re-encoded without metadata, the rest refused."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.files import uploads
from apps.files.uploads import clean_upload, safe_name
from tests.files.samples import EXE, PDF, TEXT, has_metadata, office, photo, zip_of

REFUSED = (
    "This kind of file can't be attached: use a photo (JPEG, PNG, WebP), "
    "a PDF or a Word/Excel file."
)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def upload(data: bytes, name: str = "upload.bin", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def cleaned(data: bytes, name: str = "upload.bin") -> tuple[bytes, str, str]:
    content, ext, mime = clean_upload(upload(data, name))
    return content.read(), ext, mime


def refusal(data: bytes, name: str = "upload.bin") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        clean_upload(upload(data, name))
    return caught.value.messages


# Photos.


def test_a_jpeg_loses_its_exif_gps_and_xmp_and_stays_a_jpeg():
    original = photo("JPEG")
    assert has_metadata(original)  # the sample does carry what must go

    data, ext, mime = cleaned(original, "IMG_0001.jpg")

    assert (ext, mime) == ("jpg", "image/jpeg")
    assert not has_metadata(data)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == (40, 20)


def test_the_orientation_is_applied_to_the_pixels():
    # EXIF orientation 6: turn 90° clockwise to show; the red left half ends up on top.
    data, _, _ = cleaned(photo("JPEG", orientation=6))

    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.size == (20, 40)
    top, bottom = image.getpixel((10, 5)), image.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P"])
def test_a_png_stays_a_png_without_metadata(mode):
    original = photo("PNG", mode=mode)
    assert has_metadata(original)

    data, ext, mime = cleaned(original)

    assert (ext, mime) == ("png", "image/png")
    assert not has_metadata(data)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (40, 20)


def transparent(fmt: str) -> bytes:
    image = Image.new("RGBA", (8, 8), (255, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, fmt, lossless=True)
    return out.getvalue()


def test_a_png_keeps_its_transparency():
    data, _, _ = cleaned(transparent("PNG"))

    assert Image.open(io.BytesIO(data)).getpixel((0, 0))[3] == 0


def test_a_webp_photo_becomes_a_jpeg_without_metadata():
    data, ext, mime = cleaned(photo("WEBP"))

    assert (ext, mime) == ("jpg", "image/jpeg")
    assert not has_metadata(data)


def test_a_webp_with_transparency_becomes_a_png_that_keeps_it():
    data, ext, _ = cleaned(transparent("WEBP"))

    assert ext == "png"
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.getpixel((0, 0))[3] == 0


def test_a_cmyk_jpeg_is_stored_as_rgb():
    data, ext, _ = cleaned(photo("JPEG", mode="CMYK"))

    assert ext == "jpg"
    assert Image.open(io.BytesIO(data)).mode == "RGB"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt):
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, fmt)

    assert refusal(out.getvalue(), "photo.jpg") == [REFUSED]


def test_a_truncated_jpeg_is_refused_as_damaged():
    data = photo("JPEG")

    assert refusal(data[: len(data) // 2]) == ["The file is damaged or could not be read."]


def test_a_photo_over_the_pixel_cap_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS", 799)  # the sample has 800 pixels

    assert refusal(photo("PNG")) == ["The photo is too large: at most 0 megapixels."]


def test_a_decompression_bomb_is_refused(monkeypatch):
    # Pillow's own guard raises DecompressionBombError past twice MAX_IMAGE_PIXELS.
    monkeypatch.setattr(uploads, "MAX_PIXELS", 10**9)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)

    assert refusal(photo("PNG")) == ["The photo is too large: at most 1000 megapixels."]


# Documents.


def test_a_pdf_is_kept_as_sent():
    assert cleaned(PDF, "报告.pdf") == (PDF, "pdf", "application/pdf")


@pytest.mark.parametrize(
    ("kind", "mime"),
    [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_word_and_excel_files_are_kept_as_sent(kind, mime):
    data = office(kind)

    assert cleaned(data) == (data, kind, mime)


def test_a_real_excel_file_is_an_xlsx():
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)

    assert cleaned(out.getvalue())[1] == "xlsx"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(zip_of({"notes.txt": b"hello"}), id="a zip without [Content_Types].xml"),
        pytest.param(zip_of({"[Content_Types].xml": b"<Types/>"}), id="neither Word nor Excel"),
        pytest.param(office("docx", extra={"word/vbaProject.bin": b"macro"}), id="macro-enabled"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 50, id="a broken zip"),
    ],
)
def test_other_zips_are_refused(data):
    assert refusal(data, "report.docx") == [REFUSED]


def test_a_zip_with_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ZIP_MEMBERS", 2)

    assert refusal(office("xlsx", extra={"xl/sheet1.xml": b"<x/>"})) == [REFUSED]


def test_a_zip_that_unpacks_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ZIP_UNCOMPRESSED", 1000)

    assert refusal(office("docx", extra={"word/big.xml": b" " * 2000})) == [REFUSED]


# Everything else.


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(EXE, "setup.exe", id="a program"),
        pytest.param(EXE, "photo.jpg", id="a program named .jpg"),
        pytest.param(TEXT, "photo.jpg", id="text named .jpg"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png", id="svg"),
        pytest.param(b"<html><script>alert(1)</script></html>", "page.pdf", id="html"),
    ],
)
def test_anything_else_is_refused_whatever_its_name(data, name):
    assert refusal(data, name) == [REFUSED]


def test_an_empty_file_is_refused():
    assert refusal(b"", "empty.pdf") == ["The file is empty."]


def test_a_file_over_the_limit_is_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * 2**20

    messages = refusal(PDF + b" " * (2 * 2**20), "big.pdf")

    assert messages == ["The file is too large: at most 2 MB can be attached."]


def test_a_file_of_exactly_the_limit_is_accepted(settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    data = PDF + b" " * (1000 - len(PDF))

    assert cleaned(data)[1] == "pdf"


def test_a_file_whose_size_lies_is_still_measured(settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    file = upload(PDF + b" " * 200)
    file.size = 10

    with pytest.raises(ValidationError):
        clean_upload(file)


# The name shown on download.


@pytest.mark.parametrize(
    ("name", "ext", "expected"),
    [
        ("家访照片.jpg", "jpg", "家访照片.jpg"),
        ("IMG_0001.JPEG", "jpg", "IMG_0001.jpg"),
        ("scan.webp", "jpg", "scan.jpg"),
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ("C:\\Users\\王芳\\Desktop\\证明.pdf", "pdf", "证明.pdf"),
        ("a\x00b\r\nc\t.pdf", "pdf", "abc.pdf"),
        ("invoice\u202egpj.exe", "png", "invoicegpj.exe.png"),
        ("evil.exe", "png", "evil.exe.png"),
        ("report.v2", "pdf", "report.v2.pdf"),
        ("", "jpg", "file.jpg"),
        ("/", "jpg", "file.jpg"),
        ("...", "pdf", "file.pdf"),
    ],
)
def test_the_shown_name_is_a_safe_basename_with_the_real_extension(name, ext, expected):
    assert safe_name(name, ext) == expected


def test_a_long_name_is_cut_to_255_characters_keeping_the_extension():
    name = safe_name("长" * 300 + ".pdf", "pdf")

    assert len(name) == 255
    assert name.endswith("长.pdf")
