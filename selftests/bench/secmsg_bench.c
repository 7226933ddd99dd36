// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg_bench - secmsg against its floor, AF_ALG and OpenSSL
 *
 * For every suite and message size, in one run (so in one guest: only
 * ratios between cells of the same run mean anything under emulation):
 *
 *   secmsg-single  one SEAL/UNSEAL/SIGN/VERIFY ioctl per message
 *   secmsg-batch   one BATCH ioctl per N messages (N = 32 by default)
 *   secmsg-uring   the single calls as IORING_OP_URING_CMD requests, up to
 *                  URING_QD in flight per io_uring_enter(2) (liburing)
 *   floor          the raw in-kernel AEAD on the driver secmsg binds, with
 *                  nothing around it: secmsg_floor.ko (selftests/bench/
 *                  floor), one ioctl per chunk of messages, timed by the
 *                  kernel around the AEAD calls alone
 *   af_alg         the same AEAD through AF_ALG (algif_aead), one
 *                  sendmsg() + read() per message
 *   openssl        the same AEAD with OpenSSL's EVP in user space
 *
 * All of them do the same cryptographic work per message: one AEAD
 * operation with the same suite, key, 12-byte nonce, 16-byte tag and the
 * 16-byte secmsg header as associated data.  Seal/unseal work in place on
 * one buffer laid out as a secmsg stream (header | data | tag); sign/verify
 * use the data as associated data and no plaintext (GMAC for the GCM
 * suites), which is what SECMSG_IOC_SIGN does.  The floor, AF_ALG and
 * OpenSSL use the key and IV that secmsg derives (HKDF as the uapi header
 * specifies), the secmsg header as AAD and the secmsg nonce rule, so their
 * output can be and is checked against OpenSSL's (xcheck()).
 *
 * secmsg's contexts are imported with REPLAY_DETECT: every unseal and
 * verify passes the replay window, as a real receiver's does.  A message
 * can therefore be unsealed once only: before each timed chunk of unseals
 * (verifies), the chunk's messages are sealed (signed) afresh by the
 * initiator, with new sequence numbers, untimed.  The baselines restore
 * their sealed input from a saved copy instead, also untimed.
 *
 * Timing: each cell (suite, size, op, implementation) runs in rounds; a
 * round is a warm-up, then timed chunks for -t seconds (and at least a few
 * messages, so 1 MiB cells get several).  Rounds visit the implementations
 * in turn, starting with a different one each round, and a cell reports the
 * median of its rounds with their spread: a loaded or drifting host (TCG)
 * then skews all implementations alike.  A ratio of two implementations is
 * the median of their per-round ratios: each round measured both within a
 * second, so a host that slows down between rounds cancels out.  Only the
 * calls are timed; the floor's time is what the kernel measured around its
 * AEAD calls.
 *
 * Also measured, once per run: contexts imported (and closed) per second,
 * local contexts established per second, kernel memory per idle context at
 * 1, 1 000 and 100 000 contexts, and 2 threads on 2 contexts against one,
 * beside what a pure user-space loop gets from the same machine.
 *
 * The first unseal of every cell must give back the plaintext exactly and
 * every call must succeed; anything else is an error (exit 1).  Slowness
 * never is: the targets are reported, not asserted.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_alg.h>
#include <linux/secmsg.h>

#include <liburing.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "floor/secmsg_floor.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define HDR_LEN		SECMSG_STREAM_HEADER_SIZE	/* AAD of a seal */
#define TAG_LEN		SECMSG_STREAM_TRAILER_SIZE
#define NONCE_LEN	12
#define POOL_BYTES	(4u << 20)	/* pool of the non-batch cells */
#define WARM_BYTES	(1u << 20)	/* a warm-up batch at most this big */
#define MAX_ROUNDS	15
#define URING_QD	64	/* io_uring requests per submission */

_Static_assert(HDR_LEN == SECMSG_FLOOR_HDR_SIZE, "floor header");
_Static_assert(TAG_LEN == SECMSG_FLOOR_TAG_SIZE, "floor tag");

enum op { OP_SEAL, OP_UNSEAL, OP_SIGN, OP_VERIFY, NR_OPS };
enum impl {
	IMPL_SINGLE, IMPL_BATCH, IMPL_URING, IMPL_FLOOR, IMPL_AFALG, IMPL_OSSL,
	NR_IMPLS
};

static const char *const op_name[NR_OPS] = {
	[OP_SEAL] = "seal", [OP_UNSEAL] = "unseal",
	[OP_SIGN] = "sign", [OP_VERIFY] = "verify",
};

static const char *const impl_name[NR_IMPLS] = {
	[IMPL_SINGLE] = "secmsg-single", [IMPL_BATCH] = "secmsg-batch",
	[IMPL_URING] = "secmsg-uring",
	[IMPL_FLOOR] = "floor", [IMPL_AFALG] = "af_alg",
	[IMPL_OSSL] = "openssl",
};

struct suite {
	const char *opt;	/* -s value, and the name in the CSV */
	const char *label;
	unsigned int id;	/* SECMSG_SUITE_* */
	const char *alg;	/* crypto API name */
	unsigned int floor_alg;	/* SECMSG_FLOOR_ALG_* */
	unsigned int key_len;
	const EVP_CIPHER *(*evp)(void);
};

static const struct suite suites[] = {
	{ "aes128-gcm", "AES128-GCM", SECMSG_SUITE_AES128_GCM, "gcm(aes)",
	  SECMSG_FLOOR_ALG_GCM, 16, EVP_aes_128_gcm },
	{ "aes256-gcm", "AES256-GCM", SECMSG_SUITE_AES256_GCM, "gcm(aes)",
	  SECMSG_FLOOR_ALG_GCM, 32, EVP_aes_256_gcm },
	{ "chacha20-poly1305", "ChaCha20-Poly1305",
	  SECMSG_SUITE_CHACHA20_POLY1305, "rfc7539(chacha20,poly1305)",
	  SECMSG_FLOOR_ALG_CHACHAPOLY, 32, EVP_chacha20_poly1305 },
};
#define NR_SUITES ARRAY_SIZE(suites)

static const size_t sizes[] = {
	64, 256, 1024, 4096, 16384, 65536, 1048576,
};
#define NR_SIZES ARRAY_SIZE(sizes)
#define SIZE_16K 4	/* index of the first size of the 0.9x target */

static struct {
	unsigned int suites;	/* bit per suites[] entry */
	double secs;		/* timed seconds per round of a cell */
	double warm;		/* warm-up seconds per round */
	unsigned int min_msgs;	/* per round of a non-batch cell */
	unsigned int min_calls;	/* BATCH calls per round of a batch cell */
	unsigned int rounds;	/* interleaved rounds per cell */
	unsigned int batch;
	unsigned int max_ctx;	/* the largest count of the memory section */
	const char *out;	/* directory for the CSV files, or NULL */
	bool no_secmsg;
	bool no_afalg;
	bool no_extras;
} opt = {
	.suites = (1u << NR_SUITES) - 1,
	.secs = 0.1,
	.min_msgs = 4,
	.min_calls = 1,
	.rounds = 5,
	.batch = 32,
	.max_ctx = 100000,
};

