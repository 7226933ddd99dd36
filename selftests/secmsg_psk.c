// SPDX-License-Identifier: GPL-2.0
/*
 * Pre-shared keys (uapi "Pre-shared keys").  A plain IMPORT of one key
 * twice in one role repeats (key, nonce) pairs: pinned here, so that the
 * header's warning stays true.  SECMSG_IMPORT_FRESH does not: two FRESH
 * imports of one key give different tokens for the same sequence number,
 * and neither opens the other's messages; a FRESH pair talks both ways.
 * The incomplete context refuses messages; every refusal of IMPORT and
 * COMPLETE has its exact errno and changes nothing.  The derivation is
 * checked byte by byte against OpenSSL in secmsg_kat (its *_fresh
 * variants).
 */
#include "secmsg_test.h"
#include "secmsg_local.h"

#include <pthread.h>

#define CS		SECMSG_CONTRIB_SIZE
#define PFLAGS		(SM_FLAGS_DEFAULT | SECMSG_CTX_SEQUENCE_DETECT)

FIXTURE(psk) {
	int dev;
};

FIXTURE_VARIANT(psk) {
	uint32_t suite;
};

FIXTURE_VARIANT_ADD(psk, aes128_gcm) { .suite = SECMSG_SUITE_AES128_GCM };
FIXTURE_VARIANT_ADD(psk, aes256_gcm) { .suite = SECMSG_SUITE_AES256_GCM };
FIXTURE_VARIANT_ADD(psk, chacha20_poly1305) {
	.suite = SECMSG_SUITE_CHACHA20_POLY1305
};

FIXTURE_SETUP(psk)
{
	SM_OPEN_DEV_OR_SKIP(self->dev);
}

FIXTURE_TEARDOWN(psk)
{
	if (self->dev >= 0)
		close(self->dev);
}

static struct ts_ctx_opts opts(uint32_t suite, uint32_t role)
{
	return (struct ts_ctx_opts){
		.role = role, .suite = suite, .ctx_flags = PFLAGS,
		.key = ts_test_key, .key_len = ts_suite_keylen(suite),
		.send_seq = 100, .recv_seq = 200,
	};
}

/* The peer's options: the other role, the sequence numbers swapped. */
static struct ts_ctx_opts peer_of(const struct ts_ctx_opts *o)
{
	struct ts_ctx_opts p = *o;

	p.role = o->role == SECMSG_ROLE_INITIATOR ? SECMSG_ROLE_ACCEPTOR :
						    SECMSG_ROLE_INITIATOR;
	p.send_seq = o->recv_seq;
	p.recv_seq = o->send_seq;
	return p;
}

static int all_bytes(const uint8_t *p, uint8_t v, size_t n)
{
	while (n--)
		if (*p++ != v)
			return 0;
	return 1;
}

/* Two pages, the second PROT_NONE: the address of the second, or NULL. */
static uint8_t *edge_page(void)
{
	uint8_t *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + 4096, 4096, PROT_NONE)) {
		munmap(p, 8192);
		return NULL;
	}
	return p + 4096;
}

