// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fake secmsg.ko of the host tests and the libFuzzer targets; see
 * fake_kernel.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fake_kernel.h"

struct fake_kern kern = { .dev_fd = -1, .ctx_fd = -1, .import_fd = -1,
			  .init_fd = -1, .accept_fd = -1, .krb5_fd = -1 };

/* The identities QUERY reports: root here, an unknown uid there */
static void fake_identity(struct secmsg_identity *id, uint32_t uid,
			  uint32_t pid, uint32_t ngroups)
{
	unsigned int i;

	id->flags = SECMSG_ID_VALID;
	id->uid = uid;
	id->gid = uid;
	id->pid = pid;
	id->ngroups = ngroups;
	id->ruid = uid;
	id->userns = 4026531837u;
	for (i = 0; i < ngroups && i < SECMSG_ID_GROUPS; i++)
		id->groups[i] = 1000 + i;
}

void fake_kern_query(struct secmsg_query *q)
{
	__u64 *c = &q->counters.signed_msgs;
	unsigned int i;

	q->size = sizeof(*q);
	q->package = SECMSG_PKG_RAW;
	q->role = SECMSG_ROLE_ACCEPTOR;
	q->suite = SECMSG_SUITE_CHACHA20_POLY1305;
	q->ctx_flags = SECMSG_CTX_REPLAY_DETECT | SECMSG_CTX_CONFIDENTIALITY |
		       SECMSG_CTX_INTEGRITY;
	q->state = SECMSG_STATE_ACTIVE;
	q->max_token = 0;
	q->max_signature = SECMSG_TOKEN_SIZE;
	q->block_size = SECMSG_BLOCK_SIZE;
	q->security_trailer = SECMSG_TOKEN_SIZE;
	q->stream_header = SECMSG_STREAM_HEADER_SIZE;
	q->stream_trailer = SECMSG_STREAM_TRAILER_SIZE;
	q->max_message = SECMSG_MAX_MESSAGE;
	q->max_buffers = SECMSG_MAX_BUFFERS;
	q->replay_window = SECMSG_REPLAY_WINDOW;
	q->driver_flags = SECMSG_DRIVER_ASYNC;
	q->lifetime = 3600;
	if (kern.long_names) {
		memset(q->algorithm, 'a', sizeof(q->algorithm));
		memset(q->driver, 'd', sizeof(q->driver));
	} else {
		strcpy(q->algorithm, "rfc7539(chacha20,poly1305)");
		strcpy(q->driver, "rfc7539(chacha20-simd,poly1305-simd)");
	}
	q->created = 1700000000;
	q->expires = 1700003600;
	q->send_seq = 7;
	q->recv_seq = 9;
	for (i = 0; i < 11; i++)
		c[i] = 100 + i;
	q->imp_level = SECMSG_IMP_IMPERSONATE;
	fake_identity(&q->local, 0, 4242, 3);
	fake_identity(&q->peer, 3999999999u, 4343, SECMSG_ID_GROUPS + 8);
	/* a set-user-ID client, and a flag the library does not know */
	q->peer.flags |= SECMSG_ID_SETID | 0x80000000u;
	q->peer.ruid = 1234;
	strcpy(q->local_lsm, "unconfined");
	memset(q->peer_lsm, 'L', sizeof(q->peer_lsm) - 1);
	q->peer.flags |= SECMSG_ID_LSM_TRUNCATED;
}

/* QUERY: the answer above, edited by query_hook; return 0 or -errno. */
static int kern_query(struct secmsg_query *q)
{
	struct secmsg_query a;

	fake_kern_query(&a);
	if (kern.query_hook) {
		int ret = kern.query_hook(&a);

		if (ret)
			return ret;
	}
	*q = a;
	return 0;
}

