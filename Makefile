# kabar's build, test and lint entry points. `make test` is the command the
# README gives and .ci/run calls.

GO ?= go
BIN := bin/kabar

.PHONY: build test test-short lint lint-fast lint-strict complexity fmt vet clean bench-web bench-extract bench-pipeline bench-stories bench-reliability bench-images bench-search bench-import

# kabar version prints it; Go's own VCS stamp is used when present.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-X github.com/kabarnews/kabar/internal/cli.buildVersion=$(VERSION)" -o $(BIN) ./cmd/kabar

test:
	$(GO) test -race -count=1 -timeout 30m ./...

# The quick loop while changing code: -short leaves out the multi-process,
# browser, end-to-end and PostgreSQL tests (22-31 s on a 2-core machine);
# `make test` (and CI, where CI is set and nothing is left out) runs them.
test-short:
	$(GO) test -short -count=1 ./...

# The linters are pinned and run through the module proxy, so that lint needs
# nothing installed beyond Go and every machine checks with the same rules.
# `make lint` (what CI runs) is all of them: vet, gofmt, staticcheck, then
# errcheck (unchecked errors outside tests, whose fakes fail the test when a
# write does; .errcheck-exclude lists the few calls whose error has nowhere
# to go, each with its reason), misspell (Go and Markdown), unparam (unused
# parameters and results) and complexity. `make lint-fast` is the first
# three, for the loop while changing code. LINT_PKGS and MISSPELL_FILES
# narrow the stricter ones, e.g.
# make lint LINT_PKGS=./internal/fetch/... MISSPELL_FILES=internal/fetch
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
ERRCHECK ?= github.com/kisielk/errcheck@v1.30.0
MISSPELL ?= github.com/golangci/misspell/cmd/misspell@v0.7.0
UNPARAM ?= mvdan.cc/unparam@v0.0.0-20260823230713-2fa3d841b0c8
LINT_PKGS ?= ./...
MISSPELL_FILES ?= $(shell git ls-files '*.go' '*.md')

lint-fast: vet
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...

lint: lint-fast complexity
	$(GO) run $(ERRCHECK) -ignoretests -exclude .errcheck-exclude $(LINT_PKGS)
	@echo '$(GO) run $(MISSPELL) -error' '<$(words $(MISSPELL_FILES)) files>'
	@$(GO) run $(MISSPELL) -error $(MISSPELL_FILES)
	$(GO) run $(UNPARAM) $(LINT_PKGS)

# The name lint had before it took in these linters.
lint-strict: lint

# No product function above cyclomatic complexity 25 (tests, whose tables
# may run long, are left out); bench/, a module of its own, is the
# extraction benchmark's code and held to the same rule. gocyclo exits
# non-zero and names the functions when one is over. CYCLO_DIRS narrows it
# to some folders.
GOCYCLO ?= github.com/fzipp/gocyclo/cmd/gocyclo@v0.6.0
CYCLO_DIRS ?= cmd internal tools bench
complexity:
	$(GO) run $(GOCYCLO) -over 25 -ignore '_test\.go$$' $(CYCLO_DIRS)

vet:
	$(GO) vet ./...

fmt:
	gofmt -w .

clean:
	rm -rf bin

# The site under load: a database of 100 000 posts (built once, then reused
# from $(BENCH_WEB_DB)), kabar serve on 127.0.0.1 and a fixed request rate
# mixing post pages, home, search, labels, feeds and posts' images, with a
# control server sent as many requests at the same moments; several rounds,
# medians. Then the CPU kabar spends per request of each kind, requests sent
# one at a time without the page cache; add -baseline OTHER_KABAR_BINARY to
# BENCH_WEB_FLAGS to measure an earlier build on the same requests, for
# ratios. docs/benchmarks.md (## Site) records the figures.
BENCH_WEB_DB ?= $(or $(TMPDIR),/tmp)/kabar-bench-web.db
BENCH_WEB_FLAGS ?= -posts 100000 -rate 200 -duration 20s -rounds 3
bench-web: build
	$(GO) run ./tools/benchweb -kabar $(BIN) -db $(BENCH_WEB_DB) $(BENCH_WEB_FLAGS)

# Peak RSS of kabar run --once over a loopback web whose articles name lead
# images (good ones, decompression bombs, 404s), with images on and off.
# docs/benchmarks.md (## Images) records the figures.
bench-images: build
	$(GO) run ./tools/benchimages -kabar $(BIN)

# kabar's extractor against go-readability, go-trafilatura (with and without
# its fallback) and a parse-only floor, on the shared evaluation sets
# (../shared/eval, or KABAR_EVAL): F1/precision/recall by score.py,
# metadata, pages per second, median ms a page and peak memory, each also as
# a ratio to the peers. The peers live in the bench/ module only.
# docs/benchmarks.md (## Extraction) records the figures.
bench-extract:
	cd bench && $(GO) run . -eval "$${KABAR_EVAL:-$(CURDIR)/../shared/eval}"

