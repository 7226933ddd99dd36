// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: the generic netlink control plane.
 *
 * Family "secmsg": list, show and revoke contexts, read and set the
 * module's configuration, read global statistics, and the "events"
 * multicast group.  The contract (commands, attributes, permissions,
 * errors) is the "Control plane" section of uapi/linux/secmsg.h.
 *
 * Contexts are read while secmsg_ctx_lock is held: a listed context's
 * memory stays valid until its release takes that mutex, and everything
 * read here is either immutable once published or read atomically.
 *
 * Failure events a peer can cause (ALTERED, REPLAY) are coalesced: the
 * message path only counts them (secmsg_nl_counted()); a delayed work item
 * per context and kind reports the count, at most once per interval, in
 * process context.  See "Events" in the uapi header.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pid_namespace.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <crypto/aead.h>

#include "context.h"
#include "krb5.h"
#include "message.h"
#include "netlink.h"

/*
 * Events name users and processes: only admins may listen.  A kernel whose
 * genetlink cannot restrict a group to them (no GENL_MCAST_CAP_NET_ADMIN)
 * gets the family without its events group: resolving the group fails,
 * and no event is built or sent (see the uapi header).
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define SECMSG_NL_EVENTS	1
#else
#define SECMSG_NL_EVENTS	0
#endif

static unsigned int secmsg_allowed_suites = SECMSG_CFG_SUITES_ALL;
module_param_named(allowed_suites, secmsg_allowed_suites, uint, 0644);
MODULE_PARM_DESC(allowed_suites,
		 "Cipher suites new contexts may use, bit (1 << suite) (default all)");

/* Serializes CONFIG_SET's check-then-apply of several settings. */
static DEFINE_MUTEX(secmsg_cfg_lock);

static atomic64_t secmsg_stat_created = ATOMIC64_INIT(0);
static atomic64_t secmsg_stat_revoked = ATOMIC64_INIT(0);
static atomic64_t secmsg_stat_coalesced = ATOMIC64_INIT(0);

/* Module-wide budget of failure events: SECMSG_EVENT_BUDGET per interval */
static DEFINE_SPINLOCK(secmsg_nl_budget_lock);
static unsigned long secmsg_nl_budget_end;	/* jiffies; the interval's end */
static unsigned int secmsg_nl_budget_used;

#define SECMSG_NL_EV_INTERVAL	msecs_to_jiffies(SECMSG_EVENT_INTERVAL_MS)
#define SECMSG_NL_EV_ARMED	0	/* bit of struct secmsg_nl_ev.armed */

enum {
	SECMSG_NL_GRP_EVENTS,
};

static struct genl_family secmsg_nl_family;

/*
 * Whether anyone listens to events in @net.  Never asks genetlink about a
 * group the family lacks: genl_has_listeners() warns then, and says yes.
 */
static bool secmsg_nl_listened(struct net *net)
{
	return SECMSG_NL_EVENTS &&
	       genl_has_listeners(&secmsg_nl_family, net,
				  SECMSG_NL_GRP_EVENTS) > 0;
}

/**
 * secmsg_nl_suite_allowed() - whether new contexts may use a suite
 * @suite: SECMSG_SUITE_*
 *
 * Return: true if the configuration's SUITES has @suite's bit.
 */
bool secmsg_nl_suite_allowed(u32 suite)
{
	return suite < 32 && (READ_ONCE(secmsg_allowed_suites) & BIT(suite));
}

/*
 * Who asks.  A request has two parties: the task that sends it and the
 * task that opened the socket it comes on (the socket file's credentials),
 * which differ when one hands its socket to the other (SCM_RIGHTS, an
 * inherited descriptor; the pattern of CVE-2014-0181: a setuid program made
 * to write an unprivileged user's bytes to the user's socket).  A request
 * may do only what each party may do on its own: every decision below
 * checks both.
 */
struct secmsg_nl_party {
	kuid_t euid;
	bool admin;		/* CAP_NET_ADMIN over the namespace's owner */
};

/* What a request may see, and how ids are shown to it. */
struct secmsg_nl_caller {
	struct net *net;
	struct secmsg_nl_party sender;
	struct secmsg_nl_party opener;
	struct user_namespace *user_ns;
	struct pid_namespace *pid_ns;
};

/* The file of the socket @skb was sent on, or NULL (a kernel socket). */
static struct file *secmsg_nl_sock_file(const struct sk_buff *skb)
{
	const struct socket *sock = NETLINK_CB(skb).sk->sk_socket;

	return sock ? sock->file : NULL;
}

/*
 * Both parties of @skb: the current task (the sender: doit and dump start
 * run in the sendmsg() that carries the request) and the socket's opener.
 * No file: nobody opened it (a kernel socket), so no rights at all.
 */
