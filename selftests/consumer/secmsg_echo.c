// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg_echo: a sample kernel consumer of secmsg's exported API.
 *
 * A small kernel service behind a misc device: user space attaches a
 * secmsg context by fd, sends sealed requests with write(), and reads
 * sealed replies (its request, upper-cased) with read().  The interface is
 * in secmsg_echo.h.  Every request is unsealed, and every reply sealed,
 * with the attached context through secmsg_kunseal() and secmsg_kseal():
 * kvec buffers by default, scatterlist buffers (the message cut into
 * uneven pieces, so that buffers straddle entries) with SECMSG_ECHO_SG.
 *
 * The context reference outlives the user's fd: the service holds it
 * until DETACH or the close of its own file.  While it is held, secmsg.ko
 * cannot be unloaded.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/secmsg_kernel.h>

#include "secmsg_echo.h"

#define ECHO_HDR	SECMSG_STREAM_HEADER_SIZE
#define ECHO_TRL	SECMSG_STREAM_TRAILER_SIZE
#define ECHO_SIG_MAX	4096

/**
 * struct echo_file - one open file of the device
 * @lock:      serialises the calls on the file
 * @ctx:       the attached context, or NULL
 * @flags:     SECMSG_ECHO_* of ATTACH
 * @reply:     the sealed reply waiting for read(), or NULL
 * @reply_len: its length
 */
struct echo_file {
	struct mutex lock;	/* protects the fields below */
	struct secmsg_ctx *ctx;
	u32 flags;
	u8 *reply;
	size_t reply_len;
};

/* A scatterlist over @buf cut at @cut1 and @cut2 (in order, <= @len). */
static void echo_sg3(struct scatterlist sg[3], u8 *buf, u32 len, u32 cut1,
		     u32 cut2)
{
	sg_init_table(sg, 3);
	sg_set_buf(&sg[0], buf, cut1);
	sg_set_buf(&sg[1], buf + cut1, cut2 - cut1);
	sg_set_buf(&sg[2], buf + cut2, len - cut2);
}

static void echo_kvec(struct secmsg_kbuffer *b, u32 type, void *base, u32 len)
{
	struct kvec v = { .iov_base = base, .iov_len = len };

	secmsg_kbuf_kvec(b, type, 0, &v);
}

/* A kernel copy of @len user bytes (none: a 1-byte buffer). */
static void *echo_copy_in(const void __user *ubuf, size_t len)
{
	void *p = kmalloc(len ?: 1, GFP_KERNEL);

	if (!p)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(p, ubuf, len)) {
		kfree_sensitive(p);
		return ERR_PTR(-EFAULT);
	}
	return p;
}

/*
 * Unseal the stream at @req (@len bytes) in place; on success *@data and
 * *@n are the plaintext inside it.
 */
static int echo_unseal(struct echo_file *ef, u8 *req, u32 len, u8 **data,
		       u32 *n)
{
	struct secmsg_kbuffer b[2];
	struct secmsg_kmsg m = { .nbuffers = 2, .buffers = b };
	struct scatterlist sg[3];
	int err;

	if (ef->flags & SECMSG_ECHO_SG) {
		/* Cuts inside the header and inside the data. */
		echo_sg3(sg, req, len, min_t(u32, 7, len),
			 max_t(u32, min_t(u32, 7, len), len / 2));
		secmsg_kbuf_sg(&b[0], SECMSG_BUF_STREAM, 0, sg, 0, len);
	} else {
		echo_kvec(&b[0], SECMSG_BUF_STREAM, req, len);
	}
	echo_kvec(&b[1], SECMSG_BUF_DATA, NULL, 0);
	err = secmsg_kunseal(ef->ctx, &m);
	if (err)
		return err;
	/* The DATA buffer now describes the plaintext inside the stream. */
	if (ef->flags & SECMSG_ECHO_SG) {
		if (WARN_ON_ONCE(b[1].sg != sg || b[1].base))
			return -EIO;
		*data = req + b[1].offset;
	} else {
		*data = b[1].base;
	}
	*n = b[1].len;
	return 0;
}

