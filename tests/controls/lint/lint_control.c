// SPDX-License-Identifier: GPL-2.0
/*
 * Negative control for the lint gates: each tool must complain about
 * exactly the sin meant for it. Never loaded; only built and checked by
 * scripts/harness/check-lint.sh.
 */
#include <linux/module.h>
#include <linux/uaccess.h>

/* sparse: dereferencing a __user pointer */
static int lint_sparse(int __user *p)
{
	return *p;
}

/* W=1 (-Wmissing-prototypes): a global function without a prototype */
int lint_w1(void)
{
	return lint_sparse(NULL);
}

/**
 * lint_kernel_doc() - kernel-doc: the parameter below is misnamed
 * @wrong: not the parameter's name
 *
 * Return: @value.
 */
static int lint_kernel_doc(int value)
{
	return value;
}

/* checkpatch: a space before the semicolon */
static int lint_checkpatch(void)
{
	return lint_kernel_doc(0) ;
}

static int __init lint_control_init(void)
{
	return lint_checkpatch() + lint_w1();
}

module_init(lint_control_init);
MODULE_DESCRIPTION("Negative control for the lint gates");
MODULE_LICENSE("GPL");
