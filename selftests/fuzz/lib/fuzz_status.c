// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: sm_status_string() and sm_status_sspi() on any 32-bit
 * value (the input's first 4 bytes, little-endian; shorter inputs are
 * zero-padded).
 *
 * Checked, as secmsg.h documents: the string is never NULL, non-empty,
 * stable (the same static string every time), "unknown status" exactly for
 * values not listed, and "NAME: meaning" for those listed; sm_status_sspi()
 * maps REPLAYED and TOO_OLD to OUT_OF_SEQUENCE, TOO_MANY_CONTEXTS to
 * INSUFFICIENT_MEMORY, CONTEXT_INCOMPLETE to INVALID_HANDLE, CONTEXT_REVOKED
 * to CONTEXT_EXPIRED, ACCESS_DENIED to NOT_OWNER, other private values to
 * INTERNAL_ERROR, and is the
 * identity otherwise; its result is never private and a fixed point.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"

static const sm_status listed[] = {
	SM_E_OK,		  SM_I_CONTINUE_NEEDED,	    SM_E_INSUFFICIENT_MEMORY,
	SM_E_INVALID_HANDLE,	  SM_E_UNSUPPORTED_FUNCTION, SM_E_TARGET_UNKNOWN,
	SM_E_INTERNAL_ERROR,	  SM_E_SECPKG_NOT_FOUND,    SM_E_INVALID_TOKEN,
	SM_E_QOP_NOT_SUPPORTED,	  SM_E_NO_IMPERSONATION,    SM_E_LOGON_DENIED,
	SM_E_NO_CREDENTIALS,	  SM_E_MESSAGE_ALTERED,	    SM_E_OUT_OF_SEQUENCE,
	SM_E_CONTEXT_EXPIRED,	  SM_E_INCOMPLETE_MESSAGE,  SM_E_BUFFER_TOO_SMALL,
	SM_E_ALGORITHM_MISMATCH,  SM_E_INVALID_PARAMETER,   SM_E_REPLAYED,
	SM_E_TOO_OLD,		  SM_E_TOO_MANY_CONTEXTS,   SM_E_CONTEXT_INCOMPLETE,
	SM_E_CONTEXT_REVOKED,	  SM_E_NOT_OWNER,	    SM_E_ACCESS_DENIED,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size };
	sm_status st = (sm_status)rd32(&r), m;
	const char *s = sm_status_string(st), *colon;
	int known = status_in(st, listed, sizeof(listed) / sizeof(listed[0]));

	CHECK(s != NULL, "%#x: NULL", (uint32_t)st);
	CHECK(s[0] != '\0', "%#x: empty", (uint32_t)st);
	CHECK(s == sm_status_string(st), "%#x: not stable", (uint32_t)st);
	if (known) {
		colon = strstr(s, ": ");
		CHECK(!strncmp(s, "SM_", 3) && colon && colon[2],
		      "%#x: \"%s\"", (uint32_t)st, s);
	} else {
		CHECK(!strcmp(s, "unknown status"), "%#x: \"%s\"",
		      (uint32_t)st, s);
	}

	m = sm_status_sspi(st);
	CHECK(m == sm_status_sspi(st), "%#x: sspi not stable", (uint32_t)st);
	CHECK(!SM_STATUS_IS_PRIVATE(m) && sm_status_sspi(m) == m,
	      "%#x -> %#x", (uint32_t)st, (uint32_t)m);
	if (st == SM_E_REPLAYED || st == SM_E_TOO_OLD)
		CHECK(m == SM_E_OUT_OF_SEQUENCE, "%#x -> %#x", (uint32_t)st,
		      (uint32_t)m);
	else if (st == SM_E_TOO_MANY_CONTEXTS)
		CHECK(m == SM_E_INSUFFICIENT_MEMORY, "%#x -> %#x",
		      (uint32_t)st, (uint32_t)m);
	else if (st == SM_E_CONTEXT_INCOMPLETE)
		CHECK(m == SM_E_INVALID_HANDLE, "%#x -> %#x", (uint32_t)st,
		      (uint32_t)m);
	else if (st == SM_E_CONTEXT_REVOKED)
		CHECK(m == SM_E_CONTEXT_EXPIRED, "%#x -> %#x", (uint32_t)st,
		      (uint32_t)m);
	else if (st == SM_E_ACCESS_DENIED)
		CHECK(m == SM_E_NOT_OWNER, "%#x -> %#x", (uint32_t)st,
		      (uint32_t)m);
	else if (SM_STATUS_IS_PRIVATE(st))
		CHECK(m == SM_E_INTERNAL_ERROR, "%#x -> %#x", (uint32_t)st,
		      (uint32_t)m);
	else
		CHECK(m == st, "%#x -> %#x", (uint32_t)st, (uint32_t)m);
	return 0;
}
