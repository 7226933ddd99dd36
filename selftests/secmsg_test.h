/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers for the secmsg selftests.
 *
 * The tests speak the raw ioctls of uapi/linux/secmsg.h (not libsecmsg), so
 * that a bug in the library cannot hide a bug in the module.  Helpers that
 * assert take the harness' _metadata like any TEST body; the small wrappers
 * return 0 or -errno and never assert.
 */
#ifndef SECMSG_TEST_H
#define SECMSG_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/secmsg.h>

/* the 6.1 harness has an unused parameter; keep -Wextra quiet about it */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

/* The layout is the same for 64- and 32-bit callers: no compat needed. */
_Static_assert(sizeof(struct secmsg_import) == SECMSG_IMPORT_SIZE_VER0, "import");
_Static_assert(sizeof(struct secmsg_buffer) == 24, "buffer");
_Static_assert(sizeof(struct secmsg_message) == SECMSG_MESSAGE_SIZE_VER0, "message");
_Static_assert(sizeof(struct secmsg_batch) == SECMSG_BATCH_SIZE_VER0, "batch");
_Static_assert(sizeof(struct secmsg_query) == SECMSG_QUERY_SIZE_VER4, "query");
_Static_assert(sizeof(struct secmsg_uring_cmd) == SECMSG_URING_CMD_SIZE, "uring_cmd");

#define SM_PTR(p)	((__u64)(uintptr_t)(p))
#define SM_UPTR(v)	((void *)(uintptr_t)(v))
#define SM_NO_INDEX	0xffffffffu
#define SM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Default flags of a test context. */
#define SM_FLAGS_DEFAULT (SECMSG_CTX_REPLAY_DETECT | SECMSG_CTX_CONFIDENTIALITY | \
			  SECMSG_CTX_INTEGRITY)

/*
 * No test may fail because the machine is slow: the guest runs under QEMU
 * without KVM, the debug kernel (KASAN, lockdep, kmemleak) is many times
 * slower than Debian's, and the machine may be busy with other work.  So
 * work is bounded by count, never by time; a test that takes more than a
 * few seconds on a loaded debug kernel has a TEST_F_TIMEOUT of about ten
 * times that (selftests/run_tests.sh prints each test's time and the
 * slowest ones); a wait ends on its event, its bound is for a broken run.
 *
 * A lifetime that must outlast a few calls made right after the context
 * (they can take a good part of a second on a loaded debug kernel, so 1 s
 * is too short), and then run out while the test waits.
 */
#define TS_SHORT_LIFETIME	3	/* seconds */

