// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Contexts: import, adopt, close; and the QUERY-based attribute calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

/* The bytes of the first published struct sm_import_params and info */
#define SM_IMPORT_PARAMS_SIZE_VER0                     \
	(offsetof(struct sm_import_params, recv_seq) + \
	 sizeof(((struct sm_import_params *)0)->recv_seq))
#define SM_CONTEXT_INFO_SIZE_VER0 offsetof(struct sm_context_info, imp_level)

/*
 * Copy a caller's struct that carries its size, as copy_struct_from_user():
 * a shorter one leaves our newer fields zero, a longer one must have only
 * zero bytes beyond what we know.  Return 0 or -errno.
 */
int sm_copy_sized(void *dst, size_t dsize, const void *src, size_t ssize,
		  size_t min)
{
	const unsigned char *tail = (const unsigned char *)src + dsize;
	size_t i;

	if (ssize < min)
		return -EINVAL;
	memset(dst, 0, dsize);
	if (ssize > dsize) {
		for (i = 0; i < ssize - dsize; i++)
			if (tail[i])
				return -E2BIG;
		ssize = dsize;
	}
	memcpy(dst, src, ssize);
	return 0;
}

sm_status sm_ctx_new(int fd, uint32_t package, sm_ctx **out)
{
	sm_ctx *ctx = malloc(sizeof(*ctx));

	if (!ctx) {
		errno = ENOMEM;
		return SM_E_INSUFFICIENT_MEMORY;
	}
	ctx->fd = fd;
	ctx->package = package;
	ctx->krb = NULL;
	*out = ctx;
	return SM_E_OK;
}

/*
 * Read the caller's params and check what the kernel could never accept:
 * 0, or the errno of SM_E_INVALID_PARAMETER.
 */
static int sm_import_read(struct sm_import_params *p,
			  const struct sm_import_params *params)
{
	int err = sm_copy_sized(p, sizeof(*p), params, params->size,
				SM_IMPORT_PARAMS_SIZE_VER0);

	if (err)
		return -err;
	if (p->key_len > UINT32_MAX)
		return EINVAL;
	/* SM_IMPORT_FRESH: the kernel writes SM_CONTRIB_SIZE bytes there */
	if ((p->flags & SM_IMPORT_FRESH) &&
	    (!p->contrib || p->contrib_len < SM_CONTRIB_SIZE))
		return EINVAL;
	return 0;
}

SM_EXPORT sm_status sm_import_dev(int devfd,
				  const struct sm_import_params *params,
				  sm_ctx **out)
{
	struct sm_import_params p;
	struct secmsg_import imp;
	sm_ctx *ctx;
	sm_status st;
	int err, fd;

	if (!out)
		return sm_invalid(EINVAL);
	*out = NULL;
	if (!params || devfd < 0)
		return sm_invalid(EINVAL);
	err = sm_import_read(&p, params);
	if (err)
		return sm_invalid(err);

	/* Allocate first: once the fd exists nothing may fail. */
	st = sm_ctx_new(-1, SECMSG_PKG_RAW, &ctx);
	if (st)
		return st;

	imp = (struct secmsg_import){
		.size = sizeof(imp),
		.flags = p.flags,
		.package = SECMSG_PKG_RAW,
		.role = p.role,
		.suite = p.suite,
		.ctx_flags = p.ctx_flags,
		.key_len = (__u32)p.key_len,
		.lifetime = p.lifetime,
		.key = SM_PTR(p.key),
		.send_seq = p.send_seq,
		.recv_seq = p.recv_seq,
		.contrib = SM_PTR(p.contrib),
		.contrib_len = p.contrib_len > UINT32_MAX ? UINT32_MAX :
							    (__u32)p.contrib_len,
	};
	fd = ioctl(devfd, SECMSG_IOC_IMPORT, &imp);
	if (fd < 0) {
		err = errno;
		free(ctx);
		errno = err;
		return sm_errno_status(err, SM_CALL_IMPORT);
	}
	ctx->fd = fd;
	*out = ctx;
	/* incomplete until sm_import_complete() */
	return p.flags & SM_IMPORT_FRESH ? SM_I_CONTINUE_NEEDED : SM_E_OK;
}

