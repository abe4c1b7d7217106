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


RUNS = 5  # every probe runs at least this many times
WIDE = 0.30  # a spread (max − min) beyond this share of the median is too wide to judge


@dataclass
class Row:
    task: str
    samples: list[float]  # one per run
    baseline: list[float] | None
    unit: str
    target: str
    limit: float | None  # the measured median (or the ratio, with ``ratio``) must be ≤ this
    ratio: bool = False  # the target is on the ratio to the baseline

    @property
    def measured(self) -> float:
        return median(self.samples)

    @property
    def spread(self) -> float:
        return max(self.samples) - min(self.samples)

    @property
    def wide(self) -> bool:
        return len(self.samples) > 1 and self.spread > WIDE * self.measured

    @property
    def value(self) -> float:
        if self.ratio:
            assert self.baseline
            return self.measured / median(self.baseline)
        return self.measured

    @property
    def met(self) -> bool | None:
        return None if self.limit is None else self.value <= self.limit

    def cells(self) -> list[str]:
        def show(value: float) -> str:
            if self.unit == "s":
                return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
            return f"{value:.0f} MB"

        def compact(value: float) -> str:
            return show(value).replace(" ms", "").replace(" MB", "")

        spread = (
            f"{compact(min(self.samples))}–{show(max(self.samples))}"
            if len(self.samples) > 1
            else "1 次"
        )
        base = show(median(self.baseline)) if self.baseline else "—"
        ratio = f"{self.measured / median(self.baseline):.2f}×" if self.baseline else "—"
        met = {True: "✅", False: "❌", None: "—"}[self.met]
        if self.wide and self.met is not None:
            met += " 波动大，无法判断"
        return [
            self.task, show(self.measured), spread, str(len(self.samples)), base, ratio,
            self.target, met,
        ]  # fmt: skip


HEADER = ["任务", "中位数", "范围（最小–最大）", "次数", "基线", "比值", "目标", "达标"]

# The timed start-ups' phase marks: (label, seconds from process start), per run.
PHASES: dict[str, list[list[tuple[str, float]]]] = {"start_app": [], "start_floor": []}


def start_times(data_dir: Path, floor: list[float], runs: int) -> list[float]:
    """``runs`` start-ups of the app on a copy of ``data_dir``, each after one of the floor
    (interleaved, so drift hits both alike); the floor's times are added to ``floor``."""
    app = []
    for run in range(runs + 1):
        timed = run > 0  # the first run of each only fills the bytecode cache
        result = probe("start_floor", clock=True)
        if timed:
            floor.append(result["seconds"][0])
            PHASES["start_floor"].append(result["phases"])
        with private_copy(data_dir) as copy:
            result = probe("start_app", {"data_dir": str(copy)}, clock=True)
        if timed:
            app.append(result["seconds"][0])
            PHASES["start_app"].append(result["phases"])
    return app


BRANCHES = (("large", "大支部"), ("stress", "千人支部"))


