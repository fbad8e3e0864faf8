// SPDX-License-Identifier: GPL-2.0
/*
 * A mock exporter of real memory, driven from userspace, for the matrix of
 * exporters and importers (tests/guest/sgt-matrix.c).
 *
 * Write commands to /sys/kernel/debug/sgt_mock_exporter/ctl:
 *
 *   static SIZE   export SIZE bytes of zeroed pages as a static exporter;
 *                 the new dma-buf's fd is installed in the writer's table
 *   dynamic SIZE  the same as a dynamic exporter (pin/unpin, map under the
 *                 reservation lock)
 *   skipsync SIZE the same as a static exporter that maps with
 *                 DMA_ATTR_SKIP_CPU_SYNC, as exporters that do their cache
 *                 maintenance elsewhere (or none) do
 *   move FD       move_notify on the dynamic dma-buf behind FD
 *
 * Read it for "fd=N attach=N detach=N map=N unmap=N pin=N unpin=N": the fd
 * of the last export and the calls of every callback since the module
 * loaded. The pages are mapped with dma_map_sgtable() for the importing
 * device at every map call, so a map costs what a real one does, and the
 * dma-buf can be mmap()ed, so data can go in through one side and be read
 * back through the other.
 *
 * Bad input changes nothing and fails the write: -EINVAL (bad command,
 * size 0 or above 256 MiB, not a dynamic mock dma-buf), -EBADF (bad fd),
 * -ENOMEM.
 */
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <sgt-compat.h>
#include <sgt-ctl.h>
#include <sgt-page-buf.h>

MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS);

#define MOCK_MAX_SIZE (256UL << 20)

static struct dentry *mock_dir;
static int last_fd = -1;
static atomic_t n_attach, n_detach, n_map, n_unmap, n_pin, n_unpin;

static int mock_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *a)
{
	atomic_inc(&n_attach);
	return 0;
}

static void mock_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *a)
{
	atomic_inc(&n_detach);
}

static int mock_pin(struct dma_buf_attachment *attach)
{
	dma_resv_assert_held(attach->dmabuf->resv);
	atomic_inc(&n_pin);
	return 0;
}

static void mock_unpin(struct dma_buf_attachment *attach)
{
	dma_resv_assert_held(attach->dmabuf->resv);
	atomic_inc(&n_unpin);
}

static const struct dma_buf_ops mock_skip_ops;

/* The mapping attributes of @dmabuf's exporter style. */
static unsigned long mock_attrs(struct dma_buf *dmabuf)
{
	return dmabuf->ops == &mock_skip_ops ? DMA_ATTR_SKIP_CPU_SYNC : 0;
}

static struct sg_table *mock_map(struct dma_buf_attachment *attach,
				 enum dma_data_direction dir)
{
	struct sg_table *sgt;

	if (attach->dmabuf->ops->pin)
		dma_resv_assert_held(attach->dmabuf->resv);
	sgt = sgt_page_buf_map(attach->dmabuf->priv, attach->dev, dir,
			       mock_attrs(attach->dmabuf));
	if (!IS_ERR(sgt))
		atomic_inc(&n_map);
	return sgt;
}

static void mock_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
		       enum dma_data_direction dir)
{
	if (attach->dmabuf->ops->pin)
		dma_resv_assert_held(attach->dmabuf->resv);
	sgt_page_buf_unmap(attach->dev, sgt, dir, mock_attrs(attach->dmabuf));
	atomic_inc(&n_unmap);
}

static int mock_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct sgt_page_buf *buf = dmabuf->priv;

	return vm_map_pages(vma, buf->pages, buf->npages);
}

static void mock_release(struct dma_buf *dmabuf)
{
	sgt_page_buf_free(dmabuf->priv);
}

static const struct dma_buf_ops mock_static_ops = {
	.attach = mock_attach,
	.detach = mock_detach,
	.map_dma_buf = mock_map,
	.unmap_dma_buf = mock_unmap,
	.mmap = mock_mmap,
	.release = mock_release,
};

