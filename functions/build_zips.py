"""Build one deployment zip per Lambda, byte-identical for the same inputs.

Each zip holds, at its root: `app.py` (the handler module), the `pipeline` package, the
numpy-free part of `detector` (`__init__`, `config`, `errors`, `formats`, `results`, `s3url`
and the results schema, copied from model/detector so there is one source of truth) and the
vendored dependencies from `--deps` (installed by `make functions` from
functions/requirements.txt).

Determinism: entries sorted by name, a fixed timestamp (1980-01-01) and permissions (0644),
no directory entries, no bytecode, and the same compression level every time.
"""

from __future__ import annotations

import argparse
import logging
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("build_zips")

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ("trigger", "success", "failure", "reconciler")
DETECTOR_FILES = (
    "__init__.py",
    "config.py",
    "errors.py",
    "formats.py",
    "results.py",
    "s3url.py",
    "schema/results.schema.json",
)
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644 << 16  # regular file, rw-r--r--
# Never shipped: bytecode, console scripts (their shebang names the build machine's python).
_SKIP_DIRS = {"__pycache__", "bin"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}


def _tree(base: Path, prefix: str) -> Iterator[tuple[str, Path]]:
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base)
        if path.is_dir() or path.suffix in _SKIP_SUFFIXES:
            continue
        if any(part in _SKIP_DIRS for part in rel.parts[:-1]):
            continue
        yield f"{prefix}{rel.as_posix()}", path


def zip_entries(name: str, deps: Path) -> dict[str, Path]:
    """Archive name -> source file for function `name`."""
    entries: dict[str, Path] = {"app.py": ROOT / "functions" / name / "app.py"}
    entries.update(_tree(ROOT / "functions" / "pipeline", "pipeline/"))
    for rel in DETECTOR_FILES:
        entries[f"detector/{rel}"] = ROOT / "model" / "detector" / rel
    for arcname, path in _tree(deps, ""):
        if arcname.split("/")[0] in ("app.py", "pipeline", "detector"):
            raise SystemExit(f"dependency file {arcname} would shadow the function's own code")
        entries[arcname] = path
    missing = [str(p) for p in entries.values() if not p.is_file()]
    if missing:
        raise SystemExit(f"missing files for {name}: {missing}")
    return entries


def source_files() -> list[Path]:
    """The repository's files the zips ship (the vendored dependencies aside): one list, which
    `mk/functions.mk` also rebuilds on (`--list-sources`)."""
    files = [ROOT / "functions" / name / "app.py" for name in FUNCTIONS]
    files += [path for _, path in _tree(ROOT / "functions" / "pipeline", "")]
    files += [ROOT / "model" / "detector" / rel for rel in DETECTOR_FILES]
    return files


def _content(arcname: str, path: Path) -> bytes:
    """The file's bytes; a wheel's RECORD loses the lines of files that are not shipped.

    Those are the console scripts, whose hashes depend on the build machine's interpreter
    path (their shebang), so keeping them would make the zip differ between checkouts.
    """
    data = path.read_bytes()
    if not arcname.endswith(".dist-info/RECORD"):
        return data
    kept = [
        line
        for line in data.decode("utf-8").splitlines(keepends=True)
        if not line.startswith(("../", "bin/")) and "/__pycache__/" not in line
    ]
    return "".join(kept).encode("utf-8")


def write_zip(target: Path, entries: dict[str, Path]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for arcname in sorted(entries):
            info = zipfile.ZipInfo(arcname, date_time=FIXED_TIME)
            info.external_attr = FILE_MODE
            info.create_system = 3  # Unix, so the permissions above are honoured
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, _content(arcname, entries[arcname]), compresslevel=6)
    tmp.replace(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deps", type=Path, help="vendored dependencies dir")
    parser.add_argument("--out", type=Path, help="where the zips go")
    parser.add_argument(
        "--list-sources",
        action="store_true",
        help="print the repository files the zips ship, one a line, and exit",
    )
    parser.add_argument("names", nargs="*", help=f"functions to build (default: {FUNCTIONS})")
    args = parser.parse_args(argv)
    if args.list_sources:
        print("\n".join(str(p.relative_to(ROOT)) for p in source_files()))
        return 0
    if args.deps is None or args.out is None:
        parser.error("--deps and --out are required to build")
    unknown = set(args.names) - set(FUNCTIONS)
    if unknown:
        parser.error(f"unknown function(s) {sorted(unknown)}; choose from {FUNCTIONS}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.deps.is_dir():
        parser.error(f"--deps {args.deps} is not a directory (run `make functions`)")
    for name in args.names or FUNCTIONS:
        target = args.out / f"{name}.zip"
        entries = zip_entries(name, args.deps)
        write_zip(target, entries)
        log.info("%s: %d files, %d bytes", target, len(entries), target.stat().st_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
