// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel benchmark of dma-buf sg_table caching, run at load time.
 *
 * The exporter is a buffer of real pages (tests/include/sgt-page-buf.h):
 * every map_dma_buf builds an sg_table from the page list and maps it with
 * dma_map_sgtable() for the importing device. The importing device is QEMU's
 * "edu" PCI device when there is one (behind -device intel-iommu the map
 * then does real IOMMU work; with swiotlb=force it bounces, and the series
 * does not cache), else a root device with dma-direct.
 *
 * Variants (param variants=, '+'-separated):
 *   none    per-call map: no_sgt_cache on a patched kernel, a plain
 *           exporter on a stock one
 *   attach  the series: mapped once at attach (patched kernels)
 *   lazy    cache_sgt_mapping: mapped at the first map (stock kernels)
 *   module  dma-buf-sgt-cache.ko on a stock kernel (load it first)
 *
 * Operations, per buffer size (param sizes=, bytes): map_unmap (one map and
 * unmap of an attached buffer), attach_detach, attach_map (attach, first
 * map, unmap, detach). Each is timed with ktime_get_ns() until budget_ms
 * has passed (at least 5, at most 2001 samples; map_unmap: at least 5 and
 * at most 400 on each attachment); the median is printed. A map_unmap
 * sample times a batch of calls and divides, so that a clock read (tens of
 * ns, more under TCG) does not dominate an operation of hundreds: the batch
 * is doubled from 1 until it takes BATCH_NS (at most MAX_BATCH calls),
 * after the warm-up, twice (the first pass also pays for translating the
 * loop under TCG), and is printed with the result. The map_unmap samples
 * are spread over MAP_ATTACHMENTS attachments, each of a dma-buf of its own
 * (the same pages), all live, each timed for its share of the budget in
 * turn: a cached map touches little but its attachment and dma-buf, and
 * under TCG (whose software TLB is direct-mapped) their addresses can make
 * every map of them slower; the median of all samples does not follow one
 * such pair. The medians of the slowest and fastest attachment are printed
 * as spread=. Then, for the caching variants, the
 * memory held by 1, 16, 256 and 1024 cached attachments of one 1 MiB buffer:
 * sg_table plus scatterlist bytes (ksize() of each allocation) and bytes
 * kept DMA-mapped.
 *
 * Teardown (param teardown=N, with the one-page size, for the module: the
 * only variant with bookkeeping of its own): N attachments of one
 * buffer whose exporter builds a one-entry table without mapping it (N
 * mappings of one page would trip DMA-API debugging), then detached newest
 * first, each detach timed: the 10th percentile of the first tenth (nearly
 * N attachments live) over that of the last tenth (a few live) must stay
 * below TEARDOWN_MAX_RATIO, or the variant fails: bookkeeping whose cost
 * grows with the number of attachments shows here. (A percentile, not the
 * median: the host's load changes between the two tenths; see low_of().)
 * The host's load also changes how fast the vCPU runs at all (QEMU's TCG
 * shares the host's cores and caches with the other guests and builds), so
 * each detach is followed by a fixed amount of work that depends on nothing
 * the detaches change (reference_ns()), and the ratio is that of the two
 * tenths' detach costs, each over the same tenth's reference.
 *
 * Output lines, for scripts/bench.sh:
 *   sgt_bench: setup=S variant=V op=O size=N median_ns=T samples=K batch=B
 *              [spread=LO-HI: op=map_unmap]
 *   sgt_bench: setup=S variant=V op=memory attachments=N table_bytes=B mapped_bytes=M
 *   sgt_bench: setup=S variant=V op=teardown attachments=N first_ns=F last_ns=L ratio=R.RR
 *              ref_first_ns=RF ref_last_ns=RL   (ratio: (F / RF) / (L / RL))
 * and KTAP, one result per variant.
 */
#include <linux/device.h>
#include <linux/dma-buf-sgt-cache.h>
#include <linux/jhash.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/swiotlb.h>
#include <sgt-page-buf.h>
#include <sgt-root-dev.h>
#include <sgt-test-mock.h>

MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS);