int sm_open_dev(sm_status *st)
{
	int devfd = open(SECMSG_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (devfd >= 0)
		return devfd;
	switch (errno) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		*st = SM_E_SECPKG_NOT_FOUND;
		break;
	case EACCES: /* the device's mode and group (a udev rule), an LSM */
	case EPERM: /* the device cgroup of a container, an LSM */
		*st = SM_E_ACCESS_DENIED;
		break;
	case EMFILE:
	case ENFILE:
		*st = SM_E_TOO_MANY_CONTEXTS;
		break;
	case ENOMEM:
		*st = SM_E_INSUFFICIENT_MEMORY;
		break;
	default:
		*st = SM_E_INTERNAL_ERROR;
	}
	return -1;
}

SM_EXPORT sm_status sm_import(const struct sm_import_params *params,
			      sm_ctx **out)
{
	struct sm_import_params p;
	sm_status st;
	int devfd, err;

	if (!out)
		return sm_invalid(EINVAL);
	*out = NULL;
	if (!params)
		return sm_invalid(EINVAL);
	/* Check before open() so that bad arguments cost no system call. */
	err = sm_import_read(&p, params);
	if (err)
		return sm_invalid(err);

	devfd = sm_open_dev(&st);
	if (devfd < 0)
		return st;
	st = sm_import_dev(devfd, params, out);
	err = errno;
	close(devfd);
	errno = err;
	return st;
}

static int sm_query_raw(int fd, struct secmsg_query *q)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	return ioctl(fd, SECMSG_IOC_QUERY, q);
}

SM_EXPORT sm_status sm_ctx_from_fd(int fd, sm_ctx **out)
{
	struct secmsg_query q;

	if (!out)
		return sm_invalid(EINVAL);
	*out = NULL;
	if (fd < 0) {
		errno = EBADF;
		return SM_E_INVALID_HANDLE;
	}
	/* Only a context answers QUERY; /dev/secmsg and others give ENOTTY. */
	if (sm_query_raw(fd, &q) < 0)
		return errno == ENOMEM ? SM_E_INSUFFICIENT_MEMORY :
					 SM_E_INVALID_HANDLE;
	return sm_ctx_new(fd, q.package, out);
}

SM_EXPORT int sm_ctx_fd(const sm_ctx *ctx)
{
	if (!ctx) {
		errno = EINVAL;
		return -1;
	}
	return ctx->fd;
}

SM_EXPORT void sm_close(sm_ctx *ctx)
{
	int err = errno;

	if (!ctx)
		return;
	if (ctx->fd >= 0)
		close(ctx->fd);
	sm_krb5_free(ctx->krb);
	free(ctx);
	errno = err;
}

sm_status sm_query_ctx(sm_ctx *ctx, struct secmsg_query *q)
{
	if (!ctx)
		return sm_invalid(EINVAL);
	if (sm_query_raw(ctx->fd, q) < 0)
		return sm_errno_status(errno, SM_CALL_QUERY);
	return SM_E_OK;
}

static void sm_sizes_from(struct sm_sizes *s, const struct secmsg_query *q)
{
	s->max_token = q->max_token;
	s->max_signature = q->max_signature;
	s->block_size = q->block_size;
	s->security_trailer = q->security_trailer;
}

static void sm_stream_sizes_from(struct sm_stream_sizes *s,
				 const struct secmsg_query *q)
{
	s->header = q->stream_header;
	s->trailer = q->stream_trailer;
	s->max_message = q->max_message;
	s->buffers = q->max_buffers;
	s->block_size = q->block_size;
}

SM_EXPORT sm_status sm_query_sizes(sm_ctx *ctx, struct sm_sizes *sizes)
{
	struct secmsg_query q;
	sm_status st;

	if (!sizes)
		return sm_invalid(EINVAL);
	st = sm_query_ctx(ctx, &q);
	if (st)
		return st;
	sm_sizes_from(sizes, &q);
	return SM_E_OK;
}

SM_EXPORT sm_status sm_query_stream_sizes(sm_ctx *ctx,
					  struct sm_stream_sizes *sizes)
{
	struct secmsg_query q;
	sm_status st;

