// SPDX-License-Identifier: GPL-2.0
/*
 * Failure points and concurrency of attach time caching, run at load time.
 * The importer side goes through include/linux/dma-buf-sgt-cache.h (the core
 * on a patched kernel, dma-buf-sgt-cache.ko on a stock one: load it first,
 * with deny=sgt-cache-mock-no-cache).
 *
 *   mode=errors  the exporter's map returns NULL, ERR_PTR(-ENOMEM),
 *                ERR_PTR(-EIO), or the fence wait after it is interrupted
 *                (an unsignalled kernel fence and a pending signal): attach
 *                fails with -ENOMEM, -ENOMEM, -EIO, -ERESTARTSYS
 *   mode=sweep   iterations= attach/map/unmap/detach rounds of a 1 MiB
 *                buffer mapped page by page, with this task marked for
 *                fault injection (current->make_it_fail): the
 *                harness sets failslab and fail_page_alloc (probability,
 *                interval, times, task-filter) before loading. Only
 *                -ENOMEM may fail a round; an attach the module could not
 *                record comes back uncached and maps the exporter's table.
 *   mode=stress  2 x CPUs kthreads attach / map / unmap / detach for
 *                seconds= on a cached, an opted-out and a dynamic exporter,
 *                as static and dynamic importers, and map / unmap one
 *                static attachment of each cached one that they all share
 *                (concurrent maps of one attachment), while one
 *                more kthread sends move_notify to the dynamic one. Every
 *                static map must come from the cache (the table cached at
 *                attach) but the opted-out one's, and the dynamic one's
 *                where the core does not map it at attach, which must
 *                not. Each kthread imports as a device of its own:
 *                DMA-API debugging miscounts concurrent mappings of one
 *                page by one device (see tests/dma-debug/dma_debug_race.c).
 *
 * Every mode checks that the exporter's callbacks balance exactly (attach
 * and detach, map and unmap, pin and unpin) and prints KTAP and counts.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-buf-sgt-cache.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <sgt-compat.h>
#include <sgt-page-buf.h>
#include <sgt-root-dev.h>

MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS);

static char *mode = "errors";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "errors|sweep|stress");
static unsigned int iterations = 1000;
module_param(iterations, uint, 0444);
MODULE_PARM_DESC(iterations, "sweep: attach/detach rounds");
static unsigned int seconds = 5;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "stress: how long the kthreads run");
static bool quiet_ktap;
module_param(quiet_ktap, bool, 0444);
MODULE_PARM_DESC(quiet_ktap, "print the KTAP lines as diagnostics (\"# \"): the caller reports");

enum fail { FAIL_NONE, FAIL_NULL, FAIL_ENOMEM, FAIL_EIO };
static enum fail fail_map;
static atomic_t n_attach, n_detach, n_map, n_unmap, n_pin, n_unpin, n_moves;
static int tests;
static struct sgt_root_dev faults_imp;

/*
 * A caller that loads the module several times under one KTAP plan of its
 * own (tests/guest/fault-sweep) reads the results from the log and reports
 * them: nested as subtests, passing subtests would hide its "not ok".
 */
#define IND (quiet_ktap ? "# " : "")

static void ktap_plan(int n)
{
	pr_info("%sKTAP version 1\n", IND);
	pr_info("%s1..%d\n", IND, n);
}

static void ktap(bool ok, const char *name)
{
	pr_info("%s%s %d %s\n", IND, ok ? "ok" : "not ok", ++tests, name);
}

static int faults_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *a)
{
	atomic_inc(&n_attach);
	return 0;
}

static void faults_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *a)
{
	atomic_inc(&n_detach);
}

static int faults_pin(struct dma_buf_attachment *attach)
{
	atomic_inc(&n_pin);
	return 0;
}

static void faults_unpin(struct dma_buf_attachment *attach)
{
	atomic_inc(&n_unpin);
}

/*
 * Like drm_gem_map_dma_buf(), map with DMA_ATTR_SKIP_CPU_SYNC. Concurrent
 * attachments of one buffer each keep a DMA_BIDIRECTIONAL mapping of it
 * while a table is cached, and DMA-API debugging reports overlapping
 * mappings ("cacheline tracking EEXIST") of exporters that map without it.
 */
#define FAULTS_MAP_ATTRS DMA_ATTR_SKIP_CPU_SYNC

static struct sg_table *faults_map(struct dma_buf_attachment *attach,
				   enum dma_data_direction dir)
{
	struct sg_table *sgt;

