// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg_fuzz: an in-guest fuzzer of the secmsg uapi, deterministic given
 * its input.
 *
 * An input is a sequence of operations, each 16 bytes:
 *   u8 op, u8 a, u8 b, u8 c, u32 x, u32 y, u32 z   (little-endian)
 * after an 8-byte header "SMFZ" + u32 count.  The op byte indexes the
 * operation table (ops[] below: import valid or mutated, sign, verify,
 * seal, unseal token and stream, query, batch, pass an fd over a
 * socketpair, close, dup, raw ioctl, bit flips, the local package's INIT,
 * ACCEPT and COMPLETE valid or mutated, IMPERSONATE and REVERT, IMPORT
 * with SECMSG_IMPORT_FRESH and its COMPLETE valid or mutated,
 * IMPORT_KRB5 valid or mutated, with delegated credentials or not...); the
 * other bytes choose
 * slots, lengths, flags, buffer types and pointers (normal, NULL, unmapped,
 * read-only, overlapping, running into a guard page, kernel addresses).
 * Adding a call is adding one entry to ops[].
 *
 * Invariants checked as it goes: every errno is one the uapi documents for
 * that call, a verdict errno comes with its verdict; after each input every
 * live context still round-trips with a fresh peer (both directions; a
 * complete local context with its own acceptor, an incomplete one refuses
 * messages with INCOMPLETE_CONTEXT; a FRESH import likewise, and once
 * complete it talks with the FRESH import whose contribution it took,
 * if that one took its own), and
 * once every descriptor the input made is closed, /proc/self/fd has as
 * many entries as before it.  A kernel crash ends the guest (the runner
 * reports it); KASAN, lockdep and kmemleak are the debug kernel's.
 *
 * Coverage: with KCOV (/sys/kernel/debug/kcov, the debug kernel, module
 * built with KCOV_INSTRUMENT=y) inputs that reach new kernel PCs are kept
 * in an in-memory corpus and mutated; otherwise inputs are random.
 *
 * usage:
 *   secmsg_fuzz                      the bounded pass of `make check`:
 *                                    replay selftests/fuzz/corpus/ (or
 *                                    $SECMSG_FUZZ_CORPUS), then 2000 random
 *                                    inputs of seed 1 (200 under KCOV: on
 *                                    the debug kernel an input takes ~70
 *                                    times as long), however long they
 *                                    take; TAP
 *   secmsg_fuzz -t SECS [-s SEED] [-c DIR] [-o DIR]
 *                                    fuzz for SECS seconds; replay DIR's
 *                                    inputs first; save new-coverage inputs
 *                                    and failures to -o DIR
 *   secmsg_fuzz -r FILE...           replay inputs (a regression check)
 * Exit 0 if no invariant failed; a failing input is printed in hex and
 * saved as DIR/fail-SEED-N.bin.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/keyctl.h>
#include <linux/secmsg.h>

#define PTR(p)		((__u64)(uintptr_t)(p))
#define NSLOT		8
#define MAXOPS		48
#define ARENA		(4u << 20)
/*
 * Where SEAL and BATCH find the data they encrypt in place, just below the
 * arena: a DATA length the input mutates upwards makes the kernel write
 * on into the arena (scratch) or fault at its guard page, never into this
 * program's state.
 */
#define SCRATCH		(64u << 10)
#define NSTORE		8

struct fop_in {
	uint8_t op, a, b, c;
	uint32_t x, y, z;
};

struct input {
	unsigned int n;
	struct fop_in op[MAXOPS];
};

struct slot {
	int fd;			/* -1: empty */
	uint32_t role, suite, flags;
	uint8_t key[32];
	uint32_t pair;		/* local contexts: index into F.lp, else 0 */
	uint32_t fresh;		/* FRESH imports: index into F.fr, else 0 */
	struct k5slot {		/* IMPORT_KRB5 contexts, else all zero */
		uint32_t role, level;	/* role 0: not a Kerberos context */
		uint32_t uid;		/* the asserted account, or NO_ID */
		int deleg;		/* holds delegated credentials */
		uint32_t seed, len;	/* the first credential's bytes */
	} k5;
};

#define LTOK		SECMSG_LOCAL_TOKEN_SIZE
#define NPAIR		64
#define NLTOK		8

/* A local establishment an input started (INIT); both its contexts share
 * the index.  What the fuzzer knows of it, to predict the kernel's answer. */
struct lpair {
	uint32_t flags, suite, level;
	int own_target;		/* the target is our euid: ACCEPT may work */
	int complete;		/* COMPLETE succeeded on the initiator */
};

/* An establishment token an input was given. */
struct ltok {
	int kind;		/* 0: none, 1: init token, 2: reply token */
	int spent;		/* used once successfully */
	uint32_t pair;
	uint8_t tok[LTOK];
};

#define NFRESH		64

/* A FRESH import (uapi "Pre-shared keys"); its duplicates share it. */
struct fresh {
	int own_known;		/* @own is its contribution */
	int complete;		/* COMPLETE succeeded */
	uint8_t own[SECMSG_CONTRIB_SIZE];
	uint8_t peer[SECMSG_CONTRIB_SIZE];	/* the one it took */
};

struct stored {			/* a message some slot sent */
	int used, stream;
	int from;		/* slot */
	uint32_t len;
	uint8_t tok[SECMSG_TOKEN_SIZE];
	uint8_t data[512 + SECMSG_TOKEN_SIZE];
};

static struct {
	int dev;
	struct slot s[NSLOT];
	struct stored st[NSTORE];
	struct lpair lp[NPAIR];
	unsigned int npair;
	struct ltok lt[NLTOK];
	struct fresh fr[NFRESH];
	unsigned int nfresh;
	int sock[2];
	uint8_t *scratch, *arena, *guard, *unmapped, *ro;
	unsigned int arena_off;
	char fail[512];
	unsigned long calls, errors[160];
	/* delegating imports made and refused; impersonations of them */
	unsigned long deleg_made, deleg_refused, deleg_imp;
} F;

static int check_failed(const char *fmt, ...)
{
	va_list ap;

	if (F.fail[0])
		return -1;
	va_start(ap, fmt);
	vsnprintf(F.fail, sizeof(F.fail), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- deterministic bytes ------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static void fill(void *p, size_t n, uint32_t seed)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (uint8_t)(seed >> 16);
	}
}

/* Memory for a buffer, chosen by @sel; len may be adjusted. */
static void *pick_mem(uint8_t sel, uint32_t *len, void *other)
{
	void *p;

	switch (sel % 16) {
	case 0:
		return NULL;
	case 1:
		return F.unmapped;
	case 2:
		return F.ro;
	case 3:				/* overlaps the previous buffer */
		return other ? (uint8_t *)other + 1 : F.arena;
	case 4:				/* runs into the guard page */
		*len = *len % 4096 + 1;
		return F.guard - *len / 2;
	case 5:
		return (void *)(uintptr_t)0xffff888000000000ull;
	default:
		break;
	}
	if (*len > ARENA / 2)
		*len %= ARENA / 2;
	if (F.arena_off + *len > ARENA)
		F.arena_off = 0;
	p = F.arena + F.arena_off;
	F.arena_off += (*len + 15) & ~15u;
	return p;
}

static uint32_t pick_len(uint32_t x)
{
	switch (x % 8) {
	case 0: return 0;
	case 1: return x >> 3 & 0xf;
	case 2: return 32;
	case 3: return (x >> 3) % 20000;	/* past the pin threshold */
	case 4: return SECMSG_MAX_SIGNED + (x >> 3) % 3 - 1;
	case 5: return x >> 3;			/* anything */
	default: return (x >> 3) % 600;
	}
}

/* ---- errno rules ---------------------------------------------------------- */

static const int err_import[] = { EINVAL, E2BIG, EFAULT, EMFILE, ENOENT,
				  ENOMEM, EBADF, ENOTTY, 0 };
static const int err_krb5[] = { EINVAL, E2BIG, EFAULT, EMFILE, ENOENT,
				ENOMEM, EPROTONOSUPPORT, EKEYEXPIRED, 0 };
/* ... that delegates (VER1, @deleg_ncreds set): on a kernel without
 * CONFIG_KEYS, EOPNOTSUPP */
static const int err_krb5_deleg[] = { EINVAL, E2BIG, EFAULT, EMFILE, ENOENT,
				      ENOMEM, EPROTONOSUPPORT, EKEYEXPIRED,
				      EOPNOTSUPP, 0 };
static const int err_msg[] = { EINVAL, EFAULT, E2BIG, EMSGSIZE, ENOMEM,
			       EBADMSG, EALREADY, ESTALE, EILSEQ, EKEYEXPIRED,
			       EPROTO, ENOBUFS, ENODATA, EOPNOTSUPP, ENOTCONN,
			       EBADF, ENOTTY, 0 };
/* the local package (uapi: struct secmsg_init, _accept, _complete and
 * "Establishing a local context") */
static const int err_init[] = { EINVAL, E2BIG, EFAULT, EMFILE, ENOENT,
				ENOMEM, ENOBUFS, 0 };
static const int err_accept[] = { EINVAL, E2BIG, EFAULT, EMFILE, ENOMEM,
				  ENOBUFS, EMSGSIZE, EBADMSG, EKEYEXPIRED,
				  EALREADY, EACCES, 0 };
static const int err_complete[] = { EINVAL, E2BIG, EFAULT, ENOMEM, EISCONN,
				    EMSGSIZE, EBADMSG, EKEYEXPIRED, EALREADY,
				    0 };
static const int err_query[] = { EINVAL, E2BIG, EFAULT, EBADF, ENOTTY, 0 };
static const int err_raw[] = { EINVAL, E2BIG, EFAULT, EMFILE, ENOENT, ENOMEM,
			       EBADF, ENOTTY, EMSGSIZE, EBADMSG, EALREADY,
			       ESTALE, EILSEQ, EKEYEXPIRED, EPROTO, ENOBUFS,
			       ENODATA, EOPNOTSUPP, ENOTCONN, EACCES,
			       EISCONN, 0 };

static const struct { int err; uint32_t verdict; } verdict_errs[] = {
	{ EBADMSG, SECMSG_VERDICT_ALTERED },
	{ EALREADY, SECMSG_VERDICT_REPLAYED },
	{ ESTALE, SECMSG_VERDICT_TOO_OLD },
	{ EILSEQ, SECMSG_VERDICT_OUT_OF_SEQUENCE },
	{ EKEYEXPIRED, SECMSG_VERDICT_EXPIRED },
	{ EPROTO, SECMSG_VERDICT_BAD_TOKEN },
	{ ENOBUFS, SECMSG_VERDICT_BUFFER_TOO_SMALL },
	{ ENODATA, SECMSG_VERDICT_INCOMPLETE_MESSAGE },
	{ EOPNOTSUPP, SECMSG_VERDICT_QOP_NOT_SUPPORTED },
	{ ENOTCONN, SECMSG_VERDICT_INCOMPLETE_CONTEXT },
};

static int allowed(const char *what, int ret, const int *list)
{
	int e = ret < 0 ? errno : 0;

	F.calls++;
	if (ret >= 0)
		return 0;
	if (e < (int)(sizeof(F.errors) / sizeof(F.errors[0])))
		F.errors[e]++;
	for (; *list; list++)
		if (*list == e)
			return e;
	return check_failed("%s: undocumented errno %d (%s)", what, e,
			    strerror(e));
}

/* A message call's errno and its out fields agree. */
static int check_msg(const char *what, int ret, const struct secmsg_message *m)
{
	int e = allowed(what, ret, err_msg);
	unsigned int i;

	if (e < 0)
		return e;
	for (i = 0; i < sizeof(verdict_errs) / sizeof(verdict_errs[0]); i++)
		if (verdict_errs[i].err == e) {
			if (m->verdict != verdict_errs[i].verdict ||
			    m->error != -e)
				return check_failed("%s: errno %d with verdict %u error %d",
						    what, e, m->verdict, m->error);
			return e;
		}
	if (!e && (m->verdict != SECMSG_VERDICT_OK || m->error))
		return check_failed("%s: success with verdict %u error %d",
				    what, m->verdict, m->error);
	return e;
}

/* ---- operations ------------------------------------------------------------ */

static int free_slot(uint8_t a)
{
	int i;

	for (i = 0; i < NSLOT; i++)
		if (F.s[(a + i) % NSLOT].fd < 0)
			return (a + i) % NSLOT;
	return -1;
}

static struct slot *live(uint8_t a)
{
	int i;

	for (i = 0; i < NSLOT; i++)
		if (F.s[(a + i) % NSLOT].fd >= 0)
			return &F.s[(a + i) % NSLOT];
	return NULL;
}


/* A mutation of package, role or suite may land on a valid value. */
static bool mutation_valid(const struct secmsg_import *imp, unsigned int kind)
{
	switch (kind) {
	case 1:
		return imp->package == SECMSG_PKG_RAW;
	case 2:
		return imp->role == SECMSG_ROLE_INITIATOR ||
		       imp->role == SECMSG_ROLE_ACCEPTOR;
	case 3:
		return imp->suite >= SECMSG_SUITE_AES128_GCM &&
		       imp->suite <= SECMSG_SUITE_CHACHA20_POLY1305;
	default:
		return false;
	}
}