/* The session key most tests import (32 bytes, any suite). */
static const uint8_t ts_test_key[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

/*
 * In FIXTURE_SETUP: the 6.1 harness runs the test body after a SKIP in
 * setup, so leave the forked test process with the harness' skip code.
 */
#define SM_SKIP_SETUP(fmt, ...) \
	SKIP({ fflush(stdout); fflush(stderr); _exit(255); }, fmt, ##__VA_ARGS__)

/* Open /dev/secmsg, or skip the test when the module is not loaded. */
#define SM_OPEN_DEV_OR_SKIP(fd) do { \
	(fd) = open(SECMSG_DEVICE_PATH, O_RDWR | O_CLOEXEC); \
	if ((fd) < 0 && errno == ENOENT) \
		SM_SKIP_SETUP("%s missing: secmsg.ko not loaded", \
			      SECMSG_DEVICE_PATH); \
	ASSERT_LE(0, (fd)) TH_LOG("open %s: %s", SECMSG_DEVICE_PATH, \
				  strerror(errno)); \
} while (0)

static inline int ts_open_dev(void)
{
	return open(SECMSG_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

/* ---- IMPORT ---------------------------------------------------------- */

struct ts_ctx_opts {
	uint32_t role;
	uint32_t suite;
	uint32_t ctx_flags;
	uint32_t lifetime;
	const void *key;
	uint32_t key_len;
	uint64_t send_seq;
	uint64_t recv_seq;
};

static inline void ts_import_init(struct secmsg_import *imp,
				  const struct ts_ctx_opts *o)
{
	memset(imp, 0, sizeof(*imp));
	imp->size = sizeof(*imp);
	imp->package = SECMSG_PKG_RAW;
	imp->role = o->role;
	imp->suite = o->suite;
	imp->ctx_flags = o->ctx_flags;
	imp->key_len = o->key_len;
	imp->lifetime = o->lifetime;
	imp->key = SM_PTR(o->key);
	imp->send_seq = o->send_seq;
	imp->recv_seq = o->recv_seq;
}

/* Returns the context fd, or -errno. */
static inline int ts_import_raw(int dev, void *imp)
{
	int fd = ioctl(dev, SECMSG_IOC_IMPORT, imp);

	return fd < 0 ? -errno : fd;
}

static inline int ts_import(int dev, const struct ts_ctx_opts *o)
{
	struct secmsg_import imp;

	ts_import_init(&imp, o);
	return ts_import_raw(dev, &imp);
}

/*
 * IMPORT with SECMSG_IMPORT_FRESH (uapi "Pre-shared keys"): the context fd
 * or -errno; this side's contribution in @contrib (SECMSG_CONTRIB_SIZE).
 */
static inline int ts_import_fresh(int dev, const struct ts_ctx_opts *o,
				  uint8_t *contrib)
{
	struct secmsg_import imp;

	ts_import_init(&imp, o);
	imp.flags = SECMSG_IMPORT_FRESH;
	imp.contrib = SM_PTR(contrib);
	imp.contrib_len = SECMSG_CONTRIB_SIZE;
	return ts_import_raw(dev, &imp);
}

/* COMPLETE with the peer's contribution (@len bytes); 0 or -errno. */
static inline int ts_complete_fresh(int fd, const void *peer, uint32_t len)
{
	struct secmsg_complete cmp;

	memset(&cmp, 0, sizeof(cmp));
	cmp.size = sizeof(cmp);
	cmp.in_token = SM_PTR(peer);
	cmp.in_len = len;
	return ioctl(fd, SECMSG_IOC_COMPLETE, &cmp) ? -errno : 0;
}

/*
 * A complete FRESH pair from @o (its role is the first context's; the
 * second takes the other role and swaps the sequence numbers): *@x and
 * *@y the fds, @cx and @cy their contributions.  0 or -errno.
 */
static inline int ts_fresh_pair(int dev, const struct ts_ctx_opts *o,
				int *x, int *y, uint8_t *cx, uint8_t *cy)
{
	struct ts_ctx_opts p = *o;
	int ret;

	*x = *y = -1;
	p.role = o->role == SECMSG_ROLE_INITIATOR ? SECMSG_ROLE_ACCEPTOR :
						    SECMSG_ROLE_INITIATOR;
	p.send_seq = o->recv_seq;
	p.recv_seq = o->send_seq;
	*x = ts_import_fresh(dev, o, cx);
	if (*x < 0)
		return *x;
	*y = ts_import_fresh(dev, &p, cy);
	if (*y < 0)
		return *y;
	ret = ts_complete_fresh(*x, cy, SECMSG_CONTRIB_SIZE);
	if (!ret)
		ret = ts_complete_fresh(*y, cx, SECMSG_CONTRIB_SIZE);
	return ret;
}

/* A context with the test key; the peer of role r uses the other role. */
static inline int ts_import_simple(int dev, uint32_t role, uint32_t suite,
				   uint32_t ctx_flags, uint64_t send_seq,
				   uint64_t recv_seq)
{
	struct ts_ctx_opts o = {
		.role = role, .suite = suite, .ctx_flags = ctx_flags,
		.key = ts_test_key, .key_len = 32,
		.send_seq = send_seq, .recv_seq = recv_seq,
	};

	return ts_import(dev, &o);
}

/*
 * In FIXTURE_SETUP: *@ini and *@acc -1, /dev/secmsg in *@dev (or SKIP),
 * then a pair with the test key: the initiator *@ini sends from
 * @ini_send and receives from @acc_send, the acceptor *@acc the other way.
 */
static inline void ts_pair_setup(struct __test_metadata *_metadata,
				 int *dev, int *ini, int *acc, uint32_t suite,
				 uint32_t ctx_flags, uint64_t ini_send,
				 uint64_t acc_send)
{
	*ini = *acc = -1;
	SM_OPEN_DEV_OR_SKIP(*dev);
	*ini = ts_import_simple(*dev, SECMSG_ROLE_INITIATOR, suite, ctx_flags,
				ini_send, acc_send);
	ASSERT_LE(0, *ini);
	*acc = ts_import_simple(*dev, SECMSG_ROLE_ACCEPTOR, suite, ctx_flags,
				acc_send, ini_send);
	ASSERT_LE(0, *acc);
}

/* In FIXTURE_TEARDOWN: what ts_pair_setup() opened. */
static inline void ts_pair_teardown(int dev, int ini, int acc)
{
	if (acc >= 0)
		close(acc);
	if (ini >= 0)
		close(ini);
	if (dev >= 0)
		close(dev);
}

/*
 * In FIXTURE_SETUP: as ts_pair_setup(), for @n pairs imported alike (to
 * compare one way of calling with another): ini[i] and acc[i].
 */
static inline void ts_pairs_setup(struct __test_metadata *_metadata,
				  int *dev, int *ini, int *acc, int n,
				  uint32_t suite, uint32_t ctx_flags,
				  uint64_t ini_send, uint64_t acc_send)
{
	int i;

	for (i = 0; i < n; i++)
		ini[i] = acc[i] = -1;
	SM_OPEN_DEV_OR_SKIP(*dev);
	for (i = 0; i < n; i++) {
		ini[i] = ts_import_simple(*dev, SECMSG_ROLE_INITIATOR, suite,
					  ctx_flags, ini_send, acc_send);
		ASSERT_LE(0, ini[i]);
		acc[i] = ts_import_simple(*dev, SECMSG_ROLE_ACCEPTOR, suite,
					  ctx_flags, acc_send, ini_send);
		ASSERT_LE(0, acc[i]);
	}
}

/* In FIXTURE_TEARDOWN: what ts_pairs_setup() opened. */
static inline void ts_pairs_teardown(int dev, const int *ini, const int *acc,
				     int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (ini[i] >= 0)
			close(ini[i]);
		if (acc[i] >= 0)
			close(acc[i]);
	}
	if (dev >= 0)
		close(dev);
}

static inline uint32_t ts_suite_keylen(uint32_t suite)
{
	return suite == SECMSG_SUITE_AES128_GCM ? 16 : 32;
}

static inline const char *ts_suite_alg(uint32_t suite)
{
	return suite == SECMSG_SUITE_CHACHA20_POLY1305 ?
		"rfc7539(chacha20,poly1305)" : "gcm(aes)";
}

/* ---- the per-user context limit (module parameter) ------------------ */

#define TS_LIMIT_PARAM "/sys/module/secmsg/parameters/max_contexts_per_user"

/* Write @val to module parameter @name; 0 or -errno (the write's). */
static inline int ts_param_write(const char *name, const char *val)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/secmsg/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : n < 0 ? (int)n : -EIO;
}

/* Write @val (e.g. "24\n") to the limit; 0 or -errno. */
static inline int ts_limit_write(const char *val)
{
	return ts_param_write("max_contexts_per_user", val);
}

/*
 * In FIXTURE_SETUP: save the limit in self->saved (a char array), note it
 * in self->have_saved, and set it to @limit; skip unless root with the
 * module loaded.  FIXTURE_TEARDOWN restores with ts_limit_write(saved).
 */
#define TS_LIMIT_SETUP(limit) do { \
	char _buf[16]; \
	ssize_t _n; \
	int _fd; \
	if (geteuid() != 0) \
		SM_SKIP_SETUP("needs root (the limit parameter, other uids)"); \
	if (access(SECMSG_DEVICE_PATH, F_OK)) \
		SM_SKIP_SETUP("%s missing: secmsg.ko not loaded", \
			      SECMSG_DEVICE_PATH); \
	_fd = open(TS_LIMIT_PARAM, O_RDONLY); \
	if (_fd < 0) \
		SM_SKIP_SETUP("no %s", TS_LIMIT_PARAM); \
	_n = read(_fd, self->saved, sizeof(self->saved) - 1); \
	close(_fd); \
	ASSERT_LT(0, _n); \
	self->saved[_n] = 0; \
	self->have_saved = 1; \
	snprintf(_buf, sizeof(_buf), "%d\n", (limit)); \
	ASSERT_EQ(0, ts_limit_write(_buf)); \
} while (0)

