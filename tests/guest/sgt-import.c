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
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define CTL "/sys/kernel/debug/sgt_importer/ctl"
#define SIZE (1024 * 1024)

struct counts {
	int map, unmap, cached, same;
};

static int tests;

static int make_udmabuf(void)
{
	struct udmabuf_create create = { .size = SIZE };
	int memfd, dev, buf;

	memfd = memfd_create("sgt-import", MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, SIZE) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		return -1;
	dev = open("/dev/udmabuf", O_RDWR);
	if (dev < 0)
		return -1;
	create.memfd = memfd;
	buf = ioctl(dev, UDMABUF_CREATE, &create);
	close(dev);
	close(memfd);
	return buf;
}

static int make_heap_buf(void)
{
	struct dma_heap_allocation_data data = {
		.len = SIZE, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap = open("/dev/dma_heap/system", O_RDONLY);

	if (heap < 0 || ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -1;
	close(heap);
	return data.fd;
}

static int command(const char *fmt, int arg)
{
	char cmd[64];
	int fd = open(CTL, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	snprintf(cmd, sizeof(cmd), fmt, arg);
	if (write(fd, cmd, strlen(cmd)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int counts(struct counts *c)
{
	char buf[160] = "";
	FILE *f = fopen(CTL, "r");

	if (!f || !fgets(buf, sizeof(buf), f))
		return -1;
	fclose(f);
	return sscanf(buf, "exporter_map_calls=%d exporter_unmap_calls=%d cached=%d same_table=%d",
		      &c->map, &c->unmap, &c->cached, &c->same) == 4 ? 0 : -1;
}

static void result(int ok, const char *name)
{
	printf("%s %d %s\n", ok ? "ok" : "not ok", ++tests, name);
}

static void show_bufinfo(void)
{
	char line[256];
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "sgt-importer") || strstr(line, "exp_name"))
			printf("# bufinfo: %s", line);
	if (f)
		fclose(f);
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
	printf("KTAP version 1\n1..4\n");
	buf = !strcmp(argv[1], "heap") ? make_heap_buf() : make_udmabuf();
	if (buf < 0) {
		printf("# cannot make a %s dma-buf: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("# %s: 1 MiB dma-buf, fd %d\n", argv[1], buf);

	ret = command("attach %d", buf);
	if (ret || counts(&c)) {
		printf("# attach failed: %s\n", strerror(-ret));
		return 1;
	}
	printf("# attach: exporter map calls %d, table cached: %s\n",
	       c.map, c.cached ? "yes" : "no");
	result(c.map == (cached ? 1 : 0) && c.cached == cached, "attach");
	show_bufinfo();

	ret = command("map %d to", maps);
	if (ret || counts(&c)) {
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

	ret = command("detach", 0);
	if (ret || counts(&c)) {
		printf("# detach failed: %s\n", strerror(-ret));
		return 1;
	}
	printf("# detach: exporter unmap calls %d\n", c.unmap);
	result(c.unmap == (cached || lazy) && c.map == 0, "detach");

	result(command("detach", 0) == -ENOENT && command("attach %d", 9999) == -EBADF,
	       "bad_input_rejected");
	close(buf);
	return 0;
}