static int count_fds(void)
{
	int n = 0, fd;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* QUERY, with the fields no call may change through a refusal. */
static void query_state(struct __test_metadata *_metadata, int fd,
			struct secmsg_query *q)
{
	ASSERT_EQ(0, ts_query(fd, q));
	q->created = q->expires = 0;
}

/* A FRESH context that is incomplete, exactly as IMPORT left it. */
static void assert_incomplete(struct __test_metadata *_metadata, int fd,
			      const struct ts_ctx_opts *o)
{
	struct secmsg_query q;

	ASSERT_EQ(0, ts_query(fd, &q));
	ASSERT_EQ((uint32_t)SECMSG_PKG_RAW, q.package);
	ASSERT_EQ(o->role, q.role);
	ASSERT_EQ(o->suite, q.suite);
	ASSERT_EQ(o->ctx_flags | SECMSG_CTX_INTEGRITY, q.ctx_flags);
	ASSERT_EQ((uint32_t)SECMSG_STATE_INCOMPLETE, q.state);
	ASSERT_EQ((uint32_t)SECMSG_CONTRIB_SIZE, q.max_token);
	ASSERT_STREQ(ts_suite_alg(o->suite), q.algorithm);
	ASSERT_STREQ("", q.driver);
	ASSERT_EQ(0u, q.driver_flags);
	ASSERT_EQ(o->send_seq, q.send_seq);
	ASSERT_EQ(o->recv_seq, q.recv_seq);
	ASSERT_EQ(0u, q.imp_level);
	ASSERT_EQ(0u, q.local.flags);
	ASSERT_EQ(0u, q.peer.flags);
}

/* The hazard the warning is about: a plain import twice repeats nonces. */
TEST_F(psk, plain_reimport_repeats_nonces)
{
	struct ts_ctx_opts o = opts(variant->suite, SECMSG_ROLE_INITIATOR);
	uint8_t t1[32], t2[32], d1[48], d2[48], p1[48], p2[48];
	struct secmsg_message m;
	int a = ts_import(self->dev, &o), b = ts_import(self->dev, &o);
	size_t i;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ts_fill(d1, sizeof(d1), 1);
	ts_fill(d2, sizeof(d2), 2);
	ASSERT_OK_MSG(ts_seal1(a, t1, d1, sizeof(d1), 0, &m), m);
	ASSERT_OK_MSG(ts_seal1(b, t2, d2, sizeof(d2), 0, &m), m);
	/* the same keystream: the ciphertexts' XOR is the plaintexts' */
	ts_fill(p1, sizeof(p1), 1);
	ts_fill(p2, sizeof(p2), 2);
	for (i = 0; i < sizeof(d1); i++)
		ASSERT_EQ(p1[i] ^ p2[i], d1[i] ^ d2[i]);
	ASSERT_EQ(0, memcmp(t1, t2, 16));	/* the same header, seq 100 */
	close(a);
	close(b);
}

/* Two FRESH imports of one key and role never share a (key, nonce). */
TEST_F(psk, fresh_reimport_differs)
{
	struct ts_ctx_opts o = opts(variant->suite, SECMSG_ROLE_INITIATOR);
	struct ts_ctx_opts po = peer_of(&o);
	uint8_t c1[CS], c2[CS], cp[CS], t1[32], t2[32], d1[48], d2[48];
	uint8_t orig[48];
	struct secmsg_message m;
	int i1, i2, p;

	i1 = ts_import_fresh(self->dev, &o, c1);
	ASSERT_LE(0, i1);
	i2 = ts_import_fresh(self->dev, &o, c2);
	ASSERT_LE(0, i2);
	p = ts_import_fresh(self->dev, &po, cp);
	ASSERT_LE(0, p);
	ASSERT_NE(0, memcmp(c1, c2, CS));
	/* the peer takes i1's contribution; both initiators take the peer's */
	ASSERT_EQ(0, ts_complete_fresh(p, c1, CS));
	ASSERT_EQ(0, ts_complete_fresh(i1, cp, CS));
	ASSERT_EQ(0, ts_complete_fresh(i2, cp, CS));

	/* the same plaintext at the same sequence number */
	ts_fill(orig, sizeof(orig), 3);
	memcpy(d1, orig, sizeof(orig));
	memcpy(d2, orig, sizeof(orig));
	ASSERT_OK_MSG(ts_seal1(i1, t1, d1, sizeof(d1), 0, &m), m);
	ASSERT_EQ(100ull, m.seq);
	ASSERT_OK_MSG(ts_seal1(i2, t2, d2, sizeof(d2), 0, &m), m);
	ASSERT_EQ(100ull, m.seq);
	ASSERT_EQ(0, memcmp(t1, t2, 16));		/* header */
	ASSERT_NE(0, memcmp(t1 + 16, t2 + 16, 16));	/* tag */
	ASSERT_NE(0, memcmp(d1, d2, sizeof(d1)));	/* keystream */

	/* i2's message is not one for p: ALTERED, nothing released */
	memcpy(orig, d2, sizeof(d2));
	ASSERT_VERDICT(ts_unseal1(p, t2, d2, sizeof(d2), &m), m, EBADMSG,
		       SECMSG_VERDICT_ALTERED);
	ASSERT_EQ(0, memcmp(orig, d2, sizeof(d2)));
	ASSERT_EQ(100ull, ts_recv_seq(p));	/* nothing accepted */
	ASSERT_OK_MSG(ts_unseal1(p, t1, d1, sizeof(d1), &m), m);
	ts_fill(orig, sizeof(orig), 3);
	ASSERT_EQ(0, memcmp(orig, d1, sizeof(d1)));

	/* and the other way: p's reply opens at i1 only */
	ASSERT_OK_MSG(ts_seal1(p, t1, d1, sizeof(d1), 0, &m), m);
	memcpy(d2, d1, sizeof(d1));
	memcpy(t2, t1, sizeof(t1));
	ASSERT_VERDICT(ts_unseal1(i2, t2, d2, sizeof(d2), &m), m, EBADMSG,
		       SECMSG_VERDICT_ALTERED);
	ASSERT_OK_MSG(ts_unseal1(i1, t1, d1, sizeof(d1), &m), m);
	ASSERT_EQ(0, memcmp(orig, d1, sizeof(d1)));
	close(i1);
	close(i2);
	close(p);
}

TEST_F(psk, fresh_pair_round_trips)
{
	struct ts_ctx_opts o = opts(variant->suite, SECMSG_ROLE_INITIATOR);
	uint8_t ci[CS], ca[CS];
	struct secmsg_query q;
	int i, a, k;

	ASSERT_EQ(0, ts_fresh_pair(self->dev, &o, &i, &a, ci, ca));
	ASSERT_EQ(0, ts_query(i, &q));
	ASSERT_EQ((uint32_t)SECMSG_STATE_ACTIVE, q.state);
	ASSERT_EQ((uint32_t)SECMSG_CONTRIB_SIZE, q.max_token);
	ASSERT_NE(0, q.driver[0]);
	ASSERT_EQ(100ull, q.send_seq);
	ASSERT_EQ(200ull, q.recv_seq);
	ASSERT_EQ(0, ts_query(a, &q));
	ASSERT_EQ((uint32_t)SECMSG_STATE_ACTIVE, q.state);
	ASSERT_EQ((uint32_t)SECMSG_ROLE_ACCEPTOR, q.role);
	for (k = 0; k < 3; k++) {
		ts_assert_pair_works(_metadata, i, a);
		ts_assert_pair_works(_metadata, a, i);
	}
	ASSERT_EQ(106ull, ts_send_seq(i));
	ASSERT_EQ(206ull, ts_send_seq(a));
	close(i);
	close(a);
}

/* Any 32 bytes are a contribution: a peer need not be a secmsg kernel. */
TEST_F(psk, fresh_any_contribution)
{
	struct ts_ctx_opts o = opts(variant->suite, SECMSG_ROLE_ACCEPTOR);
	uint8_t own[CS], zero[CS] = { 0 };
	int fd = ts_import_fresh(self->dev, &o, own);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ts_complete_fresh(fd, zero, CS));
	ASSERT_EQ(100ull, ts_send_seq(fd));
	close(fd);
}