/* The session key every context and the user-space baselines start from. */
static const unsigned char session_key[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

/*
 * A cell's result: messages per second, median and range of its rounds,
 * and each round's rate in the order measured (round[k] was measured in
 * round k together with the other implementations' round[k]).
 */
struct rate {
	double med, lo, hi;	/* med < 0: not measured */
	double round[MAX_ROUNDS];
	unsigned int n;
};

struct bench {
	const struct suite *suite;
	unsigned int si;	/* index of @suite */
	size_t size;		/* data bytes per message */
	unsigned int zi;	/* index of @size */
	size_t stride;		/* HDR_LEN + size + TAG_LEN, 64-byte aligned */
	unsigned int pool;	/* messages in the pool of the current cell */
	unsigned int pool_max;
	unsigned char *work;	/* per message: header | data | tag */
	unsigned char *orig;	/* saved sealed messages, restored per unseal */
	unsigned char *tokens;	/* SIGN/VERIFY tokens, SECMSG_TOKEN_SIZE each */
	unsigned char *plain;	/* the plaintext every message starts with */
	unsigned char *scratch;	/* cross-checks */

	/* secmsg: initiator seals and signs, acceptor unseals and verifies */
	int dev, ini, acc;
	struct secmsg_message *msgs;	/* the cell's op */
	struct secmsg_buffer *bufs;	/* 3 per message */
	struct secmsg_message *mk_msgs;	/* sealing (signing) afresh */
	struct secmsg_buffer *mk_bufs;
	char driver[SECMSG_NAME_MAX];
	bool driver_async;
	struct io_uring ring;
	bool have_ring;

	/* the raw in-kernel AEAD */
	int floor;
	char floor_driver[SECMSG_FLOOR_NAME_MAX];
	double kern_dt;		/* the floor's kernel seconds of a chunk */

	/* the initiator's send key and IV, derived as secmsg does */
	unsigned char key[32];
	unsigned char iv[NONCE_LEN];
	uint64_t seq;		/* next sequence number of the baselines */

	/* AF_ALG */
	int alg_tfm, alg_op;
	size_t alg_max;		/* largest message the socket buffers allow */
	char alg_driver[128];
	int alg_prio;

	/* OpenSSL */
	EVP_CIPHER_CTX *enc, *dec, *chk;

	struct rate rate[NR_SUITES][NR_SIZES][NR_OPS][NR_IMPLS];
	char drivers[NR_SUITES][3][128];	/* secmsg, floor, AF_ALG */
	double spread;		/* largest (max - min) / median of a cell */
	char spread_cell[96];
	bool xcheck_failed;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("secmsg_bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char *msg_at(struct bench *b, unsigned int i)
{
	return b->work + (size_t)i * b->stride;
}

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The token header an initiator's SEAL or SIGN carries (uapi "Token format") */
static void put_header(const struct bench *b, unsigned char *p, bool sign,
		       uint64_t seq)
{
	unsigned int id = sign ? SECMSG_TOK_SIGN : SECMSG_TOK_WRAP;

	p[0] = id >> 8;
	p[1] = id & 0xff;
	p[2] = sign ? 0 : SECMSG_TOK_FLAG_SEALED;
	p[3] = b->suite->id;
	memset(p + 4, 0, 4);
	put_be64(p + 8, seq);
}

static void make_nonce(const struct bench *b, uint64_t seq,
		       unsigned char nonce[NONCE_LEN])
{
	memcpy(nonce, b->iv, NONCE_LEN);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] ^= seq >> (56 - 8 * i);
}

/* HKDF-SHA256 (RFC 5869) of the session key, as the uapi header specifies */
static void derive_keys(struct bench *b, const char *role)
{
	static const char salt[] = "secmsg-v1";
	unsigned char prk[32], t[32], in[32 + 64], okm[64];
	unsigned int len, inlen, n = 0;
	size_t info_len;
	char info[64];
	size_t need = b->suite->key_len + NONCE_LEN;

	info_len = snprintf(info, sizeof(info), "secmsg-v1 %s", role);
	info[info_len++] = b->suite->id;

	if (!HMAC(EVP_sha256(), salt, strlen(salt), session_key,
		  sizeof(session_key), prk, &len))
		die("HMAC failed");
	for (unsigned char i = 1; n < need; i++) {
		inlen = 0;
		if (i > 1) {
			memcpy(in, t, 32);
			inlen = 32;
		}
		memcpy(in + inlen, info, info_len);
		inlen += info_len;
		in[inlen++] = i;
		if (!HMAC(EVP_sha256(), prk, 32, in, inlen, t, &len))
			die("HMAC failed");
		memcpy(okm + n, t, 32);
		n += 32;
	}
	memcpy(b->key, okm, b->suite->key_len);
	memcpy(b->iv, okm + b->suite->key_len, NONCE_LEN);
	OPENSSL_cleanse(prk, sizeof(prk));
	OPENSSL_cleanse(okm, sizeof(okm));
	OPENSSL_cleanse(t, sizeof(t));
}

/* ---- secmsg ------------------------------------------------------------ */

static const char *verdict_name(unsigned int v)
{
	static const char *const names[] = {
		"OK", "ALTERED", "REPLAYED", "TOO_OLD", "OUT_OF_SEQUENCE",
		"EXPIRED", "BAD_TOKEN", "BUFFER_TOO_SMALL",
		"INCOMPLETE_MESSAGE", "QOP_NOT_SUPPORTED", "INCOMPLETE_CONTEXT",
		"REVOKED",
	};

	return v <= SECMSG_VERDICT_MAX ? names[v] : "?";
}

/* A raw context on the session key: the new fd, or -errno */
static int secmsg_import_fd(int dev, const struct suite *s, unsigned int role)
{
	struct secmsg_import imp = {
		.size = sizeof(imp),
		.package = SECMSG_PKG_RAW,
		.role = role,
		.suite = s->id,
		/* a receiver's window, as a real one has */
		.ctx_flags = SECMSG_CTX_CONFIDENTIALITY | SECMSG_CTX_INTEGRITY |
			     SECMSG_CTX_REPLAY_DETECT,
		.key_len = sizeof(session_key),
		.key = (uintptr_t)session_key,
	};
	int fd = ioctl(dev, SECMSG_IOC_IMPORT, &imp);

	return fd < 0 ? -errno : fd;
}

static int secmsg_import(struct bench *b, unsigned int role)
{
	int fd = secmsg_import_fd(b->dev, b->suite, role);

	if (fd < 0)
		die("IMPORT (%s, %s): %s", b->suite->label,
		    role == SECMSG_ROLE_INITIATOR ? "initiator" : "acceptor",
		    strerror(-fd));
	return fd;
}

static void secmsg_open(struct bench *b)
{
	struct secmsg_query q = { .size = sizeof(q) };

	b->ini = secmsg_import(b, SECMSG_ROLE_INITIATOR);
	b->acc = secmsg_import(b, SECMSG_ROLE_ACCEPTOR);
	if (ioctl(b->ini, SECMSG_IOC_QUERY, &q))
		die("QUERY: %s", strerror(errno));
	snprintf(b->driver, sizeof(b->driver), "%.*s",
		 (int)sizeof(q.driver), q.driver);
	b->driver_async = q.driver_flags & SECMSG_DRIVER_ASYNC;
}

static void secmsg_close(struct bench *b)
{
	if (b->ini >= 0)
		close(b->ini);
	if (b->acc >= 0)
		close(b->acc);
	b->ini = b->acc = -1;
}

static void set_buf(struct secmsg_buffer *sb, unsigned int type,
		    const void *ptr, size_t len)
{
	*sb = (struct secmsg_buffer){
		.type = type, .ptr = (uintptr_t)ptr, .len = len,
	};
}

/* A SEAL of @len bytes at @p + HDR_LEN in stream form, in place */
static void seal_msg_init(struct secmsg_message *m, struct secmsg_buffer sb[3],
			  unsigned char *p, size_t len)
{
	memset(m, 0, sizeof(*m));
	set_buf(&sb[0], SECMSG_BUF_STREAM_HEADER, p, HDR_LEN);
	set_buf(&sb[1], SECMSG_BUF_DATA, p + HDR_LEN, len);
	set_buf(&sb[2], SECMSG_BUF_STREAM_TRAILER, p + HDR_LEN + len, TAG_LEN);
	m->size = sizeof(*m);
	m->buffers = (uintptr_t)sb;
	m->nbuffers = 3;
}

/* Describe the messages of the pool for @op in @msgs, 3 of @bufs each */
static void secmsg_setup(struct bench *b, enum op op,
			 struct secmsg_message *msgs,
			 struct secmsg_buffer *bufs)
{
	for (unsigned int i = 0; i < b->pool; i++) {
		struct secmsg_message *m = &msgs[i];
		struct secmsg_buffer *sb = &bufs[3 * i];
		unsigned char *p = msg_at(b, i);
		unsigned char *tok = b->tokens + i * SECMSG_TOKEN_SIZE;

		memset(m, 0, sizeof(*m));
		memset(sb, 0, 3 * sizeof(*sb));
		m->size = sizeof(*m);
		m->buffers = (uintptr_t)sb;
		switch (op) {
		case OP_SEAL:	/* stream form: the same layout as AF_ALG's */
			seal_msg_init(m, sb, p, b->size);
			break;
		case OP_UNSEAL:	/* DATA's ptr and len are outputs */
			set_buf(&sb[0], SECMSG_BUF_STREAM, p,
				HDR_LEN + b->size + TAG_LEN);
			set_buf(&sb[1], SECMSG_BUF_DATA, NULL, 0);
			m->nbuffers = 2;
			break;
		default:	/* SIGN, VERIFY: detached token */
			set_buf(&sb[0], SECMSG_BUF_TOKEN, tok,
				SECMSG_TOKEN_SIZE);
			set_buf(&sb[1], SECMSG_BUF_DATA, p + HDR_LEN, b->size);
			m->nbuffers = 2;
			break;
		}
	}
}

static const unsigned long secmsg_ioc[NR_OPS] = {
	[OP_SEAL] = SECMSG_IOC_SEAL, [OP_UNSEAL] = SECMSG_IOC_UNSEAL,
	[OP_SIGN] = SECMSG_IOC_SIGN, [OP_VERIFY] = SECMSG_IOC_VERIFY,
};

static const unsigned int secmsg_batch_op[NR_OPS] = {
	[OP_SEAL] = SECMSG_OP_SEAL, [OP_UNSEAL] = SECMSG_OP_UNSEAL,
	[OP_SIGN] = SECMSG_OP_SIGN, [OP_VERIFY] = SECMSG_OP_VERIFY,
};

static int secmsg_fd(struct bench *b, enum op op)
{
	return op == OP_SEAL || op == OP_SIGN ? b->ini : b->acc;
}

static int fail_msg(struct bench *b, enum impl impl, enum op op,
		    const char *what, const struct secmsg_message *m, int err)
{
	fprintf(stderr,
		"secmsg_bench: %s %s %s %zu B: %s: %s (verdict %s, error %d)\n",
		b->suite->opt, impl_name[impl], op_name[op], b->size, what,
		strerror(err), m ? verdict_name(m->verdict) : "-",
		m ? m->error : 0);
	return -1;
}

static int ioctl_each(struct bench *b, enum op op,
		      struct secmsg_message *msgs, unsigned int first,
		      unsigned int n)
{
	int fd = secmsg_fd(b, op);
	unsigned long req = secmsg_ioc[op];

	for (unsigned int i = first; i < first + n; i++)
		if (ioctl(fd, req, &msgs[i]))
			return fail_msg(b, IMPL_SINGLE, op, "ioctl", &msgs[i],
					errno);
	return 0;
}

static int run_single(struct bench *b, enum op op, unsigned int first,
		      unsigned int n)
{
	return ioctl_each(b, op, b->msgs, first, n);
}

static int run_batch(struct bench *b, enum op op, unsigned int first,
		     unsigned int n)
{
	struct secmsg_batch bt = {
		.size = sizeof(bt),
		.op = secmsg_batch_op[op],
		.count = n,
		.msgs = (uintptr_t)&b->msgs[first],
		.msg_size = sizeof(struct secmsg_message),
	};

	if (ioctl(secmsg_fd(b, op), SECMSG_IOC_BATCH, &bt))
		return fail_msg(b, IMPL_BATCH, op, "BATCH", NULL, errno);
	if (bt.completed == n && !bt.failed)
		return 0;
	for (unsigned int i = first; i < first + n; i++)
		if (b->msgs[i].error || b->msgs[i].verdict)
			return fail_msg(b, IMPL_BATCH, op, "BATCH message",
					&b->msgs[i], -b->msgs[i].error);
	return fail_msg(b, IMPL_BATCH, op, "BATCH count mismatch", NULL, EIO);
}

/*
 * io_uring: the calls as IORING_OP_URING_CMD requests on the context fd,
 * URING_QD at a time, each lot submitted and waited for in one
 * io_uring_enter(2) (uapi "io_uring").
 */
static int run_uring(struct bench *b, enum op op, unsigned int first,
		     unsigned int n)
{
	int fd = secmsg_fd(b, op);
	struct io_uring_cqe *cqe;

	while (n) {
		unsigned int k = n < URING_QD ? n : URING_QD, i;
		int ret;

		for (i = 0; i < k; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&b->ring);
			struct secmsg_uring_cmd c = {
				.arg = (uintptr_t)&b->msgs[first + i],
			};

			io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL,
					 0, 0);
			sqe->cmd_op = secmsg_ioc[op];
			memcpy(sqe->cmd, &c, sizeof(c));
			io_uring_sqe_set_data64(sqe, first + i);
		}
		ret = io_uring_submit_and_wait(&b->ring, k);
		if (ret != (int)k)
			return fail_msg(b, IMPL_URING, op, "io_uring_submit",
					NULL, ret < 0 ? -ret : EIO);
		for (i = 0; i < k; i++) {
			ret = io_uring_wait_cqe(&b->ring, &cqe);
			if (ret)
				return fail_msg(b, IMPL_URING, op,
						"io_uring_wait_cqe", NULL,
						-ret);
			ret = cqe->res;
			if (ret)
				return fail_msg(b, IMPL_URING, op, "cqe",
						&b->msgs[cqe->user_data],
						-ret);
			io_uring_cqe_seen(&b->ring, cqe);
		}
		first += k;
		n -= k;
	}
	return 0;
}