static int do_import(const struct fop_in *o, int mutate)
{
	struct secmsg_import imp;
	uint8_t raw[4096 + 16];
	int i = free_slot(o->a), fd;
	struct slot *s;

	if (i < 0)
		return 0;
	s = &F.s[i];
	memset(&imp, 0, sizeof(imp));
	imp.size = sizeof(imp);
	imp.package = SECMSG_PKG_RAW;
	imp.role = 1 + (o->b & 1);
	imp.suite = 1 + o->b / 2 % 3;
	imp.ctx_flags = (o->c & 1 ? SECMSG_CTX_REPLAY_DETECT : 0) |
			(o->c & 2 ? SECMSG_CTX_SEQUENCE_DETECT : 0) |
			(o->c & 4 ? SECMSG_CTX_CONFIDENTIALITY : 0) |
			(o->c & 8 ? SECMSG_CTX_INTEGRITY : 0);
	imp.key_len = 32;
	fill(s->key, 32, o->x);
	imp.key = PTR(s->key);
	imp.send_seq = o->y % 4 == 3 ? UINT64_MAX - (o->y >> 2) % 3 : o->y;
	imp.recv_seq = o->z;
	imp.lifetime = o->c & 0x10 ? 1 : 0;
	if (mutate) {
		uint32_t sz;

		switch (o->x % 12) {
		case 0: imp.flags = 1u << (o->y % 32); break;
		case 1: imp.package = o->y; break;
		case 2: imp.role = o->y; break;
		case 3: imp.suite = o->y; break;
		case 4: imp.ctx_flags = o->y; break;
		case 5: imp.key_len = o->y % 100; break;
		case 6: imp.key = PTR(pick_mem(o->c, &sz, NULL)); break;
		case 7: if (o->y % 3 == 0)	/* the FRESH fields, no flag */
				imp.contrib = o->z | 1;
			else if (o->y % 3 == 1)
				imp.contrib_len = o->z | 1;
			else
				imp.reserved = o->z | 1;
			break;
		case 8: imp.size = SECMSG_IMPORT_SIZE_VER0 - 1 - o->y % 8; break;
		default: break;
		}
		if (o->x % 12 >= 9) {	/* a larger struct, tail zero or not */
			sz = sizeof(imp) + o->y % 4100;
			memset(raw, 0, sizeof(raw));
			memcpy(raw, &imp, sizeof(imp));
			((struct secmsg_import *)raw)->size = sz;
			if (o->x % 12 == 10 && sz > sizeof(imp))
				raw[sz - 1 < sizeof(raw) ? sz - 1 : 0] = 1;
			fd = ioctl(F.dev, SECMSG_IOC_IMPORT, raw);
			goto done;
		}
	}
	fd = ioctl(F.dev, SECMSG_IOC_IMPORT, &imp);
done:
	if (allowed("IMPORT", fd, err_import) < 0)
		return -1;
	if (fd >= 0) {
		struct secmsg_import *ip = mutate && o->x % 12 >= 9 ?
			(struct secmsg_import *)raw : &imp;

		if (mutate && o->x % 12 < 9 && o->x % 12 != 6 &&
		    o->x % 12 != 5 && o->x % 12 != 4 &&
		    !mutation_valid(&imp, o->x % 12))
			return check_failed("IMPORT of a mutated struct (%u) gave fd %d",
					    o->x % 12, fd);
		s->fd = fd;
		s->pair = 0;
		s->fresh = 0;
		memset(&s->k5, 0, sizeof(s->k5));
		s->role = ip->role;
		s->suite = ip->suite;
		s->flags = ip->ctx_flags;
		/* keep only contexts whose key we know (for the round trip) */
		if (ip->key_len != 32 || ip->key != PTR(s->key))
			s->fd = -1, close(fd);
	}
	return 0;
}

/*
 * Delegated credentials (uapi "Kerberos contexts", Delegation; struct
 * secmsg_krb5_import VER1): @imp made an acceptor of a delegating client
 * and given 1..8 credentials, valid as they are; the first credential's
 * description is "krbtgt/R@R", its bytes fill(@k5->seed).  Descriptions
 * and bytes live in @d.
 */
#define K5_TGT		"krbtgt/R@R"

struct k5deleg {
	struct secmsg_krb5_cred cr[SECMSG_KRB5_DELEG_MAX];
	char desc[SECMSG_KRB5_DELEG_MAX][32];
	char odd[64];			/* a mutated description */
};

static void *arena_bytes(uint32_t len, uint32_t seed)
{
	void *p = pick_mem(6, &len, NULL);

	fill(p, len, seed);
	return p;
}

static void k5_deleg_valid(const struct fop_in *o,
			   struct secmsg_krb5_import *imp, uint32_t *groups,
			   struct k5deleg *d, struct k5slot *k5)
{
	unsigned int i, n = 1 + (o->x >> 4) % SECMSG_KRB5_DELEG_MAX;
	uint32_t len;

	imp->role = SECMSG_ROLE_ACCEPTOR;
	imp->imp_level = SECMSG_IMP_DELEGATE;
	imp->ctx_flags |= SECMSG_CTX_DELEGATE;
	imp->peer_uid = o->z % 2000;
	imp->peer_gid = o->z % 2000;
	imp->peer_groups = PTR(groups);
	imp->peer_ngroups = 1 + o->z % 3;
	/* now and then the largest principal and credential there may be */
	len = (o->x >> 8) % 13 ? 1 + o->y % 64 : SECMSG_KRB5_DELEG_DATA_MAX;
	imp->deleg_princ = PTR(arena_bytes(len, o->z));
	imp->deleg_princ_len = len;
	memset(d, 0, sizeof(*d));
	for (i = 0; i < n; i++) {
		if (i)
			snprintf(d->desc[i], sizeof(d->desc[i]),
				 "svc%u/h%u@R", i, o->y % 7);
		else
			strcpy(d->desc[i], K5_TGT);
		len = i || (o->x >> 12) % 11 ? 1 + (o->z >> (3 * i)) % 300 :
					       SECMSG_KRB5_DELEG_DATA_MAX;
		d->cr[i].desc = PTR(d->desc[i]);
		d->cr[i].desc_len = strlen(d->desc[i]);
		d->cr[i].data = PTR(arena_bytes(len, o->y + i));
		d->cr[i].data_len = len;
	}
	imp->deleg_creds = PTR(d->cr);
	imp->deleg_ncreds = n;
	k5->seed = o->y;
	k5->len = d->cr[0].data_len;
}

/* A pointer of pick_mem()'s choice for @len bytes (capped at a page, so
 * that the read-only page is read whole); what reading it gives. */
static uint64_t k5_ptr(uint8_t sel, uint32_t *len, int *exp, int garbage)
{
	void *p;

	if (*len > 4096)
		*len = 4096;
	p = pick_mem(sel, len, NULL);
	switch (sel % 16) {
	case 0: *exp = EINVAL; break;		/* NULL */
	case 1: case 4: case 5: *exp = EFAULT; break;	/* not readable */
	case 2: *exp = garbage ? EINVAL : 0; break;	/* zeros */
	default: *exp = garbage ? -1 : 0; break;	/* the arena's bytes */
	}
	return PTR(p);
}

/*
 * One delegation field against the rules; the errno it gives, and
 * whether the kernel finds it only after making the context (@late: then
 * EMFILE, ENOMEM, ENOENT come first, or EOPNOTSUPP without CONFIG_KEYS).
 */
static int k5_deleg_mutate(const struct fop_in *o,
			   struct secmsg_krb5_import *imp, struct k5deleg *d,
			   int *late)
{
	static const char *const reserved[] = {
		"__krb5_princ__", "__krb5", "__krb5_x", "__krb5princ",
	};
	unsigned int n = imp->deleg_ncreds, k = o->y % n, j;
	int exp = EINVAL;
	uint32_t len;

	*late = 1;
	switch (o->x % 16) {
	case 0: imp->deleg_ncreds = 0; *late = 0; break;
	case 1: imp->deleg_ncreds = SECMSG_KRB5_DELEG_MAX + 1 + o->y % 1000;
		*late = 0;
		break;
	case 2: imp->deleg_princ_len = 0; *late = 0; break;
	case 3: imp->deleg_princ_len = SECMSG_KRB5_DELEG_DATA_MAX + 1 +
				       o->z % 100000;
		*late = 0;
		break;
	case 4: len = imp->deleg_princ_len;
		imp->deleg_princ = k5_ptr(o->c, &len, &exp, 0);
		imp->deleg_princ_len = len;
		*late = exp != EINVAL;
		break;
	case 5: len = n * sizeof(d->cr[0]);
		imp->deleg_creds = k5_ptr(o->c, &len, &exp, 1);
		*late = exp != EINVAL || o->c % 16;
		break;
	case 6: d->cr[k].desc_len = o->z & 1 ? 0 :
				    SECMSG_KRB5_DELEG_DESC_MAX + 1 + o->z % 9;
		break;
	case 7: d->cr[k].data_len = o->z & 1 ? 0 :
				    SECMSG_KRB5_DELEG_DATA_MAX + 1 + o->z % 9;
		break;
	case 8: len = d->cr[k].desc_len;
		d->cr[k].desc = k5_ptr(o->c, &len, &exp, 1);
		d->cr[k].desc_len = len;
		if (len > SECMSG_KRB5_DELEG_DESC_MAX)
			exp = EINVAL;
		break;
	case 9: len = d->cr[k].data_len;
		d->cr[k].data = k5_ptr(o->c, &len, &exp, 0);
		d->cr[k].data_len = len;
		break;
	case 10: snprintf(d->odd, sizeof(d->odd), "%s",
			  reserved[o->z % 4]);
		d->cr[k].desc = PTR(d->odd);
		d->cr[k].desc_len = strlen(d->odd);
		break;
	case 11: /* another credential's description, a copy of it */
		if (n < 2) {
			imp->deleg_ncreds = n = 2;
			strcpy(d->desc[1], "svc1/h@R");
			d->cr[1] = d->cr[0];
			d->cr[1].desc = PTR(d->desc[1]);
			d->cr[1].desc_len = strlen(d->desc[1]);
			k = 1;
		}
		j = (k + 1 + o->z % (n - 1)) % n;
		strcpy(d->odd, d->desc[j]);
		d->cr[k].desc = PTR(d->odd);
		d->cr[k].desc_len = strlen(d->odd);
		break;
	case 12: /* a NUL inside */
		strcpy(d->odd, d->desc[k]);
		d->odd[o->z % d->cr[k].desc_len] = 0;
		d->cr[k].desc = PTR(d->odd);
		break;
	case 13: /* a context that may not delegate */
		*late = 0;
		switch (o->z % 4) {
		case 0: imp->imp_level = SECMSG_IMP_IMPERSONATE; break;
		case 1: imp->ctx_flags &= ~SECMSG_CTX_DELEGATE; break;
		case 2: imp->peer_uid = imp->peer_gid = SECMSG_NO_ID;
			imp->peer_groups = 0;
			imp->peer_ngroups = 0;
			break;
		default: imp->role = SECMSG_ROLE_INITIATOR;
			imp->imp_level = 0;
			imp->peer_uid = imp->peer_gid = SECMSG_NO_ID;
			imp->peer_groups = 0;
			imp->peer_ngroups = 0;
			break;
		}
		break;
	case 14: /* a VER0 caller: the tail is not read */
		imp->size = SECMSG_KRB5_IMPORT_SIZE_VER0;
		exp = 0;
		break;
	default: /* the four fields all set or all zero */
		*late = 0;
		switch (o->z % 4) {
		case 0: imp->deleg_princ = 0; break;
		case 1: imp->deleg_creds = 0; break;
		case 2: imp->deleg_princ = 0; imp->deleg_princ_len = 0; break;
		default: imp->deleg_princ = imp->deleg_creds = 0;
			imp->deleg_princ_len = imp->deleg_ncreds = 0;
			exp = 0;
			break;
		}
		break;
	}
	return exp;
}

/* Does @imp, as the kernel reads it, delegate? */
static int k5_delegates(const struct secmsg_krb5_import *imp)
{
	return imp->size >= SECMSG_KRB5_IMPORT_SIZE_VER1 && imp->deleg_ncreds;
}

/*
 * IMPORT_KRB5, valid or with one field mutated.  A context it makes
 * joins the slots with suite 0 (no round trip: its peer would be a
 * Kerberos one), so the message ops fuzz RFC 4121 tokens on it.  One in
 * four is an acceptor of a delegating client (VER1): valid, or with one
 * delegation field mutated, whose errno is predicted.
 */
