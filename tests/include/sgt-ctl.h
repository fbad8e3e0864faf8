/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debugfs "ctl" files of the test modules take one short text command
 * per write. Used by the mock exporter (tests/exporter) and the test
 * importers (tests/importer, tests/edu).
 */
#ifndef _SGT_CTL_H
#define _SGT_CTL_H

#include <linux/dma-direction.h>
#include <linux/errno.h>
#include <linux/string.h>
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

/**
 * sgt_ctl_dir() - a DMA direction named in a command
 * @s: "bidi", "to" or "from"
 * @dir: where the direction goes
 *
 * Return: 0, or -EINVAL for any other word (@dir unchanged).
 */
static inline int sgt_ctl_dir(const char *s, enum dma_data_direction *dir)
{
	if (!strcmp(s, "bidi"))
		*dir = DMA_BIDIRECTIONAL;
	else if (!strcmp(s, "to"))
		*dir = DMA_TO_DEVICE;
	else if (!strcmp(s, "from"))
		*dir = DMA_FROM_DEVICE;
	else
		return -EINVAL;
	return 0;
}

#endif /* _SGT_CTL_H */
