// SPDX-License-Identifier: GPL-2.0
/*
 * The differential lockdep suite: one case per load (case=NAME). The same
 * case runs on the stock kernel, where every map calls the exporter (the
 * reference), on the patched kernel, and on the stock kernel through
 * dma-buf-sgt-cache.ko (sgt_lockdep_module.ko: this file built with
 * SGT_LOCKDEP_VIA_MODULE). scripts/harness/lockdep-diff.py requires lockdep's
 * verdict on each to be the stock kernel's; tests/lockdep/cases says which
 * cases run where and what stock's verdict is by design. Lockdep reports
 * once per boot, so a case that reports is the last step of its guest.
 *
 *   cached         the importer maps and unmaps under lock I; the exporter's
 *                  map takes lock E; elsewhere E is held while I is taken.
 *                  Cached, the exporter is not called: the 2018 bug class.
 *   cached_clean   the same without E -> I: no report anywhere.
 *   cached_unmap   the same as cached, but E is taken by the exporter's
 *                  unmap, not its map: the cached unmap hides it.
 *   optout         cached's locks, exporter opted out (no_sgt_cache; for the
 *                  module, on its deny list): every map calls it.
 *   dynamic        a dynamic importer of a dynamic exporter, mapping with
 *                  the reservation lock held inside I: never cached.
 *   locked         a static importer holding the reservation lock, then I,
 *                  around dma_buf_map_attachment(); E -> I elsewhere.
 *   i915           the 2018 shape: the importer maps under I ("obj->mm.lock"),
 *                  the exporter's map needs the reservation lock (6.12: the
 *                  core takes it around the map; 6.1: the exporter takes
 *                  it), elsewhere the reservation lock is held while I is
 *                  taken.
 *   nested_same    an exporter's map maps a cached buffer of the same
 *                  exporter (stacked exporters): no report anywhere.
 *   nested_other   the same with a cached buffer of another exporter.
 *   unrelated      importer 1 maps a cached buffer of exporter P under I1; the
 *                  map of an unrelated exporter Q takes E2; E2 -> I1
 *                  elsewhere. No chain joins I1 to E2: no report anywhere.
 *   reclaim        a cached table is unmapped from memory reclaim (under
 *                  fs_reclaim; 6.12: with the reservation lock trylocked, as
 *                  shrinkers do); the exporter's map allocates with
 *                  GFP_KERNEL. No report anywhere.
 *
 * Every case has locks and exporter ops of its own, so the cases that share
 * a boot cannot close a cycle between them. Each prints KTAP: that it ran,
 * and whether its maps were served from the cache, which must be what the
 * kernel and the exporter imply (a case that does not exercise the cache
 * where it claims to would prove nothing).
 *
 * Built out of tree with conftest.h (conftest.sh --kdir, run by scripts/harness/build-modules.sh).
 */
#include <linux/device.h>
#include <linux/dma-buf-sgt-cache.h>
#include <linux/dma-resv.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <sgt-compat.h>
#include <sgt-test-mock.h>

MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS);

#ifndef SGT_LOCKDEP_VIA_MODULE
#define SGT_LOCKDEP_VIA_MODULE 0
#endif

/* Whether a static importer's maps of a cacheable exporter are cached. */
#define SGT_LOCKDEP_CACHING (DMA_BUF_SGT_CACHE_IN_CORE || SGT_LOCKDEP_VIA_MODULE)

static char *test_case = "cached_clean";
module_param_named(case, test_case, charp, 0444);
MODULE_PARM_DESC(case, "the case to run (see the top of sgt_lockdep.c)");

/* A buffer of the mock exporter: what its map does, and its calls. */
struct lx_buf {
	struct mutex *map_lock;		/* taken and released by its map */
	struct mutex *unmap_lock;	/* taken and released by its unmap */
	bool map_takes_resv;
	struct dma_buf_attachment *nested;
	int map_calls;
};

/*
 * The importer's calls: the core's own (stock: the reference; patched: the
 * series), or dma-buf-sgt-cache.ko's.
 */
