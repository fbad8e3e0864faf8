// SPDX-License-Identifier: GPL-2.0
/*
 * dma-buf-sgt-cache: attach time sg_table caching for kernels without the
 * dma-buf-sgt-cache patch series (stock Debian 6.1, 6.12 and 7.3).
 *
 * Importers call dma_buf_sgt_cache_attach(), _map(), _unmap() and _detach()
 * (include/linux/dma-buf-sgt-cache.h). An attachment is eligible when the
 * exporter is static (no &dma_buf_ops.pin) and not on the deny list (by the
 * name of its map_dma_buf() callback, or by the deny= parameter's exporter
 * or callback names), and when the importing device needs no per-map work
 * from the DMA layer (see sgt_cache_dev_caches()). Eligible attachments are
 * mapped once at attach time with %DMA_BIDIRECTIONAL, through the core's own
 * map path. Where the attachment has a table of the core's
 * (&dma_buf_attachment.sgt, until v6.16) the table is kept there with
 * &dma_buf_attachment.dir set to %DMA_BIDIRECTIONAL, and the core's own map
 * would return it too; elsewhere only in this module's entry for the
 * attachment. From then on dma_buf_sgt_cache_map() returns it, without a
 * lock (see sgt_cache_served()); unmaps of it do nothing.
 * dma_buf_sgt_cache_detach() unmaps it once, with the exporter's call,
 * before dma_buf_detach() calls the exporter's detach, exactly as a kernel
 * with the series does. Lockdep sees the exporter calls the cache skips as
 * on a kernel with the series (see "Lockdep's view").
 *
 * Bookkeeping: one entry per cached attachment, found from the attachment
 * in O(1) (a resizable hash table keyed by its address, looked up under
 * RCU) and listed for debugfs under a spinlock. Where the core keeps the
 * table (&dma_buf_attachment.sgt, until v6.16), a map is served from the
 * attachment itself and the entry is only read at detach and by lockdep's
 * annotations. An entry holds copies of what debugfs prints and never
 * dereferences its attachment: an importer that detaches with plain
 * dma_buf_detach() gets its table unmapped by the core where it is the
 * core's &dma_buf_attachment.sgt (since v6.16 nothing unmaps it: the
 * exporter's mapping leaks, as any table left mapped at detach does there),
 * and only the module's accounting keeps the entry, until the address is
 * reused by an attachment of this module's (then it is dropped, with a
 * warning) or, where the core keeps the table, the module unloads. An entry
 * left so is never taken for another buffer's or device's attachment at its
 * address (sgt_cache_matches()); since v6.16 nothing tells a later plain
 * attachment of the same buffer and device at that address from it, and
 * the exporter may have freed the table at its detach: importers must not
 * detach an attachment of this module's with plain dma_buf_detach() there.
 * Importers hold the module through their symbol references. Where the
 * core keeps the table, cached attachments take no reference: it unmaps
 * them at their detach whether this module is loaded or not. Elsewhere only
 * this module can unmap them, and each entry holds a reference to it, and
 * to the buffer, until the entry goes.
 *
 * Bad arguments get the core's answer (its warning and error), with nothing
 * changed here; an attach that the module cannot record (no memory for its
 * entry) is returned uncached, as dma_buf_attach() made it.
 *
 * On a kernel with the series the header makes the four calls the core's
 * own, and this module only reports that it has nothing to do.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-buf-sgt-cache.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-resv.h>
#include <linux/hashtable.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/percpu.h>
#include <linux/rhashtable.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swiotlb.h>

MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS);

#if !DMA_BUF_SGT_CACHE_IN_CORE

#ifndef CONFIG_KALLSYMS
#error "dma-buf-sgt-cache recognises exporters by their callbacks' names: it needs CONFIG_KALLSYMS"
#endif

#define SGT_CACHE_NAME_MAX	32
#define SGT_CACHE_DENY_MAX	16
/* Longer than any name on a deny list: a longer one is truncated, and differs. */
#define SGT_CACHE_FN_MAX	64

/*
 * The exporters the series opts out, by their map_dma_buf() callback: the
 * system and CMA heaps, habanalabs, omapdrm, tegra, armada and vmwgfx, and
 * since v6.16 panfrost, panthor, ivpu's userptr buffers, vfio-pci, the
 * iommufd selftest and fsl_asrc_m2m. Not by
 * exp_name, which is not stable: a CMA heap's is its area's name, from the
 * command line ("reserved") or from a device-tree node ("linux,cma@78000000").
 * scripts/series/check-deny.py checks the list against each supported kernel's
 * sources.
 */
static const char * const sgt_cache_deny_default[] = {
	"system_heap_map_dma_buf", "cma_heap_map_dma_buf", "hl_map_dmabuf",
	"omap_gem_map_dma_buf", "tegra_gem_prime_map_dma_buf",
	"armada_gem_prime_map_dma_buf", "vmw_prime_map_dma_buf",
	/* since v6.16 */
	"panfrost_gem_prime_map_dma_buf", "panthor_gem_prime_map_dma_buf",
	"ivpu_gem_userptr_dmabuf_map", "vfio_pci_dma_buf_map",
	"iommufd_test_dma_buf_map", "fsl_asrc_m2m_map_dma_buf",
};

static char *deny;
module_param(deny, charp, 0444);
MODULE_PARM_DESC(deny, "more exporters never to cache, by exp_name or map_dma_buf function name, comma-separated");

static char sgt_cache_deny_extra[SGT_CACHE_DENY_MAX][SGT_CACHE_NAME_MAX];
static unsigned int sgt_cache_deny_count;

/*
 * One attachment of this module's, from its attach until its detach. @attach
 * is the key; it, @dmabuf and @dev are compared, never dereferenced, once
 * stored: an importer that detaches with plain dma_buf_detach() leaves the
 * entry behind (see the top), and another attachment can then be made at
 * the same address. @sgt is NULL until the table is mapped, and set before
 * the importer has the attachment.
 */
