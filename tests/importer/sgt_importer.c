// SPDX-License-Identifier: GPL-2.0
/*
 * A test importer for real dma-buf exporters, driven from userspace.
 *
 * Write commands to /sys/kernel/debug/sgt_importer/ctl, read it for counts:
 *
 *   attach FD [static|uncached|dynamic]
 *                 attach the dma-buf behind FD (in the writer's file table)
 *                 as a static importer (dma_buf_sgt_cache_attach(): the
 *                 core on a patched kernel, the module on a stock one), as
 *                 a static importer that opts out of the attach time map
 *                 (dma_buf_sgt_cache_attach_uncached()), or as a dynamic
 *                 importer (dma_buf_dynamic_attach(), maps under the
 *                 reservation lock, counts move_notify calls)
 *   map N DIR     map and unmap it N times; DIR is bidi, to or from
 *   pmap N T DIR  the same in T kthreads at once (1 to 8): concurrent maps
 *                 of one attachment
 *   fill BYTE     map it, write BYTE to every byte the device sees through
 *                 the table's DMA addresses, unmap it
 *   check BYTE    the same, but compare: -EILSEQ if any byte differs
 *   detach        detach it and drop the reference
 *   watch FD      count the exporter's calls for FD without attaching (for
 *                 another importer, e.g. vgem); unwatch stops counting
 *
 * fill and check read the memory a device would: the guest has no IOMMU,
 * so a DMA address is a physical address (dma-direct); any other setup
 * fails them with -EOPNOTSUPP.
 *
 * Calls of the exporter's map_dma_buf and unmap_dma_buf are counted with
 * kprobes on the exporter's own callbacks, so the counts are those of the
 * real exporter, whatever it is (of every buffer that shares the callbacks:
 * keep one buffer busy at a time). A read reports, since the last command:
 *
 *   exporter_map_calls=N exporter_unmap_calls=N cached=0|1 same_table=0|1 moves=N
 *
 * The read-only parameter core_lazy says whether the core is the one before
 * v6.16 (the conftest's DMA_BUF_SGT_CACHE_LAZY): cache_sgt_mapping, and the
 * attach time map of static/dynamic pairs. Guest programs read it to know
 * what the stock core does.
 *
 * Bad input changes nothing and fails the write: -EBADF (not an open fd),
 * -EINVAL (not a dma-buf, bad command, count or direction), -EBUSY (already
 * attached or watching), -ENOENT (nothing attached or watched).
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-buf-sgt-cache.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <sgt-compat.h>
#include <sgt-ctl.h>
#include <sgt-probes.h>
#include <sgt-root-dev.h>

MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS);

static DEFINE_MUTEX(importer_lock);	/* serialises commands */
static struct dentry *importer_dir;
static struct device *importer_dev;
static struct sgt_root_dev importer_root;
static struct dma_buf *importer_buf;
static struct dma_buf_attachment *importer_attach;
static bool importer_dynamic;
static bool importer_watching;
static struct sgt_probes probes;
static atomic_t moves = ATOMIC_INIT(0);
static bool same_table;

static bool core_lazy = DMA_BUF_SGT_CACHE_LAZY;
module_param(core_lazy, bool, 0444);
MODULE_PARM_DESC(core_lazy, "the core has cache_sgt_mapping and maps static/dynamic pairs at attach (read only)");

static void counts_reset(void)
{
	sgt_probes_reset(&probes);
	atomic_set(&moves, 0);
	same_table = false;
}

static void importer_move_notify(struct dma_buf_attachment *attach)
{
	dma_resv_assert_held(attach->dmabuf->resv);
	atomic_inc(&moves);
}

static const struct dma_buf_attach_ops importer_dynamic_ops = {
	.SGT_TEST_INVALIDATE = importer_move_notify,
};

static int cmd_attach(int fd, const char *kind)
{
	bool dynamic = !strcmp(kind, "dynamic");
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	int ret;

	if (importer_attach || importer_watching)
		return -EBUSY;
	dmabuf = dma_buf_get(fd);	/* -EBADF, or -EINVAL if not a dma-buf */
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = sgt_probes_register(&probes, dmabuf->ops);
	if (ret) {
		dma_buf_put(dmabuf);
		return ret;
	}
	counts_reset();
	if (dynamic)
		attach = dma_buf_dynamic_attach(dmabuf, importer_dev,
						&importer_dynamic_ops, NULL);
	else if (!strcmp(kind, "uncached"))
		attach = dma_buf_sgt_cache_attach_uncached(dmabuf, importer_dev);
	else
		attach = dma_buf_sgt_cache_attach(dmabuf, importer_dev);
	if (IS_ERR(attach)) {
		dma_buf_put(dmabuf);
		return PTR_ERR(attach);
	}
	importer_buf = dmabuf;
	importer_attach = attach;
	importer_dynamic = dynamic;
	return 0;
}

