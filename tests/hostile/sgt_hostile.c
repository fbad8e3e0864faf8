// SPDX-License-Identifier: GPL-2.0
/*
 * Importers that do not behave, through include/linux/dma-buf-sgt-cache.h
 * (dma-buf-sgt-cache.ko on a stock kernel: load it first; the core on a
 * patched one), with the stock core's own calls as the reference in the
 * same step. Run at load time:
 *
 *   mode=bad_args    every call with a NULL buffer, device, attachment or
 *                    table, a table that is not the attachment's, a
 *                    direction that is none: the error and the exporter
 *                    calls are the core's, the cached attachment is left
 *                    as it was. The core warns: the harness expects the
 *                    WARNs from this step.
 *   mode=reuse       a cached attachment detached with plain
 *                    dma_buf_detach(), then plain attachments of another
 *                    buffer until one lands at its address: that one is
 *                    served as the core serves it (its own exporter's
 *                    table, no table of the first buffer). Needs a kernel
 *                    that hands a freed address back (no KASAN quarantine):
 *                    a reuse that never happens fails.
 *   mode=deny        an exporter built as a module whose map_dma_buf() has
 *                    the name of one on the module's default deny list
 *                    (vmwgfx's, a module on Debian; "%ps" prints
 *                    "vmw_prime_map_dma_buf [sgt_hostile]" for it): never
 *                    cached; another exporter of this module is.
 *   mode=atomic_core, mode=atomic
 *                    a map under a spinlock, with the core's call and with
 *                    the header's of a cached attachment: each must get
 *                    might_sleep()'s report (the harness expects a BUG
 *                    report from each step; run them after lockdep's one
 *                    report of the boot).
 *   mode=irq         dma_buf_sgt_cache_table() of two cached attachments in
 *                    hard interrupt context (irq_work, a self-IPI on x86),
 *                    raised while the task maps and unmaps them in turn:
 *                    every lookup and every map returns its own
 *                    attachment's table.
 *   mode=fence       an unsignalled kernel fence on the buffer (an exporter's
 *                    move, say) and a signal pending: the header's map of a
 *                    cached attachment is interrupted with -ERESTARTSYS, as
 *                    the core's map of an uncached one is; once the fence
 *                    signals both map. Stock kernels only (the series'
 *                    cached map does not wait yet).
 *   mode=nomem       fail the Nth fault injection point of an attach, for
 *                    every N (current->fail_nth; failslab must not ignore
 *                    GFP_KERNEL: tests/guest/fail-nth sets that): no more N
 *                    fail the header's attach than fail the core's attach
 *                    and map, with the core's error (the module's own
 *                    bookkeeping never fails an attach; one of its points
 *                    that did would make one more).
 *
 * Built out of tree with conftest.h (conftest.sh --kdir, run by
 * scripts/harness/build-modules.sh).
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-buf-sgt-cache.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <sgt-root-dev.h>
#include <sgt-test-mock.h>

MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS);

static char *mode = "bad_args";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "bad_args|reuse|deny|atomic_core|atomic|irq|fence|nomem");

/* A value of enum dma_data_direction that is no direction. */
#define HOSTILE_NO_DIR ((enum dma_data_direction)7)
/* How many plain attachments may be made waiting for an address to return. */
#define HOSTILE_REUSE_TRIES 256

/* One mock buffer: the exporter's calls, the tables it made and was handed last. */
struct hostile_buf {
	struct dma_buf *dmabuf;
	int maps;
	int unmaps;
	struct sg_table *mapped;
	struct sg_table *unmapped;
};

static struct sg_table *hostile_map(struct dma_buf_attachment *attach,
				    enum dma_data_direction dir)
{
	struct hostile_buf *hb = attach->dmabuf->priv;
	struct sg_table *sgt;

	if (!valid_dma_direction(dir))
		return ERR_PTR(-EINVAL);
	sgt = sgt_test_mock_table(PAGE_SIZE);
	if (!IS_ERR(sgt)) {
		hb->maps++;
		hb->mapped = sgt;
	}
	return sgt;
}

