// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for attach time sg_table caching in dma-buf.
 *
 * Mock exporters count every callback, and each case asserts the exact
 * number of exporter calls at attach, at every map and unmap, and at detach.
 * Static importers of static exporters are mapped once at attach time unless
 * the exporter sets &dma_buf_ops.no_sgt_cache; every other pairing keeps the
 * behaviour it had before.
 */

#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#ifndef DMA_BUF_SGT_CACHE_CONFTEST
/*
 * This file is the single source of these cases for every kernel, in tree
 * and out of tree. The copies in the kernel patch series are generated from
 * it by scripts/series/gen-kunit-test.sh (unifdef). Out of tree, the conftest
 * defines DMA_BUF_SGT_CACHE_CONFTEST and:
 *
 * DMA_BUF_SGT_CACHE_LOCKED_MAP: the kernel follows the dynamic locking
 * convention (v6.2+): exporters are mapped under the reservation lock and
 * static importers use the _unlocked map calls.
 * DMA_BUF_SGT_CACHE_IN_CORE: &dma_buf_ops has no_sgt_cache, i.e. the kernel
 * carries the series. Without it the cases for the new behaviour must fail,
 * and the others must pass.
 * DMA_BUF_SGT_CACHE_ATTACH_SGT: &dma_buf_attachment has the core's table
 * (sgt, dir): before v6.16, and with the series.
 * DMA_BUF_SGT_CACHE_LAZY: &dma_buf_ops has cache_sgt_mapping, i.e. the core
 * is older than v6.16, which also took out the attach time map of static
 * importers of dynamic exporters and of dynamic importers of static ones
 * (they are pinned, or mapped, at their first map since).
 * DMA_BUF_SGT_CACHE_INVALIDATE_MAPPINGS: &dma_buf_attach_ops.move_notify is
 * called invalidate_mappings.
 * DMA_BUF_SGT_CACHE_KUNIT_DEVICE: KUnit has kunit_device_register() (v6.8+).
 *
 * With DMA_BUF_SGT_CACHE_TEST_MODULE=1 the importer calls go through the
 * dma-buf-sgt-cache module's API instead; its deny list must then name the
 * no-cache mock (deny=sgt-cache-mock-no-cache), and every case must pass.
 */
#error "build with the conftest: see tests/kunit/Kbuild"
#endif
#if DMA_BUF_SGT_CACHE_KUNIT_DEVICE
#include <kunit/device.h>
#endif
#if DMA_BUF_SGT_CACHE_TEST_MODULE
#include <linux/dma-buf-sgt-cache.h>
#endif

MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS);

enum mock_kind {
	MOCK_STATIC,		/* static exporter, default behaviour */
	MOCK_NO_CACHE,		/* static exporter with no_sgt_cache */
	MOCK_LAZY,		/* static exporter with cache_sgt_mapping */
	MOCK_DYNAMIC,		/* dynamic exporter (pin/unpin) */
	MOCK_MAP_NULL,		/* static exporter whose map returns NULL */
	MOCK_MAP_ERROR,		/* static exporter whose map returns -EIO */
	MOCK_MAP_LOCKED,	/* static exporter whose map takes a mutex */
};

struct mock_exporter {
	enum mock_kind kind;
	int attach_calls;
	int detach_calls;
	int map_calls;
	int map_bidir_calls;
	int unmap_calls;
	int unmap_bidir_calls;
	int pin_calls;
	int unpin_calls;
	int tables;		/* tables handed out and not yet unmapped */
	int seq;		/* order of the calls below */
	int unmap_seq;
	int detach_seq;
	int locking_violations;	/* calls outside the locking convention */
	int invalidate_calls;	/* dynamic importers told their maps must go */
	int foreign_unmaps;	/* tables unmapped that map did not hand out */
	struct page *page;	/* the page every table of the mock points to */
	struct dma_resv *resv;
	struct mutex map_lock;	/* taken by MOCK_MAP_LOCKED's map */
	spinlock_t fence_lock;	/* of the fences the cases add to resv */
};

#define SGT_TEST_MAX_ATTACH 2

/*
 * Whether the core maps static importers of dynamic exporters, and dynamic
 * importers of static ones, at attach time (it did before v6.16).
 */
#if DMA_BUF_SGT_CACHE_LAZY
#define SGT_TEST_PAIRS_MAPPED_AT_ATTACH 1
#else
#define SGT_TEST_PAIRS_MAPPED_AT_ATTACH 0
#endif

struct sgt_test_ctx {
	struct device *dev;
	struct mock_exporter *mock;
	struct dma_buf *dmabuf;
	/* live attachments, detached by sgt_test_exit() if a case fails */
	struct dma_buf_attachment *attach[SGT_TEST_MAX_ATTACH];
};

static struct mock_exporter *to_mock(struct dma_buf *dmabuf)
{
	return dmabuf->priv;
}