/* Seal @n bytes at @rep + ECHO_HDR into the stream at @rep. */
static int echo_seal(struct echo_file *ef, u8 *rep, u32 n)
{
	struct secmsg_kbuffer b[3];
	struct secmsg_kmsg m = { .qop = SECMSG_QOP_DEFAULT, .nbuffers = 3,
				 .buffers = b };
	u32 len = ECHO_HDR + n + ECHO_TRL;
	struct scatterlist sg[3];

	if (ef->flags & SECMSG_ECHO_SG) {
		/* One list, cut inside the data and inside the trailer. */
		echo_sg3(sg, rep, len, ECHO_HDR + n / 3, len - 5);
		secmsg_kbuf_sg(&b[0], SECMSG_BUF_STREAM_HEADER, 0, sg, 0,
			       ECHO_HDR);
		secmsg_kbuf_sg(&b[1], SECMSG_BUF_DATA, 0, sg, ECHO_HDR, n);
		secmsg_kbuf_sg(&b[2], SECMSG_BUF_STREAM_TRAILER, 0, sg,
			       ECHO_HDR + n, ECHO_TRL);
	} else {
		echo_kvec(&b[0], SECMSG_BUF_STREAM_HEADER, rep, ECHO_HDR);
		echo_kvec(&b[1], SECMSG_BUF_DATA, rep + ECHO_HDR, n);
		echo_kvec(&b[2], SECMSG_BUF_STREAM_TRAILER, rep + ECHO_HDR + n,
			  ECHO_TRL);
	}
	return secmsg_kseal(ef->ctx, &m);
}

static ssize_t echo_write(struct file *file, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	struct echo_file *ef = file->private_data;
	u8 *req, *rep = NULL, *data;
	u32 n, i;
	int err;

	if (count > SECMSG_ECHO_MAX)
		return -EMSGSIZE;
	req = echo_copy_in(ubuf, count);
	if (IS_ERR(req))
		return PTR_ERR(req);
	/*
	 * The reply is as long as the request.  Allocated first: once the
	 * unseal accepted the request, its number is used up.
	 */
	rep = kmalloc(count ?: 1, GFP_KERNEL);
	if (!rep) {
		kfree_sensitive(req);
		return -ENOMEM;
	}

	mutex_lock(&ef->lock);
	err = -EBADFD;
	if (!ef->ctx)
		goto out;
	err = echo_unseal(ef, req, count, &data, &n);
	if (err)
		goto out;

	/* The service: upper-case the request into the reply. */
	for (i = 0; i < n; i++)
		rep[ECHO_HDR + i] = data[i] >= 'a' && data[i] <= 'z' ?
				    data[i] - 'a' + 'A' : data[i];
	err = echo_seal(ef, rep, n);
	if (err)
		goto out;
	kfree(ef->reply);
	ef->reply = rep;
	ef->reply_len = ECHO_HDR + n + ECHO_TRL;
	rep = NULL;
	err = 0;
out:
	mutex_unlock(&ef->lock);
	kfree_sensitive(rep);
	kfree_sensitive(req);	/* it held plaintext */
	return err ?: count;
}

static ssize_t echo_read(struct file *file, char __user *ubuf, size_t count,
			 loff_t *ppos)
{
	struct echo_file *ef = file->private_data;
	ssize_t ret;

	mutex_lock(&ef->lock);
	if (!ef->reply) {
		ret = -ENODATA;
	} else if (count < ef->reply_len) {
		ret = -ENOBUFS;
	} else if (copy_to_user(ubuf, ef->reply, ef->reply_len)) {
		ret = -EFAULT;
	} else {
		ret = ef->reply_len;
		kfree(ef->reply);
		ef->reply = NULL;
	}
	mutex_unlock(&ef->lock);
	return ret;
}

static void echo_detach(struct echo_file *ef)
{
	secmsg_kctx_put(ef->ctx);
	ef->ctx = NULL;
	kfree(ef->reply);
	ef->reply = NULL;
}

static long echo_attach(struct echo_file *ef, void __user *uarg)
{
	struct secmsg_echo_attach a;
	struct secmsg_ctx *ctx;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags & ~SECMSG_ECHO_SG)
		return -EINVAL;
	if (ef->ctx)
		return -EBUSY;
	ctx = secmsg_kctx_from_fd(a.fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	ef->ctx = ctx;
	ef->flags = a.flags;
	return 0;
}

static long echo_query(struct echo_file *ef, void __user *uarg)
{
	struct secmsg_query *q;
	long err = 0;

	q = kmalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return -ENOMEM;
	secmsg_kquery(ef->ctx, q);
	if (copy_to_user(uarg, q, sizeof(*q)))
		err = -EFAULT;
	kfree(q);
	return err;
}

