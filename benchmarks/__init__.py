"""Benchmarks (not timed tests): `make bench` runs `python -m benchmarks.run`, which writes BENCHMARKS.md."""
