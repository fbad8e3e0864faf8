/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subset of the KUnit API that tests/kunit/dma-buf-sgt-cache-test.c
 * uses, for kernels built without KUnit (Debian's stock kernels), so that
 * the one source of the contract cases runs there too.
 *
 * Force-included ahead of the test, it takes <kunit/test.h>'s include guard.
 * Each case (and each parameter of a parameterised case) runs in a kthread,
 * so that a failed assertion ends the case the way KUnit's does; init and
 * exit run around it in the loading task. Results are printed as the KTAP
 * that KUnit prints, for the kernel's kunit.py parse.
 */
#ifndef _KTAP_KUNIT_H
#define _KTAP_KUNIT_H
#define _KUNIT_TEST_H

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#define KUNIT_PARAM_DESC_SIZE 128

/*
 * No KUnit, so no KUnit devices, whatever <kunit/device.h> declares: the
 * cases' importing device is a root device.
 */
#undef DMA_BUF_SGT_CACHE_KUNIT_DEVICE
#define DMA_BUF_SGT_CACHE_KUNIT_DEVICE 0

struct kunit {
	void *priv;
	const void *param_value;
	bool failed;
	const char *skipped;	/* the reason, once kunit_skip() ended the case */
	struct completion done;
	void (*run_case)(struct kunit *test);
	struct list_head allocs;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	const void *(*generate_params)(const void *prev, char *desc);
};

struct kunit_suite {
	const char *name;
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
};

#define KUNIT_CASE(fn) { .run_case = fn, .name = #fn }
#define KUNIT_CASE_PARAM(fn, gen) \
	{ .run_case = fn, .name = #fn, .generate_params = gen }

/* The next element of an array of @n elements of @size bytes after @prev. */
static inline const void *ktap_array_next(const void *base, size_t n,
					  size_t size, const void *prev)
{
	const void *next = prev ? prev + size : base;

	return next < base + n * size ? next : NULL;
}

#define KUNIT_ARRAY_PARAM(name, array, get_desc)			\
	static const void *name##_gen_params(const void *prev, char *desc) \
	{								\
		typeof(array) *__array = &(array);			\
		const void *__next;					\
									\
		__next = ktap_array_next(*__array, ARRAY_SIZE(*__array), \
					 sizeof((*__array)[0]), prev);	\
		if (__next)						\
			get_desc(__next, desc);				\
		return __next;						\
	}

struct ktap_alloc {
	struct list_head node;
	u8 data[] __aligned(ARCH_KMALLOC_MINALIGN);
};

static inline void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	struct ktap_alloc *a = kzalloc(sizeof(*a) + size, gfp);

	if (!a)
		return NULL;
	list_add(&a->node, &test->allocs);
	return a->data;
}

/* A failed assertion ends the case's kthread, as KUnit's does. */
static inline void ktap_abort(struct kunit *test)
{
	kthread_complete_and_exit(&test->done, 0);
}

/* Record a failed check; a failed assertion also ends the case. */
static inline void ktap_check(struct kunit *test, bool ok, bool fatal,
			      const char *file, int line, const char *what)
{
	if (ok)
		return;
	pr_info("    # %s:%d: %s failed: %s\n", file, line,
		fatal ? "ASSERTION" : "EXPECTATION", what);
	test->failed = true;
	if (fatal)
		ktap_abort(test);
}

/* End the case as skipped; the reason's arguments are not printed. */
static inline void ktap_skip(struct kunit *test, const char *reason)
{
	test->skipped = reason;
	ktap_abort(test);
}

#define kunit_skip(test, fmt, ...) ktap_skip(test, fmt)

#define KTAP_CHECK(test, cond, fatal, what) \
	ktap_check(test, cond, fatal, __FILE__, __LINE__, what)

#define KUNIT_EXPECT_EQ(t, a, b)	KTAP_CHECK(t, (a) == (b), false, #a " == " #b)
#define KUNIT_EXPECT_LT(t, a, b)	KTAP_CHECK(t, (a) < (b), false, #a " < " #b)
#define KUNIT_EXPECT_PTR_EQ(t, a, b)	KTAP_CHECK(t, (a) == (b), false, #a " == " #b)
#define KUNIT_EXPECT_PTR_NE(t, a, b)	KTAP_CHECK(t, (a) != (b), false, #a " != " #b)
#define KUNIT_EXPECT_TRUE(t, c)		KTAP_CHECK(t, c, false, #c)
#define KUNIT_EXPECT_FALSE(t, c)	KTAP_CHECK(t, !(c), false, "!(" #c ")")
#define KUNIT_EXPECT_NULL(t, p)		KTAP_CHECK(t, !(p), false, #p " == NULL")
#define KUNIT_EXPECT_NOT_NULL(t, p)	KTAP_CHECK(t, !!(p), false, #p " != NULL")
#define KUNIT_ASSERT_EQ(t, a, b)	KTAP_CHECK(t, (a) == (b), true, #a " == " #b)
#define KUNIT_ASSERT_LT(t, a, b)	KTAP_CHECK(t, (a) < (b), true, #a " < " #b)
#define KUNIT_ASSERT_GT(t, a, b)	KTAP_CHECK(t, (a) > (b), true, #a " > " #b)
#define KUNIT_ASSERT_TRUE(t, c)		KTAP_CHECK(t, c, true, #c)
#define KUNIT_ASSERT_FALSE(t, c)	KTAP_CHECK(t, !(c), true, "!(" #c ")")
#define KUNIT_ASSERT_NOT_NULL(t, p)	KTAP_CHECK(t, !!(p), true, #p " != NULL")
/* The message's arguments are not printed: its format names the check. */
#define KUNIT_ASSERT_FALSE_MSG(t, c, fmt, ...) KTAP_CHECK(t, !(c), true, fmt)
#define KUNIT_EXPECT_EQ_MSG(t, a, b, fmt, ...) KTAP_CHECK(t, (a) == (b), false, fmt)
#define KUNIT_EXPECT_TRUE_MSG(t, c, fmt, ...) KTAP_CHECK(t, c, false, fmt)

static int ktap_case_thread(void *data)
{
	struct kunit *test = data;

	test->run_case(test);
	kthread_complete_and_exit(&test->done, 0);
}

/*
 * Run one case (or one parameter of it); return true if it passed or was
 * skipped (*@skipped: the reason, or NULL).
 */
static bool ktap_run_one(struct kunit_suite *suite, struct kunit_case *c,
			 const void *param, const char **skipped)
{
	struct ktap_alloc *a, *next;
	struct task_struct *task;
	struct kunit test = { .param_value = param, .run_case = c->run_case };

	INIT_LIST_HEAD(&test.allocs);
	init_completion(&test.done);
	if (suite->init && suite->init(&test)) {
		pr_info("    # %s: failed to initialize\n", c->name);
		test.failed = true;
	} else {
		task = kthread_run(ktap_case_thread, &test, "ktap-%s", c->name);
		if (IS_ERR(task))
			test.failed = true;
		else
			wait_for_completion(&test.done);
		if (suite->exit)
			suite->exit(&test);
	}
	list_for_each_entry_safe(a, next, &test.allocs, node)
		kfree(a);
	*skipped = test.failed ? NULL : test.skipped;
	return !test.failed;
}

/* A result line: "ok", "not ok", or "ok ... # SKIP reason", as KUnit's. */
static void ktap_result(const char *indent, bool ok, int n, const char *name,
			const char *skipped)
{
	if (skipped)
		pr_info("%sok %d %s # SKIP %s\n", indent, n, name, skipped);
	else
		pr_info("%s%s %d %s\n", indent, ok ? "ok" : "not ok", n, name);
}

static int ktap_run_suite(struct kunit_suite *suite)
{
	char desc[KUNIT_PARAM_DESC_SIZE];
	const char *skipped, *pskipped;
	struct kunit_case *c;
	int n = 0, i, p;
	const void *param;
	bool ok, all;

	for (c = suite->test_cases; c->run_case; c++)
		n++;
	pr_info("KTAP version 1\n");
	pr_info("1..1\n");
	pr_info("    KTAP version 1\n");
	pr_info("    # Subtest: %s\n", suite->name);
	pr_info("    1..%d\n", n);
	all = true;
	for (i = 1, c = suite->test_cases; c->run_case; c++, i++) {
		skipped = NULL;
		if (!c->generate_params) {
			ok = ktap_run_one(suite, c, NULL, &skipped);
		} else {
			pr_info("        KTAP version 1\n");
			pr_info("        # Subtest: %s\n", c->name);
			ok = true;
			p = 0;
			desc[0] = '\0';
			for (param = c->generate_params(NULL, desc); param;
			     param = c->generate_params(param, desc)) {
				bool pok = ktap_run_one(suite, c, param, &pskipped);

				ktap_result("        ", pok, ++p, desc, pskipped);
				ok &= pok;
				desc[0] = '\0';
			}
		}
		ktap_result("    ", ok, i, c->name, skipped);
		all &= ok;
	}
	pr_info("%s 1 %s\n", all ? "ok" : "not ok", suite->name);
	return 0;
}

/* kunit_test_suite() defines it; a tentative definition until then. */
static struct kunit_suite *ktap_suite;

static int __init ktap_suite_init(void)
{
	return ktap_run_suite(ktap_suite);
}

static void __exit ktap_suite_exit(void)
{
}

#define kunit_test_suite(suite)					\
	static struct kunit_suite *ktap_suite = &(suite);	\
	module_init(ktap_suite_init);				\
	module_exit(ktap_suite_exit)

#endif /* _KTAP_KUNIT_H */