/* Lists are separated by '+' (the harness's command line takes ','). */
static char *variants = "none+attach";
module_param(variants, charp, 0444);
MODULE_PARM_DESC(variants, "none, attach, lazy, module ('+'-separated)");
static char *sizes = "4096+65536+1048576+16777216+268435456";
module_param(sizes, charp, 0444);
MODULE_PARM_DESC(sizes, "buffer sizes in bytes ('+'-separated)");
/*
 * DMA-API debugging (on the debug kernels make check loads this on) warns
 * beyond 7 overlapping mappings of a cacheline, and every cached attachment
 * of one buffer holds one: make check passes attachments=1+7.
 */
static char *attachments = "1+16+256+1024";
module_param(attachments, charp, 0444);
MODULE_PARM_DESC(attachments, "cached attachments of one 1 MiB buffer to measure ('+'-separated; empty: none)");
static unsigned int teardown = 10000;
module_param(teardown, uint, 0444);
MODULE_PARM_DESC(teardown, "attachments to detach, newest first, timing each (0: none)");
static unsigned int budget_ms = 100;
module_param(budget_ms, uint, 0444);
MODULE_PARM_DESC(budget_ms, "time spent on each measurement");

#define MAX_SAMPLES 2001
#define MIN_SAMPLES 5
#define BATCH_NS 20000
#define MAX_BATCH 1000
#define MAP_ATTACHMENTS 5
/* Hundredths: a per-detach cost that grows with the attachments fails. */
#define TEARDOWN_MAX_RATIO 125
/* jhash2() rounds over 64 words: about a detach's cost under TCG */
#define REFERENCE_ROUNDS 8

static struct device *bench_dev;
static const char *bench_setup = "dma-direct";
static u64 *samples;

/*
 * Like drm_gem_map_dma_buf(), with DMA_ATTR_SKIP_CPU_SYNC (no difference to
 * the cost on x86, which is coherent): up to 1024 attachments keep
 * overlapping mappings of one buffer, which DMA-API debugging reports
 * otherwise (see tests/faults).
 */
static struct sg_table *bench_map(struct dma_buf_attachment *attach,
				  enum dma_data_direction dir)
{
	return sgt_page_buf_map(attach->dmabuf->priv, attach->dev, dir,
				DMA_ATTR_SKIP_CPU_SYNC);
}

