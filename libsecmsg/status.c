// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library's version; status codes: names, SSPI equivalents, and the
 * mapping from the kernel's verdicts and errnos.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

/* The release, from the top-level VERSION file (libsecmsg/Makefile) */
#ifndef SM_VERSION_STRING
#error "build with -DSM_VERSION_STRING=\"x.y.z\" (libsecmsg/Makefile does)"
#endif

SM_EXPORT const char *sm_version(void)
{
	return SM_VERSION_STRING;
}

static const struct {
	sm_status status;
	const char *text;
} sm_status_table[] = {
	{ SM_E_OK, "SM_E_OK: success" },
	{ SM_I_CONTINUE_NEEDED,
	  "SM_I_CONTINUE_NEEDED: another establishment round is needed" },
	{ SM_E_INSUFFICIENT_MEMORY,
	  "SM_E_INSUFFICIENT_MEMORY: not enough memory" },
	{ SM_E_INVALID_HANDLE,
	  "SM_E_INVALID_HANDLE: not a secmsg security context" },
	{ SM_E_UNSUPPORTED_FUNCTION,
	  "SM_E_UNSUPPORTED_FUNCTION: not supported by this context or kernel" },
	{ SM_E_TARGET_UNKNOWN, "SM_E_TARGET_UNKNOWN: the target is unknown" },
	{ SM_E_INTERNAL_ERROR,
	  "SM_E_INTERNAL_ERROR: unexpected failure, see errno" },
	{ SM_E_SECPKG_NOT_FOUND,
	  "SM_E_SECPKG_NOT_FOUND: no such package, or the secmsg module is not loaded (no /dev/secmsg, no netlink family): load it as root with \"modprobe secmsg\"" },
	{ SM_E_INVALID_TOKEN,
	  "SM_E_INVALID_TOKEN: the token is malformed, too short or used already" },
	{ SM_E_QOP_NOT_SUPPORTED,
	  "SM_E_QOP_NOT_SUPPORTED: unknown qop, or sealing without confidentiality" },
	{ SM_E_NO_IMPERSONATION,
	  "SM_E_NO_IMPERSONATION: impersonation not allowed, or none to revert" },
	{ SM_E_LOGON_DENIED,
	  "SM_E_LOGON_DENIED: the logon was denied (not the client's target)" },
	{ SM_E_NO_CREDENTIALS,
	  "SM_E_NO_CREDENTIALS: no credentials are available" },
	{ SM_E_MESSAGE_ALTERED,
	  "SM_E_MESSAGE_ALTERED: the message or its token was altered" },
	{ SM_E_OUT_OF_SEQUENCE,
	  "SM_E_OUT_OF_SEQUENCE: not the next expected sequence number" },
	{ SM_E_CONTEXT_EXPIRED,
	  "SM_E_CONTEXT_EXPIRED: lifetime over or sequence numbers exhausted" },
	{ SM_E_INCOMPLETE_MESSAGE,
	  "SM_E_INCOMPLETE_MESSAGE: stream shorter than header and trailer" },
	{ SM_E_BUFFER_TOO_SMALL,
	  "SM_E_BUFFER_TOO_SMALL: a buffer is too small" },
	{ SM_E_ALGORITHM_MISMATCH,
	  "SM_E_ALGORITHM_MISMATCH: the kernel lacks the cipher suite's algorithm" },
	{ SM_E_INVALID_PARAMETER,
	  "SM_E_INVALID_PARAMETER: invalid argument or buffer layout" },
	{ SM_E_REPLAYED,
	  "SM_E_REPLAYED: message seen before (replay), a kind of SM_E_OUT_OF_SEQUENCE" },
	{ SM_E_TOO_OLD,
	  "SM_E_TOO_OLD: message older than the replay window, a kind of SM_E_OUT_OF_SEQUENCE" },
	{ SM_E_TOO_MANY_CONTEXTS,
	  "SM_E_TOO_MANY_CONTEXTS: per-user context limit or fd limit reached" },
	{ SM_E_CONTEXT_INCOMPLETE,
	  "SM_E_CONTEXT_INCOMPLETE: the context is not established yet, a kind of SM_E_INVALID_HANDLE" },
	{ SM_E_NOT_OWNER,
	  "SM_E_NOT_OWNER: not allowed (the context is not yours, or CAP_NET_ADMIN is needed)" },
	{ SM_E_CONTEXT_REVOKED,
	  "SM_E_CONTEXT_REVOKED: the context was revoked, a kind of SM_E_CONTEXT_EXPIRED" },
	{ SM_E_ACCESS_DENIED,
	  "SM_E_ACCESS_DENIED: this process may not open /dev/secmsg (a udev rule sets its group and mode: ask the administrator for access, e.g. membership of that group), a kind of SM_E_NOT_OWNER" },
};

