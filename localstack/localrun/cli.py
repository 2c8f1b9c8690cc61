"""The local pipeline's commands: ``up``, ``down``, ``restart``, ``status``, ``demo``, ``bench``.

``make local-up`` applies ``terraform/envs/local`` to the emulator; ``up`` starts the model
server, the endpoint stand-in and the Lambda runner in the background (pids and logs under
``<state dir>/pipeline/``); ``restart serve|endpoint|runner`` bounces one of them; ``down``
stops them (the stack stays).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .bench import bench
from .demo import demo
from .processes import ROOT, PipelineError, Supervisor
from .services import MODEL_RUNTIMES, SERVICES, Pipeline
from .stack import terraform_outputs
from .status import render, report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("command", choices=["up", "down", "restart", "demo", "status", "bench"])
    p.add_argument("service", nargs="?", choices=SERVICES, help="restart: which service")
    p.add_argument("--state-dir", type=Path, default=ROOT / ".local")
    p.add_argument("--emulator-url", default="http://127.0.0.1:4566")
    p.add_argument("--functions-dir", type=Path, default=ROOT / "build" / "functions")
    p.add_argument("--model-artifact", type=Path, default=ROOT / "build" / "model" / "model.tar.gz")
    p.add_argument("--workers", type=int, help="model server workers (default: CPU count)")
    p.add_argument(
        "--model-runtime",
        choices=MODEL_RUNTIMES,
        default="process",
        help="up: run model/serve from the tree (process) or the image `make image` built",
    )
    p.add_argument("--seed", type=int, default=7, help="demo, bench: seed of the drawn plan")
    p.add_argument("--count", type=int, default=200, help="bench: plans uploaded together")
    p.add_argument("--json", action="store_true", help="status: as JSON")
    p.add_argument(
        "--all", action="store_true", help="status: count final plans too (a table Scan)"
    )
    p.add_argument(
        "--stuck-after", type=float, default=300, help="status: seconds before a plan is stuck"
    )
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    if args.command == "down":
        stopped = Supervisor(args.state_dir.resolve() / "pipeline").stop(list(reversed(SERVICES)))
        print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
        return 0
    if args.command == "restart" and not args.service:
        p.error(f"restart needs a service: {', '.join(SERVICES)}")
    try:
        pipe = Pipeline(args.emulator_url, args.state_dir, terraform_outputs())
        return run(pipe, args)
    except PipelineError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def run(pipe: Pipeline, args: argparse.Namespace) -> int:
    if args.command == "up":
        state = pipe.start(
            args.model_artifact,
            args.functions_dir,
            workers=args.workers,
            model_runtime=args.model_runtime,
        )
        print(f"model server  {state['serve_url']}  (log {pipe.dir / 'serve.log'})")
        print(f"endpoint      {state['endpoint_url']}  (log {pipe.dir / 'endpoint.log'})")
        for m in state["runner"].get("mappings", []):
            print(f"lambda        {m['function']} <- {m['queue_url']}")
        print(f"runner log    {pipe.dir / 'runner.log'}")
        stack = pipe.stack
        print(
            f"upload plans to s3://{stack.blueprints_bucket}/{stack.prefixes['blueprints']} "
            f"(endpoint {pipe.emulator_url}); results in "
            f"s3://{stack.results_bucket}/{stack.prefixes['results']}"
        )
        return 0
    if args.command == "restart":
        pipe.restart(args.service)
        print(f"{args.service} restarted (pid {pipe.supervisor.pid(args.service)})")
        return 0
    if args.command == "status":
        view = report(pipe, args.stuck_after, count_final=args.all)
        print(json.dumps(view, indent=2) if args.json else render(view))
        return 0 if all(p["healthy"] for p in view["processes"].values()) else 1
    down = [name for name in SERVICES if not pipe.supervisor.healthy(name)]
    if down:
        print(f"error: not healthy: {', '.join(down)} (make pipeline-up)", file=sys.stderr)
        return 1
    if args.command == "bench":
        return bench(pipe, args.count, args.seed)
    return demo(pipe.client, args.seed)
