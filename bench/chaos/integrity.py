"""The integrity check run after every chaos scenario: plain SQL (PostgreSQL and SQLite) over
any DB-API cursor, so the harness runs it with psycopg against its own database and the tests
run it through Django's connection on factory-built rows.

  counters    every event's tickets_sold equals the quantities of its CONFIRMED bookings and
              tickets_held those of its PENDING ones (bookings.services' invariants)
  unpaid      no booking with something to pay (total > 0) is CONFIRMED without a payment
              reference that names a successful payment of the built-in test provider
  orphans     no successful test payment without a ticket or a refund: each one is the payment
              of a CONFIRMED booking, or has a Refund row (owed or made)
"""

COUNTERS = """
SELECT * FROM (
  SELECT e.id, e.slug, e.tickets_sold, e.tickets_held,
         COALESCE(SUM(CASE WHEN b.status = 'confirmed' THEN b.quantity ELSE 0 END), 0) AS sold,
         COALESCE(SUM(CASE WHEN b.status = 'pending' THEN b.quantity ELSE 0 END), 0) AS held
  FROM events_event e
  LEFT JOIN bookings_booking b ON b.event_id = e.id
  GROUP BY e.id, e.slug, e.tickets_sold, e.tickets_held
) AS counted
WHERE tickets_sold <> sold OR tickets_held <> held
ORDER BY id
"""

UNPAID = """
SELECT b.id, b.reference, b.payment_provider, b.payment_reference
FROM bookings_booking b
WHERE b.status = 'confirmed' AND b.total > 0
  AND (b.payment_reference IS NULL
       OR (b.payment_provider = 'test' AND NOT EXISTS (
             SELECT 1 FROM payments_testpayment p
             WHERE p.reference = b.payment_reference AND p.status = 'succeeded')))
ORDER BY b.id
"""

ORPHANS = """
SELECT p.id, p.reference, p.order_reference, p.amount
FROM payments_testpayment p
WHERE p.status = 'succeeded'
  AND NOT EXISTS (SELECT 1 FROM bookings_booking b
                  WHERE b.payment_reference = p.reference AND b.status = 'confirmed')
  AND NOT EXISTS (SELECT 1 FROM payments_refund r WHERE r.payment_reference = p.reference)
ORDER BY p.id
"""

TOTALS = """
SELECT
  (SELECT COUNT(*) FROM bookings_booking),
  (SELECT COUNT(*) FROM bookings_booking WHERE status = 'confirmed'),
  (SELECT COUNT(*) FROM bookings_booking WHERE status = 'pending'),
  (SELECT COUNT(*) FROM payments_testpayment),
  (SELECT COUNT(*) FROM payments_refund)
"""

CHECKS = {"counters": COUNTERS, "unpaid": UNPAID, "orphans": ORPHANS}
EXAMPLES = 5
IDS = 1000  # enough to tell new violations from ones an earlier check saw


def integrity_check(cursor) -> dict:
    """{"ok": bool, "<check>": {"violations": n, "examples": [...], "ids": [...]},
    "totals": {...}}: `ok` when no check found any violation."""
    result = {}
    for name, sql in CHECKS.items():
        cursor.execute(sql)
        rows = cursor.fetchall()
        result[name] = {
            "violations": len(rows),
            "examples": [[_plain(v) for v in row] for row in rows[:EXAMPLES]],
            "ids": [row[0] for row in rows[:IDS]],
        }
    cursor.execute(TOTALS)
    bookings, confirmed, pending, payments, refunds = cursor.fetchone()
    result["totals"] = {
        "bookings": bookings,
        "confirmed": confirmed,
        "pending": pending,
        "test_payments": payments,
        "refunds": refunds,
    }
    result["ok"] = not any(result[name]["violations"] for name in CHECKS)
    return result


def new_violations(check: dict, seen: dict[str, set]) -> dict[str, int]:
    """How many of `check`'s violations (by the first column: an event, booking or payment id)
    are not in `seen` (the ids earlier checks reported, per check); `seen` is updated."""
    new = {}
    for name in CHECKS:
        ids = set((check.get(name) or {}).get("ids", []))
        new[name] = len(ids - seen.setdefault(name, set()))
        seen[name] |= ids
    return new


def _plain(value):
    return value if isinstance(value, (int, str, type(None))) else str(value)
