# Two entry points, both self-contained on a fresh machine:
#   make demo   set up, validate the example organisation, render its manual and its flow report
#   make test   set up, then ruff, mypy --strict and the whole pytest suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint typecheck pytest bench clean fuzz bench-hostile catalogues

$(STAMP): pyproject.toml
	@missing=""; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	command -v git >/dev/null 2>&1 || missing="$$missing git"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	ldconfig -p 2>/dev/null | grep -q libpangoft2 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing system packages:$$missing"; \
	    (apt-get update -qq && apt-get install -y -qq $$missing) >/dev/null 2>&1 || echo "warning: could not install$$missing"; \
	  else echo "warning: missing system packages:$$missing (WeasyPrint needs Pango and HarfBuzz; PDF checks need poppler-utils)"; fi; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/qms check
	$(BIN)/qms render manual -o out/manual-vi.pdf --lang vi
	$(BIN)/qms render manual -o out/manual-en.pdf --lang en
	@echo "Rendered out/manual-vi.pdf and out/manual-en.pdf"
	$(BIN)/qms flow report examples/flow/handover-log.csv --procedure QT-DD-01 --by agency --as-of 2026-07-31
	$(BIN)/qms --lang vi flow report examples/flow/handover-log.csv --as-of 2026-07-31 --format pdf -o out/flow-vi.pdf
	@echo "Rendered out/flow-vi.pdf: where the example organisation's dossiers lose time (docs/flow.md)"

lint: setup
	$(BIN)/ruff check qms tests bench fuzz

typecheck: setup
	$(BIN)/mypy

# qms's bytecode written first, as pip writes it for an installed package: an editable install has
# none, and with PYTHONDONTWRITEBYTECODE set every `python -m qms` of the tests would compile qms again.
# --dist loadscope keeps a module's tests on one worker, so a module's fixture (a rendered document set)
# is made once, not once per worker.
pytest: setup
	$(BIN)/python -m compileall -q qms
	$(BIN)/pytest -n 2 --dist loadscope -p no:cacheprovider

test: lint typecheck pytest

# The compiled message catalogues (qms/i18n/locale/<lang>/<area>.mo) that qms reads at run time, made
# from the .po files with Babel; run after editing a .po (tests/unit/test_i18n_compiled.py checks them).
catalogues: setup
	$(BIN)/python -c 'import pathlib, qms.i18n as i; [p.with_suffix(".mo").write_bytes(i.compile_po(p.read_bytes(), p.parent.name)) for p in sorted(pathlib.Path("qms/i18n/locale").glob("*/*.po"))]'

# Fuzz every reader for FUZZ_SECONDS each (docs/fuzzing.md); crashes land in fuzz/crashes/.
FUZZ_SECONDS ?= 300
fuzz: setup
	$(BIN)/python fuzz/run.py --seconds $(FUZZ_SECONDS)

# The speed benchmarks (figures, not tests): check, render, KPI (add BIG=1 for the 10M-row KPI case).
bench: setup
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_kpi.py $(if $(BIG),--big)
	$(BIN)/python bench/bench_render.py

# Time and memory of every hostile case of issue 19 (a table of figures, not a test).
bench-hostile: setup
	$(BIN)/python bench/bench_hostile.py

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
