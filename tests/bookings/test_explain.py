"""The availability query uses the partial indexes of pending bookings on PostgreSQL."""

from django.db import connection
from django.utils import timezone

from eventmate.bookings.models import Booking


def test_overdue_hold_aggregate_uses_the_pending_index(postgres_only, event):
    query = Booking.objects.filter(
        event_id=event.pk, status=Booking.Status.PENDING, hold_expires_at__lte=timezone.now()
    ).order_by()
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny table is cheapest to scan; forbid that so the plan shows the usable index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    assert "Index Scan using bookings_pending_" in plan, plan