struct sgt_cache_entry {
	struct rhash_head hnode;
	struct list_head node;
	struct rcu_head rcu;
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	struct device *dev;
	struct sg_table *sgt;
	size_t bytes;
	size_t size;
	char exp_name[SGT_CACHE_NAME_MAX];
	char dev_name[SGT_CACHE_NAME_MAX];
};

static const struct rhashtable_params sgt_cache_params = {
	.key_len = sizeof(struct dma_buf_attachment *),
	.key_offset = offsetof(struct sgt_cache_entry, attach),
	.head_offset = offsetof(struct sgt_cache_entry, hnode),
	.automatic_shrinking = true,
};

/* The entries by attachment; changed under sgt_cache_lock. */
static struct rhashtable sgt_cache_table;
/* Protects sgt_cache_list and the counters below; never held across a call. */
static DEFINE_SPINLOCK(sgt_cache_lock);
static LIST_HEAD(sgt_cache_list);
static u64 sgt_cache_fills;
static u64 sgt_cache_fill_failures;
static u64 sgt_cache_releases;
static u64 sgt_cache_stale;
static u64 sgt_cache_live;
static u64 sgt_cache_bytes;
static u64 sgt_cache_no_entry;
static struct dentry *sgt_cache_debugfs;
/* Per CPU, without a lock: maps served from the cache are the hot path. */
static DEFINE_PER_CPU(u64, sgt_cache_hits);

#ifdef CONFIG_LOCKDEP
/*
 * Lockdep's view of the exporter calls the cache skips, as in the series
 * (its patch "dma-buf: keep lockdep's view of the exporter calls the cache
 * skips" says why each choice): every exporter with cached attachments has
 * two lock classes of its own, one for its map_dma_buf() and one for its
 * unmap_dma_buf() (two keys: lockdep_unregister_key() forgets subclass 0
 * only). The exporter's calls at fill and detach run in a
 * non-recursive read section of it; a map or unmap served from the cache
 * acquires and releases it, so lockdep records importer lock -> section ->
 * exporter lock where a call would have recorded importer lock -> exporter
 * lock. Denied and dynamic exporters are called on every map and are not
 * annotated; a section already held is not entered again.
 */
struct sgt_cache_lockdep {
	struct hlist_node node;
	const struct dma_buf_ops *ops;
	struct lock_class_key map_key;
	struct lock_class_key unmap_key;
	struct lockdep_map map;
	struct lockdep_map unmap;
	char map_name[48];
	char unmap_name[48];
};

/*
 * By &dma_buf_ops; added under the mutex, looked up under RCU. An exporter
 * module's classes go when it is unloaded, the rest at this module's exit.
 */
static DEFINE_HASHTABLE(sgt_cache_lockdep_table, 5);
static DEFINE_MUTEX(sgt_cache_lockdep_lock);

static struct sgt_cache_lockdep *sgt_cache_lockdep_find(const struct dma_buf_ops *ops)
{
	struct sgt_cache_lockdep *cl;

