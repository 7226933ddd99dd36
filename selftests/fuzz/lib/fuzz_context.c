// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: libsecmsg's struct translation outside the message
 * path, against the fake kernel of libsecmsg/fake_kernel.c:
 * sm_import_dev() (and sm_import()'s checks) with struct sm_import_params
 * of any size field, below, at and above the library's, with any tail,
 * any flags, SM_IMPORT_FRESH with a contribution buffer or none;
 * sm_query(), sm_query_sizes(), sm_query_stream_sizes() and
 * sm_ctx_from_fd() against any QUERY answer the input scripts (unterminated
 * names, any numbers) or a failure with any errno.
 *
 * Checked: the caller's struct is read only up to its size field (ASan:
 * each struct is a heap block of exactly that size); a size below the first
 * version gives SM_E_INVALID_PARAMETER/EINVAL and a nonzero unknown tail
 * E2BIG, and SM_IMPORT_FRESH without a buffer of SM_CONTRIB_SIZE bytes
 * EINVAL, all without an ioctl (sm_import() without opening the device
 * either); IMPORT receives the caller's fields, a FRESH import answers
 * SM_I_CONTINUE_NEEDED; sm_query
 * fills exactly min(size, sizeof) bytes, zeroes a newer caller's tail and
 * terminates the names; every status is one documented for the call; on
 * failure the output is untouched, *out is NULL and errno is the kernel's;
 * a descriptor sm_ctx_from_fd() refuses stays the caller's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fake_kernel.h"
#include "fuzz.h"

#define SM_ARRAY(a) (sizeof(a) / sizeof((a)[0]))
#define IMPORT_VER0 \
	(offsetof(struct sm_import_params, recv_seq) + sizeof(uint64_t))
/* struct sm_context_info of 1.0 ended at its counters */
#define INFO_VER0 offsetof(struct sm_context_info, imp_level)

static int dev_fd, ctx_fd, null_fd;
static sm_ctx *ctx;
static struct rd *in;
static int query_err;
static struct secmsg_query reply;

static const sm_status import_statuses[] = {
	SM_E_OK,
	SM_I_CONTINUE_NEEDED,
	SM_E_SECPKG_NOT_FOUND,
	SM_E_ALGORITHM_MISMATCH,
	SM_E_TOO_MANY_CONTEXTS,
	SM_E_INVALID_PARAMETER,
	SM_E_INSUFFICIENT_MEMORY,
	SM_E_INVALID_HANDLE,
	SM_E_INTERNAL_ERROR,
};

static const sm_status query_statuses[] = {
	SM_E_OK,
	SM_E_INVALID_HANDLE,
	SM_E_INVALID_PARAMETER,
	SM_E_INSUFFICIENT_MEMORY,
	SM_E_INTERNAL_ERROR,
};

static int hook_query(struct secmsg_query *q)
{
	uint8_t c = rd8(in);

	if (c < 40) {
		query_err = fuzz_errno(in);
		return -query_err;
	}
	query_err = 0;
	if (c < 100) {
		rdbytes(in, q, sizeof(*q)); /* anything at all */
	} else if (c < 200) {
		/* names of any length, terminated or not */
		memset(q->algorithm, 'a' + rd8(in) % 26, sizeof(q->algorithm));
		memset(q->driver, 'A' + rd8(in) % 26, sizeof(q->driver));
		c = rd8(in);
		if (c & 1)
			q->algorithm[rd8(in) % SECMSG_NAME_MAX] = '\0';
		if (c & 2)
			q->driver[rd8(in) % SECMSG_NAME_MAX] = '\0';
		q->max_signature = rd32(in);
		q->stream_header = rd32(in);
		q->send_seq = rd64(in);
		q->counters.other_failures = rd64(in);
	}
	reply = *q;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	dev_fd = eventfd(0, EFD_CLOEXEC);
	ctx_fd = eventfd(0, EFD_CLOEXEC);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (dev_fd < 0 || ctx_fd < 0 || null_fd < 0)
		abort();
	kern.dev_fd = dev_fd;
	kern.ctx_fd = ctx_fd;
	if (sm_ctx_from_fd(ctx_fd, &ctx) != SM_E_OK)
		abort();
	kern.query_hook = hook_query;
	return 0;
}

static size_t pick_size(size_t ver0, size_t cur)
{
	switch (rd8(in) % 6) {
	case 0:
		return rd8(in) % ver0;
	case 1:
		return ver0 - 1;
	case 2:
		return ver0;
	case 3:
		return cur;
	case 4:
		return cur + 1 + rd8(in) % 64;
	default:
		return rd16(in) % 1024;
	}
}

