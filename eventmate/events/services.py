"""Writes on events: hosting (create, edit, delete or unpublish) and their images.

Every service that changes an existing event takes the event row lock first
(select_for_update), so that edits, image changes and the booking services' counter updates on
the same event serialise. Cache invalidation (`cache_versions.event_changed`) is queued with
`transaction.on_commit`. Uploaded files are written to storage inside the transaction; if it
fails they are deleted again, and files of removed images are deleted only after commit.
"""

import logging
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, ProtectedError
from django.utils import timezone
from PIL import Image

from eventmate.core import cache_versions
from eventmate.core.images import validate_image_upload

from .exceptions import (
    CapacityBelowTicketsTaken,
    CurrencyLocked,
    HostingError,
    NotAHost,
    NotAllowed,
    TooManyImages,
)
from .models import Event, EventImage
from .permissions import can_host, can_manage_event
from .slugs import unique_slug

logger = logging.getLogger(__name__)

MAX_IMAGES_PER_EVENT = 12
# Two hosts creating same-titled events at the same moment can pick the same slug; the unique
# index refuses the second, which then tries the next free one.
SLUG_ATTEMPTS = 5

# What a host sets. Counters, rating, the featured/cancelled flags and the slug are kept by
# other services (or staff) and are never written from a hosting form.
HOST_EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "city",
    "venue",
    "address",
    "latitude",
    "longitude",
    "starts_at",
    "ends_at",
    "price",
    "currency",
    "capacity",
    "whats_included",
    "things_to_know",
    "cancellation_policy",
    "free_cancellation_hours",
    "minimum_age",
    "is_published",
)

_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


class DeleteOutcome(StrEnum):
    DELETED = "deleted"
    UNPUBLISHED = "unpublished"


class ImageNotFound(HostingError):
    default_message = "That image does not belong to this event."


@dataclass(frozen=True)
class ImageChanges:
    """What a host asked for on the edit form's image list, by image id. Ids that are not
    the event's images are ignored (a stale form after another tab removed them)."""

    alt_texts: Mapping[int, str] = field(default_factory=dict)
    positions: Mapping[int, int] = field(default_factory=dict)
    remove: frozenset[int] = frozenset()
    primary: int | None = None


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------


def event_create(
    *,
    actor,
    fields: Mapping[str, Any],
    uploads: Sequence = (),
    upload_alt_text: str = "",
) -> Event:
    """Create an event hosted by `actor` with the host-editable `fields` and its images.

    The slug is chosen here, once (see events.slugs). The first image becomes the primary.
    Raises NotAHost unless `actor` may host, TooManyImages, and ValidationError for an upload
    that is not an acceptable image. Queues `event_changed` on commit.
    """
    if not can_host(actor):
        raise NotAHost()
    values = _host_fields(fields)
    saved_files: list[str] = []
    try:
        for attempt in range(1, SLUG_ATTEMPTS + 1):
            slug = unique_slug(values["title"])
            try:
                with transaction.atomic():
                    event = Event(host=actor, slug=slug, **values)
                    event.save()
                    _add_images(event, uploads, upload_alt_text, saved_files)
                    _on_commit_event_changed(event.pk)
            except IntegrityError:
                if attempt == SLUG_ATTEMPTS or not Event.objects.filter(slug=slug).exists():
                    raise
                _delete_files(saved_files)
                saved_files.clear()
                continue
            return event
    except BaseException:
        _delete_files(saved_files)
        raise
    raise AssertionError("unreachable")  # pragma: no cover


def event_update(
    *,
    actor,
    event: Event,
    fields: Mapping[str, Any],
    image_changes: ImageChanges | None = None,
    uploads: Sequence = (),
    upload_alt_text: str = "",
) -> Event:
    """Apply a host's edit: the host-editable `fields`, then image removals, alt texts, order,
    new uploads and the primary choice, all in one transaction under the event row lock.

    Only the changed columns are written, so counters the booking services keep are never
    overwritten with stale values. The capacity is checked against the locked counters.
    Raises NotAllowed, CapacityBelowTicketsTaken, CurrencyLocked (bookings exist),
    TooManyImages, ValidationError (bad upload). Returns the fresh event. Queues
    `event_changed` on commit.
    """
    values = _host_fields(fields)
    saved_files: list[str] = []
    try:
        with transaction.atomic():
            locked = _lock_event(event.pk)
            if not can_manage_event(actor, locked):
                raise NotAllowed()
            taken = locked.tickets_sold + locked.tickets_held
            if "capacity" in values and values["capacity"] < taken:
                raise CapacityBelowTicketsTaken(taken=taken)
            if (
                "currency" in values
                and values["currency"] != locked.currency
                and locked.bookings.exists()
            ):
                raise CurrencyLocked()
            changed = [name for name, value in values.items() if _differs(locked, name, value)]
            for name in changed:
                setattr(locked, name, values[name])
            if changed:
                locked.save(update_fields=[*changed, "updated_at"])
            _apply_image_changes(
                locked, image_changes or ImageChanges(), uploads, upload_alt_text, saved_files
            )
            _on_commit_event_changed(locked.pk)
    except BaseException:
        _delete_files(saved_files)
        raise
    return locked


