// SPDX-License-Identifier: GPL-2.0
/*
 * floor_check - check and measure secmsg_floor.ko, the benchmark's floor
 *
 * With secmsg_floor.ko loaded (as root, in the guest):
 *
 *   1. the ioctl's contract: every malformed request fails with its errno
 *      (EINVAL, ENOTTY, EFAULT), a tampered message with EBADMSG;
 *   2. the same work as secmsg_bench's OpenSSL path: for every suite and
 *      size, the floor's seal (one iteration) gives byte for byte what
 *      OpenSSL EVP gives for the same key, nonce, header (AAD) and data,
 *      its sign the same tag, and it unseals and verifies OpenSSL's output;
 *   3. ns/op of seal, unseal, sign and verify at 64 B, 1 KiB, 16 KiB and
 *      1 MiB for every suite, as the kernel measured it (ktime_get_ns),
 *      median of the rounds, with the driver the kernel bound; each cell
 *      also as one line "floor: SUITE OP BYTES NS_PER_OP DRIVER" for
 *      scripts.
 *
 * The key is a fixed test key; the header is the one secmsg's initiator
 * puts on a SEAL or SIGN (uapi "Token format"), so the AEAD sees what it
 * sees under secmsg_bench.  Exit 1 on any failed check; the numbers are
 * reported, never judged.
 *
 * Usage: floor_check [-t SECONDS] [-r ROUNDS] [-s SUITE] [--check-only] [--faults]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/secmsg.h>
#include <openssl/evp.h>

#include "secmsg_floor.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define HDR	SECMSG_FLOOR_HDR_SIZE
#define TAG	SECMSG_FLOOR_TAG_SIZE
#define NONCE	SECMSG_FLOOR_NONCE_SIZE
#define MAX_ROUNDS 31

struct suite {
	const char *opt;
	unsigned int id;	/* SECMSG_SUITE_*, in the header */
	unsigned int alg;	/* SECMSG_FLOOR_ALG_* */
	unsigned int key_len;
	const EVP_CIPHER *(*evp)(void);
};

static const struct suite suites[] = {
	{ "aes128-gcm", SECMSG_SUITE_AES128_GCM, SECMSG_FLOOR_ALG_GCM, 16,
	  EVP_aes_128_gcm },
	{ "aes256-gcm", SECMSG_SUITE_AES256_GCM, SECMSG_FLOOR_ALG_GCM, 32,
	  EVP_aes_256_gcm },
	{ "chacha20-poly1305", SECMSG_SUITE_CHACHA20_POLY1305,
	  SECMSG_FLOOR_ALG_CHACHAPOLY, 32, EVP_chacha20_poly1305 },
};

static const size_t sizes[] = { 64, 1024, 16384, 1048576 };

static const char *const op_name[] = {
	[SECMSG_FLOOR_OP_SEAL] = "seal", [SECMSG_FLOOR_OP_UNSEAL] = "unseal",
	[SECMSG_FLOOR_OP_SIGN] = "sign", [SECMSG_FLOOR_OP_VERIFY] = "verify",
};

static const unsigned char test_key[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static const unsigned char test_nonce[NONCE] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
};

static struct {
	double secs;
	unsigned int rounds;
	const char *suite;
	bool check_only;
	bool faults;
} opt = { .secs = 0.1, .rounds = 5 };

static int dev = -1;
static int failures;

static void fail(const char *fmt, const char *a, size_t size, const char *why)
{
	printf("FAIL: ");
	printf(fmt, a, size, why);
	putchar('\n');
	failures++;
}

/* The header secmsg's initiator puts on a SEAL (or SIGN) with number 1 */
static void put_header(unsigned char *p, const struct suite *s, bool sign)
{
	unsigned int id = sign ? SECMSG_TOK_SIGN : SECMSG_TOK_WRAP;

	memset(p, 0, HDR);
	p[0] = id >> 8;
	p[1] = id & 0xff;
	p[2] = sign ? 0 : SECMSG_TOK_FLAG_SEALED;
	p[3] = s->id;
	p[15] = 1;
}

static void run_init(struct secmsg_floor_run *r, const struct suite *s,
		     unsigned int op, unsigned char *buf, size_t size,
		     unsigned int iterations)
{
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->alg = s->alg;
	r->key_len = s->key_len;
	r->data_len = size;
	r->iterations = iterations;
	memcpy(r->key, test_key, s->key_len);
	memcpy(r->nonce, test_nonce, NONCE);
	put_header(r->header, s,
		   op == SECMSG_FLOOR_OP_SIGN || op == SECMSG_FLOOR_OP_VERIFY);
	r->buf = (uintptr_t)buf;
}

