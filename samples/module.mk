# samples/: the plugin that samples/dlopener.c loads, built next to it.
PLUGIN := $(BUILD)/samples/libcprof-plugin.so
samples: $(PLUGIN)
$(PLUGIN): samples/plugin/plugin.c | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -fPIC -shared -Wl,--build-id -o $@ $< $(LDFLAGS)

# bench/overhead*: the sampler's overhead next to gperftools' (the bench
# fragment lives here because bench/module.mk belongs to another module).
OVERHEAD := $(BUILD)/bench/overhead
$(OVERHEAD): bench/overhead.c $(LIBCPROF) | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -Itools -o $@ $< $(LIBCPROF) -ldl $(PKG_LIBS) $(LDFLAGS)

.PHONY: bench-overhead bench-threads
bench-overhead: $(OVERHEAD) $(LIBSAMPLE)
	sh bench/overhead.sh $(BUILD)
# thread creation and exit under the profiler, next to gperftools'
bench-threads: $(OVERHEAD) $(LIBSAMPLE) $(BUILD)/torture/threads
	sh bench/threads.sh $(BUILD)
bench: bench-overhead bench-threads