	rcu_read_lock();
	hash_for_each_possible_rcu(sgt_cache_lockdep_table, cl, node,
				   (unsigned long)ops) {
		if (cl->ops == ops) {
			rcu_read_unlock();
			return cl;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/* Make the lock classes of @dmabuf's exporter: at fill, in process context. */
static void sgt_cache_lockdep_add(struct dma_buf *dmabuf)
{
	struct sgt_cache_lockdep *cl;

	if (sgt_cache_lockdep_find(dmabuf->ops))
		return;

	mutex_lock(&sgt_cache_lockdep_lock);
	cl = sgt_cache_lockdep_find(dmabuf->ops);
	if (!cl)
		cl = kzalloc(sizeof(*cl), GFP_KERNEL);
	if (cl && !cl->ops) {
		cl->ops = dmabuf->ops;
		lockdep_register_key(&cl->map_key);
		lockdep_register_key(&cl->unmap_key);
		snprintf(cl->map_name, sizeof(cl->map_name),
			 "dma_buf_sgt_cache_map:%s", dmabuf->exp_name);
		snprintf(cl->unmap_name, sizeof(cl->unmap_name),
			 "dma_buf_sgt_cache_unmap:%s", dmabuf->exp_name);
		lockdep_init_map(&cl->map, cl->map_name, &cl->map_key, 0);
		lockdep_init_map(&cl->unmap, cl->unmap_name, &cl->unmap_key, 0);
		hash_add_rcu(sgt_cache_lockdep_table, &cl->node,
			     (unsigned long)cl->ops);
	}
	mutex_unlock(&sgt_cache_lockdep_lock);
}

/* The lockdep map of @dmabuf's exporter, or NULL if it has none. */
static struct lockdep_map *sgt_cache_lockdep_map(struct dma_buf *dmabuf, bool unmap)
{
	struct sgt_cache_lockdep *cl = sgt_cache_lockdep_find(dmabuf->ops);

	if (!cl)
		return NULL;
	return unmap ? &cl->unmap : &cl->map;
}

/* Forget the classes of @mod's exporters (all of them if @mod is NULL). */
static void sgt_cache_lockdep_forget(struct module *mod)
{
	struct sgt_cache_lockdep *cl;
	struct hlist_node *tmp;
	int bkt;

	mutex_lock(&sgt_cache_lockdep_lock);
	hash_for_each_safe(sgt_cache_lockdep_table, bkt, tmp, cl, node) {
		if (mod && !within_module((unsigned long)cl->ops, mod))
			continue;
		hash_del_rcu(&cl->node);
		/* Waits for RCU readers of the table, too. */
		lockdep_unregister_key(&cl->map_key);
		lockdep_unregister_key(&cl->unmap_key);
		kfree(cl);
	}
	mutex_unlock(&sgt_cache_lockdep_lock);
}

/* Enter the section around an exporter call for a cached attachment. */
static bool sgt_cache_call_begin(struct lockdep_map *map)
{
	if (!map || lock_is_held(map))
		return false;
	lock_acquire_shared(map, 0, 0, NULL, _RET_IP_);
	return true;
}

static void sgt_cache_call_end(struct lockdep_map *map, bool entered)
{
	if (entered)
		lock_release(map, _RET_IP_);
}

/* A map or unmap served from the cache: what a call would have recorded. */
static void sgt_cache_might_call(struct lockdep_map *map)
{
	if (!map || lock_is_held(map))
		return;
	lock_map_acquire(map);
	lock_map_release(map);
}
#else
static struct lockdep_map *sgt_cache_lockdep_map(struct dma_buf *dmabuf, bool unmap)
{
	return NULL;
}

static void sgt_cache_lockdep_add(struct dma_buf *dmabuf)
{
}

static void sgt_cache_lockdep_forget(struct module *mod)
{
}

static bool sgt_cache_call_begin(struct lockdep_map *map)
{
	return false;
}

static void sgt_cache_call_end(struct lockdep_map *map, bool entered)
{
}

static void sgt_cache_might_call(struct lockdep_map *map)
{
}
#endif

/*
 * Whether @map_dma_buf, an exporter's callback, is on the deny list, by name (as kallsyms
 * knows it, without a compiler suffix such as ".isra.0" and without the
 * " [module]" that "%ps" adds for a function in a module): on the default
 * list or the parameter's.
 */
static bool sgt_cache_fn_on_list(const void *map_dma_buf)
{
	char fn[SGT_CACHE_FN_MAX];
	unsigned int i;

	snprintf(fn, sizeof(fn), "%ps", map_dma_buf);
	fn[strcspn(fn, ". ")] = '\0';
	for (i = 0; i < ARRAY_SIZE(sgt_cache_deny_default); i++)
		if (!strcmp(fn, sgt_cache_deny_default[i]))
			return true;
	for (i = 0; i < sgt_cache_deny_count; i++)
		if (!strcmp(fn, sgt_cache_deny_extra[i]))
			return true;
	return false;
}

/*
 * The verdict of sgt_cache_fn_on_list() for each map_dma_buf() callback
 * seen: its kallsyms lookup costs more than the rest of an attach's
 * bookkeeping. By the callback, not by &dma_buf_ops, which an exporter may
 * allocate (vmwgfx copies its ops per device): a callback is text, whose
 * address comes back only when its module is unloaded, and then its
 * verdicts go (the module notifier); the rest at this module's exit. Added
 * under the mutex, looked up under RCU.
 */
struct sgt_cache_verdict {
	struct hlist_node node;
	struct rcu_head rcu;
	const void *fn;
	bool denied;
};

static DEFINE_HASHTABLE(sgt_cache_verdicts, 6);
static DEFINE_MUTEX(sgt_cache_verdict_lock);

static struct sgt_cache_verdict *sgt_cache_verdict_find(const void *fn)
{
	struct sgt_cache_verdict *v;

	/* under RCU or the mutex */
	hash_for_each_possible_rcu(sgt_cache_verdicts, v, node, (unsigned long)fn,
				   lockdep_is_held(&sgt_cache_verdict_lock))
		if (v->fn == fn)
			return v;
	return NULL;
}

/* sgt_cache_fn_on_list() of @fn, once per callback; process context. */
static bool sgt_cache_fn_denied(const void *fn)
{
	struct sgt_cache_verdict *v;
	bool denied;

	rcu_read_lock();
	v = sgt_cache_verdict_find(fn);
	denied = v && v->denied;
	rcu_read_unlock();
	if (v)
		return denied;

	denied = sgt_cache_fn_on_list(fn);
	mutex_lock(&sgt_cache_verdict_lock);
	/* without memory, the verdict is found again next time */
	if (!sgt_cache_verdict_find(fn)) {
		v = kzalloc(sizeof(*v), GFP_KERNEL);
		if (v) {
			v->fn = fn;
			v->denied = denied;
			hash_add_rcu(sgt_cache_verdicts, &v->node, (unsigned long)fn);
		}
	}
	mutex_unlock(&sgt_cache_verdict_lock);
	return denied;
}

/* Forget the verdicts on @mod's exporters (all of them if @mod is NULL). */
static void sgt_cache_verdicts_forget(struct module *mod)
{
	struct sgt_cache_verdict *v;
	struct hlist_node *tmp;
	int bkt;

	mutex_lock(&sgt_cache_verdict_lock);
	hash_for_each_safe(sgt_cache_verdicts, bkt, tmp, v, node) {
		if (mod && !within_module((unsigned long)v->fn, mod))
			continue;
		hash_del_rcu(&v->node);
		kfree_rcu(v, rcu);
	}
	mutex_unlock(&sgt_cache_verdict_lock);
}

/*
 * An exporter module going: its buffers are gone (each holds the module),
 * and so must be what is kept here by the address of its ops or callbacks.
 */
static int sgt_cache_module_going(struct notifier_block *nb,
				  unsigned long action, void *data)
{
	if (action == MODULE_STATE_GOING) {
		sgt_cache_verdicts_forget(data);
		sgt_cache_lockdep_forget(data);
	}
	return NOTIFY_DONE;
}

static struct notifier_block sgt_cache_module_nb = {
	.notifier_call = sgt_cache_module_going,
};

/*
 * Whether @dmabuf's exporter is denied: its map_dma_buf() by name (see
 * sgt_cache_fn_on_list()), or its exp_name on the parameter's list.
 */
static bool sgt_cache_denied(struct dma_buf *dmabuf)
{
	unsigned int i;

	if (sgt_cache_fn_denied(dmabuf->ops->map_dma_buf))
		return true;
	for (i = 0; i < sgt_cache_deny_count; i++)
		if (dmabuf->exp_name && !strcmp(dmabuf->exp_name, sgt_cache_deny_extra[i]))
			return true;
	return false;
}

static bool sgt_cache_eligible(struct dma_buf *dmabuf)
{
	return !dma_buf_is_dynamic(dmabuf) && !sgt_cache_denied(dmabuf);
}

/*
 * Whether a table mapped for @dev may live from attach to detach without the
 * device seeing anything else than with a map and unmap per use: not for an
 * untrusted (external) PCI device, which must hold no mapping longer than a
 * transfer; not for a device that is not DMA coherent (the cache maintenance
 * of every map and unmap); not where swiotlb bounces, forced or for the pages
 * beyond the device's DMA mask, unless an IOMMU DMA domain remaps them (then
 * only untrusted or non-coherent devices bounce). The series' core makes the
 * same decision (dma_buf_dev_caches()).
 */
static bool sgt_cache_dev_caches(struct device *dev)
{
	struct iommu_domain *domain;

	if (dev_is_pci(dev) && to_pci_dev(dev)->untrusted)
		return false;
	if (!dev_is_dma_coherent(dev))
		return false;
	domain = iommu_get_domain_for_dev(dev);
	if (domain && iommu_is_dma_domain(domain))
		return true;
	if (!dev->dma_mask)
		return true;
	if (is_swiotlb_force_bounce(dev))
		return false;
	return dma_get_required_mask(dev) <=
	       min_not_zero(*dev->dma_mask, dev->bus_dma_limit);
}

static size_t sgt_cache_dma_bytes(struct sg_table *sgt)
{
	struct scatterlist *sg;
	size_t bytes = 0;
	int i;

	for_each_sgtable_dma_sg(sgt, sg, i)
		bytes += sg_dma_len(sg);
	return bytes;
}

/*
 * Around the exporter's calls at fill and release: since the dynamic
 * locking convention (v6.2) the reservation lock, which the core holds
 * around every call of a static exporter; before it nothing, as static
 * exporters are called without it there.
 */
static void sgt_cache_exporter_lock(struct dma_buf *dmabuf)
{
	if (DMA_BUF_SGT_CACHE_LOCKED_MAP)
		dma_resv_lock(dmabuf->resv, NULL);
}

static void sgt_cache_exporter_unlock(struct dma_buf *dmabuf)
{
	if (DMA_BUF_SGT_CACHE_LOCKED_MAP)
		dma_resv_unlock(dmabuf->resv);
}

/*
 * Map @attach once and keep the table in @entry and, where the attachment
 * has a table of the core's, there too. The attachment is not the
 * importer's yet, so before v6.2 the store needs no lock.
 */
static int sgt_cache_fill(struct dma_buf_attachment *attach,
			  struct sgt_cache_entry *entry)
{
	struct dma_buf *dmabuf = attach->dmabuf;
	struct lockdep_map *map;
	struct sg_table *sgt;
	bool entered;

	sgt_cache_lockdep_add(dmabuf);
	map = sgt_cache_lockdep_map(dmabuf, false);
	sgt_cache_exporter_lock(dmabuf);
	entered = sgt_cache_call_begin(map);
	sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL);
	sgt_cache_call_end(map, entered);
#if DMA_BUF_SGT_CACHE_ATTACH_SGT
	if (!IS_ERR(sgt)) {
		attach->sgt = sgt;
		attach->dir = DMA_BIDIRECTIONAL;
	}
#endif
	sgt_cache_exporter_unlock(dmabuf);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);

	spin_lock(&sgt_cache_lock);
	WRITE_ONCE(entry->sgt, sgt);
	entry->bytes = sgt_cache_dma_bytes(sgt);
	sgt_cache_fills++;
	sgt_cache_live++;
	sgt_cache_bytes += entry->bytes;
	spin_unlock(&sgt_cache_lock);
	return 0;
}

/*
 * Unmap @sgt, the table cached for @attach, with the exporter's call, as the
 * core's detach would (with the direction it was mapped with); the core
 * then finds no table to unmap.
 */
static void sgt_cache_release(struct dma_buf_attachment *attach,
			      struct sg_table *sgt)
{
	struct dma_buf *dmabuf = attach->dmabuf;
	struct lockdep_map *map = sgt_cache_lockdep_map(dmabuf, true);
	bool entered;

