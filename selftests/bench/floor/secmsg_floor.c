// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg_floor: the raw in-kernel AEAD, timed, as the floor of secmsg's
 * benchmark.  See secmsg_floor.h for the one ioctl.
 *
 * Per request: allocate the transform by secmsg's algorithm name, key it,
 * allocate the buffer and its scatterlist and fill it, all before the timed
 * loop; the loop does nothing but the AEAD calls (and, for UNSEAL, the
 * untimed restore between them).
 */
#include <crypto/aead.h>
#include <linux/crypto.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "secmsg_floor.h"

static const char *const floor_alg_names[] = {
	[SECMSG_FLOOR_ALG_GCM] = "gcm(aes)",
	[SECMSG_FLOOR_ALG_CHACHAPOLY] = "rfc7539(chacha20,poly1305)",
};

/*
 * UNSEAL restores its input between decrypts, untimed: small messages are
 * decrypted from a pool of copies at most this big, timed as one span per
 * pass over the pool, so that the timer's own cost (hundreds of ns per span
 * under TCG) does not weigh on each one.
 */
#define FLOOR_POOL_BYTES	SZ_64K

/* One request's state, all of it set up before the timed loop. */
struct floor_work {
	struct crypto_aead *tfm;
	struct aead_request *req;
	struct crypto_wait wait;
	struct sg_table sgt;	/* message 0 */
	struct scatterlist *pool_sg;	/* UNSEAL with npool > 1 */
	u8 *buf;		/* npool messages, HEADER | DATA | TAG each */
	u8 *orig;		/* UNSEAL: the sealed messages, restored */
	size_t len;		/* of one message */
	size_t stride;		/* from one message to the next */
	size_t alloc;		/* of buf (and orig) */
	unsigned int npool;
	unsigned int cryptlen;
	u8 nonce[SECMSG_FLOOR_NONCE_SIZE];
};

static int floor_check(const struct secmsg_floor_run *r)
{
	u64 work;

	if (r->op > SECMSG_FLOOR_OP_VERIFY ||
	    r->alg >= ARRAY_SIZE(floor_alg_names) ||
	    r->flags || r->reserved[0] || r->reserved[1] || r->pad)
		return -EINVAL;
	if (r->alg == SECMSG_FLOOR_ALG_GCM ?
	    r->key_len != 16 && r->key_len != 32 : r->key_len != 32)
		return -EINVAL;
	if (r->data_len > SECMSG_FLOOR_DATA_MAX || !r->iterations ||
	    r->iterations > SECMSG_FLOOR_ITER_MAX || !r->buf)
		return -EINVAL;
	work = (u64)r->iterations * (r->data_len + SECMSG_FLOOR_HDR_SIZE +
				     SECMSG_FLOOR_TAG_SIZE);
	if (work > SECMSG_FLOOR_WORK_MAX)
		return -EINVAL;
	return 0;
}

/* Describe @w->buf: one entry if contiguous, else one per page. */
static int floor_sg(struct floor_work *w)
{
	unsigned int n, i;
	struct scatterlist *sg;
	u8 *p = w->buf;
	size_t rem = w->len;
	int err;

	if (!is_vmalloc_addr(p)) {
		err = sg_alloc_table(&w->sgt, 1, GFP_KERNEL);
		if (err)
			return err;
		sg_set_buf(w->sgt.sgl, p, w->len);
		return 0;
	}
	n = DIV_ROUND_UP(offset_in_page(p) + w->len, PAGE_SIZE);
	err = sg_alloc_table(&w->sgt, n, GFP_KERNEL);
	if (err)
		return err;
	for_each_sg(w->sgt.sgl, sg, n, i) {
		unsigned int off = offset_in_page(p);
		unsigned int chunk = min_t(size_t, PAGE_SIZE - off, rem);

		sg_set_page(sg, vmalloc_to_page(p), chunk, off);
		p += chunk;
		rem -= chunk;
	}
	return 0;
}

/* One entry for a message that does not cross a page if vmalloc'ed. */
static void floor_sg_one(struct scatterlist *sg, u8 *p, size_t len)
{
	sg_init_table(sg, 1);
	if (is_vmalloc_addr(p))
		sg_set_page(sg, vmalloc_to_page(p), len, offset_in_page(p));
	else
		sg_set_buf(sg, p, len);
}

