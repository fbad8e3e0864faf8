// SPDX-License-Identifier: GPL-2.0
/*
 * sgt-edu CONFIG N=KIND...: the bytes a real DMA engine (QEMU's edu device,
 * through sgt_edu) moves to and from a dma-buf of each exporter, for the
 * device kinds of this boot. Needs sgt_edu, sgt_mock_exporter (and, for
 * CONFIG module, dma-buf-sgt-cache) loaded.
 *
 *   CONFIG  stock or patched (the kernel's own dma_buf_attach()) | module
 *           (dma_buf_sgt_cache_attach() on a stock kernel)
 *   N=KIND  edu device N (sgt_edu's probe order) is of device kind KIND:
 *           direct, swiotlb, mask, iommu-strict, iommu-lazy, untrusted (a
 *           label for scripts/harness/edu-diff.py, which knows what each must do)
 *
 * Cells: each KIND x exporter (udmabuf, vgem, system, mock-static,
 * mock-skipsync), 64 KiB buffers. Each cell attaches three times, so that no
 * map asks for another direction than its attachment's first: a table that
 * cache_sgt_mapping keeps serves no other (-EBUSY on stock). Per attachment,
 * ROUNDS rounds: DMA_BIDIRECTIONAL, the device reads then writes;
 * DMA_TO_DEVICE, it reads, and then writes into that mapping anyway (the
 * stray write: what the IOMMU lets through); DMA_FROM_DEVICE, it writes.
 * Every transfer has a fresh pattern, 2 KiB, written by the CPU through the
 * buffer's mmap (inside DMA_BUF_IOCTL_SYNC but for udmabuf, whose mmap is of
 * its memfd) and compared by the device's driver, or written by the device
 * and compared through the mmap. One line per cell, a character per transfer
 * (o: the bytes arrived, x: they did not), attachments separated by '/':
 *
 *   # edu: KIND EXPORTER CONFIG bytes=oooooo/ooo/ooo stray=blocked|landed|other
 *     cache=A/B/C calls=M:U/M:U/M:U
 *
 * where A, B and C say, from the exporter's own calls (kprobes), how each
 * attachment was served: attach (mapped once at attach time), lazy
 * (cache_sgt_mapping: mapped at the first map) or none (every map); M and U
 * are the exporter's map and unmap calls from attach to before detach. The
 * KTAP result of a cell fails when a transfer could not run, or when the
 * exporter's calls fit none of the three. Whether the bytes and the cache
 * are right is stock's and the contract's to say: scripts/harness/edu-diff.py
 * compares every cell with the stock kernel's.
 */
#include "sgt-guest.h"

#define EDU_CTL "/sys/kernel/debug/sgt_edu/ctl"
#define SIZE (64 * 1024)
#define BYTES 2048
#define ROUNDS 3

static int verbose = 1;	/* say where the bytes differ (not for stray) */

static const char *const exporters[] = {
	"udmabuf", "vgem", "system", "mock-static", "mock-skipsync",
};

static unsigned char pattern(unsigned int seed, unsigned int i)
{
	return (seed * 131 + i * 7 + (i >> 8)) & 0xff;
}

/* What sgt_edu's ctl reports about the attachment of this phase. */
struct edu_counts {
	int cached, maps, unmaps;
};

