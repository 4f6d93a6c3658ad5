# tuoyu — make demo / make test. Each step is skipped when its stamp is newer than its input.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
TUOYU := $(PY) -m tuoyu
VAR := var
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL_BASE ?= postgresql://postgres@127.0.0.1:5432
APT := $(if $(filter 0,$(shell id -u)),apt-get,sudo apt-get)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo serve setup system-deps test test-sqlite test-postgres lint lint-migrations format browser clean messages lock guide

# ---- set-up ------------------------------------------------------------------------------
$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Python packages come from the lock files (exact versions), so two fresh machines install
# the same set; `make lock` regenerates them from pyproject.toml.
$(VENV)/.installed: requirements.lock pyproject.toml | $(VENV)/bin/activate
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.lock
	$(PIP) install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-test.lock $(VENV)/.installed
	$(PIP) install -q -r requirements-test.lock
	touch $@

lock: | $(VENV)/bin/activate
	$(PIP) install -q uv
	$(VENV)/bin/uv pip compile -q pyproject.toml --python-version 3.11 --universal \
	  --no-header --annotation-style line -o requirements.lock
	$(VENV)/bin/uv pip compile -q pyproject.toml --extra test --python-version 3.11 --universal \
	  --no-header --annotation-style line -o requirements-test.lock

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VAR)/static/.collected: node_modules/.installed $(VENV)/.installed $(shell find src/tuoyu -path '*/static/*' -type f 2>/dev/null)
	mkdir -p $(VAR)
	$(TUOYU) collectstatic --noinput -v 0
	touch $@

setup: $(VENV)/.installed node_modules/.installed $(VAR)/static/.collected system-deps

# Receipts are PDFs with Chinese text: WeasyPrint needs Pango and a CJK font (Debian).
system-deps: $(VENV)/.installed
	@if ! $(PY) -c "import weasyprint" >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  echo "安装 PDF 回执所需的 Pango 与中文字体（Debian 软件包）…"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk >/dev/null; \
	fi

# ---- demo --------------------------------------------------------------------------------
demo: setup
	$(TUOYU) migrate --noinput -v 0
	$(TUOYU) seed --scale district --seed 1 --if-empty --history-weeks 52
	$(TUOYU) db_optimize  # fresh planner statistics at every start ([scale] point 4)
	@echo "演示账号（密码 demo-pass-2020）："
	@$(TUOYU) demo_accounts | column -t -s $$'\t' | head -n 40
	@echo "……完整列表：$(TUOYU) demo_accounts"
	@echo "服务地址：http://$(HOST):$(PORT)/（后台任务工作进程随网站启动、停止，运行记录见 /jobs/）"
	$(TUOYU) jobs_run & jobs=$$!; trap 'kill $$jobs 2>/dev/null; wait $$jobs 2>/dev/null' EXIT; \
	  $(TUOYU) runserver $(HOST):$(PORT) --noreload

# Production-style serving (WhiteNoise serves the collected static files).
# Load balancer ([operations] point 4, README "运维"): liveness GET /healthz (200 while the
# process answers: restart it otherwise), readiness GET /readyz (200 when the database
# answers, every migration is applied, a jobs_run worker beat within
# TUOYU_READY_WORKER_SECONDS and var/ has TUOYU_READY_MIN_FREE_MB free; 503 with the failed
# checks otherwise: send it no traffic). No login; send a Host from TUOYU_ALLOWED_HOSTS.
serve: setup
	$(TUOYU) migrate --noinput -v 0
	$(TUOYU) jobs_run & jobs=$$!; trap 'kill $$jobs 2>/dev/null; wait $$jobs 2>/dev/null' EXIT; \
	  $(VENV)/bin/gunicorn tuoyu.wsgi --bind $(HOST):$(PORT) --workers $${WORKERS:-3} \
	  --access-logfile - --forwarded-allow-ips "$${TUOYU_PROXY_IPS:-127.0.0.1}"

# ---- tests -------------------------------------------------------------------------------
# Browser tests drive Debian's chromium; never a browser download.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  echo "安装 chromium 与中文字体（Debian 软件包）…"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null; \
	fi

test: $(VENV)/.installed-test node_modules/.installed system-deps browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	@# The two passes run side by side (one per core), each in its own var directory, and
	@# each prints its output when it ends; CI keeps within its 30-minute budget this way.
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite:
	@echo "==== 测试：SQLite ===="
	TUOYU_VAR_DIR=$(CURDIR)/$(VAR)/test-sqlite TUOYU_STATICFILES_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage \
	  DATABASE_URL= $(VENV)/bin/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

test-postgres:
	@db=tuoyu_test_$$$$; \
	if ! $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_URL_BASE)/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!!! PostgreSQL 不可用（$(PG_URL_BASE)）：已跳过 PostgreSQL 测试轮次 !!!"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  if [ "$${REQUIRE_POSTGRES:-0}" = "1" ]; then echo "REQUIRE_POSTGRES=1：失败"; exit 1; fi; \
	  exit 0; \
	fi; \
	echo "==== 测试：PostgreSQL（数据库 $$db）===="; \
	$(PY) -c "import psycopg; c=psycopg.connect('$(PG_URL_BASE)/postgres', autocommit=True); c.execute('CREATE DATABASE $$db'); c.close()" || exit 1; \
	trap "$(PY) -c \"import psycopg; c=psycopg.connect('$(PG_URL_BASE)/postgres', autocommit=True); c.execute('DROP DATABASE IF EXISTS $$db WITH (FORCE)'); c.execute('DROP DATABASE IF EXISTS test_$$db WITH (FORCE)'); c.close()\"" EXIT; \
	TUOYU_VAR_DIR=$(CURDIR)/$(VAR)/test-postgres TUOYU_STATICFILES_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage \
	  DATABASE_URL=$(PG_URL_BASE)/$$db $(VENV)/bin/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# The user guide's screenshots (docs/guide/img), taken by Playwright from the demo data
# ([accounts-ux] point 11). `make test` checks the guide against the same list of shots
# (tests/e2e/guide_shots.py) without writing into docs/.
guide: $(VENV)/.installed-test browser
	TUOYU_GUIDE_OUT=$(CURDIR)/docs/guide/img $(MAKE) --no-print-directory test-sqlite \
	  PYTEST_ARGS="tests/e2e/test_guide_screens.py -q"

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# [operations] point 5: every migration since the previous release checked for
# backward-incompatible operations (also part of `make test`, on both databases).
lint-migrations: $(VENV)/.installed-test
	$(MAKE) --no-print-directory test-sqlite PYTEST_ARGS="tests/integration/test_migrations_upgrade.py -q -k backward_compatible"

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# English catalogs, one per app (zh-hans msgids need none). -P keeps an app's selectors.py
# from shadowing the standard library module when run from the app folder.
I18N_APPS := core web accounts audit regions policy jobs institutions filings
messages:
	for app in $(I18N_APPS); do \
	  (cd src/tuoyu/$$app && $(CURDIR)/$(PY) -P -m tuoyu makemessages -l en --no-obsolete --no-location \
	   && $(CURDIR)/$(PY) -P -m tuoyu compilemessages -l en) || exit 1; \
	done

clean:
	rm -rf $(VAR)/static $(VAR)/test $(VAR)/test-sqlite $(VAR)/test-postgres
