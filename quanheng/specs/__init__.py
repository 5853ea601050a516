"""The study's specification types: what a framework or study file says, as frozen data.

These sit below :mod:`quanheng.framework` and :mod:`quanheng.study` and import no measuring,
scoring or serving code, so loading and validating a study never pulls in an HTTP client or a
model server:

- :mod:`~quanheng.specs.normalisation` — how a leaf's raw value becomes a score in [0, 1];
- :mod:`~quanheng.specs.endpoint` — an OpenAI-compatible endpoint (the key by variable name only);
- :mod:`~quanheng.specs.measure_settings` — the study's ``measure:`` section;
- :mod:`~quanheng.specs.local_models` — the catalogue of models quanheng can serve locally.
"""

__all__: list[str] = []