/* ---- the floor: the raw in-kernel AEAD --------------------------------- */

static const unsigned int floor_op[NR_OPS] = {
	[OP_SEAL] = SECMSG_FLOOR_OP_SEAL, [OP_UNSEAL] = SECMSG_FLOOR_OP_UNSEAL,
	[OP_SIGN] = SECMSG_FLOOR_OP_SIGN, [OP_VERIFY] = SECMSG_FLOOR_OP_VERIFY,
};

/*
 * @n operations of @op on message @first as one request: the kernel sets
 * the request up once and times only the AEAD calls (b->kern_dt).  A seal
 * or sign takes a new number for its header and nonce, as the baselines
 * do; an unseal or verify takes them from the message (header | data |
 * tag, as the baselines lay it out).  With @n 1 the message gets the
 * result: a seal's ciphertext and tag, a sign's tag.
 */
static int run_floor(struct bench *b, enum op op, unsigned int first,
		     unsigned int n)
{
	unsigned char *p = msg_at(b, first);
	bool sends = op == OP_SEAL || op == OP_SIGN;
	struct secmsg_floor_run r = {
		.op = floor_op[op],
		.alg = b->suite->floor_alg,
		.key_len = b->suite->key_len,
		.data_len = b->size,
		.iterations = n,
		.buf = (uintptr_t)(p + HDR_LEN),
	};
	uint64_t seq;

	if (sends)
		put_header(b, p, op == OP_SIGN, b->seq++);
	seq = get_be64(p + 8);
	memcpy(r.key, b->key, b->suite->key_len);
	make_nonce(b, seq, r.nonce);
	memcpy(r.header, p, HDR_LEN);
	if (ioctl(b->floor, SECMSG_FLOOR_IOC_RUN, &r))
		return fail_msg(b, IMPL_FLOOR, op, "SECMSG_FLOOR_IOC_RUN",
				NULL, errno);
	/* The timer's own share of an unseal's spans is not the AEAD's */
	b->kern_dt = (r.ns - (r.clock_ns < r.ns ? r.clock_ns : 0)) / 1e9;
	snprintf(b->floor_driver, sizeof(b->floor_driver), "%s", r.driver);
	return 0;
}

/* ---- AF_ALG ------------------------------------------------------------ */

/* The highest-priority driver /proc/crypto lists for an AEAD named @alg */
static void proc_crypto_driver(const char *alg, char *drv, size_t len,
			       int *prio)
{
	char line[256], name[128] = "", cur[128] = "", type[32] = "";
	int p = -1, best = -1;
	FILE *f = fopen("/proc/crypto", "re");

	snprintf(drv, len, "?");
	*prio = -1;
	if (!f)
		return;
	for (;;) {
		char *l = fgets(line, sizeof(line), f);
		char *v = l ? strchr(l, ':') : NULL;

		if (!l || line[0] == '\n') {	/* end of an entry */
			if (!strcmp(name, alg) && !strcmp(type, "aead") &&
			    p > best) {
				best = p;
				snprintf(drv, len, "%s", cur);
			}
			name[0] = 0;
			cur[0] = 0;
			type[0] = 0;
			p = -1;
			if (!l)
				break;
			continue;
		}
		if (!v)
			continue;
		v += 2;
		v[strcspn(v, "\n")] = 0;
		if (!strncmp(l, "name ", 5))
			snprintf(name, sizeof(name), "%s", v);
		else if (!strncmp(l, "driver ", 7))
			snprintf(cur, sizeof(cur), "%s", v);
		else if (!strncmp(l, "type ", 5))
			snprintf(type, sizeof(type), "%s", v);
		else if (!strncmp(l, "priority ", 9))
			p = atoi(v);
	}
	fclose(f);
	*prio = best;
}

static void afalg_open(struct bench *b)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "aead" };
	/* a message, its tag and a page of slack must fit in both directions */
	int want = sizes[NR_SIZES - 1] + HDR_LEN + TAG_LEN + 2 * 4096;
	int got = 0;
	socklen_t sl = sizeof(got);

	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s",
		 b->suite->alg);
	b->alg_tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (b->alg_tfm < 0)
		die("socket(AF_ALG): %s", strerror(errno));
	if (bind(b->alg_tfm, (struct sockaddr *)&sa, sizeof(sa)))
		die("AF_ALG bind aead %s: %s (algif_aead loaded?)",
		    b->suite->alg, strerror(errno));
	if (setsockopt(b->alg_tfm, SOL_ALG, ALG_SET_KEY, b->key,
		       b->suite->key_len))
		die("AF_ALG ALG_SET_KEY: %s", strerror(errno));
	if (setsockopt(b->alg_tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL,
		       TAG_LEN))
		die("AF_ALG ALG_SET_AEAD_AUTHSIZE: %s", strerror(errno));
	b->alg_op = accept4(b->alg_tfm, NULL, 0, SOCK_CLOEXEC);
	if (b->alg_op < 0)
		die("AF_ALG accept: %s", strerror(errno));

	/*
	 * algif_aead needs the whole message in the socket's send buffer and
	 * pins the output against its receive buffer; the defaults (about
	 * 200 KiB) would make a 1 MiB sendmsg() wait forever.  The FORCE
	 * options need CAP_NET_ADMIN; without it, the sizes that do not fit
	 * are reported as not measured.
	 */
	if (setsockopt(b->alg_op, SOL_SOCKET, SO_SNDBUFFORCE, &want,
		       sizeof(want)))
		setsockopt(b->alg_op, SOL_SOCKET, SO_SNDBUF, &want,
			   sizeof(want));
	if (setsockopt(b->alg_op, SOL_SOCKET, SO_RCVBUFFORCE, &want,
		       sizeof(want)))
		setsockopt(b->alg_op, SOL_SOCKET, SO_RCVBUF, &want,
			   sizeof(want));
	b->alg_max = SIZE_MAX;
	if (!getsockopt(b->alg_op, SOL_SOCKET, SO_SNDBUF, &got, &sl) &&
	    (size_t)(got & ~4095) < b->alg_max)
		b->alg_max = got & ~4095;
	sl = sizeof(got);
	if (!getsockopt(b->alg_op, SOL_SOCKET, SO_RCVBUF, &got, &sl) &&
	    (size_t)(got & ~4095) < b->alg_max)
		b->alg_max = got & ~4095;
	/* sendmsg() waits once less than a page of the send buffer is free */
	b->alg_max = b->alg_max > 4096 ? b->alg_max - 4096 : 0;

	proc_crypto_driver(b->suite->alg, b->alg_driver,
			   sizeof(b->alg_driver), &b->alg_prio);
}

static void afalg_close(struct bench *b)
{
	if (b->alg_op >= 0)
		close(b->alg_op);
	if (b->alg_tfm >= 0)
		close(b->alg_tfm);
	b->alg_op = b->alg_tfm = -1;
}

/* One AEAD operation through AF_ALG, in place on @p */
static int afalg_one(struct bench *b, unsigned char *p, bool enc,
		     size_t assoclen, size_t textlen, uint64_t seq)
{
	union {
		char buf[CMSG_SPACE(sizeof(__u32)) +
			 CMSG_SPACE(sizeof(struct af_alg_iv) + NONCE_LEN) +
			 CMSG_SPACE(sizeof(__u32))];
		struct cmsghdr align;
	} cbuf;
	size_t inlen = assoclen + textlen + (enc ? 0 : TAG_LEN);
	size_t outlen = assoclen + textlen + (enc ? TAG_LEN : 0);
	struct iovec iov = { p, inlen };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *c;
	struct af_alg_iv *aiv;
	ssize_t r;

	memset(&cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(__u32));
	*(__u32 *)CMSG_DATA(c) = enc ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;

	c = CMSG_NXTHDR(&mh, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(*aiv) + NONCE_LEN);
	aiv = (struct af_alg_iv *)CMSG_DATA(c);
	aiv->ivlen = NONCE_LEN;
	make_nonce(b, seq, aiv->iv);

	c = CMSG_NXTHDR(&mh, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
	c->cmsg_len = CMSG_LEN(sizeof(__u32));
	*(__u32 *)CMSG_DATA(c) = assoclen;

	r = sendmsg(b->alg_op, &mh, 0);
	if (r != (ssize_t)inlen)
		return r < 0 ? -errno : -EIO;
	/* exactly the output size: a longer read() waits for more input */
	r = read(b->alg_op, p, outlen);
	if (r != (ssize_t)outlen)
		return r < 0 ? -errno : -EIO;
	return 0;
}

/*
 * Whether AF_ALG can take a message of the current size at all: besides the
 * socket buffers, algif_aead charges its scatterlists to the socket's option
 * memory (net.core.optmem_max, 20 KiB by default), which a 1 MiB message
 * exceeds (ENOMEM).  That is a limit of the setup, not a failure: the cells
 * are reported as not measured, with the reason.
 */
static bool afalg_usable(struct bench *b, const char *sz)
{
	int err;

	if (HDR_LEN + b->size + TAG_LEN > b->alg_max) {
		printf("note: AF_ALG %s not measured: socket buffers too small (SO_SNDBUFFORCE needs CAP_NET_ADMIN)\n",
		       sz);
		return false;
	}
	memset(b->scratch, 0, HDR_LEN + b->size + TAG_LEN);
	err = afalg_one(b, b->scratch, true, HDR_LEN, b->size, 0);
	if (err == -ENOMEM) {
		printf("note: AF_ALG %s not measured: ENOMEM (raise net.core.optmem_max; run_bench.sh does)\n",
		       sz);
		return false;
	}
	if (err)
		die("AF_ALG %s probe: %s", sz, strerror(-err));
	return true;
}

static int run_afalg(struct bench *b, enum op op, unsigned int first,
		     unsigned int n)
{
	for (unsigned int i = first; i < first + n; i++) {
		unsigned char *p = msg_at(b, i);
		int err;

		switch (op) {
		case OP_SEAL:
			put_header(b, p, false, b->seq);
			err = afalg_one(b, p, true, HDR_LEN, b->size, b->seq++);
			break;
		case OP_UNSEAL:
			err = afalg_one(b, p, false, HDR_LEN, b->size,
					get_be64(p + 8));
			break;
		case OP_SIGN:
			put_header(b, p, true, b->seq);
			err = afalg_one(b, p, true, HDR_LEN + b->size, 0,
					b->seq++);
			break;
		default:
			err = afalg_one(b, p, false, HDR_LEN + b->size, 0,
					get_be64(p + 8));
			break;
		}
		if (err)
			return fail_msg(b, IMPL_AFALG, op, "AF_ALG", NULL, -err);
	}
	return 0;
}

/* ---- OpenSSL ----------------------------------------------------------- */

static int ossl_one(struct bench *b, EVP_CIPHER_CTX *ctx, unsigned char *p,
		    bool enc, size_t assoclen, size_t textlen, uint64_t seq)
{
	unsigned char nonce[NONCE_LEN], fin[32];
	unsigned char *tag = p + assoclen + textlen;
	int len;

	make_nonce(b, seq, nonce);
	if (enc) {
		if (!EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, nonce) ||
		    !EVP_EncryptUpdate(ctx, NULL, &len, p, assoclen) ||
		    (textlen && !EVP_EncryptUpdate(ctx, p + assoclen, &len,
						   p + assoclen, textlen)) ||
		    !EVP_EncryptFinal_ex(ctx, fin, &len) ||
		    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG_LEN,
					 tag))
			return -EIO;
		return 0;
	}
	if (!EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) ||
	    !EVP_DecryptUpdate(ctx, NULL, &len, p, assoclen) ||
	    (textlen && !EVP_DecryptUpdate(ctx, p + assoclen, &len,
					   p + assoclen, textlen)) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, tag))
		return -EIO;
	return EVP_DecryptFinal_ex(ctx, fin, &len) > 0 ? 0 : -EBADMSG;
}