static struct dma_buf_attachment *lx_attach(struct dma_buf *dmabuf,
					    struct device *dev)
{
	if (SGT_LOCKDEP_VIA_MODULE)
		return dma_buf_sgt_cache_attach(dmabuf, dev);
	return dma_buf_attach(dmabuf, dev);
}

static struct sg_table *lx_map(struct dma_buf_attachment *attach)
{
	if (SGT_LOCKDEP_VIA_MODULE)
		return dma_buf_sgt_cache_map(attach, DMA_TO_DEVICE);
	return dma_buf_sgt_cache_core_map(attach, DMA_TO_DEVICE);
}

static void lx_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt)
{
	if (SGT_LOCKDEP_VIA_MODULE)
		dma_buf_sgt_cache_unmap(attach, sgt, DMA_TO_DEVICE);
	else
		dma_buf_sgt_cache_core_unmap(attach, sgt, DMA_TO_DEVICE);
}

/*
 * The same with the reservation lock held by the caller (since v6.2; the
 * module has these calls only there).
 */
static struct sg_table *lx_map_locked(struct dma_buf_attachment *attach)
{
#if DMA_BUF_SGT_CACHE_LOCKED_MAP
	if (SGT_LOCKDEP_VIA_MODULE)
		return dma_buf_sgt_cache_map_locked(attach, DMA_TO_DEVICE);
#endif
	return dma_buf_map_attachment(attach, DMA_TO_DEVICE);
}

static void lx_unmap_locked(struct dma_buf_attachment *attach, struct sg_table *sgt)
{
#if DMA_BUF_SGT_CACHE_LOCKED_MAP
	if (SGT_LOCKDEP_VIA_MODULE) {
		dma_buf_sgt_cache_unmap_locked(attach, sgt, DMA_TO_DEVICE);
		return;
	}
#endif
	dma_buf_unmap_attachment(attach, sgt, DMA_TO_DEVICE);
}

static void lx_detach(struct dma_buf_attachment *attach)
{
	if (SGT_LOCKDEP_VIA_MODULE)
		dma_buf_sgt_cache_detach(attach->dmabuf, attach);
	else
		dma_buf_detach(attach->dmabuf, attach);
}

/*
 * Map and unmap a cached buffer from inside an exporter's map. On 6.2+ the
 * outer buffer's reservation lock is held there, so the inner one is
 * trylocked, as TTM's eviction does, and mapped with the locked calls.
 */
static void lx_map_nested(struct dma_buf_attachment *inner)
{
	struct sg_table *sgt;

	if (DMA_BUF_SGT_CACHE_LOCKED_MAP) {
		if (!dma_resv_trylock(inner->dmabuf->resv))
			return;
		sgt = lx_map_locked(inner);
		if (!IS_ERR(sgt))
			lx_unmap_locked(inner, sgt);
		dma_resv_unlock(inner->dmabuf->resv);
		return;
	}
	sgt = lx_map(inner);
	if (!IS_ERR(sgt))
		lx_unmap(inner, sgt);
}

static struct sg_table *lx_exporter_map(struct dma_buf_attachment *attach,
					enum dma_data_direction dir)
{
	struct lx_buf *b = attach->dmabuf->priv;

	b->map_calls++;
	if (b->map_lock) {
		mutex_lock(b->map_lock);
		mutex_unlock(b->map_lock);
	}
	if (b->map_takes_resv) {
		dma_resv_lock(attach->dmabuf->resv, NULL);
		dma_resv_unlock(attach->dmabuf->resv);
	}
	if (b->nested)
		lx_map_nested(b->nested);
	return sgt_test_mock_table(PAGE_SIZE);
}

static void lx_exporter_unmap(struct dma_buf_attachment *attach,
			      struct sg_table *sgt, enum dma_data_direction dir)
{
	struct lx_buf *b = attach->dmabuf->priv;

