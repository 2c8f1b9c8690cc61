"""Write the Inputs/Outputs tables of every module README from its variables.tf and outputs.tf.

The tables sit between the markers <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS -->; the prose
above them is hand-written. `--check` fails (exit 1) when a README is out of date.
Runs with the checkov venv's python (it ships the HCL parser `hcl2`): `make tf-docs`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import hcl2

MODULES = Path(__file__).resolve().parent / "modules"
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


def _flat(block: dict[str, Any]) -> dict[str, Any]:
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in block.items()}


def _type_text(source: list[str], block: dict[str, Any]) -> str:
    """The type expression as written, on one line."""
    text = "\n".join(source[block["__start_line__"] - 1 : block["__end_line__"]])
    match = re.search(r"^\s*type\s*=\s*", text, re.M)
    if match is None:
        return "any"
    rest, depth, out = text[match.end() :], 0, ""
    for ch in rest:
        if ch == "\n" and depth == 0:
            break
        depth += ch in "({[" and 1 or (ch in ")}]" and -1 or 0)
        out += ch
    out = re.sub(r"\s*\n\s*", ", ", out.strip())
    return re.sub(r"\s+", " ", out).replace("{, ", "{ ").replace(", }", " }")


def tables(module: Path) -> str:
    source = (module / "variables.tf").read_text().splitlines()
    lines = ["## Inputs", "", "| Name | Type | Default | Description |", "| --- | --- | --- | --- |"]
    for entry in hcl2.load((module / "variables.tf").open()).get("variable", []):
        ((name, raw),) = entry.items()
        block = _flat(raw)
        if "default" in block:
            default = "`null`" if block["default"] is None else f"`{json.dumps(block['default'])}`"
        else:
            default = "required"
        description = str(block.get("description", "")).replace("|", "\\|")
        lines.append(f"| `{name}` | `{_type_text(source, raw)}` | {default} | {description} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "| --- | --- |"]
    for entry in hcl2.load((module / "outputs.tf").open()).get("output", []):
        ((name, raw),) = entry.items()
        lines.append(f"| `{name}` | {_flat(raw).get('description', '')} |")
    return "\n".join([BEGIN, *lines, END])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a README is out of date")
    args = parser.parse_args(argv)
    stale = []
    for module in sorted(p for p in MODULES.iterdir() if (p / "variables.tf").exists()):
        readme = module / "README.md"
        text = readme.read_text()
        if BEGIN not in text or END not in text:
            print(f"{readme}: missing {BEGIN} ... {END}")
            stale.append(readme)
            continue
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        new = head + tables(module) + tail
        if new != text:
            stale.append(readme)
            if not args.check:
                readme.write_text(new)
                print(f"updated {readme}")
    if args.check and stale:
        print("out of date (run `make tf-docs`): " + ", ".join(str(p) for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
