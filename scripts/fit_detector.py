"""Fit the filled-pause detector's logistic regression on the tuning split and write its weights.

Usage: python scripts/fit_detector.py [EVAL_DIR ...] [--out PATH]

Runs the pipeline's stages on the tuning split of the development set (scripts/detector_data.py
SPLIT; REPS_EVAL_DIR folders add clips with a manifest), plus the answers spliced from it, takes every
detector candidate with its evidence, labels it from the references, and fits
a logistic regression on standardised evidence whose weights have the signs ``SIGNS`` fixes in
advance (a steadier pitch, fewer covering words, a pause beside it can only make a filler more
likely; L2 penalty, C=1; scipy's L-BFGS-B with bounds). The tuning split is small and one voice, so
the signs come from what is known about filled pauses (measurement.md §1; Goto et al. 1999), and
only their sizes from the data. The weights go to
``src/interview_reps/analyze/detector_weights.json``, the file the detector ships with. Nothing of the
held-out split is read. ``make eval`` prints what the weights score on both splits.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ROOT / "src" / "interview_reps" / "analyze" / "detector_weights.json"
# Counted at p >= 0.5: the tuning split is too small to tune a threshold on as well (product choice:
# a false filler is worse than a missed one, users.md; the regularised fit already leans to precision).
THRESHOLD = 0.5
CANDIDATE_THRESHOLD = 0.3  # shown as "listen to this" between this and THRESHOLD
C = 1.0
# +1: more of it means a filler is more likely; -1: less likely; 0: not used. Silero's probability
# has no known direction (natural fillers are speech to Silero, staged hums are not: issue 9).
SIGNS = {
    "written": 1,
    "word_prob": 1,
    "steady_frac": 1,
    "flux_rel": -1,
    "covered": -1,
    "vad": 0,
    "edge": 1,
    "beside_pause": 1,
}


def fit(x: np.ndarray, y: np.ndarray, features: Sequence[str], *, drop: Sequence[str] = ()) -> dict[str, Any]:
    """Weights (as detector_weights.json holds them) fitted on evidence ``x`` (n, len(features)) and
    labels ``y``; features in ``drop`` or with sign 0 get weight 0 (the ablation)."""
    from scipy.optimize import minimize

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    signs = np.array([0 if f in drop else SIGNS.get(f, 0) for f in features], dtype=float)
    bounds = [(0.0, 0.0) if sg == 0 else (0.0, None) if sg > 0 else (None, 0.0) for sg in signs]
    bounds.append((None, None))  # intercept

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        t = z @ w[:-1] + w[-1]
        p = 1.0 / (1.0 + np.exp(-t))
        eps = 1e-12
        nll = -np.sum(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
        reg = 0.5 / C * np.sum(w[:-1] ** 2)
        g = np.concatenate([z.T @ (p - y) + w[:-1] / C, [np.sum(p - y)]])
        return float(nll + reg), g

    res = minimize(loss, np.zeros(len(features) + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    coef, intercept = res.x[:-1], res.x[-1]
    return {
        "features": list(features),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in coef],
        "intercept": round(float(intercept), 6),
        "threshold": THRESHOLD,
        "candidate_threshold": CANDIDATE_THRESHOLD,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_dirs", type=Path, nargs="*", help="extra folders (with manifest.jsonl splits)")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--model", help="the built-in model whose transcripts to fit on (default: tiny.en)")
    args = parser.parse_args(argv)

    import evaluate

    from interview_reps.analyze.detector import FEATURES
    from interview_reps.settings import TINY_MODEL

    model = args.model or TINY_MODEL
    data = evaluate.collect(evaluate.all_clips([*evaluate.DEFAULT_DIRS, *args.eval_dirs]), model=model)
    x, y, groups = data.matrix("tune")
    weights = fit(x, y, FEATURES)
    weights["fitted_on"] = (
        f"{model} transcripts of the tuning split: {len(set(groups))} recordings and built answers, {len(y)} candidates, "
        f"{int(y.sum())} filled pauses, speakers {', '.join(sorted(data.speakers('tune')))}; "
        f"scripts/fit_detector.py {dt.date.today().isoformat()}"
    )
    shipped = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    if "features" in shipped:  # the one-model layout of before
        shipped = {}
    shipped[model] = weights
    args.out.write_text(json.dumps(shipped, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} [{model}]: {weights['fitted_on']}")
    for f, w in zip(FEATURES, weights["coef"], strict=True):
        print(f"  {f:16s} {w:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
