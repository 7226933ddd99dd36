// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: make each allocation reachable from each call fail, one
 * at a time, and check that the call fails cleanly.
 *
 * For a call, N = 1, 2, 3...: fresh contexts and inputs are set up, N is
 * written to /proc/thread-self/fail-nth, the call is made, and fail-nth is
 * read back: 0 means the Nth allocation of the call was failed, anything
 * else that the call made fewer than N, which ends the stepping.  Which
 * allocations count is chosen in debugfs:
 *   slab:  failslab (ignore-gfp-wait=N, cache-filter=N); no page allocation
 *          counts (fail_page_alloc min-order above MAX_ORDER);
 *   page:  failslab and fail_page_alloc (min-order=0) both: every
 *          allocation, used for the large messages (vmalloc, pinning).
 * task-filter=Y and nobody's make-it-fail is set, so nothing but fail-nth
 * ever fails.  The process is mlockall()ed, so no page fault of ours
 * takes the fault meant for the kernel's allocation.
 *
 * After each N, the call returned 0 (the allocation was optional) or
 * ENOMEM, and then:
 *   - no descriptor was created (IMPORT) and none was lost;
 *   - nothing was written back: the message's out fields are still the
 *     poison ts_msg_init() put there, the buffers are as they were;
 *   - no state changed: both contexts' QUERY is as before (send_seq,
 *     recv_seq, every counter), so the same call succeeds afterwards
 *     (the same message still opens);
 *   - both contexts still talk (ts_assert_pair_works()).
 * kmemleak (scanned by the debug runner) catches what was not freed.
 *
 * One table entry per call site (FAULT_CASE below): a setup, the call and
 * a check of the result.  A later call (establishment, impersonation,
 * netlink) is one more entry.  Without fault injection (Debian's kernel)
 * every test SKIPs.
 */
#include "secmsg_test.h"

#include <dirent.h>
#include <pthread.h>
#include <time.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>

#include "consumer/echo_user.h"
#include "secmsg_fail.h"

/* setups share one signature; not all use the harness metadata */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define MAX_STEPS	400
#define NB		6		/* messages per BATCH */
#define SMALL		100
#define LARGE		(64 << 10)	/* pinned path (>= 8 KiB sealed) */
#define HUGE_PLAIN	(4 << 20)	/* bounce above KMALLOC_MAX_SIZE: vmalloc */
#define HUGE_RWC	(8 << 10)	/* AAD across pages: its linear copy */
#define POISON64	0x5a5a5a5a5a5a5a5aull
#define POISON32	0x5a5a5a5au

/* Everything one step needs; rebuilt from scratch for every N. */
struct fenv {
	int dev;
	int a, b;			/* initiator (sends), acceptor */
	int newfd;			/* IMPORT's result */
	uint32_t suite;
	struct secmsg_import imp;
	struct secmsg_krb5_import kimp;
	uint32_t kgroups[2];
	/* one message; toklen: the TOKEN buffer's, 0 for SECMSG_TOKEN_SIZE */
	uint8_t tok[128];
	uint32_t toklen;
	uint8_t *data, *orig, *rwc;
	uint32_t len, rwc_len;
	uint8_t *stream;		/* header | data | trailer */
	struct secmsg_buffer bufs[4];
	uint32_t nbufs, qop;
	unsigned long req;
	struct secmsg_message m;
	struct secmsg_query q;
	/* a batch */
	struct secmsg_batch batch;
	struct secmsg_message bm[NB];
	struct secmsg_buffer bb[NB][2];
	uint8_t btok[NB][SECMSG_TOKEN_SIZE], bdata[NB][64], borig[NB][64];
	/* local establishment: a is the initiator, b the acceptor */
	struct secmsg_init ini;
	struct secmsg_accept acc;
	struct secmsg_complete cmp;
	uint8_t itok[SECMSG_LOCAL_TOKEN_SIZE], rtok[SECMSG_LOCAL_TOKEN_SIZE];
	/* FRESH imports: a's and b's contributions */
	uint8_t ca[SECMSG_CONTRIB_SIZE], cb[SECMSG_CONTRIB_SIZE];
	/* the sample kernel consumer's device (kernel API entries), or 0 */
	int echo;
	/* delegated credentials (IMPORT_KRB5 VER1): two of them */
	struct secmsg_krb5_cred kcreds[2];
	long keys0, ckeys0;		/* keys of root and of the client */
	/* REVERT refused with ESTALE, in a thread of its own */
	long w_imp, w_revert, w_found, w_left;
	/* before the call */
	struct secmsg_query qa0, qb0;
	int nfds0;
	uint8_t *pre;			/* the data buffer before the call */
};

struct fcase {
	const char *name;
	unsigned int modes;
	/* make the contexts and the inputs; 0 or -errno */
	int (*setup)(struct __test_metadata *_metadata, struct fenv *e);
	/* the one call under fault; 0 or -errno */
	int (*call)(struct fenv *e);
	/* after the call returned 0: the result is right */
	void (*ok)(struct __test_metadata *_metadata, struct fenv *e);
	/* a known kernel bug this entry fails on: SKIP unless
	 * SECMSG_FAULTS_STRICT=1 is set (then it runs, and fails) */
	const char *bug;
	/* after the call failed with ENOMEM: nothing was written back (else
	 * the message's out fields are checked for the poison) */
	void (*failed)(struct __test_metadata *_metadata, struct fenv *e);
};

/* ---- helpers -------------------------------------------------------- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n++;
	closedir(d);
	return n;
}

static void *zalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	return p;
}

static int pair(struct fenv *e, uint32_t suite)
{
	e->suite = suite;
	e->a = ts_import_simple(e->dev, SECMSG_ROLE_INITIATOR, suite,
				SM_FLAGS_DEFAULT, 1000, 2000);
	if (e->a < 0)
		return e->a;
	e->b = ts_import_simple(e->dev, SECMSG_ROLE_ACCEPTOR, suite,
				SM_FLAGS_DEFAULT, 2000, 1000);
	return e->b < 0 ? e->b : 0;
}

/* Plaintext buffers of @len (+ @rwc_len signed-only bytes). */
static int msg_bufs(struct fenv *e, uint32_t len, uint32_t rwc_len)
{
	e->len = len;
	e->rwc_len = rwc_len;
	e->data = zalloc(len);
	e->orig = zalloc(len);
	e->rwc = zalloc(rwc_len);
	if (!e->data || !e->orig || !e->rwc)
		return -ENOMEM;
	ts_fill(e->data, len, len);
	ts_fill(e->rwc, rwc_len, 3);
	memcpy(e->orig, e->data, len);
	return 0;
}

static void token_msg(struct fenv *e, unsigned long req, uint32_t qop)
{
	e->req = req;
	e->qop = qop;
	e->nbufs = 2;
	ts_buf(&e->bufs[0], SECMSG_BUF_TOKEN, 0, e->tok,
	       e->toklen ?: SECMSG_TOKEN_SIZE);
	ts_buf(&e->bufs[1], SECMSG_BUF_DATA, 0, e->data, e->len);
	if (e->rwc_len)
		ts_buf(&e->bufs[e->nbufs++], SECMSG_BUF_DATA,
		       SECMSG_BUF_READONLY_WITH_CHECKSUM, e->rwc, e->rwc_len);
	ts_msg_init(&e->m, e->bufs, e->nbufs, qop);
}

static int call_msg(struct fenv *e)
{
	return ioctl(e->a >= 0 && (e->req == SECMSG_IOC_SIGN ||
				   e->req == SECMSG_IOC_SEAL) ? e->a : e->b,
		     e->req, &e->m) ? -errno : 0;
}

/* Seal (or sign) the prepared message on a, unfaulted: input for b. */
static int presend(struct fenv *e, unsigned long req, uint32_t qop)
{
	struct secmsg_message m;

	token_msg(e, req, qop);
	m = e->m;
	return ioctl(e->a, req, &m) ? -errno : 0;
}

/* The message a sent is opened by b (token form) and is the original. */
static void assert_b_opens(struct __test_metadata *_metadata, struct fenv *e,
			   unsigned long req)
{
	struct secmsg_message m;
	int ret;

	ts_msg_init(&m, e->bufs, e->nbufs, 0);
	ret = ioctl(e->b, req, &m) ? -errno : 0;
	ASSERT_OK_MSG(ret, m);
	ASSERT_EQ(0, memcmp(e->orig, e->data, e->len));
}

static void assert_poisoned(struct __test_metadata *_metadata,
			    const struct secmsg_message *m)
{
	/* "nothing was written back" */
	ASSERT_EQ(POISON64, m->seq);
	ASSERT_EQ(POISON32, (uint32_t)m->error);
	ASSERT_EQ(POISON32, m->verdict);
	ASSERT_EQ(POISON32, m->needed);
	ASSERT_EQ(POISON32, m->index);
}

#define CNT(q, f) ((q).counters.f)

/* ---- the call sites ---------------------------------------------------- */

/* IMPORT, each suite; no context of this user exists yet (the per-user
 * count is allocated by this call too). */
static int setup_import(struct __test_metadata *_metadata, struct fenv *e,
			uint32_t suite)
{
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_INITIATOR, .suite = suite,
		.ctx_flags = SM_FLAGS_DEFAULT, .key = ts_test_key,
		.key_len = 32, .send_seq = 1000, .recv_seq = 2000,
	};

	e->suite = suite;
	ts_import_init(&e->imp, &o);
	return 0;
}

static int setup_import_aes128(struct __test_metadata *m, struct fenv *e)
{
	return setup_import(m, e, SECMSG_SUITE_AES128_GCM);
}

static int setup_import_aes256(struct __test_metadata *m, struct fenv *e)
{
	return setup_import(m, e, SECMSG_SUITE_AES256_GCM);
}

static int setup_import_chacha(struct __test_metadata *m, struct fenv *e)
{
	return setup_import(m, e, SECMSG_SUITE_CHACHA20_POLY1305);
}

static int call_import(struct fenv *e)
{
	e->newfd = ioctl(e->dev, SECMSG_IOC_IMPORT, &e->imp);
	return e->newfd < 0 ? -errno : 0;
}

static void ok_import(struct __test_metadata *_metadata, struct fenv *e)
{
	struct secmsg_query q;

	ASSERT_LE(0, e->newfd);
	ASSERT_EQ(0, ts_query(e->newfd, &q));
	ASSERT_EQ(1000ull, q.send_seq);
	ASSERT_EQ(2000ull, q.recv_seq);
	e->a = e->newfd;
	e->newfd = -1;
	e->b = ts_import_simple(e->dev, SECMSG_ROLE_ACCEPTOR, e->suite,
				SM_FLAGS_DEFAULT, 2000, 1000);
	ASSERT_LE(0, e->b);
}

