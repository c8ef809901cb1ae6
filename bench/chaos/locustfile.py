"""The benchmark's user mix (bench/locustfile.py) with every request written to a log, so the
chaos harness can cut the run into baseline, fault and recovery windows afterwards.

CHAOS_REQUEST_LOG names the file: one CSV line per request (bench.chaos.analysis.FIELDS),
flushed as it is written, so a Locust that is stopped or killed leaves what it saw.
"""

import csv
import os
import time

from locust import events

from bench.locustfile import FLOW, Anonymous, Host, Probe, SignedIn  # noqa: F401 (the users)

_LOG = open(os.environ["CHAOS_REQUEST_LOG"], "a", newline="", buffering=1)  # noqa: SIM115
_WRITER = csv.writer(_LOG)


@events.request.add_listener
def _log_request(
    request_type, name, response_time, response_length, response=None, exception=None, **_kw
):
    if request_type == FLOW:
        return  # a sum of requests already logged one by one
    status = getattr(response, "status_code", 0) if response is not None else 0
    started = time.time() - (response_time or 0) / 1000
    _WRITER.writerow(
        (
            f"{started:.3f}",
            name,
            request_type,
            status or 0,
            f"{response_time or 0:.1f}",
            1 if exception else 0,
        )
    )


@events.quitting.add_listener
def _close(**_kw):
    _LOG.flush()
