// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The control plane: the kernel's generic netlink family "secmsg" through
 * libnl-genl-3 (list, get, revoke, configuration, statistics, events).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct sm_ctl {
	struct nl_sock *sk;	/* requests */
	struct nl_sock *ev;	/* events, once subscribed */
	int family;
	int group;
	char error[256];	/* the last refusal's extack message */
};

/* What a request's handlers found. */
struct sm_ctl_req {
	sm_ctl *ctl;
	int err;		/* the ack's errno (positive), 0 */
	bool done;
	/* a reply: parse it with @parse into @out (or call @fn) */
	void (*parse)(struct nlattr **tb, void *out);
	void *out;
	sm_ctl_list_fn fn;
	void *arg;
	bool stopped;
	bool got;
};

/* The status of a refusal's errno. */
static sm_status sm_ctl_status(int err)
{
	errno = err;
	switch (err) {
	case 0:
		return SM_E_OK;
	case ENOENT:
		return SM_E_INVALID_HANDLE;
	case EPERM:
	case EACCES:
		return SM_E_NOT_OWNER;
	case EALREADY:
		return SM_E_CONTEXT_REVOKED;
	case EINVAL:
	case ERANGE:
	case E2BIG:
	case EMSGSIZE:
		return SM_E_INVALID_PARAMETER;
	case ENOMEM:
		return SM_E_INSUFFICIENT_MEMORY;
	case EOPNOTSUPP:
		return SM_E_UNSUPPORTED_FUNCTION;
	default:
		return SM_E_INTERNAL_ERROR;
	}
}

/* A libnl error code as an errno. */
static int sm_nl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_PERM:
		return EPERM;
	case NLE_INTR:
		return EINTR;
	case NLE_AGAIN:
		return EAGAIN;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	case NLE_MSG_OVERFLOW:
	case NLE_MSG_TRUNC:
		return ENOBUFS;
	default:
		return EPROTO;
	}
}

static uint32_t sm_u32(const struct nlattr *a)
{
	return a && nla_len(a) == 4 ? nla_get_u32((struct nlattr *)a) : 0;
}

static uint64_t sm_u64(const struct nlattr *a)
{
	return a && nla_len(a) == 8 ? nla_get_u64((struct nlattr *)a) : 0;
}

static void sm_ctl_counters(struct nlattr *nest, struct sm_ctl_counters *c)
{
	struct nlattr *tb[SECMSG_A_CNT_MAX + 1];
	uint64_t *v = &c->signed_msgs;
	int i;

	memset(c, 0, sizeof(*c));
	if (!nest || nla_parse_nested(tb, SECMSG_A_CNT_MAX, nest, NULL))
		return;
	/* struct sm_ctl_counters is SECMSG_A_CNT_SIGNED.. in order */
	for (i = SECMSG_A_CNT_SIGNED; i <= SECMSG_A_CNT_REVOKED; i++)
		v[i - SECMSG_A_CNT_SIGNED] = sm_u64(tb[i]);
}

/* A string attribute into @dst (@size bytes), cut and terminated; "" if absent */
static void sm_str(char *dst, size_t size, const struct nlattr *a)
{
	size_t n = a ? strnlen(nla_data(a), (size_t)nla_len(a)) : 0;

	if (n > size - 1)
		n = size - 1;
	if (n)
		memcpy(dst, nla_data(a), n);
	dst[n] = 0;
}

