"""Scoring: gates, normalisation, weights, aggregation, ranks, and the analyses built on them.

The entry point is :func:`quanheng.scoring.engine.score`, re-exported as ``quanheng.score``.
Submodules are pure functions over numpy arrays, except ``engine`` which wires them together.
"""
