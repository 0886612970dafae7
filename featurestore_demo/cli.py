"""The ``featurestore-demo`` command: the six steps of the demo, alone or all at once.

Errors print one line (the AWS error code and what to do) and exit non-zero; no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import time
from collections.abc import Sequence
from types import ModuleType

from featurestore_demo import get_backend
from featurestore_demo.config import BACKENDS, Settings
from featurestore_demo.demo.console import make_console
from featurestore_demo.demo.step import StepContext
from featurestore_demo.errors import FeatureStoreError

__all__ = ["main", "STEPS", "step_module"]

# Each step by its module's dotted path: the steps import this module to run alone, so this
# module imports them only when it needs one, and nothing imports in a circle.
STEPS: dict[str, str] = {
    "create": "featurestore_demo.create_feature_groups",
    "ingest": "featurestore_demo.ingest_features",
    "query-online": "featurestore_demo.query_online_store",
    "query-offline": "featurestore_demo.query_offline_store",
    "point-in-time": "featurestore_demo.point_in_time_demo",
    "cleanup": "featurestore_demo.cleanup_feature_store",
}


def step_module(command: str) -> ModuleType:
    """The module of the step ``command`` (a key of :data:`STEPS`): NUMBER, TITLE, LESSON,
    ``add_arguments(parser)`` and ``run(ctx)``."""
    return importlib.import_module(STEPS[command])


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="where the feature store runs (default: $FEATURESTORE_BACKEND, else local)",
    )
    common.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser = argparse.ArgumentParser(
        prog="featurestore-demo",
        description="A hands-on SageMaker Feature Store demo. Runs locally with no AWS account; "
        "--backend aws runs the same steps on AWS.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in STEPS:
        module = step_module(name)
        sub = commands.add_parser(name, parents=[common], help=f"step {module.NUMBER}: {module.TITLE}",
                                  description=module.LESSON)
        module.add_arguments(sub)
    demo = commands.add_parser("demo", parents=[common], help="run all six steps in order",
                               description="Create, ingest, query online, query offline, "
                               "point-in-time, clean up.", conflict_handler="resolve")
    for name in STEPS:
        step_module(name).add_arguments(demo)
    demo.add_argument("--keep", action="store_true", help="skip the cleanup step, to explore afterwards")
    _add_emulator_parser(commands)
    return parser


def _add_emulator_parser(commands: argparse._SubParsersAction) -> None:
    emulator = commands.add_parser(
        "emulator", help="serve the AWS APIs of the feature store on this machine (not a step)",
        description="SageMaker feature groups, the feature-store runtime and Athena over the local "
        "store, plus S3/STS/IAM/Glue by moto, on one port. Prints the variables that point boto3 "
        "(and --backend aws) at it; serves until Ctrl-C.",
    )
    emulator.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    emulator.add_argument("--port", type=int, default=None, help="port (default 4567; 0 picks a free one)")
    emulator.add_argument("--home", default=None, help="where the store lives (default $FEATURESTORE_HOME, "
                          "else .featurestore)")
    emulator.add_argument("--query-seconds", type=float, default=0.1,
                          help="how long an Athena query stays RUNNING at least (default 0.1); 0 answers "
                          "StartQueryExecution once the query is done, so the SageMaker SDK, which sleeps "
                          "5 s between checks, never waits")
    emulator.add_argument("--query-timeout", type=float, default=None, metavar="SECONDS",
                          help="how long one Athena query may run before it fails with a timeout "
                          "(default 1800: Athena's 30 minutes)")
    emulator.add_argument("--offline-delay", type=float, default=None, metavar="SECONDS",
                          help="hold offline-store writes back this long before their Parquet files appear "
                          "and Athena sees them, as AWS's buffering does (up to 15 minutes there); default "
                          "$FEATURESTORE_OFFLINE_DELAY, else 0")
    emulator.add_argument("--idle-timeout", type=float, default=None,
                          help="seconds a connection may send nothing (mid-request or between requests) "
                          "before it is closed (default 60)")
    emulator.add_argument("--max-connections", type=int, default=None,
                          help="connections served at once (default 64); more wait in the listen backlog "
                          "until one closes")


def _serve_emulator(options: argparse.Namespace) -> int:
    from local_backend.emulator import DEFAULT_PORT, Emulator

    home = options.home or Settings.from_env("local").home
    port = DEFAULT_PORT if options.port is None else options.port
    try:
        chosen = (("idle_timeout", options.idle_timeout), ("max_connections", options.max_connections),
                  ("query_timeout", options.query_timeout), ("offline_delay", options.offline_delay))
        limits = {key: value for key, value in chosen if value is not None}
        emulator = Emulator(home, host=options.host, port=port, query_seconds=options.query_seconds, **limits)
    except ValueError as error:  # --idle-timeout, --max-connections or --query-timeout out of range
        print(f"error: {error}", file=sys.stderr)
        return 2
    except FeatureStoreError as error:  # the store is held by another process, or --offline-delay is bad
        print(f"error: {error.code}: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # the address is taken or not ours to bind
        print(f"error: cannot serve on {options.host}:{port}: {error.strerror or error}; "
              "pick another --port (0 picks a free one) or --host.", file=sys.stderr)
        return 1
    print(f"# featurestore-demo emulator on {emulator.url} (store in {home}); Ctrl-C stops it.")
    print("# Point boto3 and `featurestore-demo --backend aws` at it with:")
    for name, value in emulator.environment().items():
        print(f"export {name}={value}")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        emulator.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    options = build_parser().parse_args(argv)
    if options.command == "emulator":
        return _serve_emulator(options)
    console = make_console(quiet=options.quiet)
    try:
        settings = Settings.from_env(options.backend)
        with get_backend(settings.backend) as backend:
            ctx = StepContext(backend, console, settings, options)
            if options.command == "demo":
                _run_demo(ctx)
            else:
                step_module(options.command).run(ctx)
    except FeatureStoreError as error:
        print(f"error: {error.code}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _run_demo(ctx: StepContext) -> None:
    started = time.perf_counter()
    leftovers = [spec.name for spec in ctx.demo_specs() if _exists(ctx, spec.name)]
    if leftovers:
        ctx.console.print(f"Removing leftovers of an earlier run: {', '.join(leftovers)}", style="yellow")
        for name in leftovers:
            ctx.backend.delete_feature_group(name)
            ctx.backend.wait_for_status(name, "Deleted")
    steps = list(STEPS)
    for name in steps[:-1] if ctx.options.keep else steps:
        step_module(name).run(ctx)
    ctx.console.print()
    ctx.console.rule(f"[bold]Done in {time.perf_counter() - started:.1f} s on the {ctx.backend.name} backend")


def _exists(ctx: StepContext, name: str) -> bool:
    return any(summary["FeatureGroupName"] == name for summary in ctx.backend.list_feature_groups(name))


if __name__ == "__main__":
    sys.exit(main())