	sgt_cache_exporter_lock(dmabuf);
#if DMA_BUF_SGT_CACHE_ATTACH_SGT
	attach->sgt = NULL;
#endif
	entered = sgt_cache_call_begin(map);
	dma_buf_unmap_attachment(attach, sgt, DMA_BIDIRECTIONAL);
	sgt_cache_call_end(map, entered);
	sgt_cache_exporter_unlock(dmabuf);
}

/* The core's table of @attach, mapped before this module saw it, or NULL. */
static struct sg_table *sgt_cache_core_table(struct dma_buf_attachment *attach)
{
#if DMA_BUF_SGT_CACHE_ATTACH_SGT
	return attach->sgt;
#else
	return NULL;
#endif
}

/*
 * Whether @entry, found at the address of @attach, is that attachment's:
 * mapped, for the same buffer and device, and where the core keeps the
 * table, while the attachment still has it. An entry left behind by a plain
 * dma_buf_detach() differs in one of them whenever the attachment now at
 * its address is another buffer's (since v6.16 the entry holds a reference
 * to its buffer, so the buffer's address cannot come back either), or,
 * where the core keeps the table, has none of this module's.
 */
static bool sgt_cache_matches(const struct sgt_cache_entry *entry,
			      struct dma_buf_attachment *attach)
{
	struct sg_table *sgt = READ_ONCE(entry->sgt);

	if (!sgt || entry->dmabuf != attach->dmabuf || entry->dev != attach->dev)
		return false;
#if DMA_BUF_SGT_CACHE_ATTACH_SGT
	return sgt == READ_ONCE(attach->sgt);
#else
	return true;
#endif
}

/*
 * The table this module cached at the attach of @attach, from its entry, or
 * NULL. Any context.
 */
static struct sg_table *sgt_cache_entry_table(struct dma_buf_attachment *attach)
{
	struct sgt_cache_entry *entry;
	struct sg_table *sgt = NULL;