/*
 * The same, under the name of vmwgfx's map_dma_buf(), which the module's
 * default deny list holds: the deny case's exporter, in a module as
 * vmwgfx is on Debian.
 */
static struct sg_table *vmw_prime_map_dma_buf(struct dma_buf_attachment *attach,
					      enum dma_data_direction dir)
{
	return hostile_map(attach, dir);
}

static void hostile_unmap(struct dma_buf_attachment *attach,
			  struct sg_table *sgt, enum dma_data_direction dir)
{
	struct hostile_buf *hb = attach->dmabuf->priv;

	hb->unmaps++;
	hb->unmapped = sgt;
	sgt_test_mock_unmap(attach, sgt, dir);
}

static const struct dma_buf_ops hostile_ops = {
	.map_dma_buf = hostile_map,
	.unmap_dma_buf = hostile_unmap,
	.release = sgt_test_mock_release,
};

static const struct dma_buf_ops hostile_denied_ops = {
	.map_dma_buf = vmw_prime_map_dma_buf,
	.unmap_dma_buf = hostile_unmap,
	.release = sgt_test_mock_release,
};

static struct sgt_root_dev hostile_dev;

/* The results, printed as KTAP once the mode is done. */
#define HOSTILE_MAX_TESTS 24
static struct {
	bool ok;
	const char *what;
	const char *skip;
} hostile_results[HOSTILE_MAX_TESTS];
static int hostile_tests;

static void ktap(bool ok, const char *what)
{
	if (hostile_tests < HOSTILE_MAX_TESTS) {
		hostile_results[hostile_tests].ok = ok;
		hostile_results[hostile_tests].what = what;
	}
	hostile_tests++;
}

/* A check that cannot run here, and why: only a skip listed in tests/expected-skips passes. */
static void ktap_skip(const char *what, const char *why)
{
	if (hostile_tests < HOSTILE_MAX_TESTS)
		hostile_results[hostile_tests].skip = why;
	ktap(true, what);
}

static void ktap_print(void)
{
	int i;

	pr_info("KTAP version 1\n");
	pr_info("1..%d\n", hostile_tests);
	for (i = 0; i < min(hostile_tests, HOSTILE_MAX_TESTS); i++) {
		pr_info("%s %d %s%s%s\n", hostile_results[i].ok ? "ok" : "not ok", i + 1,
			hostile_results[i].what, hostile_results[i].skip ? " # SKIP " : "",
			hostile_results[i].skip ?: "");
	}
	if (hostile_tests > HOSTILE_MAX_TESTS)
		pr_info("not ok %d more results than room for them\n", hostile_tests);
}

static int hostile_export(struct hostile_buf *hb, const struct dma_buf_ops *ops)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);

	memset(hb, 0, sizeof(*hb));
	exp_info.ops = ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = hb;
	hb->dmabuf = dma_buf_export(&exp_info);
	return PTR_ERR_OR_ZERO(hb->dmabuf);
}

static long err_of(const void *p)
{
	return IS_ERR(p) ? PTR_ERR(p) : 0;
}

/*
 * Whether the core's map returns another table than the exporter's (a
 * wrapper, under CONFIG_DMABUF_DEBUG since v6.16), on a plain attachment of @hb.
 */
static bool hostile_core_wraps(struct hostile_buf *hb)
{
	struct dma_buf_attachment *at = dma_buf_attach(hb->dmabuf, hostile_dev.dev);
	struct sg_table *sgt;
	bool wraps = false;

	if (IS_ERR(at))
		return false;
	sgt = dma_buf_sgt_cache_core_map(at, DMA_TO_DEVICE);
	if (!IS_ERR(sgt)) {
		wraps = sgt != hb->mapped;
		dma_buf_sgt_cache_core_unmap(at, sgt, DMA_TO_DEVICE);
	}
	dma_buf_detach(hb->dmabuf, at);
	return wraps;
}

