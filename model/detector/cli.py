"""`location-detector`: the command line, a thin layer over the library.

PLACEHOLDER: `detect` writes one JSON per plan; to be completed (overlay, folders, progress,
exit codes) by the CLI work. `benchmark` delegates to `detector.benchmark`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .config import load_config
from .errors import DetectorError
from .opencv_detector import OpenCVDetector

log = logging.getLogger("detector.cli")


def _cmd_detect(args: argparse.Namespace) -> int:
    detector = OpenCVDetector(load_config(args.config))
    failed = 0
    for plan in args.plans:
        path = Path(plan)
        try:
            doc = detector.process(path.read_bytes(), name=path.name, uri=str(path))
        except DetectorError as err:
            print(f"error: {path}: {err}", file=sys.stderr)
            failed += 1
            continue
        out = Path(args.out or ".") / f"{path.stem}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(doc, indent=2))
    return 1 if failed else 0


def _cmd_benchmark(args: argparse.Namespace) -> int:
    from .benchmark import main as benchmark_main

    return benchmark_main(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="location-detector", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("detect", help="find the rooms of one or more plans")
    d.add_argument("plans", nargs="+")
    d.add_argument("--config")
    d.add_argument("--out")
    d.add_argument("--overlay", action="store_true")
    d.set_defaults(func=_cmd_detect)
    b = sub.add_parser("benchmark", help="score the detector on a dataset with ground truth")
    from .benchmark import add_arguments as add_benchmark_arguments

    add_benchmark_arguments(b)  # detector.benchmark owns its options
    b.set_defaults(func=_cmd_benchmark)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