	if (b->unmap_lock) {
		mutex_lock(b->unmap_lock);
		mutex_unlock(b->unmap_lock);
	}
	sgt_test_mock_unmap(attach, sgt, dir);
}

static int lx_exporter_pin(struct dma_buf_attachment *attach)
{
	return 0;
}

static void lx_exporter_unpin(struct dma_buf_attachment *attach)
{
}

/* One ops per role: each exporter gets lock classes of its own. */
#define LX_OPS(name)						\
static const struct dma_buf_ops name = {			\
	.map_dma_buf = lx_exporter_map,				\
	.unmap_dma_buf = lx_exporter_unmap,			\
	.release = sgt_test_mock_release,			\
}

LX_OPS(lx_ops_cached);
LX_OPS(lx_ops_clean);
LX_OPS(lx_ops_unmap);
LX_OPS(lx_ops_locked);
LX_OPS(lx_ops_i915);
LX_OPS(lx_ops_outer);
LX_OPS(lx_ops_inner);
LX_OPS(lx_ops_unrelated_p);
LX_OPS(lx_ops_unrelated_q);
LX_OPS(lx_ops_reclaim);

/*
 * The module's deny list names it by exp_name: the name of the contract
 * suite's opted-out mock, so that one name denies both (scripts/check.sh).
 */
#define LX_OPTOUT_NAME "sgt-cache-mock-no-cache"

static const struct dma_buf_ops lx_ops_optout = {
#if DMA_BUF_SGT_CACHE_IN_CORE
	.no_sgt_cache = true,
#endif
	.map_dma_buf = lx_exporter_map,
	.unmap_dma_buf = lx_exporter_unmap,
	.release = sgt_test_mock_release,
};

static const struct dma_buf_ops lx_ops_dynamic = {
	.pin = lx_exporter_pin,
	.unpin = lx_exporter_unpin,
	.map_dma_buf = lx_exporter_map,
	.unmap_dma_buf = lx_exporter_unmap,
	.release = sgt_test_mock_release,
};

static void lx_move_notify(struct dma_buf_attachment *attach)
{
}

static const struct dma_buf_attach_ops lx_importer_ops = {
	.SGT_TEST_INVALIDATE = lx_move_notify,
};

static struct device *lx_dev;

/* The case's checks, printed as KTAP once it has run. */
#define LX_CHECKS_MAX 8
static struct {
	bool ok;
	const char *part;
	const char *claim;
} lx_checks[LX_CHECKS_MAX];
static int lx_nchecks;

static void lx_ok(bool ok, const char *part, const char *claim)
{
	if (WARN_ON(lx_nchecks == LX_CHECKS_MAX))
		return;
	lx_checks[lx_nchecks].ok = ok;
	lx_checks[lx_nchecks].part = part;
	lx_checks[lx_nchecks].claim = claim;
	lx_nchecks++;
}

static struct dma_buf *lx_export(const struct dma_buf_ops *ops,
				 struct lx_buf *b, const char *name)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);

	exp_info.ops = ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = b;
	if (name)
		exp_info.exp_name = name;
	return dma_buf_export(&exp_info);
}

/* Export a buffer of @ops and attach the importer's device to it. */
static struct dma_buf_attachment *lx_new(const struct dma_buf_ops *ops,
					 struct lx_buf *b, const char *name)
{
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;

	dmabuf = lx_export(ops, b, name);
	if (IS_ERR(dmabuf))
		return ERR_CAST(dmabuf);
	attach = lx_attach(dmabuf, lx_dev);
	if (IS_ERR(attach))
		dma_buf_put(dmabuf);
	return attach;
}

/* Detach @attach and drop its buffer. */
static void lx_free(struct dma_buf_attachment *attach)
{
	struct dma_buf *dmabuf = attach->dmabuf;

	lx_detach(attach);
	dma_buf_put(dmabuf);
}

/*
 * The importer side of most cases: attach, then map and unmap while holding
 * @held (and first the reservation lock when @resv_first); the exporter's
 * map calls made meanwhile tell whether the map was served from the cache.
 * @what names the importer in the KTAP lines.
 */
