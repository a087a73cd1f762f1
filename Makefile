# luax: build, run and test. `make run` and `make test` each install what they need.

SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
MODULE := target/release/libluax.so
RUN_DIR := target/run
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build run test unit lint pytest bench deps apt-deps fresh-cargo-home clean

all: build

# System packages: redis-server (the host), redis-tools (redis-cli, redis-benchmark),
# libclang (bindgen, used by the redis-module crate); build/apt-missing.sh says which are absent.
apt-deps:
	@missing="$$(bash build/apt-missing.sh | tr '\n' ' ')"; \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: tests/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r tests/requirements.txt
	touch $@

deps: apt-deps $(VENV)/.installed

build: apt-deps
	cargo build --release

# Builds, then starts redis-server in the foreground with luax loaded (port 6399).
run: build
	mkdir -p $(RUN_DIR)
	cp $(MODULE) $(RUN_DIR)/libluax.so
	redis-server redis.conf

# Everything builds with the release profile, so lint, unit tests and the module share one
# compilation of the dependencies and of Lua.
lint: apt-deps
	cargo fmt --all -- --check
	cargo clippy --release --all-targets -- -D warnings

# The crate must build on a new machine: from an empty cargo home (every crate downloaded
# anew, offline caches absent) and an empty target directory, both thrown away afterwards.
fresh-cargo-home: apt-deps
	@home=$$(mktemp -d) && trap 'rm -rf "$$home"' EXIT && \
	echo "cargo check from an empty CARGO_HOME ($$home)" && \
	CARGO_HOME=$$home CARGO_TARGET_DIR=$$home/target cargo check --locked --quiet --lib

unit: apt-deps
	cargo test --release --features lua-apicheck

pytest: build $(VENV)/.installed
	LUAX_MODULE=$(abspath $(MODULE)) $(PYTHON) -m pytest -q tests

test: deps fresh-cargo-home lint unit pytest

# Side-by-side throughput of native EVALSHA and LUAX.EVALSHA on one server.
bench: build $(VENV)/.installed
	LUAX_MODULE=$(abspath $(MODULE)) $(PYTHON) bench/bench.py

clean:
	cargo clean
	rm -rf $(VENV)