# The pipeline end to end: items per second from feed poll to stored post on
# a loopback web (8 hosts on 127.0.0.x serving the shared evaluation set's
# real pages, politeness delay zero), for SQLite with one process and
# PostgreSQL (KABAR_TEST_POSTGRES or 127.0.0.1:5432) with one and two
# `kabar work` processes, and the extraction-only rate on the same pages in
# the same run, so that the pipeline's overhead prints as a ratio. Each
# figure is measured BENCH_PIPELINE_FLAGS' -repeat times; median and best.
# docs/benchmarks.md (## Pipeline) records the figures.
BENCH_PIPELINE_FLAGS ?= -items 2000 -repeat 3
bench-pipeline: build
	$(GO) run ./tools/benchpipeline -kabar $(BIN) $(BENCH_PIPELINE_FLAGS)

# Stories (internal/story): B-cubed precision, recall and F1 of the stories
# made of the labelled headlines of the shared evaluation set (stories-dev,
# scored by its score_clusters.py; ../shared/eval or KABAR_EVAL), pairwise
# precision and recall of copy detection on the hand-made corpus of
# internal/story/storytest, each with a threshold sweep, the scorer
# cross-validated by story, and the time to assign a post with 10 000 and
# 100 000 posts stored, on SQLite and PostgreSQL (KABAR_TEST_POSTGRES or
# 127.0.0.1:5432; databases kabar_bench_stories_*), for this tree's story
# code and the last one with hand-set thresholds in the same run, as ratios.
# The filled stores are kept in out/benchstories (the first run fills them:
# about 15 minutes more); then about 40 minutes on a shared machine.
# -stores sqlite leaves PostgreSQL out. docs/benchmarks.md (## Stories)
# records the figures.
BENCH_STORIES_FLAGS ?= -scale 10000,100000 -measure 1000 -repeats 3
bench-stories:
	$(GO) run ./tools/benchstories -eval "$${KABAR_EVAL:-$(CURDIR)/../shared/eval}" $(BENCH_STORIES_FLAGS)

# Search (tools/benchsearch): recall and precision at 10 of the current
# search and of the old unstemmed one on a hand-judged English and
# Indonesian set (tools/benchsearch/testdata), and p50/p99 latency of both
# for common and rare words, two words and prefixes over a generated
# corpus, on SQLite ($(BENCH_SEARCH_DB), built once, then reused) and
# PostgreSQL (KABAR_TEST_POSTGRES or 127.0.0.1:5432, schema
# kabar_bench_search_<posts>, also reused). The first run builds the corpus
# (about 15 min for 100 000 posts on 2 shared cores); later ones take about
# 2 min. docs/benchmarks.md (## Search) records the figures.
BENCH_SEARCH_DB ?= $(or $(TMPDIR),/tmp)/kabar-bench-search.db
BENCH_SEARCH_FLAGS ?= -posts 100000 -queries 100
bench-search:
	$(GO) run ./tools/benchsearch -db $(BENCH_SEARCH_DB) $(BENCH_SEARCH_FLAGS)

# The reliability suite: hostile feeds (../shared/fixtures/hostile, or
# -fixtures), SSRF targets against a canary, a query-string fuzz of every
# route on SQLite and PostgreSQL (KABAR_TEST_POSTGRES or 127.0.0.1:5432),
# comment XSS through every output, slow-drip and idle connections, SIGKILL
# at random moments over a 10 000-item run, a full disk (a small tmpfs; root
# only, skipped otherwise) and pages at the body cap, all on loopback. Prints
# one table (tried, failed, lost, duplicated, peak RSS) and exits non-zero
# when a row failed. About 10-15 minutes on 2 cores; docs/reliability.md
# records the figures and every flag that scales it down.
BENCH_RELIABILITY_FLAGS ?=
bench-reliability: build
	$(GO) run ./tools/benchreliability -kabar $(BIN) $(BENCH_RELIABILITY_FLAGS)

# Bulk import (kabar import): records and posts a second, the ratio to the
# extractor alone on every CPU over the same pages in the same run, and peak
# RSS, on SQLite and PostgreSQL. The archive is built at run time from the
# shared evaluation pages. docs/benchmarks.md (## Bulk import) records them.
BENCH_IMPORT_FLAGS ?= -rounds 3
bench-import: build
	$(GO) run ./tools/benchimport -kabar $(BIN) -eval "$${KABAR_EVAL:-$(CURDIR)/../shared/eval}" $(BENCH_IMPORT_FLAGS)
