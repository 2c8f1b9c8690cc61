"""One warm "execution environment" of a Lambda function, run by lambda_runner.py.

Started as ``python -S lambda_worker.py CODE_DIR RUNTIME_DIR HANDLER`` with the function's
environment: no site-packages, so the handler imports only what its zip carries (``CODE_DIR``)
plus what the Lambda runtime ships (``RUNTIME_DIR``: boto3 and its closure). The module is
imported once (cold start), then each request is one invocation, as in a warm container.

Protocol: one JSON line per request on stdin (``{"event": ..., "request_id", "deadline_ms"}``),
one JSON line per answer on the original stdout (``{"result": ...}`` or ``{"error": ...}``).
Everything the handler prints or logs goes to stderr, so it cannot corrupt the protocol.
Standard library only: this file runs before the function's own packages are importable.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from typing import Any


class Context:
    """The attributes of Lambda's context object that Powertools and handlers read."""

    def __init__(self, request_id: str, deadline_ms: int) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ.get("LOCAL_FUNCTION_ARN", "")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def main() -> int:
    code_dir, runtime_dir, handler = sys.argv[1:4]
    # Replace this script's folder (sys.path[0]) by the task root and the runtime's packages.
    sys.path[:1] = [code_dir, runtime_dir]
    os.chdir(code_dir)
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    module_name, _, function_name = handler.rpartition(".")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except Exception as err:  # init failure: answer every request with it, as Lambda does
        init_error = f"{type(err).__name__}: {err}\n{traceback.format_exc()}"
        function = None
    answers.write(json.dumps({"init": "done"}) + "\n")  # the runner times init apart
    for line in sys.stdin:
        request = json.loads(line)
        answer: dict[str, Any]
        if function is None:
            answer = {"error": f"Runtime.ImportModuleError: {init_error}"}
        else:
            try:
                context = Context(request["request_id"], request["deadline_ms"])
                answer = {"result": function(request["event"], context)}
            except Exception as err:
                traceback.print_exc()
                answer = {"error": f"{type(err).__name__}: {err}"}
        answers.write(json.dumps(answer, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
