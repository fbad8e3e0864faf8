// SPDX-License-Identifier: GPL-2.0
/*
 * Holds one attachment cached through dma-buf-sgt-cache, mapped and
 * unmapped once through it, for tests/guest/unload-test. Writing the
 * "release" parameter detaches it the way an importer that reaches the
 * module through symbol_get() must: with
 * dma_buf_sgt_cache_detach() while the module is loaded, with
 * dma_buf_detach() once it is gone. Writing "plain_detach" detaches it with
 * dma_buf_detach() even while the module is loaded: an importer that mixes
 * the two APIs. Either drops the buffer, which pins this module (its
 * exporter) until then.
 *
 * The module's calls are looked up with symbol_get() and their references
 * dropped right after each use, so this module does not depend on
 * dma-buf-sgt-cache, and a cached attachment takes no reference on it
 * either where the core keeps the table: the test unloads it under a live
 * attachment there (elsewhere the attachment holds the module). Stock
 * kernels only (on a patched one the calls are the core's).
 */
#include <linux/device.h>
#include <linux/dma-buf-sgt-cache.h>
#include <linux/module.h>
#include <sgt-test-mock.h>

MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS);

static struct device *holder_dev;
static struct dma_buf *holder_buf;
static struct dma_buf_attachment *holder_attach;

#if DMA_BUF_SGT_CACHE_IN_CORE
#error "sgt_cache_holder tests dma-buf-sgt-cache.ko: build it for a kernel without the series"
#endif

/*
 * Whether the core keeps the table (attach->sgt): then the module may be
 * unloaded under a cached attachment; elsewhere the attachment holds it.
 * For tests/guest/unload-test (read only).
 */
static bool core_table = DMA_BUF_SGT_CACHE_ATTACH_SGT;
module_param(core_table, bool, 0444);
MODULE_PARM_DESC(core_table, "the core keeps the table of an attachment (read only)");

/* The module's detach while it is loaded, else the core's. */
static void holder_cache_detach(bool plain)
{
	void (*fn)(struct dma_buf *dmabuf, struct dma_buf_attachment *attach);

	fn = plain ? NULL : symbol_get(dma_buf_sgt_cache_detach);
	pr_info("sgt_cache_holder: detach with %s\n",
		fn ? "dma_buf_sgt_cache_detach()" : "dma_buf_detach()");
	if (!fn) {
		dma_buf_detach(holder_buf, holder_attach);
		return;
	}
	fn(holder_buf, holder_attach);
	symbol_put(dma_buf_sgt_cache_detach);
}

/*
 * dma_buf_sgt_cache_attach() without a lasting reference to its module,
 * then a map and unmap through it.
 */
static struct dma_buf_attachment *holder_cache_attach(void)
{
	struct dma_buf_attachment *(*fn)(struct dma_buf *dmabuf, struct device *dev);
	struct sg_table *(*map)(struct dma_buf_attachment *attach,
				enum dma_data_direction dir);
	void (*unmap)(struct dma_buf_attachment *attach, struct sg_table *sgt,
		      enum dma_data_direction dir);
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;

	fn = symbol_get(dma_buf_sgt_cache_attach);
	if (!fn)
		return ERR_PTR(-ENOENT);
	attach = fn(holder_buf, holder_dev);
	symbol_put(dma_buf_sgt_cache_attach);
	if (IS_ERR(attach))
		return attach;
	map = symbol_get(dma_buf_sgt_cache_map);
	unmap = symbol_get(dma_buf_sgt_cache_unmap);
	sgt = map && unmap ? map(attach, DMA_TO_DEVICE) : ERR_PTR(-ENOENT);
	if (!IS_ERR(sgt))
		unmap(attach, sgt, DMA_TO_DEVICE);
	if (map)
		symbol_put(dma_buf_sgt_cache_map);
	if (unmap)
		symbol_put(dma_buf_sgt_cache_unmap);
	if (IS_ERR(sgt)) {
		holder_attach = attach;
		holder_cache_detach(false);
		return ERR_CAST(sgt);
	}
	return attach;
}

static struct sg_table *holder_map(struct dma_buf_attachment *attach,
				   enum dma_data_direction dir)
{
	return sgt_test_mock_table(PAGE_SIZE);
}

static const struct dma_buf_ops holder_ops = {
	.map_dma_buf = holder_map,
	.unmap_dma_buf = sgt_test_mock_unmap,
	.release = sgt_test_mock_release,
};

static int __init holder_init(void)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	int ret;

	holder_dev = __root_device_register("sgt-cache-holder", NULL);
	if (IS_ERR(holder_dev))
		return PTR_ERR(holder_dev);
	exp_info.ops = &holder_ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = &holder_dev;
	holder_buf = dma_buf_export(&exp_info);
	if (IS_ERR(holder_buf)) {
		ret = PTR_ERR(holder_buf);
		goto err_dev;
	}
	holder_attach = holder_cache_attach();
	if (IS_ERR(holder_attach)) {
		ret = PTR_ERR(holder_attach);
		goto err_buf;
	}
	pr_info("sgt_cache_holder: attached\n");
	return 0;

err_buf:
	dma_buf_put(holder_buf);
err_dev:
	root_device_unregister(holder_dev);
	return ret;
}

static DEFINE_MUTEX(holder_lock);

static int holder_drop(bool plain)
{
	int ret = -ENOENT;

	mutex_lock(&holder_lock);
	if (holder_attach) {
		holder_cache_detach(plain);
		holder_attach = NULL;
		dma_buf_put(holder_buf);	/* unpins this module */
		ret = 0;
	}
	mutex_unlock(&holder_lock);
	return ret;
}

static int holder_release_set(const char *val, const struct kernel_param *kp)
{
	return holder_drop(false);
}

static const struct kernel_param_ops holder_release_ops = {
	.set = holder_release_set,
};
module_param_cb(release, &holder_release_ops, NULL, 0200);
MODULE_PARM_DESC(release, "write to detach the attachment (the module's detach while it is loaded) and drop the buffer");

static int holder_plain_set(const char *val, const struct kernel_param *kp)
{
	return holder_drop(true);
}

static const struct kernel_param_ops holder_plain_ops = {
	.set = holder_plain_set,
};
module_param_cb(plain_detach, &holder_plain_ops, NULL, 0200);
MODULE_PARM_DESC(plain_detach, "write to detach the attachment with dma_buf_detach() and drop the buffer");

/* Only reachable after "release": the live buffer pins the module. */
static void __exit holder_exit(void)
{
	root_device_unregister(holder_dev);
}

module_init(holder_init);
module_exit(holder_exit);
MODULE_DESCRIPTION("Keeps a cached dma-buf attachment for the unload test");
MODULE_LICENSE("GPL");
