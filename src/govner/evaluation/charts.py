"""PNG charts of an evaluation report: strict P/R/F1 per label for every system, and each system's confusion matrix.

matplotlib runs with the Agg backend (no display needed, as in CI). Without matplotlib the
charts are skipped with a message on stderr: a missing plotting library must not fail an
evaluation whose numbers are all in ``report.json`` and ``report.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from govner.evaluation.metrics import AVERAGES, label_order

METRICS = (("precision", "P"), ("recall", "R"), ("f1", "F1"))


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")  # before pyplot is imported: never try to open a window
    import matplotlib.pyplot as plt

    return plt


def score_bars(report: dict[str, Any], path: Path) -> None:
    """Grouped bars of strict precision, recall and F1 per label (and micro), one panel per system."""
    plt = _pyplot()
    systems = report["systems"]
    labels = label_order(set(report["documents"]["gold_spans"])
                         | {k for s in systems.values() for k in s["strict"] if k not in AVERAGES})
    keys = [*labels, "micro"]
    fig, axes = plt.subplots(1, len(systems), figsize=(1.6 + 1.3 * len(keys) * len(systems), 3.8),
                             sharey=True, squeeze=False)
    width = 0.27
    for ax, (name, system) in zip(axes[0], systems.items(), strict=True):
        for i, (metric, short) in enumerate(METRICS):
            values = [system["strict"].get(k, {}).get(metric, 0.0) for k in keys]
            bars = ax.bar([x + (i - 1) * width for x in range(len(keys))], values, width, label=short)
            ax.bar_label(bars, fmt="%.2f", fontsize=6, padding=1)
        ax.set_xticks(range(len(keys)), keys)
        ax.set_ylim(0, 1.08)
        ax.set_title(f"{name} (strict)")
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("score")
    axes[0][-1].legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def confusion_plot(matrix: dict[str, dict[str, int]], title: str, path: Path) -> None:
    """A heatmap of a confusion table (gold rows × predicted columns) with the count in each cell."""
    plt = _pyplot()
    rows = list(matrix)
    columns = list(next(iter(matrix.values()), {}))
    values = [[matrix[r][c] for c in columns] for r in rows]
    fig, ax = plt.subplots(figsize=(1.2 + 0.9 * len(columns), 1.0 + 0.7 * len(rows)))
    image = ax.imshow(values, cmap="Blues")
    top = max((v for row in values for v in row), default=0)
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center", fontsize=9,
                    color="white" if top and v > top / 2 else "black")
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_charts(report: dict[str, Any], output: Path) -> dict[str, str]:
    """Write ``scores.png`` and ``confusion-<system>.png`` into ``output``; returns chart key → file name."""
    if _pyplot() is None:
        print("matplotlib is not installed: charts skipped (pip install matplotlib)", file=sys.stderr)
        return {}
    written = {"scores": "scores.png"}
    score_bars(report, output / written["scores"])
    for name, system in report["systems"].items():
        file = f"confusion-{name}.png"
        confusion_plot(system["confusion"], f"{name}: gold × predicted (overlapping spans)", output / file)
        written[f"confusion:{name}"] = file
    return written


def learning_curve_plot(summary: dict[str, Any], path: Path) -> bool:
    """Strict F1 per label (mean ± sd over folds) against annotated characters trained on; False without matplotlib."""
    plt = _pyplot()
    if plt is None:
        print("matplotlib is not installed: learning-curve chart skipped", file=sys.stderr)
        return False
    points = summary["points"]
    x = [p["characters"]["mean"] for p in points]
    names = [*label_order({n for p in points for n in p["as_used"] if n not in AVERAGES}), "micro"]
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for name in names:
        ys = [p["as_used"].get(name, {}).get("mean") for p in points]
        sds = [p["as_used"].get(name, {}).get("sd", 0.0) for p in points]
        style = {"linewidth": 2.5, "color": "black"} if name == "micro" else {}
        ax.errorbar(x, ys, yerr=sds, marker="o", capsize=3, label=name, **style)
    ax.set_xlabel("annotated characters trained on (mean over folds)")
    ax.set_ylabel("strict F1 on held-out documents")
    used = points[-1]["folds"] if points else 0
    folds = f"{used} folds" if used == summary["folds"] else f"{used} of {summary['folds']} folds"
    ax.set_title(f"learning curve: {summary['config']} ({folds}, mean ± sd)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True
