// SPDX-License-Identifier: GPL-2.0
/*
 * sgt_example: the smallest importer of dma-buf-sgt-cache's API, built the
 * way an outside driver builds it (see Makefile): against the headers and
 * conftest of the installed dma-buf-sgt-cache-dkms package, with the
 * module's symbols from KBUILD_EXTRA_SYMBOLS.
 *
 * Write "FD MAPS" to /sys/kernel/debug/sgt_example/import from the process
 * that holds the dma-buf FD: the example attaches its device to the buffer
 * with dma_buf_sgt_cache_attach(), maps and unmaps it MAPS times with
 * dma_buf_sgt_cache_map() / _unmap() and detaches with
 * dma_buf_sgt_cache_detach(). Reading the file says what happened:
 *   exporter=NAME mapped_at_attach=yes|no maps=N same_table=yes|no
 * mapped_at_attach: the attachment held a table when attach returned
 * (dma_buf_sgt_cache_table()); same_table: every map returned the same
 * sg_table (a lazily cached one, too). Its
 * device is a root device with a 64-bit DMA mask, standing in for a real
 * driver's.
 */
#include <linux/debugfs.h>
#include <linux/dma-buf-sgt-cache.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/mutex.h>

MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS);

static struct device *example_dev;
static struct device_dma_parameters example_parms;
static struct dentry *example_dir;
static DEFINE_MUTEX(example_lock);
static char example_last[128] = "nothing imported\n";

/* Attach, map @maps times, detach: what a driver does with one buffer. */
static int example_import(struct dma_buf *dmabuf, unsigned int maps)
{
	struct dma_buf_attachment *attach;
	struct sg_table *sgt, *first = NULL;
	bool same = true, at_attach;
	unsigned int i;
	int ret = 0;

	attach = dma_buf_sgt_cache_attach(dmabuf, example_dev);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	at_attach = dma_buf_sgt_cache_table(attach);
	for (i = 0; i < maps; i++) {
		sgt = dma_buf_sgt_cache_map(attach, DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt)) {
			ret = PTR_ERR(sgt);
			break;
		}
		/* ... the device's DMA to sg_dma_address() of sgt here ... */
		first = first ?: sgt;
		same &= sgt == first;
		dma_buf_sgt_cache_unmap(attach, sgt, DMA_BIDIRECTIONAL);
	}
	dma_buf_sgt_cache_detach(dmabuf, attach);
	if (!ret)
		snprintf(example_last, sizeof(example_last),
			 "exporter=%s mapped_at_attach=%s maps=%u same_table=%s\n",
			 dmabuf->exp_name, at_attach ? "yes" : "no", maps,
			 same ? "yes" : "no");
	return ret;
}

static ssize_t example_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	unsigned int fd, maps;
	struct dma_buf *dmabuf;
	char buf[32];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%u %u", &fd, &maps) != 2 || !maps || maps > 100000)
		return -EINVAL;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	mutex_lock(&example_lock);
	ret = example_import(dmabuf, maps);
	mutex_unlock(&example_lock);
	dma_buf_put(dmabuf);
	return ret ?: len;
}

static int example_show(struct seq_file *s, void *unused)
{
	mutex_lock(&example_lock);
	seq_puts(s, example_last);
	mutex_unlock(&example_lock);
	return 0;
}

static int example_open(struct inode *inode, struct file *file)
{
	return single_open(file, example_show, NULL);
}

static const struct file_operations example_fops = {
	.owner = THIS_MODULE,
	.open = example_open,
	.read = seq_read,
	.write = example_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int __init example_init(void)
{
	int ret;

	example_dev = root_device_register("sgt-example");
	if (IS_ERR(example_dev))
		return PTR_ERR(example_dev);
	example_dev->dma_parms = &example_parms;
	dma_set_max_seg_size(example_dev, UINT_MAX);
	ret = dma_coerce_mask_and_coherent(example_dev, DMA_BIT_MASK(64));
	if (ret) {
		root_device_unregister(example_dev);
		return ret;
	}
	example_dir = debugfs_create_dir("sgt_example", NULL);
	debugfs_create_file("import", 0600, example_dir, NULL, &example_fops);
	return 0;
}

static void __exit example_exit(void)
{
	debugfs_remove_recursive(example_dir);
	root_device_unregister(example_dev);
}

module_init(example_init);
module_exit(example_exit);
MODULE_DESCRIPTION("Worked example of an importer using dma-buf-sgt-cache");
MODULE_LICENSE("GPL");
