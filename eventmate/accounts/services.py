"""Account writes: sign-up, profile settings and account deletion.

Account deletion spans apps, so it lives here, above them: it calls the events service to
unpublish the user's events and the bookings service to cancel the user's bookings, in the
same transaction as the erasure of the user's personal data.
"""

import io
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from PIL import Image, ImageOps

from eventmate.bookings.services import bookings_cancel_for_user
from eventmate.events.services import events_unpublish_for_host

from .forms import EMAIL_TAKEN
from .models import User

logger = logging.getLogger(__name__)

# Avatars are shown at most 160 px wide (twice that for sharp screens); keeping the upload
# as sent would serve up to 5 MB for a thumbnail, and keep its EXIF data (often a location).
AVATAR_MAX_SIDE = 320
PROFILE_FIELDS = ("first_name", "last_name", "email", "phone", "bio")


def user_signup(*, username: str, email: str, password: str) -> User:
    """Create an active account with a password that the caller has already validated.

    The form checks that username and email are free; two sign-ups racing for the same one
    are settled by the case-insensitive unique indexes, and the loser gets a ValidationError
    keyed by the field, as if the form had caught it.
    """
    user = User(username=username, email=email)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                {"username": "A user with that username already exists."}
            ) from None
        raise ValidationError({"email": EMAIL_TAKEN}) from None
    return user


def user_profile_update(
    *, user: User, fields: dict, avatar=None, remove_avatar: bool = False
) -> User:
    """Save the user's profile `fields` (PROFILE_FIELDS) and optionally a new avatar.

    `avatar` is an upload that has passed core.images.validate_image_upload; it is re-encoded
    (rotated upright, at most AVATAR_MAX_SIDE px, metadata dropped) under a random name.
    Locks the user row. Raises ValidationError({"email": …}) when a concurrent change took
    the email first. The replaced avatar file is deleted after commit; a new file written
    before a rollback is deleted at once.
    """
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {', '.join(sorted(unknown))}")
    new_file = ""
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            old_file = locked.avatar.name or ""
            for name, value in fields.items():
                setattr(locked, name, value)
            changed = list(fields)
            if avatar is not None:
                content, extension = _avatar_content(avatar)
                locked.avatar.save(f"{secrets.token_hex(10)}.{extension}", content, save=False)
                new_file = locked.avatar.name
                changed.append("avatar")
            elif remove_avatar:
                locked.avatar = ""
                changed.append("avatar")
            try:
                with transaction.atomic():
                    locked.save(update_fields=changed)
            except IntegrityError:
                raise ValidationError({"email": EMAIL_TAKEN}) from None
            if "avatar" in changed and old_file:
                transaction.on_commit(lambda: _delete_avatar_file(old_file))
    except BaseException:
        if new_file:
            _delete_avatar_file(new_file)
        raise
    return locked


@dataclass(frozen=True)
class AccountDeletion:
    events_unpublished: int
    bookings_cancelled: int


def account_delete(*, user: User) -> AccountDeletion:
    """Delete an account: unpublish its events, cancel its upcoming bookings, erase its data.

    One transaction: either everything happens or nothing does. Locks the user row first,
    then (through the services called) the events concerned in ascending id order.
    The row itself stays, anonymised, because bookings and events are records of money and
    attendance that must keep a user: username "deleted-<id>", email "deleted-<id>@invalid",
    names, phone, bio and avatar blanked, password unusable, inactive, no staff rights or
    groups. Favourites are removed; reviews stay, under the anonymised name, so event ratings
    keep adding up. Changing the password hash ends the user's sessions on other devices;
    the caller logs out the current one.
    Raises whatever the bookings service raises (the transaction is then rolled back).
    Queues on commit: deletion of the avatar file, a confirmation email to the old address,
    and (through the services) refunds, booking emails and cache invalidation.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        events_unpublished = events_unpublish_for_host(host=locked)
        bookings_cancelled = bookings_cancel_for_user(user=locked)
        locked.favorites.all().delete()
        locked.groups.clear()
        locked.user_permissions.clear()
        old_email = locked.email
        old_name = locked.display_name
        old_avatar = locked.avatar.name or ""
        _anonymise(locked)
        locked.save()
        if old_avatar:
            transaction.on_commit(lambda: _delete_avatar_file(old_avatar))
        result = AccountDeletion(
            events_unpublished=events_unpublished, bookings_cancelled=bookings_cancelled
        )
        if old_email:
            transaction.on_commit(
                lambda: _send_deletion_email(email=old_email, name=old_name, result=result)
            )
    return result


def _anonymise(user: User) -> None:
    user.username = f"deleted-{user.pk}"
    # ".invalid" is reserved (RFC 2606): no mail can ever reach it, and no form accepts it.
    user.email = f"deleted-{user.pk}@invalid"
    user.first_name = ""
    user.last_name = ""
    user.phone = ""
    user.bio = ""
    user.avatar = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.is_host = False


def _send_deletion_email(*, email: str, name: str, result: AccountDeletion) -> None:
    # Runs after commit: the account is gone whatever happens here, so a mail failure is
    # logged rather than turned into an error page.
    context = {"name": name, "result": result, "SITE_NAME": settings.SITE_NAME}
    try:
        send_mail(
            subject=f"Your {settings.SITE_NAME} account has been deleted",
            message=render_to_string("accounts/email/account_deleted.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    except Exception:
        logger.exception("Could not send the account deletion email")


def _avatar_content(upload) -> tuple[ContentFile, str]:
    """The upload re-encoded: PNG when it has transparency, else JPEG. The name the uploader
    chose never decides the stored name or how the file is served."""
    upload.seek(0)
    with Image.open(upload) as image:
        image.seek(0)  # the first frame of an animation
        picture = ImageOps.exif_transpose(image)
        transparent = _has_alpha(picture)
        picture = picture.convert("RGBA" if transparent else "RGB")
        picture.thumbnail((AVATAR_MAX_SIDE, AVATAR_MAX_SIDE), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        if transparent:
            picture.save(buffer, format="PNG", optimize=True)
        else:
            picture.save(buffer, format="JPEG", quality=85, optimize=True)
    upload.seek(0)
    return ContentFile(buffer.getvalue()), "png" if transparent else "jpg"


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _delete_avatar_file(name: str) -> None:
    """Best effort: a file left behind wastes space; an exception here would hide the real
    outcome from the user."""
    storage = User._meta.get_field("avatar").storage
    try:
        storage.delete(name)
    except Exception:
        logger.warning("could not delete avatar file %s", name, exc_info=True)