/* Sign @s's data with the context, or verify it against @s's token. */
static long echo_sig(struct echo_file *ef, void __user *uarg, bool sign)
{
	struct secmsg_kbuffer b[2];
	struct secmsg_kmsg m = { .nbuffers = 2, .buffers = b };
	struct secmsg_echo_sig s;
	u8 *data;
	int err;

	if (copy_from_user(&s, uarg, sizeof(s)))
		return -EFAULT;
	if (s.len > ECHO_SIG_MAX)
		return -EMSGSIZE;
	data = echo_copy_in(u64_to_user_ptr(s.data), s.len);
	if (IS_ERR(data))
		return PTR_ERR(data);
	echo_kvec(&b[0], SECMSG_BUF_TOKEN, s.token, sizeof(s.token));
	echo_kvec(&b[1], SECMSG_BUF_DATA, data, s.len);
	err = sign ? secmsg_ksign(ef->ctx, &m) : secmsg_kverify(ef->ctx, &m);
	kfree(data);
	/* As the ioctls: the result is reported with a verdict, too. */
	if (!err || m.verdict != SECMSG_VERDICT_OK) {
		s.verdict = m.verdict;
		s.seq = m.seq;
		if (copy_to_user(uarg, &s, sizeof(s)))
			return -EFAULT;
	}
	return err;
}

/* MSG's kernel copy of a message. */
struct echo_msg {
	struct secmsg_buffer ub[SECMSG_MAX_BUFFERS];
	struct secmsg_kbuffer kb[SECMSG_MAX_BUFFERS];
	struct scatterlist sg[SECMSG_MAX_BUFFERS][2];
	u8 *mem[SECMSG_MAX_BUFFERS];
};

/* Where a scatterlist buffer starts in its list (and in its memory). */
#define ECHO_SG_OFF	3

/*
 * Copy buffer @i in: its bytes (all of them, whatever the call will
 * read), described as a kvec or, cut in two, as a scatterlist.
 */
static int echo_msg_buf(struct echo_msg *e, unsigned int i, bool sg)
{
	const struct secmsg_buffer *b = &e->ub[i];
	u32 off = sg ? ECHO_SG_OFF : 0, cut = b->len / 2;
	struct kvec v;

	e->mem[i] = kmalloc(off + b->len + 1, GFP_KERNEL);
	if (!e->mem[i])
		return -ENOMEM;
	if (copy_from_user(e->mem[i] + off, u64_to_user_ptr(b->ptr), b->len))
		return -EFAULT;
	if (!sg) {
		v.iov_base = e->mem[i];
		v.iov_len = b->len;
		secmsg_kbuf_kvec(&e->kb[i], b->type, b->flags, &v);
		return 0;
	}
	sg_init_table(e->sg[i], 2);
	sg_set_buf(&e->sg[i][0], e->mem[i], off + cut);
	sg_set_buf(&e->sg[i][1], e->mem[i] + off + cut, b->len - cut);
	secmsg_kbuf_sg(&e->kb[i], b->type, b->flags, e->sg[i], off, b->len);
	return 0;
}

/* After a successful call: buffers, changed lens and moved pointers. */
static int echo_msg_out(struct echo_msg *e, struct secmsg_buffer __user *ub,
			unsigned int n, u32 sgmask)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		struct secmsg_kbuffer *kb = &e->kb[i];
		u32 off = sgmask & BIT(i) ? ECHO_SG_OFF : 0;

		if (copy_to_user(u64_to_user_ptr(e->ub[i].ptr),
				 e->mem[i] + off, e->ub[i].len))
			return -EFAULT;
		if (kb->len != e->ub[i].len && put_user(kb->len, &ub[i].len))
			return -EFAULT;
		if (kb->base == e->mem[i] || (kb->sg == e->sg[i] &&
					      kb->offset == off))
			continue;
		/* Moved into buffer j: the same place in the user's j. */
		for (j = 0; j < n; j++) {
			u64 at;

			if (kb->sg && kb->sg == e->sg[j])
				at = kb->offset - ECHO_SG_OFF;
			else if (!kb->sg && kb->base >= (void *)e->mem[j] &&
				 kb->base <= (void *)e->mem[j] + e->ub[j].len)
				at = (u8 *)kb->base - e->mem[j];
			else
				continue;
			if (put_user(e->ub[j].ptr + at, &ub[i].ptr))
				return -EFAULT;
			break;
		}
	}
	return 0;
}

