"""{id}/attachments/ on a resource: uploads cleaned, files read only through the record."""

import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from rest_framework.parsers import MultiPartParser
from rest_framework.test import APIClient

from apps.files import services, uploads
from apps.files.models import Attachment, Download
from apps.organizations.roles import Role
from apps.organizations.scoping import scoped
from tests.files.samples import EXE, PDF, TEXT, has_metadata, photo
from tests.files.urls import OrganizationWithFiles

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.files.urls")]

URL = "/api/v1/organizations-with-files/"
REFUSED = (
    "This kind of file can't be attached: use a photo (JPEG, PNG, WebP), "
    "a PDF or a Word/Excel file."
)
STORED_NAME = re.compile(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|pdf)")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"
    return tmp_path


@pytest.fixture
def admin_a1(tree, user_in):
    """May change organizations, and sees village A1 only: A2 is a sibling, street A an ancestor."""
    return user_in(tree.village_a1, Role.DISTRICT_ADMIN)


def files_url(record) -> str:
    return f"{URL}{record.pk}/attachments/"


def file_url(record, attachment) -> str:
    return f"{files_url(record)}{attachment.pk}/"


def post_file(client, record, data: bytes, name: str):
    return client.post(
        files_url(record),
        {"client_id": str(uuid.uuid4()), "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def attach(record, user, data: bytes = PDF, name: str = "记录.pdf") -> Attachment:
    return services.attachment_create(
        record=record, uploaded_file=SimpleUploadedFile(name, data), by=user
    )


def on_disk(media) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def state(media) -> tuple:
    """What a refused request must leave as it was."""
    return (
        list(Attachment.objects.order_by("pk").values()),
        Download.objects.count(),
        on_disk(media),
    )


# Uploads.


def test_an_uploaded_photo_is_stored_without_gps_under_a_generated_name(
    tree, admin_a1, api_as, media
):
    original = photo("JPEG")

    response = post_file(api_as(admin_a1), tree.village_a1, original, "王芳家访_GPS.jpg")

    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert response.json() == {
        "id": attachment.pk,
        "original_name": "王芳家访_GPS.jpg",
        "mime": "image/jpeg",
        "size": attachment.size,
        "created_at": response.json()["created_at"],
        "uploaded_by": {"id": admin_a1.pk, "name": str(admin_a1)},
    }
    assert STORED_NAME.fullmatch(attachment.file.name)
    assert "王芳" not in attachment.file.name
    assert on_disk(media) == [attachment.file.name]
    stored = (media / attachment.file.name).read_bytes()
    assert attachment.size == len(stored)
    assert not has_metadata(stored)
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
    assert attachment.record == tree.village_a1
    assert attachment.organization == tree.village_a1
    assert attachment.uploaded_by == admin_a1


def test_an_uploaded_photo_is_turned_upright(tree, admin_a1, api_as, media):
    response = post_file(api_as(admin_a1), tree.village_a1, photo(orientation=6), "a.jpg")

    assert response.status_code == 201
    stored = Attachment.objects.get().file.read()
    assert Image.open(io.BytesIO(stored)).size == (20, 40)


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        pytest.param(photo("PNG"), "截图.png", "image/png", id="png"),
        pytest.param(PDF, "证明.pdf", "application/pdf", id="pdf"),
    ],
)
def test_png_and_pdf_are_accepted(tree, admin_a1, api_as, data, name, mime):
    response = post_file(api_as(admin_a1), tree.village_a1, data, name)

    assert response.status_code == 201
    assert response.json()["mime"] == mime
    assert response.json()["original_name"] == name


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(EXE, "setup.exe", id="a program"),
        pytest.param(TEXT, "photo.jpg", id="text named .jpg"),
    ],
)
def test_a_refused_file_is_a_400_and_nothing_is_stored(tree, admin_a1, api_as, media, data, name):
    before = state(media)

    response = post_file(api_as(admin_a1), tree.village_a1, data, name)

    assert response.status_code == 400
    assert response.json() == {"file": [REFUSED]}
    assert state(media) == before == ([], 0, [])