static int floor_ioctl(struct secmsg_floor_run *r)
{
	return ioctl(dev, SECMSG_FLOOR_IOC_RUN, r) ? -errno : 0;
}

/*
 * OpenSSL EVP, as secmsg_bench's ossl_one(): @p is HEADER | DATA | TAG,
 * sealed (or signed, @sign: the data is AAD) in place.
 */
static int ossl_seal(const struct suite *s, unsigned char *p, size_t size,
		     bool sign)
{
	size_t aad = sign ? HDR + size : HDR, text = sign ? 0 : size;
	unsigned char fin[32];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int len, ok;

	ok = ctx && EVP_EncryptInit_ex(ctx, s->evp(), NULL, test_key,
				       test_nonce) &&
	     EVP_EncryptUpdate(ctx, NULL, &len, p, aad) &&
	     (!text || EVP_EncryptUpdate(ctx, p + HDR, &len, p + HDR, text)) &&
	     EVP_EncryptFinal_ex(ctx, fin, &len) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG,
				 p + HDR + size);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

static void fill(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + 3);
}

/* ---- 1. the ioctl's contract ------------------------------------------ */

static void expect(const char *what, struct secmsg_floor_run *r, int want)
{
	int err = floor_ioctl(r);

	if (err != want)
		printf("FAIL: %s: got %s, want %s\n", what,
		       err ? strerror(-err) : "success", strerror(-want));
	else
		printf("ok: %s: %s\n", what, strerror(-want));
	failures += err != want;
}

static void check_contract(void)
{
	const struct suite *gcm = &suites[1], *cp = &suites[2];
	size_t size = 1024;
	unsigned char *buf = calloc(1, size + TAG);
	struct secmsg_floor_run r;

	unsigned char *guard = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!buf || guard == MAP_FAILED ||
	    mprotect(guard + 4096, 4096, PROT_NONE))
		exit(2);
#define BAD(what, stmt, want) do {					\
		run_init(&r, gcm, SECMSG_FLOOR_OP_SEAL, buf, size, 1);	\
		stmt;							\
		expect(what, &r, want);					\
	} while (0)
	BAD("valid seal", (void)0, 0);
	BAD("op 4", r.op = 4, -EINVAL);
	BAD("alg 2", r.alg = 2, -EINVAL);
	BAD("gcm key_len 24", r.key_len = 24, -EINVAL);
	BAD("gcm key_len 0", r.key_len = 0, -EINVAL);
	BAD("chacha key_len 16", (r.alg = cp->alg, r.key_len = 16), -EINVAL);
	BAD("flags 1", r.flags = 1, -EINVAL);
	BAD("reserved[0]", r.reserved[0] = 1, -EINVAL);
	BAD("reserved[1]", r.reserved[1] = 0x80000000u, -EINVAL);
	BAD("pad", r.pad = 1, -EINVAL);
	BAD("data_len over the max", r.data_len = SECMSG_FLOOR_DATA_MAX + 1,
	    -EINVAL);
	BAD("iterations 0", r.iterations = 0, -EINVAL);
	BAD("iterations over the max",
	    r.iterations = SECMSG_FLOOR_ITER_MAX + 1, -EINVAL);
	BAD("work over the max",
	    (r.data_len = SECMSG_FLOOR_DATA_MAX, r.iterations = 1024),
	    -EINVAL);
	BAD("buf NULL", r.buf = 0, -EINVAL);
	BAD("buf unmapped", r.buf = 8, -EFAULT);
	/* DATA | TAG ending 16 bytes into an inaccessible page */
	BAD("buf shorter than data_len + tag",
	    r.buf = (uintptr_t)(guard + 4096 - (size + TAG) + 16), -EFAULT);
	/* An OpenSSL-sealed message, its tag flipped. */
	run_init(&r, gcm, SECMSG_FLOOR_OP_UNSEAL, buf, size, 1);
	{
		unsigned char *p = malloc(HDR + size + TAG);

		if (!p)
			exit(2);
		memcpy(p, r.header, HDR);
		fill(p + HDR, size);
		if (ossl_seal(gcm, p, size, false))
			exit(2);
		memcpy(buf, p + HDR, size + TAG);
		expect("unseal of a good message", &r, 0);
		memcpy(buf, p + HDR, size + TAG);
		buf[size] ^= 1;
		expect("unseal, tag altered", &r, -EBADMSG);
		free(p);
	}
	run_init(&r, gcm, SECMSG_FLOOR_OP_VERIFY, buf, size, 1);
	memset(buf + size, 0, TAG);
	expect("verify, wrong tag", &r, -EBADMSG);
	if (ioctl(dev, _IOWR(0xF1, 0x02, struct secmsg_floor_run), &r) == 0 ||
	    errno != ENOTTY) {
		printf("FAIL: unknown ioctl: want ENOTTY\n");
		failures++;
	} else {
		printf("ok: unknown ioctl: %s\n", strerror(ENOTTY));
	}
	free(buf);
	munmap(guard, 8192);