static void sm_ctl_parse_ctx(struct nlattr **tb, void *out)
{
	struct sm_ctl_ctx *c = out;
	char local[SM_PRINCIPAL_LEN], peer[SM_PRINCIPAL_LEN];

	memset(c, 0, sizeof(*c));
	c->id = sm_u64(tb[SECMSG_A_CTX_ID]);
	c->package = sm_u32(tb[SECMSG_A_CTX_PACKAGE]);
	c->role = sm_u32(tb[SECMSG_A_CTX_ROLE]);
	c->suite = sm_u32(tb[SECMSG_A_CTX_SUITE]);
	c->flags = sm_u32(tb[SECMSG_A_CTX_FLAGS]);
	c->state = sm_u32(tb[SECMSG_A_CTX_STATE]);
	c->owner_uid = sm_u32(tb[SECMSG_A_CTX_OWNER_UID]);
	c->pid = sm_u32(tb[SECMSG_A_CTX_PID]);
	if (tb[SECMSG_A_CTX_IMP_LEVEL]) {
		c->valid |= SM_CTL_IMP_LEVEL;
		c->imp_level = sm_u32(tb[SECMSG_A_CTX_IMP_LEVEL]);
	}
	if (tb[SECMSG_A_CTX_PEER_UID]) {
		c->valid |= SM_CTL_PEER;
		c->peer_uid = sm_u32(tb[SECMSG_A_CTX_PEER_UID]);
		/* an asserted account may have no group */
		c->peer_gid = tb[SECMSG_A_CTX_PEER_GID] ?
			      sm_u32(tb[SECMSG_A_CTX_PEER_GID]) : SECMSG_NO_ID;
		c->peer_pid = sm_u32(tb[SECMSG_A_CTX_PEER_PID]);
		if (tb[SECMSG_A_CTX_PEER_ASSERTED])
			c->valid |= SM_CTL_PEER_ASSERTED;
	}
	c->lifetime = sm_u32(tb[SECMSG_A_CTX_LIFETIME]);
	c->created = (int64_t)sm_u64(tb[SECMSG_A_CTX_CREATED]);
	c->expires = (int64_t)sm_u64(tb[SECMSG_A_CTX_EXPIRES]);
	c->send_seq = sm_u64(tb[SECMSG_A_CTX_SEND_SEQ]);
	c->recv_seq = sm_u64(tb[SECMSG_A_CTX_RECV_SEQ]);
	sm_str(c->driver, sizeof(c->driver), tb[SECMSG_A_CTX_DRIVER]);
	sm_ctl_counters(tb[SECMSG_A_CTX_COUNTERS], &c->counters);
	sm_str(c->algorithm, sizeof(c->algorithm), tb[SECMSG_A_CTX_ALGORITHM]);
	sm_str(local, sizeof(local), tb[SECMSG_A_CTX_LOCAL_PRINCIPAL]);
	sm_str(peer, sizeof(peer), tb[SECMSG_A_CTX_PEER_PRINCIPAL]);
	sm_principals_from(c->client_principal, c->service_principal,
			   c->role, local, peer);
	c->kept = sm_u64(tb[SECMSG_A_CTX_KEPT]);
}

static void sm_ctl_parse_config(struct nlattr **tb, void *out)
{
	struct sm_ctl_config *c = out;

	c->set = 0;
	c->max_contexts_per_user =
		sm_u32(tb[SECMSG_A_CFG_MAX_CONTEXTS_PER_USER]);
	c->default_lifetime = sm_u32(tb[SECMSG_A_CFG_DEFAULT_LIFETIME]);
	c->max_lifetime = sm_u32(tb[SECMSG_A_CFG_MAX_LIFETIME]);
	c->suites = sm_u32(tb[SECMSG_A_CFG_SUITES]);
	c->replay_window = sm_u32(tb[SECMSG_A_CFG_REPLAY_WINDOW]);
}

static void sm_ctl_parse_stats(struct nlattr **tb, void *out)
{
	struct sm_ctl_stats *s = out;

	s->contexts = sm_u64(tb[SECMSG_A_STATS_CONTEXTS]);
	s->created = sm_u64(tb[SECMSG_A_STATS_CREATED]);
	s->revoked = sm_u64(tb[SECMSG_A_STATS_REVOKED]);
	sm_ctl_counters(tb[SECMSG_A_STATS_COUNTERS], &s->totals);
	s->events_coalesced = sm_u64(tb[SECMSG_A_STATS_EVENTS_COALESCED]);
}

