"""PostgreSQL full-text and typo-tolerant search. A no-op on SQLite (see events.selectors).

- `search_vector` is kept by a trigger: title (A), city name and venue (B), description (C).
  A trigger rather than application code, so bulk inserts (seed_demo) and admin edits are
  covered too.
- GIN index on `search_vector` for `@@` queries; trigram GIN index on lower(title) for
  similarity matching of misspelt keywords ("jaz festval").
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE OR REPLACE FUNCTION events_event_search_vector_refresh() RETURNS trigger AS $$
    BEGIN
      NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english',
          coalesce((SELECT name FROM events_city WHERE id = NEW.city_id), '') || ' ' ||
          coalesce(NEW.venue, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(NEW.description, '')), 'C');
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER events_event_search_vector_trigger
    BEFORE INSERT OR UPDATE OF title, venue, description, city_id ON events_event
    FOR EACH ROW EXECUTE FUNCTION events_event_search_vector_refresh()
    """,
    "CREATE INDEX events_event_search_vector_gin ON events_event USING gin (search_vector)",
    "CREATE INDEX events_event_title_trgm ON events_event USING gin (lower(title) gin_trgm_ops)",
    "CREATE INDEX events_city_name_trgm ON events_city USING gin (lower(name) gin_trgm_ops)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS events_city_name_trgm",
    "DROP INDEX IF EXISTS events_event_title_trgm",
    "DROP INDEX IF EXISTS events_event_search_vector_gin",
    "DROP TRIGGER IF EXISTS events_event_search_vector_trigger ON events_event",
    "DROP FUNCTION IF EXISTS events_event_search_vector_refresh()",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
