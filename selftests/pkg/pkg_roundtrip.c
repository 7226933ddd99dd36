// SPDX-License-Identifier: GPL-2.0
/*
 * pkg_roundtrip: a program built from the installed libsecmsg-dev alone
 * (cc pkg_roundtrip.c $(pkg-config --cflags --libs libsecmsg)), run by
 * selftests/pkg/guest_pkg.sh in a guest where the packages are installed.
 *
 * Two raw contexts on one key, initiator and acceptor; a message sealed by
 * one is unsealed by the other and must read back as it was sent.  Prints
 * "version: V" (sm_version()), then "roundtrip: ok"; or, for the first
 * call that fails, "CALL: STATUS" with the status as sm_status_string()
 * names it, and exits 1.
 */
#include <secmsg.h>
#include <stdio.h>
#include <string.h>

static int failed(const char *call, sm_status st)
{
	printf("%s: %s\n", call, sm_status_string(st));
	return 1;
}

static sm_status import(uint32_t role, const unsigned char *key, sm_ctx **out)
{
	struct sm_import_params p = {
		.size = sizeof(p),
		.role = role,
		.suite = SM_SUITE_AES256_GCM,
		.ctx_flags = SM_CTX_CONFIDENTIALITY,
		.key = key,
		.key_len = 32,
	};

	return sm_import(&p, out);
}

int main(void)
{
	static const char msg[] = "installed, found without RUNPATH";
	unsigned char key[32], token[256], data[sizeof(msg)];
	struct sm_buffer bufs[2] = {
		{ .type = SM_BUF_TOKEN, .data = token, .len = sizeof(token) },
		{ .type = SM_BUF_DATA, .data = data, .len = sizeof(data) },
	};
	sm_ctx *ini = NULL, *acc = NULL;
	sm_status st;
	int rc = 1;

	printf("version: %s\n", sm_version());
	/* A fixed key is fine here: two fresh contexts, one message. */
	memset(key, 0x5a, sizeof(key));
	st = import(SM_ROLE_INITIATOR, key, &ini);
	if (st != SM_E_OK)
		return failed("sm_import", st);
	st = import(SM_ROLE_ACCEPTOR, key, &acc);
	if (st != SM_E_OK) {
		rc = failed("sm_import", st);
		goto out;
	}
	memcpy(data, msg, sizeof(msg));
	st = sm_seal(ini, 0, bufs, 2, NULL);
	if (st != SM_E_OK) {
		rc = failed("sm_seal", st);
		goto out;
	}
	if (!memcmp(data, msg, sizeof(msg))) {
		printf("sm_seal: the data is still plaintext\n");
		goto out;
	}
	st = sm_unseal(acc, bufs, 2, NULL, NULL);
	if (st != SM_E_OK) {
		rc = failed("sm_unseal", st);
		goto out;
	}
	if (memcmp(data, msg, sizeof(msg))) {
		printf("sm_unseal: the message came back changed\n");
		goto out;
	}
	printf("roundtrip: ok\n");
	rc = 0;
out:
	sm_close(acc);
	sm_close(ini);
	return rc;
}
