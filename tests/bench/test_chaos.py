"""The pure parts of the chaos harness (bench/chaos): window figures, recovery time, the email
count, the verdicts and report, and the integrity SQL on a small factory-built data set."""

import csv
from collections import Counter
from decimal import Decimal

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.utils import timezone

from bench.chaos import analysis, integrity, mail, report
from bench.chaos.analysis import Record
from eventmate.bookings.models import Booking
from eventmate.payments.models import Refund, TestPayment
from tests.factories import BookingFactory, EventFactory


def _steady(start, seconds, *, per_second=10, ms=20.0):
    return [
        Record(start + s + i / per_second, "anon: home", "GET", 200, ms, False)
        for s in range(seconds)
        for i in range(per_second)
    ]


# ---------------------------------------------------------------------------------- analysis
def test_window_stats_counts_failures_by_status_method_and_errors():
    records = [
        *_steady(1000, 2),
        Record(1000.5, "booking: pay", "POST", 0, 5.0, True),
        Record(1001.2, "anon: event", "GET", 502, 9.0, True),
        Record(1001.3, "user: my bookings", "GET", 302, 3.0, True),
        Record(1003.0, "anon: home", "GET", 500, 1.0, True),  # outside [1000, 1002)
    ]
    stats = analysis.window_stats(records, 1000, 1002)
    assert stats["sent"] == 23
    assert stats["failed"] == 3
    assert stats["errors"] == 2  # no answer and 502; a 302 is the app's verdict
    assert stats["errors_idempotent"] == 1
    assert stats["failed_by_status"] == {"0": 1, "502": 1, "302": 1}
    assert stats["failed_by_method"] == {"GET": 2, "POST": 1}
    assert stats["p99_ms"] == 20.0
    assert stats["requests_per_s"] == 11.5


def test_per_second_buckets_by_start_time():
    records = [*_steady(0, 3, per_second=2), Record(1.5, "x", "GET", 503, 900.0, True)]
    buckets = analysis.per_second(records, 0, 3)
    assert [b["sent"] for b in buckets] == [2, 3, 2]
    assert [b["failed"] for b in buckets] == [0, 1, 0]
    assert buckets[1]["p99_ms"] == 900.0


def test_recovery_is_the_first_run_of_healthy_seconds_after_the_fault():
    fault_end = 100.0
    records = _steady(90, 30)  # baseline-like traffic throughout
    # Failures in the first two seconds after the fault, slow answers in the third.
    records += [Record(100.2, "x", "GET", 502, 5.0, True), Record(101.7, "x", "GET", 0, 5.0, True)]
    records += [Record(102.5, "x", "GET", 200, 500.0, False)]
    assert (
        analysis.recovery_seconds(
            records, fault_end=fault_end, until=120, baseline_p99_ms=20.0, factor=2, hold=3
        )
        == 3.0
    )


def test_recovery_is_zero_when_healthy_at_once_and_none_when_never():
    records = _steady(0, 20)
    assert analysis.recovery_seconds(records, fault_end=10, until=20, baseline_p99_ms=20) == 0.0
    failing = records + [Record(10 + s + 0.5, "x", "GET", 0, 1.0, True) for s in range(10)]
    assert analysis.recovery_seconds(failing, fault_end=10, until=20, baseline_p99_ms=20) is None


def test_read_records_round_trips_the_locust_log_and_skips_cut_lines(tmp_path):
    path = tmp_path / "requests.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("12.5", "anon: home", "GET", "200", "3.0", "0"))
        writer.writerow(("11.0", "booking: pay", "POST", "0", "1.5", "1"))
        handle.write("13.0,anon: ho")  # Locust stopped mid-line
    records = analysis.read_records(path)
    assert records == [
        Record(11.0, "booking: pay", "POST", 0, 1.5, True),
        Record(12.5, "anon: home", "GET", 200, 3.0, False),
    ]
    assert analysis.read_records(tmp_path / "missing.csv") == []