/* ---- messages -------------------------------------------------------- */

static inline void ts_buf(struct secmsg_buffer *b, uint32_t type,
			  uint32_t flags, const void *p, uint32_t len)
{
	memset(b, 0, sizeof(*b));
	b->type = type;
	b->flags = flags;
	b->ptr = SM_PTR(p);
	b->len = len;
}

/* The base key's length of a Kerberos enctype (RFC 3962, 8009, 6803) */
static inline uint32_t ts_k5_key_len(uint32_t etype)
{
	return etype == 17 || etype == 19 || etype == 25 ? 16 : 32;
}

/*
 * An IMPORT_KRB5 of @etype in @role with @key (ts_k5_key_len() bytes):
 * confidentiality, integrity, replay detection and mutual authentication,
 * sending from 1000 and expecting 5000, an hour to live, no names and no
 * peer identity; the acceptor subkey flag when @subkey.
 */
static inline void ts_k5_import_init(struct secmsg_krb5_import *imp,
				     uint32_t etype, uint32_t role,
				     bool subkey, const uint8_t *key)
{
	memset(imp, 0, sizeof(*imp));
	imp->size = sizeof(*imp);
	imp->flags = subkey ? SECMSG_KRB5_ACCEPTOR_SUBKEY : 0;
	imp->package = SECMSG_PKG_KERBEROS;
	imp->role = role;
	imp->enctype = etype;
	imp->ctx_flags = SECMSG_CTX_REPLAY_DETECT | SECMSG_CTX_CONFIDENTIALITY |
			 SECMSG_CTX_INTEGRITY | SECMSG_CTX_MUTUAL_AUTH;
	imp->key_len = ts_k5_key_len(etype);
	imp->imp_level = role == SECMSG_ROLE_ACCEPTOR ? SECMSG_IMP_IDENTIFY : 0;
	imp->key = SM_PTR(key);
	imp->send_seq = 1000;
	imp->recv_seq = 5000;
	imp->endtime = time(NULL) + 3600;
	imp->peer_uid = SECMSG_NO_ID;
	imp->peer_gid = SECMSG_NO_ID;
}