static void fuzz_import(void)
{
	size_t size = pick_size(IMPORT_VER0, sizeof(struct sm_import_params));
	size_t alloc = size < sizeof(uint32_t) ? sizeof(uint32_t) : size;
	unsigned char *raw = malloc(alloc);
	struct sm_import_params *p = (void *)raw, pk;
	uint8_t c = rd8(in);
	int fd = c & 1 ? dev_fd : c & 2 ? -1 : null_fd;
	sm_ctx *out = (sm_ctx *)1, **outp = c & 4 ? NULL : &out;
	unsigned int calls = kern.calls;
	const size_t contrib_end = offsetof(struct sm_import_params, contrib) +
				   sizeof(void *);
	static unsigned char contrib[SM_CONTRIB_SIZE];
	int err = 0, perr = 0, has_tail = 0;
	size_t i;
	sm_status st;

	if (!raw)
		abort();
	rdbytes(in, raw, alloc);
	/* mostly zero tails: a newer caller that set nothing new */
	if (rd8(in) < 128)
		for (i = sizeof(*p); i < alloc; i++)
			raw[i] = 0;
	memcpy(raw, &(uint32_t){ (uint32_t)size }, sizeof(uint32_t));
	/* the fake kernel writes a FRESH import's contribution: only to a
	 * buffer of ours (or NULL), never to a pointer from the input */
	if (size >= contrib_end) {
		void *cp = rd8(in) & 1 ? contrib : NULL;

		memcpy(raw + offsetof(struct sm_import_params, contrib), &cp,
		       sizeof(cp));
	} else if (size >= offsetof(struct sm_import_params, role)) {
		p->flags &= ~(uint32_t)SM_IMPORT_FRESH;
	}
	for (i = sizeof(*p); i < size; i++)
		has_tail |= raw[i];
	memset(&pk, 0, sizeof(pk));
	memcpy(&pk, raw, size < sizeof(pk) ? size : sizeof(pk));
	kern.import_errno = rd8(in) < 100 ? fuzz_errno(in) : 0;
	kern.import_fd = 1000 + rd8(in);

	/* what the library can tell from the params alone */
	if (!outp || size < IMPORT_VER0)
		perr = EINVAL;
	else if (has_tail)
		perr = E2BIG;
	else if (pk.key_len > UINT32_MAX)
		perr = EINVAL;
	else if ((pk.flags & SM_IMPORT_FRESH) &&
		 (!pk.contrib || pk.contrib_len < SM_CONTRIB_SIZE))
		perr = EINVAL;
	err = fd < 0 ? EINVAL : perr;	/* sm_import_dev checks @fd first */

	/* sm_import's own checks, where it would not open /dev/secmsg */
	if (perr) {
		errno = 0;
		CHECK(sm_import(p, outp) == SM_E_INVALID_PARAMETER &&
			      errno == perr && kern.calls == calls,
		      "sm_import size %zu: errno %d, want %d", size, errno,
		      perr);
	}

	errno = 0;
	st = sm_import_dev(fd, p, outp);
	CHECK(status_in(st, import_statuses, SM_ARRAY(import_statuses)),
	      "sm_import_dev: status %#x", (uint32_t)st);
	if (err) {
		CHECK(st == SM_E_INVALID_PARAMETER && errno == err &&
			      kern.calls == calls,
		      "size %zu: status %#x errno %d (want %d), %u ioctls", size,
		      (uint32_t)st, errno, err, kern.calls - calls);
		CHECK(!outp || !out, "*out set on failure");
		goto done;
	}
	CHECK(kern.calls == calls + 1, "%u ioctls", kern.calls - calls);
	if (fd == null_fd) { /* the real ioctl: not /dev/secmsg */
		CHECK(st == SM_E_INVALID_HANDLE && errno == ENOTTY && !out,
		      "import on /dev/null: status %#x errno %d", (uint32_t)st,
		      errno);
		goto done;
	}
	CHECK(kern.import.size == sizeof(struct secmsg_import) &&
		      kern.import.flags == pk.flags &&
		      kern.import.package == SECMSG_PKG_RAW &&
		      kern.import.role == pk.role &&
		      kern.import.suite == pk.suite &&
		      kern.import.ctx_flags == pk.ctx_flags &&
		      kern.import.key_len == pk.key_len &&
		      kern.import.lifetime == pk.lifetime &&
		      kern.import.key == (uintptr_t)pk.key &&
		      kern.import.send_seq == pk.send_seq &&
		      kern.import.recv_seq == pk.recv_seq &&
		      kern.import.contrib == (uintptr_t)pk.contrib &&
		      kern.import.contrib_len ==
			      (pk.contrib_len > UINT32_MAX ?
				       UINT32_MAX :
				       (uint32_t)pk.contrib_len) &&
		      !kern.import.reserved,
	      "IMPORT is not the caller's params");
	if (kern.import_errno) {
		CHECK(SM_FAILED(st) && errno == kern.import_errno && !out,
		      "import errno %d: status %#x errno %d", kern.import_errno,
		      (uint32_t)st, errno);
		goto done;
	}
	CHECK(st == (pk.flags & SM_IMPORT_FRESH ? SM_I_CONTINUE_NEEDED :
						  SM_E_OK) &&
		      sm_ctx_fd(out) == kern.import_fd,
	      "import: status %#x", (uint32_t)st);
	errno = 1234;
	sm_close(out); /* fd 1000+ is not open: close() fails, harmlessly */
	CHECK(errno == 1234, "sm_close changed errno");
done:
	free(raw);
}

