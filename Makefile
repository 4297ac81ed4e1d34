# Set-up and the two everyday jobs. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: setup demo test check clean

setup: $(VENV)/.installed

# torch first and pinned: any unpinned torch pulls a CUDA build of several GB
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: setup
	$(BIN)/podium demo

test: setup
	$(BIN)/python -m pytest

# the fast tier: no browser; Whisper only in the scripts' --smoke runs (seconds of audio)
check: setup
	$(BIN)/python -m pytest -m "not slow"

clean:
	rm -rf $(VENV) build *.egg-info
