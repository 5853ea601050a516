"""Drawing leaf values within their evidence, straight into normalised scores.

The simulation's cost is ``draws × subjects × varying leaves`` element operations, so this
module does as few passes over those elements as it can:

* leaves are grouped by normalisation, each group a contiguous block of columns, so one numpy
  call handles every leaf of a group;
* for fixed-range leaves the affine normalisation (and a ``lower`` direction) is folded into the
  triangular distribution's parameters, so values are drawn in normalised units;
* a rubric cell moves by ``floor(3u) − 1`` levels (−1, 0 or +1, each with probability 1/3),
  clipped — arithmetic only;
* log-normalised leaves are drawn on the log scale — the scale that normalisation measures on;
* cohort-relative leaves (min–max) are renormalised within each draw with ``fmin``/``fmax``
  reductions that skip missing cells;
* missing cells drawn from their prior (:mod:`quanheng.analysis._missing`) are rows of the
  ``(leaves × subjects, draws)`` block: their uniforms are gathered once, shaped into the prior
  (one normal per subject and draw shared by its cells), and scattered back — on min–max
  leaves *before* the renormalisation, so a drawn cell can move the cohort's min or max exactly
  as a reported one would;
* work happens in small blocks of draws with buffers reused between blocks (cache-resident, no
  page faults from fresh large allocations), laid out ``(leaves, subjects, draws)`` so each
  group is one contiguous slice;
* draws are float32 (7 significant digits — far finer than any evidence range; min–max
  columns are first centred and scaled, which min–max normalisation ignores, so large raw
  values keep their precision). The tree kernel stays in float32 for drawn values and returns
  float64 overall scores.

Semantics match :func:`~quanheng.mcda.normalise.normalise_leaf` on the drawn raw values; for
log-normalised leaves the draw itself is on log10(x + offset).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from quanheng.analysis._missing import MissingPrior, clipped_draw
from quanheng.mcda.aggregate import GEOMETRIC_FLOOR
from quanheng.specs.normalisation import Fixed, LogMinMax, MinMax, Normalisation, Rubric, Target

__all__ = ["ValueSampler"]

_GROUPS = ("rubric", "fixed", "minmax", "target")


@dataclass(frozen=True)
class _Tri:
    """Triangular inverse-CDF constants per cell, float32 ``(V, S, 1)``.

    With span = b − a: the left piece is ``a + sa·√u`` (sa = √(span·(c − a))) and the right
    piece ``b − sb·√(1 − u)`` (sb = √(span·(b − c))).
    """

    a: np.ndarray
    b: np.ndarray
    base: np.ndarray  # a + b − c
    sa: np.ndarray
    sb_neg: np.ndarray  # −sb
    left_cap: np.ndarray  # c − a
    right_floor: np.ndarray  # c − b


def _tri(a: np.ndarray, c: np.ndarray, b: np.ndarray) -> _Tri:
    span = b - a
    with np.errstate(invalid="ignore"):
        sa = np.sqrt(span * (c - a))
        sb = np.sqrt(span * (b - c))
    return _Tri(
        a=_f32(a),
        b=_f32(b),
        base=_f32(a + b - c),
        sa=_f32(sa),
        sb_neg=_f32(-sb),
        left_cap=_f32(c - a),
        right_floor=_f32(c - b),
    )


def _f32(x: np.ndarray) -> np.ndarray:
    """A ``(V, S)`` per-cell array as float32 ``(V, S, 1)``, broadcasting over draws."""
    return np.asarray(x, dtype=np.float32)[:, :, None]


class ValueSampler:
    """Draw the varying leaves' normalised scores for blocks of draws.

    Args:
        values, low, high, spread: ``(S, L)`` cell data (NaN values are missing).
        specs, directions: per leaf.
        uncertain: ``(S, L)`` cells that vary.
        rubric_step: ``(S, L)`` cells that move ±1 level (analysts disagree).
        missing: the missing-data policy applied inside each draw.
        geometric: return log scores for the geometric mean.
        model: ``triangular`` or ``uniform``.
        prior: the missing-cell prior, fitted to the cohort's normalised scores.
        drawn: ``(S, L)`` missing cells drawn from ``prior`` (the others follow ``missing``).
    """

    def __init__(
        self,
        values: np.ndarray,
        low: np.ndarray,
        high: np.ndarray,
        uncertain: np.ndarray,
        rubric_step: np.ndarray,
        specs: tuple[Normalisation, ...],
        directions: tuple[str, ...],
        *,
        missing: str,
        geometric: bool,
        model: str,
        prior: MissingPrior | None = None,
        drawn: np.ndarray | None = None,
    ) -> None:
        self.missing = missing
        self.geometric = geometric
        self.model = model
        drawn = np.zeros(values.shape, dtype=bool) if drawn is None or prior is None else drawn
        varying_cols = np.flatnonzero(uncertain.any(axis=0) | drawn.any(axis=0))

        def group(spec: Normalisation) -> str:
            if isinstance(spec, Rubric):
                return "rubric"
            if isinstance(spec, Fixed):
                return "fixed"
            if isinstance(spec, MinMax | LogMinMax):
                return "minmax"
            if isinstance(spec, Target):
                return "target"
            raise TypeError(f"unknown normalisation {spec!r}")  # pragma: no cover

        order = sorted(varying_cols, key=lambda j: (_GROUPS.index(group(specs[j])), j))
        self.columns = np.array(order, dtype=np.int64)
        self.slices: dict[str, slice] = {}
        start = 0
        for g in _GROUPS:
            n = sum(1 for j in order if group(specs[j]) == g)
            self.slices[g] = slice(start, start + n)
            start += n
        cols = self.columns
        v = values[:, cols].T  # (V, S)
        lo = np.where(uncertain, low, values)[:, cols].T
        hi = np.where(uncertain, high, values)[:, cols].T
        self.missing_mask = (np.isnan(v) & ~drawn[:, cols].T)[:, :, None]
        self.has_missing = bool(self.missing_mask.any())
        self.n_varying = len(cols)
        self.n_subjects = values.shape[0]
        vs = [specs[j] for j in cols]
        dirs = [directions[j] for j in cols]

        # rubric: three precomputed normalised levels per cell. Analysts a level or more apart
        # move it ±1 level (within 0..5); a stated range moves it ±1 level within the range.
        r = self.slices["rubric"]
        disagree = rubric_step[:, cols].T[r]
        rv = v[r]
        moves = disagree | (hi[r] > lo[r])
        r_lo = np.where(disagree, 0.0, lo[r])
        r_hi = np.where(disagree, 5.0, hi[r])
        self.rubric_value = _f32(rv)
        self.rubric_moves = _f32(np.where(moves, 1.0, 0.0))
        self.rubric_lo = _f32(r_lo)
        self.rubric_hi = _f32(r_hi)

        # fixed: triangular drawn in normalised units, clipped to [0, 1]
        f = self.slices["fixed"]
        mn = np.array([s.min for s in vs[f] if isinstance(s, Fixed)])[:, None]
        mx = np.array([s.max for s in vs[f] if isinstance(s, Fixed)])[:, None]
        sign = np.array([-1.0 if d == "lower" else 1.0 for d in dirs[f]])[:, None]

        def affine(x: np.ndarray) -> np.ndarray:
            z = (x - mn) / (mx - mn)
            return np.asarray(np.where(sign < 0, 1.0 - z, z))

        fa, fc, fb = affine(lo[f]), affine(v[f]), affine(hi[f])
        self.fixed_tri = _tri(np.minimum(fa, fb), fc, np.maximum(fa, fb))

        # minmax / log_minmax: drawn (on the log scale for log leaves), renormalised per draw
        m = self.slices["minmax"]
        off = np.array(
            [s.offset if isinstance(s, LogMinMax) else np.nan for s in vs[m]], dtype=float
        )[:, None]
        is_log = ~np.isnan(off)

        def scale(x: np.ndarray) -> np.ndarray:
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(is_log, np.log10(x + np.where(is_log, off, 0.0)), x)

        m_lo, m_v, m_hi = scale(lo[m]), scale(v[m]), scale(hi[m])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column
            centre = np.nan_to_num(np.nanmedian(m_v, axis=1, keepdims=True)) if m_v.size else 0.0
            width = np.nanmax(m_hi, axis=1, keepdims=True) - np.nanmin(m_lo, axis=1, keepdims=True)
        width = np.where(np.isfinite(width) & (width > 0), width, 1.0) if m_v.size else 1.0
        self.minmax_tri = _tri(
            (m_lo - centre) / width, (m_v - centre) / width, (m_hi - centre) / width
        )
        self.minmax_lower = np.array([d == "lower" for d in dirs[m]], dtype=bool)[:, None, None]

        # target
        t = self.slices["target"]
        goal = np.array([s.target for s in vs[t] if isinstance(s, Target)], dtype=np.float32)
        width_t = np.array([s.width for s in vs[t] if isinstance(s, Target)], dtype=np.float32)
        self.target_goal = goal[:, None, None]
        self.target_width = width_t[:, None, None]
        self.target_tri = _tri(lo[t], v[t], hi[t])

        m_pos = (m_v - centre) / width  # the minmax leaves' point values in sampling units
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column
            m_min = np.nanmin(m_pos, axis=1) if m_v.size else np.zeros(0)
            m_max = np.nanmax(m_pos, axis=1) if m_v.size else np.zeros(0)
        self._init_drawn(drawn[:, cols].T, prior, cols, m.start, m_min, m_max)

    def _init_drawn(
        self,
        drawn: np.ndarray,
        prior: MissingPrior | None,
        cols: np.ndarray,
        minmax_start: int,
        m_min: np.ndarray,
        m_max: np.ndarray,
    ) -> None:
        """Rows of the drawn cells in the ``(V × S, draws)`` view and their prior constants.

        Rows come in three runs: min–max cells whose leaf has an observed range (scattered in
        sampling units before the renormalisation), other shaped cells (clipped to [0, 1] and
        scattered after every group), and cells of leaves nobody has data on (their uniform as
        it is). A shaped cell is ``base + step · k + scale · z[subject]`` with k the sum of two
        8-bit uniforms (0..510, symmetric triangular) and z standard normal; for the min–max
        run the map from normalised units to sampling units is folded into the constants.
        """
        n_s = self.n_subjects
        pos, subj = np.nonzero(drawn)  # (varying position, subject) of each drawn cell
        self.n_drawn = self.n_pre = self.n_shaped = 0
        if prior is None or not len(pos):
            return
        leaf = cols[pos]
        empty = prior.empty[leaf]
        m = self.slices["minmax"]
        mm = (pos >= m.start) & (pos < m.stop)
        k = np.where(mm, pos - minmax_start, 0)
        span = np.where(mm, m_max[k] - m_min[k], 0.0) if len(m_min) else np.zeros(len(pos))
        pre = mm & ~empty & (span > 0)
        post = ~pre & ~empty
        order = np.concatenate([np.flatnonzero(pre), np.flatnonzero(post), np.flatnonzero(empty)])
        pos, subj, leaf, k, span = pos[order], subj[order], leaf[order], k[order], span[order]
        self.n_drawn = len(pos)
        self.n_pre = int(pre.sum())
        self.n_shaped = self.n_pre + int(post.sum())
        self.drawn_rows = (pos * n_s + subj).astype(np.intp)
        sh = slice(0, self.n_shaped)
        self.drawn_subject = subj[sh].astype(np.intp)
        centre = prior.centre[subj[sh], leaf[sh]]
        half = prior.half_width[subj[sh], leaf[sh]]
        shift = prior.shift[subj[sh], leaf[sh]]
        # normalised x ↦ sampling units: lo + x · span (higher is better), hi − x · span (lower)
        is_pre = np.arange(self.n_shaped) < self.n_pre

        def at(x: np.ndarray) -> np.ndarray:  # a min–max column's constant, for the pre run
            return np.where(is_pre, x[k[sh]], 0) if x.size else np.zeros(self.n_shaped)

        lower = at(self.minmax_lower[:, 0, 0]).astype(bool)
        lo, hi = at(m_min), at(m_max)
        # clipped cells: the centre and gain whose clipped draws keep the prior's mean and
        # variance (min–max cells are not clipped: they keep the prior as it is)
        post = slice(self.n_pre, self.n_shaped)
        centre, half, shift = centre.copy(), half.copy(), shift.copy()
        centre[post], widen = clipped_draw(centre[post], half[post], shift[post])
        half[post] *= widen
        shift[post] *= widen
        offset = np.where(lower, hi, lo)
        gain = np.where(is_pre, np.where(lower, -1.0, 1.0) * span[sh], 1.0)
        # min–max cells: the leaf's mean and scale are drawn per draw (shared by its cells), so
        # the cell's own residual loses the mean's share and is drawn about the leaf mean; the
        # anchor (the mean in sampling units) is added after the shared scale is applied
        pre = slice(0, self.n_pre)
        leaf_pre = leaf[pre]
        half[pre] = prior.residual_half[leaf_pre]
        mean_pre = prior.mean[leaf_pre]
        centre[pre] -= mean_pre
        anchor = np.where(is_pre, offset, 0.0)
        anchor[pre] += gain[pre] * mean_pre
        offset = np.where(is_pre, 0.0, offset)
        used, self.pre_leaf = np.unique(leaf_pre, return_inverse=True)
        self.pre_leaf = self.pre_leaf.astype(np.intp)
        self.pre_dof = prior.dof[used][:, None]

        def col(x: np.ndarray) -> np.ndarray:
            return np.asarray(x, dtype=np.float32)[:, None]

        # t = k / 255 − 1 on [−1, 1]: centre + half · t = (centre − half) + (half / 255) · k
        self.drawn_base = col(offset + gain * (centre - half))
        self.drawn_step = col(gain * half / 255.0)
        self.drawn_scale = col(gain * shift)
        self.pre_anchor = col(anchor[pre])
        self.pre_mean_scale = col(gain[pre] * prior.sd[leaf_pre] * prior.mean_error[leaf_pre])

    def _draw_missing(
        self,
        rng: np.random.Generator,
        raw: np.ndarray,
        cells: np.ndarray,
        buf: dict[str, np.ndarray],
    ) -> np.ndarray:
        """The drawn cells' values ``(M, n)`` from their raw 16-bit uniforms ``raw``.

        The two bytes of a cell's 16-bit uniform are two independent 8-bit uniforms; their sum
        (0..510) is symmetric triangular, a resolution of 1/255 of the half-width — far finer
        than the prior's own uncertainty — in one pass. One standard normal per subject and
        draw is shared by all that subject's drawn cells. Uniform rows (no data on the leaf)
        take their float uniform from ``cells``.
        """
        n = raw.shape[1]
        if buf.get("d") is None or buf["d"].shape != (self.n_drawn, n):
            buf["d"] = np.empty((self.n_drawn, n), np.float32)
            buf["d_tmp"] = np.empty((self.n_shaped, n), np.float32)
            buf["d_bytes"] = np.empty((self.n_shaped, n, 2), np.uint8)
        d, tmp, pairs = buf["d"], buf["d_tmp"], buf["d_bytes"]
        sh = self.n_shaped
        if sh < self.n_drawn:
            np.take(cells, self.drawn_rows[sh:], axis=0, out=d[sh:])
        if not sh:
            return d
        byte_view = raw.view(np.uint8).reshape(raw.shape[0], n, 2)
        np.take(byte_view, self.drawn_rows[:sh], axis=0, out=pairs)
        ds = d[:sh]
        np.add(pairs[:, :, 0], pairs[:, :, 1], out=ds, dtype=np.float32)
        np.multiply(ds, self.drawn_step, out=ds)
        np.add(ds, self.drawn_base, out=ds)
        z = rng.standard_normal((self.n_subjects, n), dtype=np.float32)
        np.take(z, self.drawn_subject, axis=0, out=tmp)
        np.multiply(tmp, self.drawn_scale, out=tmp)
        np.add(ds, tmp, out=ds)
        if self.n_pre:
            # min–max cells: one leaf mean shift w and scale g = √(dof / χ²(dof)) per leaf and
            # draw, shared by the leaf's drawn cells — the joint predictive of the unseen part of
            # the cohort, whose spread the few observed cells set only roughly
            n_u = len(self.pre_dof)
            g = np.sqrt(self.pre_dof / (2.0 * rng.standard_gamma(self.pre_dof / 2.0, (n_u, n))))
            w = rng.standard_normal((n_u, n), dtype=np.float32)
            pre, scratch = d[: self.n_pre], tmp[: self.n_pre]
            np.take(w, self.pre_leaf, axis=0, out=scratch)
            np.multiply(scratch, self.pre_mean_scale, out=scratch)
            np.add(pre, scratch, out=pre)
            np.take(g.astype(np.float32), self.pre_leaf, axis=0, out=scratch)
            np.multiply(pre, scratch, out=pre)
            np.add(pre, self.pre_anchor, out=pre)
        post = d[self.n_pre : sh]
        np.clip(post, np.float32(0.0), np.float32(1.0), out=post)
        return d

    def _draw_tri(self, u: np.ndarray, p: _Tri, tmp: np.ndarray) -> None:
        """In place: uniforms → triangular (or uniform) values; ``tmp`` is scratch.

        Inverse CDF without a branch. The left piece ``a + sa·√u`` lies below the mode c exactly
        when u is left of the mode's quantile, and the right piece ``b − sb·√(1 − u)`` above it
        exactly when u is right of it, so ``min(left, c) + max(right, c) − c`` is the draw. In
        offsets: ``(a + b − c) + min(sa·√u, c − a) + max(−sb·√(1 − u), c − b)`` — nine
        arithmetic passes and no masked copies (which are several times slower).
        """
        if self.model == "uniform":
            np.multiply(u, p.b - p.a, out=u)
            np.add(u, p.a, out=u)
            return
        np.sqrt(u, out=tmp)
        np.multiply(tmp, p.sa, out=tmp)
        np.minimum(tmp, p.left_cap, out=tmp)
        np.subtract(np.float32(1.0), u, out=u)
        np.sqrt(u, out=u)
        np.multiply(u, p.sb_neg, out=u)
        np.maximum(u, p.right_floor, out=u)
        np.add(u, tmp, out=u)
        np.add(u, p.base, out=u)

    def sample(
        self, rng: np.random.Generator, n: int, buffers: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """``(V, S, n)`` normalised float32 scores of the varying leaves for ``n`` draws.

        Ready for :meth:`TreeKernel.overall`: missing-data policy applied, logs taken for the
        geometric mean, and 0 where a leaf is unavailable under ``drop``. The array is one of
        ``buffers`` and is overwritten by the next call that uses them.

        Uniforms are k / 65,536 — a 16-bit resolution, far finer than any evidence range —
        four from each raw 64-bit output of the generator, about three times faster than
        ``Generator.random``.
        """
        shape = (self.n_varying, self.n_subjects, n)
        size = self.n_varying * self.n_subjects * n
        buf = {} if buffers is None else buffers
        if buf.get("u") is None or buf["u"].shape != shape:
            # Reused between blocks: fresh large arrays cost page faults on every block.
            buf.update(u=np.empty(shape, np.float32), tmp=np.empty(shape, np.float32))
        u, tmp = buf["u"], buf["tmp"]
        raw = rng.bit_generator.random_raw(-(-size // 4)).view(np.uint16)[:size]
        np.multiply(raw.reshape(shape), np.float32(1.0 / 65536.0), out=u)  # k / 2^16 in [0, 1)
        cells = u.reshape(self.n_varying * self.n_subjects, n)  # one row per (leaf, subject)
        drawn = None
        if self.n_drawn:
            drawn = self._draw_missing(rng, raw.reshape(cells.shape), cells, buf)
        r = self.slices["rubric"]
        if r.stop > r.start:
            ur = u[r]
            # floor(3u) − 1 is −1, 0 or +1 with probability 1/3 each
            np.multiply(ur, np.float32(3.0), out=ur)
            np.floor(ur, out=ur)
            np.subtract(ur, np.float32(1.0), out=ur)
            np.multiply(ur, self.rubric_moves, out=ur)
            np.add(ur, self.rubric_value, out=ur)
            np.maximum(ur, self.rubric_lo, out=ur)
            np.minimum(ur, self.rubric_hi, out=ur)
            np.multiply(ur, np.float32(0.2), out=ur)
        f = self.slices["fixed"]
        if f.stop > f.start:
            uf = u[f]
            self._draw_tri(uf, self.fixed_tri, tmp[f])
            np.clip(uf, np.float32(0.0), np.float32(1.0), out=uf)
        m = self.slices["minmax"]
        if m.stop > m.start:
            um = u[m]
            self._draw_tri(um, self.minmax_tri, tmp[m])
            if drawn is not None and self.n_pre:
                cells[self.drawn_rows[: self.n_pre]] = drawn[: self.n_pre]
            lo = np.fmin.reduce(um, axis=1, keepdims=True)
            hi = np.fmax.reduce(um, axis=1, keepdims=True)
            span = hi - lo
            flat = ~(span > 0)
            inv = np.float32(1.0) / np.where(flat, np.float32(1.0), span)
            lower = self.minmax_lower
            # higher: (x − lo) / span; lower: (hi − x) / span; all equal → 1
            np.subtract(um, np.where(lower, hi, lo), out=um)
            np.multiply(um, np.where(lower, -inv, inv), out=um)
            if flat.any():
                ones = np.where(np.isnan(um), np.float32(np.nan), np.float32(1.0))
                np.copyto(um, ones, where=np.broadcast_to(flat, um.shape))
        t = self.slices["target"]
        if t.stop > t.start:
            ut = u[t]
            self._draw_tri(ut, self.target_tri, tmp[t])
            np.subtract(ut, self.target_goal, out=ut)
            np.abs(ut, out=ut)
            np.divide(ut, self.target_width, out=ut)
            np.subtract(np.float32(1.0), ut, out=ut)
            np.clip(ut, np.float32(0.0), np.float32(1.0), out=ut)
        if drawn is not None:
            cells[self.drawn_rows[self.n_pre :]] = drawn[self.n_pre :]
        if self.missing == "median" and self.missing_mask.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing leaf
                med = np.nanmedian(u, axis=1, keepdims=True)
            np.copyto(u, np.broadcast_to(med, u.shape), where=self.missing_mask)
        elif self.missing == "worst" and self.has_missing:
            np.fmax(u, np.float32(0.0), out=u)  # missing (NaN) → 0, the worst score
        if self.geometric:
            np.maximum(u, np.float32(GEOMETRIC_FLOOR), out=u)
            np.log(u, out=u)
        if self.missing == "median":
            np.nan_to_num(u, copy=False, nan=0.0)
        elif self.missing == "drop" and self.has_missing:
            if self.geometric:
                np.copyto(u, np.float32(0.0), where=self.missing_mask)
            else:
                # Scores are ≥ 0, so fmax with 0 turns exactly the missing (NaN) cells into 0 —
                # one arithmetic pass instead of a masked copy, which is several times slower.
                np.fmax(u, np.float32(0.0), out=u)
        return u