	switch (READ_ONCE(fail_map)) {
	case FAIL_NULL:
		return NULL;
	case FAIL_ENOMEM:
		return ERR_PTR(-ENOMEM);
	case FAIL_EIO:
		return ERR_PTR(-EIO);
	default:
		break;
	}
	sgt = sgt_page_buf_map(attach->dmabuf->priv, attach->dev, dir,
			       FAULTS_MAP_ATTRS);
	if (!IS_ERR(sgt))
		atomic_inc(&n_map);
	return sgt;
}

static void faults_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
			 enum dma_data_direction dir)
{
	sgt_page_buf_unmap(attach->dev, sgt, dir, FAULTS_MAP_ATTRS);
	atomic_inc(&n_unmap);
}

static void faults_release(struct dma_buf *dmabuf)
{
	sgt_page_buf_free(dmabuf->priv);
}

#define FAULTS_OPS(extra...) {				\
	.attach = faults_attach, .detach = faults_detach,	\
	.map_dma_buf = faults_map, .unmap_dma_buf = faults_unmap,	\
	.release = faults_release, extra }

static const struct dma_buf_ops faults_static_ops = FAULTS_OPS();
static const struct dma_buf_ops faults_dynamic_ops =
	FAULTS_OPS(.pin = faults_pin, .unpin = faults_unpin);
#if DMA_BUF_SGT_CACHE_IN_CORE
static const struct dma_buf_ops faults_nocache_ops = FAULTS_OPS(.no_sgt_cache = true);
#else
/* The module's deny list names it (exp_name below). */
#define faults_nocache_ops faults_static_ops
#endif

static struct dma_buf *faults_export(const struct dma_buf_ops *ops, bool nocache,
				     unsigned long size)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct sgt_page_buf *buf = sgt_page_buf_alloc(size);
	struct dma_buf *dmabuf;

	if (!buf)
		return ERR_PTR(-ENOMEM);
	exp_info.ops = ops;
	exp_info.size = size;
	exp_info.priv = buf;
	if (nocache)
		exp_info.exp_name = "sgt-cache-mock-no-cache";
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		sgt_page_buf_free(buf);
	return dmabuf;
}

static bool balanced(const char *what)
{
	int a = atomic_read(&n_attach), d = atomic_read(&n_detach);
	int m = atomic_read(&n_map), u = atomic_read(&n_unmap);
	int p = atomic_read(&n_pin), q = atomic_read(&n_unpin);

	pr_info("%s# %s: exporter attach %d detach %d map %d unmap %d pin %d unpin %d\n", IND,
		what, a, d, m, u, p, q);
	return a == d && m == u && p == q;
}

/*
 * Map and unmap @a as a static importer. -EPROTO if the table did not come
 * from where it must: the one cached at attach when @cached, a table of the
 * exporter's own (and none cached) otherwise.
 */
static int map_static(struct dma_buf_attachment *a, bool cached)
{
	struct sg_table *sgt = dma_buf_sgt_cache_map(a, DMA_TO_DEVICE);
	struct sg_table *kept = dma_buf_sgt_cache_table(a);
	int ret = 0;

	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	if (cached ? !kept || sgt != kept : !!kept)
		ret = -EPROTO;
	dma_buf_sgt_cache_unmap(a, sgt, DMA_TO_DEVICE);
	return ret;
}

/* One round as a static importer: attach, map, unmap, detach. */
static int round_static(struct dma_buf *dmabuf, struct device *dev, bool cached)
{
	struct dma_buf_attachment *a = dma_buf_sgt_cache_attach(dmabuf, dev);
	int ret;

	if (IS_ERR(a))
		return PTR_ERR(a);
	ret = map_static(a, cached);
	dma_buf_sgt_cache_detach(dmabuf, a);
	return ret;
}

/*
 * One round of the sweep: as round_static(), but an attach may come back
 * uncached, as dma_buf_attach() made it, when the module could not record
 * it (an injected failure in its bookkeeping: the stock answer), counted in
 * @uncached; no table is then kept for it after its map either.
 */
static int round_sweep(struct dma_buf *dmabuf, struct device *dev, unsigned int *uncached)
{
	struct dma_buf_attachment *a = dma_buf_sgt_cache_attach(dmabuf, dev);
	bool cached;
	int ret;

	if (IS_ERR(a))
		return PTR_ERR(a);
	cached = dma_buf_sgt_cache_table(a);
	*uncached += !cached;
	ret = map_static(a, cached);
	dma_buf_sgt_cache_detach(dmabuf, a);
	return ret;
}