static inline void ts_msg_init(struct secmsg_message *m,
			       struct secmsg_buffer *bufs, uint32_t n,
			       uint32_t qop)
{
	memset(m, 0, sizeof(*m));
	m->size = sizeof(*m);
	m->qop = qop;
	m->nbuffers = n;
	m->buffers = SM_PTR(bufs);
	/* poison the out fields: a call must write what it reports */
	m->seq = 0x5a5a5a5a5a5a5a5aull;
	m->error = 0x5a5a5a5a;
	m->verdict = 0x5a5a5a5a;
	m->needed = 0x5a5a5a5a;
	m->index = 0x5a5a5a5a;
}

/* One message call; returns 0 or -errno.  *m keeps its out fields. */
static inline int ts_call(int fd, unsigned long req, struct secmsg_message *m,
			  struct secmsg_buffer *bufs, uint32_t n, uint32_t qop)
{
	ts_msg_init(m, bufs, n, qop);
	return ioctl(fd, req, m) ? -errno : 0;
}

static inline int ts_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* SIGN one DATA buffer into tok[32]. */
static inline int ts_sign1(int fd, void *tok, const void *data, uint32_t len,
			   struct secmsg_message *out)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	int ret;

	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, SECMSG_TOKEN_SIZE);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, len);
	ret = ts_call(fd, SECMSG_IOC_SIGN, &m, b, 2, 0);
	if (out)
		*out = m;
	return ret;
}