	rcu_read_lock();
	entry = rhashtable_lookup(&sgt_cache_table, &attach, sgt_cache_params);
	if (entry && sgt_cache_matches(entry, attach))
		sgt = READ_ONCE(entry->sgt);
	rcu_read_unlock();
	return sgt;
}

/*
 * The table a map of @attach returns without the core: the one this module
 * cached at its attach, or NULL. Where the core keeps the table, that is
 * &dma_buf_attachment.sgt of an exporter without cache_sgt_mapping, which
 * this module sets for its own attachments, and the core for mismatched
 * static/dynamic pairs (mapped and pinned at attach): in both cases before
 * the importer has the attachment and for its life, so it never changes
 * under a map, and the core's map would return that same table (those maps
 * count as hits too). An exporter with the core's lazy cache may have its
 * table stored by the core at the importer's first map, under the
 * reservation lock only: its maps go to the core, which returns the same
 * table. Elsewhere the module's entry for the attachment.
 */
static struct sg_table *sgt_cache_kept(struct dma_buf_attachment *attach)
{
#if DMA_BUF_SGT_CACHE_ATTACH_SGT
#if DMA_BUF_SGT_CACHE_LAZY
	if (attach->dmabuf->ops->cache_sgt_mapping)
		return NULL;
#endif
	return READ_ONCE(attach->sgt);
#else
	return sgt_cache_entry_table(attach);
#endif
}

/*
 * A map or unmap served from the cache takes no lock: the table was stored
 * before the attachment was returned to the importer and is cleared only by
 * the importer's own detach, so nothing can change it under a map. Lockdep
 * still records what the core's locked call would have: the importer's
 * locks before the reservation lock (since v6.2), and before the exporter's
 * map or unmap section. A caller that holds the reservation lock, or that
 * may not sleep, gets the core's reports (lockdep's, might_sleep()'s) rather
 * than a deadlock or silence.
 */
static void sgt_cache_served(struct dma_buf *dmabuf, bool unmap)
{
	if (DMA_BUF_SGT_CACHE_LOCKED_MAP)
		might_lock(&dmabuf->resv->lock.base);
	sgt_cache_might_call(sgt_cache_lockdep_map(dmabuf, unmap));
}

/*
 * The core waits for the buffer's kernel fences (%DMA_RESV_USAGE_KERNEL: an
 * exporter's move or clear) after every exporter map for a static importer
 * (with the reservation lock held since v6.2, without before): so does a map
 * served from the cache of a static importer of a static exporter, without
 * the lock (dma_resv_wait_timeout() needs none). With no fence at all that
 * is one load. A table the core itself keeps for a mismatched
 * static/dynamic pair is returned by the core's map without a wait, and so
 * here.
 */
static int sgt_cache_wait_kernel(struct dma_buf_attachment *attach)
{
	struct dma_buf *dmabuf = attach->dmabuf;
	long ret;

	if (!rcu_access_pointer(dmabuf->resv->fences))
		return 0;
	if (attach->importer_ops || dma_buf_is_dynamic(dmabuf))
		return 0;
	ret = dma_resv_wait_timeout(dmabuf->resv, DMA_RESV_USAGE_KERNEL, true,
				    MAX_SCHEDULE_TIMEOUT);
	return ret < 0 ? ret : 0;
}

/*
 * A map or unmap that went to the core: where that was because the exporter
 * has the core's lazy cache (see sgt_cache_kept()) and the table is the one
 * cached here, lockdep records the exporter's section as for a map served
 * here.
 */
static void sgt_cache_core_served(struct dma_buf_attachment *attach,
				  struct sg_table *sgt, bool unmap)
{
#if DMA_BUF_SGT_CACHE_LAZY
	if (IS_ENABLED(CONFIG_LOCKDEP) && attach && attach->dmabuf &&
	    attach->dmabuf->ops->cache_sgt_mapping && !IS_ERR_OR_NULL(sgt) &&
	    sgt == sgt_cache_entry_table(attach))
		sgt_cache_might_call(sgt_cache_lockdep_map(attach->dmabuf, unmap));
#endif
}

/*
 * Drop @entry from the table and the list; the caller holds sgt_cache_lock.
 * Readers under RCU may still see it until a grace period has passed.
 */
static void sgt_cache_forget(struct sgt_cache_entry *entry)
{
	lockdep_assert_held(&sgt_cache_lock);
	rhashtable_remove_fast(&sgt_cache_table, &entry->hnode, sgt_cache_params);
	list_del(&entry->node);
	if (entry->sgt) {
		sgt_cache_live--;
		sgt_cache_bytes -= entry->bytes;
	}
	if (!DMA_BUF_SGT_CACHE_ATTACH_SGT) {
		/* fput() defers the release: callable under the spinlock */
		dma_buf_put(entry->dmabuf);
		module_put(THIS_MODULE);
	}
	kfree_rcu(entry, rcu);
}

/* Drop a stale @entry, with a warning; the caller holds sgt_cache_lock. */
static void sgt_cache_drop_stale(struct sgt_cache_entry *entry)
{
	pr_warn_ratelimited("an attachment of %s to %s was detached with dma_buf_detach(), not dma_buf_sgt_cache_detach()\n",
			    entry->exp_name, entry->dev_name);
	sgt_cache_stale++;
	sgt_cache_forget(entry);
}

/*
 * Enter @entry, not yet mapped, before any call of the exporter's: a
 * failure here leaves the attachment as the core made it. An entry already
 * there for the same address is stale: its attachment was detached with
 * dma_buf_detach() (a live attachment cannot share an address), so it goes.
 */
static int sgt_cache_add(struct sgt_cache_entry *entry)
{
	struct sgt_cache_entry *old;
	int ret = 0;

	spin_lock(&sgt_cache_lock);
	for (;;) {
		old = rhashtable_lookup_get_insert_fast(&sgt_cache_table, &entry->hnode,
							sgt_cache_params);
		if (!old || IS_ERR(old))
			break;
		sgt_cache_drop_stale(old);
	}
	if (IS_ERR(old)) {
		ret = PTR_ERR(old);
	} else {
		/*
		 * Since v6.16 only this module can unmap the table: the entry
		 * holds the module, and the buffer, whose pages the exporter's
		 * mapping keeps, until it goes. Taken from within this
		 * module's own call: it cannot fail.
		 */
		if (!DMA_BUF_SGT_CACHE_ATTACH_SGT) {
			__module_get(THIS_MODULE);
			get_dma_buf(entry->dmabuf);
		}
		list_add_tail(&entry->node, &sgt_cache_list);
	}
	spin_unlock(&sgt_cache_lock);
	return ret;
}

/*
 * Take the entry at the address of @attach out, if there is one: at its
 * detach (@live: return its table, to release) or at an attach of this
 * module's that caches nothing (any entry there is stale). Returns the
 * table the caller must release, or NULL.
 */
static struct sg_table *sgt_cache_remove(struct dma_buf_attachment *attach,
					 bool live)
{
	struct sgt_cache_entry *entry;
	struct sg_table *sgt = NULL;

	spin_lock(&sgt_cache_lock);
	entry = rhashtable_lookup_fast(&sgt_cache_table, &attach, sgt_cache_params);
	if (entry && live && sgt_cache_matches(entry, attach)) {
		sgt = entry->sgt;
		sgt_cache_releases++;
		sgt_cache_forget(entry);
	} else if (entry && entry->sgt) {
		sgt_cache_drop_stale(entry);
	} else if (entry) {
		/* the attach that entered it could not map: nothing to warn of */
		sgt_cache_forget(entry);
	}
	spin_unlock(&sgt_cache_lock);
	return sgt;
}

/**
 * dma_buf_sgt_cache_attach - attach a static importer, caching its sg_table
 * @dmabuf: buffer to attach to
 * @dev: the importing device
 *
 * Like dma_buf_attach(). When the exporter is static and not on the deny
 * list, and @dev needs no per-map work from the DMA layer (it is trusted, DMA
 * coherent and not bounced through swiotlb), this also maps the buffer once
 * with %DMA_BIDIRECTIONAL and keeps the table until
 * dma_buf_sgt_cache_detach(); later maps return it without calling the
 * exporter. When the module cannot record the attachment (no memory for its
 * entry, or its hash table cannot grow), the attachment is returned
 * uncached, as dma_buf_attach() made it. Bad arguments get
 * dma_buf_attach()'s answer.
 *
 * Context: Process context. The caller must not hold the reservation lock of
 * @dmabuf nor any lock the exporter's map takes.
 *
 * Return: the attachment, or an ERR_PTR(): the error of dma_buf_attach(), or
 * of the exporter's map at attach time (-ENOMEM for a NULL table,
 * -ERESTARTSYS when the wait for kernel fences was interrupted), in which
 * case the attachment is undone.
 */
struct dma_buf_attachment *
dma_buf_sgt_cache_attach(struct dma_buf *dmabuf, struct device *dev)
{
	struct dma_buf_attachment *attach;
	struct sgt_cache_entry *entry;
	int ret;

	if (!dmabuf || !dev || !sgt_cache_eligible(dmabuf) || !sgt_cache_dev_caches(dev))
		return dma_buf_sgt_cache_attach_uncached(dmabuf, dev);

	attach = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(attach) || sgt_cache_core_table(attach))
		return attach;

