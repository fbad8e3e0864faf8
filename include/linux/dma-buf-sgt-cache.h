/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attach time sg_table caching for importers of dma-bufs, on kernels with
 * and without the dma-buf-sgt-cache patch series.
 *
 * Static importers call these four functions instead of dma_buf_attach(),
 * dma_buf_map_attachment_unlocked(), dma_buf_unmap_attachment_unlocked()
 * (before v6.2: the calls without _unlocked) and dma_buf_detach(), and
 * dma_buf_sgt_cache_attach_uncached() instead of dma_buf_attach() where they
 * map rarely or never. Since the dynamic locking convention (v6.2),
 * importers that map with the reservation lock held call
 * dma_buf_sgt_cache_map_locked() and _unmap_locked() instead of
 * dma_buf_map_attachment() and dma_buf_unmap_attachment(). The table kept
 * for an attachment is dma_buf_sgt_cache_table().
 * On a kernel that carries the series (found by the conftest, which defines
 * DMA_BUF_SGT_CACHE_IN_CORE) they are the core calls themselves; elsewhere
 * the dma-buf-sgt-cache module gives them the same semantics.
 */
#ifndef _LINUX_DMA_BUF_SGT_CACHE_H
#define _LINUX_DMA_BUF_SGT_CACHE_H

#include <linux/dma-buf.h>

#if !defined(DMA_BUF_SGT_CACHE_IN_CORE) || !defined(DMA_BUF_SGT_CACHE_LOCKED_MAP) || \
	!defined(DMA_BUF_SGT_CACHE_ATTACH_SGT)
#error "include the conftest's conftest.h first (see Kbuild)"
#endif

/**
 * dma_buf_sgt_cache_core_map - map as this kernel's static importers do
 * @attach: the attachment
 * @dir: direction of the DMA transfer
 *
 * The core's dma_buf_map_attachment_unlocked() under the dynamic locking
 * convention (v6.2+), dma_buf_map_attachment() before it.
 *
 * Context: Process context, without the reservation lock held.
 *
 * Return: the sg_table, or an ERR_PTR().
 */
static inline struct sg_table *
dma_buf_sgt_cache_core_map(struct dma_buf_attachment *attach,
			   enum dma_data_direction dir)
{
#if DMA_BUF_SGT_CACHE_LOCKED_MAP
	return dma_buf_map_attachment_unlocked(attach, dir);
#else
	return dma_buf_map_attachment(attach, dir);
#endif
}

/**
 * dma_buf_sgt_cache_core_unmap - unmap as this kernel's static importers do
 * @attach: the attachment
 * @sgt: the table from dma_buf_sgt_cache_core_map()
 * @dir: the direction it was mapped with
 *
 * Context: Process context, without the reservation lock held.
 */
static inline void
dma_buf_sgt_cache_core_unmap(struct dma_buf_attachment *attach,
			     struct sg_table *sgt, enum dma_data_direction dir)
{
#if DMA_BUF_SGT_CACHE_LOCKED_MAP
	dma_buf_unmap_attachment_unlocked(attach, sgt, dir);
#else
	dma_buf_unmap_attachment(attach, sgt, dir);
#endif
}

#if DMA_BUF_SGT_CACHE_IN_CORE

static inline struct dma_buf_attachment *
dma_buf_sgt_cache_attach(struct dma_buf *dmabuf, struct device *dev)
{
	return dma_buf_attach(dmabuf, dev);
}

static inline struct sg_table *
dma_buf_sgt_cache_map(struct dma_buf_attachment *attach,
		      enum dma_data_direction dir)
{
	return dma_buf_sgt_cache_core_map(attach, dir);
}

static inline void dma_buf_sgt_cache_unmap(struct dma_buf_attachment *attach,
					   struct sg_table *sgt,
					   enum dma_data_direction dir)
{
	dma_buf_sgt_cache_core_unmap(attach, sgt, dir);
}

/*
 * An attachment of another buffer is refused here, as the core does since
 * v6.2 (6.1's core would detach it from the wrong buffer), as the module
 * refuses it.
 */
