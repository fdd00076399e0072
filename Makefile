# kabar's build, test and lint entry points. `make test` is the command the
# README gives and .ci/run calls.

GO ?= go
BIN := bin/kabar

.PHONY: build test lint fmt vet clean bench-web

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/kabar

test:
	$(GO) test -race -count=1 ./...

lint: vet
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

fmt:
	gofmt -w .

clean:
	rm -rf bin

# The site under load: a database of 100 000 posts (built once, then reused
# from $(BENCH_WEB_DB)), kabar serve on 127.0.0.1 and a fixed request rate
# mixing post pages, home, search, labels and feeds. docs/benchmarks.md
# (## Site) records the figures.
BENCH_WEB_DB ?= $(or $(TMPDIR),/tmp)/kabar-bench-web.db
BENCH_WEB_FLAGS ?= -posts 100000 -rate 100 -duration 60s
bench-web: build
	$(GO) run ./tools/benchweb -kabar $(BIN) -db $(BENCH_WEB_DB) $(BENCH_WEB_FLAGS)
