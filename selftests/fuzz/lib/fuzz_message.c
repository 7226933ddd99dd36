// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: libsecmsg's message path (sm_sign, sm_verify, sm_seal,
 * sm_unseal, sm_batch) against the fake kernel of libsecmsg/fake_kernel.c,
 * whose every answer is scripted by the input.
 *
 * Input: op, qop, buffer layouts (types, flags, lengths up to and above
 * 4 GiB, NULL or arbitrary data pointers), a message count (crossing the
 * 1024-message chunks of BATCH), then, read as the fake kernel is called,
 * per BATCH call whether it fails whole, and per message what the kernel
 * answers: success (new lens, a stream unseal's DATA pointer anywhere near
 * the STREAM, seq, qop) or a failure (verdict, errno, needed, index, and
 * scribbled buffers it must not have written).
 *
 * Checked: what reaches the kernel is the caller's message; arguments that
 * cannot reach it fail with SM_E_INVALID_PARAMETER and EINVAL/EMSGSIZE and
 * no ioctl; every status is one documented for the call, a verdict's is
 * its own; buffers, seq and qop are written back only on SM_E_OK, and then
 * exactly as the kernel wrote them (so DATA points inside the STREAM only
 * when the kernel said so); errno is the kernel's on failure; a batch
 * keeps every message's result across chunks, and the messages of a failed
 * chunk and after it have the call's status; no stale out fields reach the
 * kernel.  ASan and UBSan watch the rest.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include "fake_kernel.h"
#include "fuzz.h"

#define MAX_TEMPLATES 4

/* What the fake kernel answered for one message */
struct rec {
	int err; /* errno returned, 0 on success */
	uint32_t verdict, needed, index, qop;
	uint64_t seq;
	uint32_t len[SECMSG_MAX_BUFFERS];
	uint64_t ptr[SECMSG_MAX_BUFFERS];
};

static struct {
	struct rd *in;
	int op; /* SM_OP_* of the messages */
	const struct sm_message *msgs; /* the caller's, as passed in */
	const struct sm_buffer *const *orig; /* their buffers before */
	unsigned int count, next; /* messages, next to reach the kernel */
	struct rec *recs;
	int single;
	unsigned int chunks; /* BATCH calls seen */
	int chunk_err[4]; /* errno a BATCH call failed with, else 0 */
} fz;

static sm_ctx *ctx;
static unsigned char arena[4096];

static const sm_status msg_statuses[] = {
	SM_E_OK,
	SM_E_MESSAGE_ALTERED,
	SM_E_REPLAYED,
	SM_E_TOO_OLD,
	SM_E_OUT_OF_SEQUENCE,
	SM_E_INVALID_TOKEN,
	SM_E_CONTEXT_EXPIRED,
	SM_E_CONTEXT_INCOMPLETE,
	SM_E_CONTEXT_REVOKED,
	SM_E_BUFFER_TOO_SMALL,
	SM_E_INCOMPLETE_MESSAGE,
	SM_E_QOP_NOT_SUPPORTED,
	SM_E_INVALID_PARAMETER,
	SM_E_INVALID_HANDLE,
	SM_E_INSUFFICIENT_MEMORY,
	SM_E_UNSUPPORTED_FUNCTION,
	SM_E_INTERNAL_ERROR,
};
#define MSG_OK(st) status_in(st, msg_statuses, SM_ARRAY(msg_statuses))
#define SM_ARRAY(a) (sizeof(a) / sizeof((a)[0]))

/* sm_batch()'s own return */
static const sm_status batch_statuses[] = {
	SM_E_OK,
	SM_E_INVALID_PARAMETER,
	SM_E_INVALID_HANDLE,
	SM_E_INSUFFICIENT_MEMORY,
	SM_E_INTERNAL_ERROR,
};

