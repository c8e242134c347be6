# watchx: build, test, install.  See README.md.

VERSION =	0.1.0

PREFIX ?=	/usr/local
BINDIR ?=	$(PREFIX)/bin
MANPREFIX ?=	$(PREFIX)/share/man
BASHCOMPDIR ?=	$(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?=	$(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?=	$(PREFIX)/share/fish/vendor_completions.d

CC ?=		cc
CFLAGS ?=	-O2 -g
WARNFLAGS =	-Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes \
		-Wwrite-strings -Wshadow -Wpointer-arith -Wformat=2
BSD_CFLAGS =	$(shell pkg-config --cflags libbsd-overlay 2>/dev/null)
BSD_LIBS =	$(shell pkg-config --libs libbsd-overlay 2>/dev/null)
ALL_CFLAGS =	-std=gnu11 -D_GNU_SOURCE $(WARNFLAGS) $(BSD_CFLAGS) -DLIBBSD_OPENBSD_VIS \
		-DWATCHX_VERSION=\"$(VERSION)\" $(CPPFLAGS) $(CFLAGS)
# Each object also writes the headers it includes (src/*.d).
DEPFLAGS =	-MMD -MP

SRCS =		src/main.c src/array.c src/events.c src/escape.c src/filter.c \
		src/source.c src/watch.c src/windex.c src/entry.c src/root.c \
		src/follow.c src/window.c src/walk.c src/written.c src/tree.c \
		src/handle.c src/loop.c src/pair.c src/output.c src/format.c \
		src/stats.c src/ready.c src/byname.c src/self.c src/ignore.c \
		src/gitignore.c src/suggest.c src/args.c src/iwait.c
OBJS =		$(SRCS:.c=.o)
HDRS =		$(wildcard src/*.h)

# Sanitizer build: its own objects, so it never mixes with the normal ones.
ASAN_FLAGS =	-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=all
ASAN_OBJS =	$(SRCS:.c=.asan.o)

# libFuzzer harnesses (tests/fuzz/NAME.c) link everything but main.c.
LIB_SRCS =	$(filter-out src/main.c,$(SRCS))
FUZZ_CC ?=	clang
FUZZ_FLAGS =	-O1 -g -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS =	escape events format stream ignore
FUZZ_BINS =	$(FUZZ_TARGETS:%=tests/fuzz/bin/%)
FUZZ_SECONDS ?=	10

BATS ?=		bats
BATS_FLAGS ?=

# Goals that must work before libbsd is installed: they install it first.
NOBSD_GOALS =	deps run check asan valgrind fuzz soak clean uninstall bench
ifneq ($(filter-out $(NOBSD_GOALS),$(or $(MAKECMDGOALS),all)),)
ifeq ($(BSD_LIBS),)
$(error libbsd-overlay not found by pkg-config: run 'make deps' or install libbsd-dev and pkg-config)
endif
endif

all: watchx

watchx: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(BSD_LIBS)

watchx-asan: $(ASAN_OBJS)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $(ASAN_OBJS) $(BSD_LIBS)

src/%.o: src/%.c src/.cflags
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

src/%.asan.o: src/%.c src/.cflags
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) $(DEPFLAGS) -c -o $@ $<

# The flags the objects were built with: when they change (make check adds
# -Werror), every object is built again, so no warning hides in an object
# that was up to date.
src/.cflags: FORCE
	@printf '%s\n' '$(CC) $(ALL_CFLAGS)' | cmp -s - $@ || \
		printf '%s\n' '$(CC) $(ALL_CFLAGS)' >$@

-include $(OBJS:.o=.d) $(ASAN_OBJS:.o=.d)

# Unit tests of the pure functions (tests/unit/unit.c), linked with every
# object but main.o.
tests/unit/unit: tests/unit/unit.c $(filter-out src/main.o,$(OBJS))
	$(CC) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< \
		$(filter-out src/main.o,$(OBJS)) $(BSD_LIBS)

# ignore.c's verdicts for tests/oracle/patterns.py to compare with git's.
tests/unit/ignorecheck: tests/unit/ignorecheck.c src/ignore.o src/array.o
	$(CC) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< src/ignore.o \
		src/array.o $(BSD_LIBS)

tests/fuzz/bin/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(LIB_SRCS) $(HDRS)
	@mkdir -p tests/fuzz/bin
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_FLAGS) -Isrc -o $@ $< $(LIB_SRCS) \
		$(BSD_LIBS)

# Install the Debian packages the build and the tests need, if missing.
deps:
	@sh .ci/deps

# Build, then watch the current directory until interrupted: in a git
# checkout, what git does not ignore.
run: deps
	@$(MAKE) --no-print-directory watchx
	@if [ -e .git ]; then set -x; exec ./watchx -r --gitignore .; \
	else set -x; exec ./watchx -r .; fi

# The one test command: warnings as errors, man page lint, the unit tests of
# the pure functions, 400 rounds of the gitignore matcher against git's,
# the bats suite
# (which also exercises the completions), ORACLE_ROUNDS rounds of the -r
# oracle (below) from a fixed seed, 100 of it under -r --by-name with
# paths given inside the tree, 300 of the --by-name oracle and 300 of
# the --gitignore oracle, then
# each fuzz harness for FUZZ_SECONDS over its seed corpus.
ORACLE_ROUNDS ?= 200
check: deps
	@$(MAKE) --no-print-directory watchx tests/unit/unit \
		tests/unit/ignorecheck $(FUZZ_BINS) CFLAGS="$(CFLAGS) -Werror"
	mandoc -Tlint -Wwarning man/watchx.1
	tests/unit/unit
	python3 tests/oracle/patterns.py --seed 1 --rounds 400 \
		tests/unit/ignorecheck
	sh tests/run $(BATS) $(BATS_FLAGS)
	python3 tests/oracle/oracle.py --strict --seed 1 --rounds $(ORACLE_ROUNDS) \
		./watchx
	python3 tests/oracle/oracle.py --strict --by-name 6 --seed 1 --rounds 100 \
		./watchx
	python3 tests/oracle/byname.py --seed 1 --rounds 300 ./watchx
	python3 tests/oracle/gitignore.py --seed 1 --rounds 300 ./watchx
	sh tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Long fuzzing runs: make fuzz FUZZ_SECONDS=3600 (new inputs that widen
# coverage are kept in tests/fuzz/corpus/NAME).
fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	FUZZ_KEEP=1 sh tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The same suite and oracle against an AddressSanitizer/UBSan build.
asan: deps
	@$(MAKE) --no-print-directory watchx-asan CFLAGS="$(CFLAGS) -Werror"
	WATCHX=$(CURDIR)/watchx-asan sh tests/run $(BATS) $(BATS_FLAGS)
	python3 tests/oracle/oracle.py --strict --seed 2 --rounds 100 ./watchx-asan
	python3 tests/oracle/oracle.py --strict --by-name 6 --seed 2 --rounds 50 \
		./watchx-asan
	python3 tests/oracle/byname.py --seed 2 --rounds 100 ./watchx-asan
	python3 tests/oracle/gitignore.py --seed 2 --rounds 100 ./watchx-asan

# Part of the suite with every watchx run under valgrind memcheck: fails on
# any memory error or definite leak (tests/valgrind.sh).  About 3.5 minutes
# on 2 cores; the other test files would add about 2 more.
VALGRIND_TESTS = tests/20-events.bats tests/30-exit.bats tests/50-names.bats \
		tests/46-byname.bats tests/80-recursive.bats tests/85-follow.bats \
		tests/90-output.bats tests/58-patterns.bats tests/59-gitignore.bats \
		tests/36-inotifywait.bats tests/38-stats.bats
valgrind: deps
	@$(MAKE) --no-print-directory watchx
	sh tests/valgrind.sh $(VALGRIND_TESTS) -- $(BATS) $(BATS_FLAGS)

# The randomized differential test of -r (tests/oracle/oracle.py): seeded
# operations on a real tree, watchx's output replayed against it (each
# IN_DELETE one entry: --strict), for SOAK_SECONDS; then rounds that
# overflow the queue under --on-overflow rescan, replayed the same way;
# then the same under -r --by-name with paths given inside the tree, and
# the --by-name, --gitignore and pattern oracles, for SOAK_SECONDS each.
SOAK_SECONDS ?=	600
SOAK_SEED ?=	1
soak: deps
	@$(MAKE) --no-print-directory watchx
	python3 tests/oracle/oracle.py --strict --seed $(SOAK_SEED) \
		--seconds $(SOAK_SECONDS) ./watchx
	python3 tests/oracle/oracle.py --strict --seed $(SOAK_SEED) --flood 20000 \
		--rounds 10 ./watchx
	python3 tests/oracle/oracle.py --strict --by-name 6 --seed $(SOAK_SEED) \
		--seconds $(SOAK_SECONDS) ./watchx
	python3 tests/oracle/byname.py --seed $(SOAK_SEED) \
		--seconds $(SOAK_SECONDS) ./watchx
	python3 tests/oracle/gitignore.py --seed $(SOAK_SEED) \
		--seconds $(SOAK_SECONDS) ./watchx
	@$(MAKE) --no-print-directory tests/unit/ignorecheck
	python3 tests/oracle/patterns.py --seed $(SOAK_SEED) \
		--seconds $(SOAK_SECONDS) tests/unit/ignorecheck

bench: deps
	@$(MAKE) --no-print-directory watchx
	sh bench/run

install: watchx
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR)
	install -m 755 watchx $(DESTDIR)$(BINDIR)/watchx
	install -m 644 man/watchx.1 $(DESTDIR)$(MANPREFIX)/man1/watchx.1
	install -m 644 completions/watchx.bash $(DESTDIR)$(BASHCOMPDIR)/watchx
	install -m 644 completions/_watchx $(DESTDIR)$(ZSHCOMPDIR)/_watchx
	install -m 644 completions/watchx.fish $(DESTDIR)$(FISHCOMPDIR)/watchx.fish

# The names inotifywait and inotifywatch for watchx (see "Under the name
# inotifywait" and "Under the name inotifywatch" in watchx(1)), only when
# asked: they would take the place of inotify-tools'.
COMPAT =	inotifywait inotifywatch
install-compat: install
	for n in $(COMPAT); do \
		ln -sf watchx $(DESTDIR)$(BINDIR)/$$n && \
		ln -sf watchx $(DESTDIR)$(BASHCOMPDIR)/$$n && \
		install -m 644 completions/_$$n $(DESTDIR)$(ZSHCOMPDIR)/_$$n && \
		install -m 644 completions/$$n.fish \
			$(DESTDIR)$(FISHCOMPDIR)/$$n.fish || exit 1; \
	done

uninstall:
	for n in $(COMPAT); do \
		for f in $(DESTDIR)$(BINDIR)/$$n $(DESTDIR)$(BASHCOMPDIR)/$$n; do \
			if [ "$$(readlink $$f)" = watchx ]; then rm -f $$f; fi; \
		done; \
		rm -f $(DESTDIR)$(ZSHCOMPDIR)/_$$n \
			$(DESTDIR)$(FISHCOMPDIR)/$$n.fish; \
	done
	rm -f $(DESTDIR)$(BINDIR)/watchx $(DESTDIR)$(MANPREFIX)/man1/watchx.1 \
		$(DESTDIR)$(BASHCOMPDIR)/watchx $(DESTDIR)$(ZSHCOMPDIR)/_watchx \
		$(DESTDIR)$(FISHCOMPDIR)/watchx.fish

clean:
	rm -f watchx watchx-asan src/*.o src/*.d src/.cflags
	rm -rf tests/fuzz/bin tests/unit/unit tests/unit/ignorecheck

.PHONY: all deps run check asan valgrind fuzz soak bench install install-compat \
	uninstall clean FORCE
