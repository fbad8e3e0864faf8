// SPDX-License-Identifier: GPL-2.0
/*
 * sgt-fuzz [CALLS [SEED]]: random commands with random arguments against
 * sgt_importer's ctl file (default 10000 calls), each checked against a
 * model of what the importer must answer: the exact errno for a closed fd,
 * a non-dma-buf fd, a negative fd, a bad direction, count, thread count or
 * byte, garbage, a repeated detach, an attach while attached; and, after
 * every command that succeeds, the udmabuf exporter's own map and unmap
 * calls and whether a table is cached. The buffer is a udmabuf, so every
 * successful static attach is cached, on a patched kernel or through the
 * module: one exporter map at attach, none for any map, pmap (concurrent
 * maps of the attachment by several kthreads), fill or check, one unmap at
 * detach. So is a dynamic one where the core maps mismatched pairs at
 * attach (before v6.16: sgt_importer's core_lazy); since, a dynamic
 * attachment is mapped by every map, pmap, fill and check, and has no
 * table. Prints the seed, a histogram of results and KTAP.
 */
#include "sgt-guest.h"
#include <time.h>

#define SIZE (64 * 1024)

enum { NONE, ATTACHED, WATCHING };

static int state = NONE, content;	/* the byte the buffer holds */
static int cached;			/* the attachment keeps a table */
static long hist[5], mismatches;	/* 0, EBADF, EINVAL, EBUSY, ENOENT; EILSEQ */
static long eilseq, count_mismatches;

static int pick(int n)
{
	return rand() % n;
}

static void tally(int ret)
{
	static const int errnos[] = { 0, -EBADF, -EINVAL, -EBUSY, -ENOENT };
	unsigned int i;

	for (i = 0; i < 5; i++)
		hist[i] += ret == errnos[i];
	eilseq += ret == -EILSEQ;
}

static void expect(const char *cmd, int got, int want)
{
	tally(got);
	if (got != want && mismatches++ < 10)
		printf("# '%s': got %d (%s), expected %d\n", cmd, got,
		       strerror(-got), want);
}

/*
 * After a command that succeeded: the exporter's map and unmap calls it
 * made, whether a table is cached, and (unless @same is -1) whether every
 * map returned that table.
 */
static void expect_counts(const char *cmd, int map, int unmap, int cached, int same)
{
	struct counts c;

	if (!importer_counts(&c) && c.map == map && c.unmap == unmap &&
	    c.cached == cached && (same < 0 || c.same == same))
		return;
	if (count_mismatches++ < 10)
		printf("# '%s': exporter map %d unmap %d, cached %d, same table %d; "
		       "expected %d %d %d %d\n", cmd, c.map, c.unmap, c.cached, c.same,
		       map, unmap, cached, same);
}

