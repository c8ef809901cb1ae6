"""Fast inserts of plain rows, for loading demo data by the hundred thousand.

`bulk_create` spends most of its time building model instances and compiling each value
through the field machinery: fine for hundreds of rows, minutes for the 100,000-event data set.
On PostgreSQL this writes rows straight into COPY (text format, formatted here: psycopg's
per-value adaptation costs more than the database's work for narrow rows), with primary keys
taken from the table's sequence beforehand so the caller gets the ids back. Elsewhere (SQLite,
for `make run` and the tests) it falls back to `bulk_create` in batches, fast enough for small
sets.

Rows hold the Python values the ORM would store (str, int, bool, Decimal, aware datetime,
date, None). Fields left out get their model default.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from django.db import connection

BATCH_SIZE = 1000

_NULL = "\\N"
_TAB = "\t"


def _escape(value: str) -> str:
    # COPY text format: backslash escapes for the characters that delimit fields and rows.
    # Four replace() passes run in C and beat one str.translate() with a mapping by ~7x.
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


_TEXT = {
    str: _escape,
    int: str,
    bool: lambda v: "t" if v else "f",
    Decimal: str,
    datetime: datetime.isoformat,  # aware datetimes carry their offset
    date: date.isoformat,
    type(None): lambda v: _NULL,
}


def _copy_text(value) -> str:
    convert = _TEXT.get(type(value))
    if convert is None:
        raise TypeError(f"No COPY format for {type(value).__name__}: {value!r}")
    return convert(value)


def _copy_line(pk: int, row: Sequence, defaults: str) -> str:
    try:
        values = _TAB.join([_TEXT[type(value)](value) for value in row])
    except KeyError:  # an unexpected type: let _copy_text name it
        values = _TAB.join(map(_copy_text, row))
    return f"{pk}{_TAB}{values}{defaults}\n"


class RowInserter:
    def __init__(self, model, field_names: Sequence[str]):
        self.model = model
        meta = model._meta
        self.fields = [meta.get_field(name) for name in field_names]
        given = {f.attname for f in self.fields}
        self.names = [f.attname for f in self.fields]
        # Columns the caller leaves out still need a value: COPY applies no Python defaults.
        self.default_fields = [
            f for f in meta.concrete_fields if not f.primary_key and f.attname not in given
        ]
        self.count = 0

    def insert(self, rows: list[Sequence]) -> list[int]:
        """Insert `rows` (values in `field_names` order) and return their primary keys in
        the same order. Call inside a transaction."""
        return self.insert_all(rows, len(rows))

    def insert_all(self, rows: Iterable[Sequence], count: int, progress=None) -> list[int]:
        """Insert exactly `count` rows taken lazily from `rows`; return their primary keys in
        order. On PostgreSQL all of them go through one COPY, so the database works on what
        was sent while the caller's generator produces the rest.

        Preconditions: inside a transaction; the generator must not query the database (the
        connection is busy with the COPY until the last row is sent)."""
        if count == 0:
            return []
        self.count += count
        if connection.vendor == "postgresql":
            return self._copy(iter(rows), count, progress)
        ids, batch = [], []
        for row in rows:
            batch.append(self.model(**dict(zip(self.names, row, strict=True))))
            if len(batch) == BATCH_SIZE:
                ids += self._bulk_create(batch, progress)
                batch = []
        ids += self._bulk_create(batch, progress)
        if len(ids) != count:
            raise ValueError(f"{len(ids)} {self.model.__name__} rows given, {count} announced")
        return ids

    def _bulk_create(self, objects, progress) -> list[int]:
        self.model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        if progress:
            progress.advance(len(objects))
        return [obj.pk for obj in objects]

    def _copy(self, rows, count: int, progress) -> list[int]:
        meta = self.model._meta
        quote = connection.ops.quote_name
        defaults = "".join(
            "\t" + _copy_text(f.get_db_prep_save(f.get_default(), connection))
            for f in self.default_fields
        )
        columns = [meta.pk.column] + [f.column for f in self.fields + self.default_fields]
        with connection.cursor() as cursor:
            # COPY returns no ids: take them from the table's sequence first.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            ids = [row[0] for row in cursor.fetchall()]
            sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
            # The psycopg cursor under Django's wrapper: Django has no COPY API.
            with cursor.cursor.copy(sql) as copy:
                for start in range(0, count, BATCH_SIZE):
                    chunk = ids[start : start + BATCH_SIZE]
                    # zip(strict=True) also proves the generator gave exactly `count` rows
                    # (the last chunk is checked against what is left of it).
                    lines = [
                        _copy_line(pk, row, defaults)
                        for pk, row in zip(chunk, islice(rows, len(chunk)), strict=True)
                    ]
                    copy.write("".join(lines))
                    if progress:
                        progress.advance(len(chunk))
                if next(rows, None) is not None:
                    raise ValueError(f"more {self.model.__name__} rows given than announced")
        return ids


def drop_for_bulk_load(models: Iterable) -> list[str]:
    """On PostgreSQL, drop the tables' secondary indexes and foreign keys before a big load;
    return the statements that restore them exactly (from pg_get_indexdef and
    pg_get_constraintdef), for `restore_after_bulk_load`.

    Why: building an index once from all rows is several times cheaper than updating it row
    by row (most of all the GIN search indexes), and adding a foreign key checks all rows
    with one join, where a live one runs a locking lookup per inserted row (about 20 s of
    the 100,000-event load). Primary keys and unique constraints stay, so duplicates are
    still refused during the load, and the foreign keys are fully validated when added back.
    Precondition: inside a transaction, which then holds exclusive locks on the tables (and a
    share lock on the tables they reference) until it commits; a failure rolls it all back.
    """
    if connection.vendor != "postgresql":
        return []
    quote = connection.ops.quote_name
    indexes, foreign_keys = [], []
    with connection.cursor() as cursor:
        # Run foreign-key checks still deferred in this transaction now: ALTER TABLE refuses
        # to work on a table with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in models:
            table = quote(model._meta.db_table)
            cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                """,
                [table],
            )
            indexes += cursor.fetchall()
            cursor.execute(
                """
                SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = %s::regclass AND contype = 'f'
                """,
                [table],
            )
            foreign_keys += [(table, name, definition) for name, definition in cursor.fetchall()]
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        for table, name, _ in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    return [definition for _, definition in indexes] + [
        f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}"
        for table, name, definition in foreign_keys
    ]


def restore_after_bulk_load(statements: Iterable[str], progress=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as in drop_for_bulk_load
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in statements:
            cursor.execute(statement)
            if progress:
                progress.advance()