static struct dma_buf *test_dmabuf(struct kunit *test)
{
	struct sgt_test_ctx *ctx = test->priv;

	return ctx->dmabuf;
}

static int mock_attach(struct dma_buf *dmabuf,
		       struct dma_buf_attachment *attach)
{
	to_mock(dmabuf)->attach_calls++;
	return 0;
}

static void mock_detach(struct dma_buf *dmabuf,
			struct dma_buf_attachment *attach)
{
	struct mock_exporter *mock = to_mock(dmabuf);

	mock->detach_calls++;
	mock->detach_seq = ++mock->seq;
}

static int mock_pin(struct dma_buf_attachment *attach)
{
	to_mock(attach->dmabuf)->pin_calls++;
	return 0;
}

static void mock_unpin(struct dma_buf_attachment *attach)
{
	to_mock(attach->dmabuf)->unpin_calls++;
}

/*
 * Every exporter call must come with the reservation lock held by the
 * caller as this kernel's locking convention says: since v6.2 always,
 * before it for dynamic exporters only. Lockdep knows who holds a lock
 * (ww_mutex_is_locked() only that someone does); without it nothing is
 * counted.
 */
static void mock_check_locking(struct mock_exporter *mock)
{
#if DMA_BUF_SGT_CACHE_LOCKED_MAP
	bool want = true;
#else
	bool want = mock->kind == MOCK_DYNAMIC;
#endif

	if (IS_ENABLED(CONFIG_LOCKDEP) && !!dma_resv_held(mock->resv) != want)
		mock->locking_violations++;
}

static struct sg_table *mock_map(struct dma_buf_attachment *attach,
				 enum dma_data_direction dir)
{
	struct mock_exporter *mock = to_mock(attach->dmabuf);
	struct sg_table *sgt;

	mock->map_calls++;
	if (dir == DMA_BIDIRECTIONAL)
		mock->map_bidir_calls++;
	mock_check_locking(mock);

	switch (mock->kind) {
	case MOCK_MAP_NULL:
		return NULL;
	case MOCK_MAP_ERROR:
		return ERR_PTR(-EIO);
	case MOCK_MAP_LOCKED:
		mutex_lock(&mock->map_lock);
		mutex_unlock(&mock->map_lock);
		break;
	default:
		break;
	}

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	if (sg_alloc_table(sgt, 1, GFP_KERNEL)) {
		kfree(sgt);
		return ERR_PTR(-ENOMEM);
	}
	sg_set_page(sgt->sgl, mock->page, PAGE_SIZE, 0);
	sg_dma_address(sgt->sgl) = 0;
	sg_dma_len(sgt->sgl) = attach->dmabuf->size;
	mock->tables++;
	return sgt;
}

static void mock_unmap(struct dma_buf_attachment *attach,
		       struct sg_table *sgt, enum dma_data_direction dir)
{
	struct mock_exporter *mock = to_mock(attach->dmabuf);

	mock->unmap_calls++;
	if (dir == DMA_BIDIRECTIONAL)
		mock->unmap_bidir_calls++;
	mock->unmap_seq = ++mock->seq;
	mock_check_locking(mock);
	/* the exporter's own table, pages and all (see CONFIG_DMABUF_DEBUG) */
	if (sg_page(sgt->sgl) != mock->page)
		mock->foreign_unmaps++;
	mock->tables--;
	sg_free_table(sgt);
	kfree(sgt);
}

/* The final fput() may run after the case ended: the mock lives until here. */
static void mock_release(struct dma_buf *dmabuf)
{
	struct mock_exporter *mock = to_mock(dmabuf);

	__free_page(mock->page);
	kfree(mock);
}

#define MOCK_OPS(...) {				\
	.attach = mock_attach,			\
	.detach = mock_detach,			\
	.map_dma_buf = mock_map,		\
	.unmap_dma_buf = mock_unmap,		\
	.release = mock_release,		\
	__VA_ARGS__				\
}

static const struct dma_buf_ops mock_ops[] = {
	[MOCK_STATIC] = MOCK_OPS(),
#if DMA_BUF_SGT_CACHE_IN_CORE
	[MOCK_NO_CACHE] = MOCK_OPS(.no_sgt_cache = true),
#else
	[MOCK_NO_CACHE] = MOCK_OPS(),
#endif
#if DMA_BUF_SGT_CACHE_LAZY
	[MOCK_LAZY] = MOCK_OPS(.cache_sgt_mapping = true),
#else
	[MOCK_LAZY] = MOCK_OPS(),
#endif
	[MOCK_DYNAMIC] = MOCK_OPS(.pin = mock_pin, .unpin = mock_unpin),
	[MOCK_MAP_NULL] = MOCK_OPS(),
	[MOCK_MAP_ERROR] = MOCK_OPS(),
	[MOCK_MAP_LOCKED] = MOCK_OPS(),
};

static void importer_move_notify(struct dma_buf_attachment *attach)
{
	to_mock(attach->dmabuf)->invalidate_calls++;
}

