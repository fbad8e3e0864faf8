// SPDX-License-Identifier: GPL-2.0
/*
 * A test importer with a real DMA engine: QEMU's "edu" PCI device (q35,
 * -device edu). Its engine copies between memory, at a DMA address, and 4 KiB
 * of its own; the device's memory is not readable over MMIO, so it is read
 * back with a second copy into a coherent buffer. Every copy here is of 2 KiB:
 * QEMU 7.2's edu stops the whole machine ("hw_error: EDU: DMA range ... out of
 * bounds") on a copy of all 4 KiB. The bytes the device reads from and writes
 * to a dma-buf are then those a real device would move: bounced through
 * swiotlb, translated by an IOMMU, or neither, as the DMA layer decides for
 * this device.
 *
 * Driven from userspace (tests/guest/sgt-edu.c) through
 * /sys/kernel/debug/sgt_edu/ctl, one command per write:
 *
 *   dev N            use the Nth edu device (probe order, from 0)
 *   attach FD MODE   attach the dma-buf behind FD to that device: MODE core
 *                    (dma_buf_attach(): the kernel's own behaviour, per-call
 *                    maps on a stock kernel, the series on a patched one) or
 *                    module (dma_buf_sgt_cache_attach())
 *   todev DIR SEED   map (DIR: to, from or bidi), copy the buffer's first
 *                    2 KiB into the device, unmap; read the device's memory
 *                    back and compare it with the pattern of SEED: -EILSEQ
 *                    if it differs
 *   fromdev DIR SEED put the pattern of SEED into the device's memory, map,
 *                    copy it into the buffer's first 2 KiB, unmap (userspace
 *                    then reads the buffer)
 *   stray SEED       map to the device (DMA_TO_DEVICE) and let the device
 *                    write the pattern of SEED into it anyway, then unmap:
 *                    what the IOMMU lets through a read-only mapping
 *   detach           detach and drop the buffer
 *
 * Reading ctl reports the selected device and, since the attach, the
 * exporter's own map and unmap calls (kprobes, tests/include/sgt-probes.h):
 *
 *   dev=N iommu=dma|none untrusted=0|1 mask_bits=N cached=0|1
 *     exporter_map_calls=N exporter_unmap_calls=N
 *
 * Module parameters: mask_bits0 and mask_bits1, the DMA mask the driver sets
 * for the first and second device (the device itself clamps its addresses
 * to its "dma_mask" property, 28 bits by default); untrusted1, mark the
 * second device untrusted, as the PCI core marks devices behind external
 * ports (QEMU cannot describe one), before anything is mapped for it.
 *
 * Bad input changes nothing and fails the write: -EINVAL (bad command,
 * direction or mode), -EBADF (bad fd), -ENODEV (no such device), -EBUSY
 * (already attached), -ENOENT (nothing attached), -E2BIG (the buffer's first
 * DMA segment is shorter than 2 KiB); a transfer that does not finish fails
 * with -ETIMEDOUT.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-buf-sgt-cache.h>
#include <linux/dma-mapping.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <sgt-ctl.h>
#include <sgt-probes.h>

MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS);

#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_START	BIT(0)
#define EDU_CMD_TO_RAM	BIT(1)
#define EDU_MEM		0x40000
#define EDU_BYTES	2048
#define EDU_MAX		2

static unsigned int mask_bits0 = 28;
module_param(mask_bits0, uint, 0444);
MODULE_PARM_DESC(mask_bits0, "DMA mask (bits) of the first edu device");
static unsigned int mask_bits1 = 28;
module_param(mask_bits1, uint, 0444);
MODULE_PARM_DESC(mask_bits1, "DMA mask (bits) of the second edu device");
static bool untrusted1;
module_param(untrusted1, bool, 0444);
MODULE_PARM_DESC(untrusted1, "mark the second edu device untrusted");

struct edu {
	struct pci_dev *pdev;
	void __iomem *regs;
	u8 *coh;		/* EDU_BYTES, for reading the device back */
	dma_addr_t coh_dma;
	unsigned int mask_bits;
};

static DEFINE_MUTEX(edu_lock);		/* serialises commands */
static struct edu edus[EDU_MAX];
static unsigned int n_edus;
static struct edu *edu_cur;
static struct dma_buf *edu_buf;
static struct dma_buf_attachment *edu_attach;
static bool edu_module_mode;
static struct sgt_probes probes;
static struct dentry *edu_dir;

static u8 pattern(unsigned int seed, unsigned int i)
{
	return (seed * 131 + i * 7 + (i >> 8)) & 0xff;
}

