"""The benchmark harness behind `python benchmarks/run.py`, one concern a module."""