/* A verdict decides the status (uapi "Results and verdicts") */
static const sm_status verdict_status[] = {
	[SECMSG_VERDICT_ALTERED] = SM_E_MESSAGE_ALTERED,
	[SECMSG_VERDICT_REPLAYED] = SM_E_REPLAYED,
	[SECMSG_VERDICT_TOO_OLD] = SM_E_TOO_OLD,
	[SECMSG_VERDICT_OUT_OF_SEQUENCE] = SM_E_OUT_OF_SEQUENCE,
	[SECMSG_VERDICT_EXPIRED] = SM_E_CONTEXT_EXPIRED,
	[SECMSG_VERDICT_BAD_TOKEN] = SM_E_INVALID_TOKEN,
	[SECMSG_VERDICT_BUFFER_TOO_SMALL] = SM_E_BUFFER_TOO_SMALL,
	[SECMSG_VERDICT_INCOMPLETE_MESSAGE] = SM_E_INCOMPLETE_MESSAGE,
	[SECMSG_VERDICT_QOP_NOT_SUPPORTED] = SM_E_QOP_NOT_SUPPORTED,
	[SECMSG_VERDICT_INCOMPLETE_CONTEXT] = SM_E_CONTEXT_INCOMPLETE,
	[SECMSG_VERDICT_REVOKED] = SM_E_CONTEXT_REVOKED,
};

static int qop_is_in(int op)
{
	return op == SM_OP_SIGN || op == SM_OP_SEAL;
}

static int hook_msg(unsigned int op, struct secmsg_message *m)
{
	struct secmsg_buffer *kb = (void *)(uintptr_t)m->buffers;
	struct secmsg_buffer *stream = NULL, *data = NULL;
	const struct sm_message *um;
	struct rd *in = fz.in;
	struct rec *r;
	unsigned int i, n;

	CHECK(fz.next < fz.count, "message %u of %u", fz.next, fz.count);
	CHECK(op == (unsigned int)fz.op, "op %u, not %d", op, fz.op);
	um = &fz.msgs[fz.next];
	r = &fz.recs[fz.next++];
	n = um->nbufs;

	/* What reaches the kernel is the caller's message. */
	CHECK(m->nbuffers == n, "nbuffers %u, not %u", m->nbuffers, n);
	CHECK(m->qop == (qop_is_in(fz.op) ? um->qop : 0), "qop %#x", m->qop);
	CHECK(m->flags == um->flags, "flags %#x", m->flags);
	for (i = 0; i < n; i++) {
		const struct sm_buffer *b = &um->bufs[i];

		CHECK(kb[i].type == b->type && kb[i].flags == b->flags &&
			      kb[i].ptr == (uintptr_t)b->data &&
			      kb[i].len == b->len && kb[i].reserved == 0,
		      "buffer %u: type %u flags %#x len %u", i, kb[i].type,
		      kb[i].flags, kb[i].len);
		if (kb[i].type == SECMSG_BUF_STREAM)
			stream = &kb[i];
		if (kb[i].type == SECMSG_BUF_DATA)
			data = &kb[i];
	}

	memset(r, 0, sizeof(*r));
	switch (rd8(in) % 4) {
	case 0:
	case 1: /* success */
		for (i = 0; i < n; i++)
			if (rd8(in) & 1)
				kb[i].len = rd32(in);
		if (op == SECMSG_OP_UNSEAL && stream && data && rd8(in) & 1) {
			int16_t off = (int16_t)rd16(in);

			data->ptr = stream->ptr + (uint64_t)(int64_t)off;
		}
		m->seq = rd64(in);
		if (op == SECMSG_OP_VERIFY || op == SECMSG_OP_UNSEAL)
			m->qop = rd8(in) & 1 ? SECMSG_QOP_WRAP_NO_ENCRYPT :
					       rd32(in);
		break;
	case 2: /* a verdict, possibly one newer than the library */
		m->verdict = rd8(in) % (SECMSG_VERDICT_MAX + 3);
		m->needed = rd32(in);
		m->index = rd8(in) & 1 ? 0xffffffffu : rd8(in);
		r->err = fuzz_errno(in);
		m->error = -r->err;
		/* Scribbles the kernel never makes: must not come back. */
		for (i = 0; i < n; i++)
			kb[i].len = rd32(in);
		m->seq = rd64(in);
		m->qop = rd32(in);
		break;
	default: /* not processed */
		r->err = fuzz_errno(in);
		break;
	}
	r->verdict = m->verdict;
	r->needed = m->needed;
	r->index = m->index;
	r->seq = m->seq;
	r->qop = m->qop;
	for (i = 0; i < n; i++) {
		r->len[i] = kb[i].len;
		r->ptr[i] = kb[i].ptr;
	}
	return -r->err;
}