/* One transfer of EDU_BYTES, polled: the device signals on a 100 ms timer. */
static int edu_copy(struct edu *e, dma_addr_t src, dma_addr_t dst, bool to_ram)
{
	unsigned long timeout = jiffies + 5 * HZ;

	writeq(src, e->regs + EDU_DMA_SRC);
	writeq(dst, e->regs + EDU_DMA_DST);
	writeq(EDU_BYTES, e->regs + EDU_DMA_COUNT);
	writeq(EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0), e->regs + EDU_DMA_CMD);
	while (readq(e->regs + EDU_DMA_CMD) & EDU_CMD_START) {
		if (time_after(jiffies, timeout))
			return -ETIMEDOUT;
		usleep_range(2000, 5000);
	}
	return 0;
}

static struct sg_table *edu_map(enum dma_data_direction dir)
{
	struct sg_table *sgt;

	if (edu_module_mode)
		sgt = dma_buf_sgt_cache_map(edu_attach, dir);
	else
		sgt = dma_buf_sgt_cache_core_map(edu_attach, dir);
	if (!IS_ERR(sgt) && sg_dma_len(sgt->sgl) < EDU_BYTES) {
		if (edu_module_mode)
			dma_buf_sgt_cache_unmap(edu_attach, sgt, dir);
		else
			dma_buf_sgt_cache_core_unmap(edu_attach, sgt, dir);
		return ERR_PTR(-E2BIG);
	}
	return sgt;
}

static void edu_unmap(struct sg_table *sgt, enum dma_data_direction dir)
{
	if (edu_module_mode)
		dma_buf_sgt_cache_unmap(edu_attach, sgt, dir);
	else
		dma_buf_sgt_cache_core_unmap(edu_attach, sgt, dir);
}

/* The buffer's first 2 KiB into the device; compare what arrived. */
static int cmd_todev(enum dma_data_direction dir, unsigned int seed)
{
	struct sg_table *sgt;
	unsigned int i, bad = 0, first = 0;
	int ret;

	sgt = edu_map(dir);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	ret = edu_copy(edu_cur, sg_dma_address(sgt->sgl), EDU_MEM, false);
	edu_unmap(sgt, dir);
	if (ret)
		return ret;
	memset(edu_cur->coh, 0, EDU_BYTES);
	ret = edu_copy(edu_cur, EDU_MEM, edu_cur->coh_dma, true);
	if (ret)
		return ret;
	for (i = 0; i < EDU_BYTES; i++)
		if (edu_cur->coh[i] != pattern(seed, i) && !bad++)
			first = i;
	if (!bad)
		return 0;
	pr_info("todev seed %u: %u of %u bytes differ, first at %u (0x%02x, not 0x%02x)\n",
		seed, bad, EDU_BYTES, first, edu_cur->coh[first], pattern(seed, first));
	return -EILSEQ;
}

/* The pattern of @seed into the device, then into the buffer. */
static int cmd_fromdev(enum dma_data_direction dir, unsigned int seed)
{
	struct sg_table *sgt;
	unsigned int i;
	int ret;

	for (i = 0; i < EDU_BYTES; i++)
		edu_cur->coh[i] = pattern(seed, i);
	ret = edu_copy(edu_cur, edu_cur->coh_dma, EDU_MEM, false);
	if (ret)
		return ret;
	sgt = edu_map(dir);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	ret = edu_copy(edu_cur, EDU_MEM, sg_dma_address(sgt->sgl), true);
	edu_unmap(sgt, dir);
	return ret;
}

static int cmd_attach(int fd, const char *mode)
{
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	bool module_mode;
	int ret;

	if (!strcmp(mode, "module"))
		module_mode = true;
	else if (!strcmp(mode, "core"))
		module_mode = false;
	else
		return -EINVAL;
	if (edu_attach)
		return -EBUSY;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = sgt_probes_register(&probes, dmabuf->ops);
	if (ret) {
		dma_buf_put(dmabuf);
		return ret;
	}
	sgt_probes_reset(&probes);
	if (module_mode)
		attach = dma_buf_sgt_cache_attach(dmabuf, &edu_cur->pdev->dev);
	else
		attach = dma_buf_attach(dmabuf, &edu_cur->pdev->dev);
	if (IS_ERR(attach)) {
		dma_buf_put(dmabuf);
		return PTR_ERR(attach);
	}
	edu_buf = dmabuf;
	edu_attach = attach;
	edu_module_mode = module_mode;
	return 0;
}

static void cmd_detach(void)
{
	if (!edu_attach)
		return;
	if (edu_module_mode)
		dma_buf_sgt_cache_detach(edu_buf, edu_attach);
	else
		dma_buf_detach(edu_buf, edu_attach);
	dma_buf_put(edu_buf);
	edu_attach = NULL;
	edu_buf = NULL;
}