def test_a_file_over_the_limit_is_a_400_and_nothing_is_stored(
    tree, admin_a1, api_as, media, settings
):
    settings.ATTACHMENT_MAX_BYTES = 2 * 2**20

    response = post_file(api_as(admin_a1), tree.village_a1, PDF + b" " * 2 * 2**20, "big.pdf")

    assert response.status_code == 400
    assert response.json() == {"file": ["The file is too large: at most 2 MB can be attached."]}
    assert state(media) == ([], 0, [])


def test_a_body_announced_too_large_is_refused_before_it_is_parsed(
    tree, admin_a1, api_as, media, settings, monkeypatch
):
    settings.ATTACHMENT_MAX_BYTES = 2**20

    def must_not_parse(*args, **kwargs):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(MultiPartParser, "parse", must_not_parse)

    response = post_file(api_as(admin_a1), tree.village_a1, PDF + b" " * 2 * 2**20, "big.pdf")

    assert response.status_code == 400
    assert response.json() == {"file": ["The file is too large: at most 1 MB can be attached."]}


def test_an_upload_without_a_file_is_a_400(tree, admin_a1, api_as, media):
    body = {"client_id": str(uuid.uuid4()), "name": "x"}
    response = api_as(admin_a1).post(files_url(tree.village_a1), body, format="multipart")

    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert state(media) == ([], 0, [])


def test_an_upload_as_json_is_a_415(tree, admin_a1, api_as, media):
    response = api_as(admin_a1).post(files_url(tree.village_a1), {"file": "x"}, format="json")

    assert response.status_code == 415


def test_the_original_name_loses_its_path_and_control_characters(tree, admin_a1, api_as):
    name = "C:\\Users\\王芳\\Desktop\\证明\x07\u202e.pdf"

    response = post_file(api_as(admin_a1), tree.village_a1, PDF, name)

    assert response.status_code == 201
    assert response.json()["original_name"] == "证明.pdf"
    assert Attachment.objects.get().original_name == "证明.pdf"


def test_a_row_that_fails_to_save_leaves_no_file(tree, admin_a1, media, monkeypatch):
    def fail(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(Attachment, "save", fail)

    with pytest.raises(IntegrityError):
        attach(tree.village_a1, admin_a1)

    assert on_disk(media) == []


# Lists and downloads.


def test_the_list_shows_the_records_files_only(tree, admin_a1, api_as, user_in):
    district_admin = user_in(tree.district, Role.DISTRICT_ADMIN)
    first = attach(tree.village_a1, admin_a1, name="一.pdf")
    second = attach(tree.village_a1, district_admin, photo("PNG"), "二.png")
    attach(tree.village_a2, district_admin)
    attach(tree.street_a, district_admin)

    response = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR)).get(
        files_url(tree.village_a1)
    )

    assert response.status_code == 200
    rows = [(row["id"], row["original_name"], row["uploaded_by"]["id"]) for row in response.json()]
    assert rows == [(first.pk, "一.pdf", admin_a1.pk), (second.pk, "二.png", district_admin.pk)]


def test_the_list_costs_the_same_queries_for_one_file_or_many(tree, admin_a1, api_as):
    client = api_as(admin_a1)
    attach(tree.village_a1, admin_a1)
    with CaptureQueriesContext(connection) as one:
        client.get(files_url(tree.village_a1))
    for _ in range(4):
        attach(tree.village_a1, admin_a1)

    with CaptureQueriesContext(connection) as five:
        response = client.get(files_url(tree.village_a1))

    assert len(response.json()) == 5
    assert len(five) == len(one)


def test_a_download_gives_the_stored_bytes_as_a_private_attachment(tree, admin_a1, api_as):
    attachment = attach(tree.village_a1, admin_a1, PDF, "证明 2024.pdf")

    response = api_as(admin_a1).get(file_url(tree.village_a1, attachment))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E8%AF%81%E6%98%8E%202024.pdf"
    )
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_ascii_name_is_quoted(tree, admin_a1, api_as):
    attachment = attach(tree.village_a1, admin_a1, PDF, 'say "hi".pdf')

    response = api_as(admin_a1).get(file_url(tree.village_a1, attachment))

    assert response["Content-Disposition"] == 'attachment; filename="say \\"hi\\".pdf"'


