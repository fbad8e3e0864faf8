/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exporter side of a buffer of real pages: allocated page by page, mapped
 * for the importing device at every map_dma_buf (an sg_table built from the
 * page list, then dma_map_sgtable()), as a real exporter does. Used by the
 * mock exporter of the matrix (tests/exporter) and the benchmark
 * (tests/bench).
 */
#ifndef _SGT_PAGE_BUF_H
#define _SGT_PAGE_BUF_H

#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

struct sgt_page_buf {
	struct page **pages;
	unsigned long npages;
};

static inline void sgt_page_buf_free(struct sgt_page_buf *buf)
{
	while (buf->npages)
		__free_page(buf->pages[--buf->npages]);
	kvfree(buf->pages);
	kfree(buf);
}

/* @size bytes (a multiple of PAGE_SIZE) of zeroed pages, or NULL. */
static inline struct sgt_page_buf *sgt_page_buf_alloc(unsigned long size)
{
	struct sgt_page_buf *buf = kzalloc(sizeof(*buf), GFP_KERNEL);

	if (!buf)
		return NULL;
	buf->pages = kvcalloc(size >> PAGE_SHIFT, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages)
		goto fail;
	for (; buf->npages < size >> PAGE_SHIFT; buf->npages++) {
		buf->pages[buf->npages] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!buf->pages[buf->npages])
			goto fail;
	}
	return buf;
fail:
	sgt_page_buf_free(buf);
	return NULL;
}

/* A table of @buf DMA-mapped for @dev with @attrs, or an ERR_PTR(). */
static inline struct sg_table *sgt_page_buf_map(struct sgt_page_buf *buf,
						struct device *dev,
						enum dma_data_direction dir,
						unsigned long attrs)
{
	struct sg_table *sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	int ret;

	if (!sgt)
		return ERR_PTR(-ENOMEM);
	/* Segments no longer than the device takes (DMA_API_DEBUG checks). */
	ret = sg_alloc_table_from_pages_segment(sgt, buf->pages, buf->npages, 0,
						buf->npages << PAGE_SHIFT,
						dma_get_max_seg_size(dev),
						GFP_KERNEL);
	if (ret)
		goto free;
	ret = dma_map_sgtable(dev, sgt, dir, attrs);
	if (ret)
		goto table;
	return sgt;
table:
	sg_free_table(sgt);
free:
	kfree(sgt);
	return ERR_PTR(ret);
}

static inline void sgt_page_buf_unmap(struct device *dev, struct sg_table *sgt,
				      enum dma_data_direction dir,
				      unsigned long attrs)
{
	dma_unmap_sgtable(dev, sgt, dir, attrs);
	sg_free_table(sgt);
	kfree(sgt);
}

#endif /* _SGT_PAGE_BUF_H */
