# The two quick-start commands (`make demo`, `make test`) set everything up themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test pywb bench bench-extraction bench-archive bench-crawl bench-startup bench-registry bench-validity bench-attachments bench-reprints bench-reprints-quick bench-scale system-deps clean

# Debian packages for attachments (docs/attachments.md): LibreOffice + its Python bridge, Tesseract
# with Chinese models, poppler's pdftoppm, the CJK font the demo scans are rendered in. Installed
# when run as root (as in CI); otherwise their absence is named, and those files are `unsupported`.
SYSTEM_DEPS := libreoffice-writer-nogui libreoffice-calc-nogui python3-uno tesseract-ocr \
	tesseract-ocr-chi-sim tesseract-ocr-chi-tra poppler-utils fonts-noto-cjk
system-deps:
	@missing=$$(for p in $(SYSTEM_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "guifan: without $$missing, DOC/WPS/ET and scans are 'unsupported: needs ...' (install them as root)" >&2; fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP) system-deps
	$(BIN)/guifan demo

# pywb (tests/test_warc_replay.py replays the WARC export in it) pins redis==2.10.6, which
# cannot share an environment with guifan's redis>=5, so it gets one of its own.
PYWB_VENV := .venv-pywb
$(PYWB_VENV)/.installed:
	$(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PYWB_VENV)/bin/python -m pip install --quiet 'pywb>=2.8'
	touch $@

pywb: $(PYWB_VENV)/.installed

test: $(STAMP) pywb system-deps
	$(BIN)/python -m pytest

$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

bench: bench-extraction bench-archive bench-crawl bench-startup bench-registry bench-validity bench-attachments bench-reprints-quick

bench-extraction: $(VENV)/.bench-installed
	mkdir -p artifacts && $(BIN)/python -m benchmarks.extraction_eval --json artifacts/extraction-bench.json

bench-archive: $(STAMP)
	$(BIN)/python -m benchmarks.archive_bench --docs 5000

bench-startup: $(VENV)/.bench-installed
	$(BIN)/python -m benchmarks.startup_bench --runs 10 --pages 100

bench-attachments: $(STAMP)
	$(BIN)/python -m benchmarks.attachment_bench --files 30 --fresh 5

bench-crawl: $(STAMP)
	$(BIN)/python -m benchmarks.crawl_bench --documents 20000 --rounds 3

bench-registry: $(STAMP)
	$(BIN)/python -m benchmarks.registry_bench --rounds 7

# National scale (docs/operations.md, "National scale"): 1,000 simulated sites at 1 request/s each,
# kill -9 and resume, 1-3 distributed workers (needs redis-server); real pages' compression; search
# at 1,000,000 documents (built once under artifacts/, ~35 min and ~10 GB on 2 cores, then reused).
bench-scale: $(STAMP)
	mkdir -p artifacts
	$(BIN)/python -m benchmarks.scale_bench --sites 1000 --kill-resume --workers 1,2,3 --polite-workers --latency-bound 20:1 --json artifacts/scale-bench.json
	$(BIN)/python -m benchmarks.compact_corpus
	$(BIN)/python -m benchmarks.search_export_bench --docs 1000000 --json artifacts/search-1m.json

bench-validity: $(STAMP)
	$(BIN)/python -m benchmarks.corpus restore validity
	mkdir -p artifacts && $(BIN)/python -m benchmarks.validity_bench --archive-docs 5000 --json artifacts/validity-bench.json
# Reprint index on the 200,000-document synthetic archive (built once, cached in artifacts/; about
# 10 minutes to build, the index another 10 on a 2-core machine). The quick form takes a few minutes.
bench-reprints: $(VENV)/.bench-installed
	mkdir -p artifacts && $(BIN)/python -m benchmarks.reprint_bench --docs 200000 --json artifacts/reprint-bench.json

bench-reprints-quick: $(VENV)/.bench-installed
	mkdir -p artifacts && $(BIN)/python -m benchmarks.reprint_bench --docs 20000 --families 100 --lsh-docs 5000

clean:
	rm -rf $(VENV) $(PYWB_VENV) build *.egg-info guifan-demo.db guifan-demo.db-wal guifan-demo.db-shm