/* IMPORT_KRB5: a Kerberos context (names and groups allocate too) */
static void krb5_imp(struct fenv *e, uint32_t etype, uint32_t role,
		     uint64_t send, uint64_t recv)
{
	struct secmsg_krb5_import *k = &e->kimp;

	memset(k, 0, sizeof(*k));
	k->size = sizeof(*k);
	k->package = SECMSG_PKG_KERBEROS;
	k->role = role;
	k->enctype = etype;
	k->ctx_flags = SM_FLAGS_DEFAULT;
	k->key_len = etype == 17 || etype == 19 ? 16 : 32;
	k->key = SM_PTR(ts_test_key);
	k->send_seq = send;
	k->recv_seq = recv;
	k->endtime = time(NULL) + 3600;
	k->local_name = SM_PTR("svc/host@R");
	k->local_name_len = 10;
	k->peer_name = SM_PTR("alice@R");
	k->peer_name_len = 7;
	k->peer_uid = SECMSG_NO_ID;
	k->peer_gid = SECMSG_NO_ID;
	if (role == SECMSG_ROLE_ACCEPTOR) {
		k->imp_level = SECMSG_IMP_IDENTIFY;
		k->peer_uid = 0;
		k->peer_gid = 0;
		k->peer_groups = SM_PTR(e->kgroups);
		k->peer_ngroups = 2;
	}
}

static int setup_import_krb5(struct fenv *e, uint32_t etype)
{
	e->suite = etype;
	krb5_imp(e, etype, SECMSG_ROLE_ACCEPTOR, 2000, 1000);
	return 0;
}

static int setup_import_krb5_sha1(struct __test_metadata *m, struct fenv *e)
{
	return setup_import_krb5(e, SECMSG_KRB5_AES256_CTS_HMAC_SHA1_96);
}

static int setup_import_krb5_sha2(struct __test_metadata *m, struct fenv *e)
{
	return setup_import_krb5(e, SECMSG_KRB5_AES256_CTS_HMAC_SHA384_192);
}

static int call_import_krb5(struct fenv *e)
{
	e->newfd = ioctl(e->dev, SECMSG_IOC_IMPORT_KRB5, &e->kimp);
	return e->newfd < 0 ? -errno : 0;
}

/* a: the new acceptor; b: an initiator of the same key */
static void ok_import_krb5(struct __test_metadata *_metadata, struct fenv *e)
{
	struct secmsg_query q;

	ASSERT_LE(0, e->newfd);
	ASSERT_EQ(0, ts_query(e->newfd, &q));
	ASSERT_EQ(2000ull, q.send_seq);
	ASSERT_EQ(e->suite, q.suite);
	ASSERT_STREQ("alice@R", q.peer_principal);
	e->a = e->newfd;
	e->newfd = -1;
	krb5_imp(e, e->suite, SECMSG_ROLE_INITIATOR, 1000, 2000);
	e->b = ioctl(e->dev, SECMSG_IOC_IMPORT_KRB5, &e->kimp);
	ASSERT_LE(0, e->b);
}

/* Nothing to see but the descriptors, which the runner counts. */
static void failed_import_krb5(struct __test_metadata *_metadata,
			       struct fenv *e)
{
}

/* A Kerberos pair: a initiator, b acceptor, and one message */
static int setup_krb5_msg(struct fenv *e, unsigned long req, uint32_t qop,
			  bool present)
{
	uint32_t et = SECMSG_KRB5_AES128_CTS_HMAC_SHA256_128;

	krb5_imp(e, et, SECMSG_ROLE_INITIATOR, 1000, 2000);
	e->a = ioctl(e->dev, SECMSG_IOC_IMPORT_KRB5, &e->kimp);
	krb5_imp(e, et, SECMSG_ROLE_ACCEPTOR, 2000, 1000);
	e->b = ioctl(e->dev, SECMSG_IOC_IMPORT_KRB5, &e->kimp);
	if (e->a < 0 || e->b < 0)
		return -errno;
	if (msg_bufs(e, SMALL, 0))
		return -ENOMEM;
	e->toklen = sizeof(e->tok);
	if (!present) {
		token_msg(e, req, qop);
		return 0;
	}
	/* a sends, unfaulted; b receives the token as long as it came */
	token_msg(e, req == SECMSG_IOC_VERIFY ? SECMSG_IOC_SIGN :
		  SECMSG_IOC_SEAL, qop);
	if (ioctl(e->a, e->req, &e->m))
		return -errno;
	e->toklen = e->bufs[0].len;
	token_msg(e, req, 0);
	return 0;
}

static int setup_krb5_sign(struct __test_metadata *m, struct fenv *e)
{
	return setup_krb5_msg(e, SECMSG_IOC_SIGN, 0, false);
}

static int setup_krb5_verify(struct __test_metadata *m, struct fenv *e)
{
	return setup_krb5_msg(e, SECMSG_IOC_VERIFY, 0, true);
}

static int setup_krb5_seal(struct __test_metadata *m, struct fenv *e)
{
	return setup_krb5_msg(e, SECMSG_IOC_SEAL, 0, false);
}

static int setup_krb5_unseal(struct __test_metadata *m, struct fenv *e)
{
	return setup_krb5_msg(e, SECMSG_IOC_UNSEAL, 0, true);
}

static int setup_krb5_wrap_noenc(struct __test_metadata *m, struct fenv *e)
{
	return setup_krb5_msg(e, SECMSG_IOC_SEAL, SECMSG_QOP_WRAP_NO_ENCRYPT,
			      false);
}

static int setup_krb5_unwrap_noenc(struct __test_metadata *m, struct fenv *e)
{
	return setup_krb5_msg(e, SECMSG_IOC_UNSEAL,
			      SECMSG_QOP_WRAP_NO_ENCRYPT, true);
}

/* SIGN and VERIFY */
static int setup_sign_n(struct fenv *e, uint32_t len)
{
	int ret = pair(e, SECMSG_SUITE_AES256_GCM);

	if (!ret)
		ret = msg_bufs(e, len, 0);
	if (!ret)
		token_msg(e, SECMSG_IOC_SIGN, 0);
	return ret;
}

static int setup_sign(struct __test_metadata *m, struct fenv *e)
{
	return setup_sign_n(e, SMALL);
}

static int setup_sign_large(struct __test_metadata *m, struct fenv *e)
{
	return setup_sign_n(e, LARGE);
}

static void ok_sign(struct __test_metadata *_metadata, struct fenv *e)
{
	ASSERT_EQ(e->qa0.send_seq, e->m.seq);
	assert_b_opens(_metadata, e, SECMSG_IOC_VERIFY);
}

static int setup_verify_n(struct fenv *e, uint32_t len)
{
	int ret = setup_sign_n(e, len);

	if (!ret)
		ret = presend(e, SECMSG_IOC_SIGN, 0);
	if (!ret)
		token_msg(e, SECMSG_IOC_VERIFY, 0);
	return ret;
}

static int setup_verify(struct __test_metadata *m, struct fenv *e)
{
	return setup_verify_n(e, SMALL);
}

static int setup_verify_large(struct __test_metadata *m, struct fenv *e)
{
	return setup_verify_n(e, LARGE);
}

static void ok_received(struct __test_metadata *_metadata, struct fenv *e)
{
	ASSERT_OK_MSG(0, e->m);
	ASSERT_EQ(1000ull, e->m.seq);
	ASSERT_EQ(0, memcmp(e->orig, e->data, e->len));
	/* and not twice (the data of a sealed one is plaintext now) */
	if (e->req == SECMSG_IOC_VERIFY) {
		ts_msg_init(&e->m, e->bufs, e->nbufs, 0);
		ASSERT_VERDICT(call_msg(e), e->m, EALREADY,
			       SECMSG_VERDICT_REPLAYED);
	}
}

/* SEAL and UNSEAL, token form */
static int setup_seal_n(struct fenv *e, uint32_t len, uint32_t rwc,
			uint32_t qop)
{
	int ret = pair(e, SECMSG_SUITE_CHACHA20_POLY1305);

	if (!ret)
		ret = msg_bufs(e, len, rwc);
	if (!ret)
		token_msg(e, SECMSG_IOC_SEAL, qop);
	return ret;
}

static int setup_seal(struct __test_metadata *m, struct fenv *e)
{
	return setup_seal_n(e, SMALL, 0, 0);
}

static int setup_seal_rwc(struct __test_metadata *m, struct fenv *e)
{
	return setup_seal_n(e, SMALL, 40, 0);
}

static int setup_wrap_noenc(struct __test_metadata *m, struct fenv *e)
{
	return setup_seal_n(e, SMALL, 0, SECMSG_QOP_WRAP_NO_ENCRYPT);
}

static int setup_seal_large(struct __test_metadata *m, struct fenv *e)
{
	return setup_seal_n(e, LARGE, 0, 0);
}

static int setup_seal_large_gcm(struct __test_metadata *m, struct fenv *e)
{
	int ret = setup_seal_n(e, LARGE, 0, 0);

	/* the same, on AES-GCM: its driver walks the pages without allocating */
	if (!ret) {
		close(e->a);
		close(e->b);
		ret = pair(e, SECMSG_SUITE_AES256_GCM);
	}
	return ret;
}

static int setup_seal_huge(struct __test_metadata *m, struct fenv *e)
{
	return setup_seal_n(e, HUGE_PLAIN, HUGE_RWC, 0);
}

static void ok_seal(struct __test_metadata *_metadata, struct fenv *e)
{
	ASSERT_EQ(e->qa0.send_seq, e->m.seq);
	if (e->qop == 0)
		ASSERT_NE(0, memcmp(e->orig, e->data, e->len));
	assert_b_opens(_metadata, e, SECMSG_IOC_UNSEAL);
}

static int setup_unseal_n(struct fenv *e, uint32_t len, uint32_t rwc,
			  uint32_t qop)
{
	int ret = setup_seal_n(e, len, rwc, qop);

	if (!ret)
		ret = presend(e, SECMSG_IOC_SEAL, qop);
	if (!ret)
		token_msg(e, SECMSG_IOC_UNSEAL, 0);
	return ret;
}

static int setup_unseal(struct __test_metadata *m, struct fenv *e)
{
	return setup_unseal_n(e, SMALL, 0, 0);
}

static int setup_unseal_rwc(struct __test_metadata *m, struct fenv *e)
{
	return setup_unseal_n(e, SMALL, 40, 0);
}

static int setup_unwrap_noenc(struct __test_metadata *m, struct fenv *e)
{
	return setup_unseal_n(e, SMALL, 0, SECMSG_QOP_WRAP_NO_ENCRYPT);
}

static int setup_unseal_large(struct __test_metadata *m, struct fenv *e)
{
	return setup_unseal_n(e, LARGE, 0, 0);
}

static int setup_unseal_huge(struct __test_metadata *m, struct fenv *e)
{
	return setup_unseal_n(e, HUGE_PLAIN, HUGE_RWC, 0);
}

