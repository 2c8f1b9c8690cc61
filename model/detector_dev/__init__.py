"""Development tooling of the room detector: drawn plans with exact truth, dataset scoring and
the benchmark. Used by the tests, `make demo` and the CLI's `draw` / `benchmark` subcommands;
never shipped in the model image or the Lambda zips (the runtime is `detector`).
"""