static inline int ts_verify1(int fd, const void *tok, const void *data,
			     uint32_t len, struct secmsg_message *out)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	int ret;

	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, SECMSG_TOKEN_SIZE);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, len);
	ret = ts_call(fd, SECMSG_IOC_VERIFY, &m, b, 2, 0);
	if (out)
		*out = m;
	return ret;
}

/* SEAL (token form) one DATA buffer in place. */
static inline int ts_seal1(int fd, void *tok, void *data, uint32_t len,
			   uint32_t qop, struct secmsg_message *out)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	int ret;

	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, SECMSG_TOKEN_SIZE);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, len);
	ret = ts_call(fd, SECMSG_IOC_SEAL, &m, b, 2, qop);
	if (out)
		*out = m;
	return ret;
}

static inline int ts_unseal1(int fd, void *tok, void *data, uint32_t len,
			     struct secmsg_message *out)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	int ret;

	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, SECMSG_TOKEN_SIZE);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, len);
	ret = ts_call(fd, SECMSG_IOC_UNSEAL, &m, b, 2, 0);
	if (out)
		*out = m;
	return ret;
}

/* The ioctl of a message call (SECMSG_OP_*, as in struct secmsg_batch). */
static inline unsigned int ts_op_ioctl(int op)
{
	switch (op) {
	case SECMSG_OP_SIGN: return SECMSG_IOC_SIGN;
	case SECMSG_OP_VERIFY: return SECMSG_IOC_VERIFY;
	case SECMSG_OP_SEAL: return SECMSG_IOC_SEAL;
	default: return SECMSG_IOC_UNSEAL;
	}
}

/*
 * A set of messages of two buffers each (TOKEN of 32 bytes, DATA), side by
 * side as BATCH takes them: @n of them (at most TS_MSGSET_MAX), DATA
 * buffers of up to @dlen bytes (at most TS_MSGSET_DLEN_MAX).  The suite
 * fills len[], data[], tok[] and qop[] after ts_msgset_init();
 * ts_msgset_arm() points every message at its buffers again for @op.
 */
#define TS_MSGSET_MAX		64
#define TS_MSGSET_DLEN_MAX	48

struct ts_msgset {
	unsigned int n;
	struct secmsg_message m[TS_MSGSET_MAX];
	struct secmsg_buffer b[TS_MSGSET_MAX][2];
	uint8_t tok[TS_MSGSET_MAX][32];
	uint8_t data[TS_MSGSET_MAX][TS_MSGSET_DLEN_MAX];
	uint32_t len[TS_MSGSET_MAX];
	uint32_t qop[TS_MSGSET_MAX];
};

/* All zero, @n messages of up to @dlen bytes (a size too large aborts). */
static inline void ts_msgset_init(struct ts_msgset *s, unsigned int n,
				  uint32_t dlen)
{
	if (n > TS_MSGSET_MAX || dlen > TS_MSGSET_DLEN_MAX)
		abort();
	memset(s, 0, sizeof(*s));
	s->n = n;
}

/* Each message: TOKEN tok[i], DATA data[i] of len[i]; qop[i] for a SEAL. */
static inline void ts_msgset_arm(struct ts_msgset *s, int op)
{
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		ts_buf(&s->b[i][0], SECMSG_BUF_TOKEN, 0, s->tok[i], 32);
		ts_buf(&s->b[i][1], SECMSG_BUF_DATA, 0, s->data[i], s->len[i]);
		ts_msg_init(&s->m[i], s->b[i], 2,
			    op == SECMSG_OP_SEAL ? s->qop[i] : 0);
	}
}