static int lx_import(const struct dma_buf_ops *ops, const char *name,
		     struct lx_buf *b, struct mutex *held, bool resv_first,
		     bool expect_cached, const char *what)
{
	struct dma_buf_attachment *attach;
	struct dma_resv *resv;
	struct sg_table *sgt;
	int calls;

	attach = lx_new(ops, b, name);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	resv = attach->dmabuf->resv;

	calls = b->map_calls;
	if (resv_first) {
		dma_resv_lock(resv, NULL);
		mutex_lock(held);
		sgt = lx_map_locked(attach);
		if (!IS_ERR(sgt))
			lx_unmap_locked(attach, sgt);
		mutex_unlock(held);
		dma_resv_unlock(resv);
	} else {
		mutex_lock(held);
		sgt = lx_map(attach);
		if (!IS_ERR(sgt))
			lx_unmap(attach, sgt);
		mutex_unlock(held);
	}
	lx_ok(!IS_ERR(sgt), what, "mapped");
	lx_ok((b->map_calls == calls) == expect_cached, what,
	      expect_cached ? "served_from_cache" : "exporter_called");
	lx_free(attach);
	return 0;
}

/* Record outer -> inner: take @outer, then @inner. */
static void lx_order(struct mutex *outer, struct mutex *inner)
{
	mutex_lock(outer);
	mutex_lock(inner);
	mutex_unlock(inner);
	mutex_unlock(outer);
}

/*
 * The exporter's map takes @exporter_lock (E); the importer maps while
 * holding @importer_lock (I), after the reservation lock when @resv_first;
 * with @invert, E is held elsewhere while I is taken. Each case defines its
 * own two locks: lock classes of its own.
 */
static int lx_pair(const struct dma_buf_ops *ops, const char *name,
		   struct mutex *importer_lock, struct mutex *exporter_lock,
		   bool invert, bool resv_first, bool expect_cached)
{
	struct lx_buf b = { .map_lock = exporter_lock };

	if (invert)
		lx_order(exporter_lock, importer_lock);
	return lx_import(ops, name, &b, importer_lock, resv_first,
			 expect_cached, "importer");
}

static int lx_case_cached(void)
{
	static DEFINE_MUTEX(importer_lock);
	static DEFINE_MUTEX(exporter_lock);

	return lx_pair(&lx_ops_cached, NULL, &importer_lock, &exporter_lock,
		       true, false, SGT_LOCKDEP_CACHING);
}

static int lx_case_cached_clean(void)
{
	static DEFINE_MUTEX(clean_importer_lock);
	static DEFINE_MUTEX(clean_exporter_lock);

	return lx_pair(&lx_ops_clean, NULL, &clean_importer_lock,
		       &clean_exporter_lock, false, false, SGT_LOCKDEP_CACHING);
}

static int lx_case_cached_unmap(void)
{
	static DEFINE_MUTEX(unmap_importer_lock);
	static DEFINE_MUTEX(unmap_exporter_lock);
	struct lx_buf b = { .unmap_lock = &unmap_exporter_lock };

	lx_order(&unmap_exporter_lock, &unmap_importer_lock);
	return lx_import(&lx_ops_unmap, NULL, &b, &unmap_importer_lock, false,
			 SGT_LOCKDEP_CACHING, "importer");
}

static int lx_case_optout(void)
{
	static DEFINE_MUTEX(optout_importer_lock);
	static DEFINE_MUTEX(optout_exporter_lock);

	return lx_pair(&lx_ops_optout, LX_OPTOUT_NAME, &optout_importer_lock,
		       &optout_exporter_lock, true, false, false);
}

static int lx_case_locked(void)
{
	static DEFINE_MUTEX(locked_importer_lock);
	static DEFINE_MUTEX(locked_exporter_lock);

	return lx_pair(&lx_ops_locked, NULL, &locked_importer_lock,
		       &locked_exporter_lock, true, true,
		       DMA_BUF_SGT_CACHE_IN_CORE);
}

