"""Trend chart of the key metrics over reps: a PNG drawn with matplotlib's Agg canvas, imported lazily."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING

from . import files

if TYPE_CHECKING:
    from .comparison import Comparison

# One panel each: pace, fillers, the longest pause, the time to the first word.
CHART_METRICS = ("wpm", "fillers_per_min", "longest_pause_s", "time_to_first_word_s")


def write_trend_chart(comparison: Comparison, path: Path, *, dpi: int = 100) -> Path:
    """Draw each of CHART_METRICS over the compared reps and write a PNG to ``path`` (atomically).

    Each panel shows the values per rep, the target band (shaded) where there is one, and the
    person's baseline (dashed). Returns ``path``.
    """
    # No pyplot: a Figure on an Agg canvas needs no GUI and leaves matplotlib's global backend alone.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = [n for n in CHART_METRICS if n in comparison.metrics]
    fig = Figure(figsize=(9.0, 6.0), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2, sharex=True, squeeze=False).flat
    x = list(range(1, len(comparison.reps) + 1))
    labels = [rep.created_at.astimezone().strftime("%b %d\n%H:%M") for rep in comparison.reps]
    for ax, name in zip(axes, [*names, *[None] * 4], strict=False):
        if name is None:
            ax.set_axis_off()
            continue
        trend = comparison.metrics[name]
        spec = trend.spec
        values = [math.nan if v is None else v for v in trend.values]
        if spec.target is not None:
            lo, hi = spec.target
            finite = [v for v in values if not math.isnan(v)] or [0.0]
            ax.axhspan(
                lo if lo is not None else min(0.0, *finite),
                hi if hi is not None else max(finite) * 1.1,
                color="tab:green",
                alpha=0.12,
                label="target",
            )
        if trend.baseline is not None:
            ax.axhline(trend.baseline, color="0.4", linestyle="--", linewidth=1, label="your baseline")
        ax.plot(x, values, marker="o", color="tab:blue", label="rep")
        unit = f" ({spec.unit})" if spec.unit else ""
        ax.set_title(f"{spec.label}{unit}: {trend.trend}", fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.set_xticks(x, labels, fontsize=8)
        ax.legend(fontsize=7, loc="best")
    title = f"Question: {comparison.question_id}" if comparison.question_id else "Selected reps"
    fig.suptitle(f"{title} — {len(x)} reps", fontsize=11)
    path = Path(path)
    png = io.BytesIO()
    fig.savefig(png, format="png")
    try:
        files.private_dir(path.parent)
        # whole, private, and another `reps compare` drawing the same chart means last one wins
        files.replace(path, png.getvalue())
    except OSError as exc:
        raise files.write_error(exc, path.parent, f"{path}: cannot write the trend chart") from exc
    return path
