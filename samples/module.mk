# samples/: the plugin that samples/dlopener.c loads, built next to it.
PLUGIN := $(BUILD)/samples/libcprof-plugin.so
samples: $(PLUGIN)
$(PLUGIN): samples/plugin/plugin.c | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -fPIC -shared -Wl,--build-id -o $@ $< $(LDFLAGS)