/* Every call with a bad argument: the core's answer, nothing else changed. */
static void bad_args(struct hostile_buf *a, struct hostile_buf *b)
{
	struct device *dev = hostile_dev.dev;
	struct dma_buf_attachment *at, *core;
	struct sg_table *cached, *exported, *got, *foreign;
	int maps, unmaps, b_calls;

	ktap(err_of(dma_buf_sgt_cache_attach(NULL, dev)) == err_of(dma_buf_attach(NULL, dev)) &&
	     err_of(dma_buf_attach(NULL, dev)) == -EINVAL, "attach_null_buffer");
	ktap(err_of(dma_buf_sgt_cache_attach(a->dmabuf, NULL)) ==
	     err_of(dma_buf_attach(a->dmabuf, NULL)) && !a->maps, "attach_null_device");
	ktap(err_of(dma_buf_sgt_cache_attach_uncached(NULL, dev)) ==
	     err_of(dma_buf_attach(NULL, dev)), "attach_uncached_null_buffer");
	ktap(err_of(dma_buf_sgt_cache_map(NULL, DMA_TO_DEVICE)) ==
	     err_of(dma_buf_sgt_cache_core_map(NULL, DMA_TO_DEVICE)), "map_null_attachment");
#if DMA_BUF_SGT_CACHE_LOCKED_MAP
	ktap(err_of(dma_buf_sgt_cache_map_locked(NULL, DMA_TO_DEVICE)) ==
	     err_of(dma_buf_map_attachment(NULL, DMA_TO_DEVICE)), "map_locked_null_attachment");
#endif
	ktap(!dma_buf_sgt_cache_table(NULL), "table_null_attachment");

	at = dma_buf_sgt_cache_attach(a->dmabuf, dev);
	if (IS_ERR(at)) {
		ktap(false, "cached_attach");
		return;
	}
	cached = dma_buf_sgt_cache_table(at);
	/* the exporter's own (the core may hand out a wrapper of it) */
	exported = a->mapped;
	ktap(cached && a->maps == 1, "attach_cached");
	maps = a->maps;
	unmaps = a->unmaps;
	/* no table, no attachment: nothing reaches the exporter */
	dma_buf_sgt_cache_unmap(NULL, cached, DMA_TO_DEVICE);
	dma_buf_sgt_cache_unmap(at, NULL, DMA_TO_DEVICE);
	dma_buf_sgt_cache_core_unmap(NULL, cached, DMA_TO_DEVICE);
	dma_buf_sgt_cache_core_unmap(at, NULL, DMA_TO_DEVICE);
	ktap(a->maps == maps && a->unmaps == unmaps, "unmap_null_changes_nothing");

	/*
	 * A table the attachment never had goes to the exporter, as on stock,
	 * unless the core hands out wrappers of the exporter's tables
	 * (CONFIG_DMABUF_DEBUG since v6.16): then its unmap takes any table
	 * for one of its wrappers and reads past it, on stock as through the
	 * module (tests/expected-skips).
	 */
	if (hostile_core_wraps(b)) {
		ktap_skip("unmap_foreign_table_reaches_exporter",
			  "the core unwraps every table it unmaps (CONFIG_DMABUF_DEBUG): a foreign one is read out of bounds, on stock too");
	} else {
		foreign = sgt_test_mock_table(PAGE_SIZE);
		if (!IS_ERR(foreign))
			dma_buf_sgt_cache_unmap(at, foreign, DMA_TO_DEVICE);
		ktap(!IS_ERR(foreign) && a->unmaps == unmaps + 1 && a->unmapped == foreign,
		     "unmap_foreign_table_reaches_exporter");
	}

	/* a direction that is none: the cached table, as the series returns */
	got = dma_buf_sgt_cache_map(at, HOSTILE_NO_DIR);
	ktap(got == cached && a->maps == maps, "cached_map_any_direction");
	if (!IS_ERR_OR_NULL(got))
		dma_buf_sgt_cache_unmap(at, got, HOSTILE_NO_DIR);

	/*
	 * detach with a NULL buffer or attachment, or from another buffer:
	 * refused, still attached (6.1's core has no check for the last one)
	 */
	maps = a->maps;
	unmaps = a->unmaps;
	b_calls = b->maps + b->unmaps;
	dma_buf_sgt_cache_detach(NULL, at);
	dma_buf_sgt_cache_detach(a->dmabuf, NULL);
	dma_buf_sgt_cache_detach(b->dmabuf, at);
	got = dma_buf_sgt_cache_map(at, DMA_TO_DEVICE);
	ktap(a->maps == maps && a->unmaps == unmaps && got == cached &&
	     b->maps + b->unmaps == b_calls, "detach_bad_changes_nothing");
	if (!IS_ERR(got))
		dma_buf_sgt_cache_unmap(at, got, DMA_TO_DEVICE);
	dma_buf_sgt_cache_detach(a->dmabuf, at);
	ktap(a->unmaps == unmaps + 1 && a->unmapped == exported, "detach_unmaps_once");

	/*
	 * a direction that is none, uncached: the exporter's answer, as the
	 * core's map of an attachment it did not cache (on a patched kernel
	 * dma_buf_attach() caches: the reference attaches uncached too)
	 */
	core = dma_buf_sgt_cache_attach_uncached(b->dmabuf, dev);
	at = dma_buf_sgt_cache_attach_uncached(b->dmabuf, dev);
	if (IS_ERR(core) || IS_ERR(at)) {
		ktap(false, "uncached_map_no_direction");
	} else {
		long want = err_of(dma_buf_sgt_cache_core_map(core, HOSTILE_NO_DIR));

		ktap(err_of(dma_buf_sgt_cache_map(at, HOSTILE_NO_DIR)) == want && want == -EINVAL,
		     "uncached_map_no_direction");
	}
	if (!IS_ERR(at))
		dma_buf_sgt_cache_detach(b->dmabuf, at);
	if (!IS_ERR(core))
		dma_buf_sgt_cache_detach(b->dmabuf, core);
}