static EVP_CIPHER_CTX *ossl_ctx(struct bench *b, bool enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (!ctx || !EVP_CipherInit_ex(ctx, b->suite->evp(), NULL, b->key,
				       NULL, enc))
		die("OpenSSL %s init failed", b->suite->label);
	return ctx;
}

static int run_ossl(struct bench *b, enum op op, unsigned int first,
		    unsigned int n)
{
	for (unsigned int i = first; i < first + n; i++) {
		unsigned char *p = msg_at(b, i);
		int err;

		switch (op) {
		case OP_SEAL:
			put_header(b, p, false, b->seq);
			err = ossl_one(b, b->enc, p, true, HDR_LEN, b->size,
				       b->seq++);
			break;
		case OP_UNSEAL:
			err = ossl_one(b, b->dec, p, false, HDR_LEN, b->size,
				       get_be64(p + 8));
			break;
		case OP_SIGN:
			put_header(b, p, true, b->seq);
			err = ossl_one(b, b->enc, p, true, HDR_LEN + b->size, 0,
				       b->seq++);
			break;
		default:
			err = ossl_one(b, b->dec, p, false, HDR_LEN + b->size, 0,
				       get_be64(p + 8));
			break;
		}
		if (err)
			return fail_msg(b, IMPL_OSSL, op, "EVP", NULL, -err);
	}
	return 0;
}

/* ---- cells ------------------------------------------------------------- */

typedef int (*run_fn)(struct bench *b, enum op op, unsigned int first,
		      unsigned int n);

static const run_fn runners[NR_IMPLS] = {
	[IMPL_SINGLE] = run_single, [IMPL_BATCH] = run_batch,
	[IMPL_URING] = run_uring, [IMPL_FLOOR] = run_floor, [IMPL_AFALG] = run_afalg,
	[IMPL_OSSL] = run_ossl,
};

static bool is_secmsg(enum impl impl)
{
	return impl == IMPL_SINGLE || impl == IMPL_BATCH ||
	       impl == IMPL_URING;
}

static bool receives(enum op op)
{
	return op == OP_UNSEAL || op == OP_VERIFY;
}

/* What makes the input of a receiving @op */
static enum op maker_op(enum op op)
{
	return op == OP_UNSEAL ? OP_SEAL : OP_SIGN;
}

/*
 * Check message @i (sealed or signed by @impl) with OpenSSL, independently
 * of the timed code: same key, nonce rule and header as the uapi specifies.
 * A mismatch means the cells do not compare the same work; it is reported,
 * the conformance itself is the selftests' business.
 */
static void xcheck(struct bench *b, enum impl impl, enum op op,
		   unsigned int i)
{
	unsigned char *p = msg_at(b, i), *s = b->scratch;
	bool sign = op == OP_VERIFY;
	unsigned char want[HDR_LEN];
	const char *why = NULL;
	uint64_t seq;

	if (sign && is_secmsg(impl)) {	/* header | data | tag from the token */
		unsigned char *tok = b->tokens + i * SECMSG_TOKEN_SIZE;

		memcpy(s, tok, HDR_LEN);
		memcpy(s + HDR_LEN, p + HDR_LEN, b->size);
		memcpy(s + HDR_LEN + b->size, tok + HDR_LEN, TAG_LEN);
	} else {
		memcpy(s, p, HDR_LEN + b->size + TAG_LEN);
	}
	seq = get_be64(s + 8);
	put_header(b, want, sign, seq);
	if (memcmp(s, want, HDR_LEN))
		why = "header differs from the uapi token format";
	else if (ossl_one(b, b->chk, s, false,
			  sign ? HDR_LEN + b->size : HDR_LEN,
			  sign ? 0 : b->size, seq))
		why = "OpenSSL rejects the tag";
	else if (memcmp(s + HDR_LEN, b->plain, b->size))
		why = "OpenSSL decrypts it to other plaintext";
	if (!why)
		return;
	printf("WARNING: cross-check: %s %s %s output at %zu B: %s; the cells may not compare the same work\n",
	       b->suite->opt, impl_name[impl], sign ? "sign" : "seal", b->size,
	       why);
	b->xcheck_failed = true;
}

/* Put the plaintext into messages [first, first + n) */
static void fill_plain(struct bench *b, unsigned int first, unsigned int n)
{
	for (unsigned int i = first; i < first + n; i++) {
		unsigned char *p = msg_at(b, i);

		memset(p, 0, HDR_LEN);
		memcpy(p + HDR_LEN, b->plain, b->size);
		memset(p + HDR_LEN + b->size, 0, TAG_LEN);
	}
}

/* Make the input of messages [first, first + n) of a receiving @op */
static int make_input(struct bench *b, enum impl impl, enum op op,
		      unsigned int first, unsigned int n)
{
	enum op mk = maker_op(op);

	if (!is_secmsg(impl)) {
		if (impl != IMPL_FLOOR)
			return runners[impl](b, mk, first, n);
		for (unsigned int i = first; i < first + n; i++)
			if (run_floor(b, mk, i, 1))
				return -1;
		return 0;
	}
	return ioctl_each(b, mk, b->mk_msgs, first, n);
}

/* Fill the pool for a cell of @impl doing @op; untimed */
static int prepare(struct bench *b, enum impl impl, enum op op)
{
	b->pool = impl == IMPL_BATCH ? opt.batch : b->pool_max;
	if (impl != IMPL_BATCH) {
		size_t n = POOL_BYTES / b->stride;

		if (n < b->pool)
			b->pool = n ? n : 1;
	}
	fill_plain(b, 0, b->pool);
	if (is_secmsg(impl)) {
		secmsg_setup(b, op, b->msgs, b->bufs);
		if (receives(op))
			secmsg_setup(b, maker_op(op), b->mk_msgs, b->mk_bufs);
	}
	if (receives(op)) {
		if (make_input(b, impl, op, 0, b->pool))
			return -1;
		xcheck(b, impl, op, 0);
		if (op == OP_UNSEAL)
			memcpy(b->orig, b->work, (size_t)b->pool * b->stride);
	}
	return 0;
}

/*
 * Before a timed chunk of a receiving cell: secmsg's window takes every
 * number once, so secmsg's messages are sealed (signed) afresh, with new
 * numbers; the baselines' sealed messages are restored from the saved
 * copy (verify does not change its input).
 */
static int refill(struct bench *b, enum impl impl, enum op op,
		  unsigned int first, unsigned int n)
{
	if (!receives(op))
		return 0;
	if (is_secmsg(impl)) {
		if (op == OP_UNSEAL)	/* what an unseal left: plaintext */
			fill_plain(b, first, n);
		return make_input(b, impl, op, first, n);
	}
	if (op == OP_UNSEAL)
		memcpy(b->work + first * b->stride, b->orig + first * b->stride,
		       (size_t)n * b->stride);
	return 0;
}

/* The first result of every cell must be right, not only fast */
static int check_first(struct bench *b, enum impl impl, enum op op,
		       unsigned int i)
{
	unsigned char *p = msg_at(b, i);

	if (op != OP_UNSEAL)
		return 0;	/* VERIFY's check is its own success */
	if (is_secmsg(impl)) {
		struct secmsg_buffer *d = &b->bufs[3 * i + 1];

		if (d->ptr != (uintptr_t)(p + HDR_LEN) || d->len != b->size) {
			fprintf(stderr,
				"secmsg_bench: %s unseal %zu B: DATA out is %u bytes at offset %td, want %zu at %d\n",
				impl_name[impl], b->size, d->len,
				(unsigned char *)(uintptr_t)d->ptr - p,
				b->size, HDR_LEN);
			return -1;
		}
	}
	if (memcmp(p + HDR_LEN, b->plain, b->size)) {
		fprintf(stderr,
			"secmsg_bench: %s unseal %zu B: plaintext differs from what was sealed\n",
			impl_name[impl], b->size);
		return -1;
	}
	return 0;
}