/*
 * @size is at least the 1.0 struct's: filled up to min(size, sizeof), the
 * heap block ends at @size (ASan), a newer caller's tail is zeroed.
 */
static void check_info(const struct sm_context_info *ci, size_t size)
{
	const unsigned char *tail = (const unsigned char *)ci + sizeof(*ci);
	size_t i, n;

	CHECK(ci->size == (size < sizeof(*ci) ? size : sizeof(*ci)),
	      "size %u of %zu", ci->size, size);
	for (i = 0; size > sizeof(*ci) && i < size - sizeof(*ci); i++)
		CHECK(!tail[i], "newer tail byte %zu not zeroed", i);
	if (size >= sizeof(*ci)) {
		CHECK(ci->imp_level == reply.imp_level && !ci->reserved,
		      "imp_level");
		fuzz_check_identity(&ci->local, &reply.local);
		fuzz_check_identity(&ci->peer, &reply.peer);
	}
	CHECK(ci->package == reply.package && ci->role == reply.role &&
		      ci->suite == reply.suite &&
		      ci->ctx_flags == reply.ctx_flags &&
		      ci->state == reply.state &&
		      ci->driver_flags == reply.driver_flags &&
		      ci->lifetime == reply.lifetime &&
		      ci->replay_window == reply.replay_window &&
		      ci->created == reply.created &&
		      ci->expires == reply.expires &&
		      ci->send_seq == reply.send_seq &&
		      ci->recv_seq == reply.recv_seq &&
		      ci->sizes.max_signature == reply.max_signature &&
		      ci->stream_sizes.header == reply.stream_header &&
		      ci->stream_sizes.buffers == reply.max_buffers &&
		      ci->counters.signed_msgs == reply.counters.signed_msgs &&
		      ci->counters.other_failures ==
			      reply.counters.other_failures,
	      "info is not the kernel's answer");
	n = strnlen(reply.algorithm, SM_NAME_MAX - 1);
	CHECK(strnlen(ci->algorithm, SM_NAME_MAX) == n &&
		      !memcmp(ci->algorithm, reply.algorithm, n),
	      "algorithm name");
	n = strnlen(reply.driver, SM_NAME_MAX - 1);
	CHECK(strnlen(ci->driver, SM_NAME_MAX) == n &&
		      !memcmp(ci->driver, reply.driver, n),
	      "driver name");
}

static void check_failure(sm_status st, const void *now, const void *before,
			  size_t len, unsigned int calls, int no_call)
{
	CHECK(status_in(st, query_statuses, SM_ARRAY(query_statuses)),
	      "query: status %#x not documented", (uint32_t)st);
	if (no_call) {
		CHECK(st == SM_E_INVALID_PARAMETER && errno == EINVAL &&
			      kern.calls == calls,
		      "bad argument: status %#x errno %d", (uint32_t)st, errno);
	} else {
		CHECK(kern.calls == calls + 1, "%u ioctls", kern.calls - calls);
		CHECK(SM_FAILED(st) && errno == query_err,
		      "query errno %d: status %#x errno %d", query_err,
		      (uint32_t)st, errno);
	}
	if (now)
		CHECK(!memcmp(now, before, len), "output written on failure");
}

