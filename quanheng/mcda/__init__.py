"""The decision maths: pure functions over numpy arrays, nothing of studies, files or stores.

Every module here takes arrays (and a :class:`~quanheng.mcda.tree.CompiledTree`) and returns
arrays; it imports nothing of quanheng but :mod:`quanheng.errors` (an import-linter contract
enforces it), so each piece can be tested against a published worked example on its own.

- :mod:`~quanheng.mcda.tree` — the indicator tree as index arrays with resolved weights;
- :mod:`~quanheng.mcda.normalise` — min–max, log min–max, fixed range, rubric, target;
- :mod:`~quanheng.mcda.aggregate` — weighted arithmetic / geometric means up the tree, coverage,
  missing-data policies, competition ranks;
- :mod:`~quanheng.mcda.topsis` — TOPSIS and the flat weighted sum / geometric mean;
- :mod:`~quanheng.mcda.weights` — direct, AHP (with consistency ratio), entropy, CRITIC, mixing;
- :mod:`~quanheng.mcda.rankcorr` — Kendall's tau-b and leave-one-out weights;
- :mod:`~quanheng.mcda.agreement` — Krippendorff's alpha and analyst disagreement flags.

The package re-exports nothing: import the module you need (some load scipy, which the
command line should not pay for when it only shows a framework).
"""

__all__: list[str] = []