static int lx_case_i915(void)
{
	static DEFINE_MUTEX(mm_lock);
	struct lx_buf b = { .map_takes_resv = !DMA_BUF_SGT_CACHE_LOCKED_MAP };
	struct dma_resv *resv;
	struct dma_buf *dmabuf;

	/* Elsewhere the object's reservation lock is held while I is taken. */
	dmabuf = lx_export(&lx_ops_i915, &b, NULL);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	resv = dmabuf->resv;
	dma_resv_lock(resv, NULL);
	mutex_lock(&mm_lock);
	mutex_unlock(&mm_lock);
	dma_resv_unlock(resv);
	dma_buf_put(dmabuf);

	return lx_import(&lx_ops_i915, NULL, &b, &mm_lock, false,
			 SGT_LOCKDEP_CACHING, "importer");
}

static int lx_case_dynamic(void)
{
	static DEFINE_MUTEX(dynamic_importer_lock);
	static DEFINE_MUTEX(dynamic_exporter_lock);
	struct lx_buf b = { .map_lock = &dynamic_exporter_lock };
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;
	int calls;

	lx_order(&dynamic_exporter_lock, &dynamic_importer_lock);
	dmabuf = lx_export(&lx_ops_dynamic, &b, NULL);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	attach = dma_buf_dynamic_attach(dmabuf, lx_dev, &lx_importer_ops, NULL);
	if (IS_ERR(attach)) {
		dma_buf_put(dmabuf);
		return PTR_ERR(attach);
	}
	calls = b.map_calls;
	mutex_lock(&dynamic_importer_lock);
	dma_resv_lock(dmabuf->resv, NULL);
	sgt = dma_buf_map_attachment(attach, DMA_TO_DEVICE);
	if (!IS_ERR(sgt))
		dma_buf_unmap_attachment(attach, sgt, DMA_TO_DEVICE);
	dma_resv_unlock(dmabuf->resv);
	mutex_unlock(&dynamic_importer_lock);
	lx_ok(!IS_ERR(sgt), "importer", "mapped");
	lx_ok(b.map_calls == calls + 1, "importer", "exporter_called");
	dma_buf_detach(dmabuf, attach);
	dma_buf_put(dmabuf);
	return 0;
}

/*
 * The outer exporter's map maps the inner buffer, whose attachment is made
 * first: on a caching kernel the outer one is mapped at attach time, inside
 * its own exporter's section.
 */
static int lx_case_nested(bool same)
{
	const struct dma_buf_ops *inner_ops = same ? &lx_ops_outer : &lx_ops_inner;
	static DEFINE_MUTEX(outer_importer_lock);
	struct lx_buf inner_b = { }, outer_b = { };
	struct dma_buf_attachment *ia;
	int calls, ret;

	ia = lx_new(inner_ops, &inner_b, NULL);
	if (IS_ERR(ia))
		return PTR_ERR(ia);
	calls = inner_b.map_calls;
	outer_b.nested = ia;
	/* Nothing else takes the outer importer's lock: no cycle to find. */
	ret = lx_import(&lx_ops_outer, NULL, &outer_b,
			&outer_importer_lock, false, SGT_LOCKDEP_CACHING,
			"outer");
	lx_ok((inner_b.map_calls == calls) == SGT_LOCKDEP_CACHING, "inner",
	      SGT_LOCKDEP_CACHING ? "served_from_cache" : "exporter_called");
	lx_free(ia);
	return ret;
}

static int lx_case_unrelated(void)
{
	static DEFINE_MUTEX(importer1_lock);
	static DEFINE_MUTEX(importer2_lock);
	static DEFINE_MUTEX(exporter_q_lock);
	struct lx_buf p = { }, q = { .map_lock = &exporter_q_lock };
	int ret;

	/* Exporter Q's map takes E2, for an importer that holds its own lock. */
	ret = lx_import(&lx_ops_unrelated_q, NULL, &q, &importer2_lock, false,
			SGT_LOCKDEP_CACHING, "importer_q");
	if (ret)
		return ret;
	lx_order(&exporter_q_lock, &importer1_lock);
	return lx_import(&lx_ops_unrelated_p, NULL, &p, &importer1_lock, false,
			 SGT_LOCKDEP_CACHING, "importer_p");
}

