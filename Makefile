# twinwall — build, test, run.
#
#   make            build/twinwall (-Wall -Wextra -Werror)
#   make deps       install what is missing (apt-get, npm)
#   make test       deps, normal + ASan/UBSan builds, every test, one summary line
#   make run        HA lab in namespaces as root, else one dry node
#   make bench      benchmarks, printed as ratios against a floor from the same run
#   make deb        build/twinwall_<version>_<arch>.deb (debian/, objects in build/deb)
#   make install    the binary, www/, the systemd unit, man page, /etc/default file
#
# Sources are found by wildcard so a new module needs no Makefile edit:
# appliance/**.c webapi/*.c sync/*.c make the program; tests/unit/test_*.c
# are cmocka programs linked against everything except main.c.

CC	?= cc
BUILD	?= build
PKGS	= libmicrohttpd jansson sqlite3 libxml-2.0 openssl libcurl libnftables \
	  libsystemd
PKGCFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKGLIBS	= $(shell pkg-config --libs $(PKGS) 2>/dev/null) \
	  $(shell xmlrpc-c-config client server-util --libs 2>/dev/null)
VERSION	= $(shell cat VERSION 2>/dev/null || echo 0.1.0)

CFLAGS	+= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O2 \
	   -fno-strict-aliasing -DTW_VERSION='"$(VERSION)"' \
	   -iquote $(BUILD)/include $(PKGCFLAGS)
LDLIBS	+= $(PKGLIBS) -lpthread -lcrypt -lm