static void faults_move_notify(struct dma_buf_attachment *attach)
{
	atomic_inc(&n_moves);
}

static const struct dma_buf_attach_ops faults_importer_ops = {
	.SGT_TEST_INVALIDATE = faults_move_notify,
};

/* One round as a dynamic importer: maps under the reservation lock. */
static int round_dynamic(struct dma_buf *dmabuf, struct device *dev)
{
	struct dma_buf_attachment *a;
	struct sg_table *sgt;

	a = dma_buf_dynamic_attach(dmabuf, dev, &faults_importer_ops, NULL);
	if (IS_ERR(a))
		return PTR_ERR(a);
	dma_resv_lock(dmabuf->resv, NULL);
	sgt = dma_buf_map_attachment(a, DMA_BIDIRECTIONAL);
	if (!IS_ERR(sgt))
		dma_buf_unmap_attachment(a, sgt, DMA_BIDIRECTIONAL);
	dma_resv_unlock(dmabuf->resv);
	dma_buf_detach(dmabuf, a);
	return PTR_ERR_OR_ZERO(sgt);
}

static const char *faults_fence_name(struct dma_fence *fence)
{
	return "sgt_faults";
}

static const struct dma_fence_ops faults_fence_ops = {
	.get_driver_name = faults_fence_name,
	.get_timeline_name = faults_fence_name,
};

static DEFINE_SPINLOCK(faults_fence_lock);

/*
 * Attach with an unsignalled kernel fence and a signal pending, in a
 * kthread: one that allows SIGUSR1 takes it without dying of it.
 */
struct interrupted {
	struct dma_buf *dmabuf;
	struct completion done;
	int ret;
};