static void secmsg_nl_parties(struct secmsg_nl_party *sender,
			      struct secmsg_nl_party *opener,
			      const struct sk_buff *skb, struct user_namespace *ns)
{
	struct file *file = secmsg_nl_sock_file(skb);

	sender->euid = current_euid();
	sender->admin = ns_capable(ns, CAP_NET_ADMIN);
	opener->euid = file ? file->f_cred->euid : INVALID_UID;
	opener->admin = file && file_ns_capable(file, ns, CAP_NET_ADMIN);
}

/*
 * Whether both parties of @skb hold CAP_NET_ADMIN over @ns.  Unlike
 * netlink_ns_capable(), the opener is checked even when the sender gave a
 * destination address (NETLINK_SKB_DST): a program can be made to
 * sendto() as well as to write().
 */
static bool secmsg_nl_capable(const struct sk_buff *skb,
			      struct user_namespace *ns)
{
	struct file *file = secmsg_nl_sock_file(skb);

	return file && file_ns_capable(file, ns, CAP_NET_ADMIN) &&
	       ns_capable(ns, CAP_NET_ADMIN);
}

static bool secmsg_nl_may(const struct secmsg_nl_party *p,
			  const struct secmsg_ctx *ctx)
{
	return p->admin || uid_eq(ctx->owner, p->euid);
}

static bool secmsg_nl_visible(const struct secmsg_nl_caller *c,
			      struct secmsg_ctx *ctx)
{
	/* A zero count: closed, waiting for secmsg_ctx_lock to unlist. */
	return kref_read(&ctx->ref) && net_eq(ctx->net, c->net) &&
	       secmsg_nl_may(&c->sender, ctx) &&
	       secmsg_nl_may(&c->opener, ctx);
}

