# udf -- PGXS build of the extension, its runtime bundle, and the project's
# own targets (deps, demo, test, bench). `make` builds; `make install` installs
# udf.so, libnode.so.108 beside it, and the SQL files. Dependencies are not
# built here: scripts/deps.sh installs them (make deps). The Debian package
# (debian/rules) builds with LIBNODE_RPATH= INSTALL_LIBNODE=no, so that its
# udf.so loads the system's libnode.so.108 from Debian's libnode108.

EXTENSION    = udf
EXTVERSION   = 0.1.0
MODULE_big   = udf
# The C++ shim around V8 (extension/v8shim/), one object per concern;
# snapshot.o only goes into the build-time snapshot tool.
SHIM_OBJS = \
	extension/v8shim/isolate.o \
	extension/v8shim/context.o \
	extension/v8shim/modules.o \
	extension/v8shim/call.o \
	extension/v8shim/exceptions.o \
	extension/v8shim/natives.o \
	extension/v8shim/host_values.o \
	extension/v8shim/code_cache.o \
	extension/v8shim/watchdog.o

OBJS = \
	extension/udf.o \
	extension/bgworker.o \
	extension/call.o \
	extension/callstack.o \
	extension/callstats.o \
	extension/clock.o \
	extension/codecache.o \
	extension/console.o \
	extension/contexts.o \
	extension/crypto.o \
	extension/crypto_keys.o \
	extension/crypto_sign.o \
	extension/dbops.o \
	extension/dbfilter.o \
	extension/dbpage.o \
	extension/dbquery.o \
	extension/dbrow.o \
	extension/dbschemaless.o \
	extension/dbsortkey.o \
	extension/dbsql.o \
	extension/dbsearch.o \
	extension/dbhidden.o \
	extension/dbpath.o \
	extension/dbvector.o \
	extension/dbtable.o \
	extension/auth.o \
	extension/dbwrite.o \
	extension/dbinsertsql.o \
	extension/hostjson.o \
	extension/dbidtable.o \
	extension/deploy.o \
	extension/elevated.o \
	extension/jobtable.o \
	extension/jobwriter.o \
	extension/errors.o \
	extension/ids.o \
	extension/info.o \
	extension/hostjsonb.o \
	extension/invoke.o \
	extension/limits.o \
	extension/loop.o \
	extension/fetch.o \
	extension/fetch_policy.o \
	extension/names.o \
	extension/nested.o \
	extension/parked.o \
	extension/prng.o \
	extension/runtime.o \
	extension/schema.o \
	extension/schemaadopt.o \
	extension/schemacheck.o \
	extension/schemacollate.o \
	extension/schedule.o \
	extension/scheduler.o \
	extension/schedstats.o \
	extension/crons.o \
	extension/sqlapi.o \
	extension/sqlcall.o \
	extension/stats.o \
	extension/statsview.o \
	extension/httpd.o \
	extension/httpresponse.o \
	extension/httpfiles.o \
	extension/httpstream.o \
	extension/httpaction.o \
	extension/httpstats.o \
	extension/storage.o \
	extension/storagesys.o \
	extension/store.o \
	extension/subxact.o \
	extension/optimistic.o \
	extension/syscall.o \
	extension/trace.o \
	extension/explain.o \
	extension/trigger.o \
	extension/v8_peers.o \
	extension/values.o \
	extension/writer.o \
	extension/runtime_js.o \
	extension/runtime_lazy_js.o \
	extension/runtime_snapshot.o \
	$(SHIM_OBJS)

DATA_built   = udf--$(EXTVERSION).sql
EXTRA_CLEAN  = extension/runtime_js.c extension/runtime_lazy_js.c extension/runtime_snapshot.c extension/runtime_snapshot.bin \
               extension/v8shim/udf-snapshot extension/v8shim/snapshot.o udf-runtime/dist

REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=udf

LIBNODE_DIR  = $(CURDIR)/.deps/libnode/usr
LIBNODE_LIB  = $(LIBNODE_DIR)/lib/x86_64-linux-gnu
# udf.so finds the libnode.so.108 installed beside it; empty: the system's
LIBNODE_RPATH = -Wl,-rpath,'$$ORIGIN'
INSTALL_LIBNODE = yes
PG_CPPFLAGS  = -I$(CURDIR)/extension
PG_CXXFLAGS  = -std=c++17 -fno-rtti -fno-exceptions -I$(LIBNODE_DIR)/include/node -Wno-unused-parameter
SHLIB_LINK   = -L$(LIBNODE_LIB) -l:libnode.so.108 -ljansson -lcurl -lcrypto -lmicrohttpd -lstdc++ $(LIBNODE_RPATH) -Wl,--as-needed