/* SEAL and UNSEAL, stream form: one contiguous stream */
static int setup_seal_stream_n(struct fenv *e, uint32_t len)
{
	int ret = pair(e, SECMSG_SUITE_AES128_GCM);

	if (ret)
		return ret;
	e->len = len;
	e->stream = zalloc(len + SECMSG_TOKEN_SIZE);
	e->orig = zalloc(len);
	if (!e->stream || !e->orig)
		return -ENOMEM;
	e->data = e->stream + SECMSG_STREAM_HEADER_SIZE;
	ts_fill(e->data, len, 9);
	memcpy(e->orig, e->data, len);
	e->req = SECMSG_IOC_SEAL;
	e->nbufs = 3;
	ts_buf(&e->bufs[0], SECMSG_BUF_STREAM_HEADER, 0, e->stream, 16);
	ts_buf(&e->bufs[1], SECMSG_BUF_DATA, 0, e->data, len);
	ts_buf(&e->bufs[2], SECMSG_BUF_STREAM_TRAILER, 0, e->data + len, 16);
	ts_msg_init(&e->m, e->bufs, e->nbufs, 0);
	return 0;
}

static int setup_seal_stream(struct __test_metadata *m, struct fenv *e)
{
	return setup_seal_stream_n(e, SMALL);
}

static int setup_seal_stream_large(struct __test_metadata *m, struct fenv *e)
{
	return setup_seal_stream_n(e, LARGE);
}

static void stream_unseal_msg(struct fenv *e)
{
	e->req = SECMSG_IOC_UNSEAL;
	e->nbufs = 2;
	ts_buf(&e->bufs[0], SECMSG_BUF_STREAM, 0, e->stream,
	       e->len + SECMSG_TOKEN_SIZE);
	ts_buf(&e->bufs[1], SECMSG_BUF_DATA, 0, NULL, 0);
	ts_msg_init(&e->m, e->bufs, e->nbufs, 0);
}

static void ok_seal_stream(struct __test_metadata *_metadata, struct fenv *e)
{
	int ret;

	ASSERT_EQ(e->qa0.send_seq, e->m.seq);
	ASSERT_EQ(16u, e->bufs[0].len);
	ASSERT_EQ(16u, e->bufs[2].len);
	stream_unseal_msg(e);
	ret = ioctl(e->b, SECMSG_IOC_UNSEAL, &e->m) ? -errno : 0;
	ASSERT_OK_MSG(ret, e->m);
	ASSERT_EQ(0, memcmp(e->orig, e->data, e->len));
}

static int setup_unseal_stream_n(struct fenv *e, uint32_t len)
{
	int ret = setup_seal_stream_n(e, len);

	if (!ret)
		ret = ioctl(e->a, SECMSG_IOC_SEAL, &e->m) ? -errno : 0;
	if (!ret)
		stream_unseal_msg(e);
	return ret;
}

static int setup_unseal_stream(struct __test_metadata *m, struct fenv *e)
{
	return setup_unseal_stream_n(e, SMALL);
}

static int setup_unseal_stream_large(struct __test_metadata *m,
				     struct fenv *e)
{
	return setup_unseal_stream_n(e, LARGE);
}

static void ok_unseal_stream(struct __test_metadata *_metadata,
			     struct fenv *e)
{
	ASSERT_OK_MSG(0, e->m);
	ASSERT_EQ(SM_PTR(e->data), e->bufs[1].ptr);
	ASSERT_EQ(e->len, e->bufs[1].len);
	ASSERT_EQ(0, memcmp(e->orig, e->data, e->len));
}

/*
 * The kernel API (secmsg_kunseal(), secmsg_kseal()) through the sample
 * consumer: b is attached to secmsg_echo (kvec or scatterlist buffers)
 * and a's sealed stream is written to it.  The consumer allocates before
 * it unseals, and the seal reuses the work area the unseal left, so any
 * failure leaves both contexts as they were.
 */
static int setup_kernel_n(struct fenv *e, uint32_t flags)
{
	int ret = echo_load();

	if (!ret)
		ret = setup_unseal_stream_n(e, SMALL);
	if (ret)
		return ret;
	e->echo = open(SECMSG_ECHO_DEVICE, O_RDWR | O_CLOEXEC);
	if (e->echo < 0)
		return -errno;
	return echo_attach(e->echo, e->b, flags);
}

static int setup_kernel_kvec(struct __test_metadata *m, struct fenv *e)
{
	return setup_kernel_n(e, 0);
}

static int setup_kernel_sg(struct __test_metadata *m, struct fenv *e)
{
	return setup_kernel_n(e, SECMSG_ECHO_SG);
}

static int call_kernel(struct fenv *e)
{
	size_t len = e->len + SECMSG_TOKEN_SIZE;
	ssize_t n = write(e->echo, e->stream, len);

	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

/* The reply is the request upper-cased, sealed by b: a opens it. */
static void ok_kernel(struct __test_metadata *_metadata, struct fenv *e)
{
	size_t len = e->len + SECMSG_TOKEN_SIZE;
	uint32_t i;
	int ret;

	ASSERT_EQ((ssize_t)len, read(e->echo, e->stream, len));
	stream_unseal_msg(e);
	ret = ioctl(e->a, SECMSG_IOC_UNSEAL, &e->m) ? -errno : 0;
	ASSERT_OK_MSG(ret, e->m);
	for (i = 0; i < e->len; i++)
		ASSERT_EQ(e->orig[i] >= 'a' && e->orig[i] <= 'z' ?
			  e->orig[i] - 'a' + 'A' : e->orig[i], e->data[i]);
}

/* A failed request leaves no reply. */
static void failed_kernel(struct __test_metadata *_metadata, struct fenv *e)
{
	uint8_t b[64];

	ASSERT_EQ(-1, read(e->echo, b, sizeof(b)));
	ASSERT_EQ(ENODATA, errno);
}

/* QUERY */
static int setup_query(struct __test_metadata *m, struct fenv *e)
{
	return pair(e, SECMSG_SUITE_AES128_GCM);
}

static int call_query(struct fenv *e)
{
	memset(&e->q, 0, sizeof(e->q));
	e->q.size = sizeof(e->q);
	return ioctl(e->a, SECMSG_IOC_QUERY, &e->q) ? -errno : 0;
}

static void ok_query(struct __test_metadata *_metadata, struct fenv *e)
{
	ASSERT_EQ((uint32_t)sizeof(e->q), e->q.size);
	ASSERT_EQ(1000ull, e->q.send_seq);
	ASSERT_STREQ("gcm(aes)", e->q.algorithm);
}

/* BATCH: NB messages; a failure inside may be per message */
static int setup_batch_op(struct fenv *e, uint32_t op)
{
	unsigned long req = op == SECMSG_OP_SIGN ? SECMSG_IOC_SIGN :
			    op == SECMSG_OP_SEAL ? SECMSG_IOC_SEAL : 0;
	int ret = pair(e, SECMSG_SUITE_AES256_GCM), i;

	if (ret)
		return ret;
	for (i = 0; i < NB; i++) {
		ts_fill(e->bdata[i], sizeof(e->bdata[i]), 100 + i);
		memcpy(e->borig[i], e->bdata[i], sizeof(e->bdata[i]));
		ts_buf(&e->bb[i][0], SECMSG_BUF_TOKEN, 0, e->btok[i], 32);
		ts_buf(&e->bb[i][1], SECMSG_BUF_DATA, 0, e->bdata[i], 64);
		ts_msg_init(&e->bm[i], e->bb[i], 2, 0);
	}
	/* the receiving ops get their input from single calls on a */
	if (op == SECMSG_OP_VERIFY || op == SECMSG_OP_UNSEAL) {
		req = op == SECMSG_OP_VERIFY ? SECMSG_IOC_SIGN :
					       SECMSG_IOC_SEAL;
		for (i = 0; i < NB; i++) {
			struct secmsg_message m = e->bm[i];

			if (ioctl(e->a, req, &m))
				return -errno;
			ts_msg_init(&e->bm[i], e->bb[i], 2, 0);
		}
	}
	memset(&e->batch, 0, sizeof(e->batch));
	e->batch.size = sizeof(e->batch);
	e->batch.op = op;
	e->batch.count = NB;
	e->batch.msgs = SM_PTR(e->bm);
	e->batch.msg_size = sizeof(e->bm[0]);
	e->batch.completed = e->batch.failed = POISON32;
	(void)req;
	return 0;
}

static int setup_batch_sign(struct __test_metadata *m, struct fenv *e)
{
	return setup_batch_op(e, SECMSG_OP_SIGN);
}

static int setup_batch_verify(struct __test_metadata *m, struct fenv *e)
{
	return setup_batch_op(e, SECMSG_OP_VERIFY);
}

static int setup_batch_seal(struct __test_metadata *m, struct fenv *e)
{
	return setup_batch_op(e, SECMSG_OP_SEAL);
}

static int setup_batch_unseal(struct __test_metadata *m, struct fenv *e)
{
	return setup_batch_op(e, SECMSG_OP_UNSEAL);
}

static int call_batch(struct fenv *e)
{
	int fd = e->batch.op == SECMSG_OP_SIGN ||
		 e->batch.op == SECMSG_OP_SEAL ? e->a : e->b;

	return ioctl(fd, SECMSG_IOC_BATCH, &e->batch) ? -errno : 0;
}

/*
 * Each message succeeded, or failed with ENOMEM and nothing written to its
 * buffers; a failed one then succeeds as a single call.  Every sent one
 * opens on the other side, in the order of the batch.
 */
static void ok_batch(struct __test_metadata *_metadata, struct fenv *e)
{
	uint32_t op = e->batch.op, done = 0, i;
	int sends = op == SECMSG_OP_SIGN || op == SECMSG_OP_SEAL;
	unsigned long single = op == SECMSG_OP_SIGN ? SECMSG_IOC_SIGN :
			       op == SECMSG_OP_VERIFY ? SECMSG_IOC_VERIFY :
			       op == SECMSG_OP_SEAL ? SECMSG_IOC_SEAL :
						      SECMSG_IOC_UNSEAL;
	unsigned long peer = op == SECMSG_OP_SIGN ? SECMSG_IOC_VERIFY :
						    SECMSG_IOC_UNSEAL;
	struct secmsg_query q;

	for (i = 0; i < NB; i++) {
		struct secmsg_message *m = &e->bm[i];
		int ret;

		if (m->error == 0) {
			ASSERT_EQ((uint32_t)SECMSG_VERDICT_OK, m->verdict);
			done++;
			continue;
		}
		ASSERT_EQ(-ENOMEM, m->error) TH_LOG("message %u", i);
		ASSERT_EQ((uint32_t)SECMSG_VERDICT_OK, m->verdict);
		if (op != SECMSG_OP_SIGN && op != SECMSG_OP_VERIFY)
			ASSERT_EQ(0, memcmp(sends ? e->borig[i] : e->bdata[i],
					    e->bdata[i], 64))
			TH_LOG("failed message %u was written", i);
		ts_msg_init(m, e->bb[i], 2, 0);
		ret = ioctl(sends ? e->a : e->b, single, m) ? -errno : 0;
		ASSERT_OK_MSG(ret, *m) TH_LOG("message %u again", i);
	}
	ASSERT_EQ(done, (uint32_t)e->batch.completed);
	ASSERT_EQ((uint32_t)NB - done, e->batch.failed);
	ASSERT_EQ(0, ts_query(sends ? e->a : e->b, &q));
	if (op == SECMSG_OP_SIGN)
		ASSERT_EQ(CNT(e->qa0, signed_msgs) + NB, CNT(q, signed_msgs));
	if (op == SECMSG_OP_SEAL)
		ASSERT_EQ(CNT(e->qa0, sealed) + NB, CNT(q, sealed));
	if (op == SECMSG_OP_VERIFY)
		ASSERT_EQ(CNT(e->qb0, verified) + NB, CNT(q, verified));
	if (op == SECMSG_OP_UNSEAL)
		ASSERT_EQ(CNT(e->qb0, unsealed) + NB, CNT(q, unsealed));
	if (sends) {
		/* numbers: one each, none wasted on a failure */
		ASSERT_EQ(e->qa0.send_seq + NB, q.send_seq);
		for (i = 0; i < NB; i++) {
			struct secmsg_message m;
			int ret;

			ts_msg_init(&m, e->bb[i], 2, 0);
			ret = ioctl(e->b, peer, &m) ? -errno : 0;
			ASSERT_OK_MSG(ret, m) TH_LOG("peer, message %u", i);
		}
	}
	for (i = 0; i < NB; i++)
		ASSERT_EQ(0, memcmp(e->borig[i], e->bdata[i], 64));
}

/* ---- the local package: INIT, ACCEPT, COMPLETE --------------------------- */

#define LTOK		SECMSG_LOCAL_TOKEN_SIZE
#define LOCAL_FLAGS	(SECMSG_CTX_MUTUAL_AUTH | SECMSG_CTX_REPLAY_DETECT | \
			 SECMSG_CTX_CONFIDENTIALITY)