static int secmsg_nl_put_counters(struct sk_buff *skb, int type,
				  const u64 *val)
{
	struct nlattr *nest;
	int i;

	BUILD_BUG_ON(SECMSG_A_CNT_SIGNED + SECMSG_CNT_REVOKED !=
		     SECMSG_A_CNT_REVOKED);
	BUILD_BUG_ON(SECMSG_CNT_REVOKED + 1 != SECMSG_CNT_NR);
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < SECMSG_CNT_NR; i++) {
		if (nla_put_u64_64bit(skb, SECMSG_A_CNT_SIGNED + i, val[i],
				      SECMSG_A_CNT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A Kerberos context's names and asserted client account. */
static int secmsg_nl_put_krb5(struct sk_buff *skb, struct secmsg_ctx *ctx,
			      struct user_namespace *user_ns)
{
	const struct secmsg_krb5_ctx *k = ctx->krb5;

	if (k->local_name &&
	    nla_put_string(skb, SECMSG_A_CTX_LOCAL_PRINCIPAL, k->local_name))
		return -EMSGSIZE;
	if (k->peer_name &&
	    nla_put_string(skb, SECMSG_A_CTX_PEER_PRINCIPAL, k->peer_name))
		return -EMSGSIZE;
	if (ctx->role != SECMSG_ROLE_ACCEPTOR || !uid_valid(k->peer_uid) ||
	    ctx->imp_level == SECMSG_IMP_ANONYMOUS)
		return 0;
	if (nla_put_flag(skb, SECMSG_A_CTX_PEER_ASSERTED) ||
	    nla_put_u32(skb, SECMSG_A_CTX_PEER_UID,
			from_kuid_munged(user_ns, k->peer_uid)))
		return -EMSGSIZE;
	if (gid_valid(k->peer_gid) &&
	    nla_put_u32(skb, SECMSG_A_CTX_PEER_GID,
			from_kgid_munged(user_ns, k->peer_gid)))
		return -EMSGSIZE;
	return 0;
}

/**
 * secmsg_nl_fill_ctx() - a context's attributes
 * @skb:     the message being built
 * @ctx:     the context; secmsg_ctx_lock held, or a reference
 * @user_ns: user namespace the uids and gids are mapped into
 * @pid_ns:  pid namespace the pids are given in
 *
 * No key material, nothing derived from a key.
 *
 * Return: 0, or -EMSGSIZE if @skb is full.
 */
static int secmsg_nl_fill_ctx(struct sk_buff *skb, struct secmsg_ctx *ctx,
			      struct user_namespace *user_ns,
			      struct pid_namespace *pid_ns)
{
	bool complete = secmsg_ctx_is_complete(ctx);
	u64 cnt[SECMSG_CNT_NR];
	int i;

	if (nla_put_u64_64bit(skb, SECMSG_A_CTX_ID, ctx->id, SECMSG_A_PAD) ||
	    nla_put_u32(skb, SECMSG_A_CTX_PACKAGE, ctx->package) ||
	    nla_put_u32(skb, SECMSG_A_CTX_ROLE, ctx->role) ||
	    nla_put_u32(skb, SECMSG_A_CTX_SUITE, ctx->suite->id) ||
	    nla_put_u32(skb, SECMSG_A_CTX_FLAGS, ctx->flags) ||
	    nla_put_u32(skb, SECMSG_A_CTX_STATE, secmsg_ctx_state(ctx)) ||
	    nla_put_u32(skb, SECMSG_A_CTX_OWNER_UID,
			from_kuid_munged(user_ns, ctx->owner)) ||
	    nla_put_u32(skb, SECMSG_A_CTX_PID, pid_nr_ns(ctx->tgid, pid_ns)) ||
	    nla_put_u32(skb, SECMSG_A_CTX_LIFETIME, ctx->lifetime) ||
	    nla_put_s64(skb, SECMSG_A_CTX_CREATED, ctx->created,
			SECMSG_A_PAD) ||
	    nla_put_s64(skb, SECMSG_A_CTX_EXPIRES, ctx->expires,
			SECMSG_A_PAD) ||
	    nla_put_u64_64bit(skb, SECMSG_A_CTX_SEND_SEQ,
			      atomic64_read(&ctx->send_seq), SECMSG_A_PAD) ||
	    nla_put_u64_64bit(skb, SECMSG_A_CTX_RECV_SEQ,
			      secmsg_replay_next(&ctx->replay), SECMSG_A_PAD))
		return -EMSGSIZE;
	if (ctx->package != SECMSG_PKG_RAW &&
	    nla_put_u32(skb, SECMSG_A_CTX_IMP_LEVEL, ctx->imp_level))
		return -EMSGSIZE;
	if (nla_put_string(skb, SECMSG_A_CTX_ALGORITHM, ctx->suite->alg))
		return -EMSGSIZE;
	if (ctx->krb5 && secmsg_nl_put_krb5(skb, ctx, user_ns))
		return -EMSGSIZE;
	/* As QUERY: known at COMPLETE, withheld from an ANONYMOUS server. */
	if (complete && ctx->peer_cred &&
	    !(ctx->role == SECMSG_ROLE_ACCEPTOR &&
	      ctx->imp_level == SECMSG_IMP_ANONYMOUS)) {
		if (nla_put_u32(skb, SECMSG_A_CTX_PEER_UID,
				from_kuid_munged(user_ns,
						 ctx->peer_cred->euid)) ||
		    nla_put_u32(skb, SECMSG_A_CTX_PEER_GID,
				from_kgid_munged(user_ns,
						 ctx->peer_cred->egid)) ||
		    nla_put_u32(skb, SECMSG_A_CTX_PEER_PID,
				pid_nr_ns(ctx->peer_tgid, pid_ns)))
			return -EMSGSIZE;
	}
	if (complete &&
	    nla_put_string(skb, SECMSG_A_CTX_DRIVER, secmsg_ctx_driver(ctx)))
		return -EMSGSIZE;
	for (i = 0; i < SECMSG_CNT_NR; i++)
		cnt[i] = atomic64_read(&ctx->counters[i]);
	return secmsg_nl_put_counters(skb, SECMSG_A_CTX_COUNTERS, cnt);
}

/*
 * CTX_GET's attributes: a context's, and the bytes it keeps for its
 * message calls (not in events, which stay as small as they were).
 */
static int secmsg_nl_fill_ctx_get(struct sk_buff *skb, struct secmsg_ctx *ctx,
				  struct user_namespace *user_ns,
				  struct pid_namespace *pid_ns)
{
	int err = secmsg_nl_fill_ctx(skb, ctx, user_ns, pid_ns);

	if (!err && nla_put_u64_64bit(skb, SECMSG_A_CTX_KEPT,
				      secmsg_msg_kept(ctx), SECMSG_A_PAD))
		err = -EMSGSIZE;
	return err;
}

/* The caller of a doit: both parties of @skb, in its socket's namespace. */
static void secmsg_nl_caller_doit(struct secmsg_nl_caller *c,
				  struct sk_buff *skb, struct genl_info *info)
{
	c->net = genl_info_net(info);
	secmsg_nl_parties(&c->sender, &c->opener, skb, c->net->user_ns);
	c->user_ns = sk_user_ns(NETLINK_CB(skb).sk);
	c->pid_ns = task_active_pid_ns(current);
}

/* Refuse a request without SECMSG_A_CTX_ID: true if so. */
static bool secmsg_nl_need_id(struct genl_info *info)
{
	if (!GENL_REQ_ATTR_CHECK(info, SECMSG_A_CTX_ID))
		return false;
	NL_SET_ERR_MSG(info->extack, "context id (SECMSG_A_CTX_ID) required");
	return true;
}

/* A visible context by id, or NULL; secmsg_ctx_lock held. */
static struct secmsg_ctx *secmsg_nl_find(const struct secmsg_nl_caller *c,
					 u64 id)
{
	struct secmsg_ctx *ctx;

	lockdep_assert_held(&secmsg_ctx_lock);
	list_for_each_entry(ctx, &secmsg_ctx_list, node) {
		if (ctx->id == id)
			return secmsg_nl_visible(c, ctx) ? ctx : NULL;
		if (ctx->id > id)
			break;
	}
	return NULL;
}

static int secmsg_nl_ctx_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct secmsg_nl_caller c;
	struct secmsg_ctx *ctx;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (secmsg_nl_need_id(info))
		return -EINVAL;
	secmsg_nl_caller_doit(&c, skb, info);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &secmsg_nl_family, 0,
				SECMSG_CMD_CTX_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_msg;
	}

	mutex_lock(&secmsg_ctx_lock);
	ctx = secmsg_nl_find(&c, nla_get_u64(info->attrs[SECMSG_A_CTX_ID]));
	if (!ctx) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SECMSG_A_CTX_ID],
				    "no such context (or not yours)");
		err = -ENOENT;
	} else {
		err = secmsg_nl_fill_ctx_get(msg, ctx, c.user_ns, c.pid_ns);
	}
	mutex_unlock(&secmsg_ctx_lock);
	if (err)
		goto err_msg;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
	return err;
}