def test_nginx_log_tells_which_requests_went_to_the_other_instance(tmp_path):
    path = tmp_path / "access.log"
    path.write_text(
        '10.5 GET 200 "127.0.0.1:8301" "200" 0.002 "/"\n'
        '11.0 GET 200 "127.0.0.1:8302, 127.0.0.1:8301" "502, 200" 0.010 "/event/x/"\n'
        '11.5 POST 502 "127.0.0.1:8301" "502" 0.040 "/booking/X/checkout/"\n'
        "garbage\n"
        '30.0 GET 200 "127.0.0.1:8301, 127.0.0.1:8302" "502, 200" 0.010 "/"\n'
    )
    entries = analysis.read_nginx_log(path)
    assert entries[1] == (11.0, "GET", 200, ["127.0.0.1:8302", "127.0.0.1:8301"])
    stats = analysis.nginx_window_stats(entries, 10, 20)
    assert stats == {
        "requests": 3,
        "retried": 1,
        "retried_by_method": {"GET": 1},
        "answered_5xx": {"POST 502": 1},
    }


# ---------------------------------------------------------------------------------- emails
def _message(subject, reference):
    message = EmailMultiAlternatives(
        subject=subject,
        body=f"Hello,\n\nBooking:  {reference} - http://x/my-bookings/{reference}/\n",
        to=["someone@example.com"],
    )
    message.attach_alternative("<p>html</p>", "text/html")
    return message.message().as_bytes()


def test_emails_written_by_the_file_backend_are_counted_by_kind_and_booking(tmp_path):
    raw = b""
    for subject, ref in (
        ("Your tickets for Jazz", "ABCDEFGH2345"),
        ("Your tickets for Jazz", "ABCDEFGH2345"),
        ("Your hold on tickets for Jazz has expired", "ZZZZZZZZ9999"),
    ):
        raw += _message(subject, ref) + b"\n" + b"-" * 79 + b"\n"
    (tmp_path / "20300101-000000-1.log").write_bytes(raw)
    counts = mail.sent_emails(tmp_path)
    assert counts == Counter(
        {("confirmed", "ABCDEFGH2345"): 2, ("hold_expired", "ZZZZZZZZ9999"): 1}
    )
    compared = mail.compare(
        {"ABCDEFGH2345": "confirmed", "ZZZZZZZZ9999": "hold_expired", "MISSING23456": "confirmed"},
        counts,
    )
    assert compared["expected"] == 3
    assert compared["sent_once"] == 1
    assert compared["missing"] == 1
    assert compared["sent_twice_or_more"] == 1
    assert compared["duplicates_among_all_emails"] == 1


# ---------------------------------------------------------------------------------- verdicts
def _scenario(**overrides):
    window = {"sent": 100, "failed": 0, "errors": 0, "errors_idempotent": 0,
              "failed_by_status": {}, "failed_by_method": {}, "failed_by_name": {},
              "statuses": {"200": 100}, "p50_ms": 5.0, "p99_ms": 50.0}  # fmt: skip
    result = {
        "times": {"baseline_s": 20, "fault_s": 30, "recovery_window_s": 30},
        "baseline": dict(window),
        "fault": dict(window),
        "recovery": dict(window),
        "recovery_s": 0.0,
        "checks": {},
        "integrity": {"ok": True, "counters": {"violations": 0}},
    }
    result.update(overrides)
    return result


def test_instance_restart_is_met_only_without_errors_and_with_integrity():
    assert report.verdict("instance-restart", _scenario())["met"]
    failing = _scenario(fault={**_scenario()["fault"], "errors": 2, "failed": 2})
    verdict = report.verdict("instance-restart", failing)
    assert not verdict["met"]
    assert "2 failed requests" in verdict["summary"]
    broken = _scenario(integrity={"ok": False})
    assert report.verdict("instance-restart", broken)["failed_conditions"] == ["integrity check"]


def test_only_new_integrity_violations_fail_a_scenario():
    seen = {}
    first = {"counters": {"ids": []}, "unpaid": {"ids": []}, "orphans": {"ids": [7]}}
    assert integrity.new_violations(first, seen) == {"counters": 0, "unpaid": 0, "orphans": 1}
    later = {"counters": {"ids": [3]}, "unpaid": {"ids": []}, "orphans": {"ids": [7]}}
    assert integrity.new_violations(later, seen) == {"counters": 1, "unpaid": 0, "orphans": 0}
    carried = {
        "ok": False,
        "orphans": {"violations": 1},
        "new": {"counters": 0, "unpaid": 0, "orphans": 0},
    }
    verdict = report.verdict("rolling-hup", _scenario(integrity=carried))
    assert verdict["met"]
    assert "1 found by an earlier check" in verdict["summary"]
    fresh = {**carried, "orphans": {"violations": 2}, "new": {**carried["new"], "orphans": 1}}
    assert not report.verdict("rolling-hup", _scenario(integrity=fresh))["met"]