static const struct dma_buf_ops mock_skip_ops = {
	.attach = mock_attach,
	.detach = mock_detach,
	.map_dma_buf = mock_map,
	.unmap_dma_buf = mock_unmap,
	.mmap = mock_mmap,
	.release = mock_release,
};

static const struct dma_buf_ops mock_dynamic_ops = {
	.attach = mock_attach,
	.detach = mock_detach,
	.pin = mock_pin,
	.unpin = mock_unpin,
	.map_dma_buf = mock_map,
	.unmap_dma_buf = mock_unmap,
	.mmap = mock_mmap,
	.release = mock_release,
};

static int cmd_export(const struct dma_buf_ops *ops, unsigned long size)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;
	struct sgt_page_buf *buf;
	int fd;

	if (!size || size > MOCK_MAX_SIZE || !PAGE_ALIGNED(size))
		return -EINVAL;
	buf = sgt_page_buf_alloc(size);
	if (!buf)
		return -ENOMEM;
	exp_info.ops = ops;
	exp_info.size = size;
	exp_info.flags = O_RDWR;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		sgt_page_buf_free(buf);
		return PTR_ERR(dmabuf);
	}
	fd = dma_buf_fd(dmabuf, O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	WRITE_ONCE(last_fd, fd);
	return 0;
}

static int cmd_move(int fd)
{
	struct dma_buf *dmabuf = dma_buf_get(fd);

	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (dmabuf->ops != &mock_dynamic_ops) {
		dma_buf_put(dmabuf);
		return -EINVAL;
	}
	dma_resv_lock(dmabuf->resv, NULL);
	sgt_test_invalidate(dmabuf);
	dma_resv_unlock(dmabuf->resv);
	dma_buf_put(dmabuf);
	return 0;
}

static int run_command(const char *cmd)
{
	unsigned long size;
	int fd;

	if (sscanf(cmd, "static %lu", &size) == 1)
		return cmd_export(&mock_static_ops, size);
	if (sscanf(cmd, "skipsync %lu", &size) == 1)
		return cmd_export(&mock_skip_ops, size);
	if (sscanf(cmd, "dynamic %lu", &size) == 1)
		return cmd_export(&mock_dynamic_ops, size);
	if (sscanf(cmd, "move %d", &fd) == 1)
		return fd < 0 ? -EBADF : cmd_move(fd);
	return -EINVAL;
}

static ssize_t ctl_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	char cmd[64];
	int ret;

	ret = sgt_ctl_copy(cmd, sizeof(cmd), ubuf, len);
	if (!ret)
		ret = run_command(cmd);
	return ret ? ret : len;
}

static ssize_t ctl_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *ppos)
{
	char buf[160];
	int n;

	n = scnprintf(buf, sizeof(buf),
		      "fd=%d attach=%d detach=%d map=%d unmap=%d pin=%d unpin=%d\n",
		      READ_ONCE(last_fd), atomic_read(&n_attach),
		      atomic_read(&n_detach), atomic_read(&n_map),
		      atomic_read(&n_unmap), atomic_read(&n_pin),
		      atomic_read(&n_unpin));
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations ctl_fops = {
	.owner = THIS_MODULE,
	.read = ctl_read,
	.write = ctl_write,
	.llseek = default_llseek,
};

static int __init sgt_mock_exporter_init(void)
{
	mock_dir = debugfs_create_dir("sgt_mock_exporter", NULL);
	debugfs_create_file("ctl", 0600, mock_dir, NULL, &ctl_fops);
	return 0;
}

static void __exit sgt_mock_exporter_exit(void)
{
	debugfs_remove_recursive(mock_dir);
}

module_init(sgt_mock_exporter_init);
module_exit(sgt_mock_exporter_exit);
MODULE_DESCRIPTION("Mock static and dynamic dma-buf exporter of real pages, driven from userspace");
MODULE_LICENSE("GPL");