/*
 * A dump's state between its messages (netlink_callback.ctx).  Its later
 * parts run in whichever task calls recvmsg(): who asks is decided once,
 * at the start, from the request's sender and the socket's opener.
 */
struct secmsg_nl_dump {
	u64 last_id;		/* the cursor: resume after this id */
	struct secmsg_nl_party sender;
	struct secmsg_nl_party opener;
	struct pid_namespace *pid_ns;	/* the sender's (referenced) */
};

static int secmsg_nl_ctx_get_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct secmsg_nl_dump *d = (struct secmsg_nl_dump *)cb->ctx;
	struct net *net = sock_net(cb->skb->sk);

	BUILD_BUG_ON(sizeof(*d) > sizeof(cb->ctx));
	/* An id given: start there (a caller resuming a dump of its own). */
	d->last_id = info->attrs[SECMSG_A_CTX_ID] ?
		     nla_get_u64(info->attrs[SECMSG_A_CTX_ID]) - 1 : 0;
	secmsg_nl_parties(&d->sender, &d->opener, cb->skb, net->user_ns);
	/* Last: once start succeeds, .done runs whatever happens. */
	d->pid_ns = get_pid_ns(task_active_pid_ns(current));
	return 0;
}

static int secmsg_nl_ctx_get_done(struct netlink_callback *cb)
{
	struct secmsg_nl_dump *d = (struct secmsg_nl_dump *)cb->ctx;

	put_pid_ns(d->pid_ns);
	return 0;
}

static int secmsg_nl_ctx_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct secmsg_nl_dump *d = (struct secmsg_nl_dump *)cb->ctx;
	struct secmsg_nl_caller c = {
		.net = sock_net(skb->sk),
		.sender = d->sender,
		.opener = d->opener,
		.user_ns = sk_user_ns(NETLINK_CB(cb->skb).sk),
		.pid_ns = d->pid_ns,
	};
	struct secmsg_ctx *ctx;
	void *hdr;

	mutex_lock(&secmsg_ctx_lock);
	list_for_each_entry(ctx, &secmsg_ctx_list, node) {
		if (ctx->id <= d->last_id || !secmsg_nl_visible(&c, ctx))
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &secmsg_nl_family,
				  NLM_F_MULTI, SECMSG_CMD_CTX_GET);
		if (!hdr)
			break;
		if (secmsg_nl_fill_ctx_get(skb, ctx, c.user_ns, c.pid_ns)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		d->last_id = ctx->id;
	}
	mutex_unlock(&secmsg_ctx_lock);
	return skb->len;
}

static int secmsg_nl_ctx_revoke_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct secmsg_nl_caller c;
	struct secmsg_ctx *ctx;
	int err = 0;

	if (secmsg_nl_need_id(info))
		return -EINVAL;
	secmsg_nl_caller_doit(&c, skb, info);

	mutex_lock(&secmsg_ctx_lock);
	ctx = secmsg_nl_find(&c, nla_get_u64(info->attrs[SECMSG_A_CTX_ID]));
	if (!ctx) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SECMSG_A_CTX_ID],
				    "no such context (or not yours)");
		err = -ENOENT;
	} else if (test_and_set_bit(SECMSG_CTX_REVOKED, &ctx->state)) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SECMSG_A_CTX_ID],
				    "context already revoked");
		err = -EALREADY;
	} else {
		atomic64_inc(&secmsg_stat_revoked);
		secmsg_krb5_revoke(ctx);
		secmsg_nl_event(ctx, SECMSG_EVENT_REVOKED, 0);
	}
	mutex_unlock(&secmsg_ctx_lock);
	return err;
}