/*
 * A cached attachment of @a detached with plain dma_buf_detach(), then plain
 * attachments of @b until one is at its address: the header's calls must
 * serve that one as the core does (@b's exporter maps and unmaps it, once
 * each, and no table of @a's is returned or handed to @b's exporter). Then
 * an attach of the header's at the address, which drops what was left.
 */
static void reuse(struct hostile_buf *a, struct hostile_buf *b)
{
	struct dma_buf_attachment *at, *old, **held;
	struct device *dev = hostile_dev.dev;
	struct sg_table *cached, *got;
	int n = 0, i, unmaps = 0;

	held = kcalloc(HOSTILE_REUSE_TRIES, sizeof(*held), GFP_KERNEL);
	if (!held) {
		ktap(false, "memory for the test");
		return;
	}
	old = dma_buf_sgt_cache_attach(a->dmabuf, dev);
	if (IS_ERR(old)) {
		ktap(false, "cached_attach");
		goto out;
	}
	cached = dma_buf_sgt_cache_table(old);
	ktap(cached && a->maps == 1, "cached_attach");
	dma_buf_detach(a->dmabuf, old);
	unmaps = a->unmaps;
	pr_info("# sgt_hostile: plain detach: %d unmap(s) of the cached table (%s)\n",
		a->unmaps, DMA_BUF_SGT_CACHE_ATTACH_SGT ? "the core's" : "none: it leaks");

	for (at = NULL; n < HOSTILE_REUSE_TRIES; n++) {
		at = dma_buf_attach(b->dmabuf, dev);
		if (IS_ERR(at) || at == old)
			break;
		held[n] = at;
	}
	for (i = 0; i < n; i++)
		dma_buf_detach(b->dmabuf, held[i]);
	pr_info("# sgt_hostile: %d plain attachment(s) before the address came back\n", n);
	ktap(!IS_ERR(at) && at == old, "address_reused");
	if (IS_ERR_OR_NULL(at) || at != old) {
		if (!IS_ERR_OR_NULL(at))
			dma_buf_detach(b->dmabuf, at);
		goto out;
	}

	ktap(!dma_buf_sgt_cache_table(at), "reused_attachment_has_no_table");
	got = dma_buf_sgt_cache_map(at, DMA_TO_DEVICE);
	/* (its table may be at the address of the first one's, freed by now) */
	ktap(!IS_ERR(got) && b->maps == 1 && a->maps == 1, "reused_attachment_maps_its_exporter");
	if (!IS_ERR(got))
		dma_buf_sgt_cache_unmap(at, got, DMA_TO_DEVICE);
	ktap(b->unmaps == 1 && b->unmapped == b->mapped, "reused_attachment_unmaps_its_table");
	/* (drops the entry left at the address, with a warning) */
	dma_buf_sgt_cache_detach(b->dmabuf, at);
	ktap(b->unmaps == 1 && b->maps == 1 && a->unmaps == unmaps,
	     "reused_attachment_detach_unmaps_nothing");
	/*
	 * Since v6.16 nothing unmapped the first table: it leaks, as any table
	 * still mapped at a detach does there (under CONFIG_DMABUF_DEBUG it is
	 * the core's wrapper of the mock's, which cannot be freed from here).
	 */
out:
	kfree(held);
}