/* secmsg.ko's module reference count, or -1 when it cannot be read. */
static inline long ts_module_refcnt(void)
{
	char buf[32] = "";
	int fd = open("/sys/module/secmsg/refcnt", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/*
 * Wait, without calling into the module, until its reference count is
 * @want: two minutes at most (a loaded debug kernel, or a broken run; a
 * test that waits has a TEST_F_TIMEOUT to match).  The last count read.
 */
static inline long ts_wait_refcnt(long want)
{
	long n = ts_module_refcnt();
	int i;

	for (i = 0; i < 1200 && n != want; i++) {
		usleep(100 * 1000);
		n = ts_module_refcnt();
	}
	return n;
}

static inline int ts_query(int fd, struct secmsg_query *q)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	return ioctl(fd, SECMSG_IOC_QUERY, q) ? -errno : 0;
}

static inline uint64_t ts_send_seq(int fd)
{
	struct secmsg_query q;

	if (ts_query(fd, &q))
		return 0xdeadbeefdeadbeefull;
	return q.send_seq;
}

static inline uint64_t ts_recv_seq(int fd)
{
	struct secmsg_query q;

	if (ts_query(fd, &q))
		return 0xdeadbeefdeadbeefull;
	return q.recv_seq;
}

/* ---- token fields ------------------------------------------------------ */

static inline uint16_t ts_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint64_t ts_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void ts_put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline void ts_fill(void *p, size_t len, uint32_t seed)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (uint8_t)(seed >> 16);
	}
}

/* A PROT_NONE page: any pointer into it must give EFAULT. */
static inline void *ts_unmapped_page(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A read-only page (for pointers the kernel has to write). */
static inline void *ts_readonly_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* ---- asserting helpers ------------------------------------------------- */

static __thread char ts_vbuf[2][80];

static inline const char *ts_vfmt(int slot, int ret, uint32_t verdict,
				  int32_t error)
{
	char *b = ts_vbuf[slot];

	snprintf(b, sizeof(ts_vbuf[0]), "ret=%d verdict=%u error=%d", ret, verdict, error);
	return b;
}

/*
 * Expect a verdict: the call failed with errno @err and the message's out
 * fields say @verd and -@err.  One comparison (of a formatted string), so
 * that a TH_LOG() may follow as with any ASSERT_*.
 */
#define ASSERT_VERDICT(ret, m, err, verd) \
	ASSERT_STREQ(ts_vfmt(0, -(err), (verd), -(err)), \
		     ({ int __sm_r = (ret); /* the call first, then m */ \
			ts_vfmt(1, __sm_r, (m).verdict, (m).error); }))

#define ASSERT_OK_MSG(ret, m) ASSERT_VERDICT(ret, m, 0, SECMSG_VERDICT_OK)

/*
 * A full seal/unseal and sign/verify exchange from @a to @b, to check that
 * a pair still works after an invalid call.
 */
static inline void ts_assert_pair_works(struct __test_metadata *_metadata,
					int a, int b)
{
	uint8_t tok[128], data[40], orig[40];
	struct secmsg_buffer bf[2];
	struct secmsg_message m;
	struct secmsg_query q;

	ts_fill(data, sizeof(data), 77);
	memcpy(orig, data, sizeof(data));
	ASSERT_EQ(0, ts_query(a, &q));
	if (q.package == SECMSG_PKG_KERBEROS ||
	    q.package == SECMSG_PKG_NEGOTIATE) {
		/* RFC 4121 tokens: their sizes depend on the enctype */
		ts_buf(&bf[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
		ts_buf(&bf[1], SECMSG_BUF_DATA, 0, data, sizeof(data));
		ASSERT_EQ(0, ts_call(a, SECMSG_IOC_SEAL, &m, bf, 2, 0));
		ASSERT_NE(0, memcmp(orig, data, sizeof(data)));
		ASSERT_EQ(0, ts_call(b, SECMSG_IOC_UNSEAL, &m, bf, 2, 0));
		ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
		ts_buf(&bf[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
		ASSERT_EQ(0, ts_call(a, SECMSG_IOC_SIGN, &m, bf, 2, 0));
		ASSERT_EQ(0, ts_call(b, SECMSG_IOC_VERIFY, &m, bf, 2, 0));
		return;
	}
	ASSERT_EQ(0, ts_seal1(a, tok, data, sizeof(data), 0, &m));
	ASSERT_NE(0, memcmp(orig, data, sizeof(data)));
	ASSERT_EQ(0, ts_unseal1(b, tok, data, sizeof(data), &m));
	ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
	ASSERT_EQ(0, ts_sign1(a, tok, data, sizeof(data), &m));
	ASSERT_EQ(0, ts_verify1(b, tok, data, sizeof(data), &m));
}

#endif /* SECMSG_TEST_H */