static int secmsg_nl_put_config(struct sk_buff *skb)
{
	if (nla_put_u32(skb, SECMSG_A_CFG_MAX_CONTEXTS_PER_USER,
			READ_ONCE(secmsg_max_contexts_per_user)) ||
	    nla_put_u32(skb, SECMSG_A_CFG_DEFAULT_LIFETIME,
			READ_ONCE(secmsg_default_lifetime)) ||
	    nla_put_u32(skb, SECMSG_A_CFG_MAX_LIFETIME,
			READ_ONCE(secmsg_max_lifetime)) ||
	    nla_put_u32(skb, SECMSG_A_CFG_SUITES,
			READ_ONCE(secmsg_allowed_suites)) ||
	    nla_put_u32(skb, SECMSG_A_CFG_REPLAY_WINDOW,
			READ_ONCE(secmsg_replay_window)))
		return -EMSGSIZE;
	return 0;
}

/* A reply whose attributes @put fills. */
static int secmsg_nl_reply(struct genl_info *info, u8 cmd,
			   int (*put)(struct sk_buff *skb))
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &secmsg_nl_family, 0, cmd);
	err = hdr ? put(msg) : -EMSGSIZE;
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int secmsg_nl_config_get_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	return secmsg_nl_reply(info, SECMSG_CMD_CONFIG_GET,
			       secmsg_nl_put_config);
}

/* @attr's value if given, else the current setting. */
static u32 secmsg_nl_cfg_val(struct genl_info *info, int attr,
			     unsigned int *cur)
{
	return info->attrs[attr] ? nla_get_u32(info->attrs[attr]) :
				   READ_ONCE(*cur);
}

static int secmsg_nl_config_set_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	u32 max_ctx, def_life, max_life, suites, window;

	/* Module-wide: the initial user namespace's CAP_NET_ADMIN. */
	if (!secmsg_nl_capable(skb, &init_user_ns)) {
		NL_SET_ERR_MSG(info->extack,
			       "CONFIG_SET needs CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	if (!tb[SECMSG_A_CFG_MAX_CONTEXTS_PER_USER] &&
	    !tb[SECMSG_A_CFG_DEFAULT_LIFETIME] &&
	    !tb[SECMSG_A_CFG_MAX_LIFETIME] && !tb[SECMSG_A_CFG_SUITES] &&
	    !tb[SECMSG_A_CFG_REPLAY_WINDOW]) {
		NL_SET_ERR_MSG(info->extack, "no setting given");
		return -EINVAL;
	}

	mutex_lock(&secmsg_cfg_lock);
	max_ctx = secmsg_nl_cfg_val(info, SECMSG_A_CFG_MAX_CONTEXTS_PER_USER,
				    &secmsg_max_contexts_per_user);
	def_life = secmsg_nl_cfg_val(info, SECMSG_A_CFG_DEFAULT_LIFETIME,
				     &secmsg_default_lifetime);
	max_life = secmsg_nl_cfg_val(info, SECMSG_A_CFG_MAX_LIFETIME,
				     &secmsg_max_lifetime);
	suites = secmsg_nl_cfg_val(info, SECMSG_A_CFG_SUITES,
				   &secmsg_allowed_suites);
	window = secmsg_nl_cfg_val(info, SECMSG_A_CFG_REPLAY_WINDOW,
				   &secmsg_replay_window);
	if (!secmsg_replay_size_valid(window)) {
		/* The policy checked the range; this is the power of two. */
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[SECMSG_A_CFG_REPLAY_WINDOW],
				    "replay window not a power of two");
		mutex_unlock(&secmsg_cfg_lock);
		return -EINVAL;
	}
	if (def_life > max_life) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[SECMSG_A_CFG_DEFAULT_LIFETIME] ?:
				    tb[SECMSG_A_CFG_MAX_LIFETIME],
				    "default lifetime above the maximum lifetime");
		mutex_unlock(&secmsg_cfg_lock);
		return -EINVAL;
	}
	WRITE_ONCE(secmsg_max_contexts_per_user, max_ctx);
	WRITE_ONCE(secmsg_default_lifetime, def_life);
	WRITE_ONCE(secmsg_max_lifetime, max_life);
	WRITE_ONCE(secmsg_allowed_suites, suites);
	WRITE_ONCE(secmsg_replay_window, window);
	mutex_unlock(&secmsg_cfg_lock);

	return secmsg_nl_reply(info, SECMSG_CMD_CONFIG_SET,
			       secmsg_nl_put_config);
}