static void fuzz_query(void)
{
	size_t size = pick_size(INFO_VER0, sizeof(struct sm_context_info));
	size_t alloc = size < sizeof(uint32_t) ? sizeof(uint32_t) : size;
	unsigned char *raw = malloc(alloc), *copy = malloc(alloc);
	struct sm_context_info *ci = (void *)raw;
	uint8_t c = rd8(in);
	sm_ctx *cx = c & 1 ? NULL : ctx;
	unsigned int calls = kern.calls;
	int no_call;
	sm_status st;

	if (!raw || !copy)
		abort();
	rdbytes(in, raw, alloc);
	memcpy(raw, &(uint32_t){ (uint32_t)size }, sizeof(uint32_t));
	memcpy(copy, raw, alloc);
	no_call = !cx || size < INFO_VER0;
	query_err = 0;
	errno = 0;
	st = sm_query(cx, c & 2 ? NULL : ci);
	if (c & 2) {
		CHECK(st == SM_E_INVALID_PARAMETER && kern.calls == calls,
		      "sm_query(NULL)");
	} else if (st == SM_E_OK) {
		CHECK(!no_call && kern.calls == calls + 1, "ok without a query");
		check_info(ci, size);
	} else {
		check_failure(st, raw, copy, alloc, calls, no_call);
	}
	free(raw);
	free(copy);
}

static void fuzz_sizes(void)
{
	struct sm_sizes s, s0;
	struct sm_stream_sizes ss, ss0;
	uint8_t c = rd8(in);
	sm_ctx *cx = c & 1 ? NULL : ctx;
	unsigned int calls = kern.calls;
	int no_call = !cx || c & 2;
	sm_status st;

	rdbytes(in, &s, sizeof(s));
	rdbytes(in, &ss, sizeof(ss));
	s0 = s;
	ss0 = ss;
	query_err = 0;
	errno = 0;
	if (c & 4) {
		st = sm_query_stream_sizes(cx, c & 2 ? NULL : &ss);
		if (st == SM_E_OK) {
			CHECK(!no_call && ss.header == reply.stream_header &&
				      ss.trailer == reply.stream_trailer &&
				      ss.max_message == reply.max_message &&
				      ss.buffers == reply.max_buffers &&
				      ss.block_size == reply.block_size,
			      "stream sizes are not the kernel's");
			return;
		}
		check_failure(st, &ss, &ss0, sizeof(ss), calls, no_call);
	} else {
		st = sm_query_sizes(cx, c & 2 ? NULL : &s);
		if (st == SM_E_OK) {
			CHECK(!no_call && s.max_token == reply.max_token &&
				      s.max_signature == reply.max_signature &&
				      s.block_size == reply.block_size &&
				      s.security_trailer ==
					      reply.security_trailer,
			      "sizes are not the kernel's");
			return;
		}
		check_failure(st, &s, &s0, sizeof(s), calls, no_call);
	}
}

static void fuzz_from_fd(void)
{
	uint8_t c = rd8(in);
	int fd = c & 1 ? -1 : c & 2 ? dup(null_fd) : dup(ctx_fd);
	sm_ctx *out = (sm_ctx *)1;
	sm_status st;
	int saved = kern.ctx_fd;

	if (!(c & 3))
		kern.ctx_fd = fd; /* the fake answers on this one */
	query_err = 0;
	errno = 0;
	st = sm_ctx_from_fd(fd, &out);
	kern.ctx_fd = saved;
	if (st == SM_E_OK) {
		CHECK(!(c & 3) && !query_err && sm_ctx_fd(out) == fd,
		      "adopted fd %d, query errno %d", fd, query_err);
		sm_close(out);
		CHECK(fcntl(fd, F_GETFD) < 0, "sm_close left fd %d open", fd);
		return;
	}
	CHECK(!out, "*out set on failure");
	if (c & 1) {
		CHECK(st == SM_E_INVALID_HANDLE && errno == EBADF, "fd -1");
		return;
	}
	CHECK(st == (errno == ENOMEM ? SM_E_INSUFFICIENT_MEMORY :
				       SM_E_INVALID_HANDLE),
	      "status %#x errno %d", (uint32_t)st, errno);
	CHECK(c & 2 ? errno == ENOTTY : errno == query_err,
	      "errno %d, kernel %d", errno, query_err);
	CHECK(fcntl(fd, F_GETFD) >= 0, "refused fd %d closed", fd);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size };

	in = &r;
	fake_kern_query(&reply);
	switch (rd8(in) % 4) {
	case 0:
		fuzz_import();
		break;
	case 1:
		fuzz_query();
		break;
	case 2:
		fuzz_sizes();
		break;
	default:
		fuzz_from_fd();
		break;
	}
	return 0;
}
