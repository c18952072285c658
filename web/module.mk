# web/: the HTML report viewer, embedded into libcprof.a (used by cprof-html)
# as byte arrays generated at build time by a small C program (web/embed.c).
WEB_FILES := web/report.html web/report.css web/report.js web/flame.js
WEB_EMBED := $(BUILD)/gen/web-embed
WEB_ASSETS_C := $(BUILD)/gen/web_assets.c
WEB_ASSETS_O := $(BUILD)/obj/gen/web_assets.o

$(WEB_EMBED): web/embed.c
	@mkdir -p $(@D)
	$(CC) -O1 $(WARN) -std=c11 -o $@ $<

$(WEB_ASSETS_C): $(WEB_EMBED) $(WEB_FILES)
	@mkdir -p $(@D)
	$(WEB_EMBED) $@.tmp web_report_html=web/report.html web_report_css=web/report.css \
		web_report_js=web/report.js web_flame_js=web/flame.js && mv $@.tmp $@

$(WEB_ASSETS_O): $(WEB_ASSETS_C)
	@mkdir -p $(@D)
	$(CC) $(OPT) $(CSTD) $(WARN) $(SANFLAGS) -c -o $@ $<

# The library's rule links $^, so an extra prerequisite is enough.
$(LIBCPROF): $(WEB_ASSETS_O)
