// SPDX-License-Identifier: GPL-2.0
/*
 * sgt-matrix VARIANT [EXPORTER:IMPORTER...]: every exporter the guest has,
 * imported by every kind of importer, with what attach time caching must do
 * to each pair. Needs sgt_importer and sgt_mock_exporter loaded.
 *
 *   VARIANT   patched (the series in the core) | module (dma-buf-sgt-cache
 *             on a stock kernel); both must behave the same
 *   EXPORTER  system | cma (the heaps, opted out) | udmabuf | vgem (GEM via
 *             drm_prime) | mock-static | mock-dynamic (sgt_mock_exporter)
 *   IMPORTER  static | uncached (a static importer that opts out of the
 *             attach time map) | dynamic (sgt_importer) | vgem
 *             (PRIME_FD_TO_HANDLE, a cross-device import)
 *
 * What the stock core does with the pairs the cache leaves alone depends on
 * it: before v6.16 it maps a static importer of a dynamic exporter, and a
 * dynamic importer of a static one, at attach, and keeps the first map of
 * an exporter with cache_sgt_mapping (udmabuf, drm_prime); since, it maps
 * them at every map, and vgem imports without mapping. sgt_importer's
 * core_lazy parameter (the conftest's answer) says which.
 *
 * Without cells, all of them (vgem:vgem is a same-device import, which never
 * attaches, so it is not a cell). Each cell: data written through the
 * buffer's mmap is read back through the importer's DMA addresses and the
 * reverse; attach; maps and unmaps in each direction (MAPS where a kept table
 * serves them, MAPS_CALLED where each reaches the exporter); move_notify on a
 * dynamic exporter; detach; the exporter's own map/unmap calls (kprobes)
 * and the mock's attach/detach/pin/unpin balance are checked against the
 * expectation. One KTAP result per cell, and one line per cell:
 *
 *   # matrix: EXPORTER IMPORTER VARIANT cached=yes|lazy|no attach_maps=N
 *     maps=N exporter_maps=N detach_unmaps=N data=ok|n/a moves=N|- ok|FAIL
 */
#include "sgt-guest.h"

#define MAPS 100
/*
 * Each of these is the exporter's whole map of a 1 MiB buffer under KASAN
 * and DMA-API debugging: counting ten shows a call per map as well as a
 * hundred, which took four minutes of the 7.3 guest (where the core keeps
 * no table for the static/dynamic pairs).
 */
#define MAPS_CALLED 10

static int old_core;	/* the core before v6.16 (core_lazy): see the top */

/*
 * vgem imports 64 KiB buffers: its platform device takes DMA segments of at
 * most 64 KiB, and the heaps hand out 1 MiB ones whatever the importer says
 * (DMA_API_DEBUG warns, on stock kernels as on patched ones).
 */
static size_t size_of(const char *imp)
{
	return strcmp(imp, "vgem") ? 1024 * 1024 : 64 * 1024;
}

static const char *const exporters[] = {
	"system", "cma", "udmabuf", "vgem", "mock-static", "mock-dynamic",
};

static const char *const importers[] = { "static", "uncached", "dynamic", "vgem" };

struct cell {
	const char *exp, *imp;
	int cached;		/* expected: mapped once at attach, kept; -1: n/a */
	int lazy;		/* expected: mapped at the first map, kept (stock's
				 * cache_sgt_mapping, where nothing is cached at
				 * attach time)
				 */
	int attach_maps, maps, exporter_maps, detach_unmaps, moves;
	const char *data;
	const char *why;	/* the first thing that went wrong */
};

/*
 * Fill (or check) the buffer through its mmap, inside DMA_BUF_IOCTL_SYNC,
 * except for udmabuf: 6.1's begin_cpu_access maps the pages for udmabuf's
 * own misc device without splitting them into its 64 KiB DMA segments, so
 * DMA_API_DEBUG warns whenever the memfd's pages happen to be contiguous (a
 * stock 6.1 bug; the mmap is of the memfd's pages, coherent here).
 */
static int cpu_access(int buf, int sync_ok, size_t size, int fill, unsigned char byte)
{
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	unsigned char *p;
	size_t i;
	int ret = 0;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (p == MAP_FAILED)
		return -1;
	if (sync_ok && ioctl(buf, DMA_BUF_IOCTL_SYNC, &sync))
		ret = -1;
	for (i = 0; !ret && i < size; i++) {
		if (fill)
			p[i] = byte;
		else if (p[i] != byte)
			ret = -1;
	}
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	if (sync_ok && ioctl(buf, DMA_BUF_IOCTL_SYNC, &sync))
		ret = -1;
	munmap(p, size);
	return ret;
}