def measure(log=print) -> list[Row]:
    data = ensure_data(log)
    small = data["small"]
    rows: list[Row] = []
    for runs in PHASES.values():
        runs.clear()

    for key, name in BRANCHES:
        log(f"start-up ({key}) ...")
        floor: list[float] = []
        app = start_times(data[key], floor, START_RUNS if key == "large" else RUNS)
        rows.append(
            Row(
                f"冷启动到工作台显示并填好（{name}；基线：同次测得的技术栈下限）",
                app, floor, "s", "≤ 1.5× 下限", 1.5, ratio=True,
            )
        )  # fmt: skip

    for key, name in BRANCHES:
        log(f"first visits ({key}) ...")
        visits = []
        for _ in range(RUNS):
            with private_copy(data[key]) as copy:
                visits.append(probe("first_visits", {"data_dir": str(copy)}))
        for page in visits[0]["pages"]:
            rows.append(
                Row(
                    f"首次打开{page}页的最长卡顿（{name}）",
                    [v["pages"][page] for v in visits], None, "s", "≤ 100 ms", 0.100,
                )
            )  # fmt: skip
        for action in visits[0]["actions"]:
            rows.append(
                Row(
                    f"{action}时的最长卡顿（{name}）",
                    [v["actions"][action] for v in visits], None, "s", "≤ 100 ms", 0.100,
                )
            )  # fmt: skip

    log("pages ...")
    for page, title in (("home", "工作台"), ("meetings", "会议")):
        new = probe("page", {"data_dir": str(small), "page": page, "runs": RUNS})
        for key, name in BRANCHES:
            big = probe("page", {"data_dir": str(data[key]), "page": page, "runs": RUNS})
            rows.append(
                Row(
                    f"{title}页构建并显示（{name}；基线：新支部）",
                    big["seconds"], new["seconds"], "s", "≤ 300 ms", 0.3,
                )
            )  # fmt: skip

    for key, name in BRANCHES:
        log(f"year's return ({key}) ...")
        result = probe("year_return", {"data_dir": str(data[key]), "year": 2025})
        rows.append(
            Row(
                f"年报 .xlsx（{name}，{result['cells']} 个单元格；基线：openpyxl 写同样的单元格）",
                result["seconds"], result["baseline"], "s", "≤ 2× openpyxl", 2.0, ratio=True,
            )
        )  # fmt: skip

    log("sign-in PDF ...")
    result = probe("signin_pdf", {"data_dir": str(data["large"])})
    rows.append(
        Row(
            f"签到表 PDF（{result['rows']} 人；基线：QTextDocument 表格）",
            result["seconds"], result["baseline"], "s", "—", None,
        )
    )  # fmt: skip

    log("roster import ...")
    result = probe("roster_import", {"roster": str(data["roster"])})
    rows.append(
        Row(
            "导入 1000 人花名册（基线：python-calamine 读 + sqlite3 写）",
            result["seconds"], result["baseline"], "s", "—", None,
        )
    )  # fmt: skip

    word = "党费"
    for key, name in BRANCHES:
        log(f"search ({key}) ...")
        app_search = probe("search", {"data_dir": str(data[key]), "word": word})
        raw_search = probe("search", {"data_dir": str(data[key]), "word": word, "baseline": True})
        rows.append(
            Row(
                f"{name}会议记录中搜索“{word}”（{app_search['found']} 条；基线：SQL LIKE）",
                app_search["seconds"], raw_search["seconds"], "s", "< 50 ms", 0.05,
            )
        )  # fmt: skip

    log("consolidation ...")
    result = probe("consolidation", {"returns": str(data["returns"]), "runs": RUNS})
    rows.append(
        Row(
            f"汇总 {RETURN_COUNT} 份报表（基线：openpyxl 逐个打开读取）",
            result["seconds"], result["baseline"], "s", "< 30 s", 30,
        )
    )  # fmt: skip

    rows += batch_rows(data, log)

    for key, name in BRANCHES:
        log(f"UI heartbeat during a background export ({key}) ...")
        result = probe("background_export", {"data_dir": str(data[key])})
        rows.append(
            Row(
                f"后台导出年报时界面最长卡顿（{name}；基线：导出用时）",
                result["gap"], result["seconds"], "s", "≤ 100 ms", 0.1,
            )
        )  # fmt: skip

    for key, name in BRANCHES:
        log(f"memory ({key}) ...")
        peaks = []
        for _ in range(RUNS):
            with private_copy(data[key]) as copy:
                result = probe("start_app", {"data_dir": str(copy), "tour": True}, clock=True)
            peaks.append(result["rss_mb"])
        rows.append(
            Row(
                f"峰值内存：{name}，逐页打开、搜索并导出年报",
                peaks, None, "MB", "< 250 MB", 250,
            )
        )  # fmt: skip
    return rows


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


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
        rows.append(
            Row(
                f"年报 .xlsx，{title}，CPU 时间（{result['cells']} 个单元格；基线：openpyxl 写同样的"
                f"单元格；比值 {spread(ratios, '×')}）",
                result["seconds"],
                result["baseline"],
                "s",
                "≤ 2× openpyxl",
                2.0,
                ratio=True,
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
                f"汇总 {count} 份报表（CPU {cpu:.1f} s）",
                result["seconds"],
                None,
                "s",
                "< 15 s",
                15.0,
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
    for name, title in (("start_app", "BranchDesk"), ("start_floor", "技术栈下限")):
        runs = PHASES[name]
        if not runs:
            continue
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
    load_before = load_average()
    started = time.perf_counter()
    rows = measure(lambda text: print(text, file=sys.stderr, flush=True))
    took = time.perf_counter() - started
    table = [HEADER] + [row.cells() for row in rows]
    print(f"机器：{machine()}")
    print(
        f"负载（1/5/15 分钟平均）：开始时 {load_before}，结束时 {load_average()}；"
        f"{os.cpu_count()} 核；全部用时 {took / 60:.1f} 分钟"
    )
    print(
        f"每项至少 {RUNS} 次（启动：大支部 {START_RUNS} 次，与下限交替），报中位数和最小–最大；"
        f"范围超过中位数的 {WIDE:.0%} 时注明“波动大，无法判断”。"
    )
    if args.markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for cells in table[1:]:
            print("| " + " | ".join(cells) + " |")
    else:
        widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
        for cells in table:
            print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    if args.timeline:
        print_timeline(args.markdown)
    missed = [row.task for row in rows if row.met is False]
    wide = [row.task for row in rows if row.wide and row.met is not None]
    print(f"未达标 {len(missed)} 项" + (f"：{'；'.join(missed)}" if missed else ""))
    if wide:
        print(f"波动大、无法判断 {len(wide)} 项：{'；'.join(wide)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
