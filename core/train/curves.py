"""Loss curves of a training run: a CSV of interval means and a PNG plot (matplotlib, Agg canvas, no GUI)."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from core.atomic import atomic_path, write_text_atomic

CurveRow = dict[str, int | float | str]  # one interval: "iteration", "stage", seconds and mean losses


class LossLog:
    """Mean of each loss over each ``every``-iteration interval, as CSV rows (iteration, stage, seconds, losses)."""

    def __init__(self, names: tuple[str, ...], every: int) -> None:
        self.names = tuple(names) + ("total",) if "total" not in names else tuple(names)
        self.every = max(1, int(every))
        self.rows: list[CurveRow] = []
        self.sums: dict[str, float] = {}
        self.count = 0
        self.seconds = 0.0

    def add(self, iteration: int, stage: str, losses: dict[str, float], seconds: float) -> CurveRow | None:
        """Accumulate one iteration (1-based count); returns the finished interval's row, if one ended."""
        for k, v in losses.items():
            self.sums[k] = self.sums.get(k, 0.0) + float(v)
        self.count += 1
        self.seconds += seconds
        if iteration % self.every and self.count < self.every:
            return None
        return self.flush(iteration, stage)

    def flush(self, iteration: int, stage: str) -> CurveRow | None:
        if not self.count:
            return None
        row: CurveRow = {"iteration": iteration, "stage": stage,
                                  "seconds_per_iteration": round(self.seconds / self.count, 6)}
        row.update({k: self.sums[k] / self.count for k in self.names if k in self.sums})
        self.rows.append(row)
        self.sums, self.count, self.seconds = {}, 0, 0.0
        return row

    def state(self) -> dict[str, object]:
        return {"sums": dict(self.sums), "count": self.count, "seconds": self.seconds}

    def restore(self, rows: list[CurveRow], state: dict[str, object]) -> None:
        self.rows = rows
        sums, count, seconds = state.get("sums"), state.get("count"), state.get("seconds")
        self.sums = {str(k): float(v) for k, v in sums.items()} if isinstance(sums, dict) else {}
        self.count = int(count) if isinstance(count, int | float) else 0
        self.seconds = float(seconds) if isinstance(seconds, int | float) else 0.0

    def write_csv(self, path: Path) -> None:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=["iteration", "stage", "seconds_per_iteration", *self.names],
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(self.rows)
        write_text_atomic(path, buf.getvalue())


def read_csv(path: Path, up_to: int) -> list[CurveRow]:
    """Rows of an earlier run with iteration ≤ ``up_to`` (numbers parsed), for resuming."""
    if not path.is_file():
        return []
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for raw in csv.DictReader(fh):
            row: CurveRow = {}
            for k, v in raw.items():
                if k == "stage":
                    row[k] = v
                elif v not in (None, ""):
                    row[k] = int(v) if k == "iteration" else float(v)
            if int(row.get("iteration", 0)) <= up_to:
                rows.append(row)
    return rows


def plot_curves(rows: list[CurveRow], names: tuple[str, ...], path: Path, title: str = "") -> None:
    """One small panel per loss against the iteration, written as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = [n for n in names if any(n in r for r in rows)]
    if not rows or not shown:
        return
    cols = min(4, len(shown))
    nrows = math.ceil(len(shown) / cols)
    fig = Figure(figsize=(3.2 * cols, 2.4 * nrows), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    for i, name in enumerate(shown):
        ax = fig.add_subplot(nrows, cols, i + 1)
        pts = [(int(r["iteration"]), float(r[name])) for r in rows if name in r]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], lw=1.2)
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=10)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