static long echo_msg(struct echo_file *ef, void __user *uarg)
{
	struct secmsg_message __user *umsg;
	struct secmsg_echo_msg em;
	struct secmsg_message m;
	struct secmsg_kmsg km = { };
	struct echo_msg *e;
	size_t total = 0;
	unsigned int i;
	int err;

	if (copy_from_user(&em, uarg, sizeof(em)))
		return -EFAULT;
	umsg = u64_to_user_ptr(em.msg);
	if (copy_from_user(&m, umsg, SECMSG_MESSAGE_SIZE_VER0))
		return -EFAULT;
	if (em.op < SECMSG_OP_SIGN || em.op > SECMSG_OP_UNSEAL ||
	    !m.nbuffers || m.nbuffers > SECMSG_MAX_BUFFERS || em.reserved ||
	    (em.nomem & em.sgmask))
		return -EINVAL;
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	err = -EFAULT;
	if (copy_from_user(e->ub, u64_to_user_ptr(m.buffers),
			   m.nbuffers * sizeof(e->ub[0])))
		goto out;
	for (i = 0; i < m.nbuffers; i++) {
		total += e->ub[i].len;
		err = -EMSGSIZE;
		if (total > SECMSG_ECHO_MAX)
			goto out;
		err = echo_msg_buf(e, i, em.sgmask & BIT(i));
		if (err)
			goto out;
		if (em.nomem & BIT(i))
			e->kb[i].base = NULL;
	}

	km.qop = m.qop;
	km.nbuffers = m.nbuffers;
	km.buffers = e->kb;
	switch (em.op) {
	case SECMSG_OP_SIGN:
		err = secmsg_ksign(ef->ctx, &km);
		break;
	case SECMSG_OP_VERIFY:
		err = secmsg_kverify(ef->ctx, &km);
		break;
	case SECMSG_OP_SEAL:
		err = secmsg_kseal(ef->ctx, &km);
		break;
	default:
		err = secmsg_kunseal(ef->ctx, &km);
	}
	if (err && km.verdict == SECMSG_VERDICT_OK)
		goto out;
	/* The out fields, as the ioctl writes them. */
	m.seq = km.seq;
	m.error = err;
	m.verdict = km.verdict;
	m.needed = km.needed;
	m.index = km.index;
	if (!err && (em.op == SECMSG_OP_VERIFY || em.op == SECMSG_OP_UNSEAL))
		m.qop = km.qop;
	if (copy_to_user(umsg, &m, SECMSG_MESSAGE_SIZE_VER0) ||
	    (!err && echo_msg_out(e, u64_to_user_ptr(m.buffers), m.nbuffers,
				  em.sgmask)))
		err = -EFAULT;
out:
	for (i = 0; i < SECMSG_MAX_BUFFERS; i++)
		kfree_sensitive(e->mem[i]);
	kfree(e);
	return err;
}

static long echo_ioctl(struct file *file, unsigned int cmd,
		       unsigned long arg)
{
	struct echo_file *ef = file->private_data;
	void __user *uarg = (void __user *)arg;
	long err;

	mutex_lock(&ef->lock);
	if (cmd == SECMSG_ECHO_IOC_ATTACH) {
		err = echo_attach(ef, uarg);
		goto out;
	}
	err = -EBADFD;
	if (!ef->ctx && (cmd == SECMSG_ECHO_IOC_DETACH ||
			 cmd == SECMSG_ECHO_IOC_QUERY ||
			 cmd == SECMSG_ECHO_IOC_SIGN ||
			 cmd == SECMSG_ECHO_IOC_VERIFY ||
			 cmd == SECMSG_ECHO_IOC_MSG))
		goto out;
	switch (cmd) {
	case SECMSG_ECHO_IOC_DETACH:
		echo_detach(ef);
		err = 0;
		break;
	case SECMSG_ECHO_IOC_QUERY:
		err = echo_query(ef, uarg);
		break;
	case SECMSG_ECHO_IOC_SIGN:
		err = echo_sig(ef, uarg, true);
		break;
	case SECMSG_ECHO_IOC_VERIFY:
		err = echo_sig(ef, uarg, false);
		break;
	case SECMSG_ECHO_IOC_MSG:
		err = echo_msg(ef, uarg);
		break;
	default:
		err = -ENOTTY;
	}
out:
	mutex_unlock(&ef->lock);
	return err;
}

static int echo_open(struct inode *inode, struct file *file)
{
	struct echo_file *ef = kzalloc(sizeof(*ef), GFP_KERNEL);

	if (!ef)
		return -ENOMEM;
	mutex_init(&ef->lock);
	file->private_data = ef;
	return 0;
}

static int echo_release(struct inode *inode, struct file *file)
{
	struct echo_file *ef = file->private_data;

	if (ef->ctx)
		echo_detach(ef);
	mutex_destroy(&ef->lock);
	kfree(ef);
	return 0;
}

static const struct file_operations echo_fops = {
	.owner = THIS_MODULE,
	.open = echo_open,
	.release = echo_release,
	.read = echo_read,
	.write = echo_write,
	.unlocked_ioctl = echo_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice echo_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "secmsg_echo",
	.fops = &echo_fops,
	.mode = 0600,
};

module_misc_device(echo_dev);

MODULE_DESCRIPTION("secmsg_echo: sample consumer of secmsg's kernel API");
MODULE_LICENSE("GPL");
