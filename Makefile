# Entry points for a newcomer: `make demo` runs the main job on the sandboxes,
# `make test` runs every test, `make bench` prints the benchmark figures.
SHELL := /bin/bash
VENV := .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: demo test bench venv rust-test python-test

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

# Starts moto, both sandboxes and every function under cargo lambda watch, then runs
# the main jobs through the API; every service stops when it ends or on Ctrl-C.
demo: venv
	cargo run --quiet -p harness --bin demo

test: venv rust-test python-test

rust-test:
	cargo test --workspace --all-targets

python-test:
	cargo build --quiet -p sandbox --bins
	$(VENV)/bin/pytest -q tests/python

# Release mode, because the figures include the connector's own CPU time.
# Extra flags go through BENCH_ARGS, e.g. `make bench BENCH_ARGS="--sizes 10000"`.
bench: venv
	cargo run --release -p harness --bin bench -- $(BENCH_ARGS)