static int run(char *cmd)
{
	char verb[8], word[8];
	enum dma_data_direction dir;
	unsigned int seed, n;
	int fd;

	if (sscanf(cmd, "dev %u", &n) == 1) {
		if (n >= n_edus)
			return -ENODEV;
		if (edu_attach)
			return -EBUSY;
		edu_cur = &edus[n];
		return 0;
	}
	if (!edu_cur)
		return -ENODEV;
	if (sscanf(cmd, "attach %d %7s", &fd, word) == 2)
		return cmd_attach(fd, word);
	if (sysfs_streq(cmd, "detach")) {
		if (!edu_attach)
			return -ENOENT;
		cmd_detach();
		return 0;
	}
	if (sscanf(cmd, "stray %u", &seed) == 1) {
		if (!edu_attach)
			return -ENOENT;
		return cmd_fromdev(DMA_TO_DEVICE, seed);
	}
	if (sscanf(cmd, "%7s %7s %u", verb, word, &seed) != 3 || sgt_ctl_dir(word, &dir))
		return -EINVAL;
	if (strcmp(verb, "todev") && strcmp(verb, "fromdev"))
		return -EINVAL;
	if (!edu_attach)
		return -ENOENT;
	return strcmp(verb, "todev") ? cmd_fromdev(dir, seed) : cmd_todev(dir, seed);
}

static ssize_t ctl_write(struct file *file, const char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	char cmd[48];
	int ret = sgt_ctl_copy(cmd, sizeof(cmd), ubuf, len);

	if (ret)
		return ret;
	mutex_lock(&edu_lock);
	ret = run(cmd);
	mutex_unlock(&edu_lock);
	return ret ? ret : len;
}

static ssize_t ctl_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *ppos)
{
	struct iommu_domain *domain;
	char buf[192];
	int n = 0;

	mutex_lock(&edu_lock);
	if (edu_cur) {
		domain = iommu_get_domain_for_dev(&edu_cur->pdev->dev);
		n = scnprintf(buf, sizeof(buf),
			      "dev=%ld iommu=%s untrusted=%d mask_bits=%u cached=%d exporter_map_calls=%d exporter_unmap_calls=%d\n",
			      (long)(edu_cur - edus),
			      domain && iommu_is_dma_domain(domain) ? "dma" : "none",
			      edu_cur->pdev->untrusted, edu_cur->mask_bits,
			      edu_attach && dma_buf_sgt_cache_table(edu_attach),
			      atomic_read(&probes.maps), atomic_read(&probes.unmaps));
	}
	mutex_unlock(&edu_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations ctl_fops = {
	.owner = THIS_MODULE,
	.read = ctl_read,
	.write = ctl_write,
	.llseek = default_llseek,
};

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu *e;
	int ret;

	if (n_edus == EDU_MAX)
		return -ENOSPC;
	e = &edus[n_edus];
	e->mask_bits = n_edus ? mask_bits1 : mask_bits0;
	if (n_edus && untrusted1)
		pdev->untrusted = 1;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (ret)
		return ret;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(e->mask_bits));
	if (ret)
		return ret;
	e->coh = dmam_alloc_coherent(&pdev->dev, EDU_BYTES, &e->coh_dma, GFP_KERNEL);
	if (!e->coh)
		return -ENOMEM;
	pci_set_master(pdev);
	e->regs = pcim_iomap_table(pdev)[0];
	e->pdev = pdev;
	n_edus++;
	return 0;
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },	/* QEMU's edu */
	{ }
};

static struct pci_driver edu_driver = {
	.name = KBUILD_MODNAME,
	.id_table = edu_ids,
	.probe = edu_probe,
};

static int __init sgt_edu_init(void)
{
	int ret;

	if (mask_bits0 < 24 || mask_bits0 > 64 || mask_bits1 < 24 || mask_bits1 > 64) {
		pr_err("mask_bits0 and mask_bits1 must be 24 to 64\n");
		return -EINVAL;
	}
	ret = pci_register_driver(&edu_driver);
	if (ret)
		return ret;
	if (!n_edus) {
		pci_unregister_driver(&edu_driver);
		pr_err("no edu device (QEMU: -machine q35 -device edu)\n");
		return -ENODEV;
	}
	edu_dir = debugfs_create_dir("sgt_edu", NULL);
	debugfs_create_file("ctl", 0600, edu_dir, NULL, &ctl_fops);
	return 0;
}

static void __exit sgt_edu_exit(void)
{
	debugfs_remove_recursive(edu_dir);
	mutex_lock(&edu_lock);
	cmd_detach();
	sgt_probes_unregister(&probes);
	mutex_unlock(&edu_lock);
	pci_unregister_driver(&edu_driver);
}

module_init(sgt_edu_init);
module_exit(sgt_edu_exit);
MODULE_DESCRIPTION("Test importer with QEMU's edu DMA engine, for dma-buf sg_table caching");
MODULE_LICENSE("GPL");