/*
 * Messages per second of one cell.  Messages run in chunks (a BATCH call,
 * a floor request, or a growing run of single calls so that the clock is
 * read rarely); only the chunks are timed, never the refills between them.
 */
static double measure(struct bench *b, enum impl impl, enum op op)
{
	bool batch = impl == IMPL_BATCH, warming = true, checked = false;
	unsigned long min = batch ? (unsigned long)opt.min_calls * opt.batch :
				    opt.min_msgs;
	unsigned int chunk, first = 0;
	double t = 0, warm = 0, t0, dt;
	unsigned long msgs = 0;

	if (prepare(b, impl, op))
		return -2;
	chunk = 1;
	if (batch) {	/* warm up on smaller batches when messages are big */
		size_t n = WARM_BYTES / b->size;

		chunk = n < opt.batch ? (n ? n : 1) : opt.batch;
	}
	for (;;) {
		if (first + chunk > b->pool)
			first = 0;
		if (refill(b, impl, op, first, chunk))
			return -2;
		t0 = now();
		if (runners[impl](b, op, first, chunk))
			return -2;
		dt = now() - t0;
		if (impl == IMPL_FLOOR)
			dt = b->kern_dt;
		if (!checked) {
			if (check_first(b, impl, op, first))
				return -2;
			checked = true;
		}
		first += chunk;
		if (warming) {
			warm += dt;
			if (warm >= opt.warm) {
				warming = false;
				if (batch)
					chunk = opt.batch;
			}
		} else {
			t += dt;
			msgs += chunk;
			if (t >= opt.secs && msgs >= min)
				break;
		}
		if (!batch && dt < opt.secs / 16 && chunk < b->pool)
			chunk = chunk * 2 < b->pool ? chunk * 2 : b->pool;
	}
	return t > 0 ? msgs / t : -2;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n sorted values */
static double median(const double *v, unsigned int n)
{
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * All cells of one size and op, in rounds that visit every implementation
 * in turn, each round starting one further along, so that drift of the
 * (emulated) machine hits all of them alike.  A cell's rate is the median
 * of its rounds.
 */
static int measure_op(struct bench *b, enum op op, const bool on[NR_IMPLS],
		      bool first_cell)
{
	double r[NR_IMPLS][MAX_ROUNDS];
	struct rate *res = b->rate[b->si][b->zi][op];

	/*
	 * The very first round pays for QEMU translating every code path
	 * once, and for the guest settling after boot: run it, discard it.
	 */
	if (first_cell)
		for (unsigned int i = 0; i < NR_IMPLS; i++)
			if (on[i] && measure(b, i, op) < 0)
				return -1;
	for (unsigned int k = 0; k < opt.rounds; k++)
		for (unsigned int j = 0; j < NR_IMPLS; j++) {
			unsigned int i = (j + k) % NR_IMPLS;

			if (!on[i])
				continue;
			r[i][k] = measure(b, i, op);
			if (r[i][k] < 0)
				return -1;
		}
	for (unsigned int i = 0; i < NR_IMPLS; i++) {
		double med, sp;

		res[i].med = -1;
		if (!on[i])
			continue;
		memcpy(res[i].round, r[i], opt.rounds * sizeof(double));
		res[i].n = opt.rounds;
		qsort(r[i], opt.rounds, sizeof(double), cmp_double);
		med = median(r[i], opt.rounds);
		res[i].med = med;
		res[i].lo = r[i][0];
		res[i].hi = r[i][opt.rounds - 1];
		sp = (r[i][opt.rounds - 1] - r[i][0]) / med;
		if (sp > b->spread) {
			b->spread = sp;
			snprintf(b->spread_cell, sizeof(b->spread_cell),
				 "%s %s %s %zu B", b->suite->opt, impl_name[i],
				 op_name[op], b->size);
		}
		printf("bench: %s %s %zu %s %.1f %.1f %.1f\n", b->suite->opt,
		       op_name[op], b->size, impl_name[i], med, r[i][0],
		       r[i][opt.rounds - 1]);
	}
	return 0;
}

/* ---- contexts, memory, threads ------------------------------------------ */

static struct {
	double imports;		/* IMPORT + close per second */
	double locals;		/* local INIT + ACCEPT + COMPLETE per second */
	long mem_n[3];		/* context counts of the memory section */
	double mem[3];		/* bytes per idle context at mem_n[i] */
	double mem_busy;	/* bytes per context after one 16 KiB seal */
	long busy_n;
	double secmsg1, secmsg2, user1, user2;	/* msgs/s, 1 and 2 threads */
	bool measured;
} ex;

/* Contexts imported and closed again per second */
static double import_rate(int dev, const struct suite *s)
{
	unsigned long n = 0;
	double t0 = now(), t;

	do {
		int fd = secmsg_import_fd(dev, s, SECMSG_ROLE_INITIATOR);

		if (fd < 0)
			die("IMPORT: %s", strerror(-fd));
		close(fd);
		n++;
		t = now() - t0;
	} while (t < opt.secs * 5 || n < 10);
	return n / t;
}

/* One local context pair, established in this process: 0 or -errno */
static int local_pair(int dev)
{
	unsigned char tok[SECMSG_LOCAL_TOKEN_SIZE];
	unsigned char reply[SECMSG_LOCAL_TOKEN_SIZE];
	struct secmsg_init ini = {
		.size = sizeof(ini),
		.package = SECMSG_PKG_LOCAL,
		.target_type = SECMSG_TARGET_UID,
		.target_uid = getuid(),
		.ctx_flags = SECMSG_CTX_MUTUAL_AUTH | SECMSG_CTX_REPLAY_DETECT |
			     SECMSG_CTX_CONFIDENTIALITY | SECMSG_CTX_INTEGRITY,
		.token_len = sizeof(tok),
		.token = (uintptr_t)tok,
	};
	struct secmsg_accept acc = {
		.size = sizeof(acc),
		.package = SECMSG_PKG_LOCAL,
		.in_token = (uintptr_t)tok,
		.in_len = sizeof(tok),
		.out_token = (uintptr_t)reply,
		.out_len = sizeof(reply),
	};
	struct secmsg_complete cmp = {
		.size = sizeof(cmp),
		.in_token = (uintptr_t)reply,
		.in_len = sizeof(reply),
	};
	int ifd, afd, err = 0;

	ifd = ioctl(dev, SECMSG_IOC_INIT, &ini);
	if (ifd < 0)
		return -errno;
	afd = ioctl(dev, SECMSG_IOC_ACCEPT, &acc);
	if (afd < 0)
		err = -errno;
	else if (ioctl(ifd, SECMSG_IOC_COMPLETE, &cmp))
		err = -errno;
	if (afd >= 0)
		close(afd);
	close(ifd);
	return err;
}

/* Local contexts established (both sides) and closed per second */
static double local_rate(int dev)
{
	unsigned long n = 0;
	double t0 = now(), t;

	do {
		int err = local_pair(dev);

		if (err)
			die("local establishment: %s", strerror(-err));
		n++;
		t = now() - t0;
	} while (t < opt.secs * 5 || n < 10);
	return n / t;
}

/*
 * Flush every slab cache's per-CPU slabs (SLUB: /sys/kernel/slab/NAME/
 * shrink), after which slabinfo's active objects are the objects in use:
 * otherwise the free objects of a per-CPU slab count as active.
 */
static void slab_shrink_all(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	char path[512];
	struct dirent *e;
	int fd;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
				 e->d_name);
			fd = open(path, O_WRONLY | O_CLOEXEC);
			if (fd >= 0) {
				if (write(fd, "1", 1) != 1)
					errno = 0;
				close(fd);
			}
		}
	closedir(d);
}

/*
 * Bytes of live slab objects: the sum of active objects times object size
 * over /proc/slabinfo (root only) once the per-CPU slabs are flushed, or
 * -1.  Unlike meminfo's Slab, which counts pages, it does not hide new
 * objects in the partly free pages an earlier, larger count of contexts
 * left behind, nor count a per-CPU slab's free objects.
 */
static long slab_live(void)
{
	unsigned long active, total, size;
	char line[512], name[128];
	FILE *f = fopen("/proc/slabinfo", "re");
	long sum = 0;

	if (!f)
		return -1;
	slab_shrink_all();
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %lu %lu %lu", name, &active, &total,
			   &size) == 4)
			sum += (long)(active * size);
	fclose(f);
	return sum;
}

/*
 * Kernel memory that contexts can take, bytes: live slab objects, per-CPU
 * and vmalloc (meminfo's Slab instead when slabinfo cannot be read).
 */
static long kernel_mem(void)
{
	static const char *const keys[] = { "Percpu:", "VmallocUsed:",
					    "Slab:" };
	long slab, sum = 0, v;
	unsigned int nkeys;
	char line[128];
	FILE *f;

	/* Let RCU free what earlier closes left (files, their inodes). */
	usleep(200000);
	slab = slab_live();
	nkeys = slab < 0 ? 3 : 2;
	f = fopen("/proc/meminfo", "re");

	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		for (unsigned int i = 0; i < nkeys; i++)
			if (!strncmp(line, keys[i], strlen(keys[i])) &&
			    sscanf(line + strlen(keys[i]), "%ld", &v) == 1)
				sum += v * 1024;
	fclose(f);
	return sum + (slab < 0 ? 0 : slab);
}

#define MAX_CTX_PARAM "/sys/module/secmsg/parameters/max_contexts_per_user"
#define IDLE_PARAM "/sys/module/secmsg/parameters/idle_release_ms"

static long read_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static bool write_long(const char *path, long v)
{
	FILE *f = fopen(path, "we");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok;
}

/*
 * Kernel memory per context with @n contexts open: the growth of
 * kernel_mem() from before the first to after the last import, over @n.
 * With @seal, each context then seals one 16 KiB message (what a context
 * keeps once used).  Live slab objects are counted, so any @n gives a
 * fair figure; from meminfo's Slab (pages), only large ones do.
 * A failure is reported and gives -1: the tables measured so far count.
 */
