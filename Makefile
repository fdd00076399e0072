# kabar's build, test and lint entry points. `make test` is the command the
# README gives and .ci/run calls.

GO ?= go
BIN := bin/kabar

.PHONY: build test lint fmt vet clean

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