# The C++ shim has no bitcode rule; JIT inlining of udf's own code buys nothing.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
# On a fresh machine PGXS is not there yet: deps/demo/test install it first.
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
all install installcheck:
	@echo "PostgreSQL 15 PGXS not found: run 'make deps' (as root) first" >&2; exit 1
endif

udf--$(EXTVERSION).sql: extension/udf.sql
	cp $< $@

RUNTIME_SOURCES = $(wildcard udf-runtime/src/*.js udf-runtime/src/setup/*.js udf-runtime/src/lazy/*.js) udf-runtime/build.mjs udf-runtime/package.json
extension/runtime_js.c: $(RUNTIME_SOURCES)
	node udf-runtime/build.mjs $@ extension/runtime_lazy_js.c
# written by the same step (the parts of the runtime loaded on first use)
extension/runtime_lazy_js.c: extension/runtime_js.c ;

# The V8 startup snapshot of the runtime: made by a small tool linked with the
# shim and libnode, then embedded like the bundle.
SNAPSHOT_TOOL = extension/v8shim/udf-snapshot
$(SNAPSHOT_TOOL): extension/v8shim/snapshot_main.cc extension/v8shim/snapshot.o $(SHIM_OBJS) extension/runtime_js.o
	$(CXX) $(CXXFLAGS) $(PG_CXXFLAGS) -o $@ $^ -L$(LIBNODE_LIB) -l:libnode.so.108 -lpthread -Wl,-rpath,$(LIBNODE_LIB)
extension/runtime_snapshot.bin: $(SNAPSHOT_TOOL)
	$(SNAPSHOT_TOOL) $@
extension/runtime_snapshot.c: extension/runtime_snapshot.bin udf-runtime/embed.mjs
	node udf-runtime/embed.mjs $< $@ udf_runtime_snapshot

SHIM_H = extension/v8shim/shim_internal.h extension/v8shim/udf_v8.h extension/v8shim/host_values.h
extension/v8shim/isolate.o: extension/v8shim/isolate.cc $(SHIM_H) extension/v8shim/watchdog.h
extension/v8shim/context.o: extension/v8shim/context.cc $(SHIM_H)
extension/v8shim/modules.o: extension/v8shim/modules.cc $(SHIM_H) extension/v8shim/code_cache.h
extension/v8shim/call.o: extension/v8shim/call.cc $(SHIM_H) extension/v8shim/watchdog.h
extension/v8shim/exceptions.o: extension/v8shim/exceptions.cc $(SHIM_H)
extension/v8shim/natives.o: extension/v8shim/natives.cc $(SHIM_H) extension/v8shim/watchdog.h
extension/v8shim/snapshot.o: extension/v8shim/snapshot.cc $(SHIM_H)
extension/v8shim/watchdog.o: extension/v8shim/watchdog.cc extension/v8shim/watchdog.h
extension/v8shim/host_values.o: extension/v8shim/host_values.cc extension/v8shim/host_values.h extension/v8shim/udf_v8.h
extension/v8shim/code_cache.o: extension/v8shim/code_cache.cc extension/v8shim/code_cache.h extension/v8shim/udf_v8.h
$(filter-out extension/v8shim/%.o extension/runtime_js.o extension/runtime_lazy_js.o,$(OBJS)): extension/udf.h extension/v8shim/udf_v8.h $(wildcard extension/*.h)
$(filter extension/db%.o,$(OBJS)): extension/db.h

ifeq ($(INSTALL_LIBNODE),yes)
install: install-libnode
endif
install-libnode:
	$(INSTALL_SHLIB) $(LIBNODE_LIB)/libnode.so.108 '$(DESTDIR)$(pkglibdir)/libnode.so.108'

.PHONY: deps demo demo-stop test bench deb install-libnode
deps:
	scripts/deps.sh
demo:
	scripts/demo.sh
demo-stop:
	scripts/demo.sh stop
test:
	scripts/test.sh
bench:
	scripts/bench.sh
deb:
	scripts/deb-build.sh