static int mem_is(const uint8_t *p, uint8_t v, size_t n)
{
	while (n--)
		if (*p++ != v)
			return 0;
	return 1;
}

/* INIT's struct: the server is this process's own euid (for the fault test
 * one process plays both sides); out fields and the token poisoned. */
static void init_struct(struct fenv *e, uint32_t suite)
{
	memset(&e->ini, 0, sizeof(e->ini));
	e->ini.size = sizeof(e->ini);
	e->ini.package = SECMSG_PKG_LOCAL;
	e->ini.target_type = SECMSG_TARGET_UID;
	e->ini.target_uid = geteuid();
	e->ini.suite = suite;
	e->ini.ctx_flags = LOCAL_FLAGS;
	e->ini.imp_level = SECMSG_IMP_IMPERSONATE;
	e->ini.token_len = LTOK;
	e->ini.token = SM_PTR(e->itok);
	e->ini.status = POISON32;	/* out only: not checked on input */
	memset(e->itok, 0x5a, LTOK);
}

/* ACCEPT's struct for e->itok; the reply token is poisoned (the out
 * fields status, ctx_flags and imp_level are left zero, so that a failed
 * call is seen not to have written them). */
static void accept_struct(struct fenv *e)
{
	memset(&e->acc, 0, sizeof(e->acc));
	e->acc.size = sizeof(e->acc);
	e->acc.package = SECMSG_PKG_LOCAL;
	e->acc.in_token = SM_PTR(e->itok);
	e->acc.in_len = LTOK;
	e->acc.out_token = SM_PTR(e->rtok);
	e->acc.out_len = LTOK;
	memset(e->rtok, 0x5a, LTOK);
}

static void complete_struct(struct fenv *e)
{
	memset(&e->cmp, 0, sizeof(e->cmp));
	e->cmp.size = sizeof(e->cmp);
	e->cmp.in_token = SM_PTR(e->rtok);
	e->cmp.in_len = LTOK;
}

static int do_init(struct fenv *e)
{
	int fd = ioctl(e->dev, SECMSG_IOC_INIT, &e->ini);

	return fd < 0 ? -errno : fd;
}

static int do_accept(struct fenv *e)
{
	int fd = ioctl(e->dev, SECMSG_IOC_ACCEPT, &e->acc);

	return fd < 0 ? -errno : fd;
}

static int do_complete(struct fenv *e)
{
	return ioctl(e->a, SECMSG_IOC_COMPLETE, &e->cmp) ? -errno : 0;
}

/* Steps of an establishment, unfaulted, up to and including @upto:
 * 1 INIT (a, incomplete), 2 ACCEPT (b), 3 COMPLETE. */
static int establish_to(struct fenv *e, uint32_t suite, int upto)
{
	int fd;

	init_struct(e, suite);
	fd = do_init(e);
	if (fd < 0)
		return fd;
	e->a = fd;
	if (upto < 2)
		return 0;
	accept_struct(e);
	fd = do_accept(e);
	if (fd < 0)
		return fd;
	e->b = fd;
	if (upto < 3)
		return 0;
	complete_struct(e);
	return do_complete(e);
}

static void assert_state(struct __test_metadata *_metadata, int fd,
			 uint32_t role, uint32_t state)
{
	struct secmsg_query q;

	ASSERT_EQ(0, ts_query(fd, &q));
	ASSERT_EQ((uint32_t)SECMSG_PKG_LOCAL, q.package);
	ASSERT_EQ(role, q.role);
	ASSERT_EQ(state, q.state);
	ASSERT_EQ((uint32_t)SECMSG_IMP_IMPERSONATE, q.imp_level);
	ASSERT_EQ((uint32_t)SECMSG_ID_VALID, q.local.flags);
	ASSERT_EQ(geteuid(), q.local.uid);
	if (state == SECMSG_STATE_ACTIVE) {
		ASSERT_EQ((uint32_t)SECMSG_ID_VALID, q.peer.flags);
		ASSERT_EQ(geteuid(), q.peer.uid);
		ASSERT_EQ((uint32_t)getpid(), q.peer.pid);
	} else {
		ASSERT_EQ(0u, q.peer.flags);
	}
}

/* Finish an establishment a is part of (INIT or ACCEPT done), unfaulted. */
static void finish_pair(struct __test_metadata *_metadata, struct fenv *e)
{
	int ret;

	if (e->b < 0) {
		accept_struct(e);
		e->b = do_accept(e);
		ASSERT_LE(0, e->b) TH_LOG("ACCEPT: %s", strerror(-e->b));
	}
	complete_struct(e);
	ret = do_complete(e);
	ASSERT_EQ(0, ret) TH_LOG("COMPLETE: %s", strerror(-ret));
	assert_state(_metadata, e->a, SECMSG_ROLE_INITIATOR,
		     SECMSG_STATE_ACTIVE);
	assert_state(_metadata, e->b, SECMSG_ROLE_ACCEPTOR,
		     SECMSG_STATE_ACTIVE);
}

/* INIT */
static int setup_init_suite(struct fenv *e, uint32_t suite)
{
	init_struct(e, suite);
	return 0;
}

static int setup_init(struct __test_metadata *m, struct fenv *e)
{
	return setup_init_suite(e, 0);
}

static int setup_init_chacha(struct __test_metadata *m, struct fenv *e)
{
	return setup_init_suite(e, SECMSG_SUITE_CHACHA20_POLY1305);
}

static int call_init(struct fenv *e)
{
	int fd = do_init(e);

	if (fd < 0)
		return fd;
	e->newfd = fd;
	return 0;
}

static void ok_init(struct __test_metadata *_metadata, struct fenv *e)
{
	ASSERT_LE(0, e->newfd);
	ASSERT_EQ((uint32_t)SECMSG_STATUS_CONTINUE_NEEDED, e->ini.status);
	ASSERT_EQ((uint32_t)LTOK, e->ini.token_len);
	ASSERT_FALSE(mem_is(e->itok, 0x5a, LTOK));
	e->a = e->newfd;
	e->newfd = -1;
	assert_state(_metadata, e->a, SECMSG_ROLE_INITIATOR,
		     SECMSG_STATE_INCOMPLETE);
	finish_pair(_metadata, e);
}

static void failed_init(struct __test_metadata *_metadata, struct fenv *e)
{
	ASSERT_EQ(POISON32, e->ini.status);
	ASSERT_EQ((uint32_t)LTOK, e->ini.token_len);
	ASSERT_TRUE(mem_is(e->itok, 0x5a, LTOK)) TH_LOG("token written");
}

/* ACCEPT: the failed one gives its claim back, the same token works */
static int setup_accept_suite(struct fenv *e, uint32_t suite)
{
	int ret = establish_to(e, suite, 1);

	if (!ret)
		accept_struct(e);
	return ret;
}

static int setup_accept(struct __test_metadata *m, struct fenv *e)
{
	return setup_accept_suite(e, 0);
}

static int setup_accept_aes128(struct __test_metadata *m, struct fenv *e)
{
	return setup_accept_suite(e, SECMSG_SUITE_AES128_GCM);
}

static int setup_accept_chacha(struct __test_metadata *m, struct fenv *e)
{
	return setup_accept_suite(e, SECMSG_SUITE_CHACHA20_POLY1305);
}

static int call_accept(struct fenv *e)
{
	int fd = do_accept(e);

	if (fd < 0)
		return fd;
	e->newfd = fd;
	return 0;
}

static void ok_accept(struct __test_metadata *_metadata, struct fenv *e)
{
	ASSERT_LE(0, e->newfd);
	ASSERT_EQ((uint32_t)SECMSG_STATUS_OK, e->acc.status);
	ASSERT_EQ((uint32_t)LTOK, e->acc.out_len);
	ASSERT_EQ((uint32_t)SECMSG_IMP_IMPERSONATE, e->acc.imp_level);
	ASSERT_EQ(LOCAL_FLAGS | SECMSG_CTX_INTEGRITY, e->acc.ctx_flags);
	ASSERT_FALSE(mem_is(e->rtok, 0x5a, LTOK));
	e->b = e->newfd;
	e->newfd = -1;
	finish_pair(_metadata, e);
}

static void failed_accept(struct __test_metadata *_metadata, struct fenv *e)
{
	ASSERT_EQ((uint32_t)LTOK, e->acc.out_len);
	ASSERT_EQ(0u, e->acc.status);
	ASSERT_EQ(0u, e->acc.ctx_flags);
	ASSERT_EQ(0u, e->acc.imp_level);
	ASSERT_TRUE(mem_is(e->rtok, 0x5a, LTOK)) TH_LOG("reply token written");
	/* the client is still waiting (the runner compares its QUERY) */
	assert_state(_metadata, e->a, SECMSG_ROLE_INITIATOR,
		     SECMSG_STATE_INCOMPLETE);
	/* and the runner's retry of the same ACCEPT shows the token was
	 * given back (a claim kept would say EALREADY) */
	accept_struct(e);
}