/* Message calls on an incomplete FRESH context, and what it reports. */
TEST_F(psk, fresh_incomplete)
{
	struct ts_ctx_opts o = opts(variant->suite, SECMSG_ROLE_INITIATOR);
	uint8_t own[CS], tok[32], d[40], orig[40];
	struct secmsg_message m, bm[2];
	struct secmsg_buffer b[2][2];
	struct secmsg_batch bt;
	struct secmsg_impersonate imp = { .size = sizeof(imp) };
	unsigned long reqs[] = { SECMSG_IOC_SIGN, SECMSG_IOC_VERIFY,
				 SECMSG_IOC_SEAL, SECMSG_IOC_UNSEAL };
	struct ts_ctx_opts po = peer_of(&o);
	struct secmsg_query q;
	char path[64], line[128];
	uint8_t pc[CS];
	unsigned int k;
	int fd, p, found = 0;
	FILE *f;

	fd = ts_import_fresh(self->dev, &o, own);
	ASSERT_LE(0, fd);
	assert_incomplete(_metadata, fd, &o);

	ts_fill(d, sizeof(d), 9);
	memcpy(orig, d, sizeof(d));
	memset(tok, 0x77, sizeof(tok));
	for (k = 0; k < SM_ARRAY_SIZE(reqs); k++) {
		ts_buf(&b[0][0], SECMSG_BUF_TOKEN, 0, tok, 32);
		ts_buf(&b[0][1], SECMSG_BUF_DATA, 0, d, sizeof(d));
		ASSERT_VERDICT(ts_call(fd, reqs[k], &m, b[0], 2, 0), m,
			       ENOTCONN, SECMSG_VERDICT_INCOMPLETE_CONTEXT);
		ASSERT_EQ(0ull, m.seq);
		ASSERT_EQ(SM_NO_INDEX, m.index);
		ASSERT_TRUE(all_bytes(tok, 0x77, sizeof(tok)));
		ASSERT_EQ(0, memcmp(orig, d, sizeof(d)));
	}
	/* BATCH: every message gets the verdict */
	for (k = 0; k < 2; k++) {
		ts_buf(&b[k][0], SECMSG_BUF_TOKEN, 0, tok, 32);
		ts_buf(&b[k][1], SECMSG_BUF_DATA, 0, d, sizeof(d));
		ts_msg_init(&bm[k], b[k], 2, 0);
	}
	memset(&bt, 0, sizeof(bt));
	bt.size = sizeof(bt);
	bt.op = SECMSG_OP_SEAL;
	bt.count = 2;
	bt.msgs = SM_PTR(bm);
	bt.msg_size = sizeof(bm[0]);
	ASSERT_EQ(0, ts_ioctl(fd, SECMSG_IOC_BATCH, &bt));
	ASSERT_EQ(0u, bt.completed);
	ASSERT_EQ(2u, bt.failed);
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(-ENOTCONN, bm[k].error);
		ASSERT_EQ((uint32_t)SECMSG_VERDICT_INCOMPLETE_CONTEXT,
			  bm[k].verdict);
	}
	ASSERT_EQ(0, memcmp(orig, d, sizeof(d)));
	/* not a local acceptor: nothing to impersonate */
	ASSERT_EQ(-EINVAL, ts_ioctl(fd, SECMSG_IOC_IMPERSONATE, &imp));

	/* counted as failures, numbers untouched */
	ASSERT_EQ(0, ts_query(fd, &q));
	ASSERT_EQ(6ull, q.counters.other_failures);
	ASSERT_EQ(0ull, q.counters.sealed + q.counters.signed_msgs);
	ASSERT_EQ(100ull, q.send_seq);
	ASSERT_EQ(200ull, q.recv_seq);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "secmsg-state:\tincomplete\n"))
			found = 1;
	fclose(f);
	ASSERT_TRUE(found);

	/* and once complete, it works from the numbers it was given */
	p = ts_import_fresh(self->dev, &po, pc);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, ts_complete_fresh(p, own, CS));
	ASSERT_EQ(0, ts_complete_fresh(fd, pc, CS));
	ASSERT_OK_MSG(ts_sign1(fd, tok, d, sizeof(d), &m), m);
	ASSERT_EQ(100ull, m.seq);
	ASSERT_OK_MSG(ts_verify1(p, tok, d, sizeof(d), &m), m);
	ts_assert_pair_works(_metadata, p, fd);
	close(p);
	close(fd);
}

