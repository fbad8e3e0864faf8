/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counting a real exporter's map_dma_buf and unmap_dma_buf calls with kprobes
 * on its own callbacks, whatever the exporter is. Used by the test importers
 * (tests/importer, tests/edu). The counts are those of every buffer that
 * shares the callbacks: keep one buffer busy at a time.
 */
#ifndef _SGT_PROBES_H
#define _SGT_PROBES_H

#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/kprobes.h>

/**
 * struct sgt_probes - the probes on one exporter's map and unmap callbacks
 * @map: the probe on &dma_buf_ops.map_dma_buf
 * @unmap: the probe on &dma_buf_ops.unmap_dma_buf
 * @maps: map_dma_buf calls counted since the last sgt_probes_reset()
 * @unmaps: unmap_dma_buf calls counted since then
 * @ops: the probed exporter's ops, NULL when nothing is probed
 *
 * Zero it before first use; serialise the calls below.
 */
struct sgt_probes {
	struct kprobe map, unmap;
	atomic_t maps, unmaps;
	const struct dma_buf_ops *ops;
};

static inline int sgt_probes_count_map(struct kprobe *p, struct pt_regs *regs)
{
	atomic_inc(&container_of(p, struct sgt_probes, map)->maps);
	return 0;
}

static inline int sgt_probes_count_unmap(struct kprobe *p, struct pt_regs *regs)
{
	atomic_inc(&container_of(p, struct sgt_probes, unmap)->unmaps);
	return 0;
}

/** sgt_probes_unregister() - stop counting; a no-op if nothing is probed */
static inline void sgt_probes_unregister(struct sgt_probes *pr)
{
	if (!pr->ops)
		return;
	unregister_kprobe(&pr->unmap);
	unregister_kprobe(&pr->map);
	pr->ops = NULL;
}

/**
 * sgt_probes_register() - count the calls of @ops' map and unmap callbacks
 * @pr: the probes
 * @ops: the exporter's ops
 *
 * The probes stay until another exporter is probed or
 * sgt_probes_unregister(): registering costs an RCU grace period or two.
 *
 * Return: 0, or the error of register_kprobe() with nothing probed.
 */
static inline int sgt_probes_register(struct sgt_probes *pr,
				      const struct dma_buf_ops *ops)
{
	int ret;

	if (ops == pr->ops)
		return 0;
	sgt_probes_unregister(pr);
	pr->map = (struct kprobe){
		.addr = (kprobe_opcode_t *)ops->map_dma_buf,
		.pre_handler = sgt_probes_count_map,
	};
	pr->unmap = (struct kprobe){
		.addr = (kprobe_opcode_t *)ops->unmap_dma_buf,
		.pre_handler = sgt_probes_count_unmap,
	};
	ret = register_kprobe(&pr->map);
	if (ret)
		return ret;
	ret = register_kprobe(&pr->unmap);
	if (ret) {
		unregister_kprobe(&pr->map);
		return ret;
	}
	pr->ops = ops;
	return 0;
}

/** sgt_probes_reset() - start counting from zero */
static inline void sgt_probes_reset(struct sgt_probes *pr)
{
	atomic_set(&pr->maps, 0);
	atomic_set(&pr->unmaps, 0);
}

#endif /* _SGT_PROBES_H */