def test_a_download_answers_whatever_the_accept_header(tree, admin_a1, api_as):
    attachment = attach(tree.village_a1, admin_a1, photo("PNG"), "a.png")
    client = api_as(admin_a1)

    found = client.get(file_url(tree.village_a1, attachment), HTTP_ACCEPT="image/png")
    missing = client.get(f"{files_url(tree.village_a1)}999999999/", HTTP_ACCEPT="image/png")

    assert found.status_code == 200
    assert found["Content-Type"] == "image/png"
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"


def test_files_are_not_served_from_media(tree, admin_a1, api_as, client):
    attachment = attach(tree.village_a1, admin_a1)

    assert api_as(admin_a1).get(f"/media/{attachment.file.name}").status_code == 404
    assert client.get(f"/media/{attachment.file.name}").status_code == 404


def test_a_file_missing_from_disk_is_a_404(tree, admin_a1, api_as, media):
    attachment = attach(tree.village_a1, admin_a1)
    (media / attachment.file.name).unlink()

    response = api_as(admin_a1).get(file_url(tree.village_a1, attachment))

    assert response.status_code == 404


# Who may do what.


def test_anonymous_gets_401(tree, admin_a1):
    attachment = attach(tree.village_a1, admin_a1)

    assert APIClient().get(files_url(tree.village_a1)).status_code == 401
    assert APIClient().get(file_url(tree.village_a1, attachment)).status_code == 401


def test_a_sibling_villages_record_is_404_for_list_upload_and_download(
    tree, admin_a1, api_as, user_in, media
):
    theirs = attach(tree.village_a2, user_in(tree.village_a2, Role.DISTRICT_ADMIN))
    client = api_as(admin_a1)
    before = state(media)

    listed = client.get(files_url(tree.village_a2))
    uploaded = post_file(client, tree.village_a2, PDF, "x.pdf")
    downloaded = client.get(file_url(tree.village_a2, theirs))
    through_own_record = client.get(file_url(tree.village_a1, theirs))

    assert [listed.status_code, uploaded.status_code] == [404, 404]
    assert [downloaded.status_code, through_own_record.status_code] == [404, 404]
    assert state(media) == before


def test_an_attachment_of_another_record_in_scope_is_404(tree, user_in, api_as):
    district_admin = user_in(tree.district, Role.DISTRICT_ADMIN)
    of_a1 = attach(tree.village_a1, district_admin)

    response = api_as(district_admin).get(file_url(tree.street_a, of_a1))

    assert response.status_code == 404


def test_an_attachment_id_beyond_any_column_is_404(tree, admin_a1, api_as):
    response = api_as(admin_a1).get(f"{files_url(tree.village_a1)}{'9' * 30}/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.CASE_WORKER, Role.STATION_OPERATOR, Role.LEADERSHIP]
)
def test_a_role_that_may_not_change_the_record_gets_403_on_upload(
    tree, user_in, api_as, media, role
):
    client = api_as(user_in(tree.village_a1, role))

    response = post_file(client, tree.village_a1, PDF, "x.pdf")

    assert response.status_code == 403
    assert state(media) == ([], 0, [])


def test_a_role_that_reads_the_record_lists_and_downloads_its_files(
    tree, admin_a1, user_in, api_as
):
    attachment = attach(tree.village_a1, admin_a1)
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    assert client.get(files_url(tree.village_a1)).status_code == 200
    assert client.get(file_url(tree.village_a1, attachment)).status_code == 200


def test_an_ancestor_is_readable_but_an_upload_to_it_is_403(tree, admin_a1, api_as, user_in, media):
    theirs = attach(tree.street_a, user_in(tree.street_a, Role.DISTRICT_ADMIN))
    client = api_as(admin_a1)
    before = state(media)

    listed = client.get(files_url(tree.street_a))
    uploaded = post_file(client, tree.street_a, PDF, "x.pdf")

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()] == [theirs.pk]
    assert uploaded.status_code == 403
    assert state(media) == before


