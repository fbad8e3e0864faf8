/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The importing device of the test modules: a root device that takes a
 * 64-bit DMA mask and segments of any length. Exporters DMA-map for it, and
 * DMA-API debugging checks their segments against what it says it takes.
 * It has no IOMMU: its DMA addresses are the pages' physical addresses.
 * Used by tests/importer, tests/faults, tests/bench and tests/dma-debug.
 */
#ifndef _SGT_ROOT_DEV_H
#define _SGT_ROOT_DEV_H

#include <linux/device.h>
#include <linux/dma-mapping.h>

/**
 * struct sgt_root_dev - a root device and the DMA parameters it points to
 * @dev: the device, valid after sgt_root_dev_register() returned 0
 * @parms: its dma_parms
 */
struct sgt_root_dev {
	struct device *dev;
	struct device_dma_parameters parms;
};

/**
 * sgt_root_dev_register() - register a root device that can DMA
 * @rd: where the device goes; must outlive it
 * @name: the device's name, unique among root devices
 *
 * Unregister it with root_device_unregister(@rd->dev).
 *
 * Return: 0, or a negative errno with nothing registered.
 */
static inline int sgt_root_dev_register(struct sgt_root_dev *rd, const char *name)
{
	int ret;

	rd->dev = __root_device_register(name, NULL);
	if (IS_ERR(rd->dev))
		return PTR_ERR(rd->dev);
	rd->dev->dma_parms = &rd->parms;
	dma_set_max_seg_size(rd->dev, UINT_MAX);
	ret = dma_coerce_mask_and_coherent(rd->dev, DMA_BIT_MASK(64));
	if (ret)
		root_device_unregister(rd->dev);
	return ret;
}

#endif