#undef BAD
}

/* ---- 2. the same work as OpenSSL -------------------------------------- */

static void check_same(const struct suite *s, size_t size)
{
	unsigned char *p = malloc(HDR + size + TAG);	/* OpenSSL's */
	unsigned char *buf = malloc(size + TAG);	/* the floor's */
	struct secmsg_floor_run r;

	if (!p || !buf)
		exit(2);
	for (int sign = 0; sign < 2; sign++) {
		unsigned int op = sign ? SECMSG_FLOOR_OP_SIGN :
					 SECMSG_FLOOR_OP_SEAL;
		unsigned int back = sign ? SECMSG_FLOOR_OP_VERIFY :
					   SECMSG_FLOOR_OP_UNSEAL;

		run_init(&r, s, op, buf, size, 1);
		memcpy(p, r.header, HDR);
		fill(p + HDR, size);
		memset(p + HDR + size, 0, TAG);
		memcpy(buf, p + HDR, size + TAG);
		if (ossl_seal(s, p, size, sign)) {
			fail("%s %zu B: %s", s->opt, size, "OpenSSL failed");
			continue;
		}
		if (floor_ioctl(&r)) {
			fail("%s %zu B: %s", s->opt, size, op_name[op]);
			continue;
		}
		if (memcmp(buf, p + HDR, size + TAG)) {
			fail("%s %zu B: floor %s differs from OpenSSL's",
			     s->opt, size, op_name[op]);
			continue;
		}
		/* The floor opens OpenSSL's output (equal to its own). */
		run_init(&r, s, back, buf, size, 1);
		if (floor_ioctl(&r)) {
			fail("%s %zu B: floor %s of OpenSSL's output fails",
			     s->opt, size, op_name[back]);
			continue;
		}
		fill(p + HDR, size);
		if (memcmp(buf, p + HDR, size)) {
			fail("%s %zu B: floor %s gives other data", s->opt,
			     size, op_name[back]);
			continue;
		}
		printf("ok: %s %zu B: %s equals OpenSSL's, %s opens it (%s)\n",
		       s->opt, size, op_name[op], op_name[back], r.driver);
	}
	free(p);
	free(buf);
}

/* ---- fault injection (--faults: debug kernel, throw-away guest) -------- */

static int knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, val, strlen(val));
		close(fd);
	}
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/*
 * Every allocation counts (failslab and fail_page_alloc at any order), and
 * nothing fails but this thread's fail-nth.  The settings are left as they
 * are: the guest is thrown away.
 */
static int faults_setup(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/debug/failslab/", "/sys/kernel/debug/fail_page_alloc/",
	};
	static const char *const kv[][2] = {
		{ "probability", "100" }, { "interval", "1" }, { "times", "-1" },
		{ "space", "0" }, { "task-filter", "Y" }, { "verbose", "0" },
		{ "ignore-gfp-wait", "N" },
	};
	char path[128];

	for (size_t d = 0; d < ARRAY_SIZE(dirs); d++)
		for (size_t i = 0; i < ARRAY_SIZE(kv); i++) {
			snprintf(path, sizeof(path), "%s%s", dirs[d], kv[i][0]);
			if (knob(path, kv[i][1]))
				return -1;
		}
	if (knob("/sys/kernel/debug/failslab/cache-filter", "N") ||
	    knob("/sys/kernel/debug/fail_page_alloc/min-order", "0") ||
	    knob("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N"))
		return -1;
	knob("/proc/sys/kernel/printk", "4");
	return mlockall(MCL_CURRENT | MCL_FUTURE) ? -1 : 0;
}