static bool mem_per_ctx_once(int dev, const struct suite *s, long n,
			     bool seal, double *per_ctx)
{
	static unsigned char msg[HDR_LEN + 16384 + TAG_LEN];
	int *fds = calloc(n, sizeof(*fds));
	long before, after, i;
	bool ok = false;

	if (!fds)
		die("out of memory");
	before = kernel_mem();
	for (i = 0; i < n; i++) {
		fds[i] = secmsg_import_fd(dev, s, SECMSG_ROLE_INITIATOR);
		if (fds[i] < 0) {
			printf("  not measured: IMPORT of context %ld of %ld: %s\n",
			       i + 1, n, strerror(-fds[i]));
			goto out;
		}
		if (seal) {
			struct secmsg_buffer sb[3];
			struct secmsg_message m;

			seal_msg_init(&m, sb, msg, 16384);
			if (ioctl(fds[i], SECMSG_IOC_SEAL, &m)) {
				printf("  not measured: SEAL on context %ld: %s\n",
				       i + 1, strerror(errno));
				i++;
				goto out;
			}
		}
	}
	after = kernel_mem();
	*per_ctx = (double)(after - before) / n;
	ok = true;
out:
	while (i-- > 0)
		close(fds[i]);
	free(fds);
	return ok;
}

/*
 * mem_per_ctx_once(), and for fewer than 1,000 contexts the median of 9
 * tries, their range in @lo and @hi (if not NULL): whatever else the kernel allocates
 * or frees meanwhile (slab caches shared with the rest of the kernel move
 * by whole slabs) weighs on a few contexts alone, by tens of KB.
 */
static double mem_per_ctx(int dev, const struct suite *s, long n, bool seal,
			  double *lo, double *hi)
{
	unsigned int tries = n < 1000 ? 9 : 1;
	double v[9];

	for (unsigned int i = 0; i < tries; i++)
		if (!mem_per_ctx_once(dev, s, n, seal, &v[i]))
			return -1;
	qsort(v, tries, sizeof(v[0]), cmp_double);
	if (lo)
		*lo = v[0];
	if (hi)
		*hi = v[tries - 1];
	return v[tries / 2];
}

struct thr {
	pthread_t t;
	struct bench *b;
	bool user;		/* the user-space loop, not secmsg */
	int fd;
	double until;
	unsigned long n;
	pthread_barrier_t *go;
};

/* Seal 16 KiB messages on the thread's own context (or in user space) */
static void *thr_main(void *arg)
{
	struct thr *t = arg;
	size_t len = 16384;
	unsigned char *p = calloc(1, HDR_LEN + len + TAG_LEN);
	EVP_CIPHER_CTX *c = t->user ? ossl_ctx(t->b, true) : NULL;
	struct secmsg_buffer sb[3];
	struct secmsg_message m;

	if (!p)
		die("out of memory");
	seal_msg_init(&m, sb, p, len);
	pthread_barrier_wait(t->go);
	do {
		for (unsigned int i = 0; i < 8; i++) {
			if (t->user) {
				if (ossl_one(t->b, c, p, true, HDR_LEN, len,
					     t->n + i))
					die("EVP seal failed");
			} else if (ioctl(t->fd, SECMSG_IOC_SEAL, &m)) {
				die("SEAL (threads): %s", strerror(errno));
			}
		}
		t->n += 8;
	} while (now() < t->until);
	EVP_CIPHER_CTX_free(c);
	free(p);
	return NULL;
}

/* Messages per second of @nthr threads, each on a context of its own */
static double thread_rate(struct bench *b, unsigned int nthr, bool user)
{
	struct thr t[2] = {};
	pthread_barrier_t go;
	unsigned long n = 0;
	double t0, secs = opt.secs * 5;

	pthread_barrier_init(&go, NULL, nthr + 1);
	for (unsigned int i = 0; i < nthr; i++) {
		t[i] = (struct thr){ .b = b, .user = user, .go = &go, .fd = -1 };
		if (!user)
			t[i].fd = secmsg_import(b, SECMSG_ROLE_INITIATOR);
	}
	t0 = now();
	for (unsigned int i = 0; i < nthr; i++) {
		t[i].until = t0 + 0.05 + secs;
		if (pthread_create(&t[i].t, NULL, thr_main, &t[i]))
			die("pthread_create failed");
	}
	pthread_barrier_wait(&go);
	t0 = now();
	for (unsigned int i = 0; i < nthr; i++) {
		pthread_join(t[i].t, NULL);
		n += t[i].n;
		if (t[i].fd >= 0)
			close(t[i].fd);
	}
	pthread_barrier_destroy(&go);
	return n / (now() - t0);
}

static void measure_extras(struct bench *b)
{
	long old = read_long(MAX_CTX_PARAM);
	long want = opt.max_ctx + 64, idle_ms;
	struct rlimit rl = { want + 64, want + 64 };

	printf("\ncontexts, memory and threads (suite %s):\n", b->suite->opt);
	ex.imports = import_rate(b->dev, b->suite);
	printf("  raw contexts imported and closed: %.0f per second\n",
	       ex.imports);
	ex.locals = local_rate(b->dev);
	printf("  local contexts established (INIT, ACCEPT, COMPLETE) and closed: %.0f pairs per second\n",
	       ex.locals);

	ex.mem_n[0] = 1;
	ex.mem_n[1] = 1000 < opt.max_ctx ? 1000 : opt.max_ctx;
	ex.mem_n[2] = opt.max_ctx;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		printf("  note: RLIMIT_NOFILE %ld: %s\n", want + 64,
		       strerror(errno));
	if (old >= 0 && old < want && !write_long(MAX_CTX_PARAM, want))
		printf("  note: cannot raise max_contexts_per_user\n");
	printf("  kernel memory: %s, per-CPU and vmalloc\n",
	       slab_live() < 0 ? "slab pages (meminfo)" :
	       "live slab objects (slabinfo)");
	for (unsigned int i = 0; i < 3; i++) {
		double lo, hi;

		ex.mem[i] = mem_per_ctx(b->dev, b->suite, ex.mem_n[i], false,
					&lo, &hi);
		printf("  kernel memory per idle context at %ld context(s): %.0f bytes",
		       ex.mem_n[i], ex.mem[i]);
		if (ex.mem_n[i] < 1000)
			printf(" (median of 9, %.0f to %.0f: the rest of the kernel moves shared slabs by more; a figure from 1,000 up)",
			       lo, hi);
		printf("\n");
	}
	/* What a context keeps, not given back by the idle pass meanwhile. */
	idle_ms = read_long(IDLE_PARAM);
	if (idle_ms > 0 && !write_long(IDLE_PARAM, 0))
		printf("  note: cannot stop the idle release (%s)\n",
		       IDLE_PARAM);
	ex.busy_n = ex.mem_n[1];
	ex.mem_busy = mem_per_ctx(b->dev, b->suite, ex.busy_n, true, NULL,
				  NULL);
	if (idle_ms > 0)
		write_long(IDLE_PARAM, idle_ms);
	printf("  kernel memory per context at %ld contexts, each just after one 16 KiB seal: %.0f bytes\n",
	       ex.busy_n, ex.mem_busy);
	if (old >= 0 && old < want)
		write_long(MAX_CTX_PARAM, old);

	ex.secmsg1 = thread_rate(b, 1, false);
	ex.secmsg2 = thread_rate(b, 2, false);
	ex.user1 = thread_rate(b, 1, true);
	ex.user2 = thread_rate(b, 2, true);
	printf("  16 KiB seals, 2 threads on 2 contexts against 1: %.2fx (%.0f vs %.0f msgs/s)\n",
	       ex.secmsg2 / ex.secmsg1, ex.secmsg2, ex.secmsg1);
	printf("  the machine's ceiling, the same with OpenSSL in user space: %.2fx (%.0f vs %.0f msgs/s; %ld CPUs online)\n",
	       ex.user2 / ex.user1, ex.user2, ex.user1,
	       sysconf(_SC_NPROCESSORS_ONLN));
	ex.measured = true;
}

/* ---- output ------------------------------------------------------------ */

static const char *fmt_rate(double r, char *buf, size_t len)
{
	if (r < 0)
		snprintf(buf, len, "-");
	else if (r < 1000)
		snprintf(buf, len, "%.1f", r);
	else
		snprintf(buf, len, "%.0f", r);
	return buf;
}

/*
 * Cell @a against cell @b: the median of their per-round ratios (the two
 * were measured back to back in each round), or < 0 when either is not
 * measured.
 */
static double ratio(const struct rate *a, const struct rate *b)
{
	double q[MAX_ROUNDS];
	unsigned int k;

	if (a->med < 0 || b->med <= 0)
		return -1;
	if (a->n != b->n || !a->n)
		return a->med / b->med;
	for (k = 0; k < a->n; k++) {
		if (a->round[k] < 0 || b->round[k] <= 0)
			return -1;
		q[k] = a->round[k] / b->round[k];
	}
	qsort(q, a->n, sizeof(double), cmp_double);
	return median(q, a->n);
}