/* @denied's exporter is on the deny list: never cached; @plain's is. */
static void deny(struct hostile_buf *denied, struct hostile_buf *plain)
{
	struct dma_buf_attachment *at;
	struct sg_table *sgt;
	int i;

	at = dma_buf_sgt_cache_attach(denied->dmabuf, hostile_dev.dev);
	if (IS_ERR(at)) {
		ktap(false, "denied_module_exporter_not_cached");
		return;
	}
	for (i = 0; i < 2; i++) {
		sgt = dma_buf_sgt_cache_map(at, DMA_TO_DEVICE);
		if (!IS_ERR(sgt))
			dma_buf_sgt_cache_unmap(at, sgt, DMA_TO_DEVICE);
	}
	ktap(!dma_buf_sgt_cache_table(at) && denied->maps == 2 && denied->unmaps == 2,
	     "denied_module_exporter_not_cached");
	dma_buf_sgt_cache_detach(denied->dmabuf, at);

	at = dma_buf_sgt_cache_attach(plain->dmabuf, hostile_dev.dev);
	if (IS_ERR(at)) {
		ktap(false, "other_module_exporter_cached");
		return;
	}
	ktap(dma_buf_sgt_cache_table(at) && plain->maps == 1, "other_module_exporter_cached");
	dma_buf_sgt_cache_detach(plain->dmabuf, at);
}

/*
 * A map under a spinlock: with the core's call (@core), or the header's of
 * a cached attachment. Later than a second after any other such report:
 * might_sleep() reports once a second.
 */
static void atomic_map(struct hostile_buf *a, bool core)
{
	static DEFINE_SPINLOCK(lock);
	struct dma_buf_attachment *at;
	struct sg_table *sgt;

	at = core ? dma_buf_attach(a->dmabuf, hostile_dev.dev) :
		    dma_buf_sgt_cache_attach(a->dmabuf, hostile_dev.dev);
	if (IS_ERR(at)) {
		ktap(false, "attach");
		return;
	}
	ktap(core || dma_buf_sgt_cache_table(at), core ? "attached" : "attached_cached");
	msleep(1100);
	spin_lock(&lock);
	sgt = core ? dma_buf_sgt_cache_core_map(at, DMA_TO_DEVICE) :
		     dma_buf_sgt_cache_map(at, DMA_TO_DEVICE);
	spin_unlock(&lock);
	ktap(!IS_ERR(sgt), "mapped_under_spinlock");
	if (!IS_ERR(sgt)) {
		if (core)
			dma_buf_sgt_cache_core_unmap(at, sgt, DMA_TO_DEVICE);
		else
			dma_buf_sgt_cache_unmap(at, sgt, DMA_TO_DEVICE);
	}
	if (core)
		dma_buf_detach(a->dmabuf, at);
	else
		dma_buf_sgt_cache_detach(a->dmabuf, at);
}

/* What the interrupt-context lookups of mode=irq found. */
static struct {
	struct irq_work work;
	struct dma_buf_attachment *at[2];
	struct sg_table *sgt[2];
	unsigned int next;
	atomic_t lookups, hardirq, wrong;
} hostile_irq;

