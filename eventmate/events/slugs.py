"""Event slugs: readable ASCII, unique, assigned once at creation and never changed.

Titles are transliterated to ASCII first ("Café Ñandú 東京" → "cafe-nandu-dongjing",
"Москва Jazz" → "moskva-jazz") because slugs are ASCII-only (links survive being pasted into
any tool, and the unique index compares bytes). A title with nothing left to spell (emoji only,
punctuation only) falls back to "event-" plus a short random suffix, so such events are not
numbered event-2, event-3… in creation order, which would leak how many there are.

Collisions get -2, -3, …: the smallest free number. Two creations racing for the same slug are
settled by the unique index; `events.services.event_create` retries with a fresh slug.
"""

import secrets
import unicodedata

from anyascii import anyascii
from django.utils.text import slugify

from .models import Event

FALLBACK_BASE = "event"
# Room for "-" and a collision number within the column's 220 characters.
MAX_BASE_LENGTH = 200
_SUFFIX_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def slug_base(title: str) -> str:
    """The slug a title asks for, before collisions: lowercase ASCII words joined by "-".
    Empty when the title has nothing that transliterates to letters or digits."""
    # anyascii spells symbols as ":name:" (🎉 → ":tada:"), which would make nonsense slugs.
    text = "".join(ch for ch in (title or "") if unicodedata.category(ch) != "So")
    base = slugify(anyascii(text), allow_unicode=False)
    return base[:MAX_BASE_LENGTH].strip("-")


def fallback_base() -> str:
    return f"{FALLBACK_BASE}-{''.join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(6))}"


def unique_slug(title: str) -> str:
    """A slug for a new event with this title that no existing event uses (at the time of the
    query: callers must still handle the unique index refusing it under a race)."""
    base = slug_base(title) or fallback_base()
    taken = set(
        # The base holds only [a-z0-9-], so it needs no escaping; the anchored pattern can use
        # the slug's pattern-ops index on PostgreSQL.
        Event.objects.filter(slug__regex=rf"^{base}(-[0-9]+)?$").values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