static int secmsg_nl_put_stats(struct sk_buff *skb)
{
	u64 total[SECMSG_CNT_NR] = {};
	struct secmsg_ctx *ctx;
	u64 alive = 0;
	int cpu, i;

	mutex_lock(&secmsg_ctx_lock);
	list_for_each_entry(ctx, &secmsg_ctx_list, node)
		if (kref_read(&ctx->ref))
			alive++;
	mutex_unlock(&secmsg_ctx_lock);
	for_each_possible_cpu(cpu)
		for (i = 0; i < SECMSG_CNT_NR; i++)
			total[i] += per_cpu(secmsg_cnt_total, cpu)[i];

	if (nla_put_u64_64bit(skb, SECMSG_A_STATS_CONTEXTS, alive,
			      SECMSG_A_PAD) ||
	    nla_put_u64_64bit(skb, SECMSG_A_STATS_CREATED,
			      atomic64_read(&secmsg_stat_created),
			      SECMSG_A_PAD) ||
	    nla_put_u64_64bit(skb, SECMSG_A_STATS_REVOKED,
			      atomic64_read(&secmsg_stat_revoked),
			      SECMSG_A_PAD) ||
	    nla_put_u64_64bit(skb, SECMSG_A_STATS_EVENTS_COALESCED,
			      atomic64_read(&secmsg_stat_coalesced),
			      SECMSG_A_PAD))
		return -EMSGSIZE;
	return secmsg_nl_put_counters(skb, SECMSG_A_STATS_COUNTERS, total);
}

static int secmsg_nl_stats_get_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	if (!secmsg_nl_capable(skb, &init_user_ns)) {
		NL_SET_ERR_MSG(info->extack,
			       "STATS_GET needs CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	return secmsg_nl_reply(info, SECMSG_CMD_STATS_GET, secmsg_nl_put_stats);
}

/* Commands that take no attribute: every one is refused. */
static const struct nla_policy secmsg_nl_none_policy[SECMSG_A_MAX + 1] = {
};

static const struct nla_policy secmsg_nl_id_policy[SECMSG_A_MAX + 1] = {
	[SECMSG_A_CTX_ID] = NLA_POLICY_MIN(NLA_U64, 1),
};

static struct netlink_range_validation secmsg_nl_ctx_range = {
	.min = 0,
	.max = SECMSG_CFG_MAX_CONTEXTS,
};

static struct netlink_range_validation secmsg_nl_life_range = {
	.min = 1,
	.max = SECMSG_CFG_MAX_LIFETIME,
};

static const struct nla_policy secmsg_nl_cfg_policy[SECMSG_A_MAX + 1] = {
	[SECMSG_A_CFG_MAX_CONTEXTS_PER_USER] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &secmsg_nl_ctx_range),
	[SECMSG_A_CFG_DEFAULT_LIFETIME] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &secmsg_nl_life_range),
	[SECMSG_A_CFG_MAX_LIFETIME] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &secmsg_nl_life_range),
	[SECMSG_A_CFG_SUITES] = NLA_POLICY_MASK(NLA_U32, SECMSG_CFG_SUITES_ALL),
	[SECMSG_A_CFG_REPLAY_WINDOW] =
		NLA_POLICY_RANGE(NLA_U32, SECMSG_REPLAY_WINDOW_MIN,
				 SECMSG_REPLAY_WINDOW_MAX),
};

static const struct genl_ops secmsg_nl_ops[] = {
	{
		.cmd = SECMSG_CMD_CTX_GET,
		.doit = secmsg_nl_ctx_get_doit,
		.start = secmsg_nl_ctx_get_start,
		.dumpit = secmsg_nl_ctx_get_dumpit,
		.done = secmsg_nl_ctx_get_done,
		.policy = secmsg_nl_id_policy,
		.maxattr = SECMSG_A_MAX,
	},
	{
		.cmd = SECMSG_CMD_CTX_REVOKE,
		.doit = secmsg_nl_ctx_revoke_doit,
		.policy = secmsg_nl_id_policy,
		.maxattr = SECMSG_A_MAX,
	},
	{
		.cmd = SECMSG_CMD_CONFIG_GET,
		.doit = secmsg_nl_config_get_doit,
		.policy = secmsg_nl_none_policy,
		.maxattr = SECMSG_A_MAX,
	},
	{
		.cmd = SECMSG_CMD_CONFIG_SET,
		.doit = secmsg_nl_config_set_doit,
		.policy = secmsg_nl_cfg_policy,
		.maxattr = SECMSG_A_MAX,
	},
	{
		.cmd = SECMSG_CMD_STATS_GET,
		.doit = secmsg_nl_stats_get_doit,
		.policy = secmsg_nl_none_policy,
		.maxattr = SECMSG_A_MAX,
	},
};