/* The mock's callback counters: attach detach map unmap pin unpin. */
static int mock_counts(int n[6])
{
	char buf[160];

	if (ctl_read(MOCK_CTL, buf, sizeof(buf)))
		return -1;
	return sscanf(buf, "fd=%*d attach=%d detach=%d map=%d unmap=%d pin=%d unpin=%d",
		      &n[0], &n[1], &n[2], &n[3], &n[4], &n[5]) == 6 ? 0 : -1;
}

/* Keep the first thing that went wrong. */
static void fail(struct cell *c, const char *why)
{
	if (!c->why)
		c->why = why;
}

/* attach, data both ways, maps, move, detach through sgt_importer. */
static void run_importer(struct cell *c, int buf, int dynamic_exporter)
{
	static const char *const dirs[] = { "to", "from", "bidi" };
	struct counts k;
	unsigned int d;

	int sync_ok = strcmp(c->exp, "udmabuf");
	int served = c->cached || c->lazy;	/* maps served from a kept table */
	size_t size = size_of(c->imp);

	if (cpu_access(buf, sync_ok, size, 1, 0x5a))
		fail(c, "cannot write through mmap");
	if (ctl(IMPORTER_CTL, "attach %d %s", buf, c->imp) || importer_counts(&k)) {
		fail(c, "attach failed");
		return;
	}
	c->attach_maps = k.map;
	if (k.cached != c->cached || k.map != c->cached)
		fail(c, "attach: cached table or exporter map calls not as expected");

	c->data = "ok";
	if (ctl(IMPORTER_CTL, "check %d", 0x5a)) {
		c->data = "FAIL";
		fail(c, "mmap write not seen through the importer's DMA addresses");
	}
	if (ctl(IMPORTER_CTL, "fill %d", 0xa5) || cpu_access(buf, sync_ok, size, 0, 0xa5)) {
		c->data = "FAIL";
		fail(c, "importer write not seen through mmap");
	}

	for (d = 0; d < 3; d++) {
		int n = served ? MAPS : MAPS_CALLED;

		if (ctl(IMPORTER_CTL, "map %d %s", n, dirs[d]) || importer_counts(&k)) {
			fail(c, "map failed");
			break;
		}
		c->maps += n;
		c->exporter_maps += k.map;
		if (k.map != (served ? 0 : n) || k.unmap != k.map || k.same != served)
			fail(c, "maps: exporter calls or table identity not as expected");
	}

	if (dynamic_exporter) {
		int want = !strcmp(c->imp, "dynamic");

		if (ctl(MOCK_CTL, "move %d", buf) || importer_counts(&k) || k.moves != want)
			fail(c, "move_notify not delivered as expected");
		c->moves = k.moves;
	}

	if (ctl(IMPORTER_CTL, "detach") || importer_counts(&k)) {
		fail(c, "detach failed");
		return;
	}
	c->detach_unmaps = k.unmap;
	if (k.unmap != served || k.map)
		fail(c, "detach: exporter unmap calls not as expected");
}

/* vgem imports the buffer: one map when it imports, one unmap at close. */
static void run_vgem(struct cell *c, int buf)
{
	struct drm_prime_handle prime = { .fd = buf };
	struct drm_gem_close gclose = { 0 };
	struct counts k;

	if (ctl(IMPORTER_CTL, "watch %d", buf)) {
		fail(c, "cannot watch the exporter");
		return;
	}
	if (ioctl(vgem_fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime) || importer_counts(&k)) {
		fail(c, "vgem import failed");
	} else {
		c->attach_maps = k.map;
		if (k.map != old_core)
			fail(c, "import: exporter map calls not as the core does");
		gclose.handle = prime.handle;
		if (ioctl(vgem_fd, DRM_IOCTL_GEM_CLOSE, &gclose) || importer_counts(&k) ||
		    k.unmap != old_core)
			fail(c, "close: exporter unmap calls not as the core does");
		c->detach_unmaps = k.unmap;
	}
	ctl(IMPORTER_CTL, "unwatch");
}