/* UNSEAL: copies of message 0 in the pool, and the kept originals. */
static int floor_pool(struct floor_work *w)
{
	unsigned int j;

	if (w->npool > 1) {
		w->pool_sg = kmalloc_array(w->npool, sizeof(*w->pool_sg),
					   GFP_KERNEL);
		if (!w->pool_sg)
			return -ENOMEM;
	}
	for (j = 1; j < w->npool; j++)
		memcpy(w->buf + j * w->stride, w->buf, w->len);
	for (j = 0; j < w->npool && w->pool_sg; j++)
		floor_sg_one(&w->pool_sg[j], w->buf + j * w->stride, w->len);
	w->orig = kvmalloc(w->alloc, GFP_KERNEL);
	if (!w->orig)
		return -ENOMEM;
	memcpy(w->orig, w->buf, w->alloc);
	return 0;
}

static int floor_setup(struct floor_work *w, const struct secmsg_floor_run *r)
{
	int err;

	w->tfm = crypto_alloc_aead(floor_alg_names[r->alg], 0, 0);
	if (IS_ERR(w->tfm)) {
		err = PTR_ERR(w->tfm);
		w->tfm = NULL;
		return err;
	}
	if (crypto_aead_ivsize(w->tfm) != SECMSG_FLOOR_NONCE_SIZE)
		return -EINVAL;
	err = crypto_aead_setauthsize(w->tfm, SECMSG_FLOOR_TAG_SIZE);
	if (!err)
		err = crypto_aead_setkey(w->tfm, r->key, r->key_len);
	if (err)
		return err;

	w->req = aead_request_alloc(w->tfm, GFP_KERNEL);
	if (!w->req)
		return -ENOMEM;
	crypto_init_wait(&w->wait);
	aead_request_set_callback(w->req, CRYPTO_TFM_REQ_MAY_BACKLOG |
					  CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &w->wait);

	w->len = SECMSG_FLOOR_HDR_SIZE + r->data_len + SECMSG_FLOOR_TAG_SIZE;
	w->stride = w->len;
	w->npool = 1;
	if (r->op == SECMSG_FLOOR_OP_UNSEAL && w->len <= PAGE_SIZE) {
		/* A power of two: no message crosses a page of vmalloc. */
		w->stride = roundup_pow_of_two(w->len);
		w->npool = min_t(size_t, r->iterations,
				 FLOOR_POOL_BYTES / w->stride);
	}
	w->alloc = w->npool * w->stride;
	w->buf = kvmalloc(w->alloc, GFP_KERNEL);
	if (!w->buf)
		return -ENOMEM;
	err = floor_sg(w);
	if (err)
		return err;
	memcpy(w->buf, r->header, SECMSG_FLOOR_HDR_SIZE);
	if (copy_from_user(w->buf + SECMSG_FLOOR_HDR_SIZE,
			   u64_to_user_ptr(r->buf),
			   r->data_len + SECMSG_FLOOR_TAG_SIZE))
		return -EFAULT;
	memcpy(w->nonce, r->nonce, sizeof(w->nonce));
	if (r->op == SECMSG_FLOOR_OP_UNSEAL)
		return floor_pool(w);
	return 0;
}

static void floor_teardown(struct floor_work *w)
{
	/* The buffers may hold plaintext; the key is wiped by the frees. */
	kvfree_sensitive(w->orig, w->alloc);
	kfree(w->pool_sg);
	sg_free_table(&w->sgt);
	kvfree_sensitive(w->buf, w->alloc);
	aead_request_free(w->req);
	crypto_free_aead(w->tfm);
	memzero_explicit(w->nonce, sizeof(w->nonce));
}