static int do_import_krb5(const struct fop_in *o, int mutate)
{
	static const char *const names[] = { "alice@R", "svc/h@R" };
	struct secmsg_krb5_import imp;
	uint32_t groups[3] = { 0, 1, 2 }, sz;
	int i = free_slot(o->a), fd, deleg, exp = -1, late = 0, e;
	struct k5slot k5 = { 0 };
	static struct k5deleg d;
	uint8_t raw[4096 + 16];
	struct slot *s;

	if (i < 0)
		return 0;
	s = &F.s[i];
	memset(&imp, 0, sizeof(imp));
	imp.size = sizeof(imp);
	imp.flags = o->b & 0x40 ? SECMSG_KRB5_ACCEPTOR_SUBKEY : 0;
	imp.package = o->b & 0x80 ? SECMSG_PKG_NEGOTIATE : SECMSG_PKG_KERBEROS;
	imp.role = 1 + (o->b & 1);
	imp.enctype = 17 + o->b / 2 % 4;
	imp.ctx_flags = (o->c & 1 ? SECMSG_CTX_REPLAY_DETECT : 0) |
			(o->c & 2 ? SECMSG_CTX_SEQUENCE_DETECT : 0) |
			(o->c & 4 ? SECMSG_CTX_CONFIDENTIALITY : 0) |
			(o->c & 8 ? SECMSG_CTX_INTEGRITY : 0);
	imp.key_len = imp.enctype == 17 || imp.enctype == 19 ? 16 : 32;
	fill(s->key, 32, o->x);
	imp.key = PTR(s->key);
	imp.imp_level = imp.role == SECMSG_ROLE_ACCEPTOR ? 1 + o->c / 16 % 4 :
							   0;
	imp.send_seq = o->y;
	imp.recv_seq = o->z;
	imp.endtime = time(NULL) + 1 + o->c % 100;
	imp.local_name = PTR(names[0]);
	imp.local_name_len = strlen(names[0]);
	imp.peer_name = PTR(names[1]);
	imp.peer_name_len = strlen(names[1]);
	imp.peer_uid = SECMSG_NO_ID;
	imp.peer_gid = SECMSG_NO_ID;
	if (imp.role == SECMSG_ROLE_ACCEPTOR && o->c & 0x40) {
		imp.peer_uid = o->z % 2000;
		imp.peer_gid = o->z % 2000;
		imp.peer_groups = PTR(groups);
		imp.peer_ngroups = 1 + o->z % 3;
	}
	deleg = (o->b & 0x18) == 0x18;
	if (deleg) {
		k5_deleg_valid(o, &imp, groups, &d, &k5);
		exp = mutate ? k5_deleg_mutate(o, &imp, &d, &late) : 0;
	} else if (mutate) {
		switch (o->x % 16) {
		case 0: imp.flags = 1u << (o->y % 32); break;
		case 1: imp.package = o->y; break;
		case 2: imp.role = o->y; break;
		case 3: imp.enctype = o->y % 32; break;
		case 4: imp.ctx_flags = o->y; break;
		case 5: imp.key_len = o->y % 100; break;
		case 6: imp.key = PTR(pick_mem(o->c, &sz, NULL)); break;
		case 7: imp.local_name = PTR(pick_mem(o->c, &sz, NULL));
			imp.local_name_len = o->y % 300;
			break;
		case 8: imp.peer_name_len = o->y % 300; break;
		case 9: imp.peer_uid = o->y; imp.peer_gid = o->z; break;
		case 10: imp.peer_groups = PTR(pick_mem(o->c, &sz, NULL));
			imp.peer_ngroups = o->y % 70000;
			break;
		case 11: imp.endtime = (int64_t)o->y - (int64_t)time(NULL); break;
		case 12: imp.imp_level = o->y % 8; break;
		case 13: imp.reserved = o->y | 1; break;
		case 14: imp.size = SECMSG_KRB5_IMPORT_SIZE_VER0 - 1 - o->y % 8;
			break;
		default: break;
		}
		if (o->x % 16 == 15) {	/* a larger struct, tail zero or not */
			sz = sizeof(imp) + o->y % 4100;
			memset(raw, 0, sizeof(raw));
			memcpy(raw, &imp, sizeof(imp));
			((struct secmsg_krb5_import *)raw)->size = sz;
			if (o->z & 1 && sz > sizeof(imp))
				raw[sz - 1 < sizeof(raw) ? sz - 1 : 0] = 1;
			fd = ioctl(F.dev, SECMSG_IOC_IMPORT_KRB5, raw);
			goto done;
		}
	}
	fd = ioctl(F.dev, SECMSG_IOC_IMPORT_KRB5, &imp);
done:
	e = fd < 0 ? errno : 0;
	if (allowed("IMPORT_KRB5", fd, k5_delegates(&imp) ? err_krb5_deleg :
							    err_krb5) < 0)
		goto bad;
	if (!mutate && !deleg && e && e != EMFILE && e != ENOMEM &&
	    e != ENOENT) {
		check_failed("valid IMPORT_KRB5 failed: %s", strerror(e));
		goto bad;
	}
	/* a delegating import: its errno is the predicted one */
	if (deleg && exp >= 0 && e != exp &&
	    !((late || !exp) && (e == EMFILE || e == ENOMEM || e == ENOENT ||
				 (e == EOPNOTSUPP && k5_delegates(&imp))))) {
		check_failed("IMPORT_KRB5 delegating%s (%u): errno %d (%s), expected %d",
			     mutate ? ", mutated" : "", o->x % 16, e,
			     strerror(e), exp);
		goto bad;
	}
	if (k5_delegates(&imp)) {
		if (fd >= 0)
			F.deleg_made++;
		else
			F.deleg_refused++;
	}
	if (fd >= 0) {
		s->fd = fd;
		s->pair = 0;
		s->fresh = 0;
		s->role = imp.role;
		s->suite = 0;
		s->flags = imp.ctx_flags;
		k5.role = imp.role;
		k5.level = imp.imp_level;
		k5.uid = imp.peer_uid;
		k5.deleg = k5_delegates(&imp);
		/* a mutated credential may be another one: not checked */
		k5.len = mutate ? 0 : k5.len;
		s->k5 = k5;
	}
	return 0;
bad:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int op_import_krb5(const struct fop_in *o) { return do_import_krb5(o, 0); }
static int op_import_krb5_mut(const struct fop_in *o) { return do_import_krb5(o, 1); }

/* Build a buffer list from the op's bytes. */
static uint32_t build_bufs(const struct fop_in *o, struct secmsg_buffer *b,
			   uint8_t *tok, void *data, uint32_t dlen, int form)
{
	uint32_t n = 0, i, extra = o->c % 4;
	void *prev = NULL;

	memset(b, 0, sizeof(*b) * SECMSG_MAX_BUFFERS);
	if (form == 0) {		/* token form */
		b[n].type = SECMSG_BUF_TOKEN;
		b[n].ptr = PTR(tok);
		b[n++].len = SECMSG_TOKEN_SIZE;
		b[n].type = SECMSG_BUF_DATA;
		b[n].ptr = PTR(data);
		b[n++].len = dlen;
	} else {			/* stream header | data | trailer */
		b[n].type = SECMSG_BUF_STREAM_HEADER;
		b[n].ptr = PTR(data);
		b[n++].len = 16;
		b[n].type = SECMSG_BUF_DATA;
		b[n].ptr = PTR((uint8_t *)data + 16);
		b[n++].len = dlen;
		b[n].type = SECMSG_BUF_STREAM_TRAILER;
		b[n].ptr = PTR((uint8_t *)data + 16 + dlen);
		b[n++].len = 16;
	}
	/* mutations: extra buffers, types, flags, lengths, pointers */
	for (i = 0; i < extra && n < SECMSG_MAX_BUFFERS; i++) {
		uint32_t r = o->z >> (i * 8), len = pick_len(o->y >> i);
		static const uint32_t types[] = { 0, 1, 2, 6, 7, 9, 10, 3 };

		b[n].type = types[r % 8];
		b[n].flags = r & 0x20 ? SECMSG_BUF_READONLY_WITH_CHECKSUM :
			     r & 0x40 ? SECMSG_BUF_READONLY : 0;
		b[n].ptr = PTR(pick_mem((uint8_t)(r >> 3), &len, prev));
		b[n].len = len;
		prev = (void *)(uintptr_t)b[n].ptr;
		n++;
	}
	if (o->c & 0x10 && n)		/* a field of one buffer */
		switch (o->z % 5) {
		case 0: b[o->x % n].reserved = 1; break;
		case 1: b[o->x % n].len = pick_len(o->x); break;
		case 2: b[o->x % n].flags = 1u << (o->y % 32); break;
		case 3: { uint32_t l = 64;
			b[o->x % n].ptr = PTR(pick_mem((uint8_t)o->y, &l, data)); }
			break;
		default: b[o->x % n].type = o->y % 12; break;
		}
	if (o->c & 0x20 && n > 1) {	/* swap two */
		struct secmsg_buffer t = b[0];

		b[0] = b[n - 1];
		b[n - 1] = t;
	}
	return o->c & 0x40 ? (o->c & 0x80 ? 0 : SECMSG_MAX_BUFFERS + 1) : n;
}

static void msg_init(struct secmsg_message *m, struct secmsg_buffer *b,
		     uint32_t n, uint32_t qop)
{
	memset(m, 0, sizeof(*m));
	m->size = sizeof(*m);
	m->qop = qop;
	m->nbuffers = n;
	m->buffers = PTR(b);
}

static uint32_t pick_qop(uint32_t v)
{
	return v % 4 == 1 ? SECMSG_QOP_WRAP_NO_ENCRYPT : v % 4 == 2 ? v : 0;
}

/* SIGN / SEAL: send from a slot; a clean result is stored for the peer */
static int do_send(const struct fop_in *o, unsigned long req, int form)
{
	struct secmsg_buffer b[SECMSG_MAX_BUFFERS];
	struct secmsg_message m;
	struct slot *s = live(o->a);
	struct stored *st = &F.st[o->b % NSTORE];
	uint32_t dlen = o->x % 512, n;
	uint8_t *data = F.scratch;	/* copied to @st once stored */
	int ret;

	if (!s)
		return 0;
	memset(st, 0, sizeof(*st));
	fill(data, sizeof(st->data), o->y);
	n = build_bufs(o, b, st->tok, form ? data : data, dlen, form);
	msg_init(&m, b, n, req == SECMSG_IOC_SEAL ? pick_qop(o->z) : 0);
	if (o->c & 0x08)
		m.flags = 1;
	ret = ioctl(s->fd, req, &m);
	if (check_msg(req == SECMSG_IOC_SIGN ? "SIGN" : "SEAL", ret, &m) < 0)
		return -1;
	if (ret == 0 && b[0].type == SECMSG_BUF_TOKEN + 0 * form &&
	    !(o->c & 0x30) && o->c % 4 == 0) {
		st->used = req == SECMSG_IOC_SIGN ? 1 : 2;
		st->stream = form;
		st->from = (int)(s - F.s);
		st->len = dlen;
		memcpy(st->data, data, sizeof(st->data));
	}
	return 0;
}

/* VERIFY / UNSEAL of a stored message (maybe bit-flipped) on a slot */
static int do_recv(const struct fop_in *o, unsigned long req)
{
	struct secmsg_buffer b[SECMSG_MAX_BUFFERS];
	struct secmsg_message m;
	struct slot *s = live(o->a);
	struct stored *st = &F.st[o->b % NSTORE];
	uint8_t tok[SECMSG_TOKEN_SIZE], *data = F.scratch;	/* see SCRATCH */
	uint32_t n;
	int ret;

	if (!s)
		return 0;
	memcpy(tok, st->tok, sizeof(tok));
	memcpy(data, st->data, sizeof(st->data));
	if (o->c & 0x80) {		/* flip a bit of token or data */
		uint32_t bit = o->x % ((32 + st->len + 32) * 8);

		if (bit < 256)
			tok[bit / 8] ^= 1 << bit % 8;
		else
			data[(bit - 256) / 8 % sizeof(st->data)] ^= 1 << bit % 8;
	}
	if (st->stream && req == SECMSG_IOC_UNSEAL && !(o->c & 0x40)) {
		memset(b, 0, sizeof(b));
		b[0].type = SECMSG_BUF_STREAM;
		b[0].ptr = PTR(data);
		b[0].len = st->len + 32 - (o->c & 0x10 ? o->y % 40 : 0);
		b[1].type = SECMSG_BUF_DATA;
		n = 2;
	} else {
		struct fop_in oo = *o;

		oo.c &= 0x3f;
		n = build_bufs(&oo, b, tok, data, st->len, 0);
	}
	msg_init(&m, b, n, 0);
	ret = ioctl(s->fd, req, &m);
	return check_msg(req == SECMSG_IOC_VERIFY ? "VERIFY" : "UNSEAL", ret,
			 &m) < 0 ? -1 : 0;
}

static int op_import(const struct fop_in *o) { return do_import(o, 0); }
static int op_import_mut(const struct fop_in *o) { return do_import(o, 1); }
static int op_sign(const struct fop_in *o) { return do_send(o, SECMSG_IOC_SIGN, 0); }
static int op_seal(const struct fop_in *o) { return do_send(o, SECMSG_IOC_SEAL, 0); }
static int op_seal_stream(const struct fop_in *o) { return do_send(o, SECMSG_IOC_SEAL, 1); }
static int op_verify(const struct fop_in *o) { return do_recv(o, SECMSG_IOC_VERIFY); }
static int op_unseal(const struct fop_in *o) { return do_recv(o, SECMSG_IOC_UNSEAL); }

static int op_query(const struct fop_in *o)
{
	uint8_t raw[sizeof(struct secmsg_query) + 4096];
	struct secmsg_query *q = (void *)raw;
	struct slot *s = live(o->a);
	int ret;

	if (!s)
		return 0;
	memset(raw, 0, sizeof(raw));
	q->size = o->b % 4 == 0 ? SECMSG_QUERY_SIZE_VER0 - 1 - o->x % 16 :
		  o->b % 4 == 1 ? sizeof(*q) + o->x % 4000 : sizeof(*q);
	if (o->c & 1)
		q->flags = 1;
	if (o->c & 2 && q->size > sizeof(*q))
		raw[q->size - 1] = 1;
	ret = ioctl(s->fd, SECMSG_IOC_QUERY, o->c & 4 ? (void *)F.ro : raw);
	if (allowed("QUERY", ret, err_query) < 0)
		return -1;
	if (ret == 0 && !(o->c & 4) && s->suite &&
	    (q->role != s->role || q->suite != s->suite ||
	     q->package != (s->pair ? SECMSG_PKG_LOCAL : SECMSG_PKG_RAW)))
		return check_failed("QUERY: role %u suite %u, imported %u %u",
				    q->role, q->suite, s->role, s->suite);
	return 0;
}

static int op_batch(const struct fop_in *o)
{
	static struct secmsg_message m[8];
	static struct secmsg_buffer b[8][SECMSG_MAX_BUFFERS];
	static uint8_t tok[8][32];
	uint8_t (*data)[600] = (void *)F.scratch;	/* see SCRATCH */
	struct secmsg_message *mm;
	struct secmsg_batch bt;
	struct slot *s = live(o->a);
	uint32_t i, cnt = 1 + o->b % 8;
	int ret;

	if (!s)
		return 0;
	for (i = 0; i < cnt; i++) {
		struct fop_in oo = *o;

		oo.c = i == o->x % 8 ? o->c : 0;	/* one mutated message */
		oo.z = o->z + i;
		msg_init(&m[i], b[i], build_bufs(&oo, b[i], tok[i], data[i],
						 o->y % 500, 0), 0);
	}
	/*
	 * The messages sit at the very end of the arena, before the guard
	 * page: a count or msg_size larger than the array makes the kernel
	 * read (and write results) into scratch memory or fault, never into
	 * this program's state.
	 */
	mm = (struct secmsg_message *)(F.guard - sizeof(m));
	memcpy(mm, m, sizeof(m));
	memset(&bt, 0, sizeof(bt));
	bt.size = sizeof(bt);
	bt.op = 1 + o->c % 4;
	bt.count = o->c & 0x80 ? o->x : cnt;
	bt.msgs = PTR(mm + 8 - cnt);
	bt.msg_size = o->c & 0x40 ? o->z % 100 : sizeof(m[0]);
	memmove(mm + 8 - cnt, mm, cnt * sizeof(*mm));
	ret = ioctl(s->fd, SECMSG_IOC_BATCH, &bt);
	if (allowed("BATCH", ret, err_raw) < 0)
		return -1;
	memcpy(m, mm + 8 - cnt, cnt * sizeof(*mm));
	if (ret == 0) {
		if (bt.completed + bt.failed != bt.count)
			return check_failed("BATCH: completed %u + failed %u != %u",
					    bt.completed, bt.failed, bt.count);
		for (i = 0; i < bt.count && i < 8; i++) {
			errno = -m[i].error;
			if (check_msg("BATCH message", m[i].error ? -1 : 0,
				      &m[i]) < 0)
				return -1;
		}
	}
	return 0;
}

static int op_pass_fd(const struct fop_in *o)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c = 'x';
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct slot *s = live(o->a);
	struct cmsghdr *cm;
	int i = free_slot(o->b), fd = -1;

	if (!s || i < 0)
		return 0;
	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &s->fd, sizeof(int));
	if (sendmsg(F.sock[0], &mh, 0) != 1)
		return check_failed("sendmsg: %s", strerror(errno));
	if (o->c & 1) {			/* close the original in flight */
		close(s->fd);
		s->fd = -1;
	}
	mh.msg_controllen = sizeof(cbuf);
	if (recvmsg(F.sock[1], &mh, MSG_CMSG_CLOEXEC) != 1)
		return check_failed("recvmsg: %s", strerror(errno));
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return check_failed("no fd received");
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	F.s[i] = *s;
	F.s[i].fd = fd;
	if (o->c & 1)
		*s = F.s[i], F.s[i].fd = -1, s->fd = fd;
	return 0;
}