static void sm_ctl_parse_event(struct nlattr **tb, void *out)
{
	struct sm_ctl_event *e = out;

	sm_ctl_parse_ctx(tb, &e->ctx);
	e->event = sm_u32(tb[SECMSG_A_EVENT]);
	e->verdict = sm_u32(tb[SECMSG_A_EVENT_VERDICT]);
	e->count = sm_u64(tb[SECMSG_A_EVENT_COUNT]);
}

static int sm_ctl_valid(struct nl_msg *msg, void *arg)
{
	struct sm_ctl_req *r = arg;
	struct nlattr *tb[SECMSG_A_MAX + 1];
	struct sm_ctl_ctx c;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SECMSG_A_MAX, NULL))
		return NL_SKIP;
	if (r->fn) {
		if (r->stopped)
			return NL_SKIP;
		sm_ctl_parse_ctx(tb, &c);
		if (r->fn(&c, r->arg))
			r->stopped = true;
		return NL_SKIP;
	}
	if (r->parse && !r->got)
		r->parse(tb, r->out);
	r->got = true;
	return NL_SKIP;
}

/* The ack: an errno and, with NLM_F_ACK_TLVS, the kernel's message. */
static int sm_ctl_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *n = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct sm_ctl_req *r = arg;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);

	(void)nla;
	r->err = -e->error;
	r->done = true;
	r->ctl->error[0] = 0;
	if (!(n->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if ((n->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    n->nlmsg_len > NLMSG_HDRLEN + off &&
	    !nla_parse(tb, NLMSGERR_ATTR_MAX,
		       (struct nlattr *)((char *)e + off),
		       n->nlmsg_len - NLMSG_HDRLEN - off, NULL) &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(r->ctl->error, sizeof(r->ctl->error), "%.*s",
			 nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

static int sm_ctl_finish(struct nl_msg *msg, void *arg)
{
	struct sm_ctl_req *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

/*
 * Send @msg (its header and attributes set) and read up to its ack or the
 * end of its dump.  Consumes @msg.  A NULL @msg is a request that could
 * not be built (errno ENOMEM already): nothing is sent, and the last
 * refusal's message stays.
 */
static sm_status sm_ctl_exec(sm_ctl *ctl, struct nl_msg *msg,
			     struct sm_ctl_req *r)
{
	struct nl_cb *cb;
	int err;

	if (!msg)
		return SM_E_INSUFFICIENT_MEMORY;
	r->ctl = ctl;
	ctl->error[0] = 0;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		errno = ENOMEM;
		return SM_E_INSUFFICIENT_MEMORY;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, sm_ctl_valid, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, sm_ctl_finish, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, sm_ctl_finish, r);
	nl_cb_err(cb, NL_CB_CUSTOM, sm_ctl_err, r);

	err = nl_send_auto(ctl->sk, msg);
	nlmsg_free(msg);
	while (err >= 0 && !r->done)
		err = nl_recvmsgs(ctl->sk, cb);
	nl_cb_put(cb);
	if (err < 0 && !r->done)
		return sm_ctl_status(sm_nl_errno(err));
	return sm_ctl_status(r->err);
}

/* A request of the family, or NULL (errno ENOMEM). */
static struct nl_msg *sm_ctl_msg(sm_ctl *ctl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg) {
		errno = ENOMEM;
		return NULL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctl->family, 0, flags,
			 cmd, SECMSG_GENL_VERSION)) {
		nlmsg_free(msg);
		errno = ENOMEM;
		return NULL;
	}
	return msg;
}

/* A request for @cmd about context @id; NULL with errno ENOMEM. */
static struct nl_msg *sm_ctl_id_msg(sm_ctl *ctl, uint8_t cmd, uint64_t id)
{
	struct nl_msg *msg = sm_ctl_msg(ctl, cmd, 0);

	if (msg && nla_put_u64(msg, SECMSG_A_CTX_ID, id)) {
		nlmsg_free(msg);
		errno = ENOMEM;
		return NULL;
	}
	return msg;
}

SM_EXPORT sm_status sm_ctl_open(sm_ctl **out)
{
	int one = 1, id, err;
	sm_ctl *ctl;

	if (!out)
		return sm_invalid(EINVAL);
	*out = NULL;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		errno = ENOMEM;
		return SM_E_INSUFFICIENT_MEMORY;
	}
	ctl->sk = nl_socket_alloc();
	if (!ctl->sk) {
		free(ctl);
		errno = ENOMEM;
		return SM_E_INSUFFICIENT_MEMORY;
	}
	err = genl_connect(ctl->sk);
	if (err < 0)
		goto fail;
	setsockopt(nl_socket_get_fd(ctl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(ctl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	id = genl_ctrl_resolve(ctl->sk, SECMSG_GENL_NAME);
	if (id < 0) {
		sm_ctl_close(ctl);
		errno = ENOENT;
		return SM_E_SECPKG_NOT_FOUND;
	}
	ctl->family = id;
	ctl->group = genl_ctrl_resolve_grp(ctl->sk, SECMSG_GENL_NAME,
					   SECMSG_GENL_MCGRP_EVENTS);
	*out = ctl;
	return SM_E_OK;
fail:
	sm_ctl_close(ctl);
	return sm_ctl_status(sm_nl_errno(err));
}

SM_EXPORT void sm_ctl_close(sm_ctl *ctl)
{
	if (!ctl)
		return;
	nl_socket_free(ctl->ev);
	nl_socket_free(ctl->sk);
	free(ctl);
}

SM_EXPORT const char *sm_ctl_error(sm_ctl *ctl)
{
	return ctl ? ctl->error : "";
}

/*
 * A request (@msg, as sm_ctl_exec() takes it) that must be answered with a
 * reply, which @parse reads into @out: an ack alone is EPROTO.
 */
static sm_status sm_ctl_reply(sm_ctl *ctl, struct nl_msg *msg,
			      void (*parse)(struct nlattr **tb, void *out),
			      void *out)
{
	struct sm_ctl_req r = { .parse = parse, .out = out };
	sm_status st = sm_ctl_exec(ctl, msg, &r);

	if (st == SM_E_OK && !r.got) {
		errno = EPROTO;
		return SM_E_INTERNAL_ERROR;
	}
	return st;
}

SM_EXPORT sm_status sm_ctl_list(sm_ctl *ctl, sm_ctl_list_fn fn, void *arg)
{
	struct sm_ctl_req r = { .fn = fn, .arg = arg };

	if (!ctl || !fn)
		return sm_invalid(EINVAL);
	return sm_ctl_exec(ctl, sm_ctl_msg(ctl, SECMSG_CMD_CTX_GET, NLM_F_DUMP),
			   &r);
}

SM_EXPORT sm_status sm_ctl_get(sm_ctl *ctl, uint64_t id,
			       struct sm_ctl_ctx *out)
{
	if (!ctl || !out || !id)
		return sm_invalid(EINVAL);
	return sm_ctl_reply(ctl, sm_ctl_id_msg(ctl, SECMSG_CMD_CTX_GET, id),
			    sm_ctl_parse_ctx, out);
}

SM_EXPORT sm_status sm_ctl_revoke(sm_ctl *ctl, uint64_t id)
{
	struct sm_ctl_req r = { 0 };

	if (!ctl || !id)
		return sm_invalid(EINVAL);
	return sm_ctl_exec(ctl, sm_ctl_id_msg(ctl, SECMSG_CMD_CTX_REVOKE, id),
			   &r);
}

SM_EXPORT sm_status sm_ctl_config_get(sm_ctl *ctl, struct sm_ctl_config *out)
{
	if (!ctl || !out)
		return sm_invalid(EINVAL);
	return sm_ctl_reply(ctl, sm_ctl_msg(ctl, SECMSG_CMD_CONFIG_GET, 0),
			    sm_ctl_parse_config, out);
}

#define SM_CTL_CFG_ALL (SM_CTL_CFG_MAX_CONTEXTS | SM_CTL_CFG_DEFAULT_LIFETIME | \
			SM_CTL_CFG_MAX_LIFETIME | SM_CTL_CFG_SUITES | \
			SM_CTL_CFG_REPLAY_WINDOW)

SM_EXPORT sm_status sm_ctl_config_set(sm_ctl *ctl,
				      const struct sm_ctl_config *cfg,
				      struct sm_ctl_config *out)
{
	struct sm_ctl_config dummy;
	struct sm_ctl_req r = { .parse = sm_ctl_parse_config };
	struct nl_msg *msg;
	int err = 0;

	if (!ctl || !cfg || !cfg->set || (cfg->set & ~SM_CTL_CFG_ALL))
		return sm_invalid(EINVAL);
	r.out = out ? out : &dummy;
	msg = sm_ctl_msg(ctl, SECMSG_CMD_CONFIG_SET, 0);
	if (!msg)
		return SM_E_INSUFFICIENT_MEMORY;
	if (cfg->set & SM_CTL_CFG_MAX_CONTEXTS)
		err |= nla_put_u32(msg, SECMSG_A_CFG_MAX_CONTEXTS_PER_USER,
				   cfg->max_contexts_per_user);
	if (cfg->set & SM_CTL_CFG_DEFAULT_LIFETIME)
		err |= nla_put_u32(msg, SECMSG_A_CFG_DEFAULT_LIFETIME,
				   cfg->default_lifetime);
	if (cfg->set & SM_CTL_CFG_MAX_LIFETIME)
		err |= nla_put_u32(msg, SECMSG_A_CFG_MAX_LIFETIME,
				   cfg->max_lifetime);
	if (cfg->set & SM_CTL_CFG_SUITES)
		err |= nla_put_u32(msg, SECMSG_A_CFG_SUITES, cfg->suites);
	if (cfg->set & SM_CTL_CFG_REPLAY_WINDOW)
		err |= nla_put_u32(msg, SECMSG_A_CFG_REPLAY_WINDOW,
				   cfg->replay_window);
	if (err) {
		nlmsg_free(msg);
		errno = ENOMEM;
		return SM_E_INSUFFICIENT_MEMORY;
	}
	return sm_ctl_exec(ctl, msg, &r);
}

SM_EXPORT sm_status sm_ctl_stats(sm_ctl *ctl, struct sm_ctl_stats *out)
{
	if (!ctl || !out)
		return sm_invalid(EINVAL);
	return sm_ctl_reply(ctl, sm_ctl_msg(ctl, SECMSG_CMD_STATS_GET, 0),
			    sm_ctl_parse_stats, out);
}

SM_EXPORT sm_status sm_ctl_subscribe(sm_ctl *ctl)
{
	struct nl_sock *ev;
	int err;

	if (!ctl)
		return sm_invalid(EINVAL);
	if (ctl->ev)
		return SM_E_OK;
	if (ctl->group < 0) {
		errno = ENOENT;
		return SM_E_UNSUPPORTED_FUNCTION;
	}
	ev = nl_socket_alloc();
	if (!ev) {
		errno = ENOMEM;
		return SM_E_INSUFFICIENT_MEMORY;
	}
	nl_socket_disable_seq_check(ev);
	err = genl_connect(ev);
	if (err < 0) {
		nl_socket_free(ev);
		return sm_ctl_status(sm_nl_errno(err));
	}
	/* Directly: libnl would turn EPERM into its own code. */
	if (setsockopt(nl_socket_get_fd(ev), SOL_NETLINK,
		       NETLINK_ADD_MEMBERSHIP, &ctl->group,
		       sizeof(ctl->group))) {
		err = errno;
		nl_socket_free(ev);
		snprintf(ctl->error, sizeof(ctl->error), "%s",
			 err == EPERM ? "events need CAP_NET_ADMIN" : "");
		return sm_ctl_status(err);
	}
	ctl->ev = ev;
	return SM_E_OK;
}

SM_EXPORT int sm_ctl_event_fd(sm_ctl *ctl)
{
	if (!ctl || !ctl->ev) {
		errno = EINVAL;
		return -1;
	}
	return nl_socket_get_fd(ctl->ev);
}

SM_EXPORT sm_status sm_ctl_event_read(sm_ctl *ctl, struct sm_ctl_event *ev)
{
	struct nlattr *tb[SECMSG_A_MAX + 1];
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *n;
	ssize_t len;

	if (!ctl || !ctl->ev || !ev)
		return sm_invalid(EINVAL);
	/*
	 * Plain recv(): one event per datagram, and errno as the kernel
	 * gives it (ENOBUFS: the socket overran, events were lost).
	 */
	for (;;) {
		len = recv(nl_socket_get_fd(ctl->ev), buf, sizeof(buf), 0);
		if (len < 0)
			return sm_ctl_status(errno) == SM_E_INSUFFICIENT_MEMORY ?
			       SM_E_INSUFFICIENT_MEMORY : SM_E_INTERNAL_ERROR;
		for (n = (struct nlmsghdr *)buf; NLMSG_OK(n, (size_t)len);
		     n = NLMSG_NEXT(n, len)) {
			struct genlmsghdr *g = NLMSG_DATA(n);

			if (n->nlmsg_type != ctl->family ||
			    n->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
			    g->cmd != SECMSG_CMD_EVENT ||
			    genlmsg_parse(n, 0, tb, SECMSG_A_MAX, NULL))
				continue;
			sm_ctl_parse_event(tb, ev);
			return SM_E_OK;
		}
	}
}

/*
 * Older versions of the calls whose structs grew: programs built against
 * them pass the old structs, which are the new ones without their last
 * fields.  1.3 added struct sm_ctl_event's @count and struct
 * sm_ctl_stats' @events_coalesced; 1.4 struct sm_ctl_ctx's fields from
 * @algorithm on, 1.6 its @kept (also inside struct sm_ctl_event).
 * sm_ctl_list() needs no old version: its callback gets a pointer, of
 * which an old program reads the old fields only.
 */
#define SM_CTL_CTX_SIZE_1_3 offsetof(struct sm_ctl_ctx, algorithm)
#define SM_CTL_CTX_SIZE_1_4 offsetof(struct sm_ctl_ctx, kept)

/* 1.4's and 1.5's event: its context without @kept */
struct sm_ctl_event_1_4 {
	uint32_t event;
	uint32_t verdict;
	unsigned char ctx[SM_CTL_CTX_SIZE_1_4] __attribute__((aligned(8)));
	uint64_t count;
};

struct sm_ctl_event_1_3 {
	uint32_t event;
	uint32_t verdict;
	unsigned char ctx[SM_CTL_CTX_SIZE_1_3] __attribute__((aligned(8)));
	uint64_t count;
};

struct sm_ctl_stats_1_2 {
	uint64_t contexts;
	uint64_t created;
	uint64_t revoked;
	struct sm_ctl_counters totals;
};

_Static_assert(offsetof(struct sm_ctl_event_1_3, ctx) ==
	       offsetof(struct sm_ctl_event, ctx), "1.3 event layout");
_Static_assert(SM_CTL_CTX_SIZE_1_3 % 8 == 0, "1.3 context layout");
_Static_assert(offsetof(struct sm_ctl_event_1_4, ctx) ==
	       offsetof(struct sm_ctl_event, ctx), "1.4 event layout");
_Static_assert(SM_CTL_CTX_SIZE_1_4 % 8 == 0, "1.4 context layout");
_Static_assert(sizeof(struct sm_ctl_stats_1_2) ==
	       offsetof(struct sm_ctl_stats, events_coalesced),
	       "1.2 stats layout");

__asm__(".symver sm_ctl_get_1_2, sm_ctl_get@LIBSECMSG_1.2");
SM_EXPORT sm_status sm_ctl_get_1_2(sm_ctl *ctl, uint64_t id, void *out)
{
	struct sm_ctl_ctx c;
	sm_status st;

	if (!out)
		return sm_invalid(EINVAL);
	st = sm_ctl_get(ctl, id, &c);
	if (st == SM_E_OK)
		memcpy(out, &c, SM_CTL_CTX_SIZE_1_3);
	return st;
}

__asm__(".symver sm_ctl_get_1_4, sm_ctl_get@LIBSECMSG_1.4");
SM_EXPORT sm_status sm_ctl_get_1_4(sm_ctl *ctl, uint64_t id, void *out)
{
	struct sm_ctl_ctx c;
	sm_status st;

	if (!out)
		return sm_invalid(EINVAL);
	st = sm_ctl_get(ctl, id, &c);
	if (st == SM_E_OK)
		memcpy(out, &c, SM_CTL_CTX_SIZE_1_4);
	return st;
}

/*
 * An older event: the same fields around an older, shorter struct
 * sm_ctl_ctx of @ctx_size bytes at @ctx.
 */
static sm_status sm_ctl_event_read_old(sm_ctl *ctl, uint32_t *event,
				       uint32_t *verdict, void *ctx,
				       size_t ctx_size, uint64_t *count)
{
	struct sm_ctl_event e;
	sm_status st;

	st = sm_ctl_event_read(ctl, &e);
	if (st == SM_E_OK) {
		*event = e.event;
		*verdict = e.verdict;
		memcpy(ctx, &e.ctx, ctx_size);
		*count = e.count;
	}
	return st;
}

__asm__(".symver sm_ctl_event_read_1_4, sm_ctl_event_read@LIBSECMSG_1.4");
SM_EXPORT sm_status sm_ctl_event_read_1_4(sm_ctl *ctl,
					  struct sm_ctl_event_1_4 *ev)
{
	if (!ev)
		return sm_invalid(EINVAL);
	return sm_ctl_event_read_old(ctl, &ev->event, &ev->verdict, ev->ctx,
				     SM_CTL_CTX_SIZE_1_4, &ev->count);
}

__asm__(".symver sm_ctl_event_read_1_3, sm_ctl_event_read@LIBSECMSG_1.3");
SM_EXPORT sm_status sm_ctl_event_read_1_3(sm_ctl *ctl,
					  struct sm_ctl_event_1_3 *ev)
{
	if (!ev)
		return sm_invalid(EINVAL);
	return sm_ctl_event_read_old(ctl, &ev->event, &ev->verdict, ev->ctx,
				     SM_CTL_CTX_SIZE_1_3, &ev->count);
}

/* 1.2's event: 1.3's without @count */
__asm__(".symver sm_ctl_event_read_1_2, sm_ctl_event_read@LIBSECMSG_1.2");
SM_EXPORT sm_status sm_ctl_event_read_1_2(sm_ctl *ctl, void *ev)
{
	struct sm_ctl_event_1_3 e;
	sm_status st;

	if (!ev)
		return sm_invalid(EINVAL);
	st = sm_ctl_event_read_1_3(ctl, &e);
	if (st == SM_E_OK)
		memcpy(ev, &e, offsetof(struct sm_ctl_event_1_3, count));
	return st;
}

__asm__(".symver sm_ctl_stats_1_2, sm_ctl_stats@LIBSECMSG_1.2");
SM_EXPORT sm_status sm_ctl_stats_1_2(sm_ctl *ctl, struct sm_ctl_stats_1_2 *out)
{
	struct sm_ctl_stats s;
	sm_status st;

	if (!out)
		return sm_invalid(EINVAL);
	st = sm_ctl_stats(ctl, &s);
	if (st == SM_E_OK)
		memcpy(out, &s, sizeof(*out));
	return st;
}