	if (!sizes)
		return sm_invalid(EINVAL);
	st = sm_query_ctx(ctx, &q);
	if (st)
		return st;
	sm_stream_sizes_from(sizes, &q);
	return SM_E_OK;
}

/* Copy a NUL-terminated name the kernel gave, terminating it regardless. */
static void sm_name_from(char *dst, const char *src)
{
	size_t n = strnlen(src, SM_NAME_MAX - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void sm_identity_from(struct sm_identity *id, const struct secmsg_identity *k)
{
	unsigned int i, n;

	memset(id, 0, sizeof(*id));
	if (!(k->flags & SECMSG_ID_VALID)) {
		/* a client that chose SM_IMP_ANONYMOUS: the flag alone */
		id->flags = k->flags & SECMSG_ID_ANONYMOUS;
		return;
	}
	id->flags = k->flags & (SM_ID_VALID | SM_ID_UNMAPPED |
				SM_ID_LSM_TRUNCATED | SM_ID_SETID |
				SM_ID_ASSERTED);
	id->uid = k->uid;
	id->gid = k->gid;
	id->pid = k->pid;
	id->ngroups = k->ngroups;
	id->ruid = k->ruid;
	id->userns = k->userns;
	n = k->ngroups < SM_ID_GROUPS ? k->ngroups : SM_ID_GROUPS;
	for (i = 0; i < n; i++)
		id->groups[i] = k->groups[i];
}

static void sm_principal_copy(char *dst, const char *src)
{
	size_t n = strnlen(src, SM_PRINCIPAL_LEN - 1);

	memcpy(dst, src, n);
	memset(dst + n, 0, SM_PRINCIPAL_LEN - n);
}

void sm_principals_from(char *client, char *service, uint32_t role,
			const char *local, const char *peer)
{
	bool acceptor = role == SECMSG_ROLE_ACCEPTOR;

	sm_principal_copy(client, acceptor ? peer : local);
	sm_principal_copy(service, acceptor ? local : peer);
}

SM_EXPORT sm_status sm_query(sm_ctx *ctx, struct sm_context_info *info)
{
	struct sm_context_info ci;
	struct secmsg_query q;
	size_t size;
	sm_status st;

	if (!info || info->size < SM_CONTEXT_INFO_SIZE_VER0)
		return sm_invalid(EINVAL);
	size = info->size;
	st = sm_query_ctx(ctx, &q);
	if (st)
		return st;

	memset(&ci, 0, sizeof(ci));
	ci.package = q.package;
	ci.role = q.role;
	ci.suite = q.suite;
	ci.ctx_flags = q.ctx_flags;
	ci.state = q.state;
	ci.driver_flags = q.driver_flags;
	ci.lifetime = q.lifetime;
	ci.replay_window = q.replay_window;
	sm_sizes_from(&ci.sizes, &q);
	sm_stream_sizes_from(&ci.stream_sizes, &q);
	sm_name_from(ci.algorithm, q.algorithm);
	sm_name_from(ci.driver, q.driver);
	ci.created = q.created;
	ci.expires = q.expires;
	ci.send_seq = q.send_seq;
	ci.recv_seq = q.recv_seq;
	ci.counters = (struct sm_counters){
		.signed_msgs = q.counters.signed_msgs,
		.verified = q.counters.verified,
		.sealed = q.counters.sealed,
		.unsealed = q.counters.unsealed,
		.altered = q.counters.altered,
		.replayed = q.counters.replayed,
		.too_old = q.counters.too_old,
		.out_of_sequence = q.counters.out_of_sequence,
		.expired = q.counters.expired,
		.bad_token = q.counters.bad_token,
		.other_failures = q.counters.other_failures,
	};
	/* A kernel before VER1 wrote less: the rest stayed zero. */
	ci.imp_level = q.imp_level;
	sm_identity_from(&ci.local, &q.local);
	sm_identity_from(&ci.peer, &q.peer);
	/* A kernel before VER4 left it zero. */
	ci.kept = q.kept;

	/* A caller built against a newer header gets its new fields zeroed. */
	if (size > sizeof(ci)) {
		memset((char *)info + sizeof(ci), 0, size - sizeof(ci));
		size = sizeof(ci);
	}
	ci.size = (uint32_t)size;
	memcpy(info, &ci, size);
	return SM_E_OK;
}