/* Set the request for @op once; every iteration reuses it as it is. */
static void floor_set_req(struct floor_work *w, u32 op, u32 data_len)
{
	unsigned int assoclen = SECMSG_FLOOR_HDR_SIZE;
	unsigned int cryptlen = data_len;

	if (op == SECMSG_FLOOR_OP_SIGN || op == SECMSG_FLOOR_OP_VERIFY) {
		assoclen += data_len;
		cryptlen = 0;
	}
	if (op == SECMSG_FLOOR_OP_UNSEAL || op == SECMSG_FLOOR_OP_VERIFY)
		cryptlen += SECMSG_FLOOR_TAG_SIZE;
	w->cryptlen = cryptlen;
	aead_request_set_ad(w->req, assoclen);
	aead_request_set_crypt(w->req, w->sgt.sgl, w->sgt.sgl, cryptlen,
			       w->nonce);
}

static int floor_one(struct floor_work *w, bool encrypt)
{
	int err = encrypt ? crypto_aead_encrypt(w->req) :
			    crypto_aead_decrypt(w->req);

	return crypto_wait_req(err, &w->wait);
}

static int floor_loop(struct floor_work *w, struct secmsg_floor_run *r)
{
	bool encrypt = r->op == SECMSG_FLOOR_OP_SEAL ||
		       r->op == SECMSG_FLOOR_OP_SIGN;
	u32 i, j, k, spans = 0;
	u64 t0, ns = 0;
	int err;

	floor_set_req(w, r->op, r->data_len);
	if (!encrypt) {
		/* Bad input fails here, not as a timed failure path. */
		err = floor_one(w, false);
		if (err)
			return err;
	}

	if (r->op != SECMSG_FLOOR_OP_UNSEAL) {
		t0 = ktime_get_ns();
		for (i = 0; i < r->iterations; i++) {
			err = floor_one(w, encrypt);
			if (err)
				return err;
			cond_resched();
			if (fatal_signal_pending(current))
				return -EINTR;
		}
		r->ns = ktime_get_ns() - t0;
		r->clock_ns = 0;
		return 0;
	}

	/*
	 * UNSEAL: a pass over the pool is timed, the restore before it not.
	 * A pool of one message is the request as set (its own table).
	 */
	for (i = 0; i < r->iterations; i += k) {
		k = min(w->npool, r->iterations - i);
		memcpy(w->buf, w->orig, k * w->stride);
		t0 = ktime_get_ns();
		for (j = 0; j < k && !err; j++) {
			if (w->pool_sg)
				aead_request_set_crypt(w->req, &w->pool_sg[j],
						       &w->pool_sg[j],
						       w->cryptlen, w->nonce);
			err = floor_one(w, false);
		}
		ns += ktime_get_ns() - t0;
		spans++;
		if (err)
			return err;
		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	r->ns = ns;
	/* What the timing itself cost: as many empty spans. */
	ns = 0;
	for (i = 0; i < spans; i++) {
		t0 = ktime_get_ns();
		ns += ktime_get_ns() - t0;
	}
	r->clock_ns = ns;
	return 0;
}

static long floor_run(struct secmsg_floor_run __user *arg)
{
	struct secmsg_floor_run r;
	struct floor_work w = { };
	int err;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	err = floor_check(&r);
	if (err)
		goto out;
	err = floor_setup(&w, &r);
	if (!err)
		err = floor_loop(&w, &r);
	if (!err && copy_to_user(u64_to_user_ptr(r.buf),
				 w.buf + SECMSG_FLOOR_HDR_SIZE,
				 r.data_len + SECMSG_FLOOR_TAG_SIZE))
		err = -EFAULT;
	if (!err) {
		strscpy(r.driver, crypto_aead_driver_name(w.tfm),
			sizeof(r.driver));
		if (copy_to_user(arg, &r, sizeof(r)))
			err = -EFAULT;
	}
	floor_teardown(&w);
out:
	memzero_explicit(&r, sizeof(r));
	return err;
}

static long floor_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (cmd != SECMSG_FLOOR_IOC_RUN)
		return -ENOTTY;
	return floor_run((struct secmsg_floor_run __user *)arg);
}

static const struct file_operations floor_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = floor_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice floor_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "secmsg_floor",
	.fops = &floor_fops,
};

module_misc_device(floor_dev);

MODULE_DESCRIPTION("secmsg benchmark floor: the raw in-kernel AEAD, timed");
MODULE_LICENSE("GPL");