static int hook_batch(struct secmsg_batch *b)
{
	unsigned int k = fz.chunks++;
	unsigned int want = fz.count - k * SECMSG_MAX_BATCH;

	if (want > SECMSG_MAX_BATCH)
		want = SECMSG_MAX_BATCH;
	CHECK(!fz.single, "BATCH from a single call");
	CHECK(k < SM_ARRAY(fz.chunk_err), "chunk %u", k);
	CHECK(fz.next == k * SECMSG_MAX_BATCH, "chunk %u at message %u", k,
	      fz.next);
	CHECK(b->count == want, "chunk %u: count %u, not %u", k, b->count,
	      want);
	CHECK(b->op == (uint32_t)fz.op && b->flags == 0 && b->reserved == 0,
	      "op %u flags %#x", b->op, b->flags);
	if (rd8(fz.in) % 8 == 0) {
		fz.chunk_err[k] = fuzz_errno(fz.in);
		return -fz.chunk_err[k];
	}
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	(void)argc;
	(void)argv;
	if (fd < 0)
		abort();
	kern.ctx_fd = fd;
	if (sm_ctx_from_fd(fd, &ctx) != SM_E_OK)
		abort();
	kern.msg_hook = hook_msg;
	kern.batch_hook = hook_batch;
	return 0;
}

static void read_buffer(struct rd *in, struct sm_buffer *b)
{
	static const uint32_t types[] = {
		SM_BUF_EMPTY,	      SM_BUF_DATA,	    SM_BUF_TOKEN,
		SM_BUF_STREAM_TRAILER, SM_BUF_STREAM_HEADER, SM_BUF_PADDING,
		SM_BUF_STREAM,
	};
	uint8_t c = rd8(in);

	b->type = c < 240 ? types[c % SM_ARRAY(types)] : rd32(in);
	c = rd8(in);
	b->flags = c < 128 ? 0 :
		   c < 170 ? SM_BUF_READONLY :
		   c < 210 ? SM_BUF_READONLY_WITH_CHECKSUM :
			     rd32(in);
	c = rd8(in);
	switch (c % 8) {
	case 0:
		b->len = 0;
		break;
	case 1:
	case 2:
	case 3:
		b->len = rd8(in);
		break;
	case 4:
		b->len = rd32(in);
		break;
	case 5:
		b->len = UINT32_MAX;
		break;
	case 6: /* above 4 GiB, where size_t has room */
		b->len = (size_t)(((uint64_t)UINT32_MAX + 1 + rd16(in)) &
				  SIZE_MAX);
		break;
	default:
		b->len = SIZE_MAX - rd8(in);
		break;
	}
	c = rd8(in);
	b->data = c < 32 ? NULL : arena + rd16(in) % sizeof(arena);
}

/* Are the caller's buffers (or out fields) of message @i as they were? */
static void check_untouched(const struct sm_buffer *now,
			    const struct sm_buffer *before, unsigned int n,
			    unsigned int i)
{
	CHECK(!memcmp(now, before, n * sizeof(*now)),
	      "message %u: buffers written on failure", i);
}

static void check_written(const struct sm_buffer *now,
			  const struct sm_buffer *before, const struct rec *r,
			  unsigned int n, unsigned int i)
{
	unsigned int j;

	for (j = 0; j < n; j++) {
		CHECK(now[j].type == before[j].type &&
			      now[j].flags == before[j].flags,
		      "message %u buffer %u: type or flags changed", i, j);
		CHECK(now[j].len == r->len[j], "message %u buffer %u: len %zu, kernel %u",
		      i, j, now[j].len, r->len[j]);
		CHECK((uintptr_t)now[j].data == r->ptr[j],
		      "message %u buffer %u: data not the kernel's", i, j);
	}
}

static int msg_invalid(const struct sm_message *m, int *err)
{
	unsigned int j;

	if (!m->bufs || m->nbufs == 0 || m->nbufs > SM_MAX_BUFFERS) {
		*err = EINVAL;
		return 1;
	}
	for (j = 0; j < m->nbufs; j++)
		if (m->bufs[j].len > UINT32_MAX) {
			*err = EMSGSIZE;
			return 1;
		}
	return 0;
}