static int op_close(const struct fop_in *o)
{
	struct slot *s = live(o->a);

	if (s) {
		close(s->fd);
		s->fd = -1;
	}
	return 0;
}

static int op_dup(const struct fop_in *o)
{
	struct slot *s = live(o->a);
	int i = free_slot(o->b);

	if (!s || i < 0)
		return 0;
	F.s[i] = *s;
	F.s[i].fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
	if (F.s[i].fd < 0)
		return check_failed("dup: %s", strerror(errno));
	return 0;
}

/* Any ioctl number of our magic (and others), on a context or the device */
static int op_raw(const struct fop_in *o)
{
	uint8_t raw[256];
	struct slot *s = live(o->a);
	int fd = o->c & 1 || !s ? F.dev : s->fd;
	unsigned long cmd = (o->b & 0x80 ? _IOC_WRITE | _IOC_READ : _IOC_NONE)
			    << _IOC_DIRSHIFT | (o->c & 2 ? 0x12u : 0xE5u) << 8 |
			    o->b | (o->x % 0x3fff) << _IOC_SIZESHIFT;
	uint32_t len = sizeof(raw);
	void *arg = raw;
	int ret;

	fill(raw, sizeof(raw), o->y);
	memcpy(raw, &o->z, 4);		/* size field */
	if (o->c & 4)
		arg = pick_mem((uint8_t)o->x, &len, NULL);
	ret = ioctl(fd, cmd, arg);
	if (ret >= 0 && fd == F.dev) {	/* an IMPORT made a context */
		int i = free_slot(0);

		if (i < 0)
			close(ret);
		else {
			F.s[i].fd = ret;
			F.s[i].role = F.s[i].suite = 0;	/* unknown key */
			F.s[i].pair = 0;
			F.s[i].fresh = 0;
			memset(&F.s[i].k5, 0, sizeof(F.s[i].k5));
		}
	}
	return allowed("raw ioctl", ret, err_raw) < 0 ? -1 : 0;
}

/* ---- the local package: INIT, ACCEPT, COMPLETE ----------------------------- */

static uint32_t granted_flags(uint32_t req, uint32_t level)
{
	return req | SECMSG_CTX_INTEGRITY |
	       (level == SECMSG_IMP_IDENTIFY ? SECMSG_CTX_IDENTIFY : 0) |
	       (level == SECMSG_IMP_DELEGATE ? SECMSG_CTX_DELEGATE : 0);
}

static int initiator_alive(uint32_t pair)
{
	int i;

	for (i = 0; i < NSLOT; i++)
		if (F.s[i].fd >= 0 && F.s[i].pair == pair &&
		    F.s[i].role == SECMSG_ROLE_INITIATOR)
			return 1;
	return 0;
}

/*
 * The errno of a call the fuzzer can predict: @exp is 0 (must succeed,
 * short of EMFILE / ENOMEM or an expired token when @tok_checked), an errno
 * (exactly that one), or -1 (anything the list allows).
 */
static int expect(const char *what, int ret, int exp, int tok_checked)
{
	int e = ret < 0 ? errno : 0;

	if (exp < 0 || e == exp)
		return 0;
	if (exp == 0 && (e == EMFILE || e == ENOMEM))
		return 0;
	if (tok_checked && e == EKEYEXPIRED)
		return 0;
	return check_failed("%s: errno %d (%s), expected %d (%s)", what, e,
			    strerror(e), exp, strerror(exp));
}

/* A larger struct than ours: zero tail (accepted up to a page) or not. */
static void *bigger(uint8_t *raw, const void *st, size_t len, uint32_t y,
		    int *exp)
{
	uint32_t sz = len + 1 + y % 4100;

	memset(raw, 0, sz);
	memcpy(raw, st, len);
	memcpy(raw, &sz, 4);
	if (y & 0x80000000u) {
		raw[sz - 1] = 1;
		*exp = E2BIG;
	} else if (sz > 4096) {
		*exp = E2BIG;
	}
	return raw;
}

