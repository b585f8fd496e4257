"""``backstep doctor``: check that this machine can run a session, with a fix for each problem.

Every probe runs under a time limit (a wedged camera driver or display must not hang the
doctor) and touches nothing it does not need: no frame is saved, nothing is downloaded.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from kiosk.config.loader import ConfigFileError, load_config_with_source
from kiosk.config.schema import BackstepConfig, StaffConfig
from kiosk.doctor.probes import (
    CheckResult,
    ProbeTimeout,
    check_camera,
    check_display,
    check_gpio,
    run_with_timeout,
)
from kiosk.store.connection import data_dir_source
from kiosk.store.database import database_path, resolve_data_dir
from kiosk.store.health import check_storage

logger = logging.getLogger(__name__)


#: Below this much free space on the data disk a session cannot be recorded safely.
DISK_FAIL_BYTES = 200 * 1024**2
DISK_WARN_BYTES = 1024**3


# --------------------------------------------------------------------------- checks


def check_config(config_path: Path | str | None) -> tuple[CheckResult, BackstepConfig]:
    """The config file is valid; returns the config the other checks use (defaults if not)."""

    try:
        loaded = load_config_with_source(config_path)
    except ConfigFileError as exc:
        first = exc.issues[0].format(exc.path) if exc.issues else str(exc)
        more = f" (+{len(exc.issues) - 1} more)" if len(exc.issues) > 1 else ""
        return (
            CheckResult("config", "fail", first + more, f"run `backstep config check {exc.path}`"),
            BackstepConfig(),
        )
    where = f"{loaded.path} ({loaded.source})"
    if loaded.config.staff.pin == StaffConfig.model_fields["pin"].default:
        fix = f"set staff.pin in {loaded.path}: the default is in the public docs"
        result = CheckResult("config", "warn", f"{where}; staff.pin is the default", fix)
    else:
        result = CheckResult("config", "ok", where)
    return result, loaded.config


def check_model(cfg: BackstepConfig, timeout_s: float = 120.0) -> CheckResult:
    """The pose model file exists and loads (verified once, then only checksummed)."""
    from vision.errors import ModelError
    from vision.pose.model import find_model, verify_model

    fix = "run `backstep model fetch` (as the kiosk's user)"
    try:
        resolved = find_model(cfg.model)
        run_with_timeout(lambda: verify_model(resolved.path), timeout_s)
    except ModelError as exc:
        return CheckResult("model", "fail", str(exc), fix)
    except ProbeTimeout as exc:
        return CheckResult("model", "fail", f"loading the model: {exc}", fix)
    note = f"; {resolved.note}" if resolved.note else ""
    return CheckResult("model", "ok", f"{resolved.path} ({resolved.variant}){note}")


def data_dir_for(cfg: BackstepConfig) -> Path:
    """The data directory the kiosk would use."""
    return resolve_data_dir(cfg.storage)


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_data_dir(path: Path, cfg: BackstepConfig | None = None) -> CheckResult:
    """The data directory exists (or can be created) and a file can be written in it.

    With ``cfg`` and an existing database, the storage module's own health check runs too.
    Nothing is created: run as root, a new database would be unwritable for the kiosk.
    """
    fix = f"set storage.data_dir, or give the kiosk's user write access to {path}"
    target = path if path.is_dir() else _existing_ancestor(path)
    if not target.is_dir():
        return CheckResult("data dir", "fail", f"{target} is not a directory", fix)
    try:
        # A real write, not os.access: root passes os.access on a read-only filesystem.
        with tempfile.NamedTemporaryFile(dir=target, prefix=".doctor-"):
            pass
    except OSError as exc:
        return CheckResult("data dir", "fail", f"{target} is not writable ({exc.strerror})", fix)
    where = str(path) if target == path else f"{path} (will be created in {target})"
    if cfg is not None:
        where += f" [from {data_dir_source(cfg.storage)}]"
    if cfg is not None and target == path and database_path(cfg.storage).is_file():
        from kiosk.deploy.schema import newer_schema_problem

        if newer := newer_schema_problem(database_path(cfg.storage)):
            return CheckResult("data dir", "fail", *newer)
        problems = check_storage(cfg.storage)
        if problems:
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            return CheckResult("data dir", "fail", problems[0] + more, fix)
        return CheckResult("data dir", "ok", f"{where} is writable; database healthy")
    return CheckResult("data dir", "ok", f"{where} is writable")


def check_fleet(cfg: BackstepConfig, timeout_s: float = 10.0) -> CheckResult:
    """The central database of a fleet: reachable, last sync, rows waiting (warns only)."""
    from kiosk.fleet.health import fleet_health

    try:
        health = run_with_timeout(lambda: fleet_health(cfg), timeout_s)
    except ProbeTimeout:
        return CheckResult("fleet", "warn", f"server did not answer in {timeout_s:.0f} s")
    return CheckResult("fleet", health.status, health.detail, health.fix)


def check_disk(path: Path) -> CheckResult:
    """Enough free space where the data directory lives."""
    target = _existing_ancestor(path)
    free = shutil.disk_usage(target).free
    detail = f"{free / 1024**3:.1f} GB free on {target}"
    fix = "free disk space, or lower storage.retention_days"
    if free < DISK_FAIL_BYTES:
        return CheckResult("disk", "fail", detail, fix)
    if free < DISK_WARN_BYTES:
        return CheckResult("disk", "warn", detail, fix)
    return CheckResult("disk", "ok", detail)


def check_recording(path: Path) -> CheckResult:
    """Recording failures the running kiosk counted (it writes them beside the database)."""
    from kiosk.store.saving_status import read_saving_status

    status = read_saving_status(path)
    if not status or not status.get("recording_failures"):
        return CheckResult("recording", "ok", "no recording failures reported")
    n = int(status["recording_failures"])
    detail = f"{n} recording failure(s) reported by the kiosk; last: {status.get('last_error')}"
    fix = "see the data dir and disk lines; `journalctl -u backstep` has each failure"
    if status.get("saving") is False:  # failing now, not only in the past (#23)
        return CheckResult("recording", "fail", "recording FAILED: " + detail, fix)
    return CheckResult("recording", "warn", detail + " (saving again since)", fix)


def run_checks(config_path: Path | str | None = None) -> list[CheckResult]:
    """Every check, in the order a technician would fix them."""
    from kiosk.doctor.treadmill import check_heart_rate, check_treadmill

    result, cfg = check_config(config_path)
    results = [result]
    data_dir = data_dir_for(cfg)
    for check in (
        lambda: check_camera(cfg),
        lambda: check_model(cfg),
        lambda: check_gpio(cfg),
        lambda: check_display(cfg),
        lambda: check_data_dir(data_dir, cfg),
        lambda: check_disk(data_dir),
        _check_clock,
        lambda: check_recording(data_dir),
        lambda: check_fleet(cfg),
        lambda: check_treadmill(cfg),
        lambda: check_heart_rate(cfg),
        lambda: _check_voice(cfg),
    ):
        try:
            results.append(check())
        except Exception as exc:  # one broken probe must not hide the others' answers
            logger.exception("doctor check failed")
            results.append(CheckResult("doctor", "fail", f"check crashed: {exc!r}"))
    return results


def _check_clock() -> CheckResult:
    from kiosk.doctor.clock import check_clock  # its own module: doctor.py is near 400 lines

    report = check_clock()
    return CheckResult("clock", report.status, report.detail, report.fix)


def _check_voice(cfg: BackstepConfig) -> CheckResult:
    from kiosk.ui.voice import voice_check

    check = voice_check(cfg.sound)
    return CheckResult("voice", check.status, check.detail, check.fix)


_MARK = {"ok": "OK", "warn": "WARN", "fail": "FAIL"}


def format_table(results: list[CheckResult]) -> str:
    """A plain-text table: check, status, detail, and an indented fix under each problem."""
    width = max(len(r.name) for r in results)
    lines = []
    for r in results:
        lines.append(f"{r.name:<{width}}  {_MARK[r.status]:<4}  {r.detail}")
        if r.fix and r.status != "ok":
            lines.append(f"{'':<{width}}        fix: {r.fix}")
    blocking = sum(r.is_blocking for r in results)
    warnings = sum(r.status == "warn" for r in results)
    if blocking:
        lines.append(f"{blocking} problem(s) block a session, {warnings} warning(s)")
    else:
        lines.append(f"ready for a session ({warnings} warning(s))")
    return "\n".join(lines)


def exit_code(results: list[CheckResult]) -> int:
    """1 when anything blocks a session, else 0 (warnings do not)."""
    return 1 if any(r.is_blocking for r in results) else 0
