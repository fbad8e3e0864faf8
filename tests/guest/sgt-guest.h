/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest programs: real dma-bufs from userspace, the
 * debugfs interfaces of the test modules, KTAP results.
 */
#ifndef _SGT_GUEST_H
#define _SGT_GUEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define IMPORTER_CTL "/sys/kernel/debug/sgt_importer/ctl"
#define MOCK_CTL "/sys/kernel/debug/sgt_mock_exporter/ctl"

/* What sgt_importer's ctl reports about its last command. */
struct counts {
	int map, unmap, cached, same, moves;
};

static int tests;

/* One KTAP result line; returns @ok. */
static inline int result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d ", ok ? "ok" : "not ok", ++tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return ok;
}

/* Write one command to a debugfs ctl file: 0 or -errno. */
static inline int ctl(const char *path, const char *fmt, ...)
{
	char cmd[96];
	va_list ap;
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (write(fd, cmd, strlen(cmd)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The first line of a debugfs ctl file into @buf: 0 or -1. */
static inline int ctl_read(const char *path, char *buf, int len)
{
	FILE *f = fopen(path, "r");
	int ret = f && fgets(buf, len, f) ? 0 : -1;

	if (f)
		fclose(f);
	return ret;
}

/*
 * Whether the stock core is the one before v6.16, from sgt_importer's
 * core_lazy parameter (the conftest's answer): it maps static/dynamic pairs
 * at attach and has cache_sgt_mapping. 1, 0, or -1 without sgt_importer.
 */
static inline int stock_core_lazy(void)
{
	char flag[4];

	if (ctl_read("/sys/module/sgt_importer/parameters/core_lazy", flag, sizeof(flag)))
		return -1;
	return flag[0] == 'Y';
}

static inline int importer_counts(struct counts *c)
{
	char buf[192];

	if (ctl_read(IMPORTER_CTL, buf, sizeof(buf)))
		return -1;
	return sscanf(buf,
		      "exporter_map_calls=%d exporter_unmap_calls=%d cached=%d same_table=%d moves=%d",
		      &c->map, &c->unmap, &c->cached, &c->same, &c->moves) == 5 ? 0 : -1;
}

/* A udmabuf of @size bytes over a sealed memfd, or -1. */
static inline int make_udmabuf(size_t size)
{
	struct udmabuf_create create = { .size = size };
	int memfd, dev, buf;

	memfd = memfd_create("sgt-guest", MFD_ALLOW_SEALING);
	if (memfd < 0)
		return -1;
	if (ftruncate(memfd, size) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		close(memfd);
		return -1;
	}
	dev = open("/dev/udmabuf", O_RDWR);
	if (dev < 0) {
		close(memfd);
		return -1;
	}
	create.memfd = memfd;
	create.flags = UDMABUF_FLAGS_CLOEXEC;
	buf = ioctl(dev, UDMABUF_CREATE, &create);
	close(dev);
	close(memfd);
	return buf;
}

/* A buffer of @size bytes from /dev/dma_heap/@heap, or -1. */
static inline int make_heap_buf(const char *heap, size_t size)
{
	struct dma_heap_allocation_data data = {
		.len = size, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = ioctl(fd, DMA_HEAP_IOCTL_ALLOC, &data);
	close(fd);
	return ret < 0 ? -1 : (int)data.fd;
}

/* A buffer of @size bytes from sgt_mock_exporter (@kind: static|skipsync|dynamic). */
static inline int make_mock_buf(const char *kind, size_t size)
{
	char buf[160];
	int fd;

	if (ctl(MOCK_CTL, "%s %zu", kind, size) || ctl_read(MOCK_CTL, buf, sizeof(buf)) ||
	    sscanf(buf, "fd=%d", &fd) != 1)
		return -1;
	return fd;
}

static int vgem_fd = -1;

/* The vgem device, or -1. */
static inline int open_vgem(void)
{
	char name[16];
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
	char path[32];
	int i, fd;

	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	return -1;
}

/* A dumb buffer of @size bytes of the vgem device @vgem_fd, as a dma-buf. */
static inline int make_vgem_buf(size_t size)
{
	struct drm_mode_create_dumb dumb = {
		.width = 1024, .height = size / 4096, .bpp = 32,
	};
	struct drm_prime_handle prime = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_gem_close gclose = { 0 };

	if (ioctl(vgem_fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return -1;
	prime.handle = dumb.handle;
	gclose.handle = dumb.handle;
	if (ioctl(vgem_fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime))
		prime.fd = -1;
	ioctl(vgem_fd, DRM_IOCTL_GEM_CLOSE, &gclose);	/* the dma-buf keeps it */
	return prime.fd;
}

/*
 * A buffer of @size bytes from exporter @exp: system, cma (the heaps),
 * udmabuf, vgem (needs vgem_fd), mock-static, mock-skipsync, mock-dynamic.
 */
static inline int make_buf(const char *exp, size_t size)
{
	if (!strcmp(exp, "system"))
		return make_heap_buf("system", size);
	if (!strcmp(exp, "cma"))
		return make_heap_buf("reserved", size);
	if (!strcmp(exp, "udmabuf"))
		return make_udmabuf(size);
	if (!strcmp(exp, "vgem"))
		return make_vgem_buf(size);
	if (!strcmp(exp, "mock-static"))
		return make_mock_buf("static", size);
	if (!strcmp(exp, "mock-skipsync"))
		return make_mock_buf("skipsync", size);
	return make_mock_buf("dynamic", size);
}

#endif /* _SGT_GUEST_H */