static const char *fmt_ratio(double q, char *buf, size_t len)
{
	if (q < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2fx", q);
	return buf;
}

static void size_label(size_t size, char *buf, size_t len)
{
	if (size >= 1 << 20)
		snprintf(buf, len, "%zu MiB", size >> 20);
	else if (size >= 1 << 10)
		snprintf(buf, len, "%zu KiB", size >> 10);
	else
		snprintf(buf, len, "%zu B", size);
}

/* The ratio columns, in the tables and the CSV */
static const struct {
	const char *name;
	enum impl num, den;
} ratios[] = {
	{ "single/floor", IMPL_SINGLE, IMPL_FLOOR },
	{ "batch/floor", IMPL_BATCH, IMPL_FLOOR },
	{ "uring/floor", IMPL_URING, IMPL_FLOOR },
	{ "single/AF_ALG", IMPL_SINGLE, IMPL_AFALG },
	{ "batch/AF_ALG", IMPL_BATCH, IMPL_AFALG },
	{ "uring/AF_ALG", IMPL_URING, IMPL_AFALG },
	{ "single/OpenSSL", IMPL_SINGLE, IMPL_OSSL },
};
#define NR_RATIOS ARRAY_SIZE(ratios)

static void print_table(struct bench *b, unsigned int si)
{
	char r[NR_IMPLS][32], q[NR_RATIOS][16], sz[24], bl[32];

	snprintf(bl, sizeof(bl), "batch-%u", opt.batch);
	_Static_assert(NR_RATIOS == 7, "the table's columns");
	printf("\n%s: messages per second (each message of a batch counts; median of %u round(s))\n"
	       "  drivers: secmsg %s, floor %s, AF_ALG %s\n\n",
	       suites[si].label, opt.rounds, b->drivers[si][0],
	       b->drivers[si][1], b->drivers[si][2]);
	printf("%-7s %-6s %9s %9s %9s %9s %9s %9s | %7s %7s %7s %7s %7s %7s %7s\n",
	       "size", "op", "secmsg-1", bl, "uring", "floor", "AF_ALG",
	       "OpenSSL", "1/floor", "b/floor", "u/floor", "1/AF", "b/AF",
	       "u/AF", "1/OSSL");
	for (unsigned int s = 0; s < NR_SIZES; s++) {
		size_label(sizes[s], sz, sizeof(sz));
		for (unsigned int o = 0; o < NR_OPS; o++) {
			struct rate *c = b->rate[si][s][o];

			for (unsigned int i = 0; i < NR_IMPLS; i++)
				fmt_rate(c[i].med, r[i], sizeof(r[i]));
			for (unsigned int k = 0; k < NR_RATIOS; k++)
				fmt_ratio(ratio(&c[ratios[k].num],
						&c[ratios[k].den]),
					  q[k], sizeof(q[k]));
			printf("%-7s %-6s %9s %9s %9s %9s %9s %9s | %7s %7s %7s %7s %7s %7s %7s\n",
			       sz, op_name[o], r[IMPL_SINGLE], r[IMPL_BATCH],
			       r[IMPL_URING], r[IMPL_FLOOR], r[IMPL_AFALG],
			       r[IMPL_OSSL], q[0], q[1], q[2], q[3], q[4],
			       q[5], q[6]);
		}
	}
}

/* The targets, one line each per suite; measured, not asserted */
struct target {
	const char *name;
	enum impl impl, base;
	unsigned int first, last;	/* size indexes */
	unsigned int ops;		/* bit per op */
	double min;
};

static const struct target targets[] = {
	{ "single >=16KiB vs floor", IMPL_SINGLE, IMPL_FLOOR, SIZE_16K,
	  NR_SIZES - 1, 0xf, 0.9 },
	{ "single 64B vs AF_ALG", IMPL_SINGLE, IMPL_AFALG, 0, 0, 0x3, 4.0 },
	{ "batch 64B vs floor", IMPL_BATCH, IMPL_FLOOR, 0, 0, 0x3, 0.8 },
	{ "batch 64B vs AF_ALG", IMPL_BATCH, IMPL_AFALG, 0, 0, 0x3, 8.0 },
};

static void print_targets(struct bench *b)
{
	unsigned int met = 0, total = 0;
	char sz[24], q[16], name[96];

	printf("\nTargets of issue 13 (measured, not asserted; batch = %u messages per call):\n",
	       opt.batch);
	for (unsigned int si = 0; si < NR_SUITES; si++) {
		if (!(opt.suites & 1u << si))
			continue;
		for (unsigned int t = 0; t < ARRAY_SIZE(targets); t++) {
			const struct target *tg = &targets[t];

			for (unsigned int s = tg->first; s <= tg->last; s++)
				for (unsigned int o = 0; o < NR_OPS; o++) {
					struct rate *c = b->rate[si][s][o];
					double r;
					const char *v;

					if (!(tg->ops & 1u << o))
						continue;
					r = ratio(&c[tg->impl], &c[tg->base]);
					v = r < 0 ? "NOT_MEASURED" :
					    r >= tg->min ? "MET" : "NOT_MET";
					size_label(sizes[s], sz, sizeof(sz));
					snprintf(name, sizeof(name),
						 "%s %s %s", impl_name[tg->impl],
						 sz, op_name[o]);
					printf("  %-18s %-28s >= %.1fx %s: %7s  %s\n",
					       suites[si].opt, name, tg->min,
					       impl_name[tg->base],
					       fmt_ratio(r, q, sizeof(q)), v);
					met += r >= tg->min;
					total++;
				}
		}
	}
	if (ex.measured) {
		double s = ex.secmsg2 / ex.secmsg1, u = ex.user2 / ex.user1;

		printf("  %-18s %-28s >= 1.6x 1 thread: %6.2fx  %s (machine's ceiling %.2fx)\n",
		       "", "2 threads, 2 contexts", s,
		       s >= 1.6 ? "MET" : u < 1.6 ? "CEILING_BELOW" : "NOT_MET",
		       u);
		met += s >= 1.6;
		total++;
		printf("  %-18s %-28s <= 4096 bytes: %6.0f  %s\n", "",
		       "memory per idle context", ex.mem[2],
		       ex.mem[2] < 0 ? "NOT_MEASURED" :
		       ex.mem[2] <= 4096 ? "MET" : "NOT_MET");
		met += ex.mem[2] >= 0 && ex.mem[2] <= 4096;
		total++;
	}
	printf("  %u of %u targets met\n", met, total);
}

static FILE *out_file(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", opt.out, name);
	f = fopen(path, "we");
	if (!f)
		die("%s: %s", path, strerror(errno));
	return f;
}

/*
 * bench.csv: every cell; ratios.csv: the ratio columns; ratios.dat: the
 * same for gnuplot (plot.gp), one block per suite and op; extras.csv.
 */
static void write_files(struct bench *b)
{
	FILE *c = out_file("bench.csv"), *r = out_file("ratios.csv");
	FILE *d = out_file("ratios.dat"), *x = out_file("extras.csv");

	fprintf(c, "suite,size,op,impl,msgs_per_s,min,max,rounds\n");
	fprintf(r, "suite,size,op");
	for (unsigned int k = 0; k < NR_RATIOS; k++)
		fprintf(r, ",%s", ratios[k].name);
	fputc('\n', r);
	for (unsigned int si = 0; si < NR_SUITES; si++) {
		if (!(opt.suites & 1u << si))
			continue;
		for (unsigned int o = 0; o < NR_OPS; o++) {
			fprintf(d, "# %s %s: size", suites[si].opt, op_name[o]);
			for (unsigned int k = 0; k < NR_RATIOS; k++)
				fprintf(d, " %s", ratios[k].name);
			fputc('\n', d);
			for (unsigned int s = 0; s < NR_SIZES; s++) {
				struct rate *v = b->rate[si][s][o];

				for (unsigned int i = 0; i < NR_IMPLS; i++)
					if (v[i].med >= 0)
						fprintf(c, "%s,%zu,%s,%s,%.1f,%.1f,%.1f,%u\n",
							suites[si].opt, sizes[s],
							op_name[o], impl_name[i],
							v[i].med, v[i].lo,
							v[i].hi, opt.rounds);
				fprintf(r, "%s,%zu,%s", suites[si].opt,
					sizes[s], op_name[o]);
				fprintf(d, "%zu", sizes[s]);
				for (unsigned int k = 0; k < NR_RATIOS; k++) {
					double q = ratio(&v[ratios[k].num],
							 &v[ratios[k].den]);

					fprintf(r, q < 0 ? "," : ",%.3f", q);
					fprintf(d, q < 0 ? " NaN" : " %.3f", q);
				}
				fputc('\n', r);
				fputc('\n', d);
			}
			fputs("\n\n", d);
		}
	}
	fprintf(x, "metric,value\n");
	if (ex.measured) {
		fprintf(x, "imports_per_s,%.0f\n", ex.imports);
		fprintf(x, "local_pairs_per_s,%.0f\n", ex.locals);
		for (unsigned int i = 0; i < 3; i++)
			fprintf(x, "bytes_per_idle_context_at_%ld,%.0f\n",
				ex.mem_n[i], ex.mem[i]);
		fprintf(x, "bytes_per_context_after_16KiB_seal_at_%ld,%.0f\n",
			ex.busy_n, ex.mem_busy);
		fprintf(x, "seal16k_1thread_msgs_per_s,%.0f\n", ex.secmsg1);
		fprintf(x, "seal16k_2threads_msgs_per_s,%.0f\n", ex.secmsg2);
		fprintf(x, "user_1thread_msgs_per_s,%.0f\n", ex.user1);
		fprintf(x, "user_2threads_msgs_per_s,%.0f\n", ex.user2);
	}
	fclose(c);
	fclose(r);
	fclose(d);
	fclose(x);
}

/* ---- main -------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: secmsg_bench [-s SUITE] [-t SECS] [-r N] [-b N] [-o DIR] [-n N] [--quick]\n"
		"                    [--no-secmsg] [--no-afalg] [--no-extras]\n"
		"  -s, --suite SUITE  aes128-gcm, aes256-gcm, chacha20-poly1305 or all\n"
		"                     (default); may be given more than once\n"
		"  -t, --time SECS    timed seconds per round of a cell (default 0.1)\n"
		"  -r, --rounds N     rounds per cell, interleaved with the other\n"
		"                     implementations; the median counts (default 5)\n"
		"  -b, --batch N      messages per BATCH call (default 32)\n"
		"  -o, --out DIR      write bench.csv, ratios.csv, ratios.dat, extras.csv\n"
		"  -n, --contexts N   the largest count of the memory section (default 100000)\n"
		"  -q, --quick        0.05 s per cell in 1 round, fewer minimum messages,\n"
		"                     at most 10000 contexts\n"
		"      --no-secmsg    measure only the floor, AF_ALG and OpenSSL\n"
		"      --no-afalg     do not measure AF_ALG\n"
		"      --no-extras    leave out contexts, memory and threads\n");
}

static unsigned long parse_num(const char *s, unsigned long min,
			       unsigned long max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*end || v < min || v > max) {
		usage(stderr);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "time", required_argument, NULL, 't' },
		{ "batch", required_argument, NULL, 'b' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "contexts", required_argument, NULL, 'n' },
		{ "quick", no_argument, NULL, 'q' },
		{ "no-secmsg", no_argument, NULL, 'S' },
		{ "no-afalg", no_argument, NULL, 'A' },
		{ "no-extras", no_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool quick = false, timed = false, rounds_set = false, ctx_set = false;
	unsigned int suites_set = 0, i;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "s:t:b:r:o:n:qh", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!strcmp(optarg, "all")) {
				suites_set = (1u << NR_SUITES) - 1;
				break;
			}
			for (i = 0; i < NR_SUITES; i++)
				if (!strcmp(optarg, suites[i].opt))
					break;
			if (i == NR_SUITES) {
				usage(stderr);
				exit(2);
			}
			suites_set |= 1u << i;
			break;
		case 't':
			opt.secs = strtod(optarg, &end);
			if (*end || !(opt.secs > 0)) {
				usage(stderr);
				exit(2);
			}
			timed = true;
			break;
		case 'b':
			opt.batch = parse_num(optarg, 1, SECMSG_MAX_BATCH);
			break;
		case 'r':
			opt.rounds = parse_num(optarg, 1, MAX_ROUNDS);
			rounds_set = true;
			break;
		case 'o':
			opt.out = optarg;
			break;
		case 'n':
			opt.max_ctx = parse_num(optarg, 1, 1000000);
			ctx_set = true;
			break;
		case 'q':
			quick = true;
			break;
		case 'S':
			opt.no_secmsg = true;
			break;
		case 'A':
			opt.no_afalg = true;
			break;
		case 'X':
			opt.no_extras = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
	if (suites_set)
		opt.suites = suites_set;
	if (quick) {
		if (!timed)
			opt.secs = 0.05;
		opt.min_msgs = 2;
		if (!rounds_set)
			opt.rounds = 1;
		if (!ctx_set)
			opt.max_ctx = 10000;
	}
	opt.warm = opt.secs / 5 < 0.1 ? opt.secs / 5 : 0.1;
}

static void *xalloc(size_t len)
{
	void *p;

	if (posix_memalign(&p, 4096, len ? len : 1))
		die("out of memory (%zu bytes)", len);
	memset(p, 0, len);	/* fault the pages in before any timing */
	return p;
}