static int interrupted_thread(void *data)
{
	struct interrupted *ctx = data;
	struct dma_buf_attachment *a;

	allow_signal(SIGUSR1);
	send_sig(SIGUSR1, current, 0);
	a = dma_buf_sgt_cache_attach(ctx->dmabuf, faults_imp.dev);
	flush_signals(current);
	ctx->ret = PTR_ERR_OR_ZERO(a);
	if (!ctx->ret)
		dma_buf_sgt_cache_detach(ctx->dmabuf, a);
	complete(&ctx->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static int attach_interrupted(struct dma_buf *dmabuf)
{
	struct dma_fence *fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	struct interrupted ctx = { .dmabuf = dmabuf };
	struct task_struct *task;
	int ret;

	if (!fence)
		return -ENOMEM;
	init_completion(&ctx.done);
	dma_fence_init(fence, &faults_fence_ops, &faults_fence_lock,
		       dma_fence_context_alloc(1), 1);
	dma_resv_lock(dmabuf->resv, NULL);
	ret = dma_resv_reserve_fences(dmabuf->resv, 1);
	if (!ret)
		dma_resv_add_fence(dmabuf->resv, fence, DMA_RESV_USAGE_KERNEL);
	dma_resv_unlock(dmabuf->resv);
	if (!ret) {
		task = kthread_run(interrupted_thread, &ctx, "sgt_interrupted");
		if (IS_ERR(task)) {
			ret = PTR_ERR(task);
		} else {
			wait_for_completion(&ctx.done);
			kthread_stop(task);
			ret = ctx.ret;
		}
	}
	dma_fence_signal(fence);
	dma_fence_put(fence);
	return ret;
}

static int run_errors(void)
{
	static const struct { enum fail how; int want; const char *name; } cases[] = {
		{ FAIL_NULL, -ENOMEM, "map_null_is_enomem" },
		{ FAIL_ENOMEM, -ENOMEM, "map_enomem" },
		{ FAIL_EIO, -EIO, "map_eio" },
	};
	struct dma_buf_attachment *a;
	struct dma_buf *dmabuf;
	unsigned int i;
	int ret;

	ktap_plan(5);
	dmabuf = faults_export(&faults_static_ops, false, 4 * PAGE_SIZE);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		WRITE_ONCE(fail_map, cases[i].how);
		a = dma_buf_sgt_cache_attach(dmabuf, faults_imp.dev);
		WRITE_ONCE(fail_map, FAIL_NONE);
		ret = PTR_ERR_OR_ZERO(a);
		if (!ret)
			dma_buf_sgt_cache_detach(dmabuf, a);
		pr_info("%s# %s: attach returned %d, expected %d\n", IND, cases[i].name, ret,
			cases[i].want);
		ktap(ret == cases[i].want, cases[i].name);
	}
	ret = attach_interrupted(dmabuf);
	pr_info("%s# fence_wait_interrupted: attach returned %d\n", IND, ret);
	ktap(ret == -ERESTARTSYS, "fence_wait_interrupted_is_erestartsys");
	dma_buf_put(dmabuf);
	ktap(balanced("errors"), "exporter_calls_balance");
	return 0;
}

static int run_sweep(void)
{
	unsigned int i, failed = 0, uncached = 0;
	struct dma_buf *dmabuf;
	int ret;

	ktap_plan(2);
	/*
	 * One page per segment: the 256-entry tables of a 1 MiB buffer take
	 * whole pages from the page allocator (sg_kmalloc()), so that
	 * fail_page_alloc has something to fail in every round.
	 */
	dma_set_max_seg_size(faults_imp.dev, PAGE_SIZE);
	dmabuf = faults_export(&faults_static_ops, false, SZ_1M);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	for (i = 0; i < iterations; i++) {
		current->make_it_fail = 1;
		ret = round_sweep(dmabuf, faults_imp.dev, &uncached);
		current->make_it_fail = 0;
		if (ret && ret != -ENOMEM) {
			pr_info("%s# round %u: unexpected error %d\n", IND, i, ret);
			break;
		}
		failed += !!ret;
		cond_resched();
	}
	dma_buf_put(dmabuf);
	pr_info("%s# sweep: %u rounds, %u failed with -ENOMEM, %u attached uncached\n", IND,
		iterations, failed, uncached);
	ktap(i == iterations, "only_enomem_under_injection");
	ktap(balanced("sweep"), "exporter_calls_balance");
	return 0;
}

/*
 * Static importers of the first are cached, of the opted-out one never, of
 * the dynamic one where the core maps such a mismatched pair at attach
 * (before v6.16: DMA_BUF_SGT_CACHE_LAZY; since, it pins at every map).
 */
#define STRESS_CACHED 0
#define STRESS_DYNAMIC 2

struct stress_ctx {
	struct dma_buf *bufs[3];	/* cached, opted out, dynamic */
	/* a static attachment of each, mapped by all kthreads at once */
	struct dma_buf_attachment *shared[3];
	unsigned long deadline;
	atomic_t rounds, errors, misserved, shared_rounds;
	atomic_t started;	/* kthreads that have begun */
};

struct stress_thread_ctx {
	struct stress_ctx *ctx;
	struct sgt_root_dev imp;
};

static int stress_thread(void *data)
{
	struct stress_thread_ctx *t = data;
	struct stress_ctx *ctx = t->ctx;

	atomic_inc(&ctx->started);
	do {
		u32 r = get_random_u32(), k = r % 3;
		bool cached = k == STRESS_CACHED ||
			      (k == STRESS_DYNAMIC && DMA_BUF_SGT_CACHE_LAZY);
		int ret;

		switch ((r >> 8) % 3) {
		case 0:
			ret = round_dynamic(ctx->bufs[k], t->imp.dev);
			break;
		case 1:
			/*
			 * Shared by all: never one that is not cached, whose
			 * maps would map the same pages for one device at
			 * once, which DMA-API debugging miscounts.
			 */
			if (cached) {
				ret = map_static(ctx->shared[k], cached);
				atomic_inc(&ctx->shared_rounds);
				break;
			}
			fallthrough;
		default:
			ret = round_static(ctx->bufs[k], t->imp.dev, cached);
			break;
		}
		if (ret == -EPROTO)
			atomic_inc(&ctx->misserved);
		else if (ret)
			atomic_inc(&ctx->errors);
		atomic_inc(&ctx->rounds);
		cond_resched();
	} while (time_before(jiffies, ctx->deadline));
	return 0;
}

static int mover_thread(void *data)
{
	struct stress_ctx *ctx = ((struct stress_thread_ctx *)data)->ctx;
	struct dma_buf *dmabuf = ctx->bufs[2];

	atomic_inc(&ctx->started);
	while (time_before(jiffies, ctx->deadline)) {
		dma_resv_lock(dmabuf->resv, NULL);
		sgt_test_invalidate(dmabuf);
		dma_resv_unlock(dmabuf->resv);
		usleep_range(100, 200);
	}
	return 0;
}

static int run_stress(void)
{
	unsigned int n = 2 * num_online_cpus() + 1, i, ndev;
	struct stress_thread_ctx *tctx;
	struct task_struct **threads;
	struct stress_ctx ctx = {};
	int ret = 0;

	ktap_plan(3);
	threads = kcalloc(n, sizeof(*threads), GFP_KERNEL);
	tctx = kcalloc(n, sizeof(*tctx), GFP_KERNEL);
	if (!threads || !tctx) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (ndev = 0; ndev < n; ndev++) {
		char name[24];

		tctx[ndev].ctx = &ctx;
		if (!ndev)	/* the mover imports nothing */
			continue;
		snprintf(name, sizeof(name), "sgt-faults-%u", ndev);
		ret = sgt_root_dev_register(&tctx[ndev].imp, name);
		if (ret)
			goto out_devs;
	}
	ctx.bufs[0] = faults_export(&faults_static_ops, false, 4 * PAGE_SIZE);
	ctx.bufs[1] = faults_export(&faults_nocache_ops, true, 4 * PAGE_SIZE);
	ctx.bufs[2] = faults_export(&faults_dynamic_ops, false, 4 * PAGE_SIZE);
	for (i = 0; i < 3; i++)
		if (IS_ERR(ctx.bufs[i]))
			ret = PTR_ERR(ctx.bufs[i]);
	for (i = 0; !ret && i < 3; i++) {
		ctx.shared[i] = dma_buf_sgt_cache_attach(ctx.bufs[i], faults_imp.dev);
		if (IS_ERR(ctx.shared[i])) {
			ret = PTR_ERR(ctx.shared[i]);
			ctx.shared[i] = NULL;
		}
	}
	ctx.deadline = jiffies + seconds * HZ;
	for (i = 0; !ret && i < n; i++) {
		threads[i] = kthread_run(i ? stress_thread : mover_thread, &tctx[i],
					 "sgt_stress/%u", i);
		if (IS_ERR(threads[i])) {
			ret = PTR_ERR(threads[i]);
			break;
		}
		get_task_struct(threads[i]);
	}
	/*
	 * A kthread stopped before it first ran never runs its function: on a
	 * busy host the deadline can pass before the kthreads are scheduled.
	 * Wait for all of them to begin (each does a round at least).
	 */
	while (!ret && (time_before(jiffies, ctx.deadline) || atomic_read(&ctx.started) < n))
		msleep(20);
	while (i--) {
		kthread_stop(threads[i]);
		put_task_struct(threads[i]);
	}
	for (i = 0; i < 3; i++)
		if (ctx.shared[i])
			dma_buf_sgt_cache_detach(ctx.bufs[i], ctx.shared[i]);
	for (i = 0; i < 3; i++)
		if (!IS_ERR(ctx.bufs[i]))
			dma_buf_put(ctx.bufs[i]);
out_devs:
	while (ndev-- > 1)
		root_device_unregister(tctx[ndev].imp.dev);
out_free:
	kfree(tctx);
	kfree(threads);
	if (ret)
		return ret;
	pr_info("%s# stress: %u kthreads + 1 mover, %u s: %d rounds (%d on the shared attachments), %d errors, %d served from the wrong place, %d move_notify calls\n",
		IND, n - 1, seconds, atomic_read(&ctx.rounds), atomic_read(&ctx.shared_rounds),
		atomic_read(&ctx.errors), atomic_read(&ctx.misserved), atomic_read(&n_moves));
	ktap(!atomic_read(&ctx.errors) && atomic_read(&ctx.rounds), "rounds_without_errors");
	ktap(!atomic_read(&ctx.misserved) && atomic_read(&ctx.shared_rounds),
	     "cached_served_from_cache_opted_out_not");
	ktap(balanced("stress"), "exporter_calls_balance");
	return 0;
}

static int __init sgt_faults_init(void)
{
	int ret;

	ret = sgt_root_dev_register(&faults_imp, "sgt-faults");
	if (ret)
		return ret;
	if (!strcmp(mode, "errors"))
		ret = run_errors();
	else if (!strcmp(mode, "sweep"))
		ret = run_sweep();
	else if (!strcmp(mode, "stress"))
		ret = run_stress();
	else
		ret = -EINVAL;
	root_device_unregister(faults_imp.dev);
	return ret;
}

static void __exit sgt_faults_exit(void)
{
}

module_init(sgt_faults_init);
module_exit(sgt_faults_exit);
MODULE_DESCRIPTION("Failure points and concurrency of dma-buf sg_table caching");
MODULE_LICENSE("GPL");
