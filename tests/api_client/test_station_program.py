"""A short station program written only against the generated client (docs/station-client.md,
"A short program"), against a live test server: every step a station takes on day one."""

import importlib
import io
import uuid

import pytest
from PIL import Image

from apps.files.models import Attachment
from apps.members.models import Member
from apps.organizations.roles import Role
from tests.api_client.conftest import token_for


@pytest.fixture
def station_key(tree, user_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return token_for(user_in(tree.village_a1, Role.STATION_OPERATOR))


@pytest.fixture
def api(station_client_package, live_server, station_key):
    """The generated package's modules a station uses, and its client with the token."""
    pkg = station_client_package
    # Closed after the test: a kept-alive connection would keep its server thread (and that
    # thread's database session) open.
    with pkg.AuthenticatedClient(
        base_url=live_server.url, token=station_key, prefix="Token"
    ) as client:
        yield pkg, client


def module(pkg, name: str):
    """A module of the generated package, as a station program imports it."""
    return importlib.import_module(f"{pkg.__name__}.{name}")


def a_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 80, 80)).save(out, format="PNG")
    return out.getvalue()


def test_a_station_program_on_the_generated_client(api):
    pkg, client = api
    create, patch, listing, upload, download = (
        module(pkg, f"api.members.members_{name}")
        for name in (
            "create",
            "partial_update",
            "list",
            "attachments_create",
            "attachments_retrieve",
        )
    )
    models, types = pkg.models, module(pkg, "types")

    # Create, then resend the same body: one record, the same answer.
    key_a, key_b = str(uuid.uuid4()), str(uuid.uuid4())
    body_a = models.MemberRequest(client_id=key_a, name="林秀英", gender=models.GenderEnum.FEMALE)
    first = create.sync_detailed(client=client, body=body_a)
    again = create.sync_detailed(client=client, body=body_a)
    a = first.parsed
    assert (first.status_code, again.status_code) == (201, 200)
    assert isinstance(a, models.Member) and again.parsed.id == a.id
    b = create.sync(
        client=client,
        body=models.MemberRequest(client_id=key_b, name="王桂英", gender=models.GenderEnum.FEMALE),
    )

    # The first sync sees both, oldest change first.
    synced = listing.sync(client=client, updated_after=a.updated_at)
    assert [row.id for row in synced.results] == [a.id, b.id]
    last_seen = synced.results[-1].updated_at

    # A change with the version read, then a stale one: a typed 409 carrying the record.
    changed = patch.sync_detailed(
        client=client,
        id=a.id,
        body=models.PatchedMemberRequest(occupation="种植户", version=a.version),
    )
    stale = patch.sync(
        client=client,
        id=a.id,
        body=models.PatchedMemberRequest(occupation="养殖户", version=a.version),
    )
    assert changed.headers["ETag"] == f'"{a.version + 1}"'
    assert isinstance(stale, models.Conflict) and stale.code == "stale_version"
    assert stale.current["version"] == a.version + 1
    assert stale.current["occupation"] == "种植户"

    # The second sync, from the last change seen (inclusive): that record again, then the change.
    synced = listing.sync(client=client, updated_after=last_seen)
    assert [(row.id, row.version) for row in synced.results] == [
        (b.id, b.version),
        (a.id, a.version + 1),
    ]
    assert isinstance(synced.next_, types.Unset | None)

    # An upload resent with its client_id: one file stored, downloaded as stored.
    photo = models.AttachmentUploadRequest(
        client_id=str(uuid.uuid4()),
        file=types.File(payload=io.BytesIO(a_photo()), file_name="合影.png", mime_type="image/png"),
    )
    sent = upload.sync_detailed(client=client, id=a.id, body=photo)
    photo.file.payload.seek(0)
    resent = upload.sync_detailed(client=client, id=a.id, body=photo)
    assert (sent.status_code, resent.status_code) == (201, 200)
    assert sent.parsed.id == resent.parsed.id
    stored = Attachment.objects.get()
    assert stored.object_id == a.id
    got = download.sync_detailed(client=client, id=a.id, attachment_pk=stored.pk)
    assert got.headers["Content-Type"] == "image/png"
    assert got.parsed.payload.read() == stored.file.read()
    assert Member.objects.count() == 2


def test_a_throttled_station_gets_a_typed_error_with_retry_after(api, settings):
    pkg, client = api
    listing = module(pkg, "api.organizations.organizations_list")
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "account": "2/min"}

    answers = [listing.sync_detailed(client=client) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    throttled = answers[-1]
    assert isinstance(throttled.parsed, pkg.models.Error)
    assert throttled.parsed.code == "throttled"
    assert int(throttled.headers["Retry-After"]) > 0