ifeq ($(SAN),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -O1
LDFLAGS	+= -fsanitize=address,undefined
endif

SRCS	:= $(sort $(wildcard appliance/*.c appliance/*/*.c webapi/*.c sync/*.c))

# Module boundaries: a module is a folder. A source file sees the headers
# of its own folder (the compiler looks there first for "x.h") and the
# public headers of every module, which $(BUILD)/include holds as links;
# a private header (*_int.h) is in no folder but its own, so including
# another module's does not compile. Header names are unique for that
# reason (tests/check/modules.py checks it, and that modules form no
# circle). Unit tests and fuzzers see private headers too.
MODDIRS	:= $(sort $(dir $(wildcard appliance/*.h appliance/*/*.h webapi/*.h \
	   sync/*.h)))
PUBHDRS	:= $(sort $(filter-out %_int.h,$(wildcard appliance/*.h \
	   appliance/*/*.h webapi/*.h sync/*.h)))
INCDIR	:= $(BUILD)/include
TESTINC	:= $(MODDIRS:%=-iquote %) -iquote appliance -iquote .
LIBSRCS	:= $(filter-out appliance/cli/main.c,$(SRCS))
OBJS	:= $(SRCS:%.c=$(BUILD)/obj/%.o)
LIBOBJS	:= $(LIBSRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/schema.o
UNITSRC	:= $(sort $(wildcard tests/unit/test_*.c))
UNITS	:= $(UNITSRC:tests/unit/%.c=$(BUILD)/tests/%)

UNITDIR	?= $(shell pkg-config --variable=systemdsystemunitdir systemd \
	   2>/dev/null || echo /lib/systemd/system)
DEBARCH	= $(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)

.PHONY: all deps test test-only run stop bench fuzz clean install asan golden \
	deb FORCE

all: $(BUILD)/twinwall $(UNITS)

$(BUILD)/obj/%.o: %.c | $(INCDIR)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# The public headers as links, remade when the list changes.
$(INCDIR)/.stamp: $(BUILD)/gen/headers.list
	@rm -rf $(INCDIR) && mkdir -p $(INCDIR)
	@for h in $(PUBHDRS); do ln -s "$(CURDIR)/$$h" $(INCDIR)/; done
	@touch $@

$(BUILD)/gen/headers.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(PUBHDRS)' | cmp -s - $@ || echo '$(PUBHDRS)' > $@

# Migrations are compiled in, so a binary never runs against a schema dir
# of another version.
# schema.list changes when a migration is added or removed.
$(BUILD)/gen/schema.c: $(sort $(wildcard schema/*.sql)) tests/embed.sh \
	    $(BUILD)/gen/schema.list
	@mkdir -p $(dir $@)
	sh tests/embed.sh $(sort $(wildcard schema/*.sql)) > $@

$(BUILD)/gen/schema.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(sort $(wildcard schema/*.sql))' | cmp -s - $@ || \
	    echo '$(sort $(wildcard schema/*.sql))' > $@

$(BUILD)/obj/gen/schema.o: $(BUILD)/gen/schema.c | $(INCDIR)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The version is compiled into the few files that print it: they are
# rebuilt when VERSION (or `make VERSION=x.y.z`) changes, and no others.
VERSIONED := $(shell grep -l TW_VERSION $(SRCS))
$(VERSIONED:%.c=$(BUILD)/obj/%.o): $(BUILD)/version.stamp
$(BUILD)/version.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@

$(BUILD)/libtwinwall.a: $(LIBOBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/twinwall: $(BUILD)/obj/appliance/cli/main.o $(BUILD)/libtwinwall.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libtwinwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TESTINC) -o $@ $< $(BUILD)/libtwinwall.a $(LDFLAGS) \
	    $(LDLIBS) -lcmocka

asan:
	$(MAKE) BUILD=build/asan SAN=1 all

deps:
	@sh tests/deps.sh

# make test: everything that can run here, one summary line at the end.
test: deps
	$(MAKE) all
	$(MAKE) asan
	@sh tests/run.sh

# The suites without the deps/build steps (assumes both builds exist).
test-only:
	@sh tests/run.sh

golden: all
	TW_REGEN=1 sh tests/render/run.sh build

run: deps all
	@TW_LAB_WATCH=$$PPID sh tests/netns/lab.sh run

stop:
	@sh tests/netns/lab.sh stop

bench: deps all
	@sh tests/bench/run.sh

fuzz:
	@sh tests/fuzz/run.sh

# The schema is compiled in: only the GUI goes to /usr/share/twinwall.
install: $(BUILD)/twinwall
	install -d $(DESTDIR)/usr/sbin $(DESTDIR)/usr/share/twinwall
	install -m 0755 $(BUILD)/twinwall $(DESTDIR)/usr/sbin/twinwall
	cd www && find . -type d -exec install -d \
	    '$(DESTDIR)/usr/share/twinwall/www/{}' ';' && \
	    find . -type f -exec install -m 0644 '{}' \
	    '$(DESTDIR)/usr/share/twinwall/www/{}' ';'
	install -D -m 0644 dist/twinwall.service \
	    $(DESTDIR)$(UNITDIR)/twinwall.service
	install -D -m 0644 dist/twinwall.8 \
	    $(DESTDIR)/usr/share/man/man8/twinwall.8
	install -D -m 0644 dist/twinwall.default \
	    $(DESTDIR)/etc/default/twinwall

# The package, with debhelper (debian/rules). Its objects are built with
# Debian's hardening flags in build/deb and reused by the next `make deb`.
# VERSION must match debian/changelog unless given on the command line
# (tests/deb builds a second, newer package that way).
deb:
	@if [ "$(origin VERSION)" != "command line" ]; then \
		v=$$(dpkg-parsechangelog -S Version); \
		[ "$$v" = "$(VERSION)" ] || { echo "deb: VERSION says" \
		    "$(VERSION), debian/changelog $$v: add a changelog" \
		    "entry (dch -v $(VERSION))" >&2; exit 1; }; \
	fi
	rm -f debian/debhelper-build-stamp
	BUILD=$(BUILD)/deb DEBDEST=$(BUILD) VERSION=$(VERSION) \
	    debian/rules binary
	@echo "deb: $(BUILD)/twinwall_$(VERSION)_$(DEBARCH).deb"

clean:
	rm -rf build debian/twinwall debian/.debhelper debian/files \
	    debian/*.substvars debian/*.debhelper debian/debhelper-build-stamp

-include $(OBJS:.o=.d)