/* IMPORT with SECMSG_IMPORT_FRESH: each refusal, nothing created. */
TEST_F(psk, fresh_import_refused)
{
	struct ts_ctx_opts o = opts(variant->suite, SECMSG_ROLE_INITIATOR);
	uint8_t *ro = ts_readonly_page(), *un = ts_unmapped_page();
	uint8_t *edge = edge_page(), buf[CS + 8];
	struct secmsg_import imp;
	int fds = count_fds(), fd;

	ASSERT_NE(NULL, ro);
	ASSERT_NE(NULL, un);
	ASSERT_NE(NULL, edge);
#define FRESH_FAILS(err, stmt) do { \
	ts_import_init(&imp, &o); \
	imp.flags = SECMSG_IMPORT_FRESH; \
	imp.contrib = SM_PTR(buf); \
	imp.contrib_len = CS; \
	memset(buf, 0x5a, sizeof(buf)); \
	stmt; \
	fd = ts_import_raw(self->dev, &imp); \
	if (fd >= 0) \
		close(fd); \
	ASSERT_EQ(-(err), fd) TH_LOG("%s", #stmt); \
	ASSERT_EQ(fds, count_fds()); \
	if (imp.contrib == SM_PTR(buf)) \
		ASSERT_TRUE(all_bytes(buf, 0x5a, sizeof(buf))) \
			TH_LOG("%s: contribution written", #stmt); \
} while (0)
	/* the buffer: too short, or not writable (EFAULT, as any pointer) */
	FRESH_FAILS(EINVAL, imp.contrib_len = CS - 1);
	FRESH_FAILS(EINVAL, imp.contrib_len = 0);
	FRESH_FAILS(EFAULT, imp.contrib = 0);
	FRESH_FAILS(EFAULT, imp.contrib = SM_PTR(ro));
	FRESH_FAILS(EFAULT, imp.contrib = SM_PTR(un));
	/* its last byte on an inaccessible page: no context */
	FRESH_FAILS(EFAULT, imp.contrib = SM_PTR(edge - CS + 1));
	/* the other fields as for any IMPORT */
	FRESH_FAILS(EINVAL, imp.flags |= 2);
	FRESH_FAILS(EINVAL, imp.reserved = 1);
	FRESH_FAILS(EINVAL, imp.key_len = SECMSG_KEY_MIN - 1);
	FRESH_FAILS(EINVAL, imp.suite = 0);
	FRESH_FAILS(EINVAL, imp.role = 3);
	FRESH_FAILS(EINVAL, imp.package = SECMSG_PKG_LOCAL);
	FRESH_FAILS(EFAULT, imp.key = SM_PTR(un));
	/* without the flag, a buffer is refused */
	FRESH_FAILS(EINVAL, imp.flags = 0);
	FRESH_FAILS(EINVAL, imp.flags = 0; imp.contrib = 0);
	FRESH_FAILS(EINVAL, imp.flags = 0; imp.contrib_len = 0);
#undef FRESH_FAILS

	/* a larger buffer: exactly SECMSG_CONTRIB_SIZE bytes written */
	ts_import_init(&imp, &o);
	imp.flags = SECMSG_IMPORT_FRESH;
	imp.contrib = SM_PTR(buf);
	imp.contrib_len = sizeof(buf);
	memset(buf, 0x5a, sizeof(buf));
	fd = ts_import_raw(self->dev, &imp);
	ASSERT_LE(0, fd);
	ASSERT_FALSE(all_bytes(buf, 0x5a, CS));
	ASSERT_TRUE(all_bytes(buf + CS, 0x5a, 8));
	assert_incomplete(_metadata, fd, &o);
	close(fd);
	munmap(ro, 4096);
	munmap(un, 4096);
	munmap(edge - 4096, 8192);
}

/* COMPLETE on a FRESH context: each refusal, nothing changed. */
TEST_F(psk, fresh_complete_refused)
{
	struct ts_ctx_opts o = opts(variant->suite, SECMSG_ROLE_ACCEPTOR);
	struct ts_ctx_opts po = peer_of(&o);
	uint8_t own[CS], pc[CS], in[CS + 1], *un = ts_unmapped_page();
	uint8_t *edge = edge_page();
	struct {
		struct secmsg_complete c;
		uint8_t tail[8];
	} big;
	struct secmsg_complete cmp;
	struct secmsg_query q0, q;
	int fd, p;

	ASSERT_NE(NULL, un);
	ASSERT_NE(NULL, edge);
	fd = ts_import_fresh(self->dev, &o, own);
	ASSERT_LE(0, fd);
	p = ts_import_fresh(self->dev, &po, pc);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, ts_complete_fresh(p, own, CS));
	memcpy(in, pc, CS);
	in[CS] = 0xee;
	query_state(_metadata, fd, &q0);

#define CMP_FAILS(err, stmt) do { \
	memset(&cmp, 0, sizeof(cmp)); \
	cmp.size = sizeof(cmp); \
	cmp.in_token = SM_PTR(in); \
	cmp.in_len = CS; \
	stmt; \
	ASSERT_EQ(-(err), ts_ioctl(fd, SECMSG_IOC_COMPLETE, &cmp)) \
		TH_LOG("%s", #stmt); \
	ASSERT_EQ(0u, cmp.status | cmp.ctx_flags | cmp.imp_level); \
	query_state(_metadata, fd, &q); \
	ASSERT_EQ(0, memcmp(&q0, &q, sizeof(q))) TH_LOG("%s", #stmt); \
} while (0)
	CMP_FAILS(EMSGSIZE, cmp.in_len = CS - 1);
	CMP_FAILS(EMSGSIZE, cmp.in_len = CS + 1);
	CMP_FAILS(EMSGSIZE, cmp.in_len = 0);
	CMP_FAILS(EMSGSIZE, cmp.in_len = SECMSG_LOCAL_TOKEN_SIZE);
	CMP_FAILS(EFAULT, cmp.in_token = 0);
	CMP_FAILS(EFAULT, cmp.in_token = SM_PTR(un));
	CMP_FAILS(EFAULT, cmp.in_token = SM_PTR(edge - CS + 1));
	/* its own contribution back: a reflection, never a peer's */
	CMP_FAILS(EBADMSG, cmp.in_token = SM_PTR(own));
	CMP_FAILS(EINVAL, cmp.flags = 1);
	CMP_FAILS(EINVAL, cmp.reserved[0] = 1);
	CMP_FAILS(EINVAL, cmp.reserved[1] = 1ull << 63);
	CMP_FAILS(EINVAL, cmp.size = SECMSG_COMPLETE_SIZE_VER0 - 1);
	/* a larger struct with a nonzero tail */
	memset(&big, 0, sizeof(big));
	big.c.size = sizeof(big);
	big.c.in_token = SM_PTR(in);
	big.c.in_len = CS;
	big.tail[7] = 1;
	ASSERT_EQ(-E2BIG, ts_ioctl(fd, SECMSG_IOC_COMPLETE, &big));
	query_state(_metadata, fd, &q);
	ASSERT_EQ(0, memcmp(&q0, &q, sizeof(q)));
	/* refused calls took nothing: the context completes as usual, with a
	 * larger struct whose tail is zero and out fields set on input */
	big.tail[7] = 0;
	big.c.status = big.c.ctx_flags = big.c.imp_level = 0xdead;
	ASSERT_EQ(0, ts_ioctl(fd, SECMSG_IOC_COMPLETE, &big));
	ASSERT_EQ((uint32_t)SECMSG_STATUS_OK, big.c.status);
	ASSERT_EQ(o.ctx_flags | SECMSG_CTX_INTEGRITY, big.c.ctx_flags);
	ASSERT_EQ(0u, big.c.imp_level);
	ts_assert_pair_works(_metadata, fd, p);
	ts_assert_pair_works(_metadata, p, fd);

	/* once only: a second COMPLETE, with any contribution */
	query_state(_metadata, fd, &q0);
	CMP_FAILS(EISCONN, );
	CMP_FAILS(EISCONN, cmp.in_token = SM_PTR(own));
	CMP_FAILS(EISCONN, memset(in, 0, CS));
	/* the length is checked after the state */
	CMP_FAILS(EISCONN, cmp.in_len = 1);
#undef CMP_FAILS
	ts_assert_pair_works(_metadata, fd, p);
	close(fd);
	close(p);
	munmap(un, 4096);
	munmap(edge - 4096, 8192);
}

/* COMPLETE on contexts that take no contribution. */
TEST_F(psk, complete_not_fresh)
{
	struct ts_ctx_opts o = opts(variant->suite, SECMSG_ROLE_INITIATOR);
	struct ts_ctx_opts po = peer_of(&o);
	uint8_t contrib[CS];
	struct secmsg_query q0, q;
	int a = ts_import(self->dev, &o), b = ts_import(self->dev, &po);

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ts_fill(contrib, sizeof(contrib), 5);
	query_state(_metadata, a, &q0);
	/* a plain raw context, whatever the length */
	ASSERT_EQ(-EINVAL, ts_complete_fresh(a, contrib, CS));
	ASSERT_EQ(-EINVAL, ts_complete_fresh(a, contrib, 3));
	ASSERT_EQ(-EINVAL, ts_complete_fresh(a, NULL, CS));
	query_state(_metadata, a, &q);
	ASSERT_EQ(0, memcmp(&q0, &q, sizeof(q)));
	ts_assert_pair_works(_metadata, a, b);
	/* /dev/secmsg itself has no COMPLETE */
	ASSERT_EQ(-ENOTTY, ts_complete_fresh(self->dev, contrib, CS));
	close(a);
	close(b);
}

/* A contribution given to a local context: its own rules, nothing taken. */
TEST_F(psk, complete_local_with_contribution)
{
	uint8_t tok[TOK], reply[TOK], contrib[CS];
	struct secmsg_query q0, q;
	int ini, acc;

	ts_fill(contrib, sizeof(contrib), 8);
	ini = lc_init(self->dev, geteuid(), tok);
	ASSERT_LE(0, ini);
	acc = lc_accept(self->dev, tok, reply);
	ASSERT_LE(0, acc);
	query_state(_metadata, ini, &q0);
	/* the initiator takes a reply token: 32 bytes are a truncated one */
	ASSERT_EQ(-EMSGSIZE, ts_complete_fresh(ini, contrib, CS));
	query_state(_metadata, ini, &q);
	ASSERT_EQ(0, memcmp(&q0, &q, sizeof(q)));
	ASSERT_EQ((uint32_t)SECMSG_STATE_INCOMPLETE, q.state);
	/* the acceptor takes nothing */
	ASSERT_EQ(-EINVAL, ts_complete_fresh(acc, contrib, CS));
	ASSERT_EQ(0, lc_complete(ini, reply));
	ts_assert_pair_works(_metadata, ini, acc);
	close(ini);
	close(acc);
}

/* The lifetime counts from IMPORT: COMPLETE after it ends is refused. */
TEST_F(psk, fresh_complete_expired)
{
	struct ts_ctx_opts o = opts(variant->suite, SECMSG_ROLE_INITIATOR);
	uint8_t own[CS], peer[CS];
	struct secmsg_query q;
	int fd;

	o.lifetime = 1;
	fd = ts_import_fresh(self->dev, &o, own);
	ASSERT_LE(0, fd);
	ts_fill(peer, sizeof(peer), 6);
	usleep(1100 * 1000);
	/* ordinary refusals still come first */
	ASSERT_EQ(-EMSGSIZE, ts_complete_fresh(fd, peer, CS - 1));
	ASSERT_EQ(-EBADMSG, ts_complete_fresh(fd, own, CS));
	ASSERT_EQ(-EKEYEXPIRED, ts_complete_fresh(fd, peer, CS));
	ASSERT_EQ(0, ts_query(fd, &q));
	ASSERT_EQ((uint32_t)SECMSG_STATE_EXPIRED, q.state);
	ASSERT_STREQ("", q.driver);
	close(fd);
}

struct racer {
	int fd;
	const uint8_t *peer;
	pthread_barrier_t *go;
	int ret;
};

static void *race_complete(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->ret = ts_complete_fresh(r->fd, r->peer, CS);
	return NULL;
}

/* Concurrent COMPLETEs: exactly one succeeds, the others see EISCONN. */
TEST_F(psk, fresh_complete_races)
{
	enum { N = 4, ROUNDS = 20 };
	struct ts_ctx_opts o = opts(variant->suite, SECMSG_ROLE_INITIATOR);
	struct ts_ctx_opts po = peer_of(&o);
	unsigned int round, k;

	for (round = 0; round < ROUNDS; round++) {
		uint8_t own[CS], pc[N][CS];
		struct racer r[N];
		pthread_t th[N];
		pthread_barrier_t go;
		int fd, p[N], ok = 0, winner = -1;

		fd = ts_import_fresh(self->dev, &o, own);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, pthread_barrier_init(&go, NULL, N));
		/* each thread offers another peer's contribution */
		for (k = 0; k < N; k++) {
			p[k] = ts_import_fresh(self->dev, &po, pc[k]);
			ASSERT_LE(0, p[k]);
			ASSERT_EQ(0, ts_complete_fresh(p[k], own, CS));
			r[k] = (struct racer){ fd, pc[k], &go, 1 };
			ASSERT_EQ(0, pthread_create(&th[k], NULL, race_complete,
						    &r[k]));
		}
		for (k = 0; k < N; k++) {
			pthread_join(th[k], NULL);
			if (!r[k].ret) {
				ok++;
				winner = (int)k;
			} else {
				ASSERT_EQ(-EISCONN, r[k].ret);
			}
		}
		ASSERT_EQ(1, ok);
		/* the keys are the winner's: its peer talks, the others not */
		ts_assert_pair_works(_metadata, fd, p[winner]);
		for (k = 0; k < N; k++) {
			uint8_t tok[32], d[8] = "abcdefg";
			struct secmsg_message m;

			if ((int)k == winner)
				continue;
			ASSERT_OK_MSG(ts_sign1(p[k], tok, d, sizeof(d), &m), m);
			ASSERT_VERDICT(ts_verify1(fd, tok, d, sizeof(d), &m),
				       m, EBADMSG, SECMSG_VERDICT_ALTERED);
		}
		for (k = 0; k < N; k++)
			close(p[k]);
		close(fd);
		pthread_barrier_destroy(&go);
	}
}

/* A FRESH context passed to another process is the same context. */
TEST_F(psk, fresh_complete_through_fork)
{
	struct ts_ctx_opts o = opts(variant->suite, SECMSG_ROLE_INITIATOR);
	struct ts_ctx_opts po = peer_of(&o);
	uint8_t own[CS], pc[CS];
	int fd, p, status;
	pid_t pid;

	fd = ts_import_fresh(self->dev, &o, own);
	ASSERT_LE(0, fd);
	p = ts_import_fresh(self->dev, &po, pc);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, ts_complete_fresh(p, own, CS));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ts_complete_fresh(fd, pc, CS) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(-EISCONN, ts_complete_fresh(fd, pc, CS));
	ts_assert_pair_works(_metadata, fd, p);
	ts_assert_pair_works(_metadata, p, fd);
	close(fd);
	close(p);
}

TEST_HARNESS_MAIN