	entry = kzalloc(sizeof(*entry), GFP_KERNEL);
	if (!entry)
		goto uncached;
	entry->attach = attach;
	entry->dmabuf = dmabuf;
	entry->dev = dev;
	entry->size = dmabuf->size;
	strscpy(entry->exp_name, dmabuf->exp_name ?: "", sizeof(entry->exp_name));
	strscpy(entry->dev_name, dev_name(dev), sizeof(entry->dev_name));
	if (sgt_cache_add(entry)) {
		kfree(entry);
		goto uncached;
	}

	ret = sgt_cache_fill(attach, entry);
	if (ret) {
		sgt_cache_remove(attach, false);
		dma_buf_detach(dmabuf, attach);
		spin_lock(&sgt_cache_lock);
		sgt_cache_fill_failures++;
		spin_unlock(&sgt_cache_lock);
		return ERR_PTR(ret);
	}
	return attach;

uncached:
	/* as stock: no attach fails for this module's bookkeeping */
	sgt_cache_remove(attach, false);
	spin_lock(&sgt_cache_lock);
	sgt_cache_no_entry++;
	spin_unlock(&sgt_cache_lock);
	return attach;
}
EXPORT_SYMBOL_GPL(dma_buf_sgt_cache_attach);

/**
 * dma_buf_sgt_cache_attach_uncached - attach without an attach time map
 * @dmabuf: buffer to attach to
 * @dev: the importing device
 *
 * dma_buf_attach(), and forget any entry left at the new attachment's
 * address by an attachment detached with plain dma_buf_detach(): the
 * other calls must not take it for this one's.
 *
 * Context: Process context. The caller must not hold the reservation lock of
 * @dmabuf.
 *
 * Return: the attachment, or an ERR_PTR() from dma_buf_attach().
 */
struct dma_buf_attachment *
dma_buf_sgt_cache_attach_uncached(struct dma_buf *dmabuf, struct device *dev)
{
	struct dma_buf_attachment *attach = dma_buf_attach(dmabuf, dev);

	if (!IS_ERR(attach))
		sgt_cache_remove(attach, false);
	return attach;
}
EXPORT_SYMBOL_GPL(dma_buf_sgt_cache_attach_uncached);

#if !DMA_BUF_SGT_CACHE_ATTACH_SGT
/**
 * dma_buf_sgt_cache_table - the table cached at attach time, if any
 * @attach: an attachment made by dma_buf_sgt_cache_attach()
 *
 * Context: Any context.
 *
 * Return: the table this module mapped at the attach of @attach and keeps
 * until its detach, or NULL (with a warning for a NULL @attach).
 */
struct sg_table *dma_buf_sgt_cache_table(struct dma_buf_attachment *attach)
{
	if (WARN_ON(!attach || !attach->dmabuf))
		return NULL;
	return sgt_cache_entry_table(attach);
}
EXPORT_SYMBOL_GPL(dma_buf_sgt_cache_table);
#endif