/* Process one message as the kernel would; return 0 or -errno. */
static int kern_message(unsigned int op, struct secmsg_message *m, int fail)
{
	struct secmsg_buffer *b = (void *)(uintptr_t)m->buffers;
	struct secmsg_buffer *stream = NULL, *data = NULL;
	unsigned int i;

	if (m->size != sizeof(*m) || m->nbuffers < 1 ||
	    m->nbuffers > SECMSG_MAX_BUFFERS)
		return -EINVAL;
	if (m->verdict != 0 || m->error != 0 || m->index != 0xffffffffu)
		kern.dirty++;
	/* qop is an output of VERIFY and UNSEAL */
	if ((op == SECMSG_OP_VERIFY || op == SECMSG_OP_UNSEAL) && m->qop)
		kern.dirty++;
	if (kern.msg_hook)
		return kern.msg_hook(op, m);
	if (fail) {
		if (kern.fail_verdict) {
			m->verdict = kern.fail_verdict;
			m->needed = kern.fail_needed;
			m->index = kern.fail_index;
			m->error = -kern.fail_errno;
		}
		return -kern.fail_errno;
	}
	for (i = 0; i < m->nbuffers; i++) {
		switch (b[i].type) {
		case SECMSG_BUF_TOKEN:
			if (op == SECMSG_OP_SIGN || op == SECMSG_OP_SEAL)
				b[i].len = SECMSG_TOKEN_SIZE;
			break;
		case SECMSG_BUF_PADDING:
			b[i].len = 0;
			break;
		case SECMSG_BUF_STREAM_HEADER:
		case SECMSG_BUF_STREAM_TRAILER:
			b[i].len = 16;
			break;
		case SECMSG_BUF_STREAM:
			stream = &b[i];
			break;
		case SECMSG_BUF_DATA:
			data = &b[i];
			break;
		}
	}
	if (op == SECMSG_OP_UNSEAL && stream && data) {
		data->ptr = stream->ptr + 16;
		data->len = stream->len - 32;
	}
	m->seq = kern.next_seq++;
	if (op == SECMSG_OP_VERIFY || op == SECMSG_OP_UNSEAL)
		m->qop = kern.recv_qop;
	return 0;
}

static int kern_batch(struct secmsg_batch *bt)
{
	struct secmsg_message *m = (void *)(uintptr_t)bt->msgs;
	unsigned int i;

	kern.batch_calls++;
	if (kern.batch_hook) {
		int ret = kern.batch_hook(bt);

		if (ret)
			return ret;
	}
	if (kern.batch_errno)
		return -kern.batch_errno;
	if (bt->size != sizeof(*bt) || bt->count < 1 ||
	    bt->count > SECMSG_MAX_BATCH || bt->msg_size != sizeof(*m) ||
	    bt->op < SECMSG_OP_SIGN || bt->op > SECMSG_OP_UNSEAL)
		return -EINVAL;
	for (i = 0; i < bt->count; i++) {
		int fail = kern.fail_mod &&
			   (kern.next_seq % kern.fail_mod) == kern.fail_rem;

		m[i].error = kern_message(bt->op, &m[i], fail);
		if (fail)
			kern.next_seq++; /* keep the pattern by position */
	}
	return 0;
}

/* Write a token of @fill bytes; 0, or -ENOBUFS with the size needed. */
static int kern_token_out(__u64 ptr, __u32 *len, int fill)
{
	if (*len < SECMSG_LOCAL_TOKEN_SIZE) {
		*len = SECMSG_LOCAL_TOKEN_SIZE;
		return -ENOBUFS;
	}
	memset((void *)(uintptr_t)ptr, fill, SECMSG_LOCAL_TOKEN_SIZE);
	*len = SECMSG_LOCAL_TOKEN_SIZE;
	return 0;
}

/* Read an establishment token: its length and first byte decide. */
static int kern_token_in(__u64 ptr, __u32 len, int want)
{
	const unsigned char *t = (const void *)(uintptr_t)ptr;

	if (len != SECMSG_LOCAL_TOKEN_SIZE)
		return -EMSGSIZE;
	return t[0] == want ? 0 : -EBADMSG;
}

static int kern_init(struct secmsg_init *ini)
{
	int ret;

	memcpy(&kern.init, ini, sizeof(kern.init));
	if (ini->size != sizeof(*ini) || ini->package != SECMSG_PKG_LOCAL)
		return -EINVAL;
	if (kern.init_errno)
		return -kern.init_errno;
	ret = kern_token_out(ini->token, &ini->token_len, 'I');
	if (ret)
		return ret;
	ini->status = kern.bad_status ? kern.bad_status :
					SECMSG_STATUS_CONTINUE_NEEDED;
	return kern.init_fd;
}

