# rig: build, dependencies, the virtual lab and the tests.
#
#   make deps      install the Debian packages the rig and its virtual lab need
#   make           build build/bin/rigd and build/bin/rigctl
#   make lab       start the virtual lab's rigd and dashboard (LAB_HTTP=PORT), run i2c-unbind on vq35
#   make lab-stop  stop the lab's rigd and its boards
#   make check     every test: unit tests under ASan+UBSan, then integration on real QEMU boards
#   make tsan      unit tests and a two-board integration test under ThreadSanitizer
#   make bench     benchmarks, printed as tables

CC      ?= cc
BUILD   ?= build
PKGS    := libssh yaml-0.1 sqlite3 libpcre2-8 libcjson libcrypto libmicrohttpd libgpiod libarchive libpq
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Irig/lib
CFLAGS  += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -liberty -lpthread -lm -lutil
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(TSAN),1)
CFLAGS  += -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS += -fsanitize=thread
endif

LIB_SRC    := $(sort $(wildcard rig/lib/*.c))
RIGD_SRC   := $(sort $(wildcard rig/rigd/*.c))
RIGCTL_SRC := $(sort $(wildcard rig/rigctl/*.c))
UNIT_SRC   := $(sort $(wildcard rig/tests/unit/test_*.c))

LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
RIGD_OBJ   := $(RIGD_SRC:%.c=$(BUILD)/obj/%.o)
RIGCTL_OBJ := $(RIGCTL_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN   := $(UNIT_SRC:rig/tests/unit/%.c=$(BUILD)/tests/%)
LIBRIG     := $(BUILD)/lib/librig.a

LAB     ?= var/lab
export RIG_CACHE ?= $(CURDIR)/var/cache

.PHONY: all deps lab lab-stop check unit integration bench clean fuzz install tsan mtd-builds survey-builds
all: $(BUILD)/bin/rigd $(BUILD)/bin/rigctl

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBRIG): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/bin/rigd: $(RIGD_OBJ) $(LIBRIG)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/rigctl: $(RIGCTL_OBJ) $(LIBRIG)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: rig/tests/unit/%.c rig/tests/unit/test.h $(LIBRIG)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Irig/tests/unit $(LDFLAGS) -o $@ $< $(LIBRIG) $(LDLIBS)
# These build a rigd source into the test (rigd's, not the library's): rebuilt when it changes.
$(BUILD)/tests/test_storeq: rig/rigd/storeq.c rig/rigd/storeq.h
$(BUILD)/tests/test_unrecorded: rig/rigd/unrecorded.c rig/rigd/unrecorded.h
$(BUILD)/tests/test_storebuf: rig/rigd/storebuf.c rig/rigd/storebuf.h rig/rigd/storeq.c
$(BUILD)/tests/test_websess: rig/rigd/websess.c rig/rigd/websess.h
# The store's tests that run on PostgreSQL too (rig/tests/run.sh's NAME_pg).
PG_TESTS := $(addprefix $(BUILD)/tests/,test_store test_store_views test_report test_spool \
    test_storebuf)
$(PG_TESTS): rig/tests/unit/test_pg.h

# The gpio backend's chip test, static for armhf: run inside vsabre on the i.MX6's real GPIO chips
# (rig/tests/integration/65-gpio-vsabre.sh). The backend's own files and what they use, no more.
ARMHF_CC       ?= arm-linux-gnueabihf-gcc
GPIO_CHIP_SRC  := rig/tests/unit/test_gpio_chip.c $(addprefix rig/lib/,gpio.c power_gpio.c \
                  partconf.c yamlnode.c conf.c util.c log.c)
GPIO_CHIP_ARM  := $(BUILD)/armhf/test_gpio_chip
$(GPIO_CHIP_ARM): $(GPIO_CHIP_SRC) $(wildcard rig/lib/*.h) rig/tests/unit/test.h
	@mkdir -p $(dir $@)
	$(ARMHF_CC) -O2 -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Irig/lib -Irig/tests/unit \
	    -static -o $@ $(GPIO_CHIP_SRC) -lgpiod -lyaml -lpthread

-include $(LIB_OBJ:.o=.d) $(RIGD_OBJ:.o=.d) $(RIGCTL_OBJ:.o=.d)

deps:
	@sh firmware/deps.sh

lab: deps all
	@sh rig/tests/lab.sh start $(LAB)

lab-stop:
	@sh rig/tests/lab.sh stop $(LAB)

# The test build: everything again under ASan+UBSan in build/san, then unit and integration tests.
check: deps
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 all san-tests
	@sh rig/tests/run.sh build/san

unit: deps
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 all san-tests
	@sh rig/tests/run.sh build/san unit

.PHONY: san-tests
san-tests: $(UNIT_BIN) $(GPIO_CHIP_ARM) $(BUILD)/tests/store_fill

# Fills a store with a lab's history through the store's calls, for the heavy-read tests.
$(BUILD)/tests/store_fill: rig/tests/tools/store_fill.c $(LIBRIG)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBRIG) $(LDLIBS)

# The threads under ThreadSanitizer: everything again in build/tsan, then the unit tests and
# the test that runs two boards at once. Any report stops the program (halt_on_error), and the
# test also looks for one in rigd's log.
TSAN_TESTS ?= unit 80-two-boards
tsan: deps
	@$(MAKE) --no-print-directory BUILD=build/tsan TSAN=1 all san-tests
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66 $(TSAN_OPTIONS)" sh rig/tests/run.sh build/tsan $(TSAN_TESTS)

bench: deps all
	@sh rig/bench/run.sh $(BUILD)

# The MTD use-after-free per Debian armhf build on vsabre, and its bisection (README, Results).
mtd-builds: deps all
	@sh rig/bench/mtd-builds.sh $(BUILD)

# The lifetime survey of vq35 and vsabre on their default builds and vsabre on 6.1.192 (an hour
# under load; not part of make check): the README's survey tables.
survey-builds: deps all
	@sh rig/bench/survey-builds.sh $(BUILD)

# Each libFuzzer target (ASan+UBSan) for FUZZ_SECONDS, one after the other: triage, proto,
# board, scenario, buildx (FUZZ_TARGETS picks some). One line per target: executions, edges, findings.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?=
fuzz: deps
	@sh rig/tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Installs the programs, manual pages, board side and systemd units under PREFIX (DESTDIR too).
PREFIX ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/lib/rig/firmware \
	    $(DESTDIR)$(PREFIX)/share/rig/dashboards \
	    $(DESTDIR)/etc/rig/boards $(DESTDIR)/etc/rig/scenarios $(DESTDIR)/lib/systemd/system
	install -m 755 $(BUILD)/bin/rigd $(DESTDIR)$(PREFIX)/sbin/rigd
	install -m 755 $(BUILD)/bin/rigctl $(DESTDIR)$(PREFIX)/bin/rigctl
	install -m 644 rig/man/rigctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 rig/man/rigd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 755 firmware/mkimage firmware/init $(DESTDIR)$(PREFIX)/lib/rig/firmware/
	install -m 644 dashboards/*.css dashboards/*.js $(DESTDIR)$(PREFIX)/share/rig/dashboards/
	install -m 644 boards/*.yaml $(DESTDIR)/etc/rig/boards/
	install -m 644 scenarios/*.yaml $(DESTDIR)/etc/rig/scenarios/
	install -m 644 rig/systemd/*.service rig/systemd/*.timer $(DESTDIR)/lib/systemd/system/ 2>/dev/null || \
	    install -m 644 rig/systemd/*.service $(DESTDIR)/lib/systemd/system/

clean:
	rm -rf build