/* A dynamic importer maps under the reservation lock, a static one not. */
static struct sg_table *importer_map(enum dma_data_direction dir)
{
	struct sg_table *sgt;

	if (!importer_dynamic)
		return dma_buf_sgt_cache_map(importer_attach, dir);
	dma_resv_lock(importer_buf->resv, NULL);
	sgt = dma_buf_map_attachment(importer_attach, dir);
	dma_resv_unlock(importer_buf->resv);
	return sgt;
}

static void importer_unmap(struct sg_table *sgt, enum dma_data_direction dir)
{
	if (!importer_dynamic) {
		dma_buf_sgt_cache_unmap(importer_attach, sgt, dir);
		return;
	}
	dma_resv_lock(importer_buf->resv, NULL);
	dma_buf_unmap_attachment(importer_attach, sgt, dir);
	dma_resv_unlock(importer_buf->resv);
}

static int cmd_map(unsigned int n, enum dma_data_direction dir)
{
	struct sg_table *sgt;
	unsigned int i;

	if (!importer_attach)
		return -ENOENT;
	counts_reset();
	same_table = true;
	for (i = 0; i < n; i++) {
		sgt = importer_map(dir);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
		if (sgt != dma_buf_sgt_cache_table(importer_attach))
			same_table = false;
		importer_unmap(sgt, dir);
	}
	return 0;
}

/* pmap: the kthreads' shared work, and how it went. */
struct pmap_work {
	unsigned int n;
	enum dma_data_direction dir;
	atomic_t running, errors, other_tables;
	struct completion done;
};

static int pmap_thread(void *data)
{
	struct pmap_work *w = data;
	struct sg_table *sgt;
	unsigned int i;

	for (i = 0; i < w->n; i++) {
		sgt = importer_map(w->dir);
		if (IS_ERR(sgt)) {
			atomic_inc(&w->errors);
			break;
		}
		if (sgt != dma_buf_sgt_cache_table(importer_attach))
			atomic_inc(&w->other_tables);
		importer_unmap(sgt, w->dir);
	}
	if (atomic_dec_and_test(&w->running))
		complete(&w->done);
	return 0;
}

/*
 * cmd_map() in @threads kthreads at once. The command lock is held until
 * all are done, so that no detach can free the attachment under them.
 */
static int cmd_pmap(unsigned int n, unsigned int threads,
		    enum dma_data_direction dir)
{
	struct pmap_work w = { .n = n, .dir = dir };
	struct task_struct *t;
	unsigned int i;

	if (!importer_attach)
		return -ENOENT;
	counts_reset();
	init_completion(&w.done);
	atomic_set(&w.running, threads);
	for (i = 0; i < threads; i++) {
		t = kthread_run(pmap_thread, &w, "sgt_pmap/%u", i);
		if (IS_ERR(t)) {
			atomic_inc(&w.errors);
			/* the ones that did not start are done */
			if (atomic_sub_and_test(threads - i, &w.running))
				complete(&w.done);
			break;
		}
	}
	wait_for_completion(&w.done);
	same_table = !atomic_read(&w.other_tables);
	return atomic_read(&w.errors) ? -EIO : 0;
}