static const struct dma_buf_attach_ops dynamic_importer_ops = {
#if DMA_BUF_SGT_CACHE_INVALIDATE_MAPPINGS
	.invalidate_mappings = importer_move_notify,
#else
	.move_notify = importer_move_notify,
#endif
};

/* Export a buffer of @kind into the test context. */
static struct mock_exporter *export_mock(struct kunit *test,
					 enum mock_kind kind)
{
	struct sgt_test_ctx *ctx = test->priv;
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct mock_exporter *mock;
	struct dma_buf *dmabuf;
	struct page *page;

	mock = kzalloc(sizeof(*mock), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mock);
	page = alloc_page(GFP_KERNEL);
	if (!page)
		kfree(mock);
	KUNIT_ASSERT_NOT_NULL(test, page);
	mock->page = page;
	mock->kind = kind;
	mutex_init(&mock->map_lock);
	spin_lock_init(&mock->fence_lock);

	exp_info.ops = &mock_ops[kind];
	exp_info.size = PAGE_SIZE;
	exp_info.priv = mock;
	exp_info.exp_name = kind == MOCK_NO_CACHE ? "sgt-cache-mock-no-cache" :
						   "sgt-cache-mock";
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		__free_page(mock->page);
		kfree(mock);
	}
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(dmabuf), "dma_buf_export: %ld",
			       PTR_ERR(dmabuf));
	ctx->dmabuf = dmabuf;
	mock->resv = dmabuf->resv;
	ctx->mock = mock;
	return mock;
}

/* Remember a successful attachment so that a failing case cannot leak it. */
static struct dma_buf_attachment *track(struct kunit *test,
					struct dma_buf_attachment *attach)
{
	struct sgt_test_ctx *ctx = test->priv;
	int i;

	if (IS_ERR(attach))
		return attach;
	for (i = 0; i < SGT_TEST_MAX_ATTACH && ctx->attach[i]; i++)
		;
	if (i == SGT_TEST_MAX_ATTACH)
		dma_buf_detach(ctx->dmabuf, attach);
	KUNIT_ASSERT_LT(test, i, SGT_TEST_MAX_ATTACH);
	ctx->attach[i] = attach;
	return attach;
}

static struct dma_buf_attachment *attach_static(struct kunit *test)
{
	struct sgt_test_ctx *ctx = test->priv;

#if DMA_BUF_SGT_CACHE_TEST_MODULE
	return track(test, dma_buf_sgt_cache_attach(ctx->dmabuf, ctx->dev));
#else
	return track(test, dma_buf_attach(ctx->dmabuf, ctx->dev));
#endif
}

/* A static importer that opts out of the attach time map. */
static struct dma_buf_attachment *attach_uncached(struct kunit *test)
{
	struct sgt_test_ctx *ctx = test->priv;

#if DMA_BUF_SGT_CACHE_TEST_MODULE
	return track(test, dma_buf_sgt_cache_attach_uncached(ctx->dmabuf, ctx->dev));
#elif DMA_BUF_SGT_CACHE_IN_CORE
	return track(test, dma_buf_attach_uncached(ctx->dmabuf, ctx->dev));
#else
	return track(test, dma_buf_attach(ctx->dmabuf, ctx->dev));
#endif
}

static struct dma_buf_attachment *attach_dynamic(struct kunit *test)
{
	struct sgt_test_ctx *ctx = test->priv;

	return track(test, dma_buf_dynamic_attach(ctx->dmabuf, ctx->dev,
						  &dynamic_importer_ops, NULL));
}

static void detach(struct kunit *test, struct dma_buf_attachment *attach)
{
	struct sgt_test_ctx *ctx = test->priv;
	int i;

	for (i = 0; i < SGT_TEST_MAX_ATTACH; i++)
		if (ctx->attach[i] == attach)
			ctx->attach[i] = NULL;
#if DMA_BUF_SGT_CACHE_TEST_MODULE
	dma_buf_sgt_cache_detach(ctx->dmabuf, attach);
#else
	dma_buf_detach(ctx->dmabuf, attach);
#endif
}

/* Map and unmap the way a static importer does on this kernel. */
static struct sg_table *importer_map(struct dma_buf_attachment *attach,
				     enum dma_data_direction dir)
{
#if DMA_BUF_SGT_CACHE_TEST_MODULE
	return dma_buf_sgt_cache_map(attach, dir);
#elif DMA_BUF_SGT_CACHE_LOCKED_MAP
	return dma_buf_map_attachment_unlocked(attach, dir);
#else
	return dma_buf_map_attachment(attach, dir);
#endif
}

static void importer_unmap(struct dma_buf_attachment *attach,
			   struct sg_table *sgt, enum dma_data_direction dir)
{
#if DMA_BUF_SGT_CACHE_TEST_MODULE
	dma_buf_sgt_cache_unmap(attach, sgt, dir);
#elif DMA_BUF_SGT_CACHE_LOCKED_MAP
	dma_buf_unmap_attachment_unlocked(attach, sgt, dir);
#else
	dma_buf_unmap_attachment(attach, sgt, dir);
#endif
}

