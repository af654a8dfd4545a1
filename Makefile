# The two commands of the README: `make report` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: report test lint bench setup system-deps clean

setup: $(STAMP) system-deps

# Headless Chromium renders the PDF report and screenshots the HTML; poppler checks the PDF.
# Installed with Debian's apt-get where there is one and root (or sudo without a password);
# elsewhere (macOS, Fedora, no root) this says what to install and the HTML and Markdown are
# still built: the PDF and a few tests are skipped, with the reason.
PDF_HINT = Without Chromium the report is built as HTML and Markdown only. For the PDF, install \
  Chrome or Chromium (macOS: brew install --cask chromium; Fedora: sudo dnf install chromium \
  poppler-utils) or set CLAIMBOOK_CHROMIUM to a Chromium-family browser, then run make again.

system-deps:
	@if ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
	  if ! command -v apt-get >/dev/null; then \
	    echo "Not installing chromium and poppler-utils: this machine has no apt-get."; \
	    echo "$(PDF_HINT)"; \
	  elif [ -n "$$SUDO" ] && ! sudo -n true 2>/dev/null; then \
	    echo "Not installing chromium and poppler-utils: that needs root or sudo."; \
	    echo "$(PDF_HINT)"; \
	  else \
	    echo "Installing Debian packages chromium and poppler-utils"; \
	    ( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install \
	      -y -qq chromium poppler-utils >/dev/null ) || echo "$(PDF_HINT)"; \
	  fi; \
	fi
	@# Optional: Chrome's headless shell prints the PDF faster; skipped where Debian has no package.
	@if command -v apt-get >/dev/null && ! command -v chromium-headless-shell >/dev/null \
	    && ! command -v chrome-headless-shell >/dev/null \
	    && apt-cache show chromium-headless-shell >/dev/null 2>&1 \
	    && { [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then \
	  echo "Installing Debian package chromium-headless-shell"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium-headless-shell >/dev/null \
	    || echo "chromium-headless-shell not installed; Chromium prints the PDF instead"; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

report: setup
	$(BIN)/claimbook validate
	$(BIN)/claimbook report --out reports

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	$(BIN)/pytest

# Benchmarks against peer libraries (installs the `bench` extra); writes docs/benchmarks.md.
bench: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache .hypothesis