/* COMPLETE: a failed one leaves the client incomplete and the reply token
 * good (secmsg_local_complete changes nothing before its last step) */
static int setup_complete_suite(struct fenv *e, uint32_t suite)
{
	int ret = establish_to(e, suite, 2);

	if (!ret)
		complete_struct(e);
	return ret;
}

static int setup_complete(struct __test_metadata *m, struct fenv *e)
{
	return setup_complete_suite(e, 0);
}

static int setup_complete_aes128(struct __test_metadata *m, struct fenv *e)
{
	return setup_complete_suite(e, SECMSG_SUITE_AES128_GCM);
}

static int setup_complete_chacha(struct __test_metadata *m, struct fenv *e)
{
	return setup_complete_suite(e, SECMSG_SUITE_CHACHA20_POLY1305);
}

static int call_complete(struct fenv *e)
{
	return do_complete(e);
}

static void ok_complete(struct __test_metadata *_metadata, struct fenv *e)
{
	int ret;

	ASSERT_EQ((uint32_t)SECMSG_STATUS_OK, e->cmp.status);
	ASSERT_EQ(LOCAL_FLAGS | SECMSG_CTX_INTEGRITY, e->cmp.ctx_flags);
	ASSERT_EQ((uint32_t)SECMSG_IMP_IMPERSONATE, e->cmp.imp_level);
	assert_state(_metadata, e->a, SECMSG_ROLE_INITIATOR,
		     SECMSG_STATE_ACTIVE);
	/* once only */
	complete_struct(e);
	ret = do_complete(e);
	ASSERT_EQ(-EISCONN, ret);
}

static void failed_complete(struct __test_metadata *_metadata, struct fenv *e)
{
	ASSERT_EQ(0u, e->cmp.status);
	ASSERT_EQ(0u, e->cmp.ctx_flags);
	ASSERT_EQ(0u, e->cmp.imp_level);
	/* still incomplete (a message call here would count a failure:
	 * the runner's QUERY comparison covers the rest) */
	assert_state(_metadata, e->a, SECMSG_ROLE_INITIATOR,
		     SECMSG_STATE_INCOMPLETE);
	/* the runner retries with the same reply token: it must work */
	complete_struct(e);
}

/* IMPERSONATE on the acceptor (a root client, so only the record and the
 * credentials copy are at stake), then REVERT: the thread's credentials
 * as /proc shows them are the same before, after a failed call, and after
 * REVERT. */
static char creds0[1024];

static void thread_creds(char *out, size_t len)
{
	char line[256];
	size_t used = 0;
	FILE *f = fopen("/proc/thread-self/status", "re");

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if ((!strncmp(line, "Uid:", 4) || !strncmp(line, "Gid:", 4) ||
		     !strncmp(line, "Groups:", 7) || !strncmp(line, "Cap", 3)) &&
		    used + strlen(line) < len) {
			strcpy(out + used, line);
			used += strlen(line);
		}
	fclose(f);
}

static int imp_ioctl(int fd, unsigned long req)
{
	struct secmsg_impersonate a = { .size = sizeof(a) };

	return ioctl(fd, req, &a) ? -errno : 0;
}

static int setup_impersonate(struct __test_metadata *m, struct fenv *e)
{
	thread_creds(creds0, sizeof(creds0));
	return establish_to(e, 0, 3);
}

static int call_impersonate(struct fenv *e)
{
	return imp_ioctl(e->b, SECMSG_IOC_IMPERSONATE);
}

static void ok_impersonate(struct __test_metadata *_metadata, struct fenv *e)
{
	char now[1024];

	ASSERT_EQ(-EBUSY, imp_ioctl(e->b, SECMSG_IOC_IMPERSONATE));
	ASSERT_EQ(0, imp_ioctl(e->dev, SECMSG_IOC_REVERT));
	thread_creds(now, sizeof(now));
	ASSERT_STREQ(creds0, now);
}

static void failed_impersonate(struct __test_metadata *_metadata,
			       struct fenv *e)
{
	char now[1024];

	/* not impersonating, nothing changed */
	ASSERT_EQ(-ENOENT, imp_ioctl(e->b, SECMSG_IOC_REVERT));
	thread_creds(now, sizeof(now));
	ASSERT_STREQ(creds0, now);
}

/* QUERY of a local context (the VER1 struct with both identities) */
static int setup_query_local(struct __test_metadata *m, struct fenv *e)
{
	return establish_to(e, 0, 3);
}

static int setup_query_incomplete(struct __test_metadata *m, struct fenv *e)
{
	return establish_to(e, 0, 1);
}

static void ok_query_local(struct __test_metadata *_metadata, struct fenv *e)
{
	ASSERT_EQ((uint32_t)sizeof(e->q), e->q.size);
	ASSERT_EQ((uint32_t)SECMSG_PKG_LOCAL, e->q.package);
	ASSERT_EQ((uint32_t)SECMSG_STATE_ACTIVE, e->q.state);
	ASSERT_EQ((uint32_t)SECMSG_ID_VALID, e->q.local.flags);
	ASSERT_EQ((uint32_t)SECMSG_ID_VALID, e->q.peer.flags);
	ASSERT_EQ(geteuid(), e->q.peer.uid);
	ASSERT_EQ((uint32_t)getpid(), e->q.peer.pid);
}

static void ok_query_incomplete(struct __test_metadata *_metadata,
				struct fenv *e)
{
	ASSERT_EQ((uint32_t)sizeof(e->q), e->q.size);
	ASSERT_EQ((uint32_t)SECMSG_PKG_LOCAL, e->q.package);
	ASSERT_EQ((uint32_t)SECMSG_STATE_INCOMPLETE, e->q.state);
	ASSERT_EQ((uint32_t)SECMSG_ID_VALID, e->q.local.flags);
	ASSERT_EQ(0u, e->q.peer.flags);
	finish_pair(_metadata, e);
}

static void failed_query(struct __test_metadata *_metadata, struct fenv *e)
{
}

/* ---- FRESH imports (uapi "Pre-shared keys"): IMPORT and COMPLETE -------- */

#define CS	SECMSG_CONTRIB_SIZE

static struct ts_ctx_opts fresh_opts(uint32_t role, uint32_t suite)
{
	int ini = role == SECMSG_ROLE_INITIATOR;

	return (struct ts_ctx_opts){
		.role = role, .suite = suite, .ctx_flags = SM_FLAGS_DEFAULT,
		.key = ts_test_key, .key_len = 32,
		.send_seq = ini ? 1000 : 2000, .recv_seq = ini ? 2000 : 1000,
	};
}

static void assert_fresh_state(struct __test_metadata *_metadata, int fd,
			       uint32_t state)
{
	struct secmsg_query q;

	ASSERT_EQ(0, ts_query(fd, &q));
	ASSERT_EQ((uint32_t)SECMSG_PKG_RAW, q.package);
	ASSERT_EQ(state, q.state);
}

/* IMPORT of a (initiator) with FRESH; b is made by ok_import_fresh */
static int setup_import_fresh_suite(struct fenv *e, uint32_t suite)
{
	struct ts_ctx_opts o = fresh_opts(SECMSG_ROLE_INITIATOR, suite);

	e->suite = suite;
	ts_import_init(&e->imp, &o);
	e->imp.flags = SECMSG_IMPORT_FRESH;
	e->imp.contrib = SM_PTR(e->ca);
	e->imp.contrib_len = CS;
	memset(e->ca, 0x5a, CS);
	return 0;
}

static int setup_import_fresh(struct __test_metadata *m, struct fenv *e)
{
	return setup_import_fresh_suite(e, SECMSG_SUITE_AES256_GCM);
}

static int setup_import_fresh_chacha(struct __test_metadata *m,
				     struct fenv *e)
{
	return setup_import_fresh_suite(e, SECMSG_SUITE_CHACHA20_POLY1305);
}

static void ok_import_fresh(struct __test_metadata *_metadata, struct fenv *e)
{
	struct ts_ctx_opts o = fresh_opts(SECMSG_ROLE_ACCEPTOR, e->suite);

	ASSERT_LE(0, e->newfd);
	ASSERT_FALSE(mem_is(e->ca, 0x5a, CS));
	e->a = e->newfd;
	e->newfd = -1;
	assert_fresh_state(_metadata, e->a, SECMSG_STATE_INCOMPLETE);
	e->b = ts_import_fresh(e->dev, &o, e->cb);
	ASSERT_LE(0, e->b);
	ASSERT_EQ(0, ts_complete_fresh(e->b, e->ca, CS));
	ASSERT_EQ(0, ts_complete_fresh(e->a, e->cb, CS));
	assert_fresh_state(_metadata, e->a, SECMSG_STATE_ACTIVE);
}

static void failed_import_fresh(struct __test_metadata *_metadata,
				struct fenv *e)
{
	ASSERT_TRUE(mem_is(e->ca, 0x5a, CS)) TH_LOG("contribution written");
}

/* COMPLETE of a with b's contribution (b already has a's) */
static int setup_complete_fresh_suite(struct fenv *e, uint32_t suite)
{
	struct ts_ctx_opts oa = fresh_opts(SECMSG_ROLE_INITIATOR, suite);
	struct ts_ctx_opts ob = fresh_opts(SECMSG_ROLE_ACCEPTOR, suite);
	int ret;

	e->suite = suite;
	e->a = ts_import_fresh(e->dev, &oa, e->ca);
	if (e->a < 0)
		return e->a;
	e->b = ts_import_fresh(e->dev, &ob, e->cb);
	if (e->b < 0)
		return e->b;
	ret = ts_complete_fresh(e->b, e->ca, CS);
	memset(&e->cmp, 0, sizeof(e->cmp));
	e->cmp.size = sizeof(e->cmp);
	e->cmp.in_token = SM_PTR(e->cb);
	e->cmp.in_len = CS;
	return ret;
}

static int setup_complete_fresh(struct __test_metadata *m, struct fenv *e)
{
	return setup_complete_fresh_suite(e, SECMSG_SUITE_AES256_GCM);
}

static int setup_complete_fresh_aes128(struct __test_metadata *m,
				       struct fenv *e)
{
	return setup_complete_fresh_suite(e, SECMSG_SUITE_AES128_GCM);
}

static int setup_complete_fresh_chacha(struct __test_metadata *m,
				       struct fenv *e)
{
	return setup_complete_fresh_suite(e, SECMSG_SUITE_CHACHA20_POLY1305);
}

