/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal generic netlink client for the secmsg tests: raw sockets, so
 * that tests can send exactly the bytes they mean (malformed attributes
 * included) and read the extended ack.
 */
#ifndef SECMSG_NL_H
#define SECMSG_NL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/secmsg.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define TN_BUF 65536

struct tn_sock {
	int fd;
	uint16_t family;
	uint32_t events_grp;
	uint32_t seq;
	char extack[256];	/* the last error's message, or "" */
	uint32_t ext_offs;	/* its NLMSGERR_ATTR_OFFS, or 0 */
};

struct tn_req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char buf[TN_BUF];
};

/* One message's attributes, by type (up to SECMSG_A_MAX + 8). */
#define TN_MAXATTR (SECMSG_A_MAX + 8)
struct tn_attrs {
	const struct nlattr *a[TN_MAXATTR + 1];
	uint8_t cmd;
};

static inline void tn_req_init(struct tn_req *r, uint16_t type, uint8_t cmd,
			       uint16_t flags)
{
	memset(r, 0, sizeof(r->n) + sizeof(r->g));
	r->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->n.nlmsg_type = type;
	r->n.nlmsg_flags = NLM_F_REQUEST | flags;
	r->g.cmd = cmd;
	r->g.version = SECMSG_GENL_VERSION;
}

/* Append an attribute of any type and length (nested flag in @type). */
static inline void tn_put(struct tn_req *r, uint16_t type, const void *data,
			  uint16_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)r +
					     NLMSG_ALIGN(r->n.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static inline void tn_put_u32(struct tn_req *r, uint16_t type, uint32_t v)
{
	tn_put(r, type, &v, sizeof(v));
}

static inline void tn_put_u64(struct tn_req *r, uint16_t type, uint64_t v)
{
	tn_put(r, type, &v, sizeof(v));
}

static inline void tn_parse(struct tn_attrs *t, const struct nlmsghdr *n,
			    size_t hdr)
{
	const char *p = (const char *)NLMSG_DATA(n) + hdr;
	int rem = (int)n->nlmsg_len - NLMSG_LENGTH(hdr);

	memset(t, 0, sizeof(*t));
	if (hdr == GENL_HDRLEN)
		t->cmd = ((const struct genlmsghdr *)NLMSG_DATA(n))->cmd;
	while (rem >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		uint16_t type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			break;
		if (type <= TN_MAXATTR)
			t->a[type] = a;
		rem -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
}

/* Attributes nested in @a. */
static inline void tn_parse_nest(struct tn_attrs *t, const struct nlattr *a)
{
	const char *p = (const char *)a + NLA_HDRLEN;
	int rem = a->nla_len - NLA_HDRLEN;

	memset(t, 0, sizeof(*t));
	while (rem >= NLA_HDRLEN) {
		const struct nlattr *x = (const struct nlattr *)p;
		uint16_t type = x->nla_type & NLA_TYPE_MASK;

		if (x->nla_len < NLA_HDRLEN || x->nla_len > rem)
			break;
		if (type <= TN_MAXATTR)
			t->a[type] = x;
		rem -= NLA_ALIGN(x->nla_len);
		p += NLA_ALIGN(x->nla_len);
	}
}

static inline const void *tn_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline uint32_t tn_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, tn_data(a), sizeof(v));
	return v;
}

static inline uint64_t tn_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, tn_data(a), sizeof(v));
	return v;
}

/* A counter of a nested SECMSG_A_*_COUNTERS attribute; -1 if missing. */
static inline long long tn_cnt(const struct tn_attrs *t, int attr, int cnt)
{
	struct tn_attrs c;

	if (!t->a[attr])
		return -1;
	tn_parse_nest(&c, t->a[attr]);
	return c.a[cnt] ? (long long)tn_u64(c.a[cnt]) : -1;
}

/* Read an ack: 0 or -errno, with the extack message kept. */
static inline int tn_ack(struct tn_sock *s, const struct nlmsghdr *n)
{
	const struct nlmsgerr *e = NLMSG_DATA(n);
	struct tn_attrs t;
	size_t hdr = sizeof(*e);

	s->extack[0] = 0;
	s->ext_offs = 0;
	if (!(n->nlmsg_flags & NLM_F_CAPPED))
		hdr += e->msg.nlmsg_len - sizeof(e->msg);
	if (n->nlmsg_flags & NLM_F_ACK_TLVS) {
		tn_parse(&t, n, hdr);
		if (t.a[NLMSGERR_ATTR_MSG])
			snprintf(s->extack, sizeof(s->extack), "%s",
				 (const char *)tn_data(t.a[NLMSGERR_ATTR_MSG]));
		if (t.a[NLMSGERR_ATTR_OFFS])
			s->ext_offs = tn_u32(t.a[NLMSGERR_ATTR_OFFS]);
	}
	return e->error;
}

static inline int tn_send(struct tn_sock *s, struct tn_req *r)
{
	r->n.nlmsg_seq = ++s->seq;
	if (send(s->fd, &r->n, r->n.nlmsg_len, 0) != (ssize_t)r->n.nlmsg_len)
		return -errno;
	return 0;
}

/*
 * Read until the ack of request @seq; the first reply message's attributes
 * go to @t (may be NULL).  Return: 0 or the negative errno of the ack.
 */
static inline int tn_wait_ack(struct tn_sock *s, uint32_t seq,
			      struct tn_attrs *t)
{
	static __thread char buf[TN_BUF];
	bool got = false;