/**
 * dma_buf_sgt_cache_map - map an attachment made by dma_buf_sgt_cache_attach()
 * @attach: the attachment
 * @dir: direction of the DMA transfer
 *
 * Returns the table cached at attach time, for any @dir, without calling the
 * exporter and without taking the reservation lock (lockdep records it as
 * taken), once the buffer's kernel fences have signalled, as the core's map
 * waits for them; otherwise maps as the core does for static importers. Bad
 * arguments get the core's answer.
 *
 * Context: Process context. The caller must not hold the reservation lock.
 *
 * Return: the sg_table, or an ERR_PTR() from the core or the exporter's map,
 * or -ERESTARTSYS when the wait for kernel fences was interrupted.
 */
struct sg_table *dma_buf_sgt_cache_map(struct dma_buf_attachment *attach,
				       enum dma_data_direction dir)
{
	struct sg_table *sgt;
	int ret;

	might_sleep();
	if (!attach || !attach->dmabuf)
		return dma_buf_sgt_cache_core_map(attach, dir);

	sgt = sgt_cache_kept(attach);
	if (!sgt) {
		sgt = dma_buf_sgt_cache_core_map(attach, dir);
		sgt_cache_core_served(attach, sgt, false);
		return sgt;
	}
	ret = sgt_cache_wait_kernel(attach);
	if (ret)
		return ERR_PTR(ret);
	/* DMA_BIDIRECTIONAL: a kernel with the series returns it for any @dir. */
	sgt_cache_served(attach->dmabuf, false);
	this_cpu_inc(sgt_cache_hits);
	return sgt;
}
EXPORT_SYMBOL_GPL(dma_buf_sgt_cache_map);

/**
 * dma_buf_sgt_cache_unmap - unmap a table from dma_buf_sgt_cache_map()
 * @attach: the attachment
 * @sgt: the table
 * @dir: the direction it was mapped with
 *
 * Unmapping the cached table does nothing; it is released at detach. Any
 * other table, and bad arguments, go to the core.
 *
 * Context: Process context. The caller must not hold the reservation lock.
 */
void dma_buf_sgt_cache_unmap(struct dma_buf_attachment *attach,
			     struct sg_table *sgt, enum dma_data_direction dir)
{
	might_sleep();
	if (attach && attach->dmabuf && sgt && sgt == sgt_cache_kept(attach)) {
		sgt_cache_served(attach->dmabuf, true);
		return;
	}
	dma_buf_sgt_cache_core_unmap(attach, sgt, dir);
	sgt_cache_core_served(attach, sgt, true);
}
EXPORT_SYMBOL_GPL(dma_buf_sgt_cache_unmap);

#if DMA_BUF_SGT_CACHE_LOCKED_MAP
/**
 * dma_buf_sgt_cache_map_locked - dma_buf_sgt_cache_map() under the reservation lock
 * @attach: an attachment made by dma_buf_sgt_cache_attach()
 * @dir: direction of the DMA transfer
 *
 * For importers that map with the buffer's reservation lock held (from an
 * exporter's callback, or from memory reclaim with the lock trylocked):
 * returns the table cached at attach time, for any @dir, without calling
 * the exporter; otherwise the core's dma_buf_map_attachment(), which also
 * answers bad arguments.
 *
 * Context: Process context, with the reservation lock of the buffer held.
 *
 * Return: the sg_table, or an ERR_PTR() from the core or the exporter's map.
 */
struct sg_table *dma_buf_sgt_cache_map_locked(struct dma_buf_attachment *attach,
					      enum dma_data_direction dir)
{
	struct sg_table *sgt;
	int ret;

	might_sleep();
	if (!attach || !attach->dmabuf)
		return dma_buf_map_attachment(attach, dir);

	sgt = sgt_cache_kept(attach);
	if (!sgt) {
		sgt = dma_buf_map_attachment(attach, dir);
		sgt_cache_core_served(attach, sgt, false);
		return sgt;
	}
	dma_resv_assert_held(attach->dmabuf->resv);
	ret = sgt_cache_wait_kernel(attach);
	if (ret)
		return ERR_PTR(ret);
	sgt_cache_might_call(sgt_cache_lockdep_map(attach->dmabuf, false));
	this_cpu_inc(sgt_cache_hits);
	return sgt;
}
EXPORT_SYMBOL_GPL(dma_buf_sgt_cache_map_locked);

/**
 * dma_buf_sgt_cache_unmap_locked - dma_buf_sgt_cache_unmap() under the reservation lock
 * @attach: the attachment
 * @sgt: the table from dma_buf_sgt_cache_map_locked() or dma_buf_sgt_cache_map()
 * @dir: the direction it was mapped with
 *
 * Unmapping the cached table does nothing; other tables, and bad arguments,
 * go to the core's dma_buf_unmap_attachment().
 *
 * Context: Process context, with the reservation lock of the buffer held.
 */
void dma_buf_sgt_cache_unmap_locked(struct dma_buf_attachment *attach,
				    struct sg_table *sgt, enum dma_data_direction dir)
{
	might_sleep();
	if (attach && attach->dmabuf && sgt && sgt == sgt_cache_kept(attach)) {
		dma_resv_assert_held(attach->dmabuf->resv);
		sgt_cache_might_call(sgt_cache_lockdep_map(attach->dmabuf, true));
		return;
	}
	dma_buf_unmap_attachment(attach, sgt, dir);
	sgt_cache_core_served(attach, sgt, true);
}
EXPORT_SYMBOL_GPL(dma_buf_sgt_cache_unmap_locked);
#endif

/**
 * dma_buf_sgt_cache_detach - detach an attachment from dma_buf_sgt_cache_attach()
 * @dmabuf: the buffer
 * @attach: the attachment; freed by this call
 *
 * Like dma_buf_detach(), which unmaps a cached table once, with
 * %DMA_BIDIRECTIONAL, before the exporter's detach. A NULL argument goes to
 * dma_buf_detach() (its warning) with nothing changed here; an attachment of
 * another buffer is refused with a warning and nothing changed, as the core
 * does since v6.2 (before, the core detached it from the wrong buffer).
 *
 * Context: Process context. The caller must not hold the reservation lock of
 * @dmabuf nor any lock the exporter's unmap takes.
 */
