# Two entry points (see README): `make run` and `make test`. Both build .venv on a fresh machine.
PY := .venv/bin/python
PIP := .venv/bin/pip
STAMP := .venv/.installed

.PHONY: run test install index eval bench lint clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	# requirements.lock pins every package, torch==2.13.0 (the CPU wheel on disk) among them
	$(PIP) install -q -r requirements.lock
	$(PIP) install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

index: $(STAMP)
	test -f $${DQA_STORE:-.store}/facts.sqlite || $(PY) -m index build

run: index
	$(PY) app.py

# The suite, then the eval of known answers against eval/gate.json (the README's figures): a
# split whose accuracy falls 3 points below them, or that gives more wrong figures, fails.
EVAL_STORE ?= .store-eval

test: $(STAMP)
	$(PY) -m pytest -q
	$(PY) -m eval --store $(EVAL_STORE) --gate eval/gate.json

eval: index
	$(PY) -m eval

bench: $(STAMP)
	$(PY) -m eval.bench

lint: $(STAMP)
	.venv/bin/ruff check . && .venv/bin/mypy index qa eval app.py

clean:
	rm -rf .store .venv
