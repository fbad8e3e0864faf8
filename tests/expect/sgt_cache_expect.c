// SPDX-License-Identifier: GPL-2.0
/*
 * Cases whose success is a kernel report, run one per boot by the harness.
 *
 *   mode=inversion   An importer maps a cached table while holding lock L;
 *                    the exporter's map takes lock M; elsewhere M is held
 *                    while taking L. The map is served from the cache, so
 *                    the exporter is never called with L held, yet lockdep
 *                    must report the L -> M -> L inversion (harness expects
 *                    the lockdep gate, and KTAP "ok" for "served from cache").
 *   mode=clean       The same without the M -> L path: no report at all.
 *   mode=both_flags  An exporter with both no_sgt_cache and cache_sgt_mapping:
 *                    dma_buf_export() must WARN and fail with -EINVAL.
 *
 * The importer side goes through include/linux/dma-buf-sgt-cache.h: the core
 * on a patched kernel, the dma-buf-sgt-cache module on a stock one (load it
 * first; its deny list must not name this exporter), so the same cases
 * prove the lockdep coverage of both.
 *
 * Built out of tree with conftest.h (scripts/conftest.sh).
 */
#include <linux/device.h>
#include <linux/dma-buf-sgt-cache.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <sgt-test-mock.h>

MODULE_IMPORT_NS(DMA_BUF);

static char *mode = "clean";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "inversion|clean|both_flags");

static DEFINE_MUTEX(exporter_lock);	/* M: taken by the exporter's map */
static DEFINE_MUTEX(importer_lock);	/* L: held by the importer around map */
static int map_calls;

static struct sg_table *expect_map(struct dma_buf_attachment *attach,
				   enum dma_data_direction dir)
{
	map_calls++;
	mutex_lock(&exporter_lock);
	mutex_unlock(&exporter_lock);
	return sgt_test_mock_table(PAGE_SIZE);
}

static const struct dma_buf_ops expect_ops = {
	.map_dma_buf = expect_map,
	.unmap_dma_buf = sgt_test_mock_unmap,
	.release = sgt_test_mock_release,
};

#if DMA_BUF_SGT_CACHE_IN_CORE
static const struct dma_buf_ops both_flags_ops = {
	.no_sgt_cache = true,
	.cache_sgt_mapping = true,
	.map_dma_buf = expect_map,
	.unmap_dma_buf = sgt_test_mock_unmap,
	.release = sgt_test_mock_release,
};
#endif

static struct dma_buf *expect_export(const struct dma_buf_ops *ops)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);

	exp_info.ops = ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = &map_calls;
	return dma_buf_export(&exp_info);
}

static void ktap(bool ok, const char *what)
{
	pr_info("KTAP version 1\n");
	pr_info("1..1\n");
	pr_info("%s 1 sgt_cache_expect_%s\n", ok ? "ok" : "not ok", what);
}

/* An importer maps (and unmaps) with importer_lock held; true if cached. */
static bool map_under_importer_lock(struct dma_buf_attachment *attach)
{
	int before = map_calls;
	struct sg_table *sgt;

	mutex_lock(&importer_lock);
	sgt = dma_buf_sgt_cache_map(attach, DMA_TO_DEVICE);
	if (!IS_ERR(sgt))
		dma_buf_sgt_cache_unmap(attach, sgt, DMA_TO_DEVICE);
	mutex_unlock(&importer_lock);
	return !IS_ERR(sgt) && map_calls == before;
}

static int run_map_case(bool invert)
{
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	struct device *dev;
	bool cached;

	dev = __root_device_register("sgt-cache-expect", NULL);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	dmabuf = expect_export(&expect_ops);
	if (IS_ERR(dmabuf)) {
		root_device_unregister(dev);
		return PTR_ERR(dmabuf);
	}
	attach = dma_buf_sgt_cache_attach(dmabuf, dev);
	if (IS_ERR(attach)) {
		dma_buf_put(dmabuf);
		root_device_unregister(dev);
		return PTR_ERR(attach);
	}
	if (invert) {
		mutex_lock(&exporter_lock);
		mutex_lock(&importer_lock);
		mutex_unlock(&importer_lock);
		mutex_unlock(&exporter_lock);
	}
	cached = map_under_importer_lock(attach);
	ktap(cached, invert ? "inversion_served_from_cache" :
			      "clean_served_from_cache");
	dma_buf_sgt_cache_detach(dmabuf, attach);
	dma_buf_put(dmabuf);
	root_device_unregister(dev);
	return 0;
}

static int both_flags(void)
{
#if DMA_BUF_SGT_CACHE_IN_CORE
	struct dma_buf *dmabuf = expect_export(&both_flags_ops);

	if (!IS_ERR(dmabuf))
		dma_buf_put(dmabuf);
	ktap(PTR_ERR_OR_ZERO(dmabuf) == -EINVAL, "both_flags_rejected");
#else
	ktap(false, "both_flags_rejected # this kernel has no no_sgt_cache");
#endif
	return 0;
}

static int __init sgt_cache_expect_init(void)
{
	if (!strcmp(mode, "inversion"))
		return run_map_case(true);
	if (!strcmp(mode, "clean"))
		return run_map_case(false);
	if (!strcmp(mode, "both_flags"))
		return both_flags();
	pr_err("sgt_cache_expect: unknown mode '%s'\n", mode);
	return -EINVAL;
}

static void __exit sgt_cache_expect_exit(void)
{
}

module_init(sgt_cache_expect_init);
module_exit(sgt_cache_expect_exit);
MODULE_DESCRIPTION("dma-buf sg_table cache cases that must produce a report");
MODULE_LICENSE("GPL");
