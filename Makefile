# One entry point for every routine task. `make demo` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup test demo lint clean es-start es-stop

setup: $(STAMP)
	@bash .ci/system-deps.sh || echo "注意: 缺少系统软件包（浏览器测试与文档渲染需要），见上方提示"
	@$(BIN)/yuqing es fetch

$(STAMP): pyproject.toml setup.py $(wildcard analysis/*/_*.c)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --upgrade pip
	@$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

test: setup
	$(BIN)/pytest -q $(PYTEST_ARGS)

demo: setup
	$(BIN)/yuqing demo

es-start: setup
	$(BIN)/yuqing es start

es-stop:
	$(BIN)/yuqing es stop

clean:
	rm -rf $(VENV) build *.egg-info
