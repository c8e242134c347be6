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
		-DWATCHX_VERSION=\"$(VERSION)\" $(CFLAGS)

SRCS =		src/main.c src/events.c src/escape.c src/filter.c src/watch.c \
		src/walk.c src/tree.c src/loop.c src/pair.c src/output.c
OBJS =		$(SRCS:.c=.o)
HDRS =		$(wildcard src/*.h)

# Sanitizer build: its own objects, so it never mixes with the normal ones.
ASAN_FLAGS =	-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=all
ASAN_OBJS =	$(SRCS:.c=.asan.o)

BATS ?=		bats
BATS_FLAGS ?=

# Goals that must work before libbsd is installed: they install it first.
NOBSD_GOALS =	deps run check asan clean uninstall bench
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

src/%.o: src/%.c $(HDRS)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

src/%.asan.o: src/%.c $(HDRS)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

# Install the Debian packages the build and the tests need, if missing.
deps:
	@sh .ci/deps

# Build, then watch the current directory until interrupted.
run: deps
	@$(MAKE) --no-print-directory watchx
	./watchx -r .

# The one test command: warnings as errors, man page lint, the bats suite
# (which also exercises the completions).
check: deps
	@$(MAKE) --no-print-directory watchx CFLAGS="$(CFLAGS) -Werror"
	mandoc -Tlint -Wwarning man/watchx.1
	sh tests/run $(BATS) $(BATS_FLAGS)

# The same suite against an AddressSanitizer/UBSan build.
asan: deps
	@$(MAKE) --no-print-directory watchx-asan CFLAGS="$(CFLAGS) -Werror"
	WATCHX=$(CURDIR)/watchx-asan sh tests/run $(BATS) $(BATS_FLAGS)

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

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/watchx $(DESTDIR)$(MANPREFIX)/man1/watchx.1 \
		$(DESTDIR)$(BASHCOMPDIR)/watchx $(DESTDIR)$(ZSHCOMPDIR)/_watchx \
		$(DESTDIR)$(FISHCOMPDIR)/watchx.fish

clean:
	rm -f watchx watchx-asan src/*.o

.PHONY: all deps run check asan bench install uninstall clean