static void ok_complete_fresh(struct __test_metadata *_metadata,
			      struct fenv *e)
{
	ASSERT_EQ((uint32_t)SECMSG_STATUS_OK, e->cmp.status);
	ASSERT_EQ((uint32_t)SM_FLAGS_DEFAULT | SECMSG_CTX_INTEGRITY,
		  e->cmp.ctx_flags);
	ASSERT_EQ(0u, e->cmp.imp_level);
	assert_fresh_state(_metadata, e->a, SECMSG_STATE_ACTIVE);
	/* once only */
	ASSERT_EQ(-EISCONN, ts_complete_fresh(e->a, e->cb, CS));
}

static void failed_complete_fresh(struct __test_metadata *_metadata,
				  struct fenv *e)
{
	ASSERT_EQ(0u, e->cmp.status | e->cmp.ctx_flags | e->cmp.imp_level);
	/* still incomplete: the runner's QUERY comparison covers the rest,
	 * and its retry of the same COMPLETE must work */
	assert_fresh_state(_metadata, e->a, SECMSG_STATE_INCOMPLETE);
}

/* ---- delegated Kerberos credentials (uapi "Kerberos contexts") ------------
 *
 * IMPORT_KRB5 VER1 with two delegated credentials builds 2 keyrings and
 * 4 user keys (uapi: the collection, its primary, the cache keyring, the
 * principal and one key per credential), owned by the importer (root);
 * IMPERSONATE links the collection into the impersonation's thread
 * keyring (a keyring of the client's, 4242 here) and REVERT unlinks it.
 * Keys are counted in /proc/key-users: a failed call must leave every
 * count as it was (freed keys go by the key garbage collector: waited
 * for, bounded), a successful one adds exactly its own.
 */
#define DELEG_UID	4242
#define DELEG_GID	4243
#define DELEG_NKEYS	6
#define DELEG_COLL	"_krb_secmsg"

static const char dl_princ[] = "\0\0\0\1\0\0\0\1\0\0\0\4TEST\0\0\0\5alice";
static const char dl_tgt[] = "TGT of alice, as ccache v4 would have it";
static const char dl_svc[] = "a service ticket";

static long dl_keyctl(int cmd, long a, long b, long c, long d)
{
	long r = syscall(__NR_keyctl, cmd, a, b, c, d);

	return r < 0 ? -errno : r;
}

/* The collection in this thread's thread keyring: its id, or -errno. */
static long dl_coll(void)
{
	return dl_keyctl(KEYCTL_SEARCH, KEY_SPEC_THREAD_KEYRING,
			 (long)"keyring", (long)DELEG_COLL, 0);
}

/* Keys @uid owns (/proc/key-users: no line once it owns none). */
static long dl_nkeys(uid_t uid)
{
	char line[256];
	long n = 0;
	unsigned int u;
	int usage, nk;
	FILE *f = fopen("/proc/key-users", "re");

	if (!f)
		return -2;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %u: %d %d/", &u, &usage, &nk) == 3 &&
		    u == uid)
			n = nk;
	fclose(f);
	return n;
}

/* @uid's key count is @want, at once or once the collector ran. */
static bool dl_nkeys_is(uid_t uid, long want)
{
	int i;

	for (i = 0; i < 3000; i++) {	/* 30 s: a loaded debug guest */
		if (dl_nkeys(uid) == want)
			return true;
		usleep(10 * 1000);
	}
	return false;
}

/*
 * The counts with nothing of ours pending: the first step waits for them
 * to settle (earlier tests' keys being collected), later steps for them
 * to come back there.
 */
static long dl_idle[2] = { -3, -3 };

static int dl_settle(struct __test_metadata *_metadata)
{
	static const uid_t uids[2] = { 0, DELEG_UID };
	unsigned int i, same;
	long n;

	for (i = 0; i < 2; i++) {
		if (dl_idle[i] != -3) {
			if (!dl_nkeys_is(uids[i], dl_idle[i])) {
				TH_LOG("keys of uid %u: %ld, were %ld at rest",
				       uids[i], dl_nkeys(uids[i]), dl_idle[i]);
				return -EEXIST;
			}
			continue;
		}
		n = dl_nkeys(uids[i]);
		for (same = 0; same < 20; same++) {	/* 200 ms unchanged */
			usleep(10 * 1000);
			if (dl_nkeys(uids[i]) != n) {
				n = dl_nkeys(uids[i]);
				same = 0;
			}
		}
		dl_idle[i] = n;
	}
	return 0;
}

/* The process keyring exists (creating it while impersonating would be a
 * change of credentials: REVERT would say ESTALE); -EOPNOTSUPP: no keys. */
static int dl_keys_ready(struct __test_metadata *_metadata)
{
	if (dl_keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1, 0,
		      0) == -ENOSYS)
		return -EOPNOTSUPP;
	return dl_settle(_metadata);
}

/* e->kimp: an acceptor of a delegating client, with two credentials. */
static void dl_imp(struct fenv *e)
{
	struct secmsg_krb5_import *k = &e->kimp;

	krb5_imp(e, SECMSG_KRB5_AES256_CTS_HMAC_SHA1_96, SECMSG_ROLE_ACCEPTOR,
		 2000, 1000);
	k->imp_level = SECMSG_IMP_DELEGATE;
	k->ctx_flags |= SECMSG_CTX_DELEGATE;
	k->peer_uid = DELEG_UID;
	k->peer_gid = DELEG_GID;
	k->deleg_princ = SM_PTR(dl_princ);
	k->deleg_princ_len = sizeof(dl_princ) - 1;
	e->kcreds[0] = (struct secmsg_krb5_cred){
		.desc = SM_PTR("krbtgt/TEST@TEST"), .desc_len = 16,
		.data = SM_PTR(dl_tgt), .data_len = sizeof(dl_tgt) - 1,
	};
	e->kcreds[1] = (struct secmsg_krb5_cred){
		.desc = SM_PTR("backend/localhost@TEST"), .desc_len = 22,
		.data = SM_PTR(dl_svc), .data_len = sizeof(dl_svc) - 1,
	};
	k->deleg_creds = SM_PTR(e->kcreds);
	k->deleg_ncreds = 2;
}

/* Snapshot of the key counts the call may change. */
static void dl_count(struct fenv *e)
{
	e->keys0 = dl_nkeys(0);
	e->ckeys0 = dl_nkeys(DELEG_UID);
}

static void dl_assert_counts(struct __test_metadata *_metadata,
			     struct fenv *e, long keys, long ckeys)
{
	ASSERT_TRUE(dl_nkeys_is(0, keys))
	TH_LOG("keys of root: %ld, expected %ld", dl_nkeys(0), keys);
	ASSERT_TRUE(dl_nkeys_is(DELEG_UID, ckeys))
	TH_LOG("keys of uid %u: %ld, expected %ld", DELEG_UID,
	       dl_nkeys(DELEG_UID), ckeys);
}

/* IMPORT_KRB5 VER1 delegating two credentials. */
static int setup_import_krb5_deleg(struct __test_metadata *_metadata,
				   struct fenv *e)
{
	int ret = dl_keys_ready(_metadata);

	if (ret)
		return ret;
	e->suite = SECMSG_KRB5_AES256_CTS_HMAC_SHA1_96;
	dl_imp(e);
	dl_count(e);
	return 0;
}

/* a: the new acceptor, holding exactly its keys; b: its initiator */
static void ok_import_krb5_deleg(struct __test_metadata *_metadata,
				 struct fenv *e)
{
	struct secmsg_query q;

	ASSERT_LE(0, e->newfd);
	ASSERT_EQ(0, ts_query(e->newfd, &q));
	ASSERT_EQ(2000ull, q.send_seq);
	ASSERT_EQ(e->suite, q.suite);
	ASSERT_EQ((uint32_t)SECMSG_IMP_DELEGATE, q.imp_level);
	ASSERT_EQ(e->keys0 + DELEG_NKEYS, dl_nkeys(0));
	e->a = e->newfd;
	e->newfd = -1;
	krb5_imp(e, e->suite, SECMSG_ROLE_INITIATOR, 1000, 2000);
	e->b = ioctl(e->dev, SECMSG_IOC_IMPORT_KRB5, &e->kimp);
	ASSERT_LE(0, e->b);
}

/* No descriptor (the runner counts them), and no key left. */
static void failed_import_krb5_deleg(struct __test_metadata *_metadata,
				     struct fenv *e)
{
	dl_assert_counts(_metadata, e, e->keys0, e->ckeys0);
}

/* A delegating acceptor context (b) and its initiator (a), unfaulted. */
static int dl_pair(struct __test_metadata *_metadata, struct fenv *e)
{
	int ret = dl_keys_ready(_metadata);

	if (ret)
		return ret;
	dl_imp(e);
	e->b = ioctl(e->dev, SECMSG_IOC_IMPORT_KRB5, &e->kimp);
	if (e->b < 0)
		return -errno;
	krb5_imp(e, SECMSG_KRB5_AES256_CTS_HMAC_SHA1_96,
		 SECMSG_ROLE_INITIATOR, 1000, 2000);
	e->a = ioctl(e->dev, SECMSG_IOC_IMPORT_KRB5, &e->kimp);
	return e->a < 0 ? -errno : 0;
}

/*
 * IMPERSONATE on it: the client's ids and the collection in the thread
 * keyring, or (failed) nothing: the same credentials, no record, no
 * thread keyring, no key of the impersonation left.
 */
static int setup_impersonate_deleg(struct __test_metadata *_metadata,
				   struct fenv *e)
{
	int ret = dl_pair(_metadata, e);

	thread_creds(creds0, sizeof(creds0));
	dl_count(e);
	return ret;
}

static void ok_impersonate_deleg(struct __test_metadata *_metadata,
				 struct fenv *e)
{
	char now[1024];
	long coll;

	ASSERT_EQ((uid_t)DELEG_UID, geteuid());
	coll = dl_coll();
	ASSERT_LT(0, coll) TH_LOG("collection: %s", strerror((int)-coll));
	ASSERT_EQ(-EBUSY, imp_ioctl(e->b, SECMSG_IOC_IMPERSONATE));
	ASSERT_EQ(0, imp_ioctl(e->dev, SECMSG_IOC_REVERT));
	thread_creds(now, sizeof(now));
	ASSERT_STREQ(creds0, now);
	ASSERT_EQ(-ENOKEY, dl_coll());
	/* the impersonation's thread keyring went with it */
	dl_assert_counts(_metadata, e, e->keys0, e->ckeys0);
}

static void failed_impersonate_deleg(struct __test_metadata *_metadata,
				     struct fenv *e)
{
	char now[1024];

	ASSERT_EQ(-ENOENT, imp_ioctl(e->b, SECMSG_IOC_REVERT));
	thread_creds(now, sizeof(now));
	ASSERT_STREQ(creds0, now);
	ASSERT_EQ(-ENOKEY, dl_coll());
	dl_assert_counts(_metadata, e, e->keys0, e->ckeys0);
}

