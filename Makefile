# SUTASOMA — `make run` to try it, `make test` to check it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The first Python 3.12+ on this machine (pyenv, python3.x on PATH, or python3).
PYTHON ?= $(shell for c in python3.12 python3.13 python3.14 python3; do \
	p=$$(command -v $$c 2>/dev/null) && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; \
	done; for p in $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3; do [ -x $$p ] && { echo $$p; break; }; done)
PYTHON_FIRST := $(firstword $(PYTHON))

# `make run` is a laptop demo on loopback: plain HTTP, a local secret, the demo data.
RUN_ENV := HTTPS=0 ALLOWED_HOSTS=127.0.0.1,localhost SECRET_KEY_FILE=var/secret_key \
	BPJS_H2H_SECRET=$${BPJS_H2H_SECRET:-sandbox-secret} \
	BPJS_H2H_BASE_URL=$${BPJS_H2H_BASE_URL:-http://127.0.0.1:$${SANDBOX_PORT:-8700}}

.PHONY: setup run test test-fast lint bench clean

$(STAMP): pyproject.toml constraints.txt
	@if [ -z "$(PYTHON_FIRST)" ]; then echo "SUTASOMA needs Python 3.12 or newer (python3.12 on PATH, or pyenv install 3.12)." >&2; exit 1; fi
	@test -x $(PY) || $(PYTHON_FIRST) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

var/secret_key:
	@mkdir -p var && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@ && chmod 600 $@

setup: $(STAMP) var/secret_key
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0

run: setup
	$(RUN_ENV) $(PY) manage.py seed_demo --force
	@echo ""
	@echo "  SUTASOMA berjalan di  http://127.0.0.1:$${WEB_PORT:-8000}/"
	@echo "  Login demo (kata sandi: $${DEMO_PASSWORD:-sutasoma-demo}):"
	@echo "    penyuluh.demo     penyuluh, Desa Umpungeng dan sekitarnya (BPP Lalabata)"
	@echo "    koordinator.demo  koordinator BPP Lalabata"
	@echo "    dinas.demo        staf Dinas, Kabupaten Soppeng"
	@echo "    admin.demo        admin (juga /admin/)"
	@echo "  Sandbox BPJS: http://127.0.0.1:$${SANDBOX_PORT:-8700}/   (Ctrl-C menghentikan semuanya)"
	@echo ""
	$(RUN_ENV) $(VENV)/bin/honcho start

test: $(STAMP)
	$(PY) -m pytest tests

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# make bench: 20.000 farmers; make bench SCALE=1000000 for a province (see README, Performance and scale).
bench: $(STAMP)
	$(PY) -m bench $(if $(SCALE),--farmers $(SCALE))

clean:
	rm -rf var $(VENV)