static int edu_counts(struct edu_counts *c)
{
	char buf[256];
	const char *p;

	if (ctl_read(EDU_CTL, buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "cached=");
	return p && sscanf(p, "cached=%d exporter_map_calls=%d exporter_unmap_calls=%d",
			   &c->cached, &c->maps, &c->unmaps) == 3 ? 0 : -1;
}

/*
 * The CPU's side: write the pattern of @seed into the first BYTES of @buf
 * (@write) or compare them with it, inside DMA_BUF_IOCTL_SYNC (not for
 * udmabuf: see cpu_access() in sgt-matrix.c; its mmap is of the memfd).
 */
static int cpu_side(int buf, int sync_ok, int write, unsigned int seed)
{
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	unsigned char *p;
	int i, ret = 0;

	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (p == MAP_FAILED)
		return -2;
	if (sync_ok && ioctl(buf, DMA_BUF_IOCTL_SYNC, &sync))
		ret = -2;
	for (i = 0; !ret && i < BYTES; i++) {
		if (write)
			p[i] = pattern(seed, i);
		else if (p[i] != pattern(seed, i))
			ret = -1;
	}
	if (ret == -1 && verbose)
		printf("# seed %u: byte %d is 0x%02x, not 0x%02x\n", seed, i - 1, p[i - 1],
		       pattern(seed, i - 1));
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	if (sync_ok && ioctl(buf, DMA_BUF_IOCTL_SYNC, &sync))
		ret = -2;
	munmap(p, SIZE);
	return ret;
}

static unsigned int seed;

/*
 * One transfer into or out of the device: 'o', 'x', or 0 if it could not
 * run (and why in @why).
 */
static char transfer(int buf, int sync_ok, int todev, const char *dir, const char **why)
{
	int ret;

	seed++;
	if (todev) {
		if (cpu_side(buf, sync_ok, 1, seed)) {
			*why = "the CPU cannot write the buffer";
			return 0;
		}
		ret = ctl(EDU_CTL, "todev %s %u", dir, seed);
		if (ret && ret != -EILSEQ)
			*why = strerror(-ret);
		return ret == 0 ? 'o' : ret == -EILSEQ ? 'x' : 0;
	}
	ret = ctl(EDU_CTL, "fromdev %s %u", dir, seed);
	if (ret) {
		*why = strerror(-ret);
		return 0;
	}
	ret = cpu_side(buf, sync_ok, 0, seed);
	if (ret == -2)
		*why = "the CPU cannot read the buffer";
	return ret == 0 ? 'o' : ret == -1 ? 'x' : 0;
}

/* The device writes into a mapping made for it to read. */
static const char *stray_write(int buf, int sync_ok)
{
	unsigned int before = ++seed, after = ++seed;

	const char *ret;

	if (cpu_side(buf, sync_ok, 1, before) || ctl(EDU_CTL, "stray %u", after))
		return NULL;
	verbose = 0;
	if (!cpu_side(buf, sync_ok, 0, after))
		ret = "landed";
	else
		ret = cpu_side(buf, sync_ok, 0, before) ? "other" : "blocked";
	verbose = 1;
	return ret;
}

/*
 * The exporter's calls over one attachment's life, given the counts after
 * the attach (@at) and after @maps maps (@end): "attach" (mapped once at
 * attach time, never again), "lazy" (cache_sgt_mapping: mapped at the first
 * map, kept), "none" (every map and unmap reached the exporter), or NULL if
 * the calls fit none of these.
 */
static const char *cache_kind(const struct edu_counts *at, const struct edu_counts *end,
			      int maps)
{
	if (at->cached)
		return end->cached && at->maps == 1 && end->maps == 1 && !end->unmaps ?
		       "attach" : NULL;
	if (end->cached)
		return !at->maps && end->maps == 1 && !end->unmaps ? "lazy" : NULL;
	return !at->maps && end->maps == maps && end->unmaps == maps ? "none" : NULL;
}

/*
 * One attachment: ROUNDS transfers of each of @dirs (to, from: the device
 * reads, writes; bidi2: both, DMA_BIDIRECTIONAL), then the stray write if
 * @stray_too. Appends a character per transfer to @bytes; returns why it
 * could not run, or NULL, with the cache's kind in @kind.
 */
static const char *phase(int buf, int sync_ok, const char *mode, const char *dirs,
			 int stray_too, char *bytes, const char **st, const char **kind,
			 struct edu_counts *end_out)
{
	struct edu_counts at, end = { 0 };
	const char *why = NULL;
	int r, maps = 0, n = strlen(bytes);

	if (ctl(EDU_CTL, "attach %d %s", buf, mode) || edu_counts(&at))
		return "cannot attach";
	for (r = 0; r < ROUNDS && !why; r++) {
		if (strcmp(dirs, "from")) {
			bytes[n] = transfer(buf, sync_ok, 1, strcmp(dirs, "to") ? "bidi" : "to",
					    &why);
			n++;
			maps++;
		}
		if (!why && strcmp(dirs, "to")) {
			bytes[n] = transfer(buf, sync_ok, 0, strcmp(dirs, "from") ? "bidi" : "from",
					    &why);
			n++;
			maps++;
		}
	}
	bytes[n] = '\0';
	if (!why && stray_too) {
		*st = stray_write(buf, sync_ok);
		maps++;
		if (!*st)
			why = "the stray write could not run";
	}
	if (!why && edu_counts(&end))
		why = "cannot read the counts";
	if (!why) {
		*kind = cache_kind(&at, &end, maps);
		if (!*kind)
			why = "the exporter's calls fit no cache (attach, lazy, none)";
	}
	*end_out = end;
	ctl(EDU_CTL, "detach");
	return why;
}

/*
 * One cell: three attachments, so that no map asks for another direction
 * than the attachment's first (a table cache_sgt_mapping keeps serves no
 * other direction on stock: -EBUSY), each with its cache kind.
 */
static int cell(const char *config, int dev, const char *kind, const char *exp)
{
	static const char *const dirs[] = { "bidi2", "to", "from" };
	const char *mode = strcmp(config, "module") ? "core" : "module";
	int sync_ok = strcmp(exp, "udmabuf") != 0;
	const char *why = NULL, *st = "-", *kinds[3] = { "-", "-", "-" };
	struct edu_counts calls[3] = { { 0 } };
	char bytes[4 * ROUNDS + 3] = "";
	int buf, p;

	buf = make_buf(exp, SIZE);
	if (buf < 0)
		return result(0, "%s %s %s # cannot make the buffer", kind, exp, config);
	if (ctl(EDU_CTL, "dev %d", dev))
		why = "no such device";
	for (p = 0; p < 3 && !why; p++) {
		why = phase(buf, sync_ok, mode, dirs[p], p == 1, bytes, &st, &kinds[p],
			    &calls[p]);
		if (!why && p < 2)
			strcat(bytes, "/");
	}
	close(buf);
	printf("# edu: %s %s %s bytes=%s stray=%s cache=%s/%s/%s calls=%d:%d/%d:%d/%d:%d\n",
	       kind, exp, config, bytes, st ? st : "-", kinds[0], kinds[1], kinds[2],
	       calls[0].maps, calls[0].unmaps, calls[1].maps, calls[1].unmaps, calls[2].maps,
	       calls[2].unmaps);
	return result(!why, "%s %s %s%s%s", kind, exp, config, why ? " # " : "", why ? why : "");
}

#define MAX_KINDS 8

int main(int argc, char **argv)
{
	int i, e, devs[MAX_KINDS], fails = 0, cells = 0, n = argc - 2;
	char kinds[MAX_KINDS][32];

	if (argc < 3 || n > MAX_KINDS ||
	    (strcmp(argv[1], "stock") && strcmp(argv[1], "patched") &&
	     strcmp(argv[1], "module"))) {
		fprintf(stderr, "usage: sgt-edu stock|patched|module N=KIND... (at most %d)\n",
			MAX_KINDS);
		return 2;
	}
	for (i = 0; i < n; i++) {
		if (sscanf(argv[i + 2], "%d=%31s", &devs[i], kinds[i]) != 2) {
			fprintf(stderr, "sgt-edu: not N=KIND: %s\n", argv[i + 2]);
			return 2;
		}
	}
	vgem_fd = open_vgem();
	printf("KTAP version 1\n1..%d\n", n * (int)ARRAY_SIZE(exporters));
	for (i = 0; i < n; i++)
		for (e = 0; e < (int)ARRAY_SIZE(exporters); e++, cells++)
			fails += !cell(argv[1], devs[i], kinds[i], exporters[e]);
	printf("# sgt-edu: %d cells, %d failed\n", cells, fails);
	return fails ? 1 : 0;
}
