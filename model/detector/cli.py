"""`location-detector`: the command line, a thin layer over the library.

    location-detector detect PLAN... [--config F] [--out DIR|FILE] [--overlay] [--jobs N]
    location-detector draw OUT.png [--seed N] [--width W] [--height H] [--noise L]
    location-detector benchmark DATASET_DIR --format r3d|ipa [...]

`detect` writes one results document (JSON, validated against the schema) per plan, also for a
plan that fails (status "failed", with the error), and exits 1 if any plan failed, 2 on a usage
or configuration error. Folders expand to the supported files anywhere below them; each
document keeps the plan's sub-folder under `--out`.
`draw` and `benchmark` come from the development package `detector_dev` (a source checkout);
where it is absent they say so and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import mimetypes
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .allocator import keep_freed_memory
from .config import DetectorConfig, load_config
from .errors import ConfigError, DetectorError, InvalidPlanError
from .formats import SUPPORTED_SUFFIXES
from .results import Source, failure_document, validate_document

if TYPE_CHECKING:
    from .opencv_detector import OpenCVDetector

log = logging.getLogger("detector.cli")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class Outcome:
    """What happened to one plan: where its document went, and the error if it failed."""

    plan: Path
    document: Path
    rooms: int
    error: str | None = None
    overlays: tuple[Path, ...] = ()


def expand_plans(args: Iterable[str]) -> list[Path]:
    """Files as given; folders replaced by the supported files anywhere below them, sorted."""
    return [plan for plan, _ in _expand_with_names(args)]


def _expand_with_names(args: Iterable[str]) -> list[tuple[Path, str]]:
    """Each plan with its output stem: a file's stem, or its path below the folder given
    (without suffix), so `plans/a/x.png` and `plans/b/x.png` become `a/x` and `b/x`."""
    found: list[tuple[Path, str]] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES:
                    found.append((p, p.relative_to(path).with_suffix("").as_posix()))
        else:
            found.append((path, path.stem or path.name))  # a missing file: its own failure
    return found


def _unique(stems: list[str]) -> list[str]:
    """The stems made unique within the run: the second `plan` becomes `plan-2`."""
    seen: dict[str, int] = {}
    names = []
    for stem in stems:
        n = seen.get(stem, 0)
        seen[stem] = n + 1
        names.append(stem if n == 0 else f"{stem}-{n + 1}")
    return names


def _content_type_hint(path: Path) -> str | None:
    return mimetypes.guess_type(path.name)[0]


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    validate_document(doc)  # never write a document the schema rejects
    path.parent.mkdir(parents=True, exist_ok=True)
    # write then rename: a reader never sees half a document
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _detect_one(
    detector: OpenCVDetector, plan: Path, json_path: Path, overlay: bool
) -> tuple[dict[str, Any], tuple[Path, ...]]:
    """Run one plan: its success document and the overlays written. Raises on failure."""
    data = plan.read_bytes()
    ctype = _content_type_hint(plan)
    doc = detector.process(data, name=plan.name, uri=str(plan), content_type=ctype)
    overlays: tuple[Path, ...] = ()
    if overlay:
        overlays = _write_overlays(detector.config, data, ctype, doc, json_path)
    return doc, overlays


def _write_overlays(
    config: DetectorConfig, data: bytes, ctype: str | None, doc: dict[str, Any], json_path: Path
) -> tuple[Path, ...]:
    import cv2

    from .imageio import decode_plan
    from .overlay import render_overlay

    pages = decode_plan(data, config, ctype).pages
    json_path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for page, page_doc in zip(pages, doc["pages"], strict=True):
        suffix = ".overlay.png" if len(pages) == 1 else f".page{page_doc['index'] + 1}.overlay.png"
        path = json_path.with_name(json_path.stem + suffix)
        if not cv2.imwrite(str(path), render_overlay(page, page_doc["rooms"])):
            raise OSError(f"could not write {path}")
        written.append(path)
    return tuple(written)


def _failure(detector: OpenCVDetector, plan: Path, err: Exception) -> dict[str, Any]:
    try:
        data = plan.read_bytes()
        source = Source.from_bytes(data, plan.name, str(plan), _content_type_hint(plan))
    except OSError:
        source = Source(name=plan.name, uri=str(plan))
    # Bad input or a missing file is final; anything else (our bug, a full disk) might pass.
    retryable = not isinstance(err, InvalidPlanError | FileNotFoundError | IsADirectoryError)
    return failure_document(
        source=source,
        error_type=type(err).__name__,
        message=str(err) or type(err).__name__,
        retryable=retryable,
        detector_name=detector.name,
        detector_version=detector.version,
        config=detector.config.model_dump(),
    )


def run_detect(
    plans: list[Path],
    detector: OpenCVDetector,
    out_dir: Path | None,
    out_file: Path | None,
    overlay: bool,
    *,
    names: list[str] | None = None,
    jobs: int = 1,
) -> Iterator[Outcome]:
    """Detect every plan, writing each document (success or failure); yields the outcomes in
    the order of `plans`. `jobs` > 1 runs that many worker processes."""
    names = _unique(names or [p.stem or p.name for p in plans])
    paths = [
        out_file if out_file is not None else (out_dir or Path(".")) / f"{name}.json"
        for name in names
    ]
    if jobs <= 1 or len(plans) < 2:
        for plan, json_path in zip(plans, paths, strict=True):
            yield _detect_to_file(detector, plan, json_path, overlay)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: a forked child inherits OpenCV's thread pool half-held and can hang
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(plans)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(detector.config,),
    ) as pool:
        yield from pool.map(_detect_in_worker, plans, paths, [overlay] * len(plans), chunksize=1)


_worker_detector: OpenCVDetector | None = None


def _init_worker(config: DetectorConfig) -> None:
    """One detector per worker process; OpenCV single-threaded, the processes are the
    parallelism (N processes each spawning N threads would oversubscribe the cores)."""
    global _worker_detector
    import cv2

    from .opencv_detector import OpenCVDetector

    cv2.setNumThreads(1)
    keep_freed_memory()
    _worker_detector = OpenCVDetector(config)


def _detect_in_worker(plan: Path, json_path: Path, overlay: bool) -> Outcome:
    assert _worker_detector is not None, "_init_worker runs first"
    return _detect_to_file(_worker_detector, plan, json_path, overlay)


def _detect_to_file(
    detector: OpenCVDetector, plan: Path, json_path: Path, overlay: bool
) -> Outcome:
    """One plan: its document written (success or failure), and what happened."""
    try:
        doc, overlays = _detect_one(detector, plan, json_path, overlay)
        _write_json(json_path, doc)
        return Outcome(plan, json_path, int(doc["room_count"]), None, overlays)
    except (DetectorError, OSError) as err:
        return _record_failure(detector, plan, json_path, err)
    except Exception as err:  # a bug: keep the batch going, but keep the traceback
        log.exception("unexpected error on %s", plan)
        return _record_failure(detector, plan, json_path, err)


def _record_failure(
    detector: OpenCVDetector, plan: Path, json_path: Path, err: Exception
) -> Outcome:
    message = f"{type(err).__name__}: " + " ".join(str(err).split())  # one line
    try:
        _write_json(json_path, _failure(detector, plan, err))
    except OSError as write_err:
        message += f" (and its failure document could not be written: {write_err})"
    return Outcome(plan, json_path, 0, message)


def _progress(items: list[Path]) -> Any:
    """A progress bar on stderr for more than one plan (tqdm if installed)."""
    try:
        from tqdm import tqdm
    except ImportError:  # the container image does not ship tqdm; the CLI still works
        return None
    return tqdm(total=len(items), unit="plan", file=sys.stderr, disable=len(items) < 2)


def _cmd_detect(args: argparse.Namespace) -> int:
    from .opencv_detector import OpenCVDetector

    found = _expand_with_names(args.plans)
    plans = [plan for plan, _ in found]
    if not plans:
        print("error: no plans found in " + ", ".join(args.plans), file=sys.stderr)
        return EXIT_USAGE
    out_file = out_dir = None
    if args.out and Path(args.out).suffix.lower() == ".json":
        if len(plans) > 1:
            print(
                f"error: --out {args.out} is a file, but {len(plans)} plans were given; "
                "pass a folder",
                file=sys.stderr,
            )
            return EXIT_USAGE
        out_file = Path(args.out)
    elif args.out:
        out_dir = Path(args.out)
    detector = OpenCVDetector(load_config(args.config))

    bar = _progress(plans)
    failed = 0
    jobs = args.jobs or os.cpu_count() or 1
    outcomes = run_detect(
        plans, detector, out_dir, out_file, args.overlay, names=[n for _, n in found], jobs=jobs
    )
    for outcome in outcomes:
        if outcome.error:
            failed += 1
            line = f"error: {outcome.plan}: {outcome.error}"
        else:
            line = f"{outcome.plan}: {outcome.rooms} rooms -> {outcome.document}"
            if outcome.overlays:
                line += " (overlay " + ", ".join(str(p) for p in outcome.overlays) + ")"
        if bar is not None and not bar.disable:
            bar.write(line, file=sys.stderr if outcome.error else sys.stdout)
            bar.update(1)
        else:
            print(line, file=sys.stderr if outcome.error else sys.stdout)
    if bar is not None:
        bar.close()
    if len(plans) > 1:
        print(f"{len(plans)} plans: {len(plans) - failed} succeeded, {failed} failed")
    return EXIT_FAILED if failed else EXIT_OK


def _cmd_draw(args: argparse.Namespace) -> int:
    from detector_dev.synthetic import describe, write_plan

    print(describe(write_plan(args), args))
    return EXIT_OK


def _cmd_benchmark(args: argparse.Namespace) -> int:
    from detector_dev.benchmark import main as benchmark_main

    return benchmark_main(args)


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _dev_tools_missing(args: argparse.Namespace) -> int:
    print(
        f"error: `{args.command}` needs the development package detector_dev, which this "
        "install does not carry (the model image ships the runtime only); run it from a "
        "source checkout (`make venv`)",
        file=sys.stderr,
    )
    return EXIT_USAGE


def _add_dev_command(
    sub: argparse._SubParsersAction, name: str, summary: str, module: str, func: Callable
) -> None:
    """A subcommand of the development package, or a clear error where it is not installed.

    Imported lazily: the runtime (`detect`) never loads drawing or scoring code.
    """
    p = sub.add_parser(name, help=summary)
    try:
        add_arguments = importlib.import_module(module).add_arguments
    except ModuleNotFoundError as err:
        if not f"{module}.".startswith(f"{err.name}."):
            raise  # the package is there but something it imports is missing: a real error
        p.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
        p.set_defaults(func=_dev_tools_missing)
        return
    add_arguments(p)  # the development module owns its options
    p.set_defaults(func=func)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="location-detector",
        description="Finds the rooms in architectural floor plans.",
    )
    p.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="library log messages shown on stderr (default WARNING)",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser(
        "detect",
        help="find the rooms of one or more plans",
        description="Write one results JSON per plan (also for a plan that fails). "
        "Exit code: 0 all succeeded, 1 some failed, 2 usage or config error.",
    )
    d.add_argument("plans", nargs="+", metavar="PLAN", help="plan files or folders of plans")
    d.add_argument("--config", help="detector config JSON (default: the shipped config.json)")
    d.add_argument(
        "--out",
        help="folder for the JSON files (default: the current folder), or a FILE.json for a "
        "single plan",
    )
    d.add_argument(
        "--overlay",
        action="store_true",
        help="also write <name>.overlay.png: the plan with each room filled and numbered",
    )
    d.add_argument(
        "--jobs",
        type=_non_negative_int,
        default=1,
        metavar="N",
        help="plans detected at once, in N worker processes (default 1; 0: one per core)",
    )
    d.set_defaults(func=_cmd_detect)

    _add_dev_command(
        sub,
        "draw",
        "draw a synthetic plan with exact room truth",
        "detector_dev.synthetic",
        _cmd_draw,
    )
    _add_dev_command(
        sub,
        "benchmark",
        "score the detector on a dataset with ground truth",
        "detector_dev.benchmark",
        _cmd_benchmark,
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    keep_freed_memory()  # as the model server does: see detector.allocator
    try:
        return int(args.func(args))
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
