"""`location-detector`: the command line, a thin layer over the library.

    location-detector detect PLAN... [--config F] [--out DIR|FILE] [--overlay] [--jobs N]
    location-detector overlay RESULTS.json --image PLAN [--out PNG]
    location-detector report RESULTS_DIR|s3://bucket/prefix/ [--out report.html]
    location-detector status s3://bucket/key|PLAN_ID|--summary [--outputs F|--table T]
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
from .aws import AwsUnavailableError
from .config import DetectorConfig, load_config
from .errors import ConfigError, DetectorError, InvalidPlanError
from .formats import SUPPORTED_SUFFIXES
from .results import SchemaValidationError, Source, failure_document, validate_document
from .s3url import S3UrlError

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
    from .overlay import document_overlays, overlay_names

    images = document_overlays(data, doc, config, ctype)
    paths = [json_path.with_name(n) for n in overlay_names(json_path.stem, len(images))]
    for path, image in zip(paths, images, strict=True):
        _write_png(path, image)
    return tuple(paths)


def _write_png(path: Path, image: Any) -> None:
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), image):
        raise OSError(f"could not write {path}")


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


REPORT_MAX_PLAN_BYTES = 100 * 1024 * 1024  # plans fetched from S3 for a report's overlays


def _cmd_overlay(args: argparse.Namespace) -> int:
    from .overlay import document_overlays, overlay_names

    doc = json.loads(Path(args.results).read_text(encoding="utf-8"))
    validate_document(doc)
    plan = Path(args.image)
    images = document_overlays(
        plan.read_bytes(), doc, load_config(args.config), _content_type_hint(plan)
    )
    if args.out and len(images) == 1:
        paths = [Path(args.out)]
    else:
        folder = Path(args.out) if args.out else Path(args.results).parent
        paths = [folder / n for n in overlay_names(Path(args.results).stem, len(images))]
    for path, image in zip(paths, images, strict=True):
        _write_png(path, image)
        print(path)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from . import report

    config = load_config(args.config)
    if args.results.startswith("s3://"):
        from .aws import client, s3_fetch
        from .s3url import parse_s3_url

        bucket, _, prefix = args.results[len("s3://") :].partition("/")
        if not bucket:
            parse_s3_url(args.results)  # raises the parser's own message
        s3 = client("s3", args.endpoint_url)
        fetch = s3_fetch(s3, REPORT_MAX_PLAN_BYTES)
        entries = report.collect_s3(s3, bucket, prefix, config, fetch)
    else:
        folder = Path(args.results)
        if not folder.is_dir():
            print(f"error: {folder} is not a folder of results documents", file=sys.stderr)
            return EXIT_USAGE
        entries = report.collect_folder(folder, config)
    if not entries:
        print(f"error: no results documents in {args.results}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    title = args.title or f"Rooms found: {args.results}"
    out.write_text(report.render_html(entries, title), encoding="utf-8")
    failed = sum(e.doc["status"] != "succeeded" for e in entries)
    print(f"{out}: {len(entries)} plans ({failed} failed), open it in a browser")
    return EXIT_OK


def _cmd_status(args: argparse.Namespace) -> int:
    from .aws import client, resource
    from .plan_status import StackNames, StatusClient, StatusLookupError, describe

    if args.table:
        names = StackNames(args.table, args.status_index, args.source_index)
    elif args.outputs:
        names = StackNames.from_outputs(Path(args.outputs))
        names = StackNames(
            names.table,
            args.status_index or names.status_index,
            args.source_index or names.source_index,
        )
    else:
        print(
            "error: name the status table: --table NAME, or --outputs FILE (terraform output "
            "-json stack), or LOCATION_DETECTOR_OUTPUTS",
            file=sys.stderr,
        )
        return EXIT_USAGE
    lookups = StatusClient(
        names,
        resource("dynamodb", args.endpoint_url),
        client("s3", args.endpoint_url),
    )
    try:
        if args.summary:
            print(json.dumps(lookups.summary(), indent=2))
            return EXIT_OK
        if not args.plan:
            print("error: give s3://bucket/key, a plan id, or --summary", file=sys.stderr)
            return EXIT_USAGE
        found = 0
        for plan in args.plan:
            if plan.startswith("s3://"):
                item = lookups.by_uri(plan, args.version_id)
            else:
                item = lookups.by_plan_id(plan.removeprefix("plan#"))
            if item is None:
                print(f"{plan}: no status recorded (not uploaded, or not picked up yet)")
                continue
            found += 1
            print(json.dumps(item, indent=2) if args.json else "\n".join(describe(item)))
    except StatusLookupError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK if found == len(args.plan) else EXIT_FAILED


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

    o = sub.add_parser(
        "overlay",
        help="draw the rooms of a results document onto its plan",
        description="The overlay of a results document (e.g. downloaded from the results "
        "bucket) on the plan it describes: <RESULTS stem>.overlay.png beside it, one per page "
        "for several pages. Refuses a plan whose pages do not match the document.",
    )
    o.add_argument("results", metavar="RESULTS.json")
    o.add_argument("--image", required=True, metavar="PLAN", help="the plan the document is of")
    o.add_argument("--out", help="the PNG to write (one page), or a folder")
    o.add_argument("--config", help="detector config whose decoding limits apply")
    o.set_defaults(func=_cmd_overlay)

    r = sub.add_parser(
        "report",
        help="one self-contained HTML page over a batch of results",
        description="One HTML file that works offline (pictures inlined, nothing fetched): per "
        "plan an overlay thumbnail, the room count and table, errors, timings. RESULTS is a "
        "folder of results documents (overlay PNGs beside them are used; otherwise the plan is "
        "read from source.uri) or an s3://bucket/prefix/.",
    )
    r.add_argument("results", metavar="RESULTS", help="folder, or s3://bucket/prefix/")
    r.add_argument("--out", default="report.html", help="the HTML file (default report.html)")
    r.add_argument("--title", help="the page's title")
    r.add_argument("--endpoint-url", help="S3 endpoint (an emulator); default: boto3's")
    r.add_argument("--config", help="detector config whose decoding limits apply")
    r.set_defaults(func=_cmd_report)

    st = sub.add_parser(
        "status",
        help="what became of an upload: state, attempts, timings, result, last error",
        description="Looks a plan up in the pipeline's status table by key (GetItem, or a "
        "Query of an index), never a Scan. Exit 1 if a plan has no status.",
    )
    st.add_argument("plan", nargs="*", metavar="PLAN", help="s3://bucket/key, or a plan id")
    st.add_argument("--summary", action="store_true", help="plans not final, by state; oldest")
    st.add_argument("--version-id", help="a given version of the object (default: current)")
    st.add_argument(
        "--outputs",
        default=os.environ.get("LOCATION_DETECTOR_OUTPUTS"),
        help="`terraform output -json stack` saved to a file: table and index names "
        "(default $LOCATION_DETECTOR_OUTPUTS)",
    )
    st.add_argument("--table", help="the status table (instead of --outputs)")
    st.add_argument("--status-index", help="its status + deadline_at index (--summary)")
    st.add_argument("--source-index", help="its source_uri + uploaded_at index")
    st.add_argument("--endpoint-url", help="AWS endpoint (an emulator); default: boto3's")
    st.add_argument("--json", action="store_true", help="the whole item as JSON")
    st.set_defaults(func=_cmd_status)

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
    except (ConfigError, AwsUnavailableError, S3UrlError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except (DetectorError, SchemaValidationError, ValueError, OSError) as err:
        # overlay/report/status on a bad document, a plan that is not the document's, a
        # missing file: one clear line, not a traceback
        print(f"error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