#if SECMSG_NL_EVENTS
static const struct genl_multicast_group secmsg_nl_mcgrps[] = {
	[SECMSG_NL_GRP_EVENTS] = {
		.name = SECMSG_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};
#endif

static struct genl_family secmsg_nl_family __ro_after_init = {
	.name = SECMSG_GENL_NAME,
	.version = SECMSG_GENL_VERSION,
	.maxattr = SECMSG_A_MAX,
	.netnsok = true,
	.parallel_ops = true,	/* the handlers lock what they touch */
	.module = THIS_MODULE,
	.ops = secmsg_nl_ops,
	.n_ops = ARRAY_SIZE(secmsg_nl_ops),
	/* Every command gets the strict header and flag checks. */
	.resv_start_op = SECMSG_CMD_CTX_GET,
#if SECMSG_NL_EVENTS
	.mcgrps = secmsg_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(secmsg_nl_mcgrps),
#endif
};

/* "secmsg" resolved by anyone (CTRL_CMD_GETFAMILY) loads the module. */
MODULE_ALIAS_GENL_FAMILY(SECMSG_GENL_NAME);

/*
 * Build and multicast an event; @count 0: none given.  Return: 0 (sent, or
 * nobody listens), or -ENOMEM / -EMSGSIZE when it could not be built.
 */
static int secmsg_nl_send(struct secmsg_ctx *ctx, u32 event, u32 verdict,
			  u64 count, gfp_t gfp)
{
	struct pid_namespace *pid_ns;
	struct sk_buff *msg;
	void *hdr;

	if (!secmsg_nl_listened(ctx->net))
		return 0;
	msg = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &secmsg_nl_family, 0, SECMSG_CMD_EVENT);
	if (!hdr)
		goto err;
	/* Ids as the namespace's owner and the creator see them. */
	pid_ns = ctx->tgid ? ns_of_pid(ctx->tgid) : &init_pid_ns;
	if (nla_put_u32(msg, SECMSG_A_EVENT, event) ||
	    (verdict && nla_put_u32(msg, SECMSG_A_EVENT_VERDICT, verdict)) ||
	    (count && nla_put_u64_64bit(msg, SECMSG_A_EVENT_COUNT, count,
					SECMSG_A_PAD)) ||
	    secmsg_nl_fill_ctx(msg, ctx, ctx->net->user_ns, pid_ns))
		goto err;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&secmsg_nl_family, ctx->net, msg, 0,
				SECMSG_NL_GRP_EVENTS, gfp);
	return 0;
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* Listeners learn that an event was lost: ENOBUFS on their recv. */
static void secmsg_nl_lost(struct secmsg_ctx *ctx)
{
	if (!SECMSG_NL_EVENTS)	/* no group: genl_set_err() would warn */
		return;
	genl_set_err(&secmsg_nl_family, ctx->net, 0, SECMSG_NL_GRP_EVENTS,
		     -ENOBUFS);
}

/**
 * secmsg_nl_event() - multicast an event about a context
 * @ctx:     the context (a reference or secmsg_ctx_lock held)
 * @event:   SECMSG_EVENT_*
 * @verdict: SECMSG_VERDICT_* of a failure, or 0 (not sent)
 *
 * Only to listeners in @ctx's network namespace, and only if there are
 * any.  Never blocks (GFP_ATOMIC); an event that cannot be allocated is
 * lost, and the listeners are told so (ENOBUFS), as for a full socket.
 */
void secmsg_nl_event(struct secmsg_ctx *ctx, u32 event, u32 verdict)
{
	if (secmsg_nl_send(ctx, event, verdict, 0, GFP_ATOMIC))
		secmsg_nl_lost(ctx);
}

/**
 * secmsg_nl_created() - a context was published
 * @ctx: the context, referenced by its file
 */
void secmsg_nl_created(struct secmsg_ctx *ctx)
{
	atomic64_inc(&secmsg_stat_created);
	secmsg_nl_event(ctx, SECMSG_EVENT_CREATED, 0);
}

/* Report @n failures of @ev's kind in one event.  Return: as _send(). */
static int secmsg_nl_ev_report(struct secmsg_nl_ev *ev, u64 n)
{
	u32 verdict = ev->counter == SECMSG_CNT_ALTERED ?
		      SECMSG_VERDICT_ALTERED :
		      ev->counter == SECMSG_CNT_REPLAYED ?
		      SECMSG_VERDICT_REPLAYED : SECMSG_VERDICT_TOO_OLD;
	int err;

	err = secmsg_nl_send(ev->ctx, verdict == SECMSG_VERDICT_ALTERED ?
			     SECMSG_EVENT_ALTERED : SECMSG_EVENT_REPLAY,
			     verdict, n, GFP_KERNEL);
	if (!err)
		atomic64_add(n - 1, &secmsg_stat_coalesced);
	return err;
}

/*
 * Take one event from the module-wide budget.  Return: 0, or the jiffies
 * until the next interval, when this one's budget is spent.
 */
static unsigned long secmsg_nl_budget_take(void)
{
	unsigned long now = jiffies, wait = 0;

	spin_lock(&secmsg_nl_budget_lock);
	if (time_after_eq(now, secmsg_nl_budget_end)) {
		secmsg_nl_budget_end = now + SECMSG_NL_EV_INTERVAL;
		secmsg_nl_budget_used = 0;
	}
	if (secmsg_nl_budget_used < SECMSG_EVENT_BUDGET)
		secmsg_nl_budget_used++;
	else
		wait = secmsg_nl_budget_end - now;
	spin_unlock(&secmsg_nl_budget_lock);
	return wait;
}

/*
 * The flush of one kind of failure event: report what was counted, then
 * wait an interval (failures meanwhile are only counted); after a quiet
 * interval, disarm, so that the next failure is reported at once.
 */