/*
 * REVERT of that impersonation: REVERT documents no ENOMEM, so every
 * fault must be absorbed, and the impersonation still undone whole: the
 * thread's credentials, no collection, the impersonation's keyring gone.
 */
static int setup_revert_deleg(struct __test_metadata *_metadata,
			      struct fenv *e)
{
	int ret = dl_pair(_metadata, e);

	thread_creds(creds0, sizeof(creds0));
	if (!ret)
		ret = imp_ioctl(e->b, SECMSG_IOC_IMPERSONATE);
	dl_count(e);
	return ret;
}

static int call_revert(struct fenv *e)
{
	return imp_ioctl(e->dev, SECMSG_IOC_REVERT);
}

static void ok_revert_deleg(struct __test_metadata *_metadata,
			    struct fenv *e)
{
	char now[1024];

	thread_creds(now, sizeof(now));
	ASSERT_STREQ(creds0, now);
	ASSERT_EQ(-ENOKEY, dl_coll());
	ASSERT_EQ(-ENOENT, imp_ioctl(e->dev, SECMSG_IOC_REVERT));
	/* the impersonation's thread keyring is freed */
	dl_assert_counts(_metadata, e, e->keys0, e->ckeys0 - 1);
	/* and the context gives the collection again */
	ASSERT_EQ(0, imp_ioctl(e->b, SECMSG_IOC_IMPERSONATE));
	ASSERT_LT(0, dl_coll());
	ASSERT_EQ(0, imp_ioctl(e->dev, SECMSG_IOC_REVERT));
	ASSERT_EQ(-ENOKEY, dl_coll());
}

static void failed_revert(struct __test_metadata *_metadata, struct fenv *e)
{
	ASSERT_TRUE(0) TH_LOG("REVERT failed with ENOMEM: not an errno of "
			      "REVERT's (uapi: ENOENT, ESTALE)");
}

/*
 * REVERT refused with ESTALE (the thread set its effective uid back to
 * its real one): the collection leaves the thread keyring all the same
 * (uapi: "whatever REVERT returns").  Such a thread keeps the changed
 * credentials, without capabilities: a thread of its own each time, whose
 * fail-nth is armed with the runner's N.
 */
static int setup_revert_stale_deleg(struct __test_metadata *_metadata,
				    struct fenv *e)
{
	int ret = dl_pair(_metadata, e);

	thread_creds(creds0, sizeof(creds0));
	dl_count(e);
	return ret;
}

static void *dl_stale_thread(void *arg)
{
	struct fenv *e = arg;
	long n = e->w_left;
	char b[16];
	int fd, l;

	e->w_left = -1;
	e->w_revert = e->w_found = -EPROTO;
	e->w_imp = imp_ioctl(e->b, SECMSG_IOC_IMPERSONATE);
	if (e->w_imp)
		return NULL;
	/* raw syscall: glibc's would change every thread */
	if (syscall(__NR_setresuid, -1, 0, -1)) {
		e->w_imp = -errno;
		return NULL;
	}
	fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	l = snprintf(b, sizeof(b), "%ld", n);
	if (pwrite(fd, b, l, 0) == l) {
		e->w_revert = imp_ioctl(e->dev, SECMSG_IOC_REVERT);
		memset(b, 0, sizeof(b));
		if (pread(fd, b, sizeof(b) - 1, 0) > 0)
			e->w_left = strtol(b, NULL, 10);
		pwrite(fd, "0", 1, 0);
	}
	close(fd);
	e->w_found = dl_coll();
	return NULL;
}

static int call_revert_stale(struct fenv *e)
{
	pthread_t th;

	/* the runner armed this thread: the worker's REVERT takes it */
	e->w_left = nth_left();
	nth_arm(0);
	if (pthread_create(&th, NULL, dl_stale_thread, e))
		return -EAGAIN;
	pthread_join(th, NULL);
	/* what the runner reads back: 0 if the fault was injected */
	nth_arm(e->w_left < 0 ? 1 : (unsigned int)e->w_left);
	if (e->w_imp)
		return -EPROTO;
	return e->w_revert == -ESTALE ? 0 : e->w_revert ? e->w_revert : -EPROTO;
}

static void ok_revert_stale_deleg(struct __test_metadata *_metadata,
				  struct fenv *e)
{
	char now[1024];

	ASSERT_EQ(0, e->w_imp) TH_LOG("IMPERSONATE: %s",
				      strerror((int)-e->w_imp));
	ASSERT_EQ(-ESTALE, e->w_revert);
	ASSERT_EQ(-ENOKEY, e->w_found)
	TH_LOG("after REVERT (ESTALE) the thread keyring still holds the "
	       "collection (%ld)", e->w_found);
	thread_creds(now, sizeof(now));
	ASSERT_STREQ(creds0, now);
	ASSERT_EQ(-ENOENT, imp_ioctl(e->dev, SECMSG_IOC_REVERT));
	/* the worker is gone, and so is its thread keyring */
	dl_assert_counts(_metadata, e, e->keys0, e->ckeys0);
}

/* ---- the runner ------------------------------------------------------- */

static void fenv_free(struct fenv *e)
{
	if (e->a >= 0)
		close(e->a);
	if (e->b >= 0)
		close(e->b);
	if (e->newfd >= 0)
		close(e->newfd);
	if (e->echo > 0)
		close(e->echo);
	if (!e->stream)
		free(e->data);
	free(e->orig);
	free(e->rwc);
	free(e->stream);
	free(e->pre);
	memset(e, 0, sizeof(*e));
	e->a = e->b = e->newfd = -1;
}

static void snapshot(struct fenv *e, struct secmsg_query *qa,
		     struct secmsg_query *qb)
{
	memset(qa, 0, sizeof(*qa));
	memset(qb, 0, sizeof(*qb));
	if (e->a >= 0)
		ts_query(e->a, qa);
	if (e->b >= 0)
		ts_query(e->b, qb);
	/* the part of QUERY that a call may change */
	qa->created = qa->expires = qb->created = qb->expires = 0;
	/*
	 * Memory, not state: a failed call may keep what it grew for the
	 * next, and the idle pass frees it at any time.
	 */
	qa->kept = qb->kept = 0;
}

FIXTURE(fault) {
	int dev;
	int armed;
};

FIXTURE_VARIANT(fault) {
	struct fcase c;
};

FIXTURE_SETUP(fault)
{
	if (geteuid() != 0)
		SM_SKIP_SETUP("needs root (debugfs fault injection)");
	if (access(FAIL_NTH, F_OK))
		SM_SKIP_SETUP("no %s: kernel without CONFIG_FAULT_INJECTION",
			      FAIL_NTH);
	if (access(FAILSLAB "ignore-gfp-wait", F_OK))
		SM_SKIP_SETUP("no %s: kernel without CONFIG_FAILSLAB and "
			      "CONFIG_FAULT_INJECTION_DEBUG_FS", FAILSLAB);
	SM_OPEN_DEV_OR_SKIP(self->dev);
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		SM_SKIP_SETUP("mlockall: %s", strerror(errno));
	nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nth_fd);
	knobs_save();
	self->armed = 1;
}

FIXTURE_TEARDOWN(fault)
{
	if (self->armed) {
		nth_arm(0);
		knobs_restore();
	}
}

static void run_case(struct __test_metadata *_metadata, int dev,
		     const struct fcase *c, unsigned int mode)
{
	unsigned int n, failed = 0, absorbed = 0;
	struct fenv e = { .a = -1, .b = -1, .newfd = -1 };

	if (c->bug && !getenv("SECMSG_FAULTS_STRICT"))
		SKIP(return, "known bug: %s (SECMSG_FAULTS_STRICT=1 runs it)",
		     c->bug);
	if (!(c->modes & mode))
		SKIP(return, "%s: no %s faults in this call's table entry",
		     c->name, mode == FI_PAGE ? "page" : "slab");
	ASSERT_EQ(0, knobs_set(mode));

	for (n = 1; n <= MAX_STEPS; n++) {
		struct secmsg_query qa, qb;
		int ret, fds;
		long left;

		e.dev = dev;
		ret = c->setup(_metadata, &e);
		if (ret == -EOPNOTSUPP && n == 1)
			SKIP(return, "%s: kernel without keyrings (CONFIG_KEYS)",
			     c->name);
		ASSERT_EQ(0, ret) TH_LOG("%s setup: %s", c->name, strerror(-ret));
		snapshot(&e, &e.qa0, &e.qb0);
		e.nfds0 = count_fds();
		if (e.len && c->call == call_msg) {
			e.pre = malloc(e.len);
			ASSERT_NE(NULL, e.pre);
			memcpy(e.pre, e.data, e.len);
		}

		ASSERT_EQ(0, nth_arm(n));
		ret = c->call(&e);
		left = nth_left();
		nth_arm(0);

		if (left != 0) {		/* fewer than n allocations */
			ASSERT_EQ(0, ret) TH_LOG("%s without a fault: %s",
						 c->name, strerror(-ret));
			c->ok(_metadata, &e);
			ts_assert_pair_works(_metadata, e.a, e.b);
			fenv_free(&e);
			break;
		}
		if (ret == 0) {			/* an optional allocation */
			absorbed++;
			c->ok(_metadata, &e);
		} else {
			failed++;
			ASSERT_EQ(-ENOMEM, ret)
			TH_LOG("%s, allocation %u failed: %s", c->name, n,
			       strerror(-ret));
			fds = count_fds();
			ASSERT_EQ(e.nfds0, fds)
			TH_LOG("%s, allocation %u: descriptors %d -> %d",
			       c->name, n, e.nfds0, fds);
			if (c->failed)
				c->failed(_metadata, &e);
			else if (c->call != call_import && c->call != call_batch)
				assert_poisoned(_metadata, &e.m);
			if (c->call == call_batch) {
				ASSERT_EQ(POISON32, e.batch.completed);
				ASSERT_EQ(POISON32, e.batch.failed);
			}
			if (e.len && c->call == call_msg)
				ASSERT_EQ(0, memcmp(e.pre, e.data, e.len))
				TH_LOG("%s, allocation %u: buffer written",
				       c->name, n);
			snapshot(&e, &qa, &qb);
			ASSERT_EQ(e.qa0.send_seq, qa.send_seq)
			TH_LOG("%s, allocation %u: a failed call used a "
			       "sequence number", c->name, n);
			ASSERT_EQ(0, memcmp(&e.qa0, &qa, sizeof(qa)))
			TH_LOG("%s, allocation %u: sender's state changed",
			       c->name, n);
			ASSERT_EQ(0, memcmp(&e.qb0, &qb, sizeof(qb)))
			TH_LOG("%s, allocation %u: receiver's state changed",
			       c->name, n);
			/* the same call, unfaulted, now succeeds */
			if (c->call == call_msg)
				ts_msg_init(&e.m, e.bufs, e.nbufs, e.qop);
			if (c->call == call_batch)
				e.batch.completed = e.batch.failed = POISON32;
			ret = c->call(&e);
			ASSERT_EQ(0, ret) TH_LOG("%s again after allocation %u: %s",
						 c->name, n, strerror(-ret));
			c->ok(_metadata, &e);
		}
		ts_assert_pair_works(_metadata, e.a, e.b);
		fenv_free(&e);
	}
	ASSERT_GE((unsigned int)MAX_STEPS, n) TH_LOG("%s: still faulting after %u steps",
				       c->name, MAX_STEPS);
	TH_LOG("%s (%s): %u allocations, %u failed the call cleanly, %u "
	       "absorbed", c->name, mode == FI_PAGE ? "slab+page" : "slab",
	       n - 1, failed, absorbed);
}