static void hostile_irq_lookup(struct irq_work *work)
{
	unsigned int i = hostile_irq.next++ & 1;

	if (dma_buf_sgt_cache_table(hostile_irq.at[i]) != hostile_irq.sgt[i])
		atomic_inc(&hostile_irq.wrong);
	if (in_hardirq())
		atomic_inc(&hostile_irq.hardirq);
	atomic_inc(&hostile_irq.lookups);
}

/*
 * Two cached attachments, mapped and unmapped in turn by this task while
 * interrupts look their tables up: nobody's table is anybody else's.
 */
static void irq_lookups(struct hostile_buf *a, struct hostile_buf *b)
{
	struct hostile_buf *hb[2] = { a, b };
	unsigned int k, wrong = 0;
	struct sg_table *sgt;

	init_irq_work(&hostile_irq.work, hostile_irq_lookup);
	for (k = 0; k < 2; k++) {
		hostile_irq.at[k] = dma_buf_sgt_cache_attach(hb[k]->dmabuf, hostile_dev.dev);
		hostile_irq.sgt[k] = IS_ERR(hostile_irq.at[k]) ? NULL :
				     dma_buf_sgt_cache_table(hostile_irq.at[k]);
	}
	if (!hostile_irq.sgt[0] || !hostile_irq.sgt[1]) {
		ktap(false, "both_cached");
		goto out;
	}
	ktap(hostile_irq.sgt[0] != hostile_irq.sgt[1], "both_cached");
	for (k = 0; k < 20000; k++) {
		irq_work_queue(&hostile_irq.work);
		sgt = dma_buf_sgt_cache_map(hostile_irq.at[k & 1], DMA_TO_DEVICE);
		if (sgt != hostile_irq.sgt[k & 1])
			wrong++;
		if (!IS_ERR(sgt))
			dma_buf_sgt_cache_unmap(hostile_irq.at[k & 1], sgt, DMA_TO_DEVICE);
	}
	irq_work_sync(&hostile_irq.work);
	pr_info("# sgt_hostile: %u maps, %d lookups in interrupts (%d in hard irq context)\n",
		k, atomic_read(&hostile_irq.lookups), atomic_read(&hostile_irq.hardirq));
	ktap(atomic_read(&hostile_irq.hardirq) > 0, "lookups_in_hardirq");
	ktap(!atomic_read(&hostile_irq.wrong), "lookups_find_their_table");
	ktap(!wrong, "maps_find_their_table");
	ktap(a->maps == 1 && b->maps == 1, "no_exporter_call");
out:
	for (k = 0; k < 2; k++)
		if (!IS_ERR(hostile_irq.at[k]))
			dma_buf_sgt_cache_detach(hb[k]->dmabuf, hostile_irq.at[k]);
}

static const char *hostile_fence_name(struct dma_fence *fence)
{
	return "sgt_hostile";
}

static const struct dma_fence_ops hostile_fence_ops = {
	.get_driver_name = hostile_fence_name,
	.get_timeline_name = hostile_fence_name,
};

static DEFINE_SPINLOCK(hostile_fence_lock);

/* Maps in a kthread with SIGUSR1 pending: one that allows it takes it without dying. */
struct hostile_maps {
	struct dma_buf_attachment *cached, *core;
	long cached_err, core_err;
	struct completion done;
};