/* Write or compare @byte over every DMA segment of the mapped buffer. */
static int cmd_data(bool fill, u8 byte)
{
	struct scatterlist *sg;
	struct sg_table *sgt;
	int i, ret = 0;

	if (!importer_attach)
		return -ENOENT;
	counts_reset();
	sgt = importer_map(DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	for_each_sgtable_dma_sg(sgt, sg, i) {
		phys_addr_t addr = sg_dma_address(sg);
		unsigned int len = sg_dma_len(sg);
		void *p;

		if (!len || !pfn_valid(PHYS_PFN(addr)) ||
		    !pfn_valid(PHYS_PFN(addr + len - 1))) {
			ret = -EOPNOTSUPP;
			break;
		}
		p = phys_to_virt(addr);
		if (fill) {
			memset(p, byte, len);
		} else if (memchr_inv(p, byte, len)) {
			ret = -EILSEQ;
			break;
		}
	}
	importer_unmap(sgt, DMA_BIDIRECTIONAL);
	return ret;
}

static int cmd_detach(void)
{
	if (!importer_attach)
		return -ENOENT;
	counts_reset();
	if (importer_dynamic)
		dma_buf_detach(importer_buf, importer_attach);
	else
		dma_buf_sgt_cache_detach(importer_buf, importer_attach);
	dma_buf_put(importer_buf);
	importer_attach = NULL;
	importer_buf = NULL;
	return 0;
}

static int cmd_watch(int fd)
{
	struct dma_buf *dmabuf;
	int ret;

	if (importer_attach || importer_watching)
		return -EBUSY;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = sgt_probes_register(&probes, dmabuf->ops);
	dma_buf_put(dmabuf);
	if (ret)
		return ret;
	counts_reset();
	importer_watching = true;
	return 0;
}

static int cmd_unwatch(void)
{
	if (!importer_watching)
		return -ENOENT;
	importer_watching = false;
	return 0;
}

static int run_command(char *buf)
{
	enum dma_data_direction dir;
	char word[8], arg[9];
	unsigned int n, t;
	int fd, args;

	if (sscanf(buf, "%7s", word) != 1)
		return -EINVAL;
	if (!strcmp(word, "attach")) {
		args = sscanf(buf, "attach %d %8s", &fd, arg);
		if (args < 1 || (args == 2 && strcmp(arg, "static") &&
				 strcmp(arg, "uncached") && strcmp(arg, "dynamic")))
			return -EINVAL;
		if (fd < 0)
			return -EBADF;
		return cmd_attach(fd, args == 2 ? arg : "static");
	}
	if (!strcmp(word, "map")) {
		if (sscanf(buf, "map %u %7s", &n, arg) != 2 || !n ||
		    n > 1000000 || sgt_ctl_dir(arg, &dir))
			return -EINVAL;
		return cmd_map(n, dir);
	}
	if (!strcmp(word, "pmap")) {
		if (sscanf(buf, "pmap %u %u %7s", &n, &t, arg) != 3 || !n ||
		    n > 1000000 || !t || t > 8 || sgt_ctl_dir(arg, &dir))
			return -EINVAL;
		return cmd_pmap(n, t, dir);
	}
	if (!strcmp(word, "fill") || !strcmp(word, "check")) {
		if (sscanf(buf, "%*s %u", &n) != 1 || n > 255)
			return -EINVAL;
		return cmd_data(word[0] == 'f', n);
	}
	if (!strcmp(word, "watch")) {
		if (sscanf(buf, "watch %d", &fd) != 1)
			return -EINVAL;
		return fd < 0 ? -EBADF : cmd_watch(fd);
	}
	if (!strcmp(word, "detach"))
		return cmd_detach();
	if (!strcmp(word, "unwatch"))
		return cmd_unwatch();
	return -EINVAL;
}

static ssize_t ctl_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	char buf[64];
	int ret;

	ret = sgt_ctl_copy(buf, sizeof(buf), ubuf, len);
	if (ret)
		return ret;
	mutex_lock(&importer_lock);
	ret = run_command(buf);
	mutex_unlock(&importer_lock);
	return ret ? ret : len;
}

static ssize_t ctl_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *ppos)
{
	char buf[160];
	int n;

	mutex_lock(&importer_lock);
	n = scnprintf(buf, sizeof(buf),
		      "exporter_map_calls=%d exporter_unmap_calls=%d cached=%d same_table=%d moves=%d\n",
		      atomic_read(&probes.maps), atomic_read(&probes.unmaps),
		      importer_attach && dma_buf_sgt_cache_table(importer_attach), same_table,
		      atomic_read(&moves));
	mutex_unlock(&importer_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations ctl_fops = {
	.owner = THIS_MODULE,
	.read = ctl_read,
	.write = ctl_write,
	.llseek = default_llseek,
};

static int __init sgt_importer_init(void)
{
	int ret;

	/* The heaps hand out large segments: the device takes any length. */
	ret = sgt_root_dev_register(&importer_root, "sgt-importer");
	if (ret)
		return ret;
	importer_dev = importer_root.dev;
	importer_dir = debugfs_create_dir("sgt_importer", NULL);
	debugfs_create_file("ctl", 0600, importer_dir, NULL, &ctl_fops);
	return 0;
}

static void __exit sgt_importer_exit(void)
{
	debugfs_remove_recursive(importer_dir);
	mutex_lock(&importer_lock);
	cmd_detach();
	sgt_probes_unregister(&probes);
	mutex_unlock(&importer_lock);
	root_device_unregister(importer_dev);
}

module_init(sgt_importer_init);
module_exit(sgt_importer_exit);
MODULE_DESCRIPTION("Test importer for dma-buf sg_table caching, driven from userspace");
MODULE_LICENSE("GPL");