TEST_F_TIMEOUT(fault, slab, 600)
{
	run_case(_metadata, self->dev, &variant->c, FI_SLAB);
}

TEST_F_TIMEOUT(fault, page, 600)
{
	run_case(_metadata, self->dev, &variant->c, FI_PAGE);
}

/*
 * The table: one entry per call site (name, fault modes, setup, the call,
 * the check of a successful result).  Add a call by adding a line.
 */
#define FAULT_CASE(id, modes, setup, call, ok) \
	FIXTURE_VARIANT_ADD(fault, id) { .c = { #id, modes, setup, call, ok, NULL, NULL } }
/* An entry that fails on a known kernel bug, named in @bug. */
#define FAULT_CASE_BUG(id, modes, setup, call, ok, bug) \
	FIXTURE_VARIANT_ADD(fault, id) { .c = { #id, modes, setup, call, ok, bug, NULL } }
/* An entry whose failed call is checked by @failed (not a message call). */
#define FAULT_CASE_F(id, modes, setup, call, ok, failed) \
	FIXTURE_VARIANT_ADD(fault, id) { .c = { #id, modes, setup, call, ok, NULL, failed } }

FAULT_CASE(import_aes128_gcm, FI_SLAB | FI_PAGE, setup_import_aes128, call_import, ok_import);
FAULT_CASE(import_aes256_gcm, FI_SLAB, setup_import_aes256, call_import, ok_import);
FAULT_CASE(import_chacha20_poly1305, FI_SLAB, setup_import_chacha, call_import, ok_import);
FAULT_CASE_F(import_krb5_aes256_sha1, FI_SLAB | FI_PAGE, setup_import_krb5_sha1, call_import_krb5, ok_import_krb5, failed_import_krb5);
FAULT_CASE_F(import_krb5_aes256_sha384, FI_SLAB, setup_import_krb5_sha2, call_import_krb5, ok_import_krb5, failed_import_krb5);
FAULT_CASE(krb5_sign, FI_SLAB, setup_krb5_sign, call_msg, ok_sign);
FAULT_CASE(krb5_verify, FI_SLAB, setup_krb5_verify, call_msg, ok_received);
FAULT_CASE(krb5_seal, FI_SLAB, setup_krb5_seal, call_msg, ok_seal);
FAULT_CASE(krb5_unseal, FI_SLAB, setup_krb5_unseal, call_msg, ok_received);
FAULT_CASE(krb5_wrap_no_encrypt, FI_SLAB, setup_krb5_wrap_noenc, call_msg, ok_seal);
FAULT_CASE(krb5_unwrap_no_encrypt, FI_SLAB, setup_krb5_unwrap_noenc, call_msg, ok_received);
FAULT_CASE(sign, FI_SLAB, setup_sign, call_msg, ok_sign);
FAULT_CASE(sign_large, FI_SLAB | FI_PAGE, setup_sign_large, call_msg, ok_sign);
FAULT_CASE(verify, FI_SLAB, setup_verify, call_msg, ok_received);
FAULT_CASE(verify_large, FI_SLAB | FI_PAGE, setup_verify_large, call_msg, ok_received);
FAULT_CASE(seal_token, FI_SLAB, setup_seal, call_msg, ok_seal);
FAULT_CASE(seal_token_checksummed, FI_SLAB, setup_seal_rwc, call_msg, ok_seal);
FAULT_CASE(seal_wrap_no_encrypt, FI_SLAB, setup_wrap_noenc, call_msg, ok_seal);
/* regressions: an ENOMEM inside the AEAD (chacha's skcipher walk over
 * pinned pages) and in the vmalloc bounce's scatterlist once changed the
 * user's data or used up a sequence number */
FAULT_CASE(seal_token_large_pinned, FI_SLAB | FI_PAGE, setup_seal_large, call_msg, ok_seal);
FAULT_CASE(seal_token_large_pinned_gcm, FI_SLAB | FI_PAGE, setup_seal_large_gcm, call_msg, ok_seal);
FAULT_CASE(seal_token_huge_vmalloc, FI_SLAB | FI_PAGE, setup_seal_huge, call_msg, ok_seal);
FAULT_CASE(unseal_token, FI_SLAB, setup_unseal, call_msg, ok_received);
FAULT_CASE(unseal_token_checksummed, FI_SLAB, setup_unseal_rwc, call_msg, ok_received);
FAULT_CASE(unseal_wrap_no_encrypt, FI_SLAB, setup_unwrap_noenc, call_msg, ok_received);
FAULT_CASE(unseal_token_large_pinned, FI_SLAB | FI_PAGE, setup_unseal_large, call_msg, ok_received);
FAULT_CASE(unseal_token_huge_vmalloc, FI_SLAB | FI_PAGE, setup_unseal_huge, call_msg, ok_received);
FAULT_CASE(seal_stream, FI_SLAB, setup_seal_stream, call_msg, ok_seal_stream);
FAULT_CASE(seal_stream_large_pinned, FI_SLAB | FI_PAGE, setup_seal_stream_large, call_msg, ok_seal_stream);
FAULT_CASE(unseal_stream, FI_SLAB, setup_unseal_stream, call_msg, ok_unseal_stream);
FAULT_CASE(unseal_stream_large, FI_SLAB | FI_PAGE, setup_unseal_stream_large, call_msg, ok_unseal_stream);
FAULT_CASE(query, FI_SLAB, setup_query, call_query, ok_query);
/* the kernel API, through the sample consumer module */
FAULT_CASE_F(kernel_unseal_seal_kvec, FI_SLAB, setup_kernel_kvec, call_kernel, ok_kernel, failed_kernel);
FAULT_CASE_F(kernel_unseal_seal_scatterlist, FI_SLAB, setup_kernel_sg, call_kernel, ok_kernel, failed_kernel);
FAULT_CASE(batch_sign, FI_SLAB, setup_batch_sign, call_batch, ok_batch);
FAULT_CASE(batch_verify, FI_SLAB, setup_batch_verify, call_batch, ok_batch);
FAULT_CASE(batch_seal, FI_SLAB | FI_PAGE, setup_batch_seal, call_batch, ok_batch);
FAULT_CASE(batch_unseal, FI_SLAB | FI_PAGE, setup_batch_unseal, call_batch, ok_batch);
/* the local package: each fails cleanly, and a failed ACCEPT gives its
 * claim on the init token back; a failed COMPLETE keeps the reply token */
FAULT_CASE_F(local_init, FI_SLAB | FI_PAGE, setup_init, call_init, ok_init, failed_init);
FAULT_CASE_F(local_init_chacha20_poly1305, FI_SLAB, setup_init_chacha, call_init, ok_init, failed_init);
FAULT_CASE_F(local_accept, FI_SLAB | FI_PAGE, setup_accept, call_accept, ok_accept, failed_accept);
FAULT_CASE_F(local_accept_aes128_gcm, FI_SLAB, setup_accept_aes128, call_accept, ok_accept, failed_accept);
FAULT_CASE_F(local_accept_chacha20_poly1305, FI_SLAB, setup_accept_chacha, call_accept, ok_accept, failed_accept);
FAULT_CASE_F(local_complete, FI_SLAB | FI_PAGE, setup_complete, call_complete, ok_complete, failed_complete);
FAULT_CASE_F(local_complete_aes128_gcm, FI_SLAB, setup_complete_aes128, call_complete, ok_complete, failed_complete);
FAULT_CASE_F(local_complete_chacha20_poly1305, FI_SLAB, setup_complete_chacha, call_complete, ok_complete, failed_complete);
FAULT_CASE_F(local_query, FI_SLAB, setup_query_local, call_query, ok_query_local, failed_query);
FAULT_CASE_F(impersonate, FI_SLAB, setup_impersonate, call_impersonate, ok_impersonate, failed_impersonate);
/* delegated Kerberos credentials: the import makes their keys, or none;
 * IMPERSONATE links them into the thread keyring, or changes nothing;
 * REVERT (also refused with ESTALE) takes them away whatever fails */
FAULT_CASE_F(import_krb5_delegation, FI_SLAB, setup_import_krb5_deleg, call_import_krb5, ok_import_krb5_deleg, failed_import_krb5_deleg);
FAULT_CASE_F(impersonate_krb5_delegation, FI_SLAB, setup_impersonate_deleg, call_impersonate, ok_impersonate_deleg, failed_impersonate_deleg);
FAULT_CASE_F(revert_krb5_delegation, FI_SLAB, setup_revert_deleg, call_revert, ok_revert_deleg, failed_revert);
FAULT_CASE_F(revert_stale_krb5_delegation, FI_SLAB, setup_revert_stale_deleg, call_revert_stale, ok_revert_stale_deleg, failed_revert);
FAULT_CASE_F(local_query_incomplete, FI_SLAB, setup_query_incomplete, call_query, ok_query_incomplete, failed_query);
/* FRESH imports: a failed IMPORT writes no contribution, a failed
 * COMPLETE leaves the context incomplete and the same call works */
FAULT_CASE_F(import_fresh, FI_SLAB | FI_PAGE, setup_import_fresh, call_import, ok_import_fresh, failed_import_fresh);
FAULT_CASE_F(import_fresh_chacha20_poly1305, FI_SLAB, setup_import_fresh_chacha, call_import, ok_import_fresh, failed_import_fresh);
FAULT_CASE_F(complete_fresh, FI_SLAB | FI_PAGE, setup_complete_fresh, call_complete, ok_complete_fresh, failed_complete_fresh);
FAULT_CASE_F(complete_fresh_aes128_gcm, FI_SLAB, setup_complete_fresh_aes128, call_complete, ok_complete_fresh, failed_complete_fresh);
FAULT_CASE_F(complete_fresh_chacha20_poly1305, FI_SLAB, setup_complete_fresh_chacha, call_complete, ok_complete_fresh, failed_complete_fresh);

TEST_HARNESS_MAIN