static void check_failed_status(sm_status st, const struct rec *r,
				unsigned int i)
{
	CHECK(SM_FAILED(st) && MSG_OK(st), "message %u: status %#x", i,
	      (uint32_t)st);
	if (r->verdict >= 1 && r->verdict <= SECMSG_VERDICT_MAX)
		CHECK(st == verdict_status[r->verdict],
		      "message %u: verdict %u gave %#x", i, r->verdict,
		      (uint32_t)st);
}

static void run_single(struct rd *in, int op, uint32_t qop, sm_ctx *c,
		       struct sm_buffer *bufs, const struct sm_buffer *before,
		       unsigned int n)
{
	struct sm_message um = { .bufs = bufs, .nbufs = n, .qop = qop };
	uint64_t seq = 0x5eed5eed5eed5eedull;
	uint32_t qop_out = 0xdeadbeef;
	uint8_t outs = rd8(in);
	uint64_t *seqp = outs & 1 ? &seq : NULL;
	uint32_t *qopp = outs & 2 ? &qop_out : NULL;
	struct rec rec;
	sm_status st;
	int err = 0, invalid;

	fz.msgs = &um;
	fz.count = 1;
	fz.recs = &rec;
	fz.single = 1;
	invalid = !c || !bufs || n == 0 || n > SM_MAX_BUFFERS ?
			  (err = EINVAL, 1) :
			  msg_invalid(&um, &err);

	errno = 0;
	switch (op) {
	case SM_OP_SIGN:
		st = sm_sign(c, qop, bufs, n, seqp);
		break;
	case SM_OP_VERIFY:
		st = sm_verify(c, bufs, n, seqp, qopp);
		break;
	case SM_OP_SEAL:
		st = sm_seal(c, qop, bufs, n, seqp);
		break;
	default:
		st = sm_unseal(c, bufs, n, seqp, qopp);
		break;
	}
	CHECK(MSG_OK(st), "status %#x not documented", (uint32_t)st);
	if (invalid) {
		CHECK(st == SM_E_INVALID_PARAMETER && errno == err &&
			      kern.calls == 0,
		      "invalid: status %#x errno %d calls %u", (uint32_t)st,
		      errno, kern.calls);
		if (bufs)
			check_untouched(bufs, before, n, 0);
		return;
	}
	CHECK(kern.calls == 1 && fz.next == 1, "%u ioctls", kern.calls);
	if (rec.err) {
		check_failed_status(st, &rec, 0);
		CHECK(errno == rec.err, "errno %d, kernel %d", errno, rec.err);
		check_untouched(bufs, before, n, 0);
		CHECK(seq == 0x5eed5eed5eed5eedull && qop_out == 0xdeadbeef,
		      "seq or qop written on failure");
		return;
	}
	CHECK(st == SM_E_OK, "kernel succeeded, status %#x", (uint32_t)st);
	check_written(bufs, before, &rec, n, 0);
	CHECK(!seqp || seq == rec.seq, "seq %llu, kernel %llu",
	      (unsigned long long)seq, (unsigned long long)rec.seq);
	if (op == SM_OP_VERIFY || op == SM_OP_UNSEAL)
		CHECK(!qopp || qop_out == rec.qop, "qop %#x, kernel %#x",
		      qop_out, rec.qop);
	else
		CHECK(qop_out == 0xdeadbeef, "qop written by sign/seal");
}