/*
 * The table kept for @attach from attach to detach: the core's, or the
 * module's record of it; NULL on a kernel whose core keeps none.
 */
static struct sg_table *cached_table(struct dma_buf_attachment *attach)
{
#if DMA_BUF_SGT_CACHE_TEST_MODULE
	return dma_buf_sgt_cache_table(attach);
#elif DMA_BUF_SGT_CACHE_ATTACH_SGT
	return attach->sgt;
#else
	return NULL;
#endif
}

/* Dynamic importers map and unmap with the reservation lock held. */
static struct sg_table *dynamic_map(struct dma_buf_attachment *attach,
				    enum dma_data_direction dir)
{
	struct sg_table *sgt;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	sgt = dma_buf_map_attachment(attach, dir);
	dma_resv_unlock(attach->dmabuf->resv);
	return sgt;
}

static void dynamic_unmap(struct dma_buf_attachment *attach,
			  struct sg_table *sgt, enum dma_data_direction dir)
{
	dma_resv_lock(attach->dmabuf->resv, NULL);
	dma_buf_unmap_attachment(attach, sgt, dir);
	dma_resv_unlock(attach->dmabuf->resv);
}

static int sgt_test_init(struct kunit *test)
{
	struct sgt_test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
#if DMA_BUF_SGT_CACHE_KUNIT_DEVICE
	/* unregistered by KUnit after sgt_test_exit() */
	ctx->dev = kunit_device_register(test, "dma-buf-sgt-cache-test");
#else
	/* No owner: the module's sysfs node may not exist yet when it runs. */
	ctx->dev = __root_device_register("dma-buf-sgt-cache-test", NULL);
#endif
	if (IS_ERR(ctx->dev))
		return PTR_ERR(ctx->dev);
	test->priv = ctx;
	return 0;
}

/*
 * Detach what a failed case left attached, check that the exporter got every
 * table back, and drop the buffer.
 */
static void sgt_test_exit(struct kunit *test)
{
	struct sgt_test_ctx *ctx = test->priv;
	int i;

	if (!ctx)	/* init failed */
		return;
	if (ctx->dmabuf) {
		for (i = 0; i < SGT_TEST_MAX_ATTACH; i++)
			if (ctx->attach[i])
				detach(test, ctx->attach[i]);
		KUNIT_EXPECT_EQ(test, ctx->mock->tables, 0);
		KUNIT_EXPECT_EQ_MSG(test, ctx->mock->locking_violations, 0,
				    "exporter calls outside the locking convention");
		KUNIT_EXPECT_EQ_MSG(test, ctx->mock->foreign_unmaps, 0,
				    "tables unmapped that the exporter did not map");
		dma_buf_put(ctx->dmabuf);
	}
#if !DMA_BUF_SGT_CACHE_KUNIT_DEVICE
	root_device_unregister(ctx->dev);
#endif
}

/* Attach maps a static exporter once, bidirectionally, and keeps the table. */
static void attach_maps_once(struct kunit *test)
{
	struct mock_exporter *mock = export_mock(test, MOCK_STATIC);
	struct dma_buf_attachment *attach = attach_static(test);

	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	KUNIT_EXPECT_EQ(test, mock->attach_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->map_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->map_bidir_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 0);
	KUNIT_EXPECT_NOT_NULL(test, cached_table(attach));
	detach(test, attach);
}

static const enum dma_data_direction sgt_test_dirs[] = {
	DMA_BIDIRECTIONAL, DMA_TO_DEVICE, DMA_FROM_DEVICE,
};