static void run_cell(struct cell *c, const char *variant)
{
	int mock = !strncmp(c->exp, "mock-", 5), dyn = !strcmp(c->exp, "mock-dynamic");
	int before[6], after[6], buf, i;
	char moves[12];

	/*
	 * Static importers: the cache takes every static exporter that did not
	 * opt out (the heaps do; the module's deny list mirrors the series),
	 * and a dynamic exporter is mapped once at attach where the core did
	 * that. Static importers that opt out (uncached): only that mismatched
	 * pair, as ever. Dynamic importers: the core's rule, a table at attach
	 * for static exporters where it did that. vgem imports with one map
	 * where the core is older, cached or not: not observable.
	 */
	if (!strcmp(c->imp, "static"))
		c->cached = strcmp(c->exp, "system") && strcmp(c->exp, "cma") &&
			    (!dyn || old_core);
	else if (!strcmp(c->imp, "uncached"))
		c->cached = dyn && old_core;
	else if (!strcmp(c->imp, "dynamic"))
		c->cached = !dyn && old_core;
	else
		c->cached = -1;
	/*
	 * udmabuf and the drm_prime helpers set cache_sgt_mapping where the
	 * core has it: where nothing is cached at attach time for them, their
	 * first map is.
	 */
	c->lazy = old_core && !c->cached &&
		  (!strcmp(c->exp, "udmabuf") || !strcmp(c->exp, "vgem"));
	c->data = "n/a";
	c->moves = -1;

	if (mock && mock_counts(before))
		fail(c, "no sgt_mock_exporter");
	buf = make_buf(c->exp, size_of(c->imp));
	if (buf < 0) {
		fail(c, "cannot make the buffer");
	} else {
		if (!strcmp(c->imp, "vgem"))
			run_vgem(c, buf);
		else
			run_importer(c, buf, dyn);
		close(buf);
	}
	if (mock && !mock_counts(after))
		for (i = 0; i < 6; i += 2)
			if (after[i] - before[i] != after[i + 1] - before[i + 1])
				fail(c, "mock: attach/detach, map/unmap or pin/unpin unbalanced");

	snprintf(moves, sizeof(moves), c->moves < 0 ? "-" : "%d", c->moves);
	printf("# matrix: %s %s %s cached=%s ", c->exp, c->imp, variant,
	       c->cached < 0 ? "n/a" : c->cached ? "yes" : c->lazy ? "lazy" : "no");
	printf("attach_maps=%d maps=%d exporter_maps=%d detach_unmaps=%d data=%s moves=%s %s\n",
	       c->attach_maps, c->maps, c->exporter_maps, c->detach_unmaps, c->data, moves,
	       c->why ? "FAIL" : "ok");
	if (c->why)
		printf("# %s:%s: %s\n", c->exp, c->imp, c->why);
	result(!c->why, "%s_%s", c->exp, c->imp);
}

static int known(const char *s, const char *const *list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct cell cells[32];
	int n = 0, i, j;

	if (argc < 2 || (strcmp(argv[1], "patched") && strcmp(argv[1], "module"))) {
		fprintf(stderr, "usage: sgt-matrix patched|module [EXPORTER:IMPORTER...]\n");
		return 2;
	}
	for (i = 2; i < argc && n < 32; i++) {
		char *imp = strchr(argv[i], ':');

		if (imp)
			*imp++ = '\0';
		if (!imp || !known(argv[i], exporters, ARRAY_SIZE(exporters)) ||
		    !known(imp, importers, ARRAY_SIZE(importers))) {
			fprintf(stderr, "sgt-matrix: bad cell '%s'\n", argv[i]);
			return 2;
		}
		cells[n++] = (struct cell){ .exp = argv[i], .imp = imp };
	}
	for (i = 0; argc == 2 && i < (int)ARRAY_SIZE(exporters); i++)
		for (j = 0; j < (int)ARRAY_SIZE(importers); j++)
			if (strcmp(exporters[i], "vgem") || strcmp(importers[j], "vgem"))
				cells[n++] = (struct cell){
					.exp = exporters[i], .imp = importers[j],
				};

	old_core = stock_core_lazy();
	if (old_core < 0) {
		fprintf(stderr, "sgt-matrix: no sgt_importer loaded\n");
		return 2;
	}
	vgem_fd = open_vgem();
	printf("KTAP version 1\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		if (vgem_fd < 0 && (!strcmp(cells[i].exp, "vgem") || !strcmp(cells[i].imp, "vgem")))
			cells[i].why = "no vgem device";
		run_cell(&cells[i], argv[1]);
	}
	return 0;
}
