// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: libsecmsg's establishment and impersonation calls
 * against the fake kernel of libsecmsg/fake_kernel.c: sm_init_context()
 * and sm_accept_context() (through /dev/secmsg or a caller's descriptor),
 * sm_complete_context(), sm_import_complete() (a FRESH import's COMPLETE),
 * sm_impersonate(), sm_revert() and sm_query_names().
 *
 * Input: up to MAX_OPS operations.  Each picks its call, its arguments
 * (struct sm_init_params / sm_accept_params of any size field with any
 * tail, token lengths from 0 to above 4 GiB, NULL pointers, the device
 * descriptor: the fake's, -1, /dev/null, a closed one, or the library's
 * own open of /dev/secmsg, which fake_open_hook() below answers) and
 * what the kernel does (the fake's scripted errnos and bad statuses; the
 * QUERY answer with any identities, anonymous or not, and unterminated LSM
 * contexts).  Contexts INIT and ACCEPT return stay alive for the next
 * operations (COMPLETE with the reply token ACCEPT wrote, ...) and are
 * closed at the end of the input.
 *
 * Checked: every status is one secmsg.h documents for the call, and the
 * one it names for a documented errno; arguments the kernel could never
 * accept fail without a system call; what reaches the kernel is the
 * caller's request; on failure *ctx_out is NULL, errno is the kernel's
 * (or open()'s), and outputs are untouched, except that with
 * SM_E_BUFFER_TOO_SMALL the length says what is needed; a context the
 * kernel created but the library refuses is closed; /dev/secmsg opened by
 * the library is closed again; no descriptor outlives its context (and a
 * count of /proc/self/fd from time to time); sm_query_names fills exactly
 * min(size, sizeof) bytes, zeroes a newer caller's tail, passes the
 * identities on as the kernel gave them, names them as this process's user
 * database does, and terminates every string.  ASan: caller structs and
 * token buffers are heap blocks of exactly their size.
 *
 * Undocumented statuses the library is known to return are listed in
 * known[] below: tolerated, and counted in a line at exit, unless
 * SECMSG_FUZZ_STRICT is set in the environment.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fake_kernel.h"
#include "fuzz.h"

#define SM_ARRAY(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_OPS 8
#define MAX_SLOTS 4
#define FIXED_FDS 3 /* base_fd, dev_fd, ctx_fd */
#define MAX_ALLOC 4096 /* larger lengths get a SM_LOCAL_TOKEN_SIZE block */
/* The first versions' sizes (1.1), and this library's (1.4) */
#define INIT_VER0 (offsetof(struct sm_init_params, lifetime) + sizeof(uint32_t))
#define ACCEPT_VER0 (offsetof(struct sm_accept_params, flags) + sizeof(uint32_t))
#define INIT_CUR sizeof(struct sm_init_params)
#define ACCEPT_CUR sizeof(struct sm_accept_params)
#define NAMES_VER0 offsetof(struct sm_names, local_lsm)

static struct rd *in;
static int base_fd, dev_fd, ctx_fd, null_fd;
static sm_ctx *ctx; /* on ctx_fd, never closed */

/* The contexts this input's INIT and ACCEPT created */
static struct slot {
	sm_ctx *ctx;
	int fd;
} slots[MAX_SLOTS];

/* The last tokens the fake wrote: the input may pass them on */
static unsigned char init_token[SM_LOCAL_TOKEN_SIZE];
static unsigned char reply_token[SM_LOCAL_TOKEN_SIZE];

/* open(SECMSG_DEVICE_PATH), as the input scripts it */
static struct {
	unsigned int calls;
	int err; /* fail with this errno */
	int fd; /* the descriptor handed out, -1 if none */
} devopen = { .fd = -1 };

/* QUERY: the errno it failed with, or the answer it gave */
static int query_err;
static struct secmsg_query reply;

enum call { C_INIT, C_INIT_OWN, C_ACCEPT, C_ACCEPT_OWN, C_COMPLETE,
	    C_IMPERSONATE, C_REVERT, C_REVERT_OWN, C_NAMES,
	    C_IMPORT_COMPLETE };

static const char *const call_name[] = {
	"sm_init_context_dev", "sm_init_context", "sm_accept_context_dev",
	"sm_accept_context", "sm_complete_context", "sm_impersonate",
	"sm_revert", "sm_revert(NULL)", "sm_query_names",
	"sm_import_complete",
};

/* The statuses secmsg.h documents, per call */
static const sm_status init_statuses[] = {
	SM_I_CONTINUE_NEEDED,	   SM_E_BUFFER_TOO_SMALL,
	SM_E_SECPKG_NOT_FOUND,	   SM_E_ACCESS_DENIED,
	SM_E_UNSUPPORTED_FUNCTION, SM_E_ALGORITHM_MISMATCH,
	SM_E_TOO_MANY_CONTEXTS,	   SM_E_INVALID_PARAMETER,
	SM_E_INSUFFICIENT_MEMORY,  SM_E_INTERNAL_ERROR,
};

/*
 * _dev: SM_E_INVALID_HANDLE instead of SECPKG_NOT_FOUND, UNSUPPORTED; never
 * SM_E_ACCESS_DENIED (they open nothing)
 */
static const sm_status init_dev_statuses[] = {
	SM_I_CONTINUE_NEEDED,	  SM_E_BUFFER_TOO_SMALL,
	SM_E_INVALID_HANDLE,	  SM_E_ALGORITHM_MISMATCH,
	SM_E_TOO_MANY_CONTEXTS,	  SM_E_INVALID_PARAMETER,
	SM_E_INSUFFICIENT_MEMORY, SM_E_INTERNAL_ERROR,
};

static const sm_status accept_statuses[] = {
	SM_E_OK,
	SM_E_LOGON_DENIED,
	SM_E_INVALID_TOKEN,
	SM_E_CONTEXT_EXPIRED,
	SM_E_BUFFER_TOO_SMALL,
	SM_E_SECPKG_NOT_FOUND,
	SM_E_ACCESS_DENIED,
	SM_E_UNSUPPORTED_FUNCTION,
	SM_E_TOO_MANY_CONTEXTS,
	SM_E_INVALID_PARAMETER,
	SM_E_INSUFFICIENT_MEMORY,
	SM_E_INTERNAL_ERROR,
};

static const sm_status accept_dev_statuses[] = {
	SM_E_OK,
	SM_E_LOGON_DENIED,
	SM_E_INVALID_TOKEN,
	SM_E_CONTEXT_EXPIRED,
	SM_E_BUFFER_TOO_SMALL,
	SM_E_INVALID_HANDLE,
	SM_E_TOO_MANY_CONTEXTS,
	SM_E_INVALID_PARAMETER,
	SM_E_INSUFFICIENT_MEMORY,
	SM_E_INTERNAL_ERROR,
};

static const sm_status complete_statuses[] = {
	SM_E_OK,
	SM_E_INVALID_TOKEN,
	SM_E_CONTEXT_EXPIRED,
	SM_E_CONTEXT_REVOKED,
	SM_E_INVALID_HANDLE,
	SM_E_INVALID_PARAMETER,
	SM_E_INSUFFICIENT_MEMORY,
	SM_E_INTERNAL_ERROR,
};

static const sm_status import_complete_statuses[] = {
	SM_E_OK,
	SM_E_INVALID_TOKEN,
	SM_E_CONTEXT_EXPIRED,
	SM_E_CONTEXT_REVOKED,
	SM_E_INVALID_HANDLE,
	SM_E_INVALID_PARAMETER,
	SM_E_INSUFFICIENT_MEMORY,
	SM_E_INTERNAL_ERROR,
};

static const sm_status impersonate_statuses[] = {
	SM_E_OK,
	SM_E_NO_IMPERSONATION,
	SM_E_UNSUPPORTED_FUNCTION,
	SM_E_CONTEXT_EXPIRED,
	SM_E_CONTEXT_REVOKED,
	SM_E_CONTEXT_INCOMPLETE,
	SM_E_INVALID_HANDLE,
	SM_E_INVALID_PARAMETER,
	SM_E_INSUFFICIENT_MEMORY,
	SM_E_INTERNAL_ERROR,
};

static const sm_status revert_statuses[] = {
	SM_E_OK,
	SM_E_NO_IMPERSONATION,
	SM_E_INVALID_HANDLE,
	SM_E_INVALID_PARAMETER,
	SM_E_SECPKG_NOT_FOUND,
	SM_E_ACCESS_DENIED,
	SM_E_TOO_MANY_CONTEXTS,
	SM_E_INSUFFICIENT_MEMORY,
	SM_E_INTERNAL_ERROR,
};

/* sm_query_names(): "as sm_query()" */
static const sm_status names_statuses[] = {
	SM_E_OK,
	SM_E_INVALID_HANDLE,
	SM_E_INVALID_PARAMETER,
	SM_E_INSUFFICIENT_MEMORY,
	SM_E_INTERNAL_ERROR,
};

static const struct {
	const sm_status *set;
	size_t n;
} documented[] = {
	[C_INIT] = { init_dev_statuses, SM_ARRAY(init_dev_statuses) },
	[C_INIT_OWN] = { init_statuses, SM_ARRAY(init_statuses) },
	[C_ACCEPT] = { accept_dev_statuses, SM_ARRAY(accept_dev_statuses) },
	[C_ACCEPT_OWN] = { accept_statuses, SM_ARRAY(accept_statuses) },
	[C_COMPLETE] = { complete_statuses, SM_ARRAY(complete_statuses) },
	[C_IMPERSONATE] = { impersonate_statuses,
			    SM_ARRAY(impersonate_statuses) },
	[C_REVERT] = { revert_statuses, SM_ARRAY(revert_statuses) },
	[C_REVERT_OWN] = { revert_statuses, SM_ARRAY(revert_statuses) },
	[C_NAMES] = { names_statuses, SM_ARRAY(names_statuses) },
	[C_IMPORT_COMPLETE] = { import_complete_statuses,
				SM_ARRAY(import_complete_statuses) },
};

/*
 * Undocumented statuses the library is known to return (reported, not yet
 * fixed): tolerated, and counted, unless SECMSG_FUZZ_STRICT is set in the
 * environment.  Remove an entry once the library or secmsg.h is fixed.
 */
static const struct known {
	enum call call;
	sm_status status;
	const char *why;
} known[] = {
	/* none: the three found so far are fixed (statuses documented,
	 * establishment statuses checked per call, EBADF on the library's
	 * own device an internal error) */
	{ C_INIT, (sm_status)0x7fffffff, "placeholder: no status is this" },
};

static unsigned long known_seen[SM_ARRAY(known)];
static int strict;

/* Is @st of call @c a known deviation, tolerated in this run? */
static int tolerated(enum call c, sm_status st)
{
	size_t i;

	for (i = 0; i < SM_ARRAY(known); i++) {
		if (known[i].call == c && known[i].status == st) {
			known_seen[i]++;
			return !strict;
		}
	}
	return 0;
}

static void report_known(void)
{
	size_t i;

	for (i = 0; i < SM_ARRAY(known); i++)
		if (known_seen[i])
			fprintf(stderr,
				"fuzz_establish: known deviation x%lu: %s returns %s (%s)\n",
				known_seen[i], call_name[known[i].call],
				sm_status_string(known[i].status),
				known[i].why);
}

static void check_documented(enum call c, sm_status st)
{
	CHECK(status_in(st, documented[c].set, documented[c].n) ||
		      tolerated(c, st),
	      "%s: status %#x (%s) not documented", call_name[c],
	      (uint32_t)st, sm_status_string(st));
}

/*
 * The status secmsg.h names for errno @err of call @c (and the uapi gives
 * for it), or 0 where it names none: then any documented status will do.
 */
static sm_status named_status(enum call c, int err)
{
	int init = c == C_INIT || c == C_INIT_OWN;
	int acc = c == C_ACCEPT || c == C_ACCEPT_OWN;
	int cmp = c == C_COMPLETE || c == C_IMPORT_COMPLETE;
	int est = init || acc || cmp;

	switch (err) {
	case EINVAL:
		if (c == C_IMPERSONATE)
			return SM_E_UNSUPPORTED_FUNCTION;
		return est ? SM_E_INVALID_PARAMETER : 0;
	case E2BIG:
	case EFAULT:
		return est ? SM_E_INVALID_PARAMETER : 0;
	case ENOMEM:
		return est || c == C_IMPERSONATE ? SM_E_INSUFFICIENT_MEMORY :
						   0;
	case EMFILE:
		return init || acc ? SM_E_TOO_MANY_CONTEXTS : 0;
	case ENOBUFS:
		return init || acc ? SM_E_BUFFER_TOO_SMALL : 0;
	case ENOENT:
		if (c == C_REVERT || c == C_REVERT_OWN)
			return SM_E_NO_IMPERSONATION;
		return init ? SM_E_ALGORITHM_MISMATCH : 0;
	case ESTALE:
		return c == C_REVERT || c == C_REVERT_OWN ?
			       SM_E_NO_IMPERSONATION : 0;
	case EMSGSIZE:
	case EBADMSG:
	case EALREADY:
		return acc || cmp ? SM_E_INVALID_TOKEN : 0;
	case EKEYEXPIRED:
		return acc || cmp || c == C_IMPERSONATE ?
			       SM_E_CONTEXT_EXPIRED : 0;
	case EACCES:
		if (c == C_IMPERSONATE)
			return SM_E_NO_IMPERSONATION;
		return acc ? SM_E_LOGON_DENIED : 0;
	case EPERM:
	case EBUSY:
		return c == C_IMPERSONATE ? SM_E_NO_IMPERSONATION : 0;
	case EKEYREVOKED:
		return cmp ? SM_E_CONTEXT_REVOKED : 0;
	case EISCONN:
		return cmp ? SM_E_INVALID_HANDLE : 0;
	case ENOTCONN:
		return c == C_IMPERSONATE ? SM_E_CONTEXT_INCOMPLETE : 0;
	case ENOTTY: /* the caller's device does not answer; ours is old */
		if (c == C_INIT || c == C_ACCEPT)
			return SM_E_INVALID_HANDLE;
		return c == C_INIT_OWN || c == C_ACCEPT_OWN ?
			       SM_E_UNSUPPORTED_FUNCTION : 0;
	default:
		return 0;
	}
}

/* A kernel failure of call @c with @err gave @st (documented: checked) */
static void check_kernel_failure(enum call c, int err, sm_status st)
{
	sm_status want = named_status(c, err);

	CHECK(SM_FAILED(st) && errno == err,
	      "%s: kernel errno %d: status %#x errno %d", call_name[c], err,
	      (uint32_t)st, errno);
	CHECK(!want || st == want, "%s: errno %d: status %#x, not %#x",
	      call_name[c], err, (uint32_t)st, (uint32_t)want);
}

/* Arguments no kernel could accept: INVALID_PARAMETER, no system call */
static void check_refused(enum call c, sm_status st, int err,
			  unsigned int calls, unsigned int opens)
{
	CHECK(st == SM_E_INVALID_PARAMETER && errno == err &&
		      kern.calls == calls && devopen.calls == opens,
	      "%s: bad argument: status %#x errno %d (want %d), %u ioctls, %u opens",
	      call_name[c], (uint32_t)st, errno, err,
	      kern.calls - calls, devopen.calls - opens);
}

static int is_closed(int fd)
{
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}

static int new_fd(void)
{
	int fd = fcntl(base_fd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		abort();
	return fd;
}

/*
 * The library's open() of /dev/secmsg: a new descriptor the fake answers
 * as /dev/secmsg, or the scripted errno.  Everything else is the real
 * open.  fake_kernel.c's open() and open64() call it.
 */
int fake_open_hook(const char *path, int flags, mode_t mode)
{
	if (strcmp(path, SECMSG_DEVICE_PATH))
		return syscall(SYS_openat, AT_FDCWD, path, flags, mode);
	devopen.calls++;
	if (devopen.err) {
		errno = devopen.err;
		return -1;
	}
	devopen.fd = new_fd();
	kern.dev_fd = devopen.fd;
	return devopen.fd;
}

/* Script the next open of /dev/secmsg; return its errno or 0. */
static int script_open(void)
{
	static const int errs[] = { ENOENT, ENODEV, ENXIO,  EMFILE, ENFILE,
				    ENOMEM, EACCES, EPERM, EINTR, EIO };
	uint8_t c = rd8(in);

	devopen.fd = -1;
	devopen.err = c < 40 ? errs[c % SM_ARRAY(errs)] : 0;
	return devopen.err;
}

/* The status sm_open_dev() documents for open()'s errno */
static sm_status open_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return SM_E_SECPKG_NOT_FOUND;
	case EACCES:
	case EPERM:
		return SM_E_ACCESS_DENIED;
	case EMFILE:
	case ENFILE:
		return SM_E_TOO_MANY_CONTEXTS;
	case ENOMEM:
		return SM_E_INSUFFICIENT_MEMORY;
	default:
		return SM_E_INTERNAL_ERROR;
	}
}

/* After a call that opened /dev/secmsg: it is closed again. */
static void check_devopen_closed(enum call c, unsigned int opens)
{
	if (devopen.calls == opens || devopen.fd < 0)
		return;
	CHECK(is_closed(devopen.fd), "%s left /dev/secmsg (fd %d) open",
	      call_name[c], devopen.fd);
	devopen.fd = -1;
	kern.dev_fd = dev_fd;
}

/* errnos the kernel fails with: the calls' own, then any */
static int pick_errno(void)
{
	static const int errs[] = {
		EINVAL,	  E2BIG,       EFAULT,	ENOMEM, EMFILE,	 ENFILE,
		ENOBUFS,  ENOENT,      EMSGSIZE, EBADMSG, EALREADY, EKEYEXPIRED,
		EACCES,	  EISCONN,     EBUSY,	ENOTTY, EBADF,	 EPERM,
		ENOTCONN, ESTALE,      EPROTO,	EINTR,
	};
	uint8_t c = rd8(in);

	if (c < 160)
		return errs[c % SM_ARRAY(errs)];
	return fuzz_errno(in);
}

static int script_errno(void)
{
	return rd8(in) < 64 ? pick_errno() : 0;
}

static uint32_t script_status(void)
{
	uint8_t c = rd8(in);

	if (c >= 48)
		return 0; /* the right one */
	switch (c % 4) {
	case 0:
		return SECMSG_STATUS_CONTINUE_NEEDED;
	case 1:
		return 2;
	case 2:
		return 0xffffffffu;
	default:
		return rd32(in) | 2; /* never 0, never 1 */
	}
}

/* A caller's size field: below, at, between and above the versions */
static size_t pick_size(size_t ver0, size_t cur)
{
	switch (rd8(in) % 8) {
	case 0:
		return rd8(in) % ver0;
	case 1:
		return ver0 - 1;
	case 2:
	case 3:
		return ver0;
	case 4:
		return cur == ver0 ? cur : ver0 + 1 + rd16(in) % (cur - ver0);
	case 5:
		return cur;
	case 6:
		return cur + 1 + rd8(in) % 64;
	default:
		return rd16(in) % (cur + 256);
	}
}

/* A token length: 0, short, right, long, near and above 4 GiB */
static size_t pick_len(void)
{
	switch (rd8(in) % 10) {
	case 0:
		return 0;
	case 1:
		return 1 + rd8(in) % (SM_LOCAL_TOKEN_SIZE - 1);
	case 2:
	case 3:
	case 4:
		return SM_LOCAL_TOKEN_SIZE;
	case 5:
		return SM_LOCAL_TOKEN_SIZE + 1 + rd8(in);
	case 6:
		return UINT32_MAX;
	case 7:
		return (size_t)UINT32_MAX + 1 + rd8(in);
	case 8:
		return (size_t)1 << 32 | SM_LOCAL_TOKEN_SIZE;
	default:
		return rd32(in);
	}
}

/* A heap block for @len bytes: exactly @len unless that is too large */
static unsigned char *token_block(size_t len, size_t *alloc)
{
	unsigned char *b;

	*alloc = len <= MAX_ALLOC ? len : SM_LOCAL_TOKEN_SIZE;
	b = malloc(*alloc ? *alloc : 1);
	if (!b)
		abort();
	return b;
}

/*
 * A caller's sized struct: @size bytes (at least the size field) of input,
 * with a tail beyond the library's @cur bytes that is mostly zero.
 * Returns whether that tail has a nonzero byte.
 */
static unsigned char *sized_block(size_t size, size_t cur, int *has_tail)
{
	size_t alloc = size < sizeof(uint32_t) ? sizeof(uint32_t) : size;
	unsigned char *raw = malloc(alloc);
	size_t i;

	if (!raw)
		abort();
	rdbytes(in, raw, alloc);
	if (rd8(in) < 160)
		for (i = cur; i < alloc; i++)
			raw[i] = 0;
	memcpy(raw, &(uint32_t){ (uint32_t)size }, sizeof(uint32_t));
	*has_tail = 0;
	for (i = cur; i < size; i++)
		*has_tail |= raw[i];
	return raw;
}

/*
 * The fields 1.4 added (package, credentials: pointers) stay zero, the
 * local package this target drives; the Kerberos packages go to MIT
 * GSSAPI and a KDC, tested by libsecmsg/test_krb5.c instead.
 */
static void zero_newer(unsigned char *raw, size_t size, size_t ver0, size_t cur)
{
	if (size > ver0)
		memset(raw + ver0, 0, (size < cur ? size : cur) - ver0);
}

/* Keep a context INIT or ACCEPT returned, or close it if none is free. */
static void keep(sm_ctx *c, int fd)
{
	unsigned int i;

	for (i = 0; i < MAX_SLOTS; i++) {
		if (!slots[i].ctx) {
			slots[i].ctx = c;
			slots[i].fd = fd;
			return;
		}
	}
	sm_close(c);
	CHECK(is_closed(fd), "sm_close left fd %d open", fd);
}

static void drop(unsigned int i)
{
	int saved = errno;

	if (!slots[i].ctx)
		return;
	errno = 4321;
	sm_close(slots[i].ctx);
	CHECK(errno == 4321, "sm_close changed errno");
	CHECK(is_closed(slots[i].fd), "sm_close left fd %d open",
	      slots[i].fd);
	slots[i].ctx = NULL;
	errno = saved;
}

/*
 * The context a call on a context gets: NULL, the long-lived one, or a
 * live slot's (the fake then answers on its descriptor).
 */
static sm_ctx *pick_ctx(void)
{
	uint8_t c = rd8(in);
	struct slot *s = &slots[(c >> 2) % MAX_SLOTS];

	kern.ctx_fd = ctx_fd;
	if (c % 8 == 0)
		return NULL;
	if (c % 4 == 1 || !s->ctx)
		return ctx;
	kern.ctx_fd = s->fd;
	return s->ctx;
}

/* How a call reaches /dev/secmsg */
enum dev { D_FAKE, D_OWN, D_NEG, D_NULL, D_CLOSED };

static enum dev pick_dev(int *fd)
{
	uint8_t c = rd8(in) % 12;

	if (c < 6) {
		*fd = dev_fd;
		return D_FAKE;
	}
	if (c < 9)
		return D_OWN;
	if (c == 9) {
		*fd = -1;
		return D_NEG;
	}
	if (c == 10) {
		*fd = null_fd;
		return D_NULL;
	}
	*fd = new_fd();
	close(*fd);
	return D_CLOSED;
}

/*
 * After INIT or ACCEPT reached a descriptor that is not the fake (or the
 * library refused it): the real ioctl's errno.
 */
static void check_real_ioctl(enum call c, enum dev d, sm_status st,
			     sm_ctx *out, unsigned int calls)
{
	int err = d == D_NULL ? ENOTTY : EBADF;

	CHECK(kern.calls == calls + 1, "%s: %u ioctls", call_name[c],
	      kern.calls - calls);
	CHECK(st == SM_E_INVALID_HANDLE && errno == err && !out,
	      "%s on %s: status %#x errno %d", call_name[c],
	      d == D_NULL ? "/dev/null" : "a closed fd", (uint32_t)st, errno);
}

/*
 * A context the fake returned (@fd) and the library's verdict on it:
 * kept with status @good, or closed with SM_E_INTERNAL_ERROR/EPROTO for
 * any other kernel status.  Returns whether it was kept.
 */
static int check_new_ctx(enum call c, sm_status st, sm_ctx *out, int fd,
			 uint32_t kstatus, sm_status good)
{
	sm_status want = kstatus == SECMSG_STATUS_OK ? SM_E_OK :
			 kstatus == SECMSG_STATUS_CONTINUE_NEEDED ?
						      SM_I_CONTINUE_NEEDED :
						      SM_E_INTERNAL_ERROR;

	/* known: the library passes a wrong success status on (tolerated) */
	if (want != SM_E_INTERNAL_ERROR && want != good && !strict &&
	    st == want)
		good = want;
	if (want == SM_E_INTERNAL_ERROR || want != good) {
		/* a status the uapi never gives for this call */
		CHECK(st == SM_E_INTERNAL_ERROR && errno == EPROTO && !out,
		      "%s: kernel status %u: status %#x errno %d ctx %p",
		      call_name[c], kstatus, (uint32_t)st, errno, (void *)out);
		CHECK(is_closed(fd), "%s: refused context fd %d left open",
		      call_name[c], fd);
		return 0;
	}
	CHECK(st == good && out && sm_ctx_fd(out) == fd,
	      "%s: status %#x, ctx %p fd %d (kernel's %d)", call_name[c],
	      (uint32_t)st, (void *)out, out ? sm_ctx_fd(out) : -1, fd);
	return 1;
}

/*
 * INIT and ACCEPT, up to the kernel: a negative or unopenable device, a
 * nonzero tail, or a descriptor that is not the fake's end the call
 * before the fake kernel sees it (1: checked, nothing more to check);
 * otherwise exactly one ioctl reached the fake (0).
 */
static int check_before_kernel(enum call c, enum dev d, sm_status st,
			       sm_ctx *out, unsigned int calls,
			       unsigned int opens, int open_err, int has_tail)
{
	if (d == D_NEG) {
		check_refused(c, st, EINVAL, calls, opens);
		return 1;
	}
	if (d == D_OWN) {
		CHECK(devopen.calls == opens + 1, "%u opens",
		      devopen.calls - opens);
		if (open_err) {
			CHECK(st == open_status(open_err) && errno == open_err &&
				      kern.calls == calls,
			      "open errno %d: status %#x errno %d", open_err,
			      (uint32_t)st, errno);
			return 1;
		}
	}
	if (has_tail) {
		CHECK(st == SM_E_INVALID_PARAMETER && errno == E2BIG &&
			      kern.calls == calls,
		      "nonzero tail: status %#x errno %d", (uint32_t)st, errno);
		return 1;
	}
	if (d == D_NULL || d == D_CLOSED) {
		check_real_ioctl(c, d, st, out, calls);
		return 1;
	}
	CHECK(kern.calls == calls + 1, "%u ioctls", kern.calls - calls);
	return 0;
}

static void op_init(void)
{
	size_t size = pick_size(INIT_VER0, INIT_CUR);
	int has_tail, fd = -1, open_err = 0, kfd = new_fd();
	unsigned char *raw = sized_block(size, INIT_CUR, &has_tail);
	enum dev d = pick_dev(&fd);
	enum call c = d == D_OWN ? C_INIT_OWN : C_INIT;
	struct sm_init_params p = { 0 };
	uint8_t nul = rd8(in);
	sm_ctx *out = (sm_ctx *)1, **outp = nul == 1 ? NULL : &out;
	size_t len = pick_len(), len0 = len, *lenp = nul == 2 ? NULL : &len;
	size_t alloc;
	unsigned char *tok = token_block(len, &alloc), *copy;
	unsigned char *tokp = nul == 3 || (nul == 4 && !len) ? NULL : tok;
	const struct sm_init_params *pp = nul == 5 ? NULL : (void *)raw;
	unsigned int calls = kern.calls, opens = devopen.calls;
	uint32_t k32 = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	int err;
	sm_status st;

	zero_newer(raw, size, INIT_VER0, INIT_CUR);
	memcpy(&p, raw, size < sizeof(p) ? size : sizeof(p));
	rdbytes(in, tok, alloc);
	copy = malloc(alloc ? alloc : 1);
	if (!copy)
		abort();
	memcpy(copy, tok, alloc);
	kern.init_fd = kfd;
	kern.init_errno = script_errno();
	kern.bad_status = script_status();
	if (d == D_OWN)
		open_err = script_open();

	errno = 0;
	if (d == D_OWN)
		st = sm_init_context(pp, outp, tokp, lenp);
	else
		st = sm_init_context_dev(fd, pp, outp, tokp, lenp);
	err = errno;
	check_devopen_closed(c, opens);
	errno = err;
	check_documented(c, st);

	if (!outp || !pp || size < INIT_VER0 || !lenp || (!tokp && len0)) {
		check_refused(c, st, EINVAL, calls, opens);
		CHECK(!outp || !out, "*ctx_out set on failure");
		goto unchanged;
	}
	CHECK(!out || st == SM_I_CONTINUE_NEEDED, "*ctx_out set on failure");
	if (check_before_kernel(c, d, st, out, calls, opens, open_err,
				has_tail))
		goto unchanged;
	CHECK(kern.init.size == sizeof(struct secmsg_init) &&
		      kern.init.flags == p.flags &&
		      kern.init.package == SECMSG_PKG_LOCAL &&
		      kern.init.target_type == p.target_type &&
		      kern.init.target_uid == p.target_uid &&
		      kern.init.suite == p.suite &&
		      kern.init.ctx_flags == p.ctx_flags &&
		      kern.init.imp_level == p.imp_level &&
		      kern.init.lifetime == p.lifetime &&
		      kern.init.token_len == k32 &&
		      kern.init.token == (uintptr_t)tokp && !kern.init.status &&
		      !kern.init.reserved && !kern.init.reserved2[0] &&
		      !kern.init.reserved2[1],
	      "INIT is not the caller's request");
	if (kern.init_errno) {
		check_kernel_failure(c, kern.init_errno, st);
		CHECK(!out, "*ctx_out set on failure");
		if (st == SM_E_BUFFER_TOO_SMALL) /* the fake wrote nothing */
			CHECK(len == k32, "*token_len %zu, kernel's %u", len,
			      k32);
		else
			CHECK(len == len0, "*token_len written on failure");
		goto token;
	}
	if (k32 < SM_LOCAL_TOKEN_SIZE) {
		CHECK(st == SM_E_BUFFER_TOO_SMALL && errno == ENOBUFS && !out &&
			      len == SM_LOCAL_TOKEN_SIZE,
		      "short token buffer %zu: status %#x errno %d len %zu",
		      len0, (uint32_t)st, errno, len);
		goto token;
	}
	kfd = -1; /* the library's now */
	if (!check_new_ctx(c, st, out, kern.init_fd,
			   kern.bad_status ? kern.bad_status :
					     SECMSG_STATUS_CONTINUE_NEEDED,
			   SM_I_CONTINUE_NEEDED)) {
		CHECK(len == len0, "*token_len written on failure");
		goto done;
	}
	CHECK(len == SM_LOCAL_TOKEN_SIZE, "*token_len %zu", len);
	memcpy(init_token, tok, SM_LOCAL_TOKEN_SIZE);
	keep(out, kern.init_fd);
	goto done;

unchanged:
	CHECK(!lenp || len == len0, "*token_len written on failure");
token:
	CHECK(!memcmp(tok, copy, alloc), "token buffer written on failure");
done:
	if (kfd >= 0)
		close(kfd);
	kern.init_errno = 0;
	kern.bad_status = 0;
	free(raw);
	free(tok);
	free(copy);
}

/* An input token: the last one the fake wrote, or any bytes */
static unsigned char *pick_token_in(const unsigned char *last, size_t *len,
				    size_t *alloc)
{
	unsigned char *t;

	if (rd8(in) < 128) {
		*len = SM_LOCAL_TOKEN_SIZE;
		t = token_block(*len, alloc);
		memcpy(t, last, SM_LOCAL_TOKEN_SIZE);
		return t;
	}
	*len = pick_len();
	t = token_block(*len, alloc);
	rdbytes(in, t, *alloc);
	return t;
}

static void op_accept(void)
{
	size_t size = pick_size(ACCEPT_VER0, ACCEPT_CUR);
	int has_tail, fd = -1, open_err = 0, kfd = new_fd();
	unsigned char *raw = sized_block(size, ACCEPT_CUR, &has_tail);
	enum dev d = pick_dev(&fd);
	enum call c = d == D_OWN ? C_ACCEPT_OWN : C_ACCEPT;
	struct sm_accept_params p = { 0 };
	uint8_t nul = rd8(in);
	sm_ctx *out = (sm_ctx *)1, **outp = nul == 1 ? NULL : &out;
	size_t in_len, in_alloc, out_alloc;
	unsigned char *tin = pick_token_in(init_token, &in_len, &in_alloc);
	unsigned char *tinp = nul == 6 ? NULL : tin;
	size_t len = pick_len(), len0 = len, *lenp = nul == 2 ? NULL : &len;
	unsigned char *tok = token_block(len, &out_alloc), *copy;
	unsigned char *tokp = nul == 3 || (nul == 4 && !len) ? NULL : tok;
	const struct sm_accept_params *pp = nul == 5 ? NULL : (void *)raw;
	unsigned int calls = kern.calls, opens = devopen.calls;
	uint32_t k32 = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	int err;
	sm_status st;

	zero_newer(raw, size, ACCEPT_VER0, ACCEPT_CUR);
	memcpy(&p, raw, size < sizeof(p) ? size : sizeof(p));
	rdbytes(in, tok, out_alloc);
	copy = malloc(out_alloc ? out_alloc : 1);
	if (!copy)
		abort();
	memcpy(copy, tok, out_alloc);
	kern.accept_fd = kfd;
	kern.accept_errno = script_errno();
	kern.bad_status = script_status();
	if (d == D_OWN)
		open_err = script_open();

	errno = 0;
	if (d == D_OWN)
		st = sm_accept_context(pp, tinp, in_len, outp, tokp, lenp);
	else
		st = sm_accept_context_dev(fd, pp, tinp, in_len, outp, tokp,
					   lenp);
	err = errno;
	check_devopen_closed(c, opens);
	errno = err;
	check_documented(c, st);

	if (!outp || !pp || size < ACCEPT_VER0 || !tinp || !lenp ||
	    (!tokp && len0)) {
		check_refused(c, st, EINVAL, calls, opens);
		CHECK(!outp || !out, "*ctx_out set on failure");
		goto unchanged;
	}
	CHECK(!out || SM_SUCCEEDED(st), "*ctx_out set on failure");
	if (in_len > UINT32_MAX) {
		check_refused(c, st, EMSGSIZE, calls, opens);
		goto unchanged;
	}
	if (check_before_kernel(c, d, st, out, calls, opens, open_err,
				has_tail))
		goto unchanged;
	CHECK(kern.accept.size == sizeof(struct secmsg_accept) &&
		      kern.accept.flags == p.flags &&
		      kern.accept.package == SECMSG_PKG_LOCAL &&
		      kern.accept.in_len == in_len &&
		      kern.accept.in_token == (uintptr_t)tinp &&
		      kern.accept.out_token == (uintptr_t)tokp &&
		      kern.accept.out_len == k32 && !kern.accept.status &&
		      !kern.accept.ctx_flags && !kern.accept.imp_level &&
		      !kern.accept.reserved[0] && !kern.accept.reserved[1],
	      "ACCEPT is not the caller's request");
	if (kern.accept_errno) {
		check_kernel_failure(c, kern.accept_errno, st);
		CHECK(!out, "*ctx_out set on failure");
		if (st == SM_E_BUFFER_TOO_SMALL)
			CHECK(len == k32, "*out_len %zu, kernel's %u", len, k32);
		else
			CHECK(len == len0, "*out_len written on failure");
		goto token;
	}
	if (k32 < SM_LOCAL_TOKEN_SIZE) {
		CHECK(st == SM_E_BUFFER_TOO_SMALL && errno == ENOBUFS && !out &&
			      len == SM_LOCAL_TOKEN_SIZE,
		      "short token buffer %zu: status %#x errno %d len %zu",
		      len0, (uint32_t)st, errno, len);
		goto token;
	}
	if (in_len != SM_LOCAL_TOKEN_SIZE || tin[0] != 'I') {
		check_kernel_failure(c, in_len != SM_LOCAL_TOKEN_SIZE ?
						EMSGSIZE : EBADMSG, st);
		CHECK(!out && len == len0, "outputs written on failure");
		goto token;
	}
	kfd = -1;
	if (!check_new_ctx(c, st, out, kern.accept_fd,
			   kern.bad_status ? kern.bad_status :
					     SECMSG_STATUS_OK,
			   SM_E_OK)) {
		CHECK(len == len0, "*out_len written on failure");
		goto done;
	}
	CHECK(len == SM_LOCAL_TOKEN_SIZE, "*out_len %zu", len);
	memcpy(reply_token, tok, SM_LOCAL_TOKEN_SIZE);
	keep(out, kern.accept_fd);
	goto done;

unchanged:
	CHECK(!lenp || len == len0, "*out_len written on failure");
token:
	CHECK(!memcmp(tok, copy, out_alloc), "token buffer written on failure");
done:
	if (kfd >= 0)
		close(kfd);
	kern.accept_errno = 0;
	kern.bad_status = 0;
	free(raw);
	free(tin);
	free(tok);
	free(copy);
}

static void op_complete(void)
{
	sm_ctx *cx = pick_ctx();
	uint8_t nul = rd8(in);
	size_t len, alloc;
	unsigned char *tin = pick_token_in(reply_token, &len, &alloc);
	unsigned char *tinp = nul == 1 ? NULL : tin;
	unsigned int calls = kern.calls;
	sm_status st;

	kern.complete_errno = script_errno();
	kern.bad_status = script_status();
	errno = 0;
	st = sm_complete_context(cx, tinp, len);
	check_documented(C_COMPLETE, st);
	if (!cx || !tinp) {
		check_refused(C_COMPLETE, st, EINVAL, calls, devopen.calls);
		goto done;
	}
	if (len > UINT32_MAX) {
		check_refused(C_COMPLETE, st, EMSGSIZE, calls, devopen.calls);
		goto done;
	}
	CHECK(kern.calls == calls + 1, "%u ioctls", kern.calls - calls);
	CHECK(kern.complete.size == sizeof(struct secmsg_complete) &&
		      !kern.complete.flags &&
		      kern.complete.in_token == (uintptr_t)tinp &&
		      kern.complete.in_len == len && !kern.complete.status &&
		      !kern.complete.ctx_flags && !kern.complete.imp_level &&
		      !kern.complete.reserved[0] && !kern.complete.reserved[1],
	      "COMPLETE is not the caller's request");
	if (kern.complete_errno || len != SM_LOCAL_TOKEN_SIZE ||
	    tin[0] != 'R') {
		check_kernel_failure(C_COMPLETE,
				     kern.complete_errno ? kern.complete_errno :
				     len != SM_LOCAL_TOKEN_SIZE ? EMSGSIZE :
								  EBADMSG,
				     st);
		goto done;
	}
	/* known: CONTINUE_NEEDED is passed on (tolerated) */
	if (kern.bad_status == SECMSG_STATUS_CONTINUE_NEEDED && !strict &&
	    st == SM_I_CONTINUE_NEEDED)
		goto done;
	if (kern.bad_status)
		CHECK(st == SM_E_INTERNAL_ERROR && errno == EPROTO,
		      "COMPLETE status %u: status %#x errno %d",
		      kern.bad_status, (uint32_t)st, errno);
	else
		CHECK(st == SM_E_OK, "complete: status %#x", (uint32_t)st);
done:
	kern.complete_errno = 0;
	kern.bad_status = 0;
	kern.ctx_fd = ctx_fd;
	free(tin);
}

/*
 * sm_import_complete() on a context the fake takes for a FRESH import:
 * a contribution of any length, its own ('C' bytes, EBADMSG) or another.
 */
static void op_import_complete(void)
{
	sm_ctx *cx = pick_ctx();
	uint8_t nul = rd8(in), c = rd8(in);
	size_t len = c < 128 ? SM_CONTRIB_SIZE : pick_len();
	size_t alloc;
	unsigned char *tin = token_block(len, &alloc);
	unsigned char *tinp = nul == 1 ? NULL : tin;
	unsigned int calls = kern.calls;
	sm_status st;
	int own;

	rdbytes(in, tin, alloc);
	if (c % 4 == 0)
		memset(tin, 'C', alloc);
	own = len == SM_CONTRIB_SIZE && !memcmp(tin, "CCCCCCCCCCCCCCCC"
						"CCCCCCCCCCCCCCCC",
						SM_CONTRIB_SIZE);
	kern.ctx_fresh = 1;
	kern.complete_errno = script_errno();
	kern.bad_status = script_status();
	errno = 0;
	st = sm_import_complete(cx, tinp, len);
	check_documented(C_IMPORT_COMPLETE, st);
	if (!cx || !tinp) {
		check_refused(C_IMPORT_COMPLETE, st, EINVAL, calls,
			      devopen.calls);
		goto done;
	}
	if (len > UINT32_MAX) {
		check_refused(C_IMPORT_COMPLETE, st, EMSGSIZE, calls,
			      devopen.calls);
		goto done;
	}
	CHECK(kern.calls == calls + 1, "%u ioctls", kern.calls - calls);
	CHECK(kern.complete.size == sizeof(struct secmsg_complete) &&
		      !kern.complete.flags &&
		      kern.complete.in_token == (uintptr_t)tinp &&
		      kern.complete.in_len == len && !kern.complete.status &&
		      !kern.complete.ctx_flags && !kern.complete.imp_level &&
		      !kern.complete.reserved[0] && !kern.complete.reserved[1],
	      "COMPLETE is not the caller's request");
	if (kern.complete_errno || len != SM_CONTRIB_SIZE || own) {
		check_kernel_failure(C_IMPORT_COMPLETE,
				     kern.complete_errno ? kern.complete_errno :
				     len != SM_CONTRIB_SIZE ? EMSGSIZE :
							      EBADMSG,
				     st);
		goto done;
	}
	if (kern.bad_status)
		CHECK(st == SM_E_INTERNAL_ERROR && errno == EPROTO,
		      "COMPLETE status %u: status %#x errno %d",
		      kern.bad_status, (uint32_t)st, errno);
	else
		CHECK(st == SM_E_OK, "import complete: status %#x",
		      (uint32_t)st);
done:
	kern.complete_errno = 0;
	kern.bad_status = 0;
	kern.ctx_fresh = 0;
	kern.ctx_fd = ctx_fd;
	free(tin);
}

static void op_impersonate(void)
{
	sm_ctx *cx = pick_ctx();
	unsigned int calls = kern.calls, imp = kern.imp_calls;
	sm_status st;

	kern.imp_errno = script_errno();
	errno = 0;
	st = sm_impersonate(cx);
	check_documented(C_IMPERSONATE, st);
	if (!cx) {
		check_refused(C_IMPERSONATE, st, EINVAL, calls, devopen.calls);
		goto done;
	}
	CHECK(kern.calls == calls + 1 && kern.imp_calls == imp + 1,
	      "%u ioctls", kern.calls - calls);
	CHECK(kern.imp.size == sizeof(kern.imp) && !kern.imp.flags &&
		      !kern.imp.reserved,
	      "IMPERSONATE struct");
	if (kern.imp_errno)
		check_kernel_failure(C_IMPERSONATE, kern.imp_errno, st);
	else
		CHECK(st == SM_E_OK, "impersonate: status %#x", (uint32_t)st);
done:
	kern.imp_errno = 0;
	kern.ctx_fd = ctx_fd;
}

static void op_revert(void)
{
	sm_ctx *cx = pick_ctx();
	enum call c = cx ? C_REVERT : C_REVERT_OWN;
	unsigned int calls = kern.calls, rev = kern.revert_calls;
	unsigned int opens = devopen.calls;
	int open_err = cx ? 0 : script_open(), err;
	sm_status st;

	kern.revert_errno = script_errno();
	errno = 0;
	st = sm_revert(cx);
	err = errno;
	check_devopen_closed(c, opens);
	errno = err;
	check_documented(c, st);
	if (open_err) {
		CHECK(st == open_status(open_err) && errno == open_err &&
			      kern.calls == calls,
		      "open errno %d: status %#x errno %d", open_err,
		      (uint32_t)st, errno);
		goto done;
	}
	CHECK(kern.calls == calls + 1 && kern.revert_calls == rev + 1,
	      "%u ioctls", kern.calls - calls);
	CHECK(devopen.calls == opens + !cx, "%u opens", devopen.calls - opens);
	CHECK(kern.imp.size == sizeof(kern.imp) && !kern.imp.flags &&
		      !kern.imp.reserved,
	      "REVERT struct");
	if (kern.revert_errno)
		check_kernel_failure(c, kern.revert_errno, st);
	else
		CHECK(st == SM_E_OK, "revert: status %#x", (uint32_t)st);
done:
	kern.revert_errno = 0;
	kern.ctx_fd = ctx_fd;
}

/* QUERY's answer: anything, or identities and LSM contexts of any kind */
static void script_identity(struct secmsg_identity *id)
{
	static const uint32_t flags[] = {
		SECMSG_ID_VALID,
		SECMSG_ID_VALID | SECMSG_ID_UNMAPPED,
		SECMSG_ID_VALID | SECMSG_ID_LSM_TRUNCATED,
		SECMSG_ID_ANONYMOUS,
		0,
	};
	uint8_t c = rd8(in);
	unsigned int i;

	if (c < 32)
		return; /* the fake's */
	id->flags = c < 224 ? flags[c % SM_ARRAY(flags)] : rd32(in);
	c = rd8(in);
	switch (c % 4) {
	case 0:
		id->uid = 0;
		break;
	case 1:
		id->uid = 65534;
		break;
	case 2:
		id->uid = getuid();
		break;
	default:
		id->uid = rd32(in);
	}
	id->gid = c & 4 ? id->uid : c & 8 ? rd32(in) : 0;
	id->pid = rd32(in);
	id->ngroups = rd8(in) & 1 ? rd32(in) : rd8(in) % (SECMSG_ID_GROUPS * 2);
	id->ruid = rd8(in) < 16 ? rd32(in) : 0;
	id->userns = rd64(in);
	for (i = 0; i < SECMSG_ID_GROUPS; i++)
		id->groups[i] = rd8(in) & 1 ? 1000 + i : rd32(in);
}

static void script_lsm(char *s)
{
	uint8_t c = rd8(in);
	size_t n;

	if (c < 32)
		return;
	memset(s, 0, SECMSG_LSM_MAX);
	if (c < 64)
		return; /* "" */
	if (c < 96) {
		rdbytes(in, s, SECMSG_LSM_MAX); /* anything, maybe no NUL */
		return;
	}
	n = c < 160 ? rd8(in) : c < 224 ? SECMSG_LSM_MAX - 1 : SECMSG_LSM_MAX;
	memset(s, 'a' + c % 26, n);
}

static int hook_query(struct secmsg_query *q)
{
	uint8_t c = rd8(in);

	if (c < 32) {
		query_err = pick_errno();
		return -query_err;
	}
	query_err = 0;
	if (c < 64) {
		rdbytes(in, q, sizeof(*q));
	} else {
		script_identity(&q->local);
		script_identity(&q->peer);
		script_lsm(q->local_lsm);
		script_lsm(q->peer_lsm);
	}
	reply = *q;
	return 0;
}

/* @s is terminated within @max bytes and zero-padded after its NUL */
static int terminated(const char *s, size_t max)
{
	return strnlen(s, max) < max;
}

/* A user or group name: the database's, or the number if it has none. */
static void check_db_name(const char *s, int numeric, int group, uint32_t id)
{
	const char *db = NULL;
	char num[16];

	CHECK(terminated(s, SM_NAME_LEN), "name not terminated");
	if (group) {
		struct group *gr = getgrgid((gid_t)id);

		db = gr ? gr->gr_name : NULL;
	} else {
		struct passwd *pw = getpwuid((uid_t)id);

		db = pw ? pw->pw_name : NULL;
	}
	if (db && (!db[0] || strlen(db) >= SM_NAME_LEN))
		db = NULL;
	snprintf(num, sizeof(num), "%u", id);
	CHECK(numeric ? !db && !strcmp(s, num) : db && !strcmp(s, db),
	      "%s %u named \"%s\" (numeric %d), database \"%s\"",
	      group ? "gid" : "uid", id, s, numeric, db ? db : "(none)");
}

static void check_name(const struct sm_name *n, const struct secmsg_identity *k)
{
	fuzz_check_identity(&n->id, k);
	if (!(k->flags & SECMSG_ID_VALID)) {
		CHECK(!n->flags && !n->user[0] && !n->group[0],
		      "names of an invalid identity");
		return;
	}
	CHECK(!(n->flags & ~(SM_NAME_USER_NUMERIC | SM_NAME_GROUP_NUMERIC)),
	      "name flags %#x", n->flags);
	check_db_name(n->user, n->flags & SM_NAME_USER_NUMERIC, 0, k->uid);
	check_db_name(n->group, n->flags & SM_NAME_GROUP_NUMERIC, 1, k->gid);
}

/* The library's LSM context: the kernel's, cut to SM_LSM_LEN - 1 */
static void check_lsm(const char *s, const char *k)
{
	CHECK(!memcmp(s, k, SM_LSM_LEN - 1) && !s[SM_LSM_LEN - 1],
	      "LSM context is not the kernel's, terminated");
}

/* Client and service: this side's and the peer's by role, cut, padded */
static void check_principal(const char *s, const char *k)
{
	size_t n = strnlen(k, SM_PRINCIPAL_LEN - 1), i;

	CHECK(!memcmp(s, k, n), "principal is not the kernel's");
	for (i = n; i < SM_PRINCIPAL_LEN; i++)
		CHECK(!s[i], "principal not terminated and zero-padded");
}

static void check_principals(const struct sm_names *nm,
			     const struct secmsg_query *q)
{
	int acc = q->role == SECMSG_ROLE_ACCEPTOR;

	check_principal(nm->client_principal,
			acc ? q->peer_principal : q->local_principal);
	check_principal(nm->service_principal,
			acc ? q->local_principal : q->peer_principal);
}

static void op_names(void)
{
	size_t size = pick_size(NAMES_VER0, sizeof(struct sm_names));
	size_t alloc = size < sizeof(uint32_t) ? sizeof(uint32_t) : size;
	unsigned char *raw = malloc(alloc), *copy = malloc(alloc);
	struct sm_names *nm = (void *)raw;
	sm_ctx *cx = pick_ctx();
	uint8_t nul = rd8(in);
	unsigned int calls = kern.calls;
	size_t i, filled = size < sizeof(*nm) ? size : sizeof(*nm);
	sm_status st;

	if (!raw || !copy)
		abort();
	rdbytes(in, raw, alloc);
	memcpy(raw, &(uint32_t){ (uint32_t)size }, sizeof(uint32_t));
	memcpy(copy, raw, alloc);
	fake_kern_query(&reply);
	query_err = 0;
	errno = 0;
	st = sm_query_names(cx, nul == 1 ? NULL : nm);
	check_documented(C_NAMES, st);
	if (nul == 1 || !cx || size < NAMES_VER0) {
		check_refused(C_NAMES, st, EINVAL, calls, devopen.calls);
		goto unchanged;
	}
	CHECK(kern.calls == calls + 1, "%u ioctls", kern.calls - calls);
	if (query_err) {
		CHECK(SM_FAILED(st) && errno == query_err,
		      "query errno %d: status %#x errno %d", query_err,
		      (uint32_t)st, errno);
		goto unchanged;
	}
	CHECK(st == SM_E_OK, "query_names: status %#x errno %d", (uint32_t)st,
	      errno);
	CHECK(nm->size == filled && !nm->reserved, "size %u of %zu", nm->size,
	      size);
	for (i = sizeof(*nm); i < size; i++)
		CHECK(!raw[i], "newer tail byte %zu not zeroed", i);
	check_name(&nm->local, &reply.local);
	check_name(&nm->peer, &reply.peer);
	if (size >= offsetof(struct sm_names, peer_lsm))
		check_lsm(nm->local_lsm, reply.local_lsm);
	if (size >= offsetof(struct sm_names, client_principal))
		check_lsm(nm->peer_lsm, reply.peer_lsm);
	if (size >= sizeof(*nm))
		check_principals(nm, &reply);
	/* an in-between size gets a prefix of what a newer caller gets */
	goto done;
unchanged:
	CHECK(!memcmp(raw, copy, alloc), "names written on failure");
done:
	kern.ctx_fd = ctx_fd;
	free(raw);
	free(copy);
}

static void op_close(void)
{
	drop(rd8(in) % MAX_SLOTS);
}

/*
 * Descriptors open now of the kinds this target and the library open
 * (eventfds stand for /dev/secmsg and contexts; NSS reads /etc), by
 * /proc/self/fd.  libFuzzer's own (pipes to its symbolizer...) come and
 * go, and do not count.
 */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char path[64], to[64];
	ssize_t k;
	int n = 0;

	if (!d)
		abort();
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		k = readlink(path, to, sizeof(to) - 1);
		if (k < 0)
			continue; /* the directory's own, closed since */
		to[k] = '\0';
		n += !strcmp(to, "anon_inode:[eventfd]") ||
		     !strncmp(to, "/etc/", 5);
	}
	closedir(d);
	return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	base_fd = eventfd(0, EFD_CLOEXEC);
	dev_fd = eventfd(0, EFD_CLOEXEC);
	ctx_fd = eventfd(0, EFD_CLOEXEC);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (base_fd < 0 || dev_fd < 0 || ctx_fd < 0 || null_fd < 0)
		abort();
	kern.dev_fd = dev_fd;
	kern.ctx_fd = ctx_fd;
	if (sm_ctx_from_fd(ctx_fd, &ctx) != SM_E_OK)
		abort();
	kern.query_hook = hook_query;
	strict = !!getenv("SECMSG_FUZZ_STRICT");
	atexit(report_known);
	memset(init_token, 'I', sizeof(init_token));
	memset(reply_token, 'R', sizeof(reply_token));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long runs;
	struct rd r = { data, size };
	unsigned int i;

	in = &r;
	for (i = 0; i < MAX_OPS && r.n; i++) {
		switch (rd8(in) % 9) {
		case 0:
		case 1:
			op_init();
			break;
		case 2:
			op_accept();
			break;
		case 3:
			op_complete();
			break;
		case 4:
			op_impersonate();
			break;
		case 5:
			op_revert();
			break;
		case 6:
			op_names();
			break;
		case 8:
			op_import_complete();
			break;
		default:
			op_close();
			break;
		}
		CHECK(kern.dev_fd == dev_fd && kern.ctx_fd == ctx_fd,
		      "fake left on another fd");
	}
	for (i = 0; i < MAX_SLOTS; i++)
		drop(i);
	if (!(++runs % 256)) {
		int n = count_fds();

		CHECK(n == FIXED_FDS, "%d eventfds and /etc files open, not %d",
		      n, FIXED_FDS);
	}
	return 0;
}
