// SPDX-License-Identifier: GPL-2.0
/*
 * A reproducer for a miscount in DMA-API debugging (kernel/dma/debug.c),
 * with no dma-buf in it: threads= kthreads each map and unmap their own
 * sg_table of the same 4 pages, DMA_BIDIRECTIONAL with
 * DMA_ATTR_SKIP_CPU_SYNC, for at most seconds=. At most threads= mappings of
 * a page are live at once, so the overlap count of a cacheline never needs
 * to pass threads - 1; with shared=1 (one device for all threads) it
 * drifts up until "exceeded 7 overlapping mappings of cacheline" warns.
 *
 * add_dma_entry() publishes an entry in the hash before it inserts it into
 * the cacheline tree. Without an IOMMU, the mappings of one page by one
 * device have equal DMA addresses, so check_unmap() in another thread can
 * take that entry for its own, free it and hand it out again, before the
 * owner's active_cacheline_insert() reads it. The owner then counts the
 * cacheline of whatever the entry describes by then. With one device per
 * thread (shared=0), unmap only ever finds the thread's own entries.
 *
 * scripts/stress.sh loads it with shared=1 and requires the warning; the
 * concurrency stress of tests/faults gives each kthread its own device.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/panic.h>
#include <linux/scatterlist.h>
#include <sgt-root-dev.h>

static unsigned int seconds = 60;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "stop after this long, or at the first WARN");
static unsigned int threads = 4;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "mapping kthreads (1-7)");
static bool shared = true;
module_param(shared, bool, 0444);
MODULE_PARM_DESC(shared, "one device for all threads (else one each)");

#define RACE_PAGES	4
#define RACE_THREADS	7	/* 7 live mappings: an overlap count of 6, below the limit of 7 */

static struct page *race_pages[RACE_PAGES];
static struct sgt_root_dev race_devs[RACE_THREADS];
static unsigned long race_deadline;
static atomic_t race_rounds, race_errors;
static bool race_tainted;

static bool race_warned(void)
{
	return !race_tainted && test_taint(TAINT_WARN);
}

static int race_thread(void *data)
{
	struct device *dev = data;
	struct sg_table sgt;

	while (time_before(jiffies, race_deadline) && !race_warned()) {
		if (sg_alloc_table_from_pages(&sgt, race_pages, RACE_PAGES, 0,
					      RACE_PAGES * PAGE_SIZE, GFP_KERNEL)) {
			atomic_inc(&race_errors);
			break;
		}
		if (dma_map_sgtable(dev, &sgt, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC))
			atomic_inc(&race_errors);
		else
			dma_unmap_sgtable(dev, &sgt, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
		sg_free_table(&sgt);
		atomic_inc(&race_rounds);
		cond_resched();
	}
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

static int __init dma_debug_race_init(void)
{
	struct task_struct *tasks[RACE_THREADS];
	unsigned int ndev = shared ? 1 : threads, i, n = 0;
	unsigned long start;
	int ret = 0;

	if (!threads || threads > RACE_THREADS || !seconds)
		return -EINVAL;
	race_tainted = test_taint(TAINT_WARN);
	for (i = 0; i < ndev && !ret; i++) {
		char name[32];

		snprintf(name, sizeof(name), "dma-debug-race-%u", i);
		ret = sgt_root_dev_register(&race_devs[i], name);
	}
	if (ret)
		ndev = i - 1;
	for (i = 0; i < RACE_PAGES && !ret; i++) {
		race_pages[i] = alloc_page(GFP_KERNEL);
		if (!race_pages[i])
			ret = -ENOMEM;
	}
	start = jiffies;
	race_deadline = start + seconds * HZ;
	for (n = 0; n < threads && !ret; n++) {
		tasks[n] = kthread_run(race_thread, race_devs[shared ? 0 : n].dev,
				       "dma_debug_race/%u", n);
		if (IS_ERR(tasks[n]))
			ret = PTR_ERR(tasks[n]);
	}
	if (ret && n)
		n--;	/* tasks[n] failed to start */
	for (i = 0; i < n; i++)
		kthread_stop(tasks[i]);
	if (!ret) {
		pr_info("KTAP version 1\n");
		pr_info("1..1\n");
		pr_info("# %d rounds by %u threads on %u device(s) in %u ms, %d errors, warned: %s\n",
			atomic_read(&race_rounds), threads, ndev,
			jiffies_to_msecs(jiffies - start), atomic_read(&race_errors),
			race_warned() ? "yes" : "no");
		pr_info("%s 1 rounds_without_errors\n",
			atomic_read(&race_rounds) && !atomic_read(&race_errors) ? "ok" : "not ok");
	}
	for (i = 0; i < RACE_PAGES; i++)
		if (race_pages[i])
			__free_page(race_pages[i]);
	for (i = 0; i < ndev; i++)
		root_device_unregister(race_devs[i].dev);
	return ret;
}

static void __exit dma_debug_race_exit(void)
{
}

module_init(dma_debug_race_init);
module_exit(dma_debug_race_exit);
MODULE_DESCRIPTION("Reproducer: DMA-API debugging miscounts overlapping mappings of one device");
MODULE_LICENSE("GPL");
