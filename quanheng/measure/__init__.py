"""Measurement: run benchmark suites against chat endpoints and score the answers."""