def test_files_the_resource_says_are_unreadable_are_403(tree, admin_a1, api_as, media, monkeypatch):
    monkeypatch.setattr(OrganizationWithFiles, "attachments_readable", lambda self, obj: False)
    monkeypatch.setattr(OrganizationWithFiles, "attachments_log_downloads", True)
    attachment = attach(tree.village_a1, admin_a1)
    client = api_as(admin_a1)

    assert client.get(files_url(tree.village_a1)).status_code == 403
    assert client.get(file_url(tree.village_a1, attachment)).status_code == 403
    assert Download.objects.count() == 0


# The download log.


def test_a_logged_resource_writes_a_download_row_per_download(tree, admin_a1, api_as, monkeypatch):
    monkeypatch.setattr(OrganizationWithFiles, "attachments_log_downloads", True)
    attachment = attach(tree.village_a1, admin_a1)

    response = api_as(admin_a1).get(file_url(tree.village_a1, attachment))

    assert response.status_code == 200
    [download] = Download.objects.all()
    assert (download.attachment, download.user) == (attachment, admin_a1)
    assert download.at is not None


def test_an_unlogged_resource_writes_no_download_row(tree, admin_a1, api_as):
    attachment = attach(tree.village_a1, admin_a1)

    response = api_as(admin_a1).get(file_url(tree.village_a1, attachment))

    assert response.status_code == 200
    assert Download.objects.count() == 0


def test_a_download_row_is_never_changed(tree, admin_a1):
    download = services.download_create(attachment=attach(tree.village_a1, admin_a1), by=admin_a1)

    with pytest.raises(ValueError, match="never changed"):
        download.save()


# The scoping rule and the schema.


def test_the_scoping_rule_finds_attachments_by_their_records_organization(tree, user_in):
    district_admin = user_in(tree.district, Role.DISTRICT_ADMIN)
    mine = attach(tree.village_a1, district_admin)
    attach(tree.village_a2, district_admin)

    assert list(scoped(Attachment.objects.all(), user_in(tree.village_a1, Role.STAFF))) == [mine]


def test_the_schema_shows_a_multipart_upload_and_a_binary_download(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.STAFF))

    schema = client.get("/api/schema/?format=json").json()

    files = schema["paths"]["/api/v1/organizations-with-files/{id}/attachments/"]
    body = files["post"]["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
    upload = schema["components"]["schemas"]["AttachmentUploadRequest"]
    assert upload["properties"]["file"] == {"type": "string", "format": "binary"}
    assert files["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Attachment"},
    }
    one = schema["paths"]["/api/v1/organizations-with-files/{id}/attachments/{attachment_pk}/"]
    download = one["get"]["responses"]["200"]["content"]
    assert download == {
        mime: {"schema": {"type": "string", "format": "binary"}}
        for mime in sorted(set(uploads.MIME.values()))
    }


def test_a_resent_upload_stores_one_file_and_answers_with_it(tree, admin_a1, api_as, media):
    client, key = api_as(admin_a1), str(uuid.uuid4())

    def send(data):
        body = {"client_id": key, "file": SimpleUploadedFile("记录.pdf", data)}
        return client.post(files_url(tree.village_a1), body, format="multipart")

    first, again, other = send(PDF), send(PDF), send(PDF + b"%changed")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert (other.status_code, other.json()["code"]) == (409, "client_id_reused")
    assert Attachment.objects.count() == 1


def test_an_upload_without_a_client_id_is_refused(tree, admin_a1, api_as, media):
    client = api_as(admin_a1)

    body = {"file": SimpleUploadedFile("记录.pdf", PDF)}
    response = client.post(files_url(tree.village_a1), body, format="multipart")

    assert (response.status_code, list(response.json())) == (400, ["client_id"])
    assert state(media) == ([], 0, [])
