// SPDX-License-Identifier: GPL-2.0
/*
 * Negative controls for the dma-buf-sgt-cache test harness.
 *
 * Each mode commits exactly one sin that one gate of scripts/harness/gate.py must
 * report. A gate that has never tripped proves nothing, so `make check` boots
 * every mode and requires the matching report.
 *
 *   mode=lockdep  take A then B, then B then A: a circular locking dependency
 *   mode=leak     lose the only pointer to an allocation: a kmemleak report
 *   mode=warn     WARN_ON(1): a "WARNING:" splat
 *   mode=kasan    read one byte past a kmalloc() object: a KASAN report
 *   mode=fail     a KTAP result "not ok": a failed test
 *   mode=missing  a KTAP plan of 2 with only 1 result: a missing test
 *   mode=hang     never return from init: a guest timeout
 *   mode=skip     a KTAP result "ok # SKIP" that nobody expects: a failed
 *                 step (tests/expected-skips lists the expected ones)
 *   mode=bug      BUG(): an oops ("kernel BUG at", "invalid opcode"); insmod
 *                 dies, so its step fails too
 *   mode=pass     a clean KTAP pass: nothing may trip
 *
 * Every mode but fail, missing, hang, skip and bug ends with a KTAP "ok", so
 * that the only
 * thing wrong in its boot is the one report it exists to provoke.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *mode = "pass";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "lockdep|leak|warn|kasan|fail|missing|hang|skip|bug|pass");

static DEFINE_MUTEX(hx_lock_a);
static DEFINE_MUTEX(hx_lock_b);

static void hx_lockdep_inversion(void)
{
	mutex_lock(&hx_lock_a);
	mutex_lock(&hx_lock_b);
	mutex_unlock(&hx_lock_b);
	mutex_unlock(&hx_lock_a);

	mutex_lock(&hx_lock_b);
	mutex_lock(&hx_lock_a);
	mutex_unlock(&hx_lock_a);
	mutex_unlock(&hx_lock_b);
}

/* noinline so that no copy of the pointer survives in the caller's frame. */
static noinline void hx_leak_one(size_t size)
{
	void *p = kmalloc(size, GFP_KERNEL);

	if (p)
		memset(p, 0x5a, size);
	/* Hide the value from the compiler so the allocation is not elided. */
	OPTIMIZER_HIDE_VAR(p);
}

/*
 * kmemleak misses a leak when a stale copy of its pointer survives somewhere
 * it scans; leak several objects of several sizes so that the gate trips
 * every time (one report is enough).
 */
static void hx_leak(void)
{
	int i;

	for (i = 0; i < 16; i++)
		hx_leak_one(64 << (i % 7));
}

static noinline void hx_oob_read(void)
{
	char *p = kmalloc(16, GFP_KERNEL);

	if (!p)
		return;
	OPTIMIZER_HIDE_VAR(p);
	pr_info("hx_control: read past the end: %d\n", READ_ONCE(p[16]));
	kfree(p);
}

static void hx_ktap(int planned, const char *result)
{
	pr_info("KTAP version 1\n");
	pr_info("1..%d\n", planned);
	pr_info("%s 1 hx_control_%s\n", result, mode);
}

static int __init hx_control_init(void)
{
	pr_info("hx_control: mode=%s\n", mode);
	if (!strcmp(mode, "lockdep")) {
		hx_lockdep_inversion();
	} else if (!strcmp(mode, "leak")) {
		hx_leak();
	} else if (!strcmp(mode, "warn")) {
		WARN_ON(1);
	} else if (!strcmp(mode, "kasan")) {
		if (!IS_ENABLED(CONFIG_KASAN)) {
			pr_err("hx_control: mode=kasan needs CONFIG_KASAN\n");
			return -EOPNOTSUPP;
		}
		hx_oob_read();
	} else if (!strcmp(mode, "fail")) {
		hx_ktap(1, "not ok");
		return 0;
	} else if (!strcmp(mode, "missing")) {
		hx_ktap(2, "ok");
		return 0;
	} else if (!strcmp(mode, "skip")) {
		hx_ktap(2, "ok");
		pr_info("ok 2 hx_control_skipped # SKIP a skip nobody expects\n");
		return 0;
	} else if (!strcmp(mode, "bug")) {
		BUG();
	} else if (!strcmp(mode, "hang")) {
		for (;;)
			msleep_interruptible(1000);
	} else if (strcmp(mode, "pass")) {
		pr_err("hx_control: unknown mode '%s'\n", mode);
		return -EINVAL;
	}
	hx_ktap(1, "ok");
	return 0;
}

static void __exit hx_control_exit(void)
{
}

module_init(hx_control_init);
module_exit(hx_control_exit);
MODULE_DESCRIPTION("Negative controls for the dma-buf-sgt-cache test harness");
MODULE_LICENSE("GPL");