static void bench_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
			enum dma_data_direction dir)
{
	sgt_page_buf_unmap(attach->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
}

/* The pages outlive the dma-buf: every variant maps the same ones. */
static void bench_release(struct dma_buf *dmabuf)
{
}

static const struct dma_buf_ops bench_plain_ops = {
	.map_dma_buf = bench_map,
	.unmap_dma_buf = bench_unmap,
	.release = bench_release,
};

#if DMA_BUF_SGT_CACHE_LAZY
static const struct dma_buf_ops bench_lazy_ops = {
	.cache_sgt_mapping = true,
	.map_dma_buf = bench_map,
	.unmap_dma_buf = bench_unmap,
	.release = bench_release,
};
#else
/* Never used: skip_reason() rules "lazy" out where there is no flag. */
#define bench_lazy_ops bench_plain_ops
#endif

/* For teardown: a table per map, mapped for nothing. */
static struct sg_table *bench_table_map(struct dma_buf_attachment *attach,
					enum dma_data_direction dir)
{
	return sgt_test_mock_table(PAGE_SIZE);
}

static const struct dma_buf_ops bench_table_ops = {
	.map_dma_buf = bench_table_map,
	.unmap_dma_buf = sgt_test_mock_unmap,
	.release = bench_release,
};

#if DMA_BUF_SGT_CACHE_IN_CORE
static const struct dma_buf_ops bench_nocache_ops = {
	.no_sgt_cache = true,
	.map_dma_buf = bench_map,
	.unmap_dma_buf = bench_unmap,
	.release = bench_release,
};
#else
#define bench_nocache_ops bench_plain_ops
#endif

static bool use_module(const char *variant)
{
	return !strcmp(variant, "module");
}

static struct dma_buf_attachment *attach(const char *v, struct dma_buf *dmabuf)
{
	return use_module(v) ? dma_buf_sgt_cache_attach(dmabuf, bench_dev) :
			       dma_buf_attach(dmabuf, bench_dev);
}

static void detach(const char *v, struct dma_buf *dmabuf,
		   struct dma_buf_attachment *a)
{
	if (use_module(v))
		dma_buf_sgt_cache_detach(dmabuf, a);
	else
		dma_buf_detach(dmabuf, a);
}

/*
 * One map and unmap, as this kernel's static importers do, or through the
 * module's calls (@module). A flag, not the variant's name: the timed loop
 * must not compare strings, which costs more for "module" (a full match)
 * than for the other names (a mismatch at the first character).
 */
static int map_unmap(bool module, struct dma_buf_attachment *a)
{
	struct sg_table *sgt;

	sgt = module ? dma_buf_sgt_cache_map(a, DMA_BIDIRECTIONAL) :
		       dma_buf_sgt_cache_core_map(a, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	if (module)
		dma_buf_sgt_cache_unmap(a, sgt, DMA_BIDIRECTIONAL);
	else
		dma_buf_sgt_cache_core_unmap(a, sgt, DMA_BIDIRECTIONAL);
	return 0;
}

static struct dma_buf *export(const char *v, struct sgt_page_buf *buf)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);

