// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sm_query_names(): SECPKG_ATTR_NAMES / NATIVE_NAMES.  The kernel vouches
 * for the numbers; names come from this process's user database, looked up
 * with the reentrant calls and buffers allocated for the call.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/*
 * struct sm_names as libsecmsg 1.0 had it: up to and including @peer (1.1
 * added the LSM contexts, 1.4 the principal names)
 */
#define SM_NAMES_SIZE_VER0 offsetof(struct sm_names, local_lsm)

/* Start and cap of the lookup buffer, grown on ERANGE */
#define SM_PW_BUF_MIN 1024
#define SM_PW_BUF_MAX (1u << 20)

/*
 * Look up @id's name into @dst (SM_NAME_LEN).  Return 1 if found, 0 if
 * the number must stand in (no entry, a failing database, a name too long
 * to keep whole), or -ENOMEM.
 */
static int sm_lookup(int group, uint32_t id, char *dst)
{
	long hint = sysconf(group ? _SC_GETGR_R_SIZE_MAX : _SC_GETPW_R_SIZE_MAX);
	size_t len = hint > SM_PW_BUF_MIN ? (size_t)hint : SM_PW_BUF_MIN;
	int ret = 0;

	for (;;) {
		char *buf = malloc(len);
		const char *name = NULL;
		struct passwd pw, *pwp = NULL;
		struct group gr, *grp = NULL;
		int err;

		if (!buf)
			return -ENOMEM;
		if (group) {
			err = getgrgid_r((gid_t)id, &gr, buf, len, &grp);
			if (!err && grp)
				name = grp->gr_name;
		} else {
			err = getpwuid_r((uid_t)id, &pw, buf, len, &pwp);
			if (!err && pwp)
				name = pwp->pw_name;
		}
		if (name && strlen(name) < SM_NAME_LEN && name[0]) {
			strcpy(dst, name);
			ret = 1;
		}
		free(buf);
		if (err == ERANGE && len < SM_PW_BUF_MAX) {
			len *= 2;
			continue;
		}
		if (err == ENOMEM)
			return -ENOMEM;
		return ret;
	}
}

static int sm_name_fill(struct sm_name *n, const struct secmsg_identity *k)
{
	int ret;

	memset(n, 0, sizeof(*n));
	sm_identity_from(&n->id, k);
	if (!(n->id.flags & SM_ID_VALID))
		return 0;
	ret = sm_lookup(0, n->id.uid, n->user);
	if (ret < 0)
		return ret;
	if (!ret) {
		snprintf(n->user, sizeof(n->user), "%u", n->id.uid);
		n->flags |= SM_NAME_USER_NUMERIC;
	}
	ret = sm_lookup(1, n->id.gid, n->group);
	if (ret < 0)
		return ret;
	if (!ret) {
		snprintf(n->group, sizeof(n->group), "%u", n->id.gid);
		n->flags |= SM_NAME_GROUP_NUMERIC;
	}
	return 0;
}

SM_EXPORT sm_status sm_query_names(sm_ctx *ctx, struct sm_names *names)
{
	struct secmsg_query q;
	struct sm_names nm;
	size_t size;
	sm_status st;
	int err;

	if (!names || names->size < SM_NAMES_SIZE_VER0 || !ctx)
		return sm_invalid(EINVAL);
	size = names->size;
	st = sm_query_ctx(ctx, &q);
	if (st)
		return st;

	memset(&nm, 0, sizeof(nm));
	err = sm_name_fill(&nm.local, &q.local);
	if (!err)
		err = sm_name_fill(&nm.peer, &q.peer);
	if (err) {
		errno = -err;
		return SM_E_INSUFFICIENT_MEMORY;
	}
	/* The kernel terminates them; a withheld peer has "" */
	memcpy(nm.local_lsm, q.local_lsm, sizeof(nm.local_lsm));
	memcpy(nm.peer_lsm, q.peer_lsm, sizeof(nm.peer_lsm));
	nm.local_lsm[SM_LSM_LEN - 1] = 0;
	nm.peer_lsm[SM_LSM_LEN - 1] = 0;
	/* A kernel before VER3 left them zero: "" */
	sm_principals_from(nm.client_principal, nm.service_principal, q.role,
			   q.local_principal, q.peer_principal);
	if (size > sizeof(nm)) {
		memset((char *)names + sizeof(nm), 0, size - sizeof(nm));
		size = sizeof(nm);
	}
	nm.size = (uint32_t)size;
	memcpy(names, &nm, size);
	return SM_E_OK;
}
