"""Benchmarks of Export Viewer (not tests): `python -m bench` measures and writes results.md."""
