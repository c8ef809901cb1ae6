"""In-Django helpers of the chaos harness (run with the stack's environment, like bench.prepare):

hold-event   a fresh paid event with CAPACITY tickets and BUYERS signed-in buyers (sessions
             and CSRF secrets), for the "holds expire while the Celery worker is down" check.
"""

import argparse
import json
import secrets
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from bench.prepare import _csrf_secret, _session_for, _setup_django, _upcoming


def command_hold_event(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from eventmate.events.models import Event

    template = _upcoming().filter(price__gt=0).order_by("id").first()
    if template is None:
        raise SystemExit("no upcoming paid event to copy: is the database seeded?")
    starts = timezone.now() + timedelta(days=20)
    event = Event.objects.create(
        host=template.host,
        title="Chaos hold-expiry event",
        slug=f"chaos-holds-{secrets.token_hex(4)}",
        description="Created by the chaos harness: few tickets, holds that run out.",
        category=template.category,
        city=template.city,
        venue=template.venue,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        price=Decimal("12.00"),
        currency=template.currency,
        capacity=args.capacity,
        is_published=True,
    )
    User = get_user_model()
    buyers = (
        User.objects.filter(is_active=True, is_staff=False, is_host=False)
        .exclude(id=event.host_id)
        .exclude(email__endswith=".invalid")
        .order_by("-id")[: args.buyers]
    )
    return {
        "slug": event.slug,
        "event_id": event.id,
        "capacity": event.capacity,
        "buyers": [
            {"username": u.get_username(), "session": _session_for(u), "csrf": _csrf_secret()}
            for u in buyers
        ],
    }


COMMANDS = {"hold-event": command_hold_event}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos.prepare")
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--capacity", type=int, default=3)
    parser.add_argument("--buyers", type=int, default=4)
    args = parser.parse_args(argv)
    _setup_django()
    result = COMMANDS[args.command](args)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"{args.command}: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