/* INIT, targeting our own euid; @mutate: one field of the struct */
static int do_init(const struct fop_in *o, int mutate)
{
	static uint8_t raw[4096 + 4200];
	struct secmsg_init ini, *out = &ini;
	struct ltok *lt = &F.lt[o->b % NLTOK];
	uint8_t tok[LTOK + 16];
	uint32_t len = LTOK, level, suite;
	int i = free_slot(o->a), fd, exp = 0, own = 1, tok_ours = 1;
	void *arg = &ini;
	struct slot *s;
	struct lpair *p;

	if (i < 0 || F.npair >= NPAIR)
		return 0;
	memset(&ini, 0, sizeof(ini));
	ini.size = sizeof(ini);
	ini.package = SECMSG_PKG_LOCAL;
	ini.target_type = SECMSG_TARGET_UID;
	ini.target_uid = geteuid();
	ini.suite = o->b / 8 % 4;
	ini.ctx_flags = (o->c & 1 ? SECMSG_CTX_REPLAY_DETECT : 0) |
			(o->c & 2 ? SECMSG_CTX_SEQUENCE_DETECT : 0) |
			(o->c & 4 ? SECMSG_CTX_CONFIDENTIALITY : 0) |
			(o->c & 8 ? SECMSG_CTX_MUTUAL_AUTH : 0) |
			(o->c & 0x10 ? SECMSG_CTX_INTEGRITY : 0);
	ini.imp_level = (o->c >> 5) % 5;
	ini.token_len = LTOK;
	ini.token = PTR(tok);
	memset(tok, 0x5a, sizeof(tok));
	if (mutate) {
		switch (o->x % 16) {
		case 0: ini.flags = 1u << (o->y % 32); exp = EINVAL; break;
		case 1: ini.package = o->y % 5;
			exp = ini.package == SECMSG_PKG_LOCAL ? 0 : EINVAL; break;
		case 2: ini.target_type = o->y % 4;
			exp = ini.target_type == SECMSG_TARGET_UID ? 0 : EINVAL;
			break;
		case 3: ini.target_uid = o->y & 1 ? (uint32_t)-1 : o->y;
			exp = ini.target_uid == (uint32_t)-1 ? EINVAL : 0;
			own = ini.target_uid == geteuid(); break;
		case 4: ini.suite = o->y % 6; exp = ini.suite > 3 ? EINVAL : 0;
			break;
		case 5: ini.ctx_flags = o->y;
			exp = o->y & ~SECMSG_INIT_CTX_FLAGS ? EINVAL : 0; break;
		case 6: ini.imp_level = o->y % 8;
			exp = ini.imp_level > SECMSG_IMP_DELEGATE ? EINVAL : 0;
			break;
		case 7: ini.reserved = o->z | 1; exp = EINVAL; break;
		case 8: ini.reserved2[o->y & 1] = o->z | 1; exp = EINVAL; break;
		case 9: ini.token_len = o->y % LTOK; exp = ENOBUFS; break;
		case 10: ini.token = PTR(pick_mem(o->y, &len, NULL));
			exp = -1; tok_ours = 0; break;
		case 11: ini.size = SECMSG_INIT_SIZE_VER0 - 1 - o->y % 8;
			exp = EINVAL; break;
		case 12: ini.lifetime = o->y % 3; break;
		case 13: ini.status = o->y; break;	/* out only */
		default:
			arg = bigger(raw, &ini, sizeof(ini), o->y, &exp);
			out = arg;
			break;
		}
	}
	fd = ioctl(F.dev, SECMSG_IOC_INIT, arg);
	if (allowed("INIT", fd, err_init) < 0 || expect("INIT", fd, exp, 0))
		goto fail;
	if (fd < 0) {
		if (errno == ENOBUFS && out->token_len != LTOK)
			return check_failed("INIT: ENOBUFS, token_len %u",
					    out->token_len);
		if (tok_ours && tok[0] != 0x5a)
			return check_failed("INIT failed (%d) but wrote the token",
					    errno);
		return 0;
	}
	if (out->status != SECMSG_STATUS_CONTINUE_NEEDED ||
	    out->token_len != LTOK) {
		close(fd);
		return check_failed("INIT: status %u token_len %u",
				    out->status, out->token_len);
	}
	if (tok_ours && (tok[LTOK] != 0x5a || tok[0] != 0x53)) {
		close(fd);
		return check_failed("INIT: token %02x.. tail %02x", tok[0],
				    tok[LTOK]);
	}
	level = out->imp_level ? out->imp_level : SECMSG_IMP_IDENTIFY;
	suite = out->suite ? out->suite : SECMSG_SUITE_AES256_GCM;
	s = &F.s[i];
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->role = SECMSG_ROLE_INITIATOR;
	s->suite = suite;
	s->flags = granted_flags(out->ctx_flags, level);
	s->pair = F.npair++;
	p = &F.lp[s->pair];
	memset(p, 0, sizeof(*p));
	p->flags = s->flags;
	p->suite = suite;
	p->level = level;
	p->own_target = own;
	memset(lt, 0, sizeof(*lt));
	if (tok_ours) {
		lt->kind = 1;
		lt->pair = s->pair;
		memcpy(lt->tok, tok, LTOK);
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Prefer a token of @kind not spent yet (unless @any), from @from on. */
static struct ltok *pick_tok(unsigned int from, int kind, uint32_t pair,
			     int any)
{
	unsigned int k;

	if (any)
		return &F.lt[from % NLTOK];
	for (k = 0; k < NLTOK; k++) {
		struct ltok *t = &F.lt[(from + k) % NLTOK];

		if (t->kind == kind && !t->spent && (!pair || t->pair == pair))
			return t;
	}
	return &F.lt[from % NLTOK];
}

/* ACCEPT of a token the input holds (or garbage), as our own euid;
 * @mutate: a struct field or the token (truncated, bit-flipped, twice) */
static int do_accept(const struct fop_in *o, int mutate)
{
	static uint8_t raw[4096 + 4200];
	struct secmsg_accept acc, *out = &acc;
	struct ltok *lt = pick_tok(o->b, 1, 0, o->c & 1), *rt;
	uint8_t in[LTOK + 8], reply[LTOK + 16];
	uint32_t len = LTOK, kind = mutate ? o->x % 12 : 99;
	int i = free_slot(o->a), fd, exp, twice = 0, reply_ours = 1;
	void *arg = &acc;
	struct lpair *p = NULL;
	struct slot *s;

	if (i < 0)
		return 0;
	if (lt->kind)
		memcpy(in, lt->tok, LTOK);
	else
		fill(in, LTOK, o->y);
	if (lt->kind == 1)
		p = &F.lp[lt->pair];
	/* what the token alone earns */
	exp = lt->kind != 1 ? EBADMSG :
	      lt->spent || !initiator_alive(lt->pair) ? EALREADY :
	      !p->own_target ? EACCES : 0;
	memset(&acc, 0, sizeof(acc));
	acc.size = sizeof(acc);
	acc.package = SECMSG_PKG_LOCAL;
	acc.in_token = PTR(in);
	acc.in_len = LTOK;
	acc.out_token = PTR(reply);
	acc.out_len = LTOK;
	memset(reply, 0x5a, sizeof(reply));
	switch (kind) {
	case 0: acc.in_len = o->y & 1 ? LTOK + 1 + o->y % 64 : o->y % LTOK;
		exp = EMSGSIZE; break;
	case 1: in[o->y % LTOK] ^= 1 << o->z % 8; exp = EBADMSG; break;
	case 2: twice = 1; break;
	case 3: acc.flags = 1u << (o->y % 32); exp = EINVAL; break;
	case 4: acc.package = o->y % 5;
		if (acc.package != SECMSG_PKG_LOCAL)
			exp = EINVAL;
		break;
	case 5: acc.reserved[o->y & 1] = o->z | 1; exp = EINVAL; break;
	case 6: if (o->z % 3 == 0)
			acc.status = o->y | 1;
		else if (o->z % 3 == 1)
			acc.ctx_flags = o->y | 1;
		else
			acc.imp_level = o->y | 1;
		break;		/* out fields: ignored on input */
	case 7: acc.out_len = o->y % LTOK; exp = ENOBUFS; break;
	case 8: acc.in_token = PTR(pick_mem(o->y, &len, NULL)); exp = -1;
		break;
	case 9: acc.out_token = PTR(pick_mem(o->y, &len, NULL)); exp = -1;
		reply_ours = 0; break;
	case 10: acc.size = SECMSG_ACCEPT_SIZE_VER0 - 1 - o->y % 8;
		exp = EINVAL; break;
	case 11: arg = bigger(raw, &acc, sizeof(acc), o->y, &exp);
		out = arg; break;
	default: break;
	}
again:
	fd = ioctl(F.dev, SECMSG_IOC_ACCEPT, arg);
	if (allowed("ACCEPT", fd, err_accept) < 0 ||
	    expect("ACCEPT", fd, exp, exp == 0 || exp == EALREADY ||
				      exp == EACCES))
		goto fail;
	if (fd < 0) {
		if (errno == ENOBUFS && out->out_len != LTOK)
			return check_failed("ACCEPT: ENOBUFS, out_len %u",
					    out->out_len);
		if (out->status || out->ctx_flags || out->imp_level ||
		    (reply_ours && reply[0] != 0x5a))
			if (kind != 6)
				return check_failed("ACCEPT failed (%d) but wrote back",
						    errno);
		return 0;
	}
	if (kind == 8) {		/* whatever the arena held: keep it */
		s = &F.s[i];	/* as a context of unknown keys */
		memset(s, 0, sizeof(*s));
		s->fd = fd;
		return 0;
	}
	if (lt->kind != 1 || !p) {
		close(fd);
		return check_failed("ACCEPT of a token that was not an init token gave fd %d",
				    fd);
	}
	if (out->status != SECMSG_STATUS_OK || out->out_len != LTOK ||
	    out->ctx_flags != p->flags || out->imp_level != p->level ||
	    (reply_ours && (reply[LTOK] != 0x5a || reply[0] != 0x53))) {
		close(fd);
		return check_failed("ACCEPT: status %u out_len %u flags %#x/%#x level %u/%u",
				    out->status, out->out_len, out->ctx_flags,
				    p->flags, out->imp_level, p->level);
	}
	lt->spent = 1;
	s = &F.s[i];
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->role = SECMSG_ROLE_ACCEPTOR;
	s->suite = p->suite;
	s->flags = p->flags;
	s->pair = lt->pair;
	rt = &F.lt[(o->b + 1 + o->c / 2) % NLTOK];
	if (rt != lt) {
		memset(rt, 0, sizeof(*rt));
		if (reply_ours) {
			rt->kind = 2;
			rt->pair = lt->pair;
			memcpy(rt->tok, reply, LTOK);
		}
	}
	if (twice) {			/* a replayed init token */
		twice = 0;
		exp = EALREADY;
		acc.status = acc.ctx_flags = acc.imp_level = 0;
		memset(reply, 0x5a, sizeof(reply));
		i = free_slot(o->a);
		if (i < 0)
			return 0;
		goto again;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* COMPLETE on a slot (preferably an incomplete initiator) with a reply
 * token (preferably its own); @mutate: a struct field or the token */
static int do_complete(const struct fop_in *o, int mutate)
{
	static uint8_t raw[4096 + 4200];
	struct secmsg_complete cmp, *out = &cmp;
	struct slot *s = NULL;
	struct ltok *lt;
	uint8_t in[LTOK + 8];
	uint32_t len = LTOK, kind = mutate ? o->x % 9 : 99;
	int i, ret, exp, twice = 0, tokexp;
	void *arg = &cmp;

	for (i = 0; i < NSLOT && !(o->c & 1); i++) {
		struct slot *t = &F.s[(o->a + i) % NSLOT];

		if (t->fd >= 0 && t->pair && t->role == SECMSG_ROLE_INITIATOR &&
		    !F.lp[t->pair].complete) {
			s = t;
			break;
		}
	}
	if (!s)
		s = live(o->a);
	if (!s || s->fresh)	/* COMPLETE of a FRESH import: do_fresh_complete */
		return 0;
	lt = pick_tok(o->b, 2, s->pair, o->c & 2);
	if (lt->kind)
		memcpy(in, lt->tok, LTOK);
	else
		fill(in, LTOK, o->y);
	/* the checks in the kernel's order: struct, context, token */
	tokexp = lt->kind != 2 ? EBADMSG :
		 lt->spent || lt->pair != s->pair ? EALREADY : 0;
	exp = !s->suite ? -1 :
	      !s->pair || s->role != SECMSG_ROLE_INITIATOR ? EINVAL :
	      F.lp[s->pair].complete ? EISCONN : tokexp;
	memset(&cmp, 0, sizeof(cmp));
	cmp.size = sizeof(cmp);
	cmp.in_token = PTR(in);
	cmp.in_len = LTOK;
	switch (kind) {
	case 0: cmp.in_len = o->y & 1 ? LTOK + 1 + o->y % 64 : o->y % LTOK;
		if (exp == tokexp)
			exp = EMSGSIZE;
		break;
	case 1: in[o->y % LTOK] ^= 1 << o->z % 8;
		if (exp == tokexp)
			exp = EBADMSG;
		break;
	case 2: twice = 1; break;
	case 3: cmp.flags = 1u << (o->y % 32); exp = EINVAL; break;
	case 4: cmp.reserved[o->y & 1] = o->z | 1; exp = EINVAL; break;
	case 5: if (o->z % 3 == 0)
			cmp.status = o->y | 1;
		else if (o->z % 3 == 1)
			cmp.ctx_flags = o->y | 1;
		else
			cmp.imp_level = o->y | 1;
		break;		/* out fields: ignored on input */
	case 6: cmp.in_token = PTR(pick_mem(o->y, &len, NULL));
		if (exp == tokexp)
			exp = -1;
		break;
	case 7: cmp.size = SECMSG_COMPLETE_SIZE_VER0 - 1 - o->y % 8;
		exp = EINVAL; break;
	case 8: arg = bigger(raw, &cmp, sizeof(cmp), o->y, &exp);
		out = arg; break;
	default: break;
	}
again:
	ret = ioctl(s->fd, SECMSG_IOC_COMPLETE, arg);
	if (allowed("COMPLETE", ret, err_complete) < 0 ||
	    expect("COMPLETE", ret, exp, exp == 0 || exp == EALREADY))
		return -1;
	if (ret < 0) {
		if (out->status || out->ctx_flags || out->imp_level)
			if (kind != 5)
				return check_failed("COMPLETE failed (%d) but wrote back",
						    errno);
		return 0;
	}
	if (!s->pair || (lt->kind != 2 && kind != 6)) {
		return check_failed("COMPLETE succeeded on slot pair %u with token kind %d",
				    s->pair, lt->kind);
	}
	if (out->status != SECMSG_STATUS_OK ||
	    out->ctx_flags != F.lp[s->pair].flags ||
	    out->imp_level != F.lp[s->pair].level)
		return check_failed("COMPLETE: status %u flags %#x/%#x level %u/%u",
				    out->status, out->ctx_flags,
				    F.lp[s->pair].flags, out->imp_level,
				    F.lp[s->pair].level);
	F.lp[s->pair].complete = 1;
	lt->spent = 1;
	if (twice) {			/* once only */
		twice = 0;
		exp = EISCONN;
		cmp.status = cmp.ctx_flags = cmp.imp_level = 0;
		goto again;
	}
	return 0;
}

static int op_init(const struct fop_in *o) { return do_init(o, 0); }
static int op_init_mut(const struct fop_in *o) { return do_init(o, 1); }
static int op_accept(const struct fop_in *o) { return do_accept(o, 0); }
static int op_accept_mut(const struct fop_in *o) { return do_accept(o, 1); }
static int op_complete(const struct fop_in *o) { return do_complete(o, 0); }
static int op_complete_mut(const struct fop_in *o) { return do_complete(o, 1); }

/* ---- keys (uapi "Kerberos contexts", Delegation) ----------------------- */

static long keyctl5(int cmd, long a, long b, long c, long d)
{
	long r = syscall(__NR_keyctl, cmd, a, b, c, d);

	return r < 0 ? -errno : r;
}

static long key_find(long ring, const char *type, const char *desc)
{
	return keyctl5(KEYCTL_SEARCH, ring, (long)type, (long)desc, 0);
}

static int slot_active(const struct slot *s)
{
	struct secmsg_query q;

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	return !ioctl(s->fd, SECMSG_IOC_QUERY, &q) &&
	       q.state == SECMSG_STATE_ACTIVE;
}

/*
 * While impersonating on @s: the thread keyring holds the client's
 * credential cache if @s has one (its first credential as imported),
 * else nothing.  A context that expired meanwhile took its keys along.
 */
static int check_deleg_keys(const struct slot *s)
{
	static uint8_t want[SECMSG_KRB5_DELEG_DATA_MAX], got[
		SECMSG_KRB5_DELEG_DATA_MAX + 1];
	long coll = key_find(KEY_SPEC_THREAD_KEYRING, "keyring",
			     "_krb_secmsg"), cache, tgt, n;

	if (s->k5.deleg)
		F.deleg_imp++;
	if (!s->k5.deleg) {
		if (coll != -ENOKEY && coll != -ENOSYS)
			return check_failed("IMPERSONATE without delegation: "
					    "thread keyring search %ld", coll);
		return 0;
	}
	if (coll < 0 && !slot_active(s))
		return 0;
	if (coll < 0)
		return check_failed("IMPERSONATE: no delegated credentials "
				    "in the thread keyring (%ld)", coll);
	cache = key_find(coll, "keyring", "secmsg");
	/* a mutated import: its first credential may be another's */
	tgt = cache < 0 || !s->k5.len ? cache :
	      key_find(cache, "user", K5_TGT);
	n = tgt < 0 ? tgt : keyctl5(KEYCTL_READ, tgt, (long)got, sizeof(got),
				    0);
	if (n < 0 && !slot_active(s))
		return 0;
	if (n < 0)
		return check_failed("IMPERSONATE: the delegated TGT: %ld", n);
	if (!s->k5.len)
		return 0;
	fill(want, s->k5.len, s->k5.seed);
	if ((uint32_t)n != s->k5.len || memcmp(got, want, n))
		return check_failed("IMPERSONATE: the delegated TGT: %ld bytes, "
				    "not the %u imported", n, s->k5.len);
	return 0;
}

/* IMPERSONATE on a slot, then REVERT (twice: the second finds nothing).
 * The fuzzer is root and its local clients are root, so a success changes
 * no id but that of a Kerberos client (its asserted account), and every
 * refusal must be the predicted one.  A Kerberos context with delegated
 * credentials gives them in the thread keyring until REVERT. */
static int op_impersonate(const struct fop_in *o)
{
	struct secmsg_impersonate a = { .size = sizeof(a) };
	struct slot *s = live(o->a);
	int ret, exp, did, i;
	long k;

	/* one in four: a context with delegated credentials, if any */
	for (i = 0; (o->b & 3) == 3 && i < NSLOT; i++)
		if (F.s[(o->a + i) % NSLOT].fd >= 0 &&
		    F.s[(o->a + i) % NSLOT].k5.deleg) {
			s = &F.s[(o->a + i) % NSLOT];
			break;
		}
	if (!s)
		return 0;
	if (s->k5.role)
		exp = s->k5.role != SECMSG_ROLE_ACCEPTOR ? EINVAL :
		      s->k5.level < SECMSG_IMP_IMPERSONATE ||
		      s->k5.uid == SECMSG_NO_ID ? EACCES : 0;
	else
		exp = !s->suite ? -1 :
		      !s->pair || s->role != SECMSG_ROLE_ACCEPTOR ? EINVAL :
		      F.lp[s->pair].level < SECMSG_IMP_IMPERSONATE ? EACCES :
								     0;
	switch (o->x % 6) {
	case 0: a.flags = 1u << (o->y % 32); exp = EINVAL; break;
	case 1: a.reserved = (uint64_t)o->y << 32 | o->z | 1; exp = EINVAL;
		break;
	case 2: a.size = o->y % SECMSG_IMPERSONATE_SIZE_VER0; exp = EINVAL;
		break;
	default: break;
	}
	ret = ioctl(s->fd, SECMSG_IOC_IMPERSONATE, &a);
	/* a short lifetime ran out (checked before the client's grant) */
	if (ret < 0 && errno == EKEYEXPIRED &&
	    (exp == 0 || (s->k5.role == SECMSG_ROLE_ACCEPTOR && exp == EACCES)))
		return 0;
	if (expect("IMPERSONATE", ret, exp, 0))
		goto revert;
	did = ret == 0;
	if (did && s->k5.role && geteuid() != s->k5.uid)
		check_failed("IMPERSONATE: euid %u, the client is %u",
			     geteuid(), s->k5.uid);
	if (did && s->k5.role)
		check_deleg_keys(s);
	a = (struct secmsg_impersonate){ .size = sizeof(a) };
	ret = ioctl(o->c & 1 ? F.dev : s->fd, SECMSG_IOC_REVERT, &a);
	if (ret != (did ? 0 : -1) || (ret < 0 && errno != ENOENT))
		return check_failed("REVERT after IMPERSONATE (%d): %d %s",
				    did, ret, strerror(errno));
	ret = ioctl(s->fd, SECMSG_IOC_REVERT, &a);
	if (ret != -1 || errno != ENOENT)
		return check_failed("second REVERT: %d %s", ret,
				    strerror(errno));
	if (geteuid() != 0 || getegid() != 0)
		return check_failed("ids after REVERT: %u %u", geteuid(),
				    getegid());
	k = key_find(KEY_SPEC_THREAD_KEYRING, "keyring", "_krb_secmsg");
	if (k != -ENOKEY && k != -ENOSYS)
		return check_failed("thread keyring after REVERT: %ld", k);
	return F.fail[0] ? -1 : 0;
revert:
	/* an unexpected success: never go on as the client */
	if (ret == 0) {
		a = (struct secmsg_impersonate){ .size = sizeof(a) };
		ioctl(F.dev, SECMSG_IOC_REVERT, &a);
	}
	return -1;
}

/* ---- SECMSG_IMPORT_FRESH and its COMPLETE (uapi "Pre-shared keys") -------- */

/*
 * IMPORT with SECMSG_IMPORT_FRESH; keys from a small set (o->x % 4) so that
 * inputs make matching pairs.  @mutate: the contribution's buffer, the
 * flags, the reserved field, or the buffer without the flag.
 */
static int do_fresh_import(const struct fop_in *o, int mutate)
{
	struct secmsg_import imp;
	uint8_t contrib[SECMSG_CONTRIB_SIZE + 8];
	uint32_t len = SECMSG_CONTRIB_SIZE, kind = mutate ? o->x % 8 : 99;
	int i = free_slot(o->a), fd, exp = 0, ours = 1;
	struct slot *s;
	struct fresh *f;

	if (i < 0 || F.nfresh >= NFRESH)
		return 0;
	s = &F.s[i];
	memset(&imp, 0, sizeof(imp));
	imp.size = sizeof(imp);
	imp.flags = SECMSG_IMPORT_FRESH;
	imp.package = SECMSG_PKG_RAW;
	imp.role = 1 + (o->b & 1);
	imp.suite = 1 + o->b / 2 % 3;
	imp.ctx_flags = (o->c & 1 ? SECMSG_CTX_REPLAY_DETECT : 0) |
			(o->c & 2 ? SECMSG_CTX_SEQUENCE_DETECT : 0) |
			(o->c & 4 ? SECMSG_CTX_CONFIDENTIALITY : 0) |
			(o->c & 8 ? SECMSG_CTX_INTEGRITY : 0);
	imp.key_len = 32;
	fill(s->key, 32, o->x % 4);
	imp.key = PTR(s->key);
	imp.contrib = PTR(contrib);
	/* a larger buffer is fine: exactly SECMSG_CONTRIB_SIZE are written */
	imp.contrib_len = SECMSG_CONTRIB_SIZE + (o->c & 0x10 ? o->y % 9 : 0);
	memset(contrib, 0x5a, sizeof(contrib));
	switch (kind) {
	case 0: imp.contrib_len = o->y % SECMSG_CONTRIB_SIZE; exp = EINVAL;
		break;
	case 1: imp.contrib = PTR(pick_mem((uint8_t)o->y, &len, NULL));
		exp = -1; ours = 0; break;
	case 2: imp.flags |= 2u << (o->y % 31); exp = EINVAL; break;
	case 3: imp.reserved = o->z | 1; exp = EINVAL; break;
	case 4: imp.flags = 0; exp = EINVAL; break;
	case 5: imp.flags = 0; imp.contrib = 0; exp = EINVAL; break;
	default: break;
	}
	fd = ioctl(F.dev, SECMSG_IOC_IMPORT, &imp);
	if (allowed("IMPORT FRESH", fd, err_import) < 0 ||
	    expect("IMPORT FRESH", fd, exp, 0))
		goto fail;
	if (fd < 0) {
		for (i = 0; ours && i < (int)sizeof(contrib); i++)
			if (contrib[i] != 0x5a)
				return check_failed("IMPORT FRESH failed (%d) but wrote the contribution",
						    errno);
		return 0;
	}
	if (ours && contrib[SECMSG_CONTRIB_SIZE] != 0x5a) {
		close(fd);
		return check_failed("IMPORT FRESH wrote past the contribution");
	}
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->role = imp.role;
	s->suite = imp.suite;
	s->flags = imp.ctx_flags | SECMSG_CTX_INTEGRITY;
	fill(s->key, 32, o->x % 4);
	s->fresh = F.nfresh++;
	f = &F.fr[s->fresh];
	memset(f, 0, sizeof(*f));
	f->own_known = ours;
	if (ours)
		memcpy(f->own, contrib, SECMSG_CONTRIB_SIZE);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * COMPLETE on a slot (preferably an incomplete FRESH one) with another
 * FRESH import's contribution (preferably), random bytes, or its own;
 * @mutate: the length, the pointer, a struct field, twice.
 */
static int do_fresh_complete(const struct fop_in *o, int mutate)
{
	static uint8_t raw[4096 + 4200];
	struct secmsg_complete cmp, *out = &cmp;
	uint8_t in[SECMSG_CONTRIB_SIZE + 8];
	uint32_t len = 64, kind = mutate ? o->x % 10 : 99;
	struct slot *s = NULL, *t = NULL;
	struct fresh *f;
	int i, ret, exp, twice = 0, tailexp;
	void *arg = &cmp;

	for (i = 0; i < NSLOT; i++) {
		struct slot *u = &F.s[(o->a + i) % NSLOT];

		if (u->fd >= 0 && u->fresh && !F.fr[u->fresh].complete) {
			s = u;
			break;
		}
	}
	if (!s || o->c & 1)
		s = live(o->a);
	if (!s || s->pair)	/* local contexts: do_complete */
		return 0;
	f = &F.fr[s->fresh];
	for (i = 0; i < NSLOT && !(o->c & 2); i++) {
		struct slot *u = &F.s[(o->b + i) % NSLOT];

		if (u->fd >= 0 && u->fresh && u->fresh != s->fresh &&
		    F.fr[u->fresh].own_known) {
			t = u;
			break;
		}
	}
	if (t)
		memcpy(in, F.fr[t->fresh].own, SECMSG_CONTRIB_SIZE);
	else
		fill(in, sizeof(in), o->y);
	/* the checks in the kernel's order: struct, context, contribution */
	tailexp = s->fresh && f->own_known &&
		  !memcmp(in, f->own, SECMSG_CONTRIB_SIZE) ? EBADMSG : 0;
	exp = !s->suite ? -1 : !s->fresh ? EINVAL : f->complete ? EISCONN :
	      tailexp;
	memset(&cmp, 0, sizeof(cmp));
	cmp.size = sizeof(cmp);
	cmp.in_token = PTR(in);
	cmp.in_len = SECMSG_CONTRIB_SIZE;
	switch (kind) {
	case 0: cmp.in_len = o->y % 2 ? SECMSG_CONTRIB_SIZE + 1 + o->y % 64 :
					o->y % SECMSG_CONTRIB_SIZE;
		if (exp == tailexp)
			exp = EMSGSIZE;
		break;
	case 1: if (f->own_known)	/* reflected */
			memcpy(in, f->own, SECMSG_CONTRIB_SIZE);
		if (exp == tailexp && f->own_known)
			exp = EBADMSG;
		break;
	case 2: cmp.in_token = PTR(pick_mem((uint8_t)o->y, &len, NULL));
		if (exp == tailexp)
			exp = -1;
		break;
	case 3: cmp.flags = 1u << (o->y % 32); exp = EINVAL; break;
	case 4: cmp.reserved[o->y & 1] = o->z | 1; exp = EINVAL; break;
	case 5: twice = 1; break;
	case 6: cmp.size = SECMSG_COMPLETE_SIZE_VER0 - 1 - o->y % 8;
		exp = EINVAL; break;
	case 7: arg = bigger(raw, &cmp, sizeof(cmp), o->y, &exp);
		out = arg; break;
	case 8: cmp.status = o->y | 1; break;	/* out only: ignored */
	default: break;
	}
again:
	ret = ioctl(s->fd, SECMSG_IOC_COMPLETE, arg);
	if (allowed("COMPLETE FRESH", ret, err_complete) < 0 ||
	    expect("COMPLETE FRESH", ret, exp, 0))
		return -1;
	if (ret < 0) {
		if ((out->status || out->ctx_flags || out->imp_level) &&
		    kind != 8)
			return check_failed("COMPLETE FRESH failed (%d) but wrote back",
					    errno);
		return 0;
	}
	if (!s->fresh)
		return check_failed("COMPLETE succeeded on a raw context without FRESH");
	if (out->status != SECMSG_STATUS_OK || out->ctx_flags != s->flags ||
	    out->imp_level)
		return check_failed("COMPLETE FRESH: status %u flags %#x/%#x level %u",
				    out->status, out->ctx_flags, s->flags,
				    out->imp_level);
	f->complete = 1;
	memcpy(f->peer, (void *)(uintptr_t)out->in_token,
	       SECMSG_CONTRIB_SIZE);
	if (twice) {			/* once only */
		twice = 0;
		exp = EISCONN;
		cmp.status = cmp.ctx_flags = cmp.imp_level = 0;
		goto again;
	}
	return 0;
}

static int op_fresh_import(const struct fop_in *o) { return do_fresh_import(o, 0); }
static int op_fresh_import_mut(const struct fop_in *o) { return do_fresh_import(o, 1); }
static int op_fresh_complete(const struct fop_in *o) { return do_fresh_complete(o, 0); }
static int op_fresh_complete_mut(const struct fop_in *o) { return do_fresh_complete(o, 1); }

struct fop {
	const char *name;
	int (*run)(const struct fop_in *o);
};

/* The operation table: one entry per call (add new calls here). */
static const struct fop ops[] = {
	{ "import", op_import },
	{ "import_mutated", op_import_mut },
	{ "sign", op_sign },
	{ "verify", op_verify },
	{ "seal", op_seal },
	{ "seal_stream", op_seal_stream },
	{ "unseal", op_unseal },
	{ "query", op_query },
	{ "batch", op_batch },
	{ "pass_fd", op_pass_fd },
	{ "close", op_close },
	{ "dup", op_dup },
	{ "raw_ioctl", op_raw },
	{ "init", op_init },
	{ "init_mutated", op_init_mut },
	{ "accept", op_accept },
	{ "accept_mutated", op_accept_mut },
	{ "complete", op_complete },
	{ "complete_mutated", op_complete_mut },
	{ "impersonate", op_impersonate },
	{ "import_fresh", op_fresh_import },
	{ "import_fresh_mutated", op_fresh_import_mut },
	{ "complete_fresh", op_fresh_complete },
	{ "complete_fresh_mutated", op_fresh_complete_mut },
	{ "import_krb5", op_import_krb5 },
	{ "import_krb5_mutated", op_import_krb5_mut },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* ---- per-input invariants ------------------------------------------------ */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* @s still talks: a fresh peer with the same key opens what it seals, and
 * the other way round. */
static int roundtrip(struct slot *s)
{
	struct secmsg_query q;
	struct secmsg_import imp;
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	uint8_t tok[32], d[48], orig[48];
	int peer, ret = 0;

	if (!s->suite)
		return 0;		/* made by a raw ioctl: key unknown */
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	if (ioctl(s->fd, SECMSG_IOC_QUERY, &q))
		return check_failed("QUERY of a live context: %s", strerror(errno));
	if (q.state != SECMSG_STATE_ACTIVE)
		return 0;		/* expired by lifetime or sequence */
	memset(&imp, 0, sizeof(imp));
	imp.size = sizeof(imp);
	imp.package = SECMSG_PKG_RAW;
	imp.role = s->role == 1 ? 2 : 1;
	imp.suite = s->suite;
	imp.ctx_flags = s->flags;
	imp.key_len = 32;
	imp.key = PTR(s->key);
	imp.send_seq = q.recv_seq;
	imp.recv_seq = q.send_seq;
	peer = ioctl(F.dev, SECMSG_IOC_IMPORT, &imp);
	if (peer < 0)
		return errno == EMFILE ? 0 :
			check_failed("peer import: %s", strerror(errno));
	fill(d, sizeof(d), 5);
	memcpy(orig, d, sizeof(d));
	b[0] = (struct secmsg_buffer){ SECMSG_BUF_TOKEN, 0, PTR(tok), 32, 0 };
	b[1] = (struct secmsg_buffer){ SECMSG_BUF_DATA, 0, PTR(d), sizeof(d), 0 };
	/*
	 * The peer sends from our recv_seq: at 2^64 - 1 it is ended from the
	 * start, and every call of its, VERIFY included, says expired.
	 */
	if (q.send_seq < UINT64_MAX - 1 && q.recv_seq != UINT64_MAX) {
		msg_init(&m, b, 2, 0);
		if (ioctl(s->fd, SECMSG_IOC_SIGN, &m))
			ret = check_failed("round trip: SIGN: %s", strerror(errno));
		msg_init(&m, b, 2, 0);
		if (!ret && ioctl(peer, SECMSG_IOC_VERIFY, &m))
			ret = check_failed("round trip: VERIFY at the peer: %s (verdict %u)",
					   strerror(errno), m.verdict);
	}
	if (!ret && q.recv_seq < UINT64_MAX - 1 &&
	    (s->flags & SECMSG_CTX_CONFIDENTIALITY)) {
		msg_init(&m, b, 2, 0);
		if (ioctl(peer, SECMSG_IOC_SEAL, &m))
			ret = check_failed("round trip: SEAL at the peer: %s",
					   strerror(errno));
		msg_init(&m, b, 2, 0);
		if (!ret && ioctl(s->fd, SECMSG_IOC_UNSEAL, &m))
			ret = check_failed("round trip: UNSEAL: %s (verdict %u)",
					   strerror(errno), m.verdict);
		if (!ret && memcmp(d, orig, sizeof(d)))
			ret = check_failed("round trip: plaintext differs");
	}
	close(peer);
	return ret;
}

/* One message each way (@d sent by @from, opened by @to); 0 or failed. */
static int exchange(int from, int to, uint32_t flags, const char *dir)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	uint8_t tok[32], d[48], orig[48];

	fill(d, sizeof(d), 6);
	memcpy(orig, d, sizeof(d));
	b[0] = (struct secmsg_buffer){ SECMSG_BUF_TOKEN, 0, PTR(tok), 32, 0 };
	b[1] = (struct secmsg_buffer){ SECMSG_BUF_DATA, 0, PTR(d), sizeof(d), 0 };
	msg_init(&m, b, 2, 0);
	if (ioctl(from, SECMSG_IOC_SIGN, &m))
		return check_failed("local %s: SIGN: %s", dir, strerror(errno));
	msg_init(&m, b, 2, 0);
	if (ioctl(to, SECMSG_IOC_VERIFY, &m))
		return check_failed("local %s: VERIFY: %s (verdict %u)", dir,
				    strerror(errno), m.verdict);
	if (!(flags & SECMSG_CTX_CONFIDENTIALITY))
		return 0;
	msg_init(&m, b, 2, 0);
	if (ioctl(from, SECMSG_IOC_SEAL, &m))
		return check_failed("local %s: SEAL: %s", dir, strerror(errno));
	msg_init(&m, b, 2, 0);
	if (ioctl(to, SECMSG_IOC_UNSEAL, &m))
		return check_failed("local %s: UNSEAL: %s (verdict %u)", dir,
				    strerror(errno), m.verdict);
	if (memcmp(d, orig, sizeof(d)))
		return check_failed("local %s: plaintext differs", dir);
	return 0;
}

static int query_of(int fd, struct secmsg_query *q)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	if (ioctl(fd, SECMSG_IOC_QUERY, q))
		return check_failed("QUERY of a live local context: %s",
				    strerror(errno));
	return 0;
}

/*
 * A local context: QUERY agrees with what INIT / ACCEPT / COMPLETE said;
 * an incomplete initiator refuses messages; a complete initiator and its
 * acceptor (if one is still open) talk both ways.
 */
static int roundtrip_local(struct slot *s)
{
	struct lpair *p = &F.lp[s->pair];
	struct secmsg_query q, qt;
	struct slot *t = NULL;
	int i, incomplete = s->role == SECMSG_ROLE_INITIATOR && !p->complete;

	if (query_of(s->fd, &q))
		return -1;
	if (q.package != SECMSG_PKG_LOCAL || q.role != s->role ||
	    q.suite != p->suite || q.ctx_flags != p->flags ||
	    q.imp_level != p->level || q.max_token != LTOK)
		return check_failed("local QUERY: package %u role %u/%u suite %u/%u flags %#x/%#x level %u/%u",
				    q.package, q.role, s->role, q.suite, p->suite,
				    q.ctx_flags, p->flags, q.imp_level, p->level);
	if (!(q.local.flags & SECMSG_ID_VALID) || q.local.uid != geteuid())
		return check_failed("local QUERY: own identity %#x uid %u",
				    q.local.flags, q.local.uid);
	if (incomplete) {
		struct secmsg_buffer b[2];
		struct secmsg_message m;
		uint8_t tok[32], d[16];
		int ret;

		if (q.peer.flags)
			return check_failed("incomplete context knows its peer");
		if (q.state != SECMSG_STATE_INCOMPLETE &&
		    q.state != SECMSG_STATE_EXPIRED)
			return check_failed("incomplete context in state %u",
					    q.state);
		b[0] = (struct secmsg_buffer){ SECMSG_BUF_TOKEN, 0, PTR(tok), 32, 0 };
		b[1] = (struct secmsg_buffer){ SECMSG_BUF_DATA, 0, PTR(d), sizeof(d), 0 };
		msg_init(&m, b, 2, 0);
		ret = ioctl(s->fd, SECMSG_IOC_SIGN, &m);
		if (ret == 0 || errno != ENOTCONN ||
		    m.verdict != SECMSG_VERDICT_INCOMPLETE_CONTEXT)
			return check_failed("SIGN on an incomplete context: %d %s verdict %u",
					    ret, strerror(errno), m.verdict);
		return 0;
	}
	if (q.state == SECMSG_STATE_EXPIRED)
		return 0;
	if (s->role == SECMSG_ROLE_ACCEPTOR &&
	    p->level == SECMSG_IMP_ANONYMOUS) {
		/* the client withheld: flag alone, all else zero */
		if (q.state != SECMSG_STATE_ACTIVE ||
		    q.peer.flags != SECMSG_ID_ANONYMOUS || q.peer.uid ||
		    q.peer.pid || q.peer.ngroups || q.peer.userns)
			return check_failed("anonymous client shown: state %u, peer %#x uid %u",
					    q.state, q.peer.flags, q.peer.uid);
	} else if (q.state != SECMSG_STATE_ACTIVE ||
		   !(q.peer.flags & SECMSG_ID_VALID) ||
		   q.peer.uid != geteuid())
		return check_failed("local context: state %u, peer %#x uid %u",
				    q.state, q.peer.flags, q.peer.uid);
	if (s->role != SECMSG_ROLE_INITIATOR || q.lifetime < 10)
		return 0;		/* exchanges from the initiator's side */
	for (i = 0; i < NSLOT; i++)
		if (F.s[i].fd >= 0 && F.s[i].pair == s->pair &&
		    F.s[i].role == SECMSG_ROLE_ACCEPTOR)
			t = &F.s[i];
	if (!t)
		return 0;
	if (query_of(t->fd, &qt))
		return -1;
	if (qt.state != SECMSG_STATE_ACTIVE)
		return check_failed("acceptor of a live pair: state %u",
				    qt.state);
	/* SEQUENCE_DETECT: a message the input sent and never delivered
	 * leaves a gap the receiver rightly refuses */
	if ((!(p->flags & SECMSG_CTX_SEQUENCE_DETECT) ||
	     q.send_seq == qt.recv_seq) &&
	    exchange(s->fd, t->fd, p->flags, "initiator to acceptor"))
		return -1;
	if ((!(p->flags & SECMSG_CTX_SEQUENCE_DETECT) ||
	     qt.send_seq == q.recv_seq) &&
	    exchange(t->fd, s->fd, p->flags, "acceptor to initiator"))
		return -1;
	return 0;
}

/*
 * A FRESH import: QUERY agrees with IMPORT; an incomplete one refuses
 * messages; a complete one talks both ways with the FRESH import whose
 * contribution it took, if that one took its own (same key and suite,
 * the other role).
 */
static int roundtrip_fresh(struct slot *s)
{
	struct fresh *f = &F.fr[s->fresh];
	struct secmsg_query q, qt;
	struct slot *t = NULL;
	int i;

	if (query_of(s->fd, &q))
		return -1;
	if (q.package != SECMSG_PKG_RAW || q.role != s->role ||
	    q.suite != s->suite || q.ctx_flags != s->flags || q.imp_level)
		return check_failed("FRESH QUERY: package %u role %u/%u suite %u/%u flags %#x/%#x",
				    q.package, q.role, s->role, q.suite,
				    s->suite, q.ctx_flags, s->flags);
	if (!f->complete) {
		struct secmsg_buffer b[2];
		struct secmsg_message m;
		uint8_t tok[32], d[16];
		int ret;

		if (q.state != SECMSG_STATE_INCOMPLETE || q.driver[0])
			return check_failed("incomplete FRESH import: state %u driver '%s'",
					    q.state, q.driver);
		b[0] = (struct secmsg_buffer){ SECMSG_BUF_TOKEN, 0, PTR(tok), 32, 0 };
		b[1] = (struct secmsg_buffer){ SECMSG_BUF_DATA, 0, PTR(d), sizeof(d), 0 };
		msg_init(&m, b, 2, 0);
		ret = ioctl(s->fd, SECMSG_IOC_SEAL, &m);
		if (ret == 0 || errno != ENOTCONN ||
		    m.verdict != SECMSG_VERDICT_INCOMPLETE_CONTEXT)
			return check_failed("SEAL on an incomplete FRESH import: %d %s verdict %u",
					    ret, strerror(errno), m.verdict);
		return 0;
	}
	if (q.state != SECMSG_STATE_ACTIVE)
		return check_failed("complete FRESH import in state %u", q.state);
	if (!f->own_known)
		return 0;
	for (i = 0; i < NSLOT; i++) {
		struct slot *u = &F.s[i];
		struct fresh *g = &F.fr[u->fresh];

		if (u->fd >= 0 && u->fresh && u->fresh != s->fresh &&
		    g->complete && g->own_known &&
		    !memcmp(g->own, f->peer, SECMSG_CONTRIB_SIZE) &&
		    !memcmp(g->peer, f->own, SECMSG_CONTRIB_SIZE) &&
		    u->role != s->role && u->suite == s->suite &&
		    !memcmp(u->key, s->key, sizeof(s->key)))
			t = u;
	}
	if (!t || s->role != SECMSG_ROLE_INITIATOR)
		return 0;		/* exchanges from the initiator's side */
	if (query_of(t->fd, &qt))
		return -1;
	/* SEQUENCE_DETECT: a message the input sent and never delivered
	 * leaves a gap the receiver rightly refuses */
	if ((!(t->flags & SECMSG_CTX_SEQUENCE_DETECT) ||
	     q.send_seq == qt.recv_seq) &&
	    exchange(s->fd, t->fd, s->flags & t->flags, "FRESH initiator to acceptor"))
		return -1;
	if ((!(s->flags & SECMSG_CTX_SEQUENCE_DETECT) ||
	     qt.send_seq == q.recv_seq) &&
	    exchange(t->fd, s->fd, s->flags & t->flags, "FRESH acceptor to initiator"))
		return -1;
	return 0;
}

static int run_input(const struct input *in)
{
	int fds0 = count_fds(), i, ret = 0;
	unsigned int k;

	F.fail[0] = 0;
	F.arena_off = 0;
	for (i = 0; i < NSLOT; i++)
		F.s[i].fd = -1, F.s[i].pair = 0, F.s[i].fresh = 0,
		memset(&F.s[i].k5, 0, sizeof(F.s[i].k5));
	memset(F.st, 0, sizeof(F.st));
	memset(F.lp, 0, sizeof(F.lp));
	memset(F.fr, 0, sizeof(F.fr));
	F.nfresh = 1;
	memset(F.lt, 0, sizeof(F.lt));
	F.npair = 1;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, F.sock))
		return check_failed("socketpair: %s", strerror(errno));
	for (k = 0; k < in->n && !ret; k++)
		ret = ops[in->op[k].op % NOPS].run(&in->op[k]);
	for (i = 0; i < NSLOT && !ret; i++)
		if (F.s[i].fd >= 0)
			ret = F.s[i].fresh ? roundtrip_fresh(&F.s[i]) :
			      F.s[i].pair ? roundtrip_local(&F.s[i]) :
					    roundtrip(&F.s[i]);
	for (i = 0; i < NSLOT; i++)
		if (F.s[i].fd >= 0)
			close(F.s[i].fd);
	close(F.sock[0]);
	close(F.sock[1]);
	if (!ret && count_fds() != fds0)
		ret = check_failed("descriptors: %d before the input, %d after",
				   fds0, count_fds());
	return ret;
}

/* ---- inputs: random, mutated, files -------------------------------------- */

static void random_input(struct input *in)
{
	unsigned int k;

	in->n = 2 + rnd() % (MAXOPS - 2);
	for (k = 0; k < in->n; k++) {
		uint64_t r = rnd(), r2 = rnd();

		in->op[k] = (struct fop_in){ (uint8_t)(r % NOPS), (uint8_t)(r >> 8),
			(uint8_t)(r >> 16), (uint8_t)(r >> 24), (uint32_t)(r >> 32),
			(uint32_t)r2, (uint32_t)(r2 >> 32) };
		/* imports first, mostly valid: the rest needs contexts */
		if (k < 2 || rnd() % 6 == 0)
			in->op[k].op = 0;
		if (rnd() % 3)
			in->op[k].c &= 0x0f;	/* fewer mutations */
	}
}

static void mutate_input(struct input *in, const struct input *other)
{
	unsigned int k = rnd() % in->n, j;
	uint8_t *bytes = (uint8_t *)&in->op[k];

	switch (rnd() % 5) {
	case 0:
		bytes[rnd() % 16] ^= 1 << rnd() % 8;
		break;
	case 1:
		bytes[rnd() % 16] = (uint8_t)rnd();
		break;
	case 2:				/* duplicate an op */
		if (in->n < MAXOPS) {
			memmove(&in->op[k + 1], &in->op[k],
				(in->n - k) * sizeof(in->op[0]));
			in->n++;
		}
		break;
	case 3:				/* delete an op */
		if (in->n > 2) {
			memmove(&in->op[k], &in->op[k + 1],
				(in->n - k - 1) * sizeof(in->op[0]));
			in->n--;
		}
		break;
	default:			/* splice */
		for (j = k; j < in->n && j - k < other->n; j++)
			in->op[j] = other->op[j - k];
		break;
	}
}

static int load_input(const char *path, struct input *in)
{
	uint8_t buf[8 + MAXOPS * 16];
	FILE *f = fopen(path, "rb");
	size_t n;
	uint32_t cnt, k;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n < 8 || memcmp(buf, "SMFZ", 4))
		return -1;
	memcpy(&cnt, buf + 4, 4);
	if (cnt > MAXOPS || 8 + cnt * 16 > n)
		return -1;
	in->n = cnt;
	for (k = 0; k < cnt; k++) {
		const uint8_t *p = buf + 8 + k * 16;

		in->op[k].op = p[0];
		in->op[k].a = p[1];
		in->op[k].b = p[2];
		in->op[k].c = p[3];
		memcpy(&in->op[k].x, p + 4, 4);
		memcpy(&in->op[k].y, p + 8, 4);
		memcpy(&in->op[k].z, p + 12, 4);
	}
	return 0;
}

static int save_input(const char *path, const struct input *in)
{
	FILE *f = fopen(path, "wb");
	uint32_t k;

	if (!f)
		return -1;
	fwrite("SMFZ", 1, 4, f);
	fwrite(&in->n, 4, 1, f);
	for (k = 0; k < in->n; k++) {
		const struct fop_in *o = &in->op[k];

		fwrite(&o->op, 1, 4, f);	/* op a b c */
		fwrite(&o->x, 4, 3, f);
	}
	return fclose(f);
}

static void print_input(const struct input *in)
{
	unsigned int k;

	for (k = 0; k < in->n; k++) {
		const struct fop_in *o = &in->op[k];

		printf("#   %-15s a=%u b=%u c=%#x x=%#x y=%#x z=%#x\n",
		       ops[o->op % NOPS].name, o->a, o->b, o->c, o->x, o->y,
		       o->z);
	}
}

/* ---- KCOV -------------------------------------------------------------------- */

#define KCOV_INIT_TRACE	_IOR('c', 1, unsigned long)
#define KCOV_ENABLE	_IO('c', 100)
#define KCOV_DISABLE	_IO('c', 101)
#define KCOV_TRACE_PC	0
#define COVER_SIZE	(256 << 10)
#define MAPBITS		(1u << 20)

static unsigned long *kcov_area;
static uint8_t *seen_map;

static int kcov_open(void)
{
	int fd = open("/sys/kernel/debug/kcov", O_RDWR);

	if (fd < 0)
		return -1;
	if (ioctl(fd, KCOV_INIT_TRACE, COVER_SIZE))
		goto fail;
	kcov_area = mmap(NULL, COVER_SIZE * sizeof(unsigned long),
			 PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (kcov_area == MAP_FAILED)
		goto fail;
	if (ioctl(fd, KCOV_ENABLE, KCOV_TRACE_PC))
		goto fail;
	seen_map = calloc(MAPBITS / 8, 1);
	return 0;
fail:
	kcov_area = NULL;
	close(fd);
	return -1;
}

/* New PCs since the last call (0 without KCOV); resets the trace. */
static unsigned long kcov_new(unsigned long *total)
{
	unsigned long n, i, fresh = 0;

	if (!kcov_area)
		return 0;
	n = __atomic_load_n(&kcov_area[0], __ATOMIC_RELAXED);
	if (n >= COVER_SIZE)
		n = COVER_SIZE - 1;
	for (i = 0; i < n; i++) {
		uint64_t pc = kcov_area[i + 1];
		uint32_t h = (uint32_t)((pc * 0x9E3779B97F4A7C15ull) >> 44);

		if (!(seen_map[h / 8] & 1 << h % 8)) {
			seen_map[h / 8] |= 1 << h % 8;
			fresh++;
		}
	}
	*total += fresh;
	__atomic_store_n(&kcov_area[0], 0, __ATOMIC_RELAXED);
	return fresh;
}

/* ---- setup and drivers --------------------------------------------------------- */

static int setup(void)
{
	F.dev = open(SECMSG_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (F.dev < 0)
		return -1;
	F.scratch = mmap(NULL, SCRATCH + ARENA + 3 * 4096,
			 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (F.scratch == MAP_FAILED)
		return -1;
	F.arena = F.scratch + SCRATCH;
	F.guard = F.arena + ARENA;
	F.unmapped = F.guard + 4096;
	F.ro = F.guard + 2 * 4096;
	mprotect(F.guard, 2 * 4096, PROT_NONE);
	mprotect(F.ro, 4096, PROT_READ);
	return 0;
}

struct corpus {
	struct input *in;
	unsigned int n, cap;
};

static void corpus_add(struct corpus *c, const struct input *in)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->in = realloc(c->in, c->cap * sizeof(*c->in));
		if (!c->in)
			exit(2);
	}
	c->in[c->n++] = *in;
}

static const char *outdir;

static int report(const struct input *in, const char *what, uint64_t seed,
		  unsigned long iter)
{
	char path[512];

	printf("# FAIL (%s, seed %llu, input %lu): %s\n", what,
	       (unsigned long long)seed, iter, F.fail);
	print_input(in);
	if (outdir) {
		snprintf(path, sizeof(path), "%s/fail-%llu-%lu.bin", outdir,
			 (unsigned long long)seed, iter);
		if (!save_input(path, in))
			printf("# saved as %s (add it to selftests/fuzz/corpus/)\n",
			       path);
	}
	fflush(stdout);
	return 1;
}

/* Replay every file of @dir (sorted); count into *n; 0 if all passed. */
static int replay_dir(const char *dir, struct corpus *c, unsigned int *n)
{
	struct dirent **names;
	int k, cnt = scandir(dir, &names, NULL, alphasort), bad = 0;
	unsigned long total = 0;

	if (cnt < 0)
		return -1;
	for (k = 0; k < cnt; k++) {
		char path[1024];
		struct input in;

		snprintf(path, sizeof(path), "%s/%s", dir, names[k]->d_name);
		if (names[k]->d_name[0] == '.' || load_input(path, &in))
			goto next;
		(*n)++;
		if (run_input(&in))
			bad |= report(&in, path, 0, *n);
		kcov_new(&total);
		if (c)
			corpus_add(c, &in);
next:
		free(names[k]);
	}
	free(names);
	return bad;
}

/*
 * Fuzz for @secs seconds (0: no limit) or @iters inputs; 0 if nothing
 * failed.
 */
static int fuzz(uint64_t seed, unsigned int secs, unsigned long iters,
		struct corpus *c)
{
	time_t end = secs ? time(NULL) + secs : 0;
	unsigned long it, total = 0, kept = 0;
	struct input in;
	int bad = 0;

	rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
	for (it = 0; it < iters && (!end || time(NULL) < end); it++) {
		if (kcov_area && c->n && rnd() % 4) {
			unsigned int m = 1 + rnd() % 4;

			in = c->in[rnd() % c->n];
			while (m--)
				mutate_input(&in, &c->in[rnd() % c->n]);
		} else {
			random_input(&in);
		}
		kcov_new(&total);
		if (run_input(&in)) {
			bad = report(&in, "fuzz", seed, it);
			break;
		}
		if (kcov_new(&total)) {
			kept++;
			corpus_add(c, &in);
			if (outdir) {
				char path[512];

				snprintf(path, sizeof(path), "%s/cov-%llu-%lu.bin",
					 outdir, (unsigned long long)seed, it);
				save_input(path, &in);
			}
		}
		if (it % 500 == 499) {
			printf("# %lu inputs, %lu ioctls, %lu PCs, corpus %u\n",
			       it + 1, F.calls, total, c->n);
			fflush(stdout);
		}
	}
	printf("# seed %llu: %lu inputs, %lu ioctls, %s%lu new-coverage inputs kept\n",
	       (unsigned long long)seed, it, F.calls,
	       kcov_area ? "KCOV on, " : "no KCOV (pure random), ", kept);
	printf("# delegating IMPORT_KRB5: %lu made, %lu refused; %lu impersonations holding delegated credentials\n",
	       F.deleg_made, F.deleg_refused, F.deleg_imp);
	return bad;
}

int main(int argc, char **argv)
{
	const char *cdir = getenv("SECMSG_FUZZ_CORPUS");
	unsigned int secs = 0, n = 0;
	uint64_t seed = 1;
	struct corpus c = { 0 };
	int opt, bad = 0, replay = 0;

	if (!cdir)
		cdir = "selftests/fuzz/corpus";
	while ((opt = getopt(argc, argv, "t:s:c:o:r")) != -1) {
		switch (opt) {
		case 't': secs = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'c': cdir = optarg; break;
		case 'o': outdir = optarg; break;
		case 'r': replay = 1; break;
		default:
			fprintf(stderr, "usage: see the comment at the top of %s\n",
				__FILE__);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup()) {
		if (secs || replay) {
			perror(SECMSG_DEVICE_PATH);
			return 2;
		}
		printf("TAP version 13\n1..2\n");
		printf("ok 1 corpus_replay # SKIP %s: %s\n", SECMSG_DEVICE_PATH,
		       strerror(errno));
		printf("ok 2 random_bounded # SKIP no device\n");
		printf("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:2 error:0\n");
		return 0;
	}
	if (kcov_open() == 0)
		printf("# KCOV: coverage-guided\n");

	if (replay) {
		for (; optind < argc; optind++) {
			struct input in;

			if (load_input(argv[optind], &in)) {
				printf("# %s: not an input file\n", argv[optind]);
				bad = 1;
				continue;
			}
			if (run_input(&in))
				bad |= report(&in, argv[optind], 0, 0);
		}
		return bad;
	}
	if (secs) {
		if (replay_dir(cdir, &c, &n) > 0)
			return 1;
		printf("# replayed %u corpus inputs from %s\n", n, cdir);
		return fuzz(seed, secs, ~0ul, &c);
	}

	/* the bounded pass of make check, as TAP */
	printf("TAP version 13\n1..2\n");
	bad = replay_dir(cdir, &c, &n);
	if (bad < 0)
		printf("ok 1 corpus_replay # SKIP no %s\n", cdir);
	else
		printf("%sok 1 corpus_replay (%u inputs)\n", bad ? "not " : "", n);
	{
		/* by count, not time: the same inputs on any machine */
		int b2 = fuzz(1, 0, kcov_area ? 200 : 2000, &c);

		printf("%sok 2 random_bounded\n", b2 ? "not " : "");
		printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
		       (bad == 0) + !b2, (bad > 0) + b2, bad < 0);
		return bad > 0 || b2;
	}
}