static void dir_to_desc(const enum dma_data_direction *dir, char *desc)
{
	static const char * const names[] = {
		[DMA_BIDIRECTIONAL] = "DMA_BIDIRECTIONAL",
		[DMA_TO_DEVICE] = "DMA_TO_DEVICE",
		[DMA_FROM_DEVICE] = "DMA_FROM_DEVICE",
		[DMA_NONE] = "DMA_NONE",
	};

	strscpy(desc, names[*dir], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sgt_test_dir, sgt_test_dirs, dir_to_desc);

/* Maps in any direction return the cached table; the exporter sees none. */
static void map_served_from_cache(struct kunit *test)
{
	const enum dma_data_direction *dir = test->param_value;
	struct mock_exporter *mock = export_mock(test, MOCK_STATIC);
	struct dma_buf_attachment *attach = attach_static(test);
	struct sg_table *sgt;
	int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	for (i = 0; i < 3; i++) {
		sgt = importer_map(attach, *dir);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
		KUNIT_EXPECT_PTR_EQ(test, sgt, cached_table(attach));
		importer_unmap(attach, sgt, *dir);
	}
	KUNIT_EXPECT_EQ(test, mock->map_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 0);
	detach(test, attach);
}

/* Detach unmaps the cached table once, bidirectionally, before ->detach. */
static void detach_unmaps_once(struct kunit *test)
{
	struct mock_exporter *mock = export_mock(test, MOCK_STATIC);
	struct dma_buf_attachment *attach = attach_static(test);
	struct sg_table *sgt;

	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	sgt = importer_map(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
	importer_unmap(attach, sgt, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 0);

	detach(test, attach);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->unmap_bidir_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->detach_calls, 1);
	KUNIT_EXPECT_LT(test, mock->unmap_seq, mock->detach_seq);
	KUNIT_EXPECT_EQ(test, mock->tables, 0);
}

/*
 * Two attachments of one buffer get a table each, are served it in any
 * order, and release their own.
 */
static void attachments_are_independent(struct kunit *test)
{
	struct mock_exporter *mock = export_mock(test, MOCK_STATIC);
	struct dma_buf_attachment *a = attach_static(test);
	struct dma_buf_attachment *b = attach_static(test);
	struct dma_buf_attachment *order[] = { a, b, a, b };
	struct sg_table *sgt;
	unsigned int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_EQ(test, mock->map_calls, 2);
	KUNIT_EXPECT_NOT_NULL(test, cached_table(a));
	KUNIT_EXPECT_PTR_NE(test, cached_table(a), cached_table(b));
	/* Maps of the two in turn: each gets its own table, the exporter no call. */
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		sgt = importer_map(order[i], DMA_TO_DEVICE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
		KUNIT_EXPECT_PTR_EQ(test, sgt, cached_table(order[i]));
		importer_unmap(order[i], sgt, DMA_TO_DEVICE);
	}
	KUNIT_EXPECT_EQ(test, mock->map_calls, 2);
	detach(test, a);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->tables, 1);
	detach(test, b);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 2);
}

static void expect_attach_fails(struct kunit *test, enum mock_kind kind,
				int err)
{
	struct mock_exporter *mock = export_mock(test, kind);
	struct dma_buf_attachment *attach = attach_static(test);

	KUNIT_ASSERT_TRUE(test, IS_ERR(attach));
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), err);
	KUNIT_EXPECT_EQ(test, mock->attach_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->map_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 0);
	KUNIT_EXPECT_EQ(test, mock->detach_calls, 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&test_dmabuf(test)->attachments));
}

/* A NULL table from the exporter fails the attach with -ENOMEM, undone. */
static void attach_fails_on_null_map(struct kunit *test)
{
	expect_attach_fails(test, MOCK_MAP_NULL, -ENOMEM);
}

/* An error from the exporter's map fails the attach with it, undone. */
static void attach_fails_on_map_error(struct kunit *test)
{
	expect_attach_fails(test, MOCK_MAP_ERROR, -EIO);
}

static const char *mock_fence_name(struct dma_fence *fence)
{
	return "sgt-cache-mock";
}

static const struct dma_fence_ops mock_fence_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
};

/*
 * A static importer's map waits for the buffer's kernel fences, and a
 * signal interrupts the wait: the attach time map fails with -ERESTARTSYS,
 * its table goes back to the exporter, and the attach is undone.
 */
static void attach_fails_on_interrupted_wait(struct kunit *test)
{
	struct mock_exporter *mock = export_mock(test, MOCK_STATIC);
	struct dma_buf_attachment *attach;
	struct dma_fence *fence;
	int ret;

	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fence);
	dma_fence_init(fence, &mock_fence_ops, &mock->fence_lock,
		       dma_fence_context_alloc(1), 1);
	dma_resv_lock(mock->resv, NULL);
	ret = dma_resv_reserve_fences(mock->resv, 1);
	if (!ret)
		dma_resv_add_fence(mock->resv, fence, DMA_RESV_USAGE_KERNEL);
	dma_resv_unlock(mock->resv);

	/* KUnit runs the case in a kthread, which ignores signals unless told */
	allow_signal(SIGINT);
	send_sig(SIGINT, current, 1);
	attach = ret ? ERR_PTR(ret) : attach_static(test);
	flush_signals(current);
	disallow_signal(SIGINT);
	dma_fence_signal(fence);
	dma_fence_put(fence);

	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_TRUE(test, IS_ERR(attach));
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -ERESTARTSYS);
	KUNIT_EXPECT_EQ(test, mock->map_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->detach_calls, 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&test_dmabuf(test)->attachments));
}

/*
 * With CONFIG_DMABUF_DEBUG the core hides the pages of an exporter's table
 * from importers (it mangles them before v6.16, and hands out a copy
 * without them since) and gives the exporter its own table back at unmap,
 * which sgt_test_exit() checks in every case. A table kept from attach to
 * detach is hidden at every map, as a table mapped per call is.
 */
