import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from eventmate.core import metrics

pytestmark = pytest.mark.django_db

ROOT = Path(django_settings.BASE_DIR)


def test_loopback_may_read_metrics(client):
    response = client.get("/metrics/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"eventmate_http_requests" in response.content


def test_other_addresses_are_refused(client):
    assert client.get("/metrics/", REMOTE_ADDR="203.0.113.5").status_code == 403


def test_forwarded_outside_client_behind_local_proxy_is_refused(client):
    # nginx on the same host connects from 127.0.0.1; the real client is outside.
    response = client.get("/metrics/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert response.status_code == 403


def test_bearer_token_opens_metrics_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    ok = client.get(
        "/metrics/", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer s3cret-token"
    )
    wrong = client.get("/metrics/", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer nope")
    assert ok.status_code == 200
    assert wrong.status_code == 403


def test_allow_list_is_configurable(client, settings):
    settings.METRICS_ALLOWED_IPS = ["192.0.2.0/24"]
    assert client.get("/metrics/", REMOTE_ADDR="192.0.2.44").status_code == 200
    assert client.get("/metrics/", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_requests_are_counted_by_route_and_status(client):
    before = _sample("eventmate_http_requests_total", route="core:health", status="200")
    client.get("/accounts/login/")
    client.get("/no-such-page/")
    text = client.get("/metrics/").content.decode()
    assert 'route="accounts:login"' in text
    assert 'route="unmatched"' in text and 'status="404"' in text
    assert "eventmate_http_request_duration_seconds_bucket" in text
    assert "eventmate_db_queries_per_request_bucket" in text
    assert before is None  # probes are answered before metrics are taken


def test_json_summary(client, settings):
    settings.PAGE_CACHE_ENABLED = True
    client.get("/events/")
    client.get("/events/")
    body = json.loads(client.get("/metrics/?format=json").content)
    assert body["status"] == "ok"
    summary = body["metrics"]
    assert summary["requests_total"] >= 2
    assert summary["page_cache"]["hit"] >= 1
    assert summary["page_cache"]["miss"] >= 1
    assert set(summary["bookings"]) == {"holds", "confirmations", "expiries", "refunds"}


def test_json_summary_is_refused_too(client):
    response = client.get("/metrics/?format=json", REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 403
    assert json.loads(response.content) == {"status": "forbidden"}


_WORKER = """
import sys
from eventmate.core import metrics
holds = int(sys.argv[1])
for _ in range(holds):
    metrics.BOOKING_HOLDS.inc()
metrics.observe_request(route="events:home", method="GET", status=200, seconds=0.01, queries=2)
"""


def test_metrics_from_two_worker_processes_add_up(client, settings, tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    for holds in (3, 4):  # two processes, as two Gunicorn workers
        subprocess.run([sys.executable, "-c", _WORKER, str(holds)], env=env, cwd=ROOT, check=True)
    assert len(list(folder.glob("counter_*.db"))) == 2
    settings.PROMETHEUS_MULTIPROC_DIR = str(folder)
    summary = json.loads(client.get("/metrics/?format=json").content)["metrics"]
    text = client.get("/metrics/").content.decode()
    assert summary["bookings"]["holds"] == 7
    assert summary["requests_total"] == 2
    assert "eventmate_booking_holds_total 7.0" in text
    assert (
        'eventmate_http_requests_total{method="GET",route="events:home",status="200"} 2.0' in text
    )


def _load_gunicorn_config(monkeypatch, folder):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "config/gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_start_wipes_the_metrics_folder(monkeypatch, tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"old")
    (folder / "keep.txt").write_text("not ours")
    config = _load_gunicorn_config(monkeypatch, folder)
    config.on_starting(server=None)
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]


def test_gunicorn_marks_exited_workers_dead(monkeypatch, tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "gauge_livesum_4242.db").write_bytes(b"")
    (folder / "counter_4242.db").write_bytes(b"")
    config = _load_gunicorn_config(monkeypatch, folder)

    class Worker:
        pid = 4242

    config.child_exit(server=None, worker=Worker())
    # Live gauges of the dead worker go; its counters stay (totals never go backwards).
    assert sorted(p.name for p in folder.iterdir()) == ["counter_4242.db"]


def _sample(name, **labels):
    for family in metrics.REQUESTS.collect():
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None