SM_EXPORT const char *sm_status_string(sm_status status)
{
	size_t i;

	for (i = 0; i < SM_ARRAY_SIZE(sm_status_table); i++)
		if (sm_status_table[i].status == status)
			return sm_status_table[i].text;
	return "unknown status";
}

SM_EXPORT sm_status sm_status_sspi(sm_status status)
{
	if (!SM_STATUS_IS_PRIVATE(status))
		return status;

	switch (status) {
	case SM_E_REPLAYED:
	case SM_E_TOO_OLD:
		return SM_E_OUT_OF_SEQUENCE;
	case SM_E_TOO_MANY_CONTEXTS:
		return SM_E_INSUFFICIENT_MEMORY;
	case SM_E_CONTEXT_INCOMPLETE:
		return SM_E_INVALID_HANDLE;
	case SM_E_CONTEXT_REVOKED:
		return SM_E_CONTEXT_EXPIRED;
	case SM_E_ACCESS_DENIED:
		return SM_E_NOT_OWNER;
	default:
		return SM_E_INTERNAL_ERROR;
	}
}

static sm_status sm_errno_any(int err)
{
	switch (err) {
	case 0:
		return SM_E_OK;
	case EINVAL:
	case E2BIG:
	case EFAULT:
	case EMSGSIZE:
		return SM_E_INVALID_PARAMETER;
	case EBADF:
	case ENOTTY:
		return SM_E_INVALID_HANDLE;
	case ENOMEM:
		return SM_E_INSUFFICIENT_MEMORY;
	case EMFILE:
	case ENFILE:
		return SM_E_TOO_MANY_CONTEXTS;
	case ENOENT:
		return SM_E_ALGORITHM_MISMATCH;
	/* The verdicts' errnos, should a kernel send one without a verdict */
	case EBADMSG:
		return SM_E_MESSAGE_ALTERED;
	case EALREADY:
		return SM_E_REPLAYED;
	case ESTALE:
		return SM_E_TOO_OLD;
	case EILSEQ:
		return SM_E_OUT_OF_SEQUENCE;
	case EKEYEXPIRED:
		return SM_E_CONTEXT_EXPIRED;
	case EKEYREVOKED:
		return SM_E_CONTEXT_REVOKED;
	case EPROTO:
		return SM_E_INVALID_TOKEN;
	case ENOBUFS:
		return SM_E_BUFFER_TOO_SMALL;
	case ENODATA:
		return SM_E_INCOMPLETE_MESSAGE;
	case ENOTCONN:
		return SM_E_CONTEXT_INCOMPLETE;
	case EOPNOTSUPP:
	case ENOSYS:
		return SM_E_UNSUPPORTED_FUNCTION;
	default:
		return SM_E_INTERNAL_ERROR;
	}
}

/*
 * The status for a failed ioctl's errno, among those @call documents: an
 * errno the uapi does not give for that call (EBADMSG from QUERY, ENOENT
 * from SEAL, ESTALE failing a whole BATCH...) is SM_E_INTERNAL_ERROR, with
 * errno telling which.
 */
/*
 * The establishment calls' errnos (uapi "Establishing a local context"):
 * INIT and ACCEPT on /dev/secmsg, COMPLETE on the client's context.
 */
static sm_status sm_errno_establish(int err, enum sm_call call)
{
	switch (err) {
	case 0:
		return SM_E_OK;
	case EINVAL:
	case E2BIG:
	case EFAULT:
		return SM_E_INVALID_PARAMETER;
	case EBADF:
	case ENOTTY:
		return SM_E_INVALID_HANDLE;
	case ENOMEM:
		return SM_E_INSUFFICIENT_MEMORY;
	case EMFILE:
	case ENFILE:
		return call == SM_CALL_COMPLETE ? SM_E_INTERNAL_ERROR :
						  SM_E_TOO_MANY_CONTEXTS;
	case ENOBUFS:
		return call == SM_CALL_COMPLETE ? SM_E_INTERNAL_ERROR :
						  SM_E_BUFFER_TOO_SMALL;
	case ENOENT:
		return call == SM_CALL_INIT ? SM_E_ALGORITHM_MISMATCH :
					      SM_E_INTERNAL_ERROR;
	case EMSGSIZE: /* truncated */
	case EBADMSG: /* garbled, forged, wrong kind */
	case EALREADY: /* used, or its context gone */
		return call == SM_CALL_INIT ? SM_E_INTERNAL_ERROR :
					      SM_E_INVALID_TOKEN;
	case EKEYEXPIRED:
		return call == SM_CALL_INIT ? SM_E_INTERNAL_ERROR :
					      SM_E_CONTEXT_EXPIRED;
	case EACCES: /* not the client's target */
		return call == SM_CALL_ACCEPT ? SM_E_LOGON_DENIED :
						SM_E_INTERNAL_ERROR;
	case EKEYREVOKED: /* COMPLETE on a revoked context */
		return call == SM_CALL_COMPLETE ? SM_E_CONTEXT_REVOKED :
						  SM_E_INTERNAL_ERROR;
	case EISCONN: /* complete already */
		return call == SM_CALL_COMPLETE ? SM_E_INVALID_HANDLE :
						  SM_E_INTERNAL_ERROR;
	default:
		return SM_E_INTERNAL_ERROR;
	}
}