static int lx_case_reclaim(void)
{
	struct lx_buf b = { };
	struct dma_buf_attachment *attach;
	struct dma_resv *resv;
	struct sg_table *sgt;
	int calls;

	attach = lx_new(&lx_ops_reclaim, &b, NULL);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	resv = attach->dmabuf->resv;
	calls = b.map_calls;
	sgt = lx_map(attach);
	lx_ok(!IS_ERR(sgt), "importer", "mapped");
	if (!IS_ERR(sgt)) {
		fs_reclaim_acquire(GFP_KERNEL);
		if (!DMA_BUF_SGT_CACHE_LOCKED_MAP) {
			lx_unmap(attach, sgt);
		} else if (dma_resv_trylock(resv)) {
			lx_unmap_locked(attach, sgt);
			dma_resv_unlock(resv);
		}
		fs_reclaim_release(GFP_KERNEL);
	}
	lx_ok((b.map_calls == calls) == SGT_LOCKDEP_CACHING, "importer",
	      SGT_LOCKDEP_CACHING ? "served_from_cache" : "exporter_called");
	lx_free(attach);
	return 0;
}

static int lx_run(void)
{
	if (!strcmp(test_case, "cached"))
		return lx_case_cached();
	if (!strcmp(test_case, "cached_clean"))
		return lx_case_cached_clean();
	if (!strcmp(test_case, "cached_unmap"))
		return lx_case_cached_unmap();
	if (!strcmp(test_case, "optout"))
		return lx_case_optout();
	if (!strcmp(test_case, "locked"))
		return lx_case_locked();
	if (!strcmp(test_case, "i915"))
		return lx_case_i915();
	if (!strcmp(test_case, "dynamic"))
		return lx_case_dynamic();
	if (!strcmp(test_case, "nested_same"))
		return lx_case_nested(true);
	if (!strcmp(test_case, "nested_other"))
		return lx_case_nested(false);
	if (!strcmp(test_case, "unrelated"))
		return lx_case_unrelated();
	if (!strcmp(test_case, "reclaim"))
		return lx_case_reclaim();
	return -ENOENT;
}

static int __init sgt_lockdep_init(void)
{
	int i, ret;

	lx_dev = __root_device_register(KBUILD_MODNAME, NULL);
	if (IS_ERR(lx_dev))
		return PTR_ERR(lx_dev);
	ret = lx_run();
	root_device_unregister(lx_dev);
	if (ret == -ENOENT) {
		pr_err("unknown case '%s'\n", test_case);
		return -EINVAL;
	}
	if (ret)
		lx_ok(false, "setup", "failed");

	pr_info("KTAP version 1\n");
	/* What scripts/harness/lockdep-diff.py files this case's verdict under. */
	pr_info("# sgt_lockdep: config=%s case=%s\n",
		SGT_LOCKDEP_VIA_MODULE ? "module" :
		DMA_BUF_SGT_CACHE_IN_CORE ? "patched" : "stock", test_case);
	pr_info("1..%d\n", lx_nchecks);
	for (i = 0; i < lx_nchecks; i++)
		pr_info("%s %d sgt_lockdep_%s_%s_%s\n",
			lx_checks[i].ok ? "ok" : "not ok", i + 1, test_case,
			lx_checks[i].part, lx_checks[i].claim);
	return 0;
}

static void __exit sgt_lockdep_exit(void)
{
}

module_init(sgt_lockdep_init);
module_exit(sgt_lockdep_exit);
MODULE_DESCRIPTION("dma-buf sg_table cache: lockdep cases compared with the stock kernel");
MODULE_LICENSE("GPL");
