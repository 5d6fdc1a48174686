"""``python main.py bench``: encode/render time and peak memory for each network configuration.

Time each configuration with random weights at full size (median after warm-up); each case runs in its own process
so its memory peak is its own. The optimised rows (*_fast, *_compiled) are also timed alternately with the published
path in that process, for a side-by-side speed-up; *_compiled builds its compiled parts on first use (minutes) and
caches them.
"""

from __future__ import annotations

import argparse
import sys

from core.errors import StudioError

HELP = "measure encode and render time and peak memory of each network"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from core.bench import CASES

    parser.add_argument("--quick", action="store_true", help="1 warm-up and 3 timed runs (default: 2 and 7)")
    parser.add_argument("--device", choices=["cpu", "cuda", "auto", "both"], default="both",
                        help="cpu, cuda, auto (CUDA when present, else CPU) or both (CPU, plus CUDA when present)")
    parser.add_argument("--configs", nargs="+", metavar="NAME",
                        help="cases to run: " + ", ".join(c.name for c in CASES) + " (default: all but tiny)")
    parser.add_argument("--repeats", type=int, help="timed runs per case (overrides --quick)")
    parser.add_argument("--warmup", type=int, help="warm-up runs per case (overrides --quick)")
    parser.add_argument("--no-yardstick", action="store_true",
                        help="skip measuring matmul throughput and the fp32 conv yardstick (~10 s)")
    parser.add_argument("--markdown", metavar="PATH", help="also write the table with the machine line to PATH")
    parser.add_argument("--json", metavar="PATH", help="also write the raw measurements as JSON to PATH")


def _devices(choice: str) -> list[str]:
    import torch

    from core.render import resolve_device

    if choice == "both":
        return ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]
    return [resolve_device(choice)]


def run(args: argparse.Namespace) -> int:
    from core.atomic import write_text_atomic
    from core.bench import CASES, Report, case_by_name, machine_info, measure_in_subprocess

    cases = [case_by_name(n) for n in args.configs] if args.configs else [c for c in CASES if c.in_default]
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    repeats = args.repeats if args.repeats is not None else (3 if args.quick else 7)
    if repeats < 1 or warmup < 0:
        raise StudioError("--repeats must be at least 1 and --warmup at least 0")
    devices = _devices(args.device)
    report = Report(machine_info(), warmup=warmup, repeats=repeats)
    print(report.header(), flush=True)
    yard = None
    if not args.no_yardstick:
        from core.bench_yardstick import measure_yardstick

        yard = measure_yardstick()
        report.yardstick = yard.line()
        print(report.yardstick, flush=True)
    for device in devices:
        for case in cases:
            print(f"  {case.name} ({case.variant}) on {device} …", file=sys.stderr, flush=True)
            row = measure_in_subprocess(case, device, warmup, repeats)
            if yard is not None and row.render_ms is not None:
                row.vs_yardstick = row.render_ms / yard.conv_ms
            report.rows.append(row)
    print(report.table())
    if args.markdown:
        write_text_atomic(args.markdown, f"{report.header()}\n\n{report.yardstick}\n\n{report.table()}\n")
    if args.json:
        write_text_atomic(args.json, report.to_json() + "\n")
    return 0
