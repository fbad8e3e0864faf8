// SPDX-License-Identifier: GPL-2.0
/*
 * sgt-example: drive examples/importer (sgt_example.ko, built by its own
 * Makefile the way an outside driver is) with a real dma-buf, through
 * dma-buf-sgt-cache.ko on a stock kernel. KTAP:
 *   import               a 1 MiB udmabuf imported, mapped 100 times
 *   cached_table_served  mapped at attach, and every map returned that
 *                        table (stock's lazy cache maps at the first map)
 *   bad_fd_rejected      a bad fd: -EBADF, and the last result unchanged
 */
#include "sgt-guest.h"

#define EXAMPLE_CTL "/sys/kernel/debug/sgt_example/import"
#define WANT "exporter=udmabuf mapped_at_attach=yes maps=100 same_table=yes\n"

int main(void)
{
	char line[160] = "";
	int buf, ret;

	printf("KTAP version 1\n1..3\n");
	buf = make_udmabuf(1024 * 1024);
	if (buf < 0) {
		printf("# cannot make a udmabuf: %s\n", strerror(errno));
		return 1;
	}
	ret = ctl(EXAMPLE_CTL, "%d 100", buf);
	result(ret == 0, "import");
	if (ret)
		printf("# import: %s\n", strerror(-ret));
	ctl_read(EXAMPLE_CTL, line, sizeof(line));
	printf("# %s", line);
	result(!strcmp(line, WANT), "cached_table_served");
	ret = ctl(EXAMPLE_CTL, "%d 1", 9999);
	ctl_read(EXAMPLE_CTL, line, sizeof(line));
	result(ret == -EBADF && !strcmp(line, WANT), "bad_fd_rejected");
	close(buf);
	return 0;
}
