"""Read replicas: listing reads may go to a PostgreSQL streaming replica, nothing else does.

Reads are routed to the replica only where a selector says they may be: inside `use_replica()`
(a context manager that is also a decorator). Everything outside it — writes, every service,
availability and payment checks, the event page, sessions, authentication — uses the primary,
so a replica lagging behind can never sell a ticket that is gone or hide a payment.

Rules, checked per query by `ReplicaRouter.db_for_read`:
- no replica configured (DATABASE_READ_REPLICA empty, the default): the primary;
- outside `use_replica()`: the primary;
- inside it, but within a transaction on the primary (`atomic()`): the primary, because a
  transaction must see its own writes and hold its locks on the rows it read;
- otherwise: the replica alias.

What a replica costs: listings may be behind the primary by the replica's lag. The page cache
(eventmate.core.pagecache) stores what it renders under the versions current before rendering,
so a listing rendered from a lagging replica right after an edit is kept at most
PAGE_CACHE_SECONDS; the event page itself always reads the primary.
"""

from contextlib import ContextDecorator
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# The alias DATABASE_REPLICA_URL is configured under (config/settings.py).
REPLICA = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("eventmate_read_replica", default=False)


class use_replica(ContextDecorator):  # lower case: used like a function, `with use_replica():`
    """Reads made inside may be served by the read replica (see the module docstring).

    Safe to nest, and per thread / per task: the flag lives in a ContextVar.
    """

    def _recreate_cm(self):
        # As a decorator, one instance serves every call, in every thread: each call needs
        # its own, or two threads would reset each other's token.
        return type(self)()

    def __enter__(self):
        self._token = _reading_from_replica.set(True)
        return self

    def __exit__(self, *exc_info):
        _reading_from_replica.reset(self._token)
        return False


def replica_alias() -> str | None:
    """The database alias reads inside `use_replica()` go to right now, or None (primary)."""
    if not _reading_from_replica.get():
        return None
    alias = getattr(settings, "DATABASE_READ_REPLICA", "")
    if not alias or alias not in connections.settings:
        return None
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return None
    return alias


class ReplicaRouter:
    """DATABASE_ROUTERS entry. Writes and migrations always go to the primary.

    Both answers are explicit: left to itself, Django would send a query about an object
    loaded from the replica (its related rows, its save()) back to the replica.
    """

    def db_for_read(self, model, **hints):
        return replica_alias() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A streaming replica is read-only: its schema arrives by replication.
        return db != REPLICA
