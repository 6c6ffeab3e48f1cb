# Marquee: `make run` and `make test` set up a fresh Debian/Ubuntu machine themselves.
SHELL := /bin/bash
# Fyne reads the UI language from LC_ALL/LANG and logs an error for "C" or "C.UTF-8",
# which are not language tags; a user's real locale is left alone.
C_LOCALES := C C.UTF-8 C.utf8 POSIX
ifneq (,$(filter $(C_LOCALES),$(LC_ALL)))
export LC_ALL :=
endif
ifneq (,$(filter $(C_LOCALES),$(LANG)))
export LANG := en_US.UTF-8
endif
ifeq (,$(LANG))
export LANG := en_US.UTF-8
endif
# File IO through pread/pwrite measured faster than mmap for streaming (shared notes).
export TORRENT_STORAGE_DEFAULT_FILE_IO ?= classic

GO ?= go
BIN := bin/marquee
TEST_TIMEOUT ?= 14m

# Build: FFmpeg 5.1 headers for go-astiav, GL/X11 headers for Fyne.
BUILD_PKGS := pkg-config gcc libavcodec-dev libavformat-dev libavutil-dev libswscale-dev \
	libswresample-dev libavfilter-dev libavdevice-dev libgl1-mesa-dev xorg-dev
# Tests: media made by ffmpeg, third-party BitTorrent clients, a headless X server and
# tools to drive and photograph the real app, a real DLNA renderer (gmediarender, whose
# GStreamer decodes the VP9/Opus test film with plugins-good) in a network namespace (iproute2).
TEST_PKGS := ffmpeg aria2 transmission-cli transmission-daemon mktorrent python3-libtorrent xvfb xauth xdotool imagemagick x11-utils \
	gmediarender gstreamer1.0-plugins-good iproute2
# Benchmarks: the npm engines we compare with (webtorrent, peerflix) and a private network
# namespace for the run.
BENCH_PKGS := nodejs npm iproute2 xvfb xdotool
# A nodejs from NodeSource ships npm itself and conflicts with Debian's npm package: asking
# apt for npm then fails although npm is there.
BENCH_PKGS_MISSING = $(if $(shell command -v npm),$(filter-out npm,$(BENCH_PKGS)),$(BENCH_PKGS))

.PHONY: all deps deps-build deps-run deps-test build run test vet fuzz bench package clean

all: build

# install-missing PKG...: apt-get installs only what dpkg says is absent.
define install-missing
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
		$$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing; \
	fi; \
	pkg-config --exists libavcodec libavformat libavutil libswscale libswresample || \
		{ echo "FFmpeg development libraries not found by pkg-config" >&2; exit 1; }
endef

deps-build:
	$(call install-missing,$(BUILD_PKGS))

# The offline demo film is made by the ffmpeg CLI at first start.
deps-run:
	$(call install-missing,$(BUILD_PKGS) ffmpeg)

deps-test:
	$(call install-missing,$(BUILD_PKGS) $(TEST_PKGS))

deps: deps-test

build: deps-build
	$(GO) build -o $(BIN) .

run: deps-run
	$(GO) build -o $(BIN) .
	./$(BIN) --demo

vet: deps-build
	$(GO) vet ./...

# Every test, GUI ones included, runs under a virtual X server.
test: deps-test vet
	xvfb-run -a -s "-screen 0 1280x800x24" $(GO) test -timeout $(TEST_TIMEOUT) ./...

# Fuzzing pass over every parser (not part of `make test`). Each target runs FUZZTIME; a new
# input's minimisation is capped at FUZZMINIMIZE so that the fuzzer goes back to fuzzing: with
# Go's default of 60 s, minimising the large inputs grown from the deep-nesting seeds took
# most of a 60 s run (no executions for 45 s of it, nothing found); capped at 2 s, the same
# target found a bug in 12 s. The executions of each target are printed at the end. Go 1.26's
# coordinator can fail a target with a bare "context deadline exceeded" when FUZZTIME ends
# while a worker is busy (go.dev/issue/75804, fixed in Go 1.27): without a failing input
# written, that is not a finding.
FUZZTIME ?= 60s
FUZZMINIMIZE ?= 2s
fuzz: deps-test
	@summary=""; for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$target"; \
			log=$$(mktemp); \
			$(GO) test $$pkg -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) 2>&1 | tee $$log; \
			status=$${PIPESTATUS[0]}; \
			execs=$$(grep -o 'execs: [0-9]*' $$log | tail -1 | cut -d' ' -f2); \
			if [ $$status -ne 0 ] && ! grep -q 'Failing input written' $$log && \
				grep -q '^    context deadline exceeded$$' $$log; then \
				status=0; execs="$$execs (Go 1.26 deadline race at the end, go.dev/issue/75804: no failing input)"; \
			fi; \
			rm -f $$log; \
			[ $$status -eq 0 ] || exit 1; \
			summary="$$summary$$pkg $$target $$execs\n"; \
		done; \
	done; \
	printf "\nexecutions per target in $(FUZZTIME):\n$$summary"

# Measures Marquee against webtorrent 1.9.7, peerflix 0.39.0 and aria2c on one loopback
# swarm (about 25 minutes); writes bench/RESULTS.md and bench/results.png.
bench: deps-test
	$(call install-missing,$(BENCH_PKGS_MISSING))
	$(GO) test ./bench -run '^$$' -bench . -benchtime 1x -timeout 60m

# A Linux desktop package (Marquee.tar.xz; `sudo make install` inside it installs). fyne
# writes Exec=marquee %F for the types in FyneApp.toml's [CanOpen]; %F passes only local
# files, so magnet links would never arrive: the entry is rewritten to %U, which passes URLs
# (magnet:, file://) as they are. fyne also bumps Build in FyneApp.toml; the file is kept.
FYNE := $(GO) run fyne.io/tools/cmd/fyne@v1.7.4
package: deps-build
	mkdir -p bin/package && cp FyneApp.toml bin/package/FyneApp.toml.keep
	$(FYNE) package --os linux --release; status=$$?; \
		cp bin/package/FyneApp.toml.keep FyneApp.toml; exit $$status
	rm -rf bin/package/tree && mkdir -p bin/package/tree
	tar -xJf Marquee.tar.xz -C bin/package/tree
	sed -i 's/^Exec=\(.*\) %F$$/Exec=\1 %U/' bin/package/tree/*/usr/local/share/applications/*.desktop
	grep -q '^Exec=marquee %U$$' bin/package/tree/*/usr/local/share/applications/*.desktop
	grep -q '^MimeType=.*x-scheme-handler/magnet;' bin/package/tree/*/usr/local/share/applications/*.desktop
	tar -cJf Marquee.tar.xz -C bin/package/tree .
	@echo "Marquee.tar.xz: registers Marquee for magnet: links and .torrent files"

clean:
	rm -rf bin testdata/cache Marquee.tar.xz