/*
 * The input of one @op at @size into @seed (@size + TAG bytes): plaintext
 * with a zero tag, or for UNSEAL and VERIFY what the floor sealed or signed
 * of it.  Returns 0 or floor_ioctl()'s error.
 */
static int make_input(const struct suite *s, size_t size, unsigned int op,
		      unsigned char *seed)
{
	struct secmsg_floor_run r;

	fill(seed, size);
	memset(seed + size, 0, TAG);
	if (op != SECMSG_FLOOR_OP_UNSEAL && op != SECMSG_FLOOR_OP_VERIFY)
		return 0;
	run_init(&r, s, op == SECMSG_FLOOR_OP_UNSEAL ?
		 SECMSG_FLOOR_OP_SEAL : SECMSG_FLOOR_OP_SIGN, seed, size, 1);
	return floor_ioctl(&r);
}

/*
 * For N = 1, 2...: fail the Nth allocation of one request; it must fail
 * with ENOMEM (or succeed, if that allocation had a fallback), until a
 * request makes fewer than N allocations and succeeds.
 */
static void faults_one(const struct suite *s, size_t size, unsigned int op)
{
	unsigned char *seed = malloc(size + TAG), *buf = malloc(size + TAG);
	unsigned int n, injected = 0, fallback = 0;
	struct secmsg_floor_run r;
	char left[16];
	int fd, err;

	if (!seed || !buf)
		exit(2);
	if (make_input(s, size, op, seed))
		exit(2);
	fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fail("%s %zu B: %s", s->opt, size, "no fail-nth");
		goto out;
	}
	for (n = 1; n < 1000; n++) {
		ssize_t len;

		memcpy(buf, seed, size + TAG);
		run_init(&r, s, op, buf, size, 2);
		snprintf(left, sizeof(left), "%u", n);
		if (pwrite(fd, left, strlen(left), 0) < 0) {
			fail("%s %zu B: %s", s->opt, size, "fail-nth write");
			break;
		}
		err = floor_ioctl(&r);
		len = pread(fd, left, sizeof(left) - 1, 0);
		left[len > 0 ? len : 0] = 0;
		if (pwrite(fd, "0", 1, 0) < 0)
			break;
		if (atoi(left)) {	/* fewer than n allocations */
			if (err)
				fail("%s %zu B: %s", s->opt, size,
				     "failed without a fault");
			break;
		}
		if (err && err != -ENOMEM) {
			printf("FAIL: %s %zu B %s: allocation %u failed: %s, want ENOMEM\n",
			       s->opt, size, op_name[op], n, strerror(-err));
			failures++;
		}
		injected++;
		fallback += !err;
	}
	printf("ok: %s %zu B %s: %u allocations failed one at a time (%u with a fallback), each cleanly\n",
	       s->opt, size, op_name[op], injected, fallback);
	close(fd);
out:
	free(seed);
	free(buf);
}

/* ---- 3. ns/op ---------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void measure(const struct suite *s, size_t size, unsigned int op)
{
	unsigned char *seed = malloc(size + TAG), *buf = malloc(size + TAG);
	double per[MAX_ROUNDS], clk = 0, est;
	struct secmsg_floor_run r;
	unsigned long long max_iters;
	unsigned int iters;
	char label[32];

	if (!seed || !buf)
		exit(2);
	if (make_input(s, size, op, seed)) {
		fail("%s %zu B: %s", s->opt, size, "preparing input");
		goto out;
	}
	/*
	 * Calibrate: double the iterations until a run takes an eighth of
	 * -t (the first runs warm the caches up), then scale to -t.
	 */
	max_iters = SECMSG_FLOOR_WORK_MAX / (size + HDR + TAG);
	if (max_iters > SECMSG_FLOOR_ITER_MAX)
		max_iters = SECMSG_FLOOR_ITER_MAX;
	for (iters = 1;; iters *= 2) {
		memcpy(buf, seed, size + TAG);
		run_init(&r, s, op, buf, size, iters);
		if (floor_ioctl(&r)) {
			fail("%s %zu B: %s", s->opt, size, op_name[op]);
			goto out;
		}
		if (r.ns >= opt.secs * 1e9 / 8 || iters * 2 > max_iters)
			break;
	}
	est = r.ns ? (double)r.ns / iters : 1;
	if (opt.secs * 1e9 / est >= max_iters)
		iters = max_iters;
	else
		iters = opt.secs * 1e9 / est;
	if (iters < 3)
		iters = 3;

	for (unsigned int i = 0; i < opt.rounds; i++) {
		memcpy(buf, seed, size + TAG);
		run_init(&r, s, op, buf, size, iters);
		if (floor_ioctl(&r)) {
			fail("%s %zu B: %s", s->opt, size, op_name[op]);
			goto out;
		}
		per[i] = (double)r.ns / iters;
		clk += (double)r.clock_ns / iters;
	}
	qsort(per, opt.rounds, sizeof(per[0]), cmp_double);
	if (size >= 1048576)
		snprintf(label, sizeof(label), "%zu MiB", size >> 20);
	else if (size >= 1024)
		snprintf(label, sizeof(label), "%zu KiB", size >> 10);
	else
		snprintf(label, sizeof(label), "%zu B", size);
	printf("%-18s %-8s %-7s %12.0f %12.0f %12.0f %9.1f %8u  %s",
	       s->opt, label, op_name[op], per[opt.rounds / 2], per[0],
	       per[opt.rounds - 1],
	       per[opt.rounds / 2] ? size / per[opt.rounds / 2] * 1e3 : 0.0,
	       iters, r.driver);
	if (op == SECMSG_FLOOR_OP_UNSEAL)
		printf("  (timer %.0f ns/op in it)", clk / opt.rounds);
	putchar('\n');
	/* For scripts, as secmsg_bench's "bench:" lines: ns/op, median */
	printf("floor: %s %s %zu %.0f %s\n", s->opt, op_name[op], size,
	       per[opt.rounds / 2], r.driver);
