"""``python main.py weights import|list|verify``: manage the local folder of imported GFLA checkpoints.

Manage imported GFLA checkpoints (folder: $GFLA_WEIGHTS_DIR or weights/).
"""

from __future__ import annotations

import argparse
import sys

from core.gfla.configs import CONFIGS

HELP = "import, list and verify GFLA checkpoints"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="weights_command", metavar="ACTION")
    imp = actions.add_parser("import", help="convert a .pth/.pt/.safetensors checkpoint into the weights folder")
    imp.add_argument("path", help="checkpoint file, e.g. latest_net_G.pth")
    imp.add_argument("--kind", choices=list(CONFIGS), help="network kind (default: detected from the keys)")
    imp.add_argument("--name", help="file name to store it under (default: the original file's name)")
    actions.add_parser("list", help="list imported checkpoints")
    actions.add_parser("verify", help="re-hash and strictly load every imported checkpoint")


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def run(args: argparse.Namespace) -> int:
    from core.weights_store import import_checkpoint, read_manifest, verify_all, weights_root  # imports torch

    command = getattr(args, "weights_command", None)
    notice = read_manifest().notice  # a damaged manifest is rebuilt here, before any command uses it
    if notice:
        print(f"warning: {notice}", file=sys.stderr)
    if command == "import":
        entry = import_checkpoint(args.path, kind=args.kind, name=args.name)
        print(f"imported {args.path} as {entry.kind}: {entry.path()} (sha256 {entry.sha256[:12]}…)")
        return 0
    if command == "list":
        entries = read_manifest().entries
        if not entries:
            print(f"no weights imported in {weights_root()} (use: python main.py weights import PATH)")
            return 0
        rows = [["kind", "file", "original name", "imported", "status"]]
        rows += [[e.kind, e.file, e.original_name, e.imported, "ok" if e.exists() else "missing"] for e in entries]
        print(_table(rows))
        return 0
    if command == "verify":
        results = verify_all()
        if not results:
            print(f"no weights imported in {weights_root()}")
            return 0
        for r in results:
            print(
                f"{'PASS' if r.ok else 'FAIL'}  {r.entry.kind:<14} {r.entry.file}  {'' if r.ok else r.reason}".rstrip()
            )
        failed = sum(not r.ok for r in results)
        print(f"{len(results) - failed} passed, {failed} failed")
        return 1 if failed else 0
    args._parser.print_help()
    return 2