/* What the numbers were measured on */
static void print_machine(void)
{
	char line[256], model[256] = "?";
	bool hv = false;
	struct utsname u;
	FILE *f = fopen("/proc/cpuinfo", "re");

	while (f && fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		v[strcspn(v, "\n")] = 0;
		if (!strncmp(line, "model name", 10) && model[0] == '?')
			snprintf(model, sizeof(model), "%s", v + 2);
		if (!strncmp(line, "flags", 5) && strstr(v, " hypervisor"))
			hv = true;
	}
	if (f)
		fclose(f);
	uname(&u);
	printf("machine: %s %s, CPU \"%s\", %ld CPU(s) online%s\n",
	       u.release, u.machine, model, sysconf(_SC_NPROCESSORS_ONLN),
	       hv ? ", virtual machine" : "");
	if (hv)
		printf("  Under emulation (QEMU TCG) absolute numbers mean little: read the\n"
		       "  ratios between cells of this run.\n");
}

static void open_floor(struct bench *b)
{
	b->floor = open("/dev/secmsg_floor", O_RDWR | O_CLOEXEC);
	if (b->floor < 0)
		printf("floor:   not measured: /dev/secmsg_floor: %s (load selftests/bench/floor/secmsg_floor.ko; run_bench.sh does)\n",
		       strerror(errno));
}

/* Every size and op of the current suite */
static int run_suite(struct bench *b, bool *first_cell)
{
	const struct suite *s = b->suite;
	bool on[NR_IMPLS], alg_ok;
	char sz[24];

	derive_keys(b, "initiator");
	if (!opt.no_secmsg)
		secmsg_open(b);
	if (!opt.no_afalg)
		afalg_open(b);
	b->enc = ossl_ctx(b, true);
	b->dec = ossl_ctx(b, false);
	b->chk = ossl_ctx(b, false);

	printf("\n== %s (%s, %u-byte key)\n", s->label, s->alg, s->key_len);
	if (!opt.no_secmsg)
		printf("secmsg:  %s -> %s (%s)  [QUERY]\n", s->alg, b->driver,
		       b->driver_async ? "asynchronous" : "synchronous");
	if (!opt.no_afalg)
		printf("AF_ALG:  %s -> %s (priority %d)  [/proc/crypto, highest priority]\n",
		       s->alg, b->alg_driver, b->alg_prio);

	for (unsigned int z = 0; z < NR_SIZES; z++) {
		b->size = sizes[z];
		b->zi = z;
		b->stride = (HDR_LEN + b->size + TAG_LEN + 63) & ~(size_t)63;
		b->work = xalloc(b->pool_max * b->stride);
		b->orig = xalloc(b->pool_max * b->stride);
		b->plain = xalloc(b->size);
		b->scratch = xalloc(b->stride);
		for (size_t i = 0; i < b->size; i++)
			b->plain[i] = i * 7 + z + b->si;
		size_label(b->size, sz, sizeof(sz));
		alg_ok = !opt.no_afalg && afalg_usable(b, sz);
		for (unsigned int i = 0; i < NR_IMPLS; i++)
			on[i] = i == IMPL_URING ?
				!opt.no_secmsg && b->have_ring :
				is_secmsg(i) ? !opt.no_secmsg :
				i == IMPL_AFALG ? alg_ok :
				i == IMPL_FLOOR ? b->floor >= 0 : true;

		for (unsigned int o = 0; o < NR_OPS; o++) {
			if (measure_op(b, o, on, *first_cell))
				return -1;
			*first_cell = false;
		}
		free(b->work);
		free(b->orig);
		free(b->plain);
		free(b->scratch);
	}
	snprintf(b->drivers[b->si][0], sizeof(b->drivers[0][0]), "%s",
		 opt.no_secmsg ? "-" : b->driver);
	snprintf(b->drivers[b->si][1], sizeof(b->drivers[0][0]), "%s",
		 b->floor < 0 ? "-" : b->floor_driver);
	snprintf(b->drivers[b->si][2], sizeof(b->drivers[0][0]), "%s",
		 opt.no_afalg ? "-" : b->alg_driver);
	if (!opt.no_secmsg && b->floor >= 0 && strcmp(b->driver, b->floor_driver))
		printf("WARNING: %s: secmsg's driver %s is not the floor's %s\n",
		       s->opt, b->driver, b->floor_driver);
	return 0;
}

static void close_suite(struct bench *b)
{
	secmsg_close(b);
	afalg_close(b);
	EVP_CIPHER_CTX_free(b->enc);
	EVP_CIPHER_CTX_free(b->dec);
	EVP_CIPHER_CTX_free(b->chk);
	b->enc = b->dec = b->chk = NULL;
	OPENSSL_cleanse(b->key, sizeof(b->key));
}

int main(int argc, char **argv)
{
	static struct bench bench = { .dev = -1, .ini = -1, .acc = -1,
				      .floor = -1, .alg_tfm = -1,
				      .alg_op = -1 };
	struct bench *b = &bench;
	bool first_cell = true;
	unsigned int extras_si;
	int ret = 0;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned int si = 0; si < NR_SUITES; si++)
		for (unsigned int z = 0; z < NR_SIZES; z++)
			for (unsigned int o = 0; o < NR_OPS; o++)
				for (unsigned int i = 0; i < NR_IMPLS; i++)
					b->rate[si][z][o][i].med = -1;
	/* The contexts/memory/threads section runs with AES256-GCM if chosen */
	extras_si = opt.suites & 2 ? 1 : __builtin_ctz(opt.suites);

	b->pool_max = opt.batch;
	b->msgs = xalloc(b->pool_max * sizeof(*b->msgs));
	b->bufs = xalloc(3 * b->pool_max * sizeof(*b->bufs));
	b->mk_msgs = xalloc(b->pool_max * sizeof(*b->mk_msgs));
	b->mk_bufs = xalloc(3 * b->pool_max * sizeof(*b->mk_bufs));
	b->tokens = xalloc(b->pool_max * SECMSG_TOKEN_SIZE);

	printf("secmsg benchmark\n");
	print_machine();
	printf("per cell: %u round(s) of %.2f s after %.2f s warm-up each, interleaved\n"
	       "  with the other implementations (rotating order), median counts (a ratio:\n"
	       "  the median of the per-round ratios); at least\n"
	       "  %u message(s) (single) or %u BATCH call(s) of %u per round.  secmsg's\n"
	       "  contexts detect replays: every unseal and verify passes the window.\n",
	       opt.rounds, opt.secs, opt.warm, opt.min_msgs, opt.min_calls,
	       opt.batch);
	if (opt.no_secmsg) {
		printf("secmsg:  not measured (--no-secmsg)\n");
	} else {
		b->dev = open(SECMSG_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (b->dev < 0)
			die("open %s: %s (module not loaded? --no-secmsg measures the baselines only)",
			    SECMSG_DEVICE_PATH, strerror(errno));
	}
	if (!opt.no_secmsg) {
		int err = io_uring_queue_init(URING_QD, &b->ring, 0);

		b->have_ring = !err;
		if (err)
			printf("io_uring: not measured: io_uring_queue_init: %s\n",
			       strerror(-err));
		else
			printf("io_uring: IORING_OP_URING_CMD, up to %u requests per io_uring_enter(2)\n",
			       b->pool_max < URING_QD ? b->pool_max : URING_QD);
	}
	open_floor(b);
	if (opt.no_afalg)
		printf("AF_ALG:  not measured (--no-afalg)\n");
	printf("OpenSSL: %s, EVP in user space\n",
	       OpenSSL_version(OPENSSL_VERSION));

	for (unsigned int si = 0; si < NR_SUITES; si++) {
		if (!(opt.suites & 1u << si))
			continue;
		b->suite = &suites[si];
		b->si = si;
		ret = run_suite(b, &first_cell);
		if (!ret && si == extras_si && !opt.no_secmsg &&
		    !opt.no_extras)
			measure_extras(b);
		close_suite(b);
		if (ret)
			goto out;
	}

	for (unsigned int si = 0; si < NR_SUITES; si++)
		if (opt.suites & 1u << si)
			print_table(b, si);
	printf("\nAll implementations: seal/unseal = AEAD encrypt/decrypt in place of\n"
	       "header(16, AAD) | data | tag(16); sign/verify = AEAD with header | data as\n"
	       "AAD and no plaintext.  Unseal/verify input was sealed/signed untimed.  The\n"
	       "floor is the kernel's own time around the AEAD calls alone (no syscall).\n");
	if (opt.rounds > 1)
		printf("largest spread between rounds: %.0f%% (%s)\n",
		       100 * b->spread, b->spread_cell);
	if (b->xcheck_failed)
		printf("\nWARNING: some output did not cross-check with OpenSSL (see above)\n");
	else
		printf("\ncross-check: the seal and sign output of every implementation measured\n"
		       "  here verified with OpenSSL (HKDF-derived key, uapi nonce rule and header)\n");
	print_targets(b);
	if (opt.out)
		write_files(b);
out:
	return ret;
}