static int kern_accept(struct secmsg_accept *acc)
{
	int ret;

	memcpy(&kern.accept, acc, sizeof(kern.accept));
	if (acc->size != sizeof(*acc) || acc->package != SECMSG_PKG_LOCAL)
		return -EINVAL;
	if (kern.accept_errno)
		return -kern.accept_errno;
	if (acc->out_len < SECMSG_LOCAL_TOKEN_SIZE)
		return kern_token_out(acc->out_token, &acc->out_len, 'R');
	ret = kern_token_in(acc->in_token, acc->in_len, 'I');
	if (ret)
		return ret;
	kern_token_out(acc->out_token, &acc->out_len, 'R');
	acc->status = kern.bad_status ? kern.bad_status : SECMSG_STATUS_OK;
	acc->ctx_flags = SECMSG_CTX_MUTUAL_AUTH | SECMSG_CTX_INTEGRITY;
	acc->imp_level = SECMSG_IMP_IDENTIFY;
	return kern.accept_fd;
}

/* COMPLETE of a FRESH import: 32 bytes, not its own 'C' contribution. */
static int kern_complete_fresh(struct secmsg_complete *cmp)
{
	static const unsigned char own[SECMSG_CONTRIB_SIZE] = {
		[0 ... SECMSG_CONTRIB_SIZE - 1] = 'C'
	};

	if (cmp->in_len != SECMSG_CONTRIB_SIZE)
		return -EMSGSIZE;
	if (!memcmp((const void *)(uintptr_t)cmp->in_token, own, sizeof(own)))
		return -EBADMSG;
	cmp->status = kern.bad_status ? kern.bad_status : SECMSG_STATUS_OK;
	cmp->ctx_flags = SECMSG_CTX_REPLAY_DETECT | SECMSG_CTX_INTEGRITY;
	cmp->imp_level = 0;
	return 0;
}

static int kern_complete(struct secmsg_complete *cmp)
{
	int ret;

	memcpy(&kern.complete, cmp, sizeof(kern.complete));
	if (cmp->size != sizeof(*cmp))
		return -EINVAL;
	if (kern.complete_errno)
		return -kern.complete_errno;
	if (kern.ctx_fresh)
		return kern_complete_fresh(cmp);
	ret = kern_token_in(cmp->in_token, cmp->in_len, 'R');
	if (ret)
		return ret;
	cmp->status = kern.bad_status ? kern.bad_status : SECMSG_STATUS_OK;
	cmp->ctx_flags = SECMSG_CTX_MUTUAL_AUTH | SECMSG_CTX_INTEGRITY;
	cmp->imp_level = SECMSG_IMP_IDENTIFY;
	return 0;
}

/* IMPERSONATE and REVERT: the struct must be the uapi's, all zero. */
static int kern_imp(unsigned long req, void *arg)
{
	struct secmsg_impersonate *a = arg;

	memcpy(&kern.imp, a, sizeof(kern.imp));
	if (req == SECMSG_IOC_IMPERSONATE)
		kern.imp_calls++;
	else
		kern.revert_calls++;
	if (a->size != sizeof(*a) || a->flags || a->reserved)
		return -EINVAL;
	if (req == SECMSG_IOC_IMPERSONATE)
		return kern.imp_errno ? -kern.imp_errno : 0;
	return kern.revert_errno ? -kern.revert_errno : 0;
}

static int kern_ctx(unsigned long req, void *arg)
{
	switch (req) {
	case SECMSG_IOC_IMPERSONATE:
	case SECMSG_IOC_REVERT:
		return kern_imp(req, arg);
	case SECMSG_IOC_COMPLETE:
		return kern_complete(arg);
	case SECMSG_IOC_QUERY:
		return kern_query(arg);
	case SECMSG_IOC_SIGN:
		return kern_message(SECMSG_OP_SIGN, arg, kern.fail_errno);
	case SECMSG_IOC_VERIFY:
		return kern_message(SECMSG_OP_VERIFY, arg, kern.fail_errno);
	case SECMSG_IOC_SEAL:
		return kern_message(SECMSG_OP_SEAL, arg, kern.fail_errno);
	case SECMSG_IOC_UNSEAL:
		return kern_message(SECMSG_OP_UNSEAL, arg, kern.fail_errno);
	case SECMSG_IOC_BATCH:
		return kern_batch(arg);
	default:
		return -ENOTTY;
	}
}