/* Write @len raw bytes as one command. */
static int raw(const char *cmd, size_t len)
{
	int fd = open(IMPORTER_CTL, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, cmd, len) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 10000, i;
	unsigned int seed = argc > 2 ? strtoul(argv[2], NULL, 0) :
			    (unsigned int)(getpid() ^ time(NULL));
	int dmabuf, memfd, closed, fds[5], ok, old_core = stock_core_lazy();
	char cmd[96];

	if (calls <= 0) {
		fprintf(stderr, "usage: sgt-fuzz [CALLS [SEED]]\n");
		return 2;
	}
	if (old_core < 0) {
		fprintf(stderr, "sgt-fuzz: no sgt_importer loaded\n");
		return 2;
	}
	srand(seed);
	printf("KTAP version 1\n1..4\n# seed %u, %ld calls\n", seed, calls);
	dmabuf = make_udmabuf(SIZE);
	memfd = memfd_create("not-a-dma-buf", MFD_CLOEXEC);
	closed = dup2(memfd, 200);	/* above any fd the loop opens */
	close(closed);
	if (dmabuf < 0 || memfd < 0) {
		printf("# cannot make the buffers: %s\n", strerror(errno));
		return 1;
	}
	/* valid, not a dma-buf, closed, negative, never opened */
	fds[0] = dmabuf, fds[1] = memfd, fds[2] = closed, fds[3] = -1 - pick(1000);
	fds[4] = 100000 + pick(100000);

	for (i = 0; i < calls; i++) {
		static const char *const kinds[] = { "", " static", " dynamic", " bogus" };
		static const char *const dirs[] = { "to", "from", "bidi", "none", "", "xx" };
		static const unsigned long counts[] = { 0, 1, 2, 3, 1000001, 4294967295UL };
		int f = pick(5), k, t, want, len;
		unsigned long n;

		switch (pick(8)) {
		case 0:	/* attach FD [kind] */
			k = pick(4);
			snprintf(cmd, sizeof(cmd), "attach %d%s", fds[f], kinds[k]);
			want = k == 3 ? -EINVAL : fds[f] < 0 ? -EBADF :
			       state != NONE ? -EBUSY : f == 0 ? 0 : f == 1 ? -EINVAL : -EBADF;
			expect(cmd, ctl(IMPORTER_CTL, "%s", cmd), want);
			if (!want) {
				state = ATTACHED;
				cached = k != 2 || old_core;
				expect_counts(cmd, cached, 0, cached, -1);
			}
			break;
		case 1:	/* map N DIR */
			n = counts[pick(6)];
			k = pick(6);
			snprintf(cmd, sizeof(cmd), "map %lu %s", n, dirs[k]);
			want = !n || n > 1000000 || k > 2 ? -EINVAL :
			       state != ATTACHED ? -ENOENT : 0;
			expect(cmd, ctl(IMPORTER_CTL, "%s", cmd), want);
			if (!want)
				expect_counts(cmd, cached ? 0 : n, cached ? 0 : n, cached, cached);
			break;
		case 2:	/* fill or check BYTE */
			k = pick(300) - 20;
			snprintf(cmd, sizeof(cmd), "%s %d", pick(2) ? "fill" : "check", k);
			want = k < 0 || k > 255 ? -EINVAL : state != ATTACHED ? -ENOENT :
			       cmd[0] == 'f' || k == content ? 0 : -EILSEQ;
			expect(cmd, ctl(IMPORTER_CTL, "%s", cmd), want);
			if (!want && cmd[0] == 'f')
				content = k;
			if (!want || want == -EILSEQ)
				expect_counts(cmd, !cached, !cached, cached, -1);
			break;
		case 3:
			want = state == ATTACHED ? 0 : -ENOENT;
			expect("detach", ctl(IMPORTER_CTL, "detach"), want);
			if (!want) {
				state = NONE;
				expect_counts("detach", 0, cached, 0, -1);
			}
			break;
		case 4:	/* watch FD */
			snprintf(cmd, sizeof(cmd), "watch %d", fds[f]);
			want = fds[f] < 0 ? -EBADF : state != NONE ? -EBUSY :
			       f == 0 ? 0 : f == 1 ? -EINVAL : -EBADF;
			expect(cmd, ctl(IMPORTER_CTL, "%s", cmd), want);
			if (!want)
				state = WATCHING;
			break;
		case 5:
			want = state == WATCHING ? 0 : -ENOENT;
			expect("unwatch", ctl(IMPORTER_CTL, "unwatch"), want);
			if (!want)
				state = NONE;
			break;
		case 6:	/* pmap N THREADS DIR */
			/* small counts, or one too large: each runs N x THREADS */
			n = counts[pick(5)];
			t = pick(10);
			k = pick(6);
			snprintf(cmd, sizeof(cmd), "pmap %lu %d %s", n, t, dirs[k]);
			want = !n || n > 1000000 || !t || t > 8 || k > 2 ? -EINVAL :
			       state != ATTACHED ? -ENOENT : 0;
			expect(cmd, ctl(IMPORTER_CTL, "%s", cmd), want);
			if (!want)
				expect_counts(cmd, cached ? 0 : n * t, cached ? 0 : n * t, cached,
					      cached);
			break;
		default: /* garbage: no command word, or too long */
			len = 1 + pick(89);
			for (k = 0; k < len; k++)
				cmd[k] = pick(256);
			cmd[0] = "0123456789#!?-"[pick(14)];
			expect("<garbage>", raw(cmd, len), -EINVAL);
			break;
		}
	}

	printf("# results: ok %ld, EBADF %ld, EINVAL %ld, EBUSY %ld, ENOENT %ld, EILSEQ %ld\n",
	       hist[0], hist[1], hist[2], hist[3], hist[4], eilseq);
	printf("# %ld results differ from the model\n", mismatches);
	printf("# %ld exporter call counts or cache states differ from the model\n",
	       count_mismatches);
	result(!mismatches, "errnos_as_modelled");
	result(!count_mismatches && hist[0], "exporter_calls_and_cache_as_modelled");
	result(calls >= 10000 && hist[0] && hist[1] && hist[2] && hist[3] && hist[4] && eilseq,
	       "every_outcome_seen");
	ok = (state != ATTACHED || !ctl(IMPORTER_CTL, "detach")) &&
	     (state != WATCHING || !ctl(IMPORTER_CTL, "unwatch")) &&
	     ctl(IMPORTER_CTL, "detach") == -ENOENT;
	result(ok, "cleaned_up");
	close(dmabuf);
	close(memfd);
	return 0;
}
