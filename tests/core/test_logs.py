"""Logs (docs/operations.md, Logs; docs/quality.md 21): JSON lines with the request's id and
account, and none of the ID numbers, phones and narratives sent through the API, the admin, an
error path and the job worker. The lines are read as the configured handlers write them: the
root logger's JSON handler writes into a buffer here, the worker's to its stderr."""

import datetime
import http.client
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.core.logs import JsonFormatter, redact
from apps.jobs.choices import JobState
from apps.jobs.models import Job
from apps.organizations.roles import Role
from tests.factories.identity import make_id_number
from tests.factories.xlsx import PEOPLE_HEADER, xlsx
from tests.jobs.worker import database_url, running_worker, wait_for
from tests.registry import station_of

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = make_id_number(datetime.date(1983, 4, 12), "female", sequence=417)
PHONE = "13987654321"
NARRATIVE = "她说丈夫把她锁在屋里整整三天"
# Each as it may appear: whole, without its check character, in E.164, spaced.
OTHER_ID = make_id_number(datetime.date(1975, 9, 30), "female", sequence=203)
SECRETS = (ID_NUMBER, ID_NUMBER[:17], OTHER_ID, PHONE, "+86" + PHONE, "139 8765 4321", NARRATIVE)


def lines_of(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def assert_free_of_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@pytest.fixture
def logged():
    """What the configured JSON handlers write, read back as text."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, JsonFormatter)
    ]
    assert handlers, "settings.LOGGING gives the root logger a JSON handler"
    buffer = io.StringIO()
    old = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, old, strict=True):
        handler.setStream(stream)


def test_api_admin_and_error_paths_log_lines_without_personal_data(
    tree, user_in, api_as, browser_as, logged, settings
):
    staff = user_in(tree.district, Role.STAFF)
    operator = user_in(tree.village_a1, Role.STATION_OPERATOR)
    person = {"name": "测", "gender": "female", "organization": tree.village_a1.pk}
    api = api_as(staff)

    created = api.post(
        "/api/v1/members/",
        {**person, "client_id": "6c1b7c2e-6a43-4a70-9d0a-5d2ad6a1b001"}
        | {"id_number": ID_NUMBER, "phone": PHONE},
        format="json",
        HTTP_X_REQUEST_ID="station-7f3a-0001",
    )
    bad = api.post(
        "/api/v1/members/",
        {**person, "client_id": "6c1b7c2e-6a43-4a70-9d0a-5d2ad6a1b002"}
        | {"id_number": ID_NUMBER[:17] + ("1" if ID_NUMBER[17] != "1" else "2"), "phone": PHONE},
        format="json",
    )
    api.get(f"/api/v1/members/?search={ID_NUMBER}&phone={PHONE}")
    intake = api_as(operator).post(
        "/api/v1/rights/cases/",
        {
            "station": station_of(tree.village_a1).pk,
            "received_at": "2026-03-08T09:30:00+08:00",
            "channel": "visit",
            "category": "domestic_violence",
            "risk": "high",
            "consent_to_record": True,
            "narrative": NARRATIVE,
            "parties": [
                {"role": "seeker", "name": "王秀梅", "gender": "female"}
                | {"id_number": OTHER_ID, "phone": PHONE}
            ],
            "client_id": "00000000-0000-4000-8000-0000000000d1",
        },
        format="json",
    )
    admin_form = browser_as(staff).post(
        "/admin/members/member/add/",
        {**person, "name": "林", "ethnicity": "han", "id_number": OTHER_ID, "phone": PHONE}
        | {"appointments-TOTAL_FORMS": "0", "appointments-INITIAL_FORMS": "0", "_save": "1"},
    )
    settings.ROOT_URLCONF = "tests.core.log_urls"
    failed = Client(raise_request_exception=False).get(
        "/test-failing/", HTTP_X_NARRATIVE=NARRATIVE, HTTP_X_ID_NUMBER=ID_NUMBER
    )

    assert (created.status_code, bad.status_code, intake.status_code) == (201, 400, 201)
    assert admin_form.status_code == 302 and failed.status_code == 500  # the person is saved
    text = logged.getvalue()
    assert_free_of_secrets(text)
    lines = lines_of(text)
    requests = [line for line in lines if line["logger"] == "federation.requests"]
    assert [(line["method"], line["path"], line["status"]) for line in requests] == [
        ("POST", "/api/v1/members/", 201),
        ("POST", "/api/v1/members/", 400),
        ("GET", "/api/v1/members/", 200),
        ("POST", "/api/v1/rights/cases/", 201),
        ("POST", "/admin/members/member/add/", admin_form.status_code),
        ("GET", "/test-failing/", 500),
    ]
    assert requests[0]["request_id"] == "station-7f3a-0001" == created["X-Request-ID"]
    assert requests[0]["account_id"] == staff.pk and requests[3]["account_id"] == operator.pk
    assert requests[1]["request_id"] == bad["X-Request-ID"] != requests[0]["request_id"]
    assert all(isinstance(line["duration_ms"], float) for line in requests)
    (error,) = [line for line in lines if line["level"] == "ERROR" and "exception" in line]
    assert error["logger"] == "django.request" and error["request_id"] == failed["X-Request-ID"]
    assert (
        "NotNullViolation" in error["exception"]
        and "Failing row contains (…)" in error["exception"]
    )
    assert {"time", "level", "logger", "message"} <= set(lines[0])


@pytest.mark.parametrize(
    "sent", ["short", "has spaces in it", "x" * 65, "<script>alert(1)</script>", "数字编号12345678"]
)
def test_an_unusable_request_id_is_replaced_with_a_new_one(tree, user_in, api_as, logged, sent):
    answer = api_as(user_in(tree.district, Role.STAFF)).get(
        "/api/v1/members/", HTTP_X_REQUEST_ID=sent
    )

    assert answer["X-Request-ID"] != sent and len(answer["X-Request-ID"]) == 32
    assert lines_of(logged.getvalue())[-1]["request_id"] == answer["X-Request-ID"]


def test_the_last_guard_masks_numbers_and_failing_rows():
    row = f"({NARRATIVE}（一）) (二), null, {ID_NUMBER}).\n{NARRATIVE}, {PHONE})."
    text = (
        f"Key (id_number)=({ID_NUMBER}) already exists. Call +86 139-8765-4321 or {PHONE}.\n"
        f"DETAIL:  Failing row contains ({row}\n\nThe above exception was the cause"
    )

    assert_free_of_secrets(redact(text))
    assert "Key (id_number)=(…) already exists" in redact(text)
    assert "Failing row contains (…)\n\nThe above exception" in redact(text)
    assert "（一）" not in redact(text) and "(二)" not in redact(text)
    assert redact("job 12345 took 250 ms") == "job 12345 took 250 ms"


@pytest.fixture
def media(settings, tmp_path):
    settings.JOBS_IMPORT_THRESHOLD = 1  # every import is a job
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_worker_logs_json_lines_carrying_the_request_id_and_no_personal_data(
    transactional_db, media, tree, user_in, browser_as
):
    staff = user_in(tree.street_a, Role.STAFF)
    row = ["林秀英", "女", "汉族", ID_NUMBER, PHONE, "群众", "大专", "", "", tree.village_a1.code]
    bad = [*row[:3], ID_NUMBER[:17] + "Z", "+86" + PHONE, *row[5:]]
    sheet = xlsx(PEOPLE_HEADER, row, bad)

    with running_worker(media) as worker:
        page = browser_as(staff).post(
            "/admin/members/member/import/",
            {"file": SimpleUploadedFile("people.xlsx", sheet)},
            HTTP_X_REQUEST_ID="import-request-0001",
        )
        assert page.status_code == 302
        job = Job.objects.get()
        wait_for(lambda: Job.objects.get(pk=job.pk).state in (JobState.SUCCEEDED, JobState.FAILED))
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=30)

    text = stderr.decode()
    assert_free_of_secrets(text)
    # Every line is a JSON object but the one procrastinate's command prints itself at its start.
    plain = [line for line in text.splitlines() if not line.startswith("{")]
    assert plain == ["Launching a worker on all queues"]
    lines = lines_of("\n".join(line for line in text.splitlines() if line.startswith("{")))
    of_the_job = [line for line in lines if line["request_id"] == "import-request-0001"]
    assert of_the_job and all(line["account_id"] == staff.pk for line in of_the_job)
    assert {"time", "level", "logger", "message"} <= set(lines[0])


def test_gunicorn_writes_json_lines_and_no_access_line_with_the_query(db, tmp_path):
    """gunicorn with federation/gunicorn.py: its own lines JSON, its access log off."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "federation.settings_test",
        "DJANGO_MEDIA_ROOT": str(tmp_path),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "python:federation.gunicorn"]
    command += ["-b", f"127.0.0.1:{port}", "--workers", "1", "federation.wsgi"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE)
    try:
        answer = wait_for(lambda: ask(port, f"/api/v1/members/?id_number={ID_NUMBER}"))
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)

    assert answer.status == 401
    text = stderr.decode()
    assert_free_of_secrets(text)
    lines = lines_of(text)  # every line is a JSON object
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    (request,) = [line for line in lines if line["logger"] == "federation.requests"]
    assert request["path"] == "/api/v1/members/"
    assert request["request_id"] == answer.headers["X-Request-ID"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ask(port: int, path: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        answer.read()
        return answer
    except OSError:
        return None
    finally:
        connection.close()