@transaction.atomic
def event_delete_or_unpublish(*, actor, event: Event) -> DeleteOutcome:
    """Delete the event, or unpublish it if anyone ever booked it (bookings are records of
    money and attendance and must keep their event).

    Locks the event row, so a booking cannot slip in between the check and the delete (the
    booking services lock the same row). Raises NotAllowed. Deletes image files after commit
    and queues `event_changed`.
    """
    locked = _lock_event(event.pk)
    if not can_manage_event(actor, locked):
        raise NotAllowed()
    _on_commit_event_changed(locked.pk)
    if not locked.bookings.exists():
        image_files = list(locked.images.values_list("image", flat=True))
        try:
            with transaction.atomic():
                locked.delete()
        except ProtectedError:
            # A booking row that was not visible to the check above (written by code that
            # skips the event lock): keep the event, as for any booked one.
            pass
        else:
            _delete_files_on_commit(image_files)
            return DeleteOutcome.DELETED
    if locked.is_published:
        locked.is_published = False
        locked.save(update_fields=["is_published", "updated_at"])
    return DeleteOutcome.UNPUBLISHED


@transaction.atomic
def events_unpublish_for_host(*, host) -> int:
    """Unpublish every published event of `host` (account deletion). Bookings are untouched.

    Locks the host's published event rows in ascending id order (the order the booking
    services use when they lock several events), so a booking cannot be confirmed against a
    stale published flag. Returns how many events were unpublished. Queues `event_changed` on
    commit for each of them.
    """
    event_ids = list(
        Event.objects.select_for_update()
        .filter(host_id=host.pk, is_published=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if event_ids:
        Event.objects.filter(pk__in=event_ids).update(is_published=False, updated_at=timezone.now())
        for event_id in event_ids:
            _on_commit_event_changed(event_id)
    return len(event_ids)


# --------------------------------------------------------------------------------------------
# Images, one operation at a time (the edit form uses event_update, which does them together)
# --------------------------------------------------------------------------------------------


def event_image_add(*, actor, event: Event, upload, alt_text: str = "") -> EventImage:
    """Append one image; it becomes the primary if the event has none. Locks the event row.
    Raises NotAllowed, TooManyImages, ValidationError. Queues `event_changed`."""
    added = _with_event_lock(
        actor, event, lambda locked, saved: _add_images(locked, [upload], alt_text, saved)
    )
    return added[0]


def event_images_reorder(*, actor, event: Event, positions: Mapping[int, int]) -> None:
    """Order the event's images by the requested positions (1 = first). Ties go to the image
    whose position was changed, then to the current order. Locks the event row."""
    _with_event_lock(actor, event, lambda locked, saved: _reorder(locked, positions))


def event_image_set_primary(*, actor, event: Event, image_id: int) -> None:
    """Make one image the primary. The old primary is unset first in the same transaction, so
    the one-primary-per-event unique index is never violated. Locks the event row.
    Raises NotAllowed, ImageNotFound."""
    _with_event_lock(actor, event, lambda locked, saved: _set_primary(locked, image_id))


def event_image_remove(*, actor, event: Event, image_id: int) -> None:
    """Remove one image (its file is deleted after commit). If it was the primary, the first
    remaining image takes over. Locks the event row. Raises NotAllowed, ImageNotFound."""

    def remove(locked, saved):
        if not locked.images.filter(pk=image_id).exists():
            raise ImageNotFound()
        _remove(locked, {image_id})

    _with_event_lock(actor, event, remove)


# --------------------------------------------------------------------------------------------
# Internals: callers hold the event row lock
# --------------------------------------------------------------------------------------------


def _host_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(HOST_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not host-editable: {', '.join(sorted(unknown))}")
    return dict(fields)


def _differs(event: Event, name: str, value: Any) -> bool:
    if name == "city":
        return event.city_id != getattr(value, "pk", value)
    return getattr(event, name) != value


def _lock_event(event_id: int) -> Event:
    return Event.objects.select_for_update().get(pk=event_id)


def _with_event_lock(actor, event: Event, operation: Callable[[Event, list[str]], Any]) -> Any:
    saved_files: list[str] = []
    try:
        with transaction.atomic():
            locked = _lock_event(event.pk)
            if not can_manage_event(actor, locked):
                raise NotAllowed()
            result = operation(locked, saved_files)
            _on_commit_event_changed(locked.pk)
    except BaseException:
        _delete_files(saved_files)
        raise
    return result


def _apply_image_changes(
    event: Event,
    changes: ImageChanges,
    uploads: Sequence,
    upload_alt_text: str,
    saved_files: list[str],
) -> None:
    images = {image.pk: image for image in event.images.all()}
    removed = set(changes.remove) & images.keys()
    # Positions were typed against the list as the host saw it, so apply them before removing.
    if changes.positions:
        _reorder(event, changes.positions)
    if removed:
        _remove(event, removed)
        _reorder(event, {})  # close the gaps
    kept = [image for pk, image in images.items() if pk not in removed]
    relabelled = []
    for image in kept:
        alt_text = changes.alt_texts.get(image.pk)
        if alt_text is not None and alt_text != image.alt_text:
            image.alt_text = alt_text
            relabelled.append(image)
    if relabelled:
        EventImage.objects.bulk_update(relabelled, ["alt_text"])
    _add_images(event, uploads, upload_alt_text, saved_files)
    if changes.primary is not None and changes.primary in images and changes.primary not in removed:
        _set_primary(event, changes.primary)
    _ensure_primary(event)


def _add_images(
    event: Event, uploads: Iterable, alt_text: str, saved_files: list[str]
) -> list[EventImage]:
    uploads = list(uploads)
    if not uploads:
        return []
    summary = event.images.aggregate(count=Count("pk"), last=Max("order"))
    if summary["count"] + len(uploads) > MAX_IMAGES_PER_EVENT:
        raise TooManyImages(limit=MAX_IMAGES_PER_EVENT)
    next_order = 0 if summary["last"] is None else summary["last"] + 1
    needs_primary = not event.images.filter(is_primary=True).exists()
    added = []
    for offset, upload in enumerate(uploads):
        upload.name = _stored_name(upload)
        image = EventImage(
            event=event,
            image=upload,
            alt_text=(alt_text or event.title)[:200],
            order=next_order + offset,
            is_primary=needs_primary and offset == 0,
        )
        image.save()
        saved_files.append(image.image.name)
        added.append(image)
    return added


def _stored_name(upload) -> str:
    """A random file name with the extension of the format Pillow found, so the name the
    uploader chose (which could end in .html or .svg) never decides how the file is served."""
    validate_image_upload(upload)
    try:
        with Image.open(upload) as image:
            image_format = image.format
    finally:
        upload.seek(0)
    extension = _EXTENSIONS.get(image_format or "")
    if extension is None:
        raise ValidationError("Upload a JPEG, PNG, GIF or WebP image.", code="unsupported_format")
    return f"{secrets.token_hex(10)}.{extension}"


def _reorder(event: Event, positions: Mapping[int, int]) -> None:
    images = list(event.images.order_by("order", "pk"))

    def sort_key(indexed):
        index, image = indexed
        current = index + 1
        requested = positions.get(image.pk, current)
        return (requested, 0 if requested != current else 1, index)

    ordered = [image for _, image in sorted(enumerate(images), key=sort_key)]
    changed = []
    for order, image in enumerate(ordered):
        if image.order != order:
            image.order = order
            changed.append(image)
    if changed:
        EventImage.objects.bulk_update(changed, ["order"])


def _set_primary(event: Event, image_id: int) -> None:
    if not event.images.filter(pk=image_id).exists():
        raise ImageNotFound()
    # Unset first: the partial unique index allows one primary per event at any moment.
    event.images.filter(is_primary=True).exclude(pk=image_id).update(is_primary=False)
    event.images.filter(pk=image_id).update(is_primary=True)


def _ensure_primary(event: Event) -> None:
    if event.images.filter(is_primary=True).exists():
        return
    first = event.images.order_by("order", "pk").values_list("pk", flat=True).first()
    if first is not None:
        event.images.filter(pk=first).update(is_primary=True)


def _remove(event: Event, image_ids: set[int]) -> None:
    if not image_ids:
        return
    doomed = event.images.filter(pk__in=image_ids)
    files = list(doomed.values_list("image", flat=True))
    doomed.delete()
    _ensure_primary(event)
    _delete_files_on_commit(files)


def _on_commit_event_changed(event_id: int) -> None:
    transaction.on_commit(lambda: cache_versions.event_changed(event_id))


def _delete_files_on_commit(names: list[str]) -> None:
    if names:
        names = list(names)
        transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: Iterable[str]) -> None:
    """Best effort: a file left behind wastes space, an exception here would lose a commit's
    response or hide the error that caused the rollback."""
    storage = EventImage._meta.get_field("image").storage
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:
            logger.warning("could not delete image file %s", name, exc_info=True)


def events_mark_ended(*, now=None) -> int:
    """Flag events whose end has passed (Event.has_ended), so listing indexes skip them.

    One UPDATE over the partial index of unended events; idempotent and safe to run at any
    time or twice at once (listings also filter on ends_at, so nothing shown depends on it).
    No cache invalidation: no page shows anything different. Returns how many were flagged.
    """
    return Event.objects.filter(has_ended=False, ends_at__lt=now or timezone.now()).update(
        has_ended=True
    )