static int hostile_maps_thread(void *data)
{
	struct hostile_maps *m = data;
	struct sg_table *sgt;

	allow_signal(SIGUSR1);
	send_sig(SIGUSR1, current, 0);
	sgt = dma_buf_sgt_cache_map(m->cached, DMA_TO_DEVICE);
	m->cached_err = err_of(sgt);
	if (!IS_ERR(sgt))
		dma_buf_sgt_cache_unmap(m->cached, sgt, DMA_TO_DEVICE);
	sgt = dma_buf_sgt_cache_core_map(m->core, DMA_TO_DEVICE);
	m->core_err = err_of(sgt);
	if (!IS_ERR(sgt))
		dma_buf_sgt_cache_core_unmap(m->core, sgt, DMA_TO_DEVICE);
	flush_signals(current);
	complete(&m->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void hostile_maps_interrupted(struct hostile_maps *m)
{
	struct task_struct *task;

	init_completion(&m->done);
	m->cached_err = -ECHILD;
	m->core_err = -ECHILD;
	task = kthread_run(hostile_maps_thread, m, "sgt_hostile");
	if (IS_ERR(task))
		return;
	wait_for_completion(&m->done);
	kthread_stop(task);
}

/*
 * With an unsignalled kernel fence on @a's buffer, a map of its cached
 * attachment waits as the core's map of an uncached one does: both are
 * interrupted by a pending signal; once the fence signals both map.
 */
static void fence_wait(struct hostile_buf *a)
{
	struct hostile_maps m = {};
	struct dma_fence *f;
	int ret;

	m.cached = dma_buf_sgt_cache_attach(a->dmabuf, hostile_dev.dev);
	m.core = dma_buf_attach(a->dmabuf, hostile_dev.dev);
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (f)
		dma_fence_init(f, &hostile_fence_ops, &hostile_fence_lock,
			       dma_fence_context_alloc(1), 1);
	if (IS_ERR(m.cached) || IS_ERR(m.core) || !f) {
		ktap(false, "set_up");
		goto out;
	}
	ktap(dma_buf_sgt_cache_table(m.cached), "cached_attach");
	dma_resv_lock(a->dmabuf->resv, NULL);
	ret = dma_resv_reserve_fences(a->dmabuf->resv, 1);
	if (!ret)
		dma_resv_add_fence(a->dmabuf->resv, f, DMA_RESV_USAGE_KERNEL);
	dma_resv_unlock(a->dmabuf->resv);
	if (ret) {
		ktap(false, "fence_added");
		goto signal;
	}
	hostile_maps_interrupted(&m);
	pr_info("# sgt_hostile: an unsignalled kernel fence and a signal pending: cached map %ld, core map %ld\n",
		m.cached_err, m.core_err);
	ktap(m.core_err == -ERESTARTSYS, "core_map_interrupted");
	ktap(m.cached_err == m.core_err, "cached_map_interrupted_as_core");
signal:
	dma_fence_signal(f);
	hostile_maps_interrupted(&m);
	ktap(!m.cached_err && !m.core_err, "fence_signalled_maps");
out:
	if (f) {
		dma_fence_signal(f);
		dma_fence_put(f);
	}
	if (!IS_ERR(m.core))
		dma_buf_detach(a->dmabuf, m.core);
	if (!IS_ERR(m.cached))
		dma_buf_sgt_cache_detach(a->dmabuf, m.cached);
	ktap(a->maps == a->unmaps, "exporter_calls_balance");
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * Attach @hb with the Nth fault injection point of this task failing; 0 if
 * it attached (and it is detached again), else the error. *@reached: the
 * Nth point was reached.
 */
static long nth_attach(struct hostile_buf *hb, bool header, unsigned int nth, bool *reached)
{
	struct dma_buf_attachment *at;
	struct sg_table *sgt = NULL;
	long ret;

	WRITE_ONCE(current->fail_nth, nth);
	if (header) {
		at = dma_buf_sgt_cache_attach(hb->dmabuf, hostile_dev.dev);
	} else {
		/* the reference: what an attach with a map at attach time calls */
		at = dma_buf_sgt_cache_attach_uncached(hb->dmabuf, hostile_dev.dev);
		if (!IS_ERR(at)) {
			sgt = dma_buf_sgt_cache_core_map(at, DMA_BIDIRECTIONAL);
			if (IS_ERR(sgt)) {
				dma_buf_sgt_cache_detach(hb->dmabuf, at);
				at = ERR_CAST(sgt);
			}
		}
	}
	*reached = !READ_ONCE(current->fail_nth);
	WRITE_ONCE(current->fail_nth, 0);
	ret = err_of(at);
	if (!ret) {
		if (sgt)
			dma_buf_sgt_cache_core_unmap(at, sgt, DMA_BIDIRECTIONAL);
		dma_buf_sgt_cache_detach(hb->dmabuf, at);
	}
	return ret;
}

/* How many N fail an attach (@header's, or the reference), all with -ENOMEM. */
static int nth_failures(struct hostile_buf *hb, bool header, bool *only_enomem)
{
	unsigned int nth, failed = 0;
	bool reached = true;
	long ret;

	for (nth = 1; reached && nth < 1000; nth++) {
		ret = nth_attach(hb, header, nth, &reached);
		if (ret) {
			failed++;
			*only_enomem &= ret == -ENOMEM;
			pr_info("# sgt_hostile: %s: fault point %u fails it: %ld\n",
				header ? "the header's attach" : "the core's attach and map",
				nth, ret);
		}
	}
	pr_info("# sgt_hostile: %s: %u of %u fault points fail the attach\n",
		header ? "the header's attach" : "the core's attach and map", failed, nth - 2);
	return reached ? -1 : failed;
}
#endif

static void nomem(struct hostile_buf *a)
{
#ifdef CONFIG_FAULT_INJECTION
	bool only_enomem = true, reached;
	int ref, got;

	/*
	 * Once without a fault first: what is allocated once for good (the
	 * module's lock classes of the exporter, under lockdep) must not
	 * shift the fault points of the sweep.
	 */
	nth_attach(a, true, 0, &reached);
	ref = nth_failures(a, false, &only_enomem);
	got = nth_failures(a, true, &only_enomem);

	ktap(ref > 0, "reference_attach_can_fail");
	/*
	 * At most as many: an allocation that is only sometimes made (a new
	 * slab page under GFP_NOWAIT, say) can add a point to either sweep.
	 */
	ktap(got >= 0 && got <= ref, "bookkeeping_never_fails_an_attach");
	ktap(only_enomem, "failures_are_enomem");
	ktap(a->maps == a->unmaps, "exporter_calls_balance");
#else
	ktap(false, "no CONFIG_FAULT_INJECTION in this kernel");
#endif
}

static int __init sgt_hostile_init(void)
{
	static const char * const modes[] = {
		"bad_args", "reuse", "deny", "atomic_core", "atomic", "irq", "fence", "nomem",
	};
	struct hostile_buf *a, *b;
	int ret, m;

	m = match_string(modes, ARRAY_SIZE(modes), mode);
	if (m < 0) {
		pr_err("sgt_hostile: unknown mode '%s'\n", mode);
		return -EINVAL;
	}
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	ret = a && b ? sgt_root_dev_register(&hostile_dev, "sgt_hostile") : -ENOMEM;
	if (ret)
		goto free;
	ret = hostile_export(a, !strcmp(mode, "deny") ? &hostile_denied_ops : &hostile_ops);
	if (!ret) {
		ret = hostile_export(b, &hostile_ops);
		if (ret)
			dma_buf_put(a->dmabuf);
	}
	if (ret)
		goto unregister;

	pr_info("# sgt_hostile: mode=%s\n", mode);
	switch (m) {
	case 0:
		bad_args(a, b);
		break;
	case 1:
		reuse(a, b);
		break;
	case 2:
		deny(a, b);
		break;
	case 3:
	case 4:
		atomic_map(a, m == 3);
		break;
	case 5:
		irq_lookups(a, b);
		break;
	case 6:
		fence_wait(a);
		break;
	case 7:
		nomem(a);
		break;
	}
	ktap_print();
	dma_buf_put(a->dmabuf);
	dma_buf_put(b->dmabuf);
unregister:
	root_device_unregister(hostile_dev.dev);
free:
	kfree(a);
	kfree(b);
	return ret;
}

static void __exit sgt_hostile_exit(void)
{
}

module_init(sgt_hostile_init);
module_exit(sgt_hostile_exit);
MODULE_DESCRIPTION("dma-buf sg_table cache: importers that pass bad arguments, mix APIs, map atomically");
MODULE_LICENSE("GPL");
