/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg selftests: fault injection through debugfs and fail-nth
 * (secmsg_faults.c, secmsg_msgmem.c).
 *
 * knobs_save() what is there, knobs_set() a mode in which nothing fails
 * but what /proc/thread-self/fail-nth asks for, knobs_restore() at the
 * end.  nth_arm(N) fails the thread's Nth allocation from now on;
 * nth_left() reads 0 once it has been failed, else what is left to go.
 */
#ifndef SECMSG_FAIL_H
#define SECMSG_FAIL_H

#include "secmsg_test.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define FAILPAGE	"/sys/kernel/debug/fail_page_alloc/"

/*
 * slab: failslab only (no page allocation counts);
 * page: failslab and fail_page_alloc, every allocation.
 */
enum { FI_SLAB = 1, FI_PAGE = 2 };

struct knob {
	const char *path;
	char saved[32];
	int have;
};

static struct knob knobs[] = {
	{ .path = FAILSLAB "probability" }, { .path = FAILSLAB "interval" },
	{ .path = FAILSLAB "times" }, { .path = FAILSLAB "space" }, { .path = FAILSLAB "verbose" },
	{ .path = FAILSLAB "task-filter" }, { .path = FAILSLAB "ignore-gfp-wait" },
	{ .path = FAILSLAB "cache-filter" },
	{ .path = FAILPAGE "probability" }, { .path = FAILPAGE "interval" },
	{ .path = FAILPAGE "times" }, { .path = FAILPAGE "space" }, { .path = FAILPAGE "verbose" },
	{ .path = FAILPAGE "task-filter" }, { .path = FAILPAGE "ignore-gfp-wait" },
	{ .path = FAILPAGE "ignore-gfp-highmem" }, { .path = FAILPAGE "min-order" },
	/* the page allocation failure reports are warnings: off the console */
	{ .path = "/proc/sys/kernel/printk" },
};

static inline int knob_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

static inline void knobs_save(void)
{
	unsigned int i;

	for (i = 0; i < SM_ARRAY_SIZE(knobs); i++) {
		int fd = open(knobs[i].path, O_RDONLY | O_CLOEXEC);
		ssize_t n;

		if (fd < 0)
			continue;
		n = read(fd, knobs[i].saved, sizeof(knobs[i].saved) - 1);
		close(fd);
		if (n > 0) {
			knobs[i].saved[n] = 0;
			knobs[i].have = 1;
		}
	}
}

static inline void knobs_restore(void)
{
	unsigned int i;

	for (i = 0; i < SM_ARRAY_SIZE(knobs); i++)
		if (knobs[i].have)
			knob_write(knobs[i].path, knobs[i].saved);
}

/* Nothing fails but fail-nth; @mode says which allocations count. */
static inline int knobs_set(unsigned int mode)
{
	static const char *const common[][2] = {
		{ "probability", "100" }, { "interval", "1" },
		{ "times", "-1" }, { "space", "0" }, { "task-filter", "Y" },
	};
	/* SECMSG_FAULTS_VERBOSE=1: a stack trace for each injected fault */
	const char *verbose = getenv("SECMSG_FAULTS_VERBOSE") ? "2" : "0";
	char p[128];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < SM_ARRAY_SIZE(common) && !ret; i++) {
		snprintf(p, sizeof(p), FAILSLAB "%s", common[i][0]);
		ret = knob_write(p, common[i][1]);
		snprintf(p, sizeof(p), FAILPAGE "%s", common[i][0]);
		if (!ret)
			ret = knob_write(p, common[i][1]);
	}
	if (!ret)
		ret = knob_write(FAILSLAB "verbose", verbose);
	if (!ret)
		ret = knob_write(FAILPAGE "verbose", verbose);
	if (!ret)
		ret = knob_write(FAILSLAB "ignore-gfp-wait", "N");
	if (!ret)
		ret = knob_write(FAILSLAB "cache-filter", "N");
	if (!ret)
		ret = knob_write(FAILPAGE "ignore-gfp-wait",
				 mode == FI_PAGE ? "N" : "Y");
	if (!ret)
		ret = knob_write(FAILPAGE "ignore-gfp-highmem", "N");
	/* above MAX_ORDER: no page allocation counts in slab mode */
	if (!ret)
		ret = knob_write(FAILPAGE "min-order",
				 mode == FI_PAGE ? "0" : "64");
	if (!ret && !getenv("SECMSG_FAULTS_VERBOSE"))
		knob_write("/proc/sys/kernel/printk", "4");
	return ret;
}

static int nth_fd = -1;

static inline int nth_arm(unsigned int n)
{
	char b[16];
	int l = snprintf(b, sizeof(b), "%u", n);

	return pwrite(nth_fd, b, l, 0) == l ? 0 : -errno;
}

static inline long nth_left(void)
{
	char b[16] = "";

	if (pread(nth_fd, b, sizeof(b) - 1, 0) <= 0)
		return -1;
	return strtol(b, NULL, 10);
}

#endif /* SECMSG_FAIL_H */