/* IMPERSONATE and REVERT (uapi "Impersonation") */
static sm_status sm_errno_impersonate(int err, enum sm_call call)
{
	bool imp = call == SM_CALL_IMPERSONATE;

	switch (err) {
	case 0:
		return SM_E_OK;
	case E2BIG:
	case EFAULT:
		return SM_E_INVALID_PARAMETER;
	case EINVAL: /* IMPERSONATE: not a local acceptor */
		return imp ? SM_E_UNSUPPORTED_FUNCTION : SM_E_INVALID_PARAMETER;
	case EBADF:
	case ENOTTY:
		return SM_E_INVALID_HANDLE;
	case ENOMEM:
		return imp ? SM_E_INSUFFICIENT_MEMORY : SM_E_INTERNAL_ERROR;
	case ENOTCONN:
		return imp ? SM_E_CONTEXT_INCOMPLETE : SM_E_INTERNAL_ERROR;
	case EKEYEXPIRED:
		return imp ? SM_E_CONTEXT_EXPIRED : SM_E_INTERNAL_ERROR;
	case EKEYREVOKED:
		return imp ? SM_E_CONTEXT_REVOKED : SM_E_INTERNAL_ERROR;
	case EACCES: /* the client granted identify or less */
	case EPERM: /* this thread may not become the client */
	case EBUSY: /* impersonating already */
		return imp ? SM_E_NO_IMPERSONATION : SM_E_INTERNAL_ERROR;
	case ENOENT: /* not impersonating */
	case ESTALE: /* credentials changed since: nothing restored */
		return imp ? SM_E_INTERNAL_ERROR : SM_E_NO_IMPERSONATION;
	default:
		return SM_E_INTERNAL_ERROR;
	}
}

sm_status sm_errno_status(int err, enum sm_call call)
{
	sm_status st;

	if (call == SM_CALL_IMPERSONATE || call == SM_CALL_REVERT)
		return sm_errno_impersonate(err, call);

	if (call == SM_CALL_INIT || call == SM_CALL_ACCEPT ||
	    call == SM_CALL_COMPLETE)
		return sm_errno_establish(err, call);
	st = sm_errno_any(err);

	switch (st) {
	case SM_E_OK:
	case SM_E_INVALID_PARAMETER:
	case SM_E_INVALID_HANDLE:
	case SM_E_INSUFFICIENT_MEMORY:
	case SM_E_INTERNAL_ERROR:
		return st;
	case SM_E_ALGORITHM_MISMATCH:
	case SM_E_TOO_MANY_CONTEXTS:
		return call == SM_CALL_IMPORT ? st : SM_E_INTERNAL_ERROR;
	default: /* the verdicts' statuses, SM_E_UNSUPPORTED_FUNCTION */
		return call == SM_CALL_MESSAGE ? st : SM_E_INTERNAL_ERROR;
	}
}

/* A verdict wins over its errno; an unknown (newer) one falls back to it. */
sm_status sm_verdict_status(uint32_t verdict, int err)
{
	switch (verdict) {
	case SECMSG_VERDICT_OK:
		return sm_errno_status(err, SM_CALL_MESSAGE);
	case SECMSG_VERDICT_ALTERED:
		return SM_E_MESSAGE_ALTERED;
	case SECMSG_VERDICT_REPLAYED:
		return SM_E_REPLAYED;
	case SECMSG_VERDICT_TOO_OLD:
		return SM_E_TOO_OLD;
	case SECMSG_VERDICT_OUT_OF_SEQUENCE:
		return SM_E_OUT_OF_SEQUENCE;
	case SECMSG_VERDICT_EXPIRED:
		return SM_E_CONTEXT_EXPIRED;
	case SECMSG_VERDICT_BAD_TOKEN:
		return SM_E_INVALID_TOKEN;
	case SECMSG_VERDICT_BUFFER_TOO_SMALL:
		return SM_E_BUFFER_TOO_SMALL;
	case SECMSG_VERDICT_INCOMPLETE_MESSAGE:
		return SM_E_INCOMPLETE_MESSAGE;
	case SECMSG_VERDICT_QOP_NOT_SUPPORTED:
		return SM_E_QOP_NOT_SUPPORTED;
	case SECMSG_VERDICT_INCOMPLETE_CONTEXT:
		/* SSPI says SEC_E_INVALID_HANDLE of a partial context */
		return SM_E_CONTEXT_INCOMPLETE;
	case SECMSG_VERDICT_REVOKED:
		return SM_E_CONTEXT_REVOKED;
	default:
		return err ? sm_errno_status(err, SM_CALL_MESSAGE) :
			     SM_E_INTERNAL_ERROR;
	}
}