static void secmsg_nl_ev_flush(struct work_struct *work)
{
	struct secmsg_nl_ev *ev = container_of(to_delayed_work(work),
					       struct secmsg_nl_ev, flush);
	unsigned long wait;
	u64 n;

	if (!atomic64_read(&ev->pending)) {
		clear_bit(SECMSG_NL_EV_ARMED, &ev->armed);
		/* Pairs with secmsg_nl_counted(): its count, or our clear. */
		smp_mb__after_atomic();
		if (!atomic64_read(&ev->pending) ||
		    test_and_set_bit(SECMSG_NL_EV_ARMED, &ev->armed))
			return;
	}
	wait = secmsg_nl_budget_take();
	if (!wait) {
		n = atomic64_xchg(&ev->pending, 0);
		/* No memory: keep the count for the next try. */
		if (n && secmsg_nl_ev_report(ev, n))
			atomic64_add(n, &ev->pending);
		wait = SECMSG_NL_EV_INTERVAL;
	}
	queue_delayed_work(system_wq, &ev->flush, wait);
}

/**
 * secmsg_nl_ctx_init() - set up a new context's coalesced events
 * @ctx: the context, just allocated (zeroed)
 */
void secmsg_nl_ctx_init(struct secmsg_ctx *ctx)
{
	int i;

	for (i = 0; i < SECMSG_NL_EV_NR; i++) {
		ctx->nl_ev[i].ctx = ctx;
		ctx->nl_ev[i].counter = SECMSG_NL_EV_FIRST + i;
		INIT_DELAYED_WORK(&ctx->nl_ev[i].flush, secmsg_nl_ev_flush);
	}
}

/**
 * secmsg_nl_ctx_release() - a context is being freed: its last events
 * @ctx: the context, unreachable now (secmsg_nl_ctx_init() was called)
 *
 * Stops the flushes (nothing can queue them any more) and reports what is
 * still counted, whatever the budget.  May sleep.
 */
void secmsg_nl_ctx_release(struct secmsg_ctx *ctx)
{
	struct secmsg_nl_ev *ev;
	u64 n;
	int i;

	for (i = 0; i < SECMSG_NL_EV_NR; i++) {
		ev = &ctx->nl_ev[i];
		cancel_delayed_work_sync(&ev->flush);
		n = atomic64_xchg(&ev->pending, 0);
		if (n && secmsg_nl_ev_report(ev, n))
			secmsg_nl_lost(ctx);
	}
}

/**
 * secmsg_nl_counted() - a failure secmsg_ctx_count() reports as an event
 * @ctx: the context (a reference held)
 * @c:   SECMSG_CNT_ALTERED, _REPLAYED, _TOO_OLD or _EXPIRED
 *
 * The one place failures become events; any context, never sleeps, takes
 * no lock and allocates nothing.  ALTERED, REPLAYED and TOO_OLD, which a
 * peer can cause at its own rate, are counted while someone listens, and
 * the flush is started if it is not under way.  Expiry is found lazily, by
 * the first call after it; it is sent once per context (the first such
 * call made while someone listens).
 */
void secmsg_nl_counted(struct secmsg_ctx *ctx, enum secmsg_counter c)
{
	struct secmsg_nl_ev *ev;

	BUILD_BUG_ON(SECMSG_CNT_ALTERED + 1 != SECMSG_CNT_REPLAYED ||
		     SECMSG_CNT_ALTERED + 2 != SECMSG_CNT_TOO_OLD);
	switch (c) {
	case SECMSG_CNT_ALTERED:
	case SECMSG_CNT_REPLAYED:
	case SECMSG_CNT_TOO_OLD:
		if (!secmsg_nl_listened(ctx->net))
			break;
		ev = &ctx->nl_ev[c - SECMSG_NL_EV_FIRST];
		atomic64_inc(&ev->pending);
		/* Pairs with the flush: it sees our count, or we its clear. */
		smp_mb__after_atomic();
		if (!test_bit(SECMSG_NL_EV_ARMED, &ev->armed) &&
		    !test_and_set_bit(SECMSG_NL_EV_ARMED, &ev->armed))
			queue_delayed_work(system_wq, &ev->flush, 0);
		break;
	case SECMSG_CNT_EXPIRED:
		if (secmsg_nl_listened(ctx->net) &&
		    !test_and_set_bit(SECMSG_CTX_EV_EXPIRED, &ctx->nl_events))
			secmsg_nl_event(ctx, SECMSG_EVENT_EXPIRED,
					SECMSG_VERDICT_EXPIRED);
		break;
	default:
		break;
	}
}

int __init secmsg_nl_init(void)
{
	secmsg_nl_budget_end = jiffies;
	return genl_register_family(&secmsg_nl_family);
}

void secmsg_nl_exit(void)
{
	genl_unregister_family(&secmsg_nl_family);
}
