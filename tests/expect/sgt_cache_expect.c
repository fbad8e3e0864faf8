// SPDX-License-Identifier: GPL-2.0
/*
 * A case whose success is a kernel report, run as the last steps of a guest
 * by the harness:
 *
 *   mode=both_flags  An exporter with both no_sgt_cache and cache_sgt_mapping:
 *                    dma_buf_export() must WARN and fail with -EINVAL. Only
 *                    where the core has both flags: v6.16 removed the lazy
 *                    cache_sgt_mapping, and the harness does not run it there.
 *
 * The lockdep cases are the differential suite's (tests/lockdep), which
 * compares every verdict with the stock kernel's.
 *
 * Built out of tree with conftest.h (conftest.sh --kdir, run by scripts/harness/build-modules.sh).
 */
#include <linux/dma-buf-sgt-cache.h>
#include <linux/module.h>
#include <sgt-test-mock.h>

MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS);

static char *mode = "both_flags";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "both_flags");

#if DMA_BUF_SGT_CACHE_IN_CORE && DMA_BUF_SGT_CACHE_LAZY
/* Never called: the export must fail. */
static struct sg_table *expect_map(struct dma_buf_attachment *attach,
				   enum dma_data_direction dir)
{
	return sgt_test_mock_table(PAGE_SIZE);
}

static int both_flags_priv;

static const struct dma_buf_ops both_flags_ops = {
	.no_sgt_cache = true,
	.cache_sgt_mapping = true,
	.map_dma_buf = expect_map,
	.unmap_dma_buf = sgt_test_mock_unmap,
	.release = sgt_test_mock_release,
};
#endif

static void ktap(bool ok, const char *what)
{
	pr_info("KTAP version 1\n");
	pr_info("1..1\n");
	pr_info("%s 1 sgt_cache_expect_%s\n", ok ? "ok" : "not ok", what);
}

static int both_flags(void)
{
#if DMA_BUF_SGT_CACHE_IN_CORE && DMA_BUF_SGT_CACHE_LAZY
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;

	/* Everything else right: only the flags may be refused. */
	exp_info.ops = &both_flags_ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = &both_flags_priv;
	dmabuf = dma_buf_export(&exp_info);

	if (!IS_ERR(dmabuf))
		dma_buf_put(dmabuf);
	ktap(PTR_ERR_OR_ZERO(dmabuf) == -EINVAL, "both_flags_rejected");
#else
	ktap(false, "both_flags_rejected # no no_sgt_cache or no cache_sgt_mapping here");
#endif
	return 0;
}

static int __init sgt_cache_expect_init(void)
{
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