	exp_info.ops = !strcmp(v, "none") ? &bench_nocache_ops :
		       !strcmp(v, "lazy") ? &bench_lazy_ops : &bench_plain_ops;
	exp_info.size = buf->npages << PAGE_SHIFT;
	exp_info.priv = buf;
	return dma_buf_export(&exp_info);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median_of(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	return v[n / 2];
}

/*
 * The 10th percentile: a vCPU that the host deschedules (guests and builds
 * share the host's cores) makes some samples long, and how many changes
 * as the host's load does; the fast ones are the operation's own cost.
 */
static u64 low_of(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	return v[n / 10];
}

enum bench_op { OP_MAP_UNMAP, OP_ATTACH_DETACH, OP_ATTACH_MAP };
static const char * const op_names[] = { "map_unmap", "attach_detach", "attach_map" };

/*
 * Time one map and unmap of @a, in batches, until @budget ns are spent or
 * @max samples are taken; store them at @out and return how many, or an
 * error.
 */
static int time_map_unmap(bool module, struct dma_buf_attachment *a,
			  unsigned int batch, u64 budget, u64 *out,
			  unsigned int max)
{
	unsigned int n = 0, i;
	u64 spent = 0, t0, t;
	int ret = 0;

	while (!ret && n < max && (spent < budget || n < MIN_SAMPLES)) {
		t0 = ktime_get_ns();
		for (i = 0; !ret && i < batch; i++)
			ret = map_unmap(module, a);
		t = ktime_get_ns() - t0;
		spent += t;
		out[n++] = div_u64(t, batch);
		cond_resched();
	}
	return ret ?: n;
}

/*
 * map_unmap on MAP_ATTACHMENTS live attachments, one each of @dmabuf and of
 * MAP_ATTACHMENTS - 1 more dma-bufs of the same pages, each for its share of
 * the budget in turn; print the median of all samples, and the lowest and
 * highest median of one attachment.
 */
static int measure_map_unmap(const char *v, struct dma_buf *dmabuf)
{
	u64 budget = (u64)budget_ms * NSEC_PER_MSEC / MAP_ATTACHMENTS, t0, t;
	struct dma_buf_attachment *a[MAP_ATTACHMENTS];
	struct dma_buf *bufs[MAP_ATTACHMENTS];
	unsigned int n = 0, batch = 1, k, got = 0, pass;
	bool module = use_module(v);
	u64 lo = U64_MAX, hi = 0, med;
	int ret = 0;

	for (; got < MAP_ATTACHMENTS; got++) {
		bufs[got] = got ? export(v, dmabuf->priv) : dmabuf;
		if (IS_ERR(bufs[got])) {
			ret = PTR_ERR(bufs[got]);
			break;
		}
		a[got] = attach(v, bufs[got]);
		if (IS_ERR(a[got])) {
			ret = PTR_ERR(a[got]);
			if (got)
				dma_buf_put(bufs[got]);
			break;
		}
		ret = map_unmap(module, a[got]);	/* warm up; lazy caches here */
		if (ret) {
			got++;
			break;
		}
	}
	/*
	 * The batch: doubled until it takes BATCH_NS (or is MAX_BATCH), twice:
	 * the first pass also runs this loop for the first time, which under
	 * TCG includes translating it and can take BATCH_NS in one call.
	 */
	for (pass = 0; !ret && pass < 2; pass++) {
		for (batch = 1; !ret; batch *= 2) {
			t0 = ktime_get_ns();
			for (k = 0; !ret && k < batch; k++)
				ret = map_unmap(module, a[0]);
			t = ktime_get_ns() - t0;
			if (t >= BATCH_NS || batch * 2 > MAX_BATCH)
				break;
		}
	}
	for (k = 0; !ret && k < MAP_ATTACHMENTS; k++) {
		ret = time_map_unmap(module, a[k], batch, budget, samples + n,
				     MAX_SAMPLES / MAP_ATTACHMENTS);
		if (ret < 0)
			break;
		/* one attachment's median (sorting its own samples only) */
		med = median_of(samples + n, ret);
		lo = min(lo, med);
		hi = max(hi, med);
		n += ret;
		ret = 0;
	}
	while (got) {
		got--;
		detach(v, bufs[got], a[got]);
		if (got)
			dma_buf_put(bufs[got]);
	}
	if (ret)
		return ret;
	pr_info("sgt_bench: setup=%s variant=%s op=%s size=%zu median_ns=%llu samples=%u batch=%u spread=%llu-%llu\n",
		bench_setup, v, op_names[OP_MAP_UNMAP], dmabuf->size, median_of(samples, n), n,
		batch, lo, hi);
	return 0;
}

/* Time @op on @dmabuf until the budget is spent; print the median. */
static int measure(const char *v, struct dma_buf *dmabuf, enum bench_op op)
{
	u64 budget = (u64)budget_ms * NSEC_PER_MSEC, spent = 0, t0, t;
	struct dma_buf_attachment *b;
	unsigned int n = 0;
	int ret = 0;

	if (op == OP_MAP_UNMAP)
		return measure_map_unmap(v, dmabuf);
	while (!ret && n < MAX_SAMPLES && (spent < budget || n < MIN_SAMPLES)) {
		t0 = ktime_get_ns();
		b = attach(v, dmabuf);
		if (IS_ERR(b)) {
			ret = PTR_ERR(b);
			break;
		}
		if (op == OP_ATTACH_MAP)
			ret = map_unmap(use_module(v), b);
		detach(v, dmabuf, b);
		t = ktime_get_ns() - t0;
		spent += t;
		samples[n++] = t;
		cond_resched();
	}
	if (ret)
		return ret;
	pr_info("sgt_bench: setup=%s variant=%s op=%s size=%zu median_ns=%llu samples=%u batch=1\n",
		bench_setup, v, op_names[op], dmabuf->size, median_of(samples, n), n);
	return 0;
}

/*
 * Allocated bytes of a table: the sg_table and each scatterlist chunk, walked
 * as __sg_free_table() walks them. A full chunk (SG_MAX_SINGLE_ALLOC entries,
 * the last one chaining to the next chunk) is a page of sg_kmalloc()'s from
 * the page allocator, which ksize() does not know; a shorter one is kmalloc'd.
 */
static size_t table_bytes(struct sg_table *sgt)
{
	struct scatterlist *chunk = sgt->sgl;
	unsigned int left = sgt->orig_nents;
	size_t bytes = ksize(sgt);

	while (left) {
		unsigned int n = min_t(unsigned int, left, SG_MAX_SINGLE_ALLOC);

		bytes += n == SG_MAX_SINGLE_ALLOC ? PAGE_SIZE : ksize(chunk);
		if (left <= SG_MAX_SINGLE_ALLOC)
			break;
		left -= n - 1;
		chunk = sg_chain_ptr(&chunk[n - 1]);
	}
	return bytes;
}

/*
 * @count attachments of @dmabuf into @a, each mapped once for the lazy
 * variant (which caches at its first map). Return: how many were made,
 * all to be detached, an error or 0 in @err.
 */
static unsigned int attach_many(const char *v, struct dma_buf *dmabuf,
				struct dma_buf_attachment **a, unsigned int count,
				int *err)
{
	unsigned int n;

	*err = 0;
	for (n = 0; n < count; n++) {
		a[n] = attach(v, dmabuf);
		if (IS_ERR(a[n])) {
			*err = PTR_ERR(a[n]);
			break;
		}
		if (!strcmp(v, "lazy"))
			*err = map_unmap(use_module(v), a[n]);
		if (*err)
			return n + 1;
		cond_resched();
	}
	return n;
}

/*
 * What @count cached attachments of one buffer hold: a table cached at
 * attach time, or (lazy) at the first map. An attachment left without a
 * table is an error, not a measurement.
 */
static int held(const char *v, struct sgt_page_buf *buf, unsigned int count)
{
	struct dma_buf_attachment **a;
	struct dma_buf *dmabuf;
	size_t bytes = 0, mapped = 0;
	unsigned int i, n;
	int ret = 0;

	a = kvcalloc(count, sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	dmabuf = export(v, buf);
	if (IS_ERR(dmabuf)) {
		kvfree(a);
		return PTR_ERR(dmabuf);
	}
	n = attach_many(v, dmabuf, a, count, &ret);
	for (i = 0; !ret && i < n; i++) {
		if (!dma_buf_sgt_cache_table(a[i])) {
			pr_err("sgt_bench: variant %s: attachment %u of %u holds no table\n",
			       v, i + 1, count);
			ret = -EPROTO;
			break;
		}
		bytes += table_bytes(dma_buf_sgt_cache_table(a[i]));
		mapped += dmabuf->size;
	}
	for (i = 0; i < n; i++)
		detach(v, dmabuf, a[i]);
	dma_buf_put(dmabuf);
	kvfree(a);
	if (!ret)
		pr_info("sgt_bench: setup=%s variant=%s op=memory attachments=%u table_bytes=%zu mapped_bytes=%zu\n",
			bench_setup, v, count, bytes, mapped);
	return ret;
}

/*
 * The time of a fixed amount of CPU work that touches no allocator, lock or
 * table of the module or the core: how fast the vCPU runs right now.
 */
static u64 reference_ns(void)
{
	u32 words[64], h = 0;
	unsigned int k;
	u64 t0;

	for (k = 0; k < ARRAY_SIZE(words); k++)
		words[k] = k;
	t0 = ktime_get_ns();
	for (k = 0; k < REFERENCE_ROUNDS; k++)
		h = jhash2(words, ARRAY_SIZE(words), h);
	barrier_data(&h);
	return ktime_get_ns() - t0;
}

/* @count attachments of one buffer, then each detach timed, newest first. */
static int teardown_cost(const char *v, unsigned int count)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	unsigned int i, n, tenth = count / 10;
	struct dma_buf_attachment **a;
	struct dma_buf *dmabuf;
	u64 first, last, rfirst, rlast, ratio, t0, *t, *r;
	int ret = 0;

	if (tenth < MIN_SAMPLES)
		return -EINVAL;
	a = kvcalloc(count, sizeof(*a), GFP_KERNEL);
	t = kvcalloc(count, sizeof(*t), GFP_KERNEL);
	r = kvcalloc(count, sizeof(*r), GFP_KERNEL);
	exp_info.ops = &bench_table_ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = &teardown;	/* unused, but the core wants one */
	dmabuf = a && t && r ? dma_buf_export(&exp_info) : ERR_PTR(-ENOMEM);
	if (IS_ERR(dmabuf)) {
		kvfree(a);
		kvfree(t);
		kvfree(r);
		return PTR_ERR(dmabuf);
	}
	n = attach_many(v, dmabuf, a, count, &ret);
	for (i = n; i-- > 0;) {
		t0 = ktime_get_ns();
		detach(v, dmabuf, a[i]);
		t[n - 1 - i] = ktime_get_ns() - t0;
		r[n - 1 - i] = reference_ns();
		cond_resched();
	}
	dma_buf_put(dmabuf);
	kvfree(a);
	if (!ret) {
		first = low_of(t, tenth);
		last = max(low_of(t + count - tenth, tenth), 1ULL);
		rfirst = max(low_of(r, tenth), 1ULL);
		rlast = low_of(r + count - tenth, tenth);
		ratio = div64_u64(first * rlast * 100, last * rfirst);
		pr_info("sgt_bench: setup=%s variant=%s op=teardown attachments=%u first_ns=%llu last_ns=%llu ratio=%llu.%02llu ref_first_ns=%llu ref_last_ns=%llu\n",
			bench_setup, v, count, first, last, ratio / 100, ratio % 100,
			rfirst, rlast);
		if (ratio > TEARDOWN_MAX_RATIO) {
			pr_err("sgt_bench: variant %s: a detach with %u attachments live costs %llu ns (reference %llu ns), with %u %llu ns (reference %llu ns)\n",
			       v, count, first, rfirst, tenth, last, rlast);
			ret = -ERANGE;
		}
	}
	kvfree(t);
	kvfree(r);
	return ret;
}

/* Every operation on @buf for variant @v, then what it holds if it caches. */
static int run_variant(const char *v, struct sgt_page_buf *buf, bool memory)
{
	struct dma_buf *dmabuf = export(v, buf);
	const char *p = attachments;
	unsigned int count;
	enum bench_op op;
	int ret = 0, len;

	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	for (op = OP_MAP_UNMAP; !ret && op <= OP_ATTACH_MAP; op++)
		ret = measure(v, dmabuf, op);
	dma_buf_put(dmabuf);
	if (!ret && teardown && use_module(v) && buf->npages == 1)
		ret = teardown_cost(v, teardown);
	while (memory && !ret && strcmp(v, "none") && sscanf(p, "%u%n", &count, &len) == 1) {
		p += len;
		if (*p == '+')
			p++;
		ret = count ? held(v, buf, count) : -EINVAL;
	}
	return ret;
}

/* Why @v cannot be measured on this kernel, or NULL. */
static const char *skip_reason(const char *v)
{
	if (!strcmp(v, "none"))
		return NULL;
	if (!strcmp(v, "attach"))
		return DMA_BUF_SGT_CACHE_IN_CORE ? NULL : "needs the series";
	if (!strcmp(v, "lazy") && !DMA_BUF_SGT_CACHE_LAZY)
		return "needs cache_sgt_mapping (gone since v6.16)";
	return DMA_BUF_SGT_CACHE_IN_CORE ? "needs a kernel without the series" : NULL;
}

static bool known_variant(const char *v)
{
	return !strcmp(v, "none") || !strcmp(v, "attach") || !strcmp(v, "lazy") ||
	       !strcmp(v, "module");
}

/*
 * Sizes outside, variants inside: each size's pages are allocated once and
 * every variant maps the very same pages (how contiguous they happen to be
 * decides the table's length, and so the cost of a map).
 */
static int run(void)
{
	int i, n = 1, ret[8] = {};
	struct sgt_page_buf *buf;
	const char *p = sizes;
	char *list, *cur, *v;
	unsigned long size;
	bool memory;
	int len;

	for (cur = variants; *cur; cur++)
		n += *cur == '+';
	list = kstrdup(variants, GFP_KERNEL);
	samples = kcalloc(MAX_SAMPLES, sizeof(*samples), GFP_KERNEL);
	if (!list || !samples || n > ARRAY_SIZE(ret)) {
		kfree(list);
		kfree(samples);
		return list && samples ? -EINVAL : -ENOMEM;
	}
	while (sscanf(p, "%lu%n", &size, &len) == 1) {
		p += len;
		if (*p == '+')
			p++;
		buf = sgt_page_buf_alloc(PAGE_ALIGN(size));
		if (!buf) {
			for (i = 0; i < n; i++)
				ret[i] = ret[i] ?: -ENOMEM;
			break;
		}
		memory = size == SZ_1M;	/* held by N attachments of 1 MiB */
		strscpy(list, variants, strlen(variants) + 1);
		for (cur = list, i = 0; (v = strsep(&cur, "+")); i++)
			if (!ret[i] && known_variant(v) && !skip_reason(v))
				ret[i] = run_variant(v, buf, memory);
		sgt_page_buf_free(buf);
	}

	pr_info("KTAP version 1\n");
	pr_info("1..%d\n", n);
	strscpy(list, variants, strlen(variants) + 1);
	for (cur = list, i = 0; (v = strsep(&cur, "+")); i++) {
		if (!known_variant(v))
			pr_info("not ok %d %s # unknown variant\n", i + 1, v);
		else if (skip_reason(v))
			pr_info("ok %d %s # SKIP %s\n", i + 1, v, skip_reason(v));
		else if (ret[i])
			pr_info("# %s: error %d\nnot ok %d %s\n", v, ret[i], i + 1, v);
		else
			pr_info("ok %d %s\n", i + 1, v);
	}
	kfree(list);
	kfree(samples);
	return 0;
}

static int bench_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret = pcim_enable_device(pdev);