out:
	free(seed);
	free(buf);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: floor_check [-t SECONDS] [-r ROUNDS] [-s SUITE] [--check-only] [--faults]\n"
		"  -t  kernel time per round of a cell (default 0.1)\n"
		"  -r  rounds per cell, median reported (default 5, at most %d)\n"
		"  -s  aes128-gcm, aes256-gcm or chacha20-poly1305 (default all)\n"
		"  --faults  (debug kernel, throw-away guest) fail each allocation of a\n"
		"            request in turn (fail-nth): ENOMEM each time; no timing\n",
		MAX_ROUNDS);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "check-only", no_argument, NULL, 'c' },
		{ "faults", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, "t:r:s:h", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			opt.secs = atof(optarg);
			break;
		case 'r':
			opt.rounds = atoi(optarg);
			break;
		case 's':
			opt.suite = optarg;
			break;
		case 'c':
			opt.check_only = true;
			break;
		case 'f':
			opt.faults = opt.check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (opt.secs <= 0 || opt.rounds < 1 || opt.rounds > MAX_ROUNDS) {
		usage(stderr);
		return 2;
	}
	dev = open("/dev/secmsg_floor", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror("floor_check: /dev/secmsg_floor (insmod secmsg_floor.ko)");
		return 2;
	}

	check_contract();
	for (size_t i = 0; i < ARRAY_SIZE(suites); i++) {
		if (opt.suite && strcmp(opt.suite, suites[i].opt))
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(sizes); j++)
			check_same(&suites[i], sizes[j]);
	}
	if (opt.faults && faults_setup()) {
		printf("FAIL: --faults: no fault injection (debugfs failslab, fail_page_alloc)\n");
		failures++;
	} else if (opt.faults) {
		for (size_t i = 0; i < ARRAY_SIZE(suites); i++) {
			if (opt.suite && strcmp(opt.suite, suites[i].opt))
				continue;
			for (unsigned int op = 0; op < 4; op++) {
				faults_one(&suites[i], 64, op);
				faults_one(&suites[i], 1048576, op);
			}
		}
	}
	if (!opt.check_only) {
		printf("\n%-18s %-8s %-7s %12s %12s %12s %9s %8s  %s\n",
		       "suite", "size", "op", "ns/op(med)", "min", "max",
		       "MB/s", "iters", "driver");
		for (size_t i = 0; i < ARRAY_SIZE(suites); i++) {
			if (opt.suite && strcmp(opt.suite, suites[i].opt))
				continue;
			for (size_t j = 0; j < ARRAY_SIZE(sizes); j++)
				for (unsigned int op = 0; op < 4; op++)
					measure(&suites[i], sizes[j], op);
		}
		printf("(kernel-measured, ktime_get_ns; %u rounds of about %.2f s per cell;\n"
		       " under emulation only ratios within one run mean anything)\n",
		       opt.rounds, opt.secs);
	}
	close(dev);
	if (failures)
		printf("floor_check: %d check(s) FAILED\n", failures);
	return failures ? 1 : 0;
}