static void pages_hidden_from_importer(struct kunit *test)
{
	struct mock_exporter *mock = export_mock(test, MOCK_STATIC);
	struct dma_buf_attachment *attach = attach_static(test);
	bool hidden = IS_ENABLED(CONFIG_DMABUF_DEBUG);
	struct sg_table *sgt;
	int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	for (i = 0; i < 2; i++) {
		sgt = importer_map(attach, DMA_TO_DEVICE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
		KUNIT_EXPECT_EQ(test, sg_page(sgt->sgl) != mock->page, hidden);
		KUNIT_EXPECT_EQ(test, sg_dma_len(sgt->sgl), PAGE_SIZE);
		importer_unmap(attach, sgt, DMA_TO_DEVICE);
	}
	detach(test, attach);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, mock->map_calls);
	KUNIT_EXPECT_EQ(test, mock->foreign_unmaps, 0);
}

#if DMA_BUF_SGT_CACHE_LAZY
/*
 * cache_sgt_mapping is superseded: the table is made at attach time. Only
 * where the flag exists (v6.16 removed it).
 */
static void lazy_flag_mapped_at_attach(struct kunit *test)
{
	struct mock_exporter *mock;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;

	mock = export_mock(test, MOCK_LAZY);
	attach = attach_static(test);
	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	KUNIT_EXPECT_EQ(test, mock->map_bidir_calls, 1);
	sgt = importer_map(attach, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
	importer_unmap(attach, sgt, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, mock->map_calls, 1);
	detach(test, attach);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 1);
}
#endif

/*
 * The attach time map of a static exporter takes the locks its map takes,
 * in the context the locking convention of this kernel defines: held by the
 * caller since v6.2, not held before (every case checks that, at every
 * exporter call, in sgt_test_exit()).
 */
static void attach_map_locking(struct kunit *test)
{
	struct mock_exporter *mock = export_mock(test, MOCK_MAP_LOCKED);
	struct dma_buf_attachment *attach = attach_static(test);

	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	KUNIT_EXPECT_EQ(test, mock->map_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->locking_violations, 0);
	detach(test, attach);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->locking_violations, 0);
}

/* An exporter that opted out sees one map and one unmap per importer call. */
static void opt_out_maps_every_call(struct kunit *test)
{
	const enum dma_data_direction *dir = test->param_value;
	struct mock_exporter *mock = export_mock(test, MOCK_NO_CACHE);
	struct dma_buf_attachment *attach = attach_static(test);
	struct sg_table *sgt;
	int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	KUNIT_EXPECT_EQ(test, mock->map_calls, 0);
	KUNIT_EXPECT_NULL(test, cached_table(attach));
	for (i = 0; i < 3; i++) {
		sgt = importer_map(attach, *dir);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
		importer_unmap(attach, sgt, *dir);
	}
	KUNIT_EXPECT_EQ(test, mock->map_calls, 3);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 3);
	detach(test, attach);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 3);
	KUNIT_EXPECT_EQ(test, mock->detach_calls, 1);
}

/*
 * A device whose DMA mask does not reach all memory would have the pages
 * beyond it bounced through swiotlb at every map: its table is not cached,
 * and every map reaches the exporter, as for an opted-out exporter.
 */
static void bounced_device_maps_every_call(struct kunit *test)
{
	struct sgt_test_ctx *ctx = test->priv;
	struct mock_exporter *mock = export_mock(test, MOCK_STATIC);
	u64 mask = DMA_BIT_MASK(24), *saved = ctx->dev->dma_mask;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	int i;

	/* 16 MiB: less than any x86 guest's memory; the mock maps nothing. */
	KUNIT_ASSERT_GT(test, dma_get_required_mask(ctx->dev), mask);
	ctx->dev->dma_mask = &mask;
	attach = attach_static(test);
	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	KUNIT_EXPECT_EQ(test, mock->map_calls, 0);
	KUNIT_EXPECT_NULL(test, cached_table(attach));
	for (i = 0; i < 3; i++) {
		sgt = importer_map(attach, DMA_BIDIRECTIONAL);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
		importer_unmap(attach, sgt, DMA_BIDIRECTIONAL);
	}
	KUNIT_EXPECT_EQ(test, mock->map_calls, 3);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 3);
	detach(test, attach);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 3);
	ctx->dev->dma_mask = saved;
}

/*
 * An importer that attaches with the uncached call gets no map at attach
 * time, and every map and unmap reaches the exporter, in any direction.
 */
static void importer_opt_out_maps_every_call(struct kunit *test)
{
	struct mock_exporter *mock = export_mock(test, MOCK_STATIC);
	struct dma_buf_attachment *attach = attach_uncached(test);
	struct sg_table *sgt;
	int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	KUNIT_EXPECT_EQ(test, mock->attach_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->map_calls, 0);
	KUNIT_EXPECT_NULL(test, cached_table(attach));
	for (i = 0; i < 3; i++) {
		sgt = importer_map(attach, sgt_test_dirs[i]);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
		importer_unmap(attach, sgt, sgt_test_dirs[i]);
	}
	KUNIT_EXPECT_EQ(test, mock->map_calls, 3);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 3);
	detach(test, attach);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 3);
	KUNIT_EXPECT_EQ(test, mock->detach_calls, 1);
}