void dma_buf_sgt_cache_detach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attach)
{
	struct sg_table *sgt;

	if (!dmabuf || !attach) {
		dma_buf_detach(dmabuf, attach);
		return;
	}
	if (WARN_ON(dmabuf != attach->dmabuf))
		return;
	/* since v6.16 the entry's reference goes with it: keep one to the end */
	if (!DMA_BUF_SGT_CACHE_ATTACH_SGT)
		get_dma_buf(dmabuf);
	sgt = sgt_cache_remove(attach, true);
	if (sgt)
		sgt_cache_release(attach, sgt);
	dma_buf_detach(dmabuf, attach);
	if (!DMA_BUF_SGT_CACHE_ATTACH_SGT)
		dma_buf_put(dmabuf);
}
EXPORT_SYMBOL_GPL(dma_buf_sgt_cache_detach);

static int sgt_cache_stats_show(struct seq_file *s, void *unused)
{
	u64 hits = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		hits += per_cpu(sgt_cache_hits, cpu);
	spin_lock(&sgt_cache_lock);
	seq_printf(s, "fills %llu\nhits %llu\nreleases %llu\nfill_failures %llu\n",
		   sgt_cache_fills, hits, sgt_cache_releases, sgt_cache_fill_failures);
	seq_printf(s, "cached %llu\nbytes_held %llu\nstale %llu\nuncached_no_entry %llu\n",
		   sgt_cache_live, sgt_cache_bytes, sgt_cache_stale, sgt_cache_no_entry);
	spin_unlock(&sgt_cache_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sgt_cache_stats);

static int sgt_cache_attachments_show(struct seq_file *s, void *unused)
{
	struct sgt_cache_entry *entry;

	seq_puts(s, "exporter\tsize\tdevice\tbytes_mapped\n");
	spin_lock(&sgt_cache_lock);
	list_for_each_entry(entry, &sgt_cache_list, node)
		if (entry->sgt)
			seq_printf(s, "%s\t%zu\t%s\t%zu\n", entry->exp_name,
				   entry->size, entry->dev_name, entry->bytes);
	spin_unlock(&sgt_cache_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sgt_cache_attachments);

static int sgt_cache_deny_show(struct seq_file *s, void *unused)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sgt_cache_deny_default); i++)
		seq_printf(s, "%s\n", sgt_cache_deny_default[i]);
	for (i = 0; i < sgt_cache_deny_count; i++)
		seq_printf(s, "%s\n", sgt_cache_deny_extra[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sgt_cache_deny);

/* Split the deny parameter; any bad name rejects the whole load. */
static int sgt_cache_parse_deny(void)
{
	const char *p = deny, *end;
	size_t len;

	while (p && *p) {
		end = strchrnul(p, ',');
		len = end - p;
		if (!len || len >= SGT_CACHE_NAME_MAX) {
			pr_err("deny: empty or longer than %d characters: '%.*s'\n",
			       SGT_CACHE_NAME_MAX - 1, (int)len, p);
			return -EINVAL;
		}
		if (sgt_cache_deny_count == SGT_CACHE_DENY_MAX) {
			pr_err("deny: more than %d names\n", SGT_CACHE_DENY_MAX);
			return -EINVAL;
		}
		memcpy(sgt_cache_deny_extra[sgt_cache_deny_count], p, len);
		if (strpbrk(sgt_cache_deny_extra[sgt_cache_deny_count], " \t\n")) {
			pr_err("deny: white space in '%s'\n",
			       sgt_cache_deny_extra[sgt_cache_deny_count]);
			return -EINVAL;
		}
		sgt_cache_deny_count++;
		p = *end ? end + 1 : end;
	}
	return 0;
}

static int __init sgt_cache_init(void)
{
	int ret = sgt_cache_parse_deny();

	if (ret)
		return ret;
	ret = rhashtable_init(&sgt_cache_table, &sgt_cache_params);
	if (ret)
		return ret;
	ret = register_module_notifier(&sgt_cache_module_nb);
	if (ret) {
		rhashtable_destroy(&sgt_cache_table);
		return ret;
	}
	sgt_cache_debugfs = debugfs_create_dir("dma_buf_sgt_cache", NULL);
	debugfs_create_file("stats", 0444, sgt_cache_debugfs, NULL,
			    &sgt_cache_stats_fops);
	debugfs_create_file("attachments", 0444, sgt_cache_debugfs, NULL,
			    &sgt_cache_attachments_fops);
	debugfs_create_file("deny", 0444, sgt_cache_debugfs, NULL,
			    &sgt_cache_deny_fops);
	pr_info("caching sg_tables of static attachments (%u extra deny names)\n",
		sgt_cache_deny_count);
	return 0;
}

static void sgt_cache_free_entry(void *ptr, void *arg)
{
	kfree(ptr);
}

/*
 * Attachments still cached here belong to importers that reached the
 * module through symbol_get() or detached with dma_buf_detach(): their
 * tables are the core's, which unmaps them at their detach.
 */
static void __exit sgt_cache_exit(void)
{
	debugfs_remove_recursive(sgt_cache_debugfs);
	rhashtable_free_and_destroy(&sgt_cache_table, sgt_cache_free_entry, NULL);
	unregister_module_notifier(&sgt_cache_module_nb);
	sgt_cache_verdicts_forget(NULL);
	sgt_cache_lockdep_forget(NULL);
}

#else /* DMA_BUF_SGT_CACHE_IN_CORE */

static int __init sgt_cache_init(void)
{
	pr_info("this kernel caches sg_tables itself: nothing to do\n");
	return 0;
}

static void __exit sgt_cache_exit(void)
{
}

#endif /* DMA_BUF_SGT_CACHE_IN_CORE */

module_init(sgt_cache_init);
module_exit(sgt_cache_exit);
MODULE_DESCRIPTION("Attach time sg_table caching for dma-buf importers");
MODULE_LICENSE("GPL");