uint64_t fake_kern_hash(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--)
		h = (h ^ *c++) * 0x100000001b3ull;
	return h;
}

/* IMPORT_KRB5: check what the uapi asks of every caller, and record. */
static int kern_import_krb5(struct secmsg_krb5_import *imp)
{
	kern.krb5_calls++;
	memcpy(&kern.krb5, imp, sizeof(kern.krb5));
	if (imp->size != sizeof(*imp) || imp->reserved ||
	    imp->local_name_len >= SECMSG_PRINCIPAL_MAX ||
	    imp->peer_name_len >= SECMSG_PRINCIPAL_MAX || !imp->key ||
	    imp->peer_ngroups > 65536)
		return -EINVAL;
	kern.krb5_key_hash = fake_kern_hash((void *)(uintptr_t)imp->key,
					    imp->key_len);
	memcpy(kern.krb5_local, (void *)(uintptr_t)imp->local_name,
	       imp->local_name_len);
	kern.krb5_local[imp->local_name_len] = 0;
	memcpy(kern.krb5_peer, (void *)(uintptr_t)imp->peer_name,
	       imp->peer_name_len);
	kern.krb5_peer[imp->peer_name_len] = 0;
	if (imp->peer_ngroups)
		memcpy(kern.krb5_groups, (void *)(uintptr_t)imp->peer_groups,
		       sizeof(__u32) * (imp->peer_ngroups < 64 ?
				       imp->peer_ngroups : 64));
	if (kern.krb5_errno)
		return -kern.krb5_errno;
	return kern.krb5_fd;
}

static int kern_dev(unsigned long req, void *arg)
{
	if (req == SECMSG_IOC_IMPORT_KRB5)
		return kern_import_krb5(arg);
	if (req == SECMSG_IOC_INIT)
		return kern_init(arg);
	if (req == SECMSG_IOC_ACCEPT)
		return kern_accept(arg);
	if (req == SECMSG_IOC_REVERT)
		return kern_imp(req, arg);
	if (req != SECMSG_IOC_IMPORT)
		return -ENOTTY;
	memcpy(&kern.import, arg, sizeof(kern.import));
	if (kern.import_errno)
		return -kern.import_errno;
	if (kern.import.flags & SECMSG_IMPORT_FRESH) {
		if (kern.import.contrib_len < SECMSG_CONTRIB_SIZE)
			return -EINVAL;
		memset((void *)(uintptr_t)kern.import.contrib, 'C',
		       SECMSG_CONTRIB_SIZE);
	}
	return kern.import_fd;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	kern.calls++;
	if (fd >= 0 && fd == kern.dev_fd)
		ret = kern_dev(req, arg);
	else if (fd >= 0 && fd == kern.ctx_fd)
		ret = kern_ctx(req, arg);
	else
		return syscall(SYS_ioctl, fd, req, arg);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

/*
 * The default hook: the plain open, what glibc's open() does too (the
 * openat system call on AT_FDCWD), for the programs that script no open
 * (fuzz_message, fuzz_context, fuzz_status); test_lib.c, test_krb5.c and
 * fuzz_establish.c define their own.  A weak definition, so that open()
 * below is the one for all and needs no NULL test, and a program's own
 * fake_open_hook() replaces this one at link time.  The attributes here
 * are spelt out: the kernel's __weak and __alias() are not user space's.
 */
__attribute__((weak)) int fake_open_hook(const char *path, int flags,
					 mode_t mode)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

/* The mode is an argument only with O_CREAT or O_TMPFILE (open(2)). */
int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return fake_open_hook(path, flags, mode);
}

/* The same function (as glibc's open64 is its open, on 64-bit) */
extern __typeof__(open) open64 __attribute__((alias("open")));