/*
 * Static importer, dynamic exporter: as ever, pinned and mapped at attach
 * where the core did that (before v6.16), pinned and mapped at every map
 * since.
 */
static void dynamic_exporter_static_importer(struct kunit *test)
{
	struct mock_exporter *mock = export_mock(test, MOCK_DYNAMIC);
	struct dma_buf_attachment *attach = attach_static(test);
	int at_attach = SGT_TEST_PAIRS_MAPPED_AT_ATTACH;
	struct sg_table *sgt;

	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	KUNIT_EXPECT_EQ(test, mock->pin_calls, at_attach);
	KUNIT_EXPECT_EQ(test, mock->map_calls, at_attach);
	sgt = importer_map(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
	importer_unmap(attach, sgt, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, mock->pin_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->map_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 1 - at_attach);
	detach(test, attach);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->unpin_calls, 1);
}

/*
 * Dynamic importer, static exporter: as ever, mapped at attach where the
 * core did that (before v6.16), at every map since; even when the exporter
 * opted out of caching for static importers.
 */
static void static_exporter_dynamic_importer(struct kunit *test)
{
	struct mock_exporter *mock = export_mock(test, MOCK_NO_CACHE);
	struct dma_buf_attachment *attach = attach_dynamic(test);
	int at_attach = SGT_TEST_PAIRS_MAPPED_AT_ATTACH;
	struct sg_table *sgt;

	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	KUNIT_EXPECT_EQ(test, mock->map_calls, at_attach);
	sgt = dynamic_map(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
	dynamic_unmap(attach, sgt, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, mock->map_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 1 - at_attach);
	detach(test, attach);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 1);
}

/* Dynamic importer, dynamic exporter: never cached, one map per call. */
static void dynamic_pair_never_cached(struct kunit *test)
{
	struct mock_exporter *mock = export_mock(test, MOCK_DYNAMIC);
	struct dma_buf_attachment *attach = attach_dynamic(test);
	struct sg_table *sgt;
	int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	KUNIT_EXPECT_EQ(test, mock->map_calls, 0);
	KUNIT_EXPECT_NULL(test, cached_table(attach));
	for (i = 0; i < 2; i++) {
		sgt = dynamic_map(attach, DMA_BIDIRECTIONAL);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
		dynamic_unmap(attach, sgt, DMA_BIDIRECTIONAL);
	}
	KUNIT_EXPECT_EQ(test, mock->map_calls, 2);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 2);
	KUNIT_EXPECT_EQ(test, mock->pin_calls, mock->unpin_calls);
	detach(test, attach);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 2);
}

/* Holds the reservation lock of a buffer until told to let go. */
struct sgt_test_holder {
	struct dma_resv *resv;
	struct completion locked, release, finished;
};

static int sgt_test_hold(void *data)
{
	struct sgt_test_holder *h = data;

	dma_resv_lock(h->resv, NULL);
	complete(&h->locked);
	wait_for_completion(&h->release);
	dma_resv_unlock(h->resv);
	complete(&h->finished);
	return 0;
}

/* One map and unmap of an attachment, from a thread of its own. */
/* Maps @other, then @attach, from a thread of its own. */
struct sgt_test_mapper {
	struct dma_buf_attachment *attach, *other;
	struct sg_table *sgt, *other_sgt;
	struct completion done;
};

static int sgt_test_map(void *data)
{
	struct sgt_test_mapper *m = data;

	m->other_sgt = importer_map(m->other, DMA_TO_DEVICE);
	if (!IS_ERR_OR_NULL(m->other_sgt))
		importer_unmap(m->other, m->other_sgt, DMA_TO_DEVICE);
	m->sgt = importer_map(m->attach, DMA_TO_DEVICE);
	if (!IS_ERR_OR_NULL(m->sgt))
		importer_unmap(m->attach, m->sgt, DMA_TO_DEVICE);
	complete(&m->done);
	return 0;
}

/*
 * A map and unmap of the table cached at attach time take no lock, also
 * right after those of another cached attachment of the same buffer (a
 * cache that keeps the last one found must not serve it, nor fall back to
 * the locked map): they finish while another thread holds the buffer's
 * reservation lock (lockdep still records the lock: the differential
 * lockdep suite shows it).
 */
