"""What an uploaded file must be before it is kept: a clean photo or an office document.

The type comes from the bytes, never from the name or the client's content
type. Photos are decoded and encoded again, so nothing of the original file
survives but its pixels: no EXIF, no GPS position, no XMP, no thumbnail (a
photo's GPS can locate a woman who asked for help).
"""

import io
import unicodedata
import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

# A phone photo is 12-50 megapixels; more than this is a decompression bomb, not evidence.
MAX_PIXELS = 40_000_000
# A Word or Excel file is a zip; these bound what its reader would unpack.
MAX_ZIP_MEMBERS = 1000
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024
JPEG_QUALITY = 85

MIME = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Extensions a user's file name may carry for a type we accept: replaced by the real one.
KNOWN_EXTENSIONS = {"jpg", "jpeg", "jpe", "png", "webp", "pdf", "docx", "xlsx"}

REFUSED = _(
    "This kind of file can't be attached: use a photo (JPEG, PNG, WebP), "
    "a PDF or a Word/Excel file."
)
EMPTY = _("The file is empty.")
TOO_LARGE = _("The file is too large: at most %(limit)s MB can be attached.")
TOO_MANY_PIXELS = _("The photo is too large: at most %(limit)s megapixels.")
DAMAGED = _("The file is damaged or could not be read.")


def clean_upload(uploaded_file) -> tuple[ContentFile, str, str]:
    """The file to store, its extension and its MIME type; ValidationError if refused."""
    data = _read(uploaded_file)
    if data.startswith(b"%PDF-"):
        return ContentFile(data), "pdf", MIME["pdf"]
    if data.startswith(b"PK\x03\x04"):
        ext = _office_kind(data)
        return ContentFile(data), ext, MIME[ext]
    content, ext = _clean_image(data)
    return ContentFile(content), ext, MIME[ext]


def safe_name(name: str, ext: str) -> str:
    """The user's file name as shown on download: basename only, no control characters.

    Its extension is made the stored file's real one, so a PNG named
    ``x.exe`` downloads as ``x.exe.png`` and a WebP re-encoded as JPEG as
    ``x.jpg``: the name never tells the reader's computer to run the file.
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp"})
    base = base.strip().strip(".").strip()
    path = PurePosixPath(base or "file")
    stem = path.stem if path.suffix.lower().lstrip(".") in KNOWN_EXTENSIONS else path.name
    suffix = f".{ext}"
    return stem[: 255 - len(suffix)] + suffix


def too_large() -> ValidationError:
    limit = settings.ATTACHMENT_MAX_BYTES
    return ValidationError(TOO_LARGE, code="too_large", params={"limit": limit // 2**20})


def _read(uploaded_file) -> bytes:
    """All of the file's bytes, refusing an empty one or one over ATTACHMENT_MAX_BYTES."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise too_large()
    uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise too_large()
    if not data:
        raise ValidationError(EMPTY, code="empty")
    return data


def _office_kind(data: bytes) -> str:
    """``docx`` or ``xlsx`` for an Office Open XML zip; anything else is refused.

    Macro-enabled files (a ``vbaProject.bin`` inside) are refused too, and so
    are zips too large to unpack safely on the reader's computer.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise ValidationError(REFUSED, code="refused") from exc
    names = {member.filename for member in members}
    if (
        len(members) > MAX_ZIP_MEMBERS
        or sum(member.file_size for member in members) > MAX_ZIP_UNCOMPRESSED
        or "[Content_Types].xml" not in names
        or any(name.lower().endswith("vbaproject.bin") for name in names)
    ):
        raise ValidationError(REFUSED, code="refused")
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise ValidationError(REFUSED, code="refused")


def _clean_image(data: bytes) -> tuple[bytes, str]:
    """A JPEG, PNG or WebP photo decoded and encoded again, upright and without metadata."""
    try:
        image = _open_image(data)
        upright = ImageOps.exif_transpose(image)
        if image.format == "PNG" or (image.format == "WEBP" and upright.has_transparency_data):
            return _encode(upright, "PNG"), "png"
        return _encode(upright, "JPEG"), "jpg"
    except ValidationError:
        raise
    except UnidentifiedImageError as exc:
        raise ValidationError(REFUSED, code="refused") from exc
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except Exception as exc:
        # A truncated or malformed file: Pillow raises many kinds, all mean "unreadable".
        raise ValidationError(DAMAGED, code="damaged") from exc


def _open_image(data: bytes) -> Image.Image:
    """The decoded image, checked twice (``verify``, then a full decode) and size-capped."""
    formats = ["JPEG", "PNG", "WEBP"]
    with Image.open(io.BytesIO(data), formats=formats) as probe:
        probe.verify()
    image = Image.open(io.BytesIO(data), formats=formats)
    if image.width * image.height > MAX_PIXELS:
        raise _too_many_pixels()
    image.load()
    return image


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        TOO_MANY_PIXELS, code="too_many_pixels", params={"limit": MAX_PIXELS // 10**6}
    )


def _encode(image: Image.Image, fmt: str) -> bytes:
    """The pixels alone, copied into a new image so no metadata of the original can follow."""
    if image.mode not in {"JPEG": {"L", "RGB"}, "PNG": {"L", "LA", "RGB", "RGBA"}}[fmt]:
        keep_alpha = fmt == "PNG" and image.has_transparency_data
        image = image.convert("RGBA" if keep_alpha else "RGB")
    pixels = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        pixels.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        pixels.save(out, "PNG")
    return out.getvalue()
