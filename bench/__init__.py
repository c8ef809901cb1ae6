"""The benchmark harness: `make bench` (full) and `make bench-smoke` (CI) run bench/run.py.

Modules: run (phases and options), stack (the production stack under test), prepare (samples
the seeded data for the load generators; runs inside Django), queries (SQL per request, inside
Django), locustfile (the user scenario), capacity (wrk), hot_event, growth, sysmon (CPU and
memory of each process group), report (results JSON and the BENCHMARKS.md table).
"""