static void run_batch(struct rd *in, int op, sm_ctx *c,
		      struct sm_message *msgs, const struct sm_message *mbefore,
		      const struct sm_buffer *const *before, unsigned int count)
{
	unsigned int i, done;
	int err = 0, err_out, invalid = !c || op < SM_OP_SIGN || op > SM_OP_UNSEAL;
	sm_status st;

	(void)in;
	fz.msgs = mbefore;
	fz.count = count;
	fz.single = 0;
	if (invalid)
		err = EINVAL;
	for (i = 0; i < count && !invalid; i++)
		invalid = msg_invalid(&msgs[i], &err);

	errno = 0;
	st = sm_batch(c, op, msgs, count);
	err_out = errno;
	CHECK(status_in(st, batch_statuses, SM_ARRAY(batch_statuses)),
	      "sm_batch returned %#x", (uint32_t)st);
	if (invalid) {
		CHECK(st == SM_E_INVALID_PARAMETER && err_out == err &&
			      kern.calls == 0,
		      "invalid: status %#x errno %d calls %u", (uint32_t)st,
		      err_out, kern.calls);
		for (i = 0; i < count; i++) {
			CHECK(msgs[i].status == st && msgs[i].error == err &&
				      msgs[i].index == SM_INDEX_NONE,
			      "message %u: status %#x", i,
			      (uint32_t)msgs[i].status);
			if (msgs[i].bufs)
				check_untouched(msgs[i].bufs, before[i],
						msgs[i].nbufs, i);
		}
		return;
	}

	/* One BATCH call per 1024 messages, up to the first that failed. */
	for (i = 0; i < fz.chunks; i++)
		if (fz.chunk_err[i])
			break;
	CHECK(kern.calls == fz.chunks && kern.batch_calls == fz.chunks,
	      "%u ioctls for %u chunks", kern.calls, fz.chunks);
	if (i < fz.chunks) {
		CHECK(i == fz.chunks - 1, "went on after chunk %u failed", i);
		CHECK(st != SM_E_OK && err_out == fz.chunk_err[i],
		      "chunk %u failed (errno %d): status %#x errno %d", i,
		      fz.chunk_err[i], (uint32_t)st, err_out);
		done = i * SECMSG_MAX_BATCH;
	} else {
		CHECK(st == SM_E_OK, "status %#x", (uint32_t)st);
		CHECK(fz.chunks == (count + SECMSG_MAX_BATCH - 1) /
					   SECMSG_MAX_BATCH,
		      "%u chunks for %u messages", fz.chunks, count);
		done = count;
	}
	CHECK(fz.next == (i < fz.chunks ? done : count), "kernel saw %u",
	      fz.next);

	for (i = 0; i < count; i++) {
		const struct sm_message *m = &msgs[i], *mb = &mbefore[i];
		const struct rec *r = &fz.recs[i];

		CHECK(m->bufs == mb->bufs && m->nbufs == mb->nbufs &&
			      m->flags == mb->flags,
		      "message %u: inputs changed", i);
		if (i >= done) {
			CHECK(m->status == st && m->error == err_out &&
				      m->index == SM_INDEX_NONE &&
				      m->needed == 0 && m->seq == 0 &&
				      m->qop == mb->qop,
			      "message %u after the failed chunk: status %#x",
			      i, (uint32_t)m->status);
			check_untouched(m->bufs, before[i], m->nbufs, i);
			continue;
		}
		CHECK(m->needed == r->needed && m->index == r->index,
		      "message %u: needed %u index %u", i, m->needed,
		      m->index);
		if (r->err) {
			check_failed_status(m->status, r, i);
			CHECK(m->error == r->err, "message %u: error %d, kernel %d",
			      i, m->error, r->err);
			CHECK(m->seq == 0 && m->qop == mb->qop,
			      "message %u: seq or qop written on failure", i);
			check_untouched(m->bufs, before[i], m->nbufs, i);
			continue;
		}
		CHECK(m->status == SM_E_OK && m->error == 0,
		      "message %u: status %#x, kernel said ok", i,
		      (uint32_t)m->status);
		CHECK(m->seq == r->seq, "message %u: seq", i);
		CHECK(m->qop == (qop_is_in(op) ? mb->qop : r->qop),
		      "message %u: qop %#x", i, m->qop);
		check_written(m->bufs, before[i], r, m->nbufs, i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sm_buffer tmpl[MAX_TEMPLATES][SM_MAX_BUFFERS + 2];
	unsigned int tn[MAX_TEMPLATES], ntmpl, i, j, count;
	struct rd in = { data, size };
	struct sm_message *msgs, *mbefore;
	struct sm_buffer *bufs, *bbefore;
	const struct sm_buffer **before;
	struct rec *recs;
	uint8_t kind = rd8(&in), c;
	int op, batch = kind % 5 == 4;
	uint32_t qop;
	sm_ctx *cx = rd8(&in) < 8 ? NULL : ctx;

	op = batch ? (rd8(&in) < 240 ? 1 + rd8(&in) % 4 : (int8_t)rd8(&in)) :
		     1 + kind % 5;
	c = rd8(&in);
	qop = c < 128 ? SM_QOP_DEFAULT :
	      c < 200 ? SM_QOP_WRAP_NO_ENCRYPT :
			rd32(&in);

	ntmpl = 1 + rd8(&in) % MAX_TEMPLATES;
	for (i = 0; i < ntmpl; i++) {
		c = rd8(&in);
		tn[i] = c < 250 ? 1 + c % SM_MAX_BUFFERS :
			c == 250 ? 0 : SM_MAX_BUFFERS + 1 + c % 2;
		for (j = 0; j < tn[i]; j++)
			read_buffer(&in, &tmpl[i][j]);
	}

	if (batch) {
		c = rd8(&in);
		if (c < 200)
			count = 1 + c % 20;
		else if (c < 245)
			count = 17 + rd8(&in);
		else if (c < 255)
			count = SECMSG_MAX_BATCH * (1 + c % 3) - 100 +
				rd8(&in);
		else
			count = 0;
	} else {
		count = 1;
	}

	/* Each message its own buffers, and a copy to compare with. */
	msgs = calloc(count + 1, sizeof(*msgs));
	mbefore = calloc(count + 1, sizeof(*mbefore));
	before = calloc(count + 1, sizeof(*before));
	bufs = calloc((size_t)(count + 1) * (SM_MAX_BUFFERS + 2), sizeof(*bufs));
	bbefore = calloc((size_t)(count + 1) * (SM_MAX_BUFFERS + 2),
			 sizeof(*bbefore));
	recs = calloc(count + 1, sizeof(*recs));
	if (!msgs || !mbefore || !before || !bufs || !bbefore || !recs)
		abort();
	for (i = 0; i < count; i++) {
		unsigned int t = i % ntmpl;
		struct sm_buffer *b = bufs + (size_t)i * (SM_MAX_BUFFERS + 2);
		struct sm_buffer *bb = bbefore + (size_t)i * (SM_MAX_BUFFERS + 2);

		memcpy(b, tmpl[t], tn[t] * sizeof(*b));
		memcpy(bb, tmpl[t], tn[t] * sizeof(*b));
		msgs[i] = (struct sm_message){
			.bufs = b,
			.nbufs = tn[t],
			.qop = i % 3 ? qop : SM_QOP_WRAP_NO_ENCRYPT,
			/* stale out fields of an earlier call */
			.status = (sm_status)0x12345678,
			.error = 77,
			.needed = 5,
			.index = 3,
			.seq = 99,
		};
		if (t == 3 && tn[t] && (tmpl[t][0].flags & 1))
			msgs[i].bufs = NULL;
		if (t == 2 && tn[t] && (tmpl[t][0].flags & 2))
			msgs[i].flags = 1;
		mbefore[i] = msgs[i];
		before[i] = bb;
	}
	fz.in = &in;
	fz.recs = recs;
	fz.op = op;
	fz.next = 0;
	fz.chunks = 0;
	memset(fz.chunk_err, 0, sizeof(fz.chunk_err));
	kern.calls = 0;
	kern.batch_calls = 0;
	kern.dirty = 0;

	if (batch) {
		if (count == 0) {
			errno = 0;
			CHECK(sm_batch(cx, op, rd8(&in) & 1 ? msgs : NULL, 0) ==
					      SM_E_INVALID_PARAMETER &&
				      errno == EINVAL && kern.calls == 0,
			      "count 0");
		} else {
			run_batch(&in, op, cx, msgs, mbefore, before, count);
		}
	} else {
		run_single(&in, op, qop, cx, rd8(&in) < 8 ? NULL : bufs,
			   bbefore, tn[0]);
	}
	CHECK(kern.dirty == 0, "%u messages reached the kernel with stale out fields",
	      kern.dirty);

	free(msgs);
	free(mbefore);
	free(before);
	free(bufs);
	free(bbefore);
	free(recs);
	return 0;
}
