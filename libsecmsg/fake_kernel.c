// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fake secmsg.ko of the host tests and the libFuzzer targets; see
 * fake_kernel.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fake_kernel.h"

struct fake_kern kern = { .dev_fd = -1, .ctx_fd = -1, .import_fd = -1 };

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

static int kern_ctx(unsigned long req, void *arg)
{
	switch (req) {
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

static int kern_dev(unsigned long req, void *arg)
{
	if (req != SECMSG_IOC_IMPORT)
		return -ENOTTY;
	memcpy(&kern.import, arg, sizeof(kern.import));
	if (kern.import_errno)
		return -kern.import_errno;
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