def test_worker_kill_allows_failed_posts_but_not_failed_gets():
    posts_only = _scenario(fault={**_scenario()["fault"], "errors": 3, "errors_idempotent": 0})
    assert report.verdict("worker-kill", posts_only)["met"]
    gets = _scenario(fault={**_scenario()["fault"], "errors": 3, "errors_idempotent": 1})
    assert not report.verdict("worker-kill", gets)["met"]


def test_postgres_verdict_reads_the_probes():
    checks = {
        "ready_during_outage": {"503": 10},
        "cached_page_during_outage": {"200": 10},
        "write_during_outage": {"503": 10},
        "write_page": {"status": 503, "html": True, "traceback_shown": False},
        "ready_200_after_start_s": 1.2,
    }
    assert report.verdict("postgres", _scenario(checks=checks, recovery_s=2.0))["met"]
    with_500 = {**checks, "write_during_outage": {"500": 10}}
    assert not report.verdict("postgres", _scenario(checks=with_500, recovery_s=2.0))["met"]


def test_report_section_replaces_only_the_generated_part(tmp_path):
    results = {
        "run_id": "20300101T000000Z",
        "mode": "full",
        "machine": {"cpu_model": "Test CPU", "cores": 2, "memory_gb": 4},
        "versions": {"nginx": "1.22"},
        "settings": {"locust_users": 150},
        "data": {"events": 2000},
        "scenarios": {"rolling-hup": {**_scenario(), "verdict": {}}},
        "errors": {},
        "duration_s": 600,
    }
    results["scenarios"]["rolling-hup"]["verdict"] = report.verdict(
        "rolling-hup", results["scenarios"]["rolling-hup"]
    )
    path = tmp_path / "RELIABILITY.md"
    path.write_text("# Reliability\n\nMethod, by hand.\n\n" + report.START + "\nold\n" + report.END)
    report.update_markdown(path, report.render_section(results))
    text = path.read_text()
    assert text.startswith("# Reliability\n\nMethod, by hand.\n")
    assert "old" not in text
    assert "| rolling-hup | 30 s | 100 / 0 |" in text
    assert "**met**" in text
    assert text.count(report.START) == 1 and text.count(report.END) == 1


# ---------------------------------------------------------------------------------- integrity
def _run_check():
    with connection.cursor() as cursor:
        return integrity.integrity_check(cursor)


def _payment(reference, order, status=TestPayment.Status.SUCCEEDED):
    return TestPayment.objects.create(
        reference=reference,
        order_reference=order,
        amount=Decimal("25.00"),
        currency="USD",
        status=status,
        card_last4="4242",
    )


@pytest.mark.django_db
def test_integrity_check_passes_on_consistent_data():
    event = EventFactory(tickets_sold=2, tickets_held=1)
    paid = BookingFactory(
        event=event, quantity=2, payment_reference="pay_1", payment_provider="test"
    )
    _payment("pay_1", paid.reference)
    BookingFactory(
        event=event,
        status=Booking.Status.PENDING,
        confirmed_at=None,
        hold_expires_at=timezone.now(),
    )
    refunded = BookingFactory(
        event=event,
        status=Booking.Status.REFUNDED,
        payment_reference="pay_2",
        payment_provider="test",
    )
    _payment("pay_2", refunded.reference)
    Refund.objects.create(provider="test", payment_reference="pay_2", amount=25, currency="USD")
    result = _run_check()
    assert result["ok"], result
    assert result["totals"]["bookings"] == 3
    assert result["totals"]["test_payments"] == 2


@pytest.mark.django_db
def test_integrity_check_finds_each_kind_of_violation():
    event = EventFactory(tickets_sold=5, tickets_held=0)  # counters say 5, bookings say 1
    BookingFactory(event=event, payment_reference=None)  # confirmed, paid event, no payment
    _payment("pay_orphan", "NOSUCHBOOKING")  # money taken, no ticket, no refund
    result = _run_check()
    assert not result["ok"]
    assert result["counters"]["violations"] == 1
    assert result["counters"]["examples"][0][:4] == [event.id, event.slug, 5, 0]
    assert result["unpaid"]["violations"] == 1
    assert result["orphans"]["violations"] == 1
    assert result["orphans"]["examples"][0][1] == "pay_orphan"
