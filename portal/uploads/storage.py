"""Writing accepted uploads under a random name, and removing them only when the database agrees.

Names look like `public/facilities/2026/<random>.png` or `private/claims/2026/<random>.pdf`: the first part
says who may fetch the file. The proxy serves `public/` (see docs/operations.md) and nothing serves
`private/` except a view that checks permissions and answers with `private_file_response`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils import timezone

from ._common import AcceptedFile

_DIRECTORY = re.compile(r"^[a-z0-9_-]+(/[a-z0-9_-]+)*$")


class Visibility(StrEnum):
    PUBLIC = "public"  # served to anyone by the proxy (facility photos)
    PRIVATE = "private"  # only through a permission-checking view (claim documents, imported rosters)


@dataclass(frozen=True)
class StoredFile:
    name: str  # the storage name to put in a FileField
    visibility: Visibility
    content_type: str
    size: int


def stored_name(*, directory: str, visibility: Visibility, extension: str) -> str:
    if not _DIRECTORY.match(directory):
        raise ValueError(f"upload directory must be lower-case path segments, not {directory!r}")
    return f"{Visibility(visibility)}/{directory}/{timezone.now():%Y}/{secrets.token_urlsafe(18)}.{extension}"


@contextmanager
def store_upload(accepted: AcceptedFile, *, directory: str, visibility: Visibility) -> Iterator[StoredFile]:
    """Write `accepted` under a random name and yield it; if the block raises, the file is removed again.

    Put the transaction that records the file inside the block, so a row that fails to save (a constraint,
    a lost race, a failed commit) leaves no orphan file behind:

        with store_upload(image, directory="facilities", visibility=Visibility.PUBLIC) as stored, \\
                transaction.atomic():
            Photo.objects.create(image=stored.name, ...)
    """
    name = default_storage.save(
        stored_name(directory=directory, visibility=visibility, extension=accepted.extension),
        ContentFile(accepted.content))
    try:
        yield StoredFile(name=name, visibility=Visibility(visibility), content_type=accepted.content_type,
                         size=len(accepted.content))
    except BaseException:
        default_storage.delete(name)
        raise


def delete_after_commit(name: str) -> None:
    """Remove a stored file once the transaction deleting its row commits (at once outside a transaction):
    a rolled-back delete keeps its file."""
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def delete_files_with_rows(model, *fields: str) -> None:
    """Whenever a `model` row is deleted (by a service, a cascade or the admin), delete the files in its
    `fields` after commit."""

    def _receiver(sender, instance, **kwargs):
        for field in fields:
            delete_after_commit(getattr(instance, field).name)

    post_delete.connect(_receiver, sender=model, weak=False,
                        dispatch_uid=f"uploads-delete-{model._meta.label}-{'-'.join(fields)}")
