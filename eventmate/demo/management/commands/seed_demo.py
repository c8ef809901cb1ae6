"""`manage.py seed_demo`: load deterministic demo data (see eventmate.demo.seed).

Idempotent by detection: if demo accounts already exist, a second run says so, prints the
log-ins and changes nothing; `--flush` deletes the demo data first and loads it again. This
keeps re-runs cheap and predictable (no half-merged data sets of different sizes), and
`--if-empty` (used by `make run`) leaves any database with events alone.
"""

from django.core.management.base import BaseCommand, CommandError

from eventmate.demo import seed
from eventmate.events.models import Event
from eventmate.events.services import events_mark_ended


def non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Load demo data: cities, hosts, users, events with generated images, bookings, "
        "reviews and favourites. Deterministic for the same options."
    )

    def add_arguments(self, parser):
        defaults = seed.SeedOptions()
        parser.add_argument(
            "--events",
            type=non_negative,
            default=defaults.events,
            help="Number of events (default %(default)s).",
        )
        parser.add_argument(
            "--users",
            type=non_negative,
            default=defaults.users,
            help="Regular users, including 'demo' (default %(default)s).",
        )
        parser.add_argument(
            "--hosts",
            type=non_negative,
            default=None,
            help="Hosts, including 'host' (default: events / 50, at least 10).",
        )
        parser.add_argument(
            "--bookings", type=non_negative, default=None, help="Bookings (default: 2 per event)."
        )
        parser.add_argument(
            "--reviews",
            type=non_negative,
            default=None,
            help="Reviews, at most one per confirmed attendance of a past "
            "event (default: 1 per 3 events).",
        )
        parser.add_argument(
            "--favorites", type=non_negative, default=None, help="Favourites (default: 3 per user)."
        )
        parser.add_argument(
            "--cities",
            type=non_negative,
            default=defaults.cities,
            help="Cities, at least the 5 the project names (default: all %(default)s).",
        )
        parser.add_argument(
            "--images",
            type=non_negative,
            default=defaults.images,
            help="Size of the generated event artwork pool (default %(default)s).",
        )
        parser.add_argument(
            "--seed", type=int, default=defaults.seed, help="Random seed (default %(default)s)."
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database has any event."
        )
        mode.add_argument(
            "--flush",
            action="store_true",
            help="Delete existing demo data first, then load it again.",
        )

    def handle(self, *args, **opts):
        if opts["if_empty"] and Event.objects.exists():
            self.stdout.write("The database already has events: no demo data loaded.")
            self.print_logins()
            return
        if opts["flush"]:
            deleted = seed.flush_demo_data()
            summary = ", ".join(f"{count:,} {name}" for name, count in deleted.items() if count)
            self.stdout.write(f"Deleted demo data: {summary or 'none found'}.")
        elif seed.demo_data_exists():
            self.stdout.write(
                "Demo data is already loaded; nothing changed. "
                "Run `manage.py seed_demo --flush` to replace it."
            )
            self.print_logins()
            return

        options = seed.SeedOptions(
            events=opts["events"],
            users=max(opts["users"], 1),
            hosts=None if opts["hosts"] is None else max(opts["hosts"], 1),
            bookings=opts["bookings"],
            reviews=opts["reviews"],
            favorites=opts["favorites"],
            cities=opts["cities"],
            images=max(opts["images"], 1),
            seed=opts["seed"],
        )
        seeder = seed.DemoSeeder(options, self.stdout)
        try:
            report = seeder.run()
            # Bulk inserts bypass Event.save(): flag the past events as the periodic task would.
            events_mark_ended()
        except Exception as exc:
            raise CommandError(
                f"Seeding failed while loading {seeder.phase}: {exc}. Earlier phases were "
                "committed; run `manage.py seed_demo --flush` to start over."
            ) from exc

        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {report.events:,} events ({report.event_images:,} images) in "
                f"{report.cities:,} new cities, {report.users:,} users "
                f"({report.hosts:,} hosts), {report.bookings:,} bookings, "
                f"{report.reviews:,} reviews and {report.favorites:,} favourites "
                f"in {report.seconds:.1f}s."
            )
        )
        for username in getattr(seeder, "skipped_accounts", []):
            self.stdout.write(
                self.style.WARNING(
                    f"A user named '{username}' already existed and was left untouched; "
                    "that demo log-in was not created."
                )
            )
        self.print_logins()

    def print_logins(self):
        logins = seed.demo_logins()
        if not logins:
            return
        self.stdout.write("Demo log-ins (change these passwords on any shared server):")
        for role, username, password in logins:
            self.stdout.write(f"  {role:<6} username: {username:<6} password: {password}")
