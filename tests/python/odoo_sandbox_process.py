"""Start the odoo-sandbox binary for a test and stop it afterwards.

The binary is built with cargo first, and its path is taken from cargo's
build messages, so the helper works with any CARGO_TARGET_DIR.
"""

import contextlib
import json
import pathlib
import subprocess

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def build_binary(name):
    """Build the sandbox crate and return the path of binary `name`."""
    output = subprocess.run(
        ["cargo", "build", "-p", "sandbox", "--bin", name, "--message-format=json"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in output.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message.get("executable"):
            if message["target"]["name"] == name:
                return message["executable"]
    raise RuntimeError(f"cargo build did not report an executable for {name}")


@contextlib.contextmanager
def running_odoo_sandbox(*args):
    """Yield the ready line of `odoo-sandbox ARGS` as a dict, then stop it."""
    binary = build_binary("odoo-sandbox")
    process = subprocess.Popen(
        [binary, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"odoo-sandbox exited with {process.wait()} before printing its ready line")
        yield json.loads(line)
    finally:
        process.terminate()
        process.wait(timeout=10)
