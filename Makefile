# twinwall — build, test, run.
#
#   make            build/twinwall (-Wall -Wextra -Werror)
#   make deps       install what is missing (apt-get, npm)
#   make test       deps, normal + ASan/UBSan builds, every test, one summary line
#   make run        HA lab in namespaces as root, else one dry node
#   make bench      benchmarks, printed as ratios against a floor from the same run
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
	   -Iappliance -Iappliance/config -Iappliance/render \
	   -Iappliance/platform -Iappliance/carp -Iwebapi -Isync -I. $(PKGCFLAGS)
LDLIBS	+= $(PKGLIBS) -lpthread -lcrypt

ifeq ($(SAN),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -O1
LDFLAGS	+= -fsanitize=address,undefined
endif

SRCS	:= $(sort $(wildcard appliance/*.c appliance/*/*.c webapi/*.c sync/*.c))
LIBSRCS	:= $(filter-out appliance/main.c,$(SRCS))
OBJS	:= $(SRCS:%.c=$(BUILD)/obj/%.o)
LIBOBJS	:= $(LIBSRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/schema.o
UNITSRC	:= $(sort $(wildcard tests/unit/test_*.c))
UNITS	:= $(UNITSRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps test test-only run stop bench fuzz clean install asan golden

all: $(BUILD)/twinwall $(UNITS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# Migrations are compiled in, so a binary never runs against a schema dir
# of another version.
$(BUILD)/gen/schema.c: $(sort $(wildcard schema/*.sql)) tests/embed.sh
	@mkdir -p $(dir $@)
	sh tests/embed.sh $(sort $(wildcard schema/*.sql)) > $@

$(BUILD)/obj/gen/schema.o: $(BUILD)/gen/schema.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libtwinwall.a: $(LIBOBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/twinwall: $(BUILD)/obj/appliance/main.o $(BUILD)/libtwinwall.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libtwinwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libtwinwall.a $(LDFLAGS) $(LDLIBS) -lcmocka

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
	@sh tests/netns/lab.sh run

stop:
	@sh tests/netns/lab.sh stop

bench: deps all
	@sh tests/bench/run.sh

fuzz:
	@sh tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)/usr/sbin $(DESTDIR)/usr/share/twinwall
	install -m 0755 $(BUILD)/twinwall $(DESTDIR)/usr/sbin/twinwall
	cp -r www schema $(DESTDIR)/usr/share/twinwall/

clean:
	rm -rf build

-include $(OBJS:.o=.d)