	for (;;) {
		ssize_t len = recv(s->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *n;

		if (len < 0)
			return -errno;
		for (n = (struct nlmsghdr *)buf; NLMSG_OK(n, len);
		     n = NLMSG_NEXT(n, len)) {
			if (n->nlmsg_seq != seq)
				continue;
			if (n->nlmsg_type == NLMSG_ERROR)
				return tn_ack(s, n);
			if (t && !got) {
				/* Copy: the buffer is reused. */
				static __thread char keep[TN_BUF];

				memcpy(keep, n, n->nlmsg_len);
				tn_parse(t, (struct nlmsghdr *)keep,
					 n->nlmsg_type == GENL_ID_CTRL ||
					 n->nlmsg_type == s->family ?
					 GENL_HDRLEN : 0);
				got = true;
			}
		}
	}
}

/*
 * Send @r and read until its ack; the first reply message's attributes go
 * to @t (may be NULL).  Return: 0 or the negative errno of the ack.
 */
static inline int tn_do(struct tn_sock *s, struct tn_req *r,
			struct tn_attrs *t)
{
	int err;

	r->n.nlmsg_flags |= NLM_F_ACK;
	err = tn_send(s, r);
	if (err)
		return err;
	return tn_wait_ack(s, s->seq, t);
}

/*
 * Read the dump answering request @seq: @cb is called for each message;
 * @ndgrams counts the datagrams (reply skbs) that held at least one.
 * Return: 0 or -errno.
 */
static inline int tn_wait_dump(struct tn_sock *s, uint32_t seq,
			       void (*cb)(const struct tn_attrs *t, void *arg),
			       void *arg, int *ndgrams)
{
	static __thread char buf[TN_BUF];

	if (ndgrams)
		*ndgrams = 0;
	for (;;) {
		ssize_t len = recv(s->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *n;
		bool any = false;

		if (len < 0)
			return -errno;
		for (n = (struct nlmsghdr *)buf; NLMSG_OK(n, len);
		     n = NLMSG_NEXT(n, len)) {
			struct tn_attrs t;

			if (n->nlmsg_seq != seq)
				continue;
			if (n->nlmsg_type == NLMSG_DONE)
				return *(int *)NLMSG_DATA(n);
			if (n->nlmsg_type == NLMSG_ERROR)
				return tn_ack(s, n);
			tn_parse(&t, n, GENL_HDRLEN);
			any = true;
			cb(&t, arg);
		}
		if (any && ndgrams)
			(*ndgrams)++;
	}
}

/* Dump: send @r as a dump request and read it (tn_wait_dump()). */
static inline int tn_dump(struct tn_sock *s, struct tn_req *r,
			  void (*cb)(const struct tn_attrs *t, void *arg),
			  void *arg, int *ndgrams)
{
	int err;

	r->n.nlmsg_flags |= NLM_F_DUMP;
	err = tn_send(s, r);
	if (err)
		return err;
	return tn_wait_dump(s, s->seq, cb, arg, ndgrams);
}

/* Open a socket with extended acks and resolve the family and group. */
static inline int tn_open(struct tn_sock *s)
{
	static const char grp[] = SECMSG_GENL_MCGRP_EVENTS;
	struct tn_attrs t, g, e;
	struct tn_req r;
	int one = 1, err;
	const char *p;
	int rem;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	tn_req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	r.g.version = 1;
	tn_put(&r, CTRL_ATTR_FAMILY_NAME, SECMSG_GENL_NAME,
	       sizeof(SECMSG_GENL_NAME));
	err = tn_do(s, &r, &t);
	if (err) {
		close(s->fd);
		return err;
	}
	if (!t.a[CTRL_ATTR_FAMILY_ID]) {
		close(s->fd);
		return -EPROTO;
	}
	memcpy(&s->family, tn_data(t.a[CTRL_ATTR_FAMILY_ID]), 2);
	if (t.a[CTRL_ATTR_MCAST_GROUPS]) {
		p = tn_data(t.a[CTRL_ATTR_MCAST_GROUPS]);
		rem = t.a[CTRL_ATTR_MCAST_GROUPS]->nla_len - NLA_HDRLEN;
		while (rem >= NLA_HDRLEN) {
			const struct nlattr *a = (const struct nlattr *)p;

			tn_parse_nest(&g, a);
			if (g.a[CTRL_ATTR_MCAST_GRP_NAME] &&
			    g.a[CTRL_ATTR_MCAST_GRP_ID] &&
			    !strcmp(tn_data(g.a[CTRL_ATTR_MCAST_GRP_NAME]), grp))
				s->events_grp = tn_u32(g.a[CTRL_ATTR_MCAST_GRP_ID]);
			rem -= NLA_ALIGN(a->nla_len);
			p += NLA_ALIGN(a->nla_len);
		}
	}
	(void)e;
	return 0;
}

static inline void tn_close(struct tn_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* Request of the secmsg family. */
static inline void tn_cmd(struct tn_sock *s, struct tn_req *r, uint8_t cmd)
{
	tn_req_init(r, s->family, cmd, 0);
}

static inline int tn_ctx_get(struct tn_sock *s, uint64_t id,
			     struct tn_attrs *t)
{
	struct tn_req r;

	tn_cmd(s, &r, SECMSG_CMD_CTX_GET);
	tn_put_u64(&r, SECMSG_A_CTX_ID, id);
	return tn_do(s, &r, t);
}

static inline int tn_revoke(struct tn_sock *s, uint64_t id)
{
	struct tn_req r;

	tn_cmd(s, &r, SECMSG_CMD_CTX_REVOKE);
	tn_put_u64(&r, SECMSG_A_CTX_ID, id);
	return tn_do(s, &r, NULL);
}

/* The id of a context fd, from its fdinfo; 0 if none. */
static inline uint64_t tn_fd_id(int fd)
{
	char path[64], line[128];
	unsigned long long id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "secmsg-id: %llu", &id) == 1)
			break;
	fclose(f);
	return id;
}

#endif /* SECMSG_NL_H */
