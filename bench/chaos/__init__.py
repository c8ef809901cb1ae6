"""Faults under load (`make chaos`): see bench/chaos/run.py and RELIABILITY.md."""
