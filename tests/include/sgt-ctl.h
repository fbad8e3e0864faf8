/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debugfs "ctl" files of the test modules take one short text command
 * per write. Used by the mock exporter (tests/exporter) and the test
 * importer (tests/importer).
 */
#ifndef _SGT_CTL_H
#define _SGT_CTL_H

#include <linux/errno.h>
#include <linux/uaccess.h>

/**
 * sgt_ctl_copy() - copy one command written to a ctl file
 * @buf: where the command goes, NUL-terminated
 * @size: size of @buf
 * @ubuf: what userspace wrote
 * @len: how many bytes it wrote
 *
 * Return: 0, -EINVAL if the command does not fit @buf, or -EFAULT.
 */
static inline int sgt_ctl_copy(char *buf, size_t size, const char __user *ubuf,
			       size_t len)
{
	if (len >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	return 0;
}

#endif /* _SGT_CTL_H */
