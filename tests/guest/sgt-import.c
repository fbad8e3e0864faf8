// SPDX-License-Identifier: GPL-2.0
/*
 * sgt-import SOURCE EXPECT [MAPS]: make a real dma-buf and have the
 * sgt_importer module attach it, map it MAPS times (default 1000) and detach
 * it, counting the exporter's own map/unmap calls. Prints what happened and
 * KTAP results.
 *
 *   SOURCE  udmabuf (memfd -> /dev/udmabuf) | heap (/dev/dma_heap/system)
 *   EXPECT  cached:   1 exporter map at attach, 0 while mapping, 1 unmap at
 *                     detach, every map returns the attachment's table;
 *           lazy:     cache_sgt_mapping without the series: 0 at attach, 1
 *                     map at the first map call, 1 unmap at detach;
 *           uncached: 0 at attach, one map and unmap per map call
 */
#include "sgt-guest.h"

#define SIZE (1024 * 1024)

/*
 * Print bufinfo's lines of sgt-importer's attachment and of the exporters;
 * return whether the attachment's line carries the series' mark of a cached
 * table (1), does not (0), or is missing (-1).
 */
static int show_bufinfo(void)
{
	char line[256];
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");
	int marked = -1;

	while (f && fgets(line, sizeof(line), f)) {
		if (strstr(line, "sgt-importer"))
			marked = !!strstr(line, "\tsg_table cached");
		if (strstr(line, "sgt-importer") || strstr(line, "exp_name"))
			printf("# bufinfo: %s", line);
	}
	if (f)
		fclose(f);
	return marked;
}

int main(int argc, char **argv)
{
	int cached, lazy, maps = argc > 3 ? atoi(argv[3]) : 1000, buf, ret;
	struct counts c;

	if (argc < 3 || maps <= 0 || (strcmp(argv[2], "cached") &&
				      strcmp(argv[2], "lazy") && strcmp(argv[2], "uncached"))) {
		fprintf(stderr, "usage: sgt-import udmabuf|heap cached|lazy|uncached [MAPS]\n");
		return 2;
	}
	cached = !strcmp(argv[2], "cached");
	lazy = !strcmp(argv[2], "lazy");
	printf("KTAP version 1\n1..5\n");
	buf = !strcmp(argv[1], "heap") ? make_heap_buf("system", SIZE) : make_udmabuf(SIZE);
	if (buf < 0) {
		printf("# cannot make a %s dma-buf: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("# %s: 1 MiB dma-buf, fd %d\n", argv[1], buf);

	ret = ctl(IMPORTER_CTL, "attach %d", buf);
	if (ret || importer_counts(&c)) {
		printf("# attach failed: %s\n", strerror(-ret));
		return 1;
	}
	printf("# attach: exporter map calls %d, table cached: %s\n",
	       c.map, c.cached ? "yes" : "no");
	result(c.map == (cached ? 1 : 0) && c.cached == cached, "attach");
	/* the series' bufinfo marks the attachment that holds a table */
	result(show_bufinfo() == cached, "bufinfo");

	ret = ctl(IMPORTER_CTL, "map %d to", maps);
	if (ret || importer_counts(&c)) {
		printf("# map failed: %s\n", strerror(-ret));
		return 1;
	}
	printf("# %d maps+unmaps: exporter map calls %d, unmap calls %d, ",
	       maps, c.map, c.unmap);
	printf("same cached table every time: %s\n", c.same ? "yes" : "no");
	if (cached || lazy)
		result(c.map == lazy && c.unmap == 0 && c.same, "maps");
	else
		result(c.map == maps && c.unmap == maps && !c.same, "maps");

	ret = ctl(IMPORTER_CTL, "detach");
	if (ret || importer_counts(&c)) {
		printf("# detach failed: %s\n", strerror(-ret));
		return 1;
	}
	printf("# detach: exporter unmap calls %d\n", c.unmap);
	result(c.unmap == (cached || lazy) && c.map == 0, "detach");

	result(ctl(IMPORTER_CTL, "detach") == -ENOENT &&
	       ctl(IMPORTER_CTL, "attach %d", 9999) == -EBADF,
	       "bad_input_rejected");
	close(buf);
	return 0;
}
