"""`serve`: the container's entrypoint. Starts gunicorn with the inference app.

SageMaker runs the image as `docker run IMAGE serve`. The master process validates the settings
and the model's config first (a bad one exits non-zero with a message, before any socket is
open), then forks the workers; each worker loads its own detector before it accepts a request,
and a worker that cannot load it stops the whole server (gunicorn exits 3), so /ping is never
answered without a model. When the workers run as another user (MODEL_SERVER_USER), they load
it from a private copy of the model directory the master made for them.

Workers are gunicorn's threaded workers: while a long plan is being detected, a spare thread
still answers /ping within SageMaker's 2-second limit; a client that stalls mid-request is cut
off after MODEL_SERVER_READ_TIMEOUT (serving/worker.py). SIGTERM stops accepting, lets in-flight
requests finish within MODEL_SERVER_GRACEFUL_TIMEOUT, and exits 0.
"""

from __future__ import annotations

import argparse
import grp
import logging
import os
import pwd
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

import inference
from detector.config import load_config
from detector.errors import ConfigError

# Imported in the master (shared copy-on-write by the workers): a worker that drops to an
# unprivileged user then needs to read nothing but the model directory.
from .app import create_app
from .settings import Settings, SettingsError, load_settings
from .worker import ReadTimeoutThreadWorker

log = logging.getLogger("serving")

EXIT_USAGE = 2


class ModelServer(BaseApplication):  # type: ignore[misc]
    """gunicorn configured from `Settings` in code: no config file, no command-line parsing."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def gunicorn_options(self) -> dict[str, Any]:
        s = self.settings
        options: dict[str, Any] = {
            "bind": [_address(s.bind, s.port)],
            "workers": s.workers,
            "worker_class": ReadTimeoutThreadWorker,
            "threads": s.threads,
            "timeout": s.timeout_s,
            "graceful_timeout": s.graceful_timeout_s,
            "keepalive": s.keepalive_s,
            "preload_app": False,  # each worker loads its own model after the fork
            "accesslog": "-" if s.access_log else None,
            "errorlog": "-",
            "loglevel": s.log_level.lower(),
            "proc_name": "location-detector",
            "control_socket_disable": True,  # no management socket in a serving container
        }
        if os.path.isdir("/dev/shm"):  # heartbeat files in RAM, as gunicorn advises for Docker
            options["worker_tmp_dir"] = "/dev/shm"
        if s.staged_model_dir:
            # In the master only, on shutdown (workers exit and restart without touching it).
            staged = s.model_dir
            options["on_exit"] = lambda _arbiter: shutil.rmtree(staged, ignore_errors=True)
        if s.worker_user:
            # The master stays root (SageMaker expects root); the workers, which parse untrusted
            # images, run as this unprivileged user.
            user = pwd.getpwnam(s.worker_user)
            options["user"] = user.pw_uid
            options["group"] = grp.getgrgid(user.pw_gid).gr_gid
        return options

    def load_config(self) -> None:
        for key, value in self.gunicorn_options().items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Runs in each worker after the fork: an exception here is a worker boot error.
        _configure_logging(self.settings.log_level)
        return create_app(self.settings)


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _stage_model_dir(settings: Settings) -> Path:
    """A private copy of the model directory owned by the workers' user.

    SageMaker unpacks the model as root and does not promise that another user may read it;
    the master (root) copies it, so workers never depend on /opt/ml/model's permissions.
    """
    user = pwd.getpwnam(settings.worker_user or "")
    staged = Path(tempfile.mkdtemp(prefix="model-"))
    if settings.model_dir.is_dir():
        shutil.copytree(settings.model_dir, staged, dirs_exist_ok=True)
    for path in [staged, *staged.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)
    log.info("model dir %s staged at %s for user %s", settings.model_dir, staged, user.pw_name)
    return staged


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the server until SIGTERM; returns (or exits with) the process's exit code."""
    parser = argparse.ArgumentParser(
        prog="serve",
        description="SageMaker model server for the room detector (docker run IMAGE serve).",
    )
    parser.add_argument(
        "command", nargs="?", default="serve", choices=["serve"], help="what SageMaker passes"
    )
    parser.parse_args(argv)
    _configure_logging("INFO")
    try:
        settings = load_settings()
        _configure_logging(settings.log_level)
        if settings.worker_user:
            pwd.getpwnam(settings.worker_user)
    except SettingsError as err:
        log.error("invalid server setting: %s", err)
        return EXIT_USAGE
    except KeyError:
        log.error("MODEL_SERVER_USER=%s: no such user", settings.worker_user)
        return EXIT_USAGE
    config_path = settings.model_dir / "config.json"
    try:
        # Fail fast in the master; each worker loads (and validates) it again for itself.
        load_config(config_path if config_path.exists() else None)
    except ConfigError as err:
        log.error("invalid model config %s: %s", config_path, err)
        return EXIT_USAGE
    if settings.worker_user:
        settings = settings.model_copy(
            update={"model_dir": _stage_model_dir(settings), "staged_model_dir": True}
        )
    inference.warm_up(before_fork=True)
    log.info(
        "starting model server on %s: %d workers x %d threads, model dir %s",
        _address(settings.bind, settings.port),
        settings.workers,
        settings.threads,
        settings.model_dir,
    )
    ModelServer(settings).run()  # exits the process itself (0 after a graceful SIGTERM)
    return 0
