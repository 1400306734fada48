"""Shared pytest fixtures: start a sandbox binary and read its ready line."""

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_SECS = 60


def sandbox_bin_dir() -> Path:
    """Return the directory holding the sandbox binaries.

    ``SANDBOX_BIN_DIR`` wins; otherwise cargo's target directory (which honours
    ``CARGO_TARGET_DIR``) plus ``debug``. The Makefile builds the binaries first.
    """
    if "SANDBOX_BIN_DIR" in os.environ:
        return Path(os.environ["SANDBOX_BIN_DIR"])

    metadata = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=REPOSITORY_ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(json.loads(metadata.stdout)["target_directory"]) / "debug"


def read_ready_line(process: subprocess.Popen, name: str) -> dict:
    """Read the first stdout line, failing if the binary exits or stays silent."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(READY_TIMEOUT_SECS)

    if not lines or not lines[0].strip():
        process.kill()
        raise RuntimeError(
            f"{name} printed no ready line within {READY_TIMEOUT_SECS} s "
            f"(exit code {process.poll()}); run it by hand to see its log"
        )
    return json.loads(lines[0])


@pytest.fixture
def start_sandbox():
    """Start sandbox binaries by name; each call returns the parsed ready line.

    Example: ``ready = start_sandbox("magento-sandbox", "--customers", "45")``.
    Every started process is terminated on teardown.
    """
    processes: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> dict:
        binary = sandbox_bin_dir() / name
        if not binary.exists():
            raise FileNotFoundError(f"{binary} not found; build it with `cargo build -p sandbox --bins`")

        process = subprocess.Popen(
            [str(binary), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        processes.append(process)
        return read_ready_line(process, name)

    yield start

    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