static inline void dma_buf_sgt_cache_detach(struct dma_buf *dmabuf,
					    struct dma_buf_attachment *attach)
{
	if (WARN_ON(dmabuf && attach && dmabuf != attach->dmabuf))
		return;
	dma_buf_detach(dmabuf, attach);
}

#if DMA_BUF_SGT_CACHE_LOCKED_MAP
static inline struct sg_table *
dma_buf_sgt_cache_map_locked(struct dma_buf_attachment *attach,
			     enum dma_data_direction dir)
{
	return dma_buf_map_attachment(attach, dir);
}

static inline void
dma_buf_sgt_cache_unmap_locked(struct dma_buf_attachment *attach,
			       struct sg_table *sgt, enum dma_data_direction dir)
{
	dma_buf_unmap_attachment(attach, sgt, dir);
}
#endif

/**
 * dma_buf_sgt_cache_attach_uncached - attach without an attach time map
 * @dmabuf: buffer to attach to
 * @dev: the importing device
 *
 * For importers that map the buffer rarely or never: like
 * dma_buf_sgt_cache_attach(), but nothing is mapped at attach time and every
 * map and unmap reaches the exporter. On a kernel with the series this is
 * the core's dma_buf_attach_uncached(); without it, the module's, which is
 * dma_buf_attach() (it never caches there) plus its own bookkeeping. Map,
 * unmap and detach the attachment with the other calls of this header.
 *
 * Context: Process context. The caller must not hold the reservation lock of
 * @dmabuf.
 *
 * Return: the attachment, or an ERR_PTR().
 */
static inline struct dma_buf_attachment *
dma_buf_sgt_cache_attach_uncached(struct dma_buf *dmabuf, struct device *dev)
{
	return dma_buf_attach_uncached(dmabuf, dev);
}

#else /* !DMA_BUF_SGT_CACHE_IN_CORE */

struct dma_buf_attachment *
dma_buf_sgt_cache_attach(struct dma_buf *dmabuf, struct device *dev);
struct dma_buf_attachment *
dma_buf_sgt_cache_attach_uncached(struct dma_buf *dmabuf, struct device *dev);
struct sg_table *dma_buf_sgt_cache_map(struct dma_buf_attachment *attach,
				       enum dma_data_direction dir);
void dma_buf_sgt_cache_unmap(struct dma_buf_attachment *attach,
			     struct sg_table *sgt, enum dma_data_direction dir);
void dma_buf_sgt_cache_detach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attach);
#if DMA_BUF_SGT_CACHE_LOCKED_MAP
struct sg_table *dma_buf_sgt_cache_map_locked(struct dma_buf_attachment *attach,
					      enum dma_data_direction dir);
void dma_buf_sgt_cache_unmap_locked(struct dma_buf_attachment *attach,
				    struct sg_table *sgt, enum dma_data_direction dir);
#endif

#endif /* DMA_BUF_SGT_CACHE_IN_CORE */

#if DMA_BUF_SGT_CACHE_ATTACH_SGT
/**
 * dma_buf_sgt_cache_table - the table kept for an attachment, if any
 * @attach: an attachment made by the calls of this header
 *
 * The table mapped at attach time and kept until detach (on a kernel with
 * the core's lazy cache, cache_sgt_mapping, also one it keeps from the
 * first map): &dma_buf_attachment.sgt, where the core has it; on kernels
 * without it (upstream since v6.16) the module's record of the attachment.
 *
 * Context: Any context.
 *
 * Return: the table, or NULL (with a warning for a NULL @attach).
 */
static inline struct sg_table *
dma_buf_sgt_cache_table(struct dma_buf_attachment *attach)
{
	if (WARN_ON(!attach))
		return NULL;
	return attach->sgt;
}
#else
struct sg_table *dma_buf_sgt_cache_table(struct dma_buf_attachment *attach);
#endif

#endif /* _LINUX_DMA_BUF_SGT_CACHE_H */
