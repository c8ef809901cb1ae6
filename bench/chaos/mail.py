"""Count the booking emails Django's file-based email backend wrote (EMAIL_URL=filemail://…):
which booking each one is about and of which kind, so the harness can say whether every
queued email was sent, and none twice."""

import email
import email.policy
import re
from collections import Counter
from pathlib import Path

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
# The subject line of each kind (eventmate/bookings/emails.py SUBJECTS), by its fixed start.
KINDS = (
    ("Your tickets for ", "confirmed"),
    ("Your hold on tickets for ", "hold_expired"),
    ("Booking cancelled: ", "cancelled"),
    ("Payment refunded: ", "payment_refunded"),
    ("Event cancelled: ", "event_cancelled"),
)
_BOOKING_LINE = re.compile(r"^Booking:\s+([A-Z0-9]{6,16})\b", re.MULTILINE)


def kind_of(subject: str) -> str:
    for prefix, kind in KINDS:
        if subject.startswith(prefix):
            return kind
    return "other"


def parse_messages(raw: bytes) -> list[tuple[str, str]]:
    """(kind, booking reference or "") of every message in one file of the backend."""
    found = []
    for chunk in raw.split(SEPARATOR):
        if not chunk.strip():
            continue
        message = email.message_from_bytes(chunk.lstrip(b"\n"), policy=email.policy.default)
        subject = str(message.get("Subject", ""))
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        match = _BOOKING_LINE.search(text)
        found.append((kind_of(subject), match.group(1) if match else ""))
    return found


def sent_emails(folder: Path) -> Counter:
    """Counter of (kind, reference) over every file in the backend's folder."""
    counts = Counter()
    if not folder.is_dir():
        return counts
    for path in sorted(folder.glob("*.log")):
        counts.update(parse_messages(path.read_bytes()))
    return counts


def compare(expected: dict[str, str], counts: Counter) -> dict:
    """`expected`: {booking reference: kind} of emails that must have gone out exactly once.
    Returns how many were expected, sent once, missing, and sent more than once, with examples;
    and how many duplicates there were among all emails."""
    once = [ref for ref, kind in expected.items() if counts.get((kind, ref), 0) == 1]
    missing = [ref for ref, kind in expected.items() if counts.get((kind, ref), 0) == 0]
    twice = [ref for ref, kind in expected.items() if counts.get((kind, ref), 0) > 1]
    duplicates_anywhere = {f"{kind} {ref}": n for (kind, ref), n in counts.items() if n > 1 and ref}
    return {
        "expected": len(expected),
        "sent_once": len(once),
        "missing": len(missing),
        "missing_examples": missing[:5],
        "sent_twice_or_more": len(twice),
        "twice_examples": twice[:5],
        "duplicates_among_all_emails": len(duplicates_anywhere),
        "duplicate_examples": dict(list(duplicates_anywhere.items())[:5]),
        "emails_total": sum(counts.values()),
    }
