"""A KTP photo already taken, kept while the agent corrects the form that carried it.

A browser never refills a file input, so after a validation error the photo would have to be taken
again. Instead the intake's clean copy (never the raw upload) is kept under the form's submission
token until the form is saved. Its name is an HMAC of the agent and the token: the token travels in
the form and may be seen or replayed, but another agent who sends it lands on another name, which
does not exist. Kept files are personal data with a short purpose: the beat removes those older than
KEEP_FOR every hour (`forget_expired`), and `manage.py ktp_orphans` lists them with the orphans.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils.crypto import salted_hmac

from accounts.models import User
from enrollment.ktp import CONTENT_TYPES, KtpFile
from enrollment.models import Farmer

KEPT_FOLDER = "ktp-tertahan"
# A form is filled in one visit; a day covers an agent who comes back to it after the fields.
KEEP_FOR = dt.timedelta(hours=24)


def _storage() -> Storage:
    return Farmer._meta.get_field("ktp_image").storage


def _stem(user: User, token: uuid.UUID) -> str:
    digest = salted_hmac("enrollment.kept_ktp", f"{user.pk}:{token}", algorithm="sha256").hexdigest()
    return f"{KEPT_FOLDER}/{digest}"


def _found(user: User, token: uuid.UUID) -> tuple[str, str] | None:
    storage, stem = _storage(), _stem(user, token)
    for extension in CONTENT_TYPES:
        if storage.exists(name := f"{stem}.{extension}"):
            return name, extension
    return None


def keep(*, user: User, token: uuid.UUID, ktp: KtpFile) -> None:
    """Keep the clean KTP of this agent's form, replacing one kept before under the same token."""
    discard(user=user, token=token)
    extension = ktp.content.name.rsplit(".", 1)[-1]
    ktp.content.seek(0)
    _storage().save(f"{_stem(user, token)}.{extension}", ContentFile(ktp.content.read()))
    ktp.content.seek(0)


def kept(*, user: User, token: uuid.UUID) -> KtpFile | None:
    """The KTP this agent's form kept, or None (none kept, someone else's token, or removed)."""
    found = _found(user, token)
    if found is None:
        return None
    name, extension = found
    try:
        with _storage().open(name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:  # removed between the look and the read
        return None
    return KtpFile(ContentFile(data, name=f"ktp.{extension}"), CONTENT_TYPES[extension])


def discard(*, user: User, token: uuid.UUID) -> None:
    if found := _found(user, token):
        _storage().delete(found[0])


def stored_files(storage: Storage, folder: str) -> list[str]:
    """The files of a folder of the private storage, by name; none when it was never made."""
    try:
        _folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    return [f"{folder}/{name}" for name in sorted(files)]


def expired(*, now: dt.datetime) -> list[str]:
    """Kept photos older than KEEP_FOR: their form was never sent again."""
    storage = _storage()
    return [path for path in stored_files(storage, KEPT_FOLDER) if storage.get_modified_time(path) < now - KEEP_FOR]


def forget_expired(*, now: dt.datetime) -> int:
    paths = expired(now=now)
    for path in paths:
        _storage().delete(path)
    return len(paths)
