"""Run every benchmark, each against its baseline in the same run, and print the table.

    python -m benchmarks            # from the repository root, in the project's venv
    python -m benchmarks --markdown # the same table as Markdown (for benchmarks/README.md)
    python -m benchmarks --timeline # also where start-up time goes, phase by phase

Data is generated once into benchmarks/.cache (about a minute). Each measurement runs in
a fresh process; times are medians. Not part of the test run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.generate import MANY_RETURNS, RETURN_COUNT, ensure_data, ensure_many_returns

ROOT = Path(__file__).resolve().parent.parent
START_RUNS = 7


# Compiled modules are kept here (not beside the sources) and reused from one probe to the
# next, as an installed or frozen app reuses them; a first, untimed start-up fills it.
BYTECODE_CACHE = ROOT / "benchmarks" / ".cache" / "bytecode"


def probe(name: str, args: dict | None = None, *, clock: bool = False) -> dict:
    settings = tempfile.mkdtemp(prefix="bench-settings-")  # a first start: default window size
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHONPYCACHEPREFIX=str(BYTECODE_CACHE),
        XDG_CONFIG_HOME=settings,
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if clock:
        env["BENCH_T0"] = repr(time.time())
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.probes", name, json.dumps(args or {})],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    shutil.rmtree(settings, ignore_errors=True)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    raise RuntimeError(f"probe {name} failed:\n{done.stdout}\n{done.stderr}")


@contextlib.contextmanager
def private_copy(branch: Path) -> Iterator[Path]:
    """A throw-away copy of a cached branch: the app writes (lock, logs, backups) on start."""
    copy = Path(tempfile.mkdtemp(prefix="bench-")) / "data"
    shutil.copytree(branch, copy)
    try:
        yield copy
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass
class Row:
    task: str
    measured: float
    baseline: float | None
    unit: str
    target: str
    met: bool | None  # None: no target, reported only

    def cells(self) -> list[str]:
        def show(value: float | None) -> str:
            if value is None:
                return "—"
            if self.unit == "s":
                return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
            return f"{value:.0f} MB"

        ratio = f"{self.measured / self.baseline:.2f}×" if self.baseline else "—"
        met = {True: "✅", False: "❌", None: "—"}[self.met]
        return [self.task, show(self.measured), show(self.baseline), ratio, self.target, met]


# The timed start-ups' phase marks: (label, seconds from process start), per run.
PHASES: dict[str, list[list[tuple[str, float]]]] = {"start_app": [], "start_bare": []}


def start_times(data_dir: Path) -> tuple[list[float], list[float], float, float]:
    app, bare, app_rss, bare_rss = [], [], 0.0, 0.0
    for runs in PHASES.values():
        runs.clear()
    for run in range(START_RUNS + 1):  # interleaved, so drift hits both alike
        timed = run > 0  # the first run of each only fills the bytecode cache
        result = probe("start_bare", clock=True)
        if timed:
            bare.append(result["seconds"][0])
            bare_rss = max(bare_rss, result["rss_mb"])
            PHASES["start_bare"].append(result["phases"])
        with private_copy(data_dir) as copy:
            result = probe("start_app", {"data_dir": str(copy)}, clock=True)
        if timed:
            app.append(result["seconds"][0])
            app_rss = max(app_rss, result["rss_mb"])
            PHASES["start_app"].append(result["phases"])
    return app, bare, app_rss, bare_rss


def measure(log=print) -> list[Row]:
    data = ensure_data(log)
    large, small = data["large"], data["small"]
    rows: list[Row] = []

    log("start-up ...")
    app, bare, _rss, bare_rss = start_times(large)
    rows.append(
        Row(
            "冷启动到工作台显示并填好（大支部）",
            median(app),
            median(bare),
            "s",
            "≤ 1.5× 空白 PySide6 窗口",
            median(app) <= 1.5 * median(bare),
        )
    )

    log("first visits ...")
    visits = {}
    for name, folder in (("large", large), ("small", small)):
        with private_copy(folder) as copy:
            visits[name] = probe("first_visits", {"data_dir": str(copy)})
    worst = max(visits["large"]["pages"], key=visits["large"]["pages"].get)
    rows.append(
        Row(
            f"首次打开各页的最长卡顿（大支部，最长为{worst}页；基线：新支部）",
            visits["large"]["seconds"][0],
            visits["small"]["seconds"][0],
            "s",
            "≤ 100 ms",
            visits["large"]["seconds"][0] <= 0.100,
        )
    )

    log("pages ...")
    for page, title in (("home", "工作台"), ("meetings", "会议")):
        big = probe("page", {"data_dir": str(large), "page": page})
        new = probe("page", {"data_dir": str(small), "page": page})
        rows.append(
            Row(
                f"{title}页就绪（大支部；基线：新支部）",
                median(big["seconds"]),
                median(new["seconds"]),
                "s",
                "≤ 300 ms",
                median(big["seconds"]) <= 0.3,
            )
        )

    log("year's return ...")
    result = probe("year_return", {"data_dir": str(large), "year": 2025})
    rows.append(
        Row(
            f"年报 .xlsx（{result['cells']} 个单元格；基线：openpyxl 写同样的单元格）",
            median(result["seconds"]),
            median(result["baseline"]),
            "s",
            "≤ 2× openpyxl",
            median(result["seconds"]) <= 2 * median(result["baseline"]),
        )
    )

    log("sign-in PDF ...")
    result = probe("signin_pdf", {"data_dir": str(large)})
    rows.append(
        Row(
            f"签到表 PDF（{result['rows']} 人；基线：QTextDocument 表格）",
            median(result["seconds"]),
            median(result["baseline"]),
            "s",
            "—",
            None,
        )
    )

    log("roster import ...")
    result = probe("roster_import", {"roster": str(data["roster"])})
    rows.append(
        Row(
            "导入 1000 人花名册（基线：python-calamine 读 + sqlite3 写）",
            median(result["seconds"]),
            median(result["baseline"]),
            "s",
            "—",
            None,
        )
    )

    log("search ...")
    word = "党费"
    app_search = probe("search", {"data_dir": str(large), "word": word})
    raw_search = probe("search", {"data_dir": str(large), "word": word, "baseline": True})
    rows.append(
        Row(
            f"十年会议记录中搜索“{word}”（{app_search['found']} 条；基线：SQL LIKE）",
            median(app_search["seconds"]),
            median(raw_search["seconds"]),
            "s",
            "< 50 ms",
            median(app_search["seconds"]) < 0.05,
        )
    )

    log("consolidation ...")
    result = probe("consolidation", {"returns": str(data["returns"])})
    rows.append(
        Row(
            f"汇总 {RETURN_COUNT} 份报表（基线：openpyxl 逐个打开读取）",
            median(result["seconds"]),
            median(result["baseline"]),
            "s",
            "< 30 s",
            median(result["seconds"]) < 30,
        )
    )

    rows += batch_rows(data, log)

    log("UI heartbeat during a background export ...")
    result = probe("background_export", {"data_dir": str(large)})
    rows.append(
        Row(
            "后台导出年报时界面最长卡顿（基线：导出用时）",
            max(result["gap"]),
            median(result["seconds"]),
            "s",
            "≤ 100 ms",
            max(result["gap"]) <= 0.1,
        )
    )

    log("memory ...")
    with private_copy(large) as copy:
        result = probe("start_app", {"data_dir": str(copy), "tour": True}, clock=True)
    rows.append(
        Row(
            "峰值内存：大支部，逐页打开并导出年报（基线：空白窗口）",
            result["rss_mb"],
            bare_rss,
            "MB",
            "< 250 MB",
            result["rss_mb"] < 250,
        )
    )
    return rows


def spread(values: list[float], unit: str = "s") -> str:
    """``5 次 4.8–6.4 s``: how many runs and the range around their median."""
    low, high = min(values), max(values)
    if unit == "×":
        return f"{len(values)} 次 {low:.2f}–{high:.2f}×"
    return f"{len(values)} 次 {low:.1f}–{high:.1f} s"


def batch_rows(data: dict[str, Path], log=print) -> list[Row]:
    """Issue 18's batch half: a year's return against bare openpyxl on each branch there is
    (the large one, and the stress branch when generated), and consolidation of 500 and of
    2,000 returns (median of 5 and of 3 runs, CPU time beside)."""
    rows: list[Row] = []
    for key, title in (("large", "大支部"), ("stress", "压力支部")):
        if key not in data:
            continue
        log(f"year's return ({title}, CPU time) ...")
        result = probe(
            "year_return", {"data_dir": str(data[key]), "year": 2025, "cpu": True, "runs": 9}
        )
        ratios = [a / b for a, b in zip(result["seconds"], result["baseline"], strict=True)]
        ratio = median(result["seconds"]) / median(result["baseline"])
        rows.append(
            Row(
                f"年报 .xlsx，{title}，CPU 时间（{result['cells']} 个单元格；基线：openpyxl 写同样的"
                f"单元格；{spread(ratios, '×')}）",
                median(result["seconds"]),
                median(result["baseline"]),
                "s",
                "≤ 2× openpyxl",
                ratio <= 2,
            )
        )
    for count, folder, runs in (
        (RETURN_COUNT, data["returns"], 5),
        (MANY_RETURNS, ensure_many_returns(log), 3),
    ):
        log(f"consolidating {count} returns ...")
        result = probe("consolidation_runs", {"returns": str(folder), "runs": runs})
        cpu = median(result["cpu"])
        rows.append(
            Row(
                f"汇总 {count} 份报表（{spread(result['seconds'])}；CPU {cpu:.1f} s）",
                median(result["seconds"]),
                None,
                "s",
                "< 15 s",
                median(result["seconds"]) < 15,
            )
        )
    return rows


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import PySide6

    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} 核, "
        f"Python {platform.python_version()}, PySide6 {PySide6.__version__}"
    )


def print_timeline(markdown: bool) -> None:
    """Each start-up phase's end, as the median over the timed runs (ms from process start)."""
    for name, title in (("start_app", "BranchDesk"), ("start_bare", "空白 PySide6 窗口")):
        runs = PHASES[name]
        labels = [label for label, _at in runs[0]]
        ends = [median([run[i][1] for run in runs]) * 1000 for i in range(len(labels))]
        print(f"{title}启动各阶段（毫秒，自进程启动起；{len(runs)} 次计时启动的中位数）")
        if markdown:
            print("| 起 | 止 | 阶段 | 用时 |\n|---|---|---|---|")
        start = 0.0
        for label, end in zip(labels, ends, strict=True):
            if markdown:
                print(f"| {start:.0f} | {end:.0f} | {label} | {end - start:.0f} |")
            else:
                print(f"{start:6.0f} → {end:6.0f}  {end - start:5.0f}  {label}")
            start = end


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--timeline", action="store_true", help="also print where start-up time goes, by phase"
    )
    args = parser.parse_args(argv)
    rows = measure(lambda text: print(text, file=sys.stderr, flush=True))
    header = ["任务", "实测", "基线", "比值", "目标", "达标"]
    table = [header] + [row.cells() for row in rows]
    print(f"机器：{machine()}")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for cells in table[1:]:
            print("| " + " | ".join(cells) + " |")
    else:
        widths = [max(len(r[i]) for r in table) for i in range(len(header))]
        for cells in table:
            print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    if args.timeline:
        print_timeline(args.markdown)
    missed = [row.task for row in rows if row.met is False]
    print(f"未达标 {len(missed)} 项" + (f"：{'；'.join(missed)}" if missed else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
