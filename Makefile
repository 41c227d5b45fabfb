# trackreport: every target is thin; the logic lives in the `trackreport` CLI.
# `make help` lists the targets.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TEAM   ?= east
QUARTER ?=
DATA   ?= data/sample
OUT    ?=
REPORT_LANG ?=
TEAMS  ?= 40
LOAD   ?= /tmp/trackreport-load
SCALE_WORK ?= /tmp/trackreport-bench-scale
CLUSTER ?=

export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Variables reach recipes through the environment and are quoted there ("$$TEAM"), never
# pasted into the command line: make TEAM='east;id' reports an unknown team, runs no `id`.
DIR    ?=
FORCE  ?=

export PYTHON VENV PY TEAM QUARTER DATA OUT TEAMS LOAD CLUSTER SCALE_WORK DIR FORCE REPORT_LANG

.DEFAULT_GOAL := help
.PHONY: help install init report reports pdf test lint validate bench bench-scale load lab hooks sample contract clean

help: ## List every target with a one-line description
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	"$$PYTHON" -m venv "$$VENV"
	"$$PY" -m pip install --quiet --upgrade pip
	"$$PY" -m pip install --quiet -e ".[dev]"
	"$$PY" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (trackreport)" >/dev/null
	@touch "$$VENV/.installed"

install: $(STAMP) ## Create .venv and install trackreport with its dependencies

init: $(STAMP) ## Write templates to fill (a CSV per table, an Excel workbook): make init DIR=path [FORCE=1]
	"$$PY" -m trackreport init $${FORCE:+--force} -- "$$DIR"

report: $(STAMP) ## Build one team's report: make report TEAM=east [QUARTER=2025Q3] [DATA=dir] [REPORT_LANG=zh]
	"$$PY" -m trackreport report --team="$$TEAM" $${QUARTER:+--quarter="$$QUARTER"} --data="$$DATA" $${OUT:+--out="$$OUT"} $${REPORT_LANG:+--lang="$$REPORT_LANG"} --cluster="$$CLUSTER"

pdf: $(STAMP) ## One team's report and its PDF beside the HTML: make pdf TEAM=east [QUARTER=2025Q3] [REPORT_LANG=zh] (needs chromium)
	"$$PY" -m trackreport report --pdf --team="$$TEAM" $${QUARTER:+--quarter="$$QUARTER"} --data="$$DATA" $${OUT:+--out="$$OUT"} $${REPORT_LANG:+--lang="$$REPORT_LANG"} --cluster="$$CLUSTER"

reports: $(STAMP) ## Build the reports of every team and every quarter with a cohort [CLUSTER=tcp://host:8786]
	"$$PY" -m trackreport report --all --data="$$DATA" $${OUT:+--out="$$OUT"} $${REPORT_LANG:+--lang="$$REPORT_LANG"} --cluster="$$CLUSTER"

test: lint ## Run the checks and the test suite (lint, import layers, unit, reference, doctests, end-to-end)
	"$$PY" -m pytest -q

lint: $(STAMP) ## ruff (lint and format) and the import-layer contract (import-linter)
	"$$VENV/bin/ruff" check .
	"$$VENV/bin/ruff" format --check .
	"$$VENV/bin/lint-imports"

validate: $(STAMP) ## Check a data folder against the data contract: make validate DATA=path
	"$$PY" -m trackreport validate -- "$$DATA"

bench: $(STAMP) ## Time the runner against papermill + nbconvert CLIs run by hand
	"$$PY" -m trackreport bench --team="$$TEAM" --data="$$DATA"

bench-scale: $(STAMP) ## Time one team's report on the sample and on 10x the data (kept in SCALE_WORK); peak memory
	"$$PY" -m trackreport bench-scale --team="$$TEAM" --data="$$DATA" --work="$$SCALE_WORK"

load: $(STAMP) ## Time every report of a TEAMS-team company (default 40) in LOAD (a temp folder), one chapter failing
	"$$PY" -m trackreport.report.load --teams="$$TEAMS" --out="$$LOAD"

lab: $(STAMP) ## Start JupyterLab on notebooks/ with the explorer (explore.ipynb) open
	"$$VENV/bin/jupyter" lab --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/explore.ipynb $(if $(filter 0,$(shell id -u)),--allow-root)

hooks: $(STAMP) ## Strip notebook outputs on commit: git's nbstripout filter (.gitattributes names it)
	git config filter.nbstripout.clean "$$(pwd)/$$VENV/bin/nbstripout"
	git config filter.nbstripout.smudge cat
	git config filter.nbstripout.required true
	git config diff.ipynb.textconv "$$(pwd)/$$VENV/bin/nbstripout -t"

sample: $(STAMP) ## Regenerate the sample company in data/sample/ (seed 7, scale 1)
	"$$PY" -m trackreport.data.sample --out data/sample --seed 7 --scale 1 --force

contract: $(STAMP) ## Rewrite docs/data-contract.md from the schemas
	"$$PY" -m trackreport contract --out docs/data-contract.md

clean: ## Remove reports and caches (keeps .venv)
	rm -rf -- "$${OUT:-reports}" .pytest_cache .bench
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