	if (ret)
		return ret;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	/* As long as the DMA layer maps in one go: swiotlb's slots are short. */
	dma_set_max_seg_size(&pdev->dev,
			     min_t(size_t, UINT_MAX, dma_max_mapping_size(&pdev->dev)));
	bench_dev = &pdev->dev;
	return 0;
}

static const struct pci_device_id bench_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },	/* QEMU's edu */
	{ }
};

static struct pci_driver bench_driver = {
	.name = "sgt_bench",
	.id_table = bench_ids,
	.probe = bench_probe,
};

static struct sgt_root_dev bench_root;

static int __init sgt_bench_init(void)
{
	struct device *root = NULL;
	int ret = pci_register_driver(&bench_driver);

	if (ret)
		return ret;
	if (bench_dev) {
		if (device_iommu_mapped(bench_dev))
			bench_setup = "edu+iommu";
		else if (is_swiotlb_force_bounce(bench_dev))
			bench_setup = "edu+swiotlb";
		else
			bench_setup = "edu";
	} else {
		ret = sgt_root_dev_register(&bench_root, "sgt-bench");
		if (ret) {
			pci_unregister_driver(&bench_driver);
			return ret;
		}
		root = bench_root.dev;
		bench_dev = root;
	}
	ret = run();
	if (root)
		root_device_unregister(root);
	pci_unregister_driver(&bench_driver);
	bench_dev = NULL;
	return ret;
}

static void __exit sgt_bench_exit(void)
{
}

module_init(sgt_bench_init);
module_exit(sgt_bench_exit);
MODULE_DESCRIPTION("Benchmark of dma-buf sg_table caching");
MODULE_LICENSE("GPL");
