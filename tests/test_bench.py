"""``python main.py bench`` measures and prints a table; bad case names fail with a clear message."""

from __future__ import annotations

import json

from core.bench import BenchCase, Prepared, Report, machine_info, measure
from core.cli import run_cli


def test_quick_bench_of_a_tiny_case_prints_a_table_with_timings(capsys, tmp_path):
    out_json = tmp_path / "bench.json"
    out_md = tmp_path / "bench.md"
    code = run_cli(["bench", "--quick", "--device", "cpu", "--configs", "tiny",
                    "--json", str(out_json), "--markdown", str(out_md)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "| case | variant | device | encode ms | render ms" in printed
    row = next(line for line in printed.splitlines() if line.startswith("| tiny"))
    assert "skipped" not in row
    data = json.loads(out_json.read_text())
    (measured,) = data["rows"]
    assert measured["render_ms"] > 0 and measured["encode_ms"] > 0 and measured["runs"] == 3
    assert measured["peak_rss_mb"] > 0
    assert data["machine"]["torch"] and data["machine"]["cores"]
    assert row in out_md.read_text()
    line = next(ln for ln in printed.splitlines() if ln.startswith("yardstick: matmul 2048² fp32 "))
    assert "bf16" in line and "fp32 conv stack of pose_fashion" in line and line in out_md.read_text()
    assert "÷ yardstick" in printed
    assert measured["vs_yardstick"] > 0 and data["yardstick"] == line


def test_the_yardstick_counts_the_networks_flops_and_times_a_conv_stack_of_them():
    from core.bench_yardstick import conv_stack_ms, network_gflop

    market, fashion = network_gflop("pose_market"), network_gflop("pose_fashion")
    assert 0 < market < fashion  # 128x64 vs 256x256 at the same widths
    assert conv_stack_ms(2 * fashion, repeats=1) > conv_stack_ms(fashion / 4, repeats=1)


def test_an_unknown_benchmark_name_is_a_one_line_error(capsys):
    assert run_cli(["bench", "--configs", "no_such_case"]) == 1
    assert "unknown benchmark 'no_such_case'" in capsys.readouterr().err


def test_measure_reports_the_median_of_the_timed_runs_only():
    calls = {"encode": 0, "render": 0}

    def prepare(device: str) -> Prepared:
        def encode():
            calls["encode"] += 1
            return calls["encode"]

        def render(state):
            calls["render"] += 1
            return state

        return Prepared(render=render, encode=encode, note="counting")

    m = measure(BenchCase("count", prepare), "cpu", warmup=2, repeats=3)
    assert calls == {"encode": 6, "render": 6}  # 2 warm-up + 3 timed + 1 memory pass
    assert m.runs == 3 and m.render_ms is not None and m.render_ms >= 0 and m.note == "counting"
    report = Report(machine_info(), [m], warmup=2, repeats=3)
    assert "| count | published | cpu |" in report.table()
    assert "median of 3 runs after 2 warm-up" in report.header()