static void cached_map_takes_no_lock(struct kunit *test)
{
	struct mock_exporter *mock = export_mock(test, MOCK_STATIC);
	struct dma_buf_attachment *attach = attach_static(test);
	struct dma_buf_attachment *other = attach_static(test);
	struct sgt_test_holder h = { .resv = test_dmabuf(test)->resv };
	struct sgt_test_mapper m = { .attach = attach, .other = other };
	struct task_struct *task;
	bool done;

	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	init_completion(&h.locked);
	init_completion(&h.release);
	init_completion(&h.finished);
	init_completion(&m.done);
	task = kthread_run(sgt_test_hold, &h, "sgt-test-holder");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	wait_for_completion(&h.locked);
	task = kthread_run(sgt_test_map, &m, "sgt-test-mapper");
	done = !IS_ERR(task) && wait_for_completion_timeout(&m.done, 2 * HZ);
	complete(&h.release);
	wait_for_completion(&h.finished);
	if (!IS_ERR(task) && !done)
		wait_for_completion(&m.done);	/* it had the lock after all */
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_EXPECT_TRUE_MSG(test, done, "a map waited for the reservation lock");
	KUNIT_EXPECT_PTR_EQ(test, m.other_sgt, cached_table(other));
	KUNIT_EXPECT_PTR_EQ(test, m.sgt, cached_table(attach));
	KUNIT_EXPECT_EQ(test, mock->map_calls, 2);
	detach(test, other);
	detach(test, attach);
}

/*
 * An exporter that revokes or moves its buffer tells the dynamic importers
 * (dma_buf_move_notify(), dma_buf_invalidate_mappings() since it was
 * renamed); static importers are not told and keep their table. A table
 * cached for a static importer survives it: nothing is unmapped, the
 * importer is still served from it, and it is never revocable.
 */
static void invalidate_reaches_dynamic_importers_only(struct kunit *test)
{
	struct dma_buf_attachment *cached, *dynamic;
	struct mock_exporter *mock;
	struct sg_table *sgt;
	int maps;

	mock = export_mock(test, MOCK_STATIC);
	cached = attach_static(test);
	KUNIT_ASSERT_FALSE(test, IS_ERR(cached));
	dynamic = attach_dynamic(test);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dynamic));
	maps = mock->map_calls;

	dma_resv_lock(mock->resv, NULL);
#if DMA_BUF_SGT_CACHE_INVALIDATE_MAPPINGS
	dma_buf_invalidate_mappings(test_dmabuf(test));
#else
	dma_buf_move_notify(test_dmabuf(test));
#endif
	dma_resv_unlock(mock->resv);
	KUNIT_EXPECT_EQ(test, mock->invalidate_calls, 1);
	KUNIT_EXPECT_EQ(test, mock->unmap_calls, 0);

	sgt = importer_map(cached, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
	KUNIT_EXPECT_PTR_EQ(test, sgt, cached_table(cached));
	KUNIT_EXPECT_EQ(test, mock->map_calls, maps);
	importer_unmap(cached, sgt, DMA_TO_DEVICE);
#if DMA_BUF_SGT_CACHE_INVALIDATE_MAPPINGS
	KUNIT_EXPECT_FALSE(test, dma_buf_attach_revocable(cached));
	KUNIT_EXPECT_TRUE(test, dma_buf_attach_revocable(dynamic));
#endif
	detach(test, dynamic);
	detach(test, cached);
	KUNIT_EXPECT_EQ(test, mock->tables, 0);
}

static struct kunit_case dma_buf_sgt_cache_cases[] = {
	KUNIT_CASE(attach_maps_once),
	KUNIT_CASE_PARAM(map_served_from_cache, sgt_test_dir_gen_params),
	KUNIT_CASE(detach_unmaps_once),
	KUNIT_CASE(attachments_are_independent),
	KUNIT_CASE(attach_fails_on_null_map),
	KUNIT_CASE(attach_fails_on_map_error),
	KUNIT_CASE(attach_fails_on_interrupted_wait),
	KUNIT_CASE(pages_hidden_from_importer),
#if DMA_BUF_SGT_CACHE_LAZY
	KUNIT_CASE(lazy_flag_mapped_at_attach),
#endif
	KUNIT_CASE(attach_map_locking),
	KUNIT_CASE(cached_map_takes_no_lock),
	KUNIT_CASE_PARAM(opt_out_maps_every_call, sgt_test_dir_gen_params),
	KUNIT_CASE(bounced_device_maps_every_call),
	KUNIT_CASE(importer_opt_out_maps_every_call),
	KUNIT_CASE(dynamic_exporter_static_importer),
	KUNIT_CASE(static_exporter_dynamic_importer),
	KUNIT_CASE(dynamic_pair_never_cached),
	KUNIT_CASE(invalidate_reaches_dynamic_importers_only),
	{}
};

static struct kunit_suite dma_buf_sgt_cache_suite = {
	.name = "dma_buf_sgt_cache",
	.init = sgt_test_init,
	.exit = sgt_test_exit,
	.test_cases = dma_buf_sgt_cache_cases,
};

kunit_test_suite(dma_buf_sgt_cache_suite);

MODULE_DESCRIPTION("KUnit tests for dma-buf attach time sg_table caching");
MODULE_LICENSE("GPL");
