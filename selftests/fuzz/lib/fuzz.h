/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer targets of libsecmsg: a reader that turns the
 * fuzzer's bytes into values (zeros once the input is used up), and CHECK(),
 * which aborts (a libFuzzer crash, with the input saved) when an invariant
 * of the library does not hold.
 */
#ifndef SECMSG_FUZZ_H
#define SECMSG_FUZZ_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secmsg.h"

struct rd {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t rd8(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static inline uint16_t rd16(struct rd *r)
{
	return (uint16_t)(rd8(r) | rd8(r) << 8);
}

static inline uint32_t rd32(struct rd *r)
{
	return rd16(r) | (uint32_t)rd16(r) << 16;
}

static inline uint64_t rd64(struct rd *r)
{
	return rd32(r) | (uint64_t)rd32(r) << 32;
}

static inline void rdbytes(struct rd *r, void *dst, size_t len)
{
	size_t k = len < r->n ? len : r->n;

	memcpy(dst, r->p, k);
	memset((char *)dst + k, 0, len - k);
	r->p += k;
	r->n -= k;
}

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "%s:%d: invariant broken: %s: ",  \
				__FILE__, __LINE__, #cond);               \
			fprintf(stderr, __VA_ARGS__);                     \
			fputc('\n', stderr);                              \
			abort();                                          \
		}                                                         \
	} while (0)

/*
 * An identity as the library reports it is the kernel's @k if valid, else
 * all zero but SM_ID_ANONYMOUS.
 */
static inline void fuzz_check_identity(const struct sm_identity *id,
				       const struct secmsg_identity *k)
{
	unsigned int i, n = k->ngroups < SM_ID_GROUPS ? k->ngroups :
						       SM_ID_GROUPS;

	if (!(k->flags & SECMSG_ID_VALID)) {
		struct sm_identity want = {
			.flags = k->flags & SECMSG_ID_ANONYMOUS,
		};

		CHECK(!memcmp(id, &want, sizeof(want)),
		      "invalid identity (flags %#x) not withheld", k->flags);
		return;
	}
	CHECK(id->flags == (k->flags & (SM_ID_VALID | SM_ID_UNMAPPED |
					SM_ID_LSM_TRUNCATED | SM_ID_SETID |
					SM_ID_ASSERTED)) &&
		      id->uid == k->uid && id->gid == k->gid &&
		      id->pid == k->pid && id->ngroups == k->ngroups &&
		      id->userns == k->userns && id->ruid == k->ruid,
	      "identity is not the kernel's");
	for (i = 0; i < SM_ID_GROUPS; i++)
		CHECK(id->groups[i] == (i < n ? k->groups[i] : 0),
		      "group %u of %u", i, k->ngroups);
}

/* errnos a scripted kernel fails with: the uapi's, and a few others */
static const int fuzz_errnos[] = {
	EINVAL, E2BIG,	   EFAULT,     EMSGSIZE, EBADF,	  ENOTTY,
	ENOMEM, EMFILE,	   ENFILE,     ENOENT,	 EBADMSG, EALREADY,
	ESTALE, EILSEQ,	   EKEYEXPIRED, EKEYREVOKED, EPROTO,	 ENOBUFS, ENODATA,
	EOPNOTSUPP, ENOSYS, EIO,	EPERM,	 EACCES,  EINTR,
	EAGAIN, EBUSY,	   EINPROGRESS, 4095,
};

static inline int fuzz_errno(struct rd *r)
{
	uint8_t c = rd8(r);

	if (c < 200)
		return fuzz_errnos[c % (sizeof(fuzz_errnos) /
					sizeof(fuzz_errnos[0]))];
	return 1 + rd8(r); /* any small errno */
}

/* Is @st one of the @n statuses at @set? */
static inline int status_in(sm_status st, const sm_status *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == st)
			return 1;
	return 0;
}

#endif /* SECMSG_FUZZ_H */
