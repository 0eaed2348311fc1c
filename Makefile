# huntkit's one build entry point. `make help` lists the targets.

VERSION := $(shell awk -F'"' '/"version"/ {print $$4; exit}' manifest.json)
WASM_OPT := node_modules/.bin/wasm-opt
# Where the unpacked extension is assembled; tests read HUNTKIT_DIST too.
DIST ?= dist
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: help setup build wasm wasm-parquet dist zip wasm-sizes test test-native test-wasm test-e2e demo standin bench bench-bulk bench-export clean

help:
	@echo "make demo       build, start the stand-in portal, run a query and export it in Chromium"
	@echo "make test       every test: native, wasm in Chromium, end-to-end in Chromium"
	@echo "make build      the unpacked extension in dist/ and huntkit-$(VERSION).zip"
	@echo "make standin    start the stand-in portal alone (prints its port)"
	@echo "make bench      the benchmarks (figures, not pass/fail)"
	@echo "make bench-export  the export benchmark alone: wasm in Chromium, plain JS, native"

setup:
	@bash scripts/setup.sh

build: setup dist zip

# The core, compiled to wasm. wasm-pack's own wasm-opt step is off (Debian's
# binaryen breaks the output); npm's binaryen runs here instead.
wasm:
	wasm-pack build --release --target web --out-dir pkg --out-name huntkit
	$(WASM_OPT) -O3 pkg/huntkit_bg.wasm -o pkg/huntkit_bg.wasm

# Parquet, as a second module that the engine frame imports only when an
# analyst picks Parquet (it would more than double the core module).
wasm-parquet:
	wasm-pack build crates/huntkit-parquet --release --target web --out-dir ../../pkg-parquet --out-name huntkit_parquet
	$(WASM_OPT) -O3 pkg-parquet/huntkit_parquet_bg.wasm -o pkg-parquet/huntkit_parquet_bg.wasm

dist: wasm wasm-parquet
	rm -rf $(DIST) && mkdir -p $(DIST)/pkg $(DIST)/pkg-parquet
	cp manifest.json $(DIST)/
	cp -r extension www $(DIST)/
	cp pkg/huntkit.js pkg/huntkit_bg.wasm $(DIST)/pkg/
	cp pkg-parquet/huntkit_parquet.js pkg-parquet/huntkit_parquet_bg.wasm $(DIST)/pkg-parquet/
	@$(MAKE) -s wasm-sizes

# Raw and gzipped sizes of both modules, as they ship.
wasm-sizes:
	@for f in $(DIST)/pkg/huntkit_bg.wasm $(DIST)/pkg-parquet/huntkit_parquet_bg.wasm; do \
	  printf '%s: %s bytes, %s gzipped\n' "$$f" "$$(stat -c %s $$f)" "$$(gzip -9c $$f | wc -c)"; done

# The store zip leaves out the manifest "key" (it only pins the id of the
# unpacked extension for tests; the store assigns its own).
zip: dist
	rm -f huntkit-$(VERSION).zip && rm -rf target/store && cp -r $(DIST) target/store
	python3 -c "import json,sys; p='target/store/manifest.json'; m=json.load(open(p)); m.pop('key',None); json.dump(m,open(p,'w'),indent=2)"
	cd target/store && zip -qr ../../huntkit-$(VERSION).zip .
	@echo "huntkit-$(VERSION).zip"

test: build test-native test-wasm test-e2e

test-native:
	cargo test --workspace

# wasm-pack's runner, driven by cargo for the boundary test targets
# (`wasm-pack test` would also build every native test for wasm32).
test-wasm:
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=$$(command -v chromedriver) \
	  cargo test --target wasm32-unknown-unknown --test wasm_boundary --test wasm_schema

test-e2e:
	node --test --test-concurrency=1 tests/e2e/

demo: build
	node tests/e2e/demo.mjs $(DEMO_ARGS)

standin:
	cargo run -q --release -p huntkit-standin -- --port 0

bench: dist
	cargo run -q --release --example bench_export
	cargo run -q --release --example bench_schema
	node tests/bench/schema.mjs
	cargo run -q --release --example bench_history
	cargo run -q --release --example bench_bulk
	node tests/bench/bulk.mjs
	node tests/bench/export.mjs

# Bulk jobs against the stand-in in Chromium (a few minutes).
bench-bulk: dist
	node tests/bench/bulk.mjs

# Response bytes to CSV bytes for a 204 MB response: the release wasm in
# headless Chromium, a plain JavaScript exporter, and native Rust.
bench-export: dist
	node tests/bench/export.mjs

clean:
	rm -rf dist pkg pkg-parquet target/store huntkit-*.zip
