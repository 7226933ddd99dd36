/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsecmsg - SSPI-style message protection with keys held by the kernel.
 *
 * A security context (sm_ctx) wraps a file descriptor of the secmsg kernel
 * module.  The key never enters this process: every call below is one ioctl
 * on that descriptor.  The calls mirror SSPI's message support:
 *
 *   SSPI                          libsecmsg
 *   InitializeSecurityContext     sm_init_context(), sm_complete_context()
 *   AcceptSecurityContext         sm_accept_context()
 *   ImportSecurityContext         sm_import(), sm_import_complete(),
 *                                 sm_ctx_from_fd()
 *   DeleteSecurityContext         sm_close()
 *   MakeSignature                 sm_sign()
 *   VerifySignature               sm_verify()
 *   EncryptMessage                sm_seal()
 *   DecryptMessage                sm_unseal()
 *   QueryContextAttributes        sm_query_sizes(), sm_query_stream_sizes(),
 *                                 sm_query(), sm_query_names()
 *   ImpersonateSecurityContext    sm_impersonate()
 *   RevertSecurityContext         sm_revert()
 *   (none)                        sm_batch(): many messages, one call
 *   (none)                        sm_uring_prep(), sm_uring_result():
 *                                 the same through io_uring (1.6)
 *   (none)                        sm_ctl_*(): list, show and revoke
 *                                 contexts, configuration, events (1.2)
 *
 * Conventions
 * -----------
 * - Every call returns an sm_status with SSPI's name and value (SM_E_x is
 *   SEC_E_x).  On failure errno holds the errno that caused it, for logs;
 *   on success errno is unspecified.
 * - Arguments the kernel could never accept (a NULL pointer, a count out of
 *   range, a length above 4 GiB, a size field below the first version) give
 *   SM_E_INVALID_PARAMETER with errno EINVAL (EMSGSIZE for lengths) and no
 *   system call.
 * - Structs passed by pointer that may grow carry their size in the first
 *   field: set it to sizeof() of the struct you compiled against.
 * - No call allocates memory on the message path, prints, or keeps global
 *   state.  A context may be used by many threads at once; only sm_close()
 *   must not race with other calls on the same context.  Contexts survive
 *   fork() (both processes share the kernel object and its sequence
 *   numbers, which therefore never repeat) and are closed on exec.
 *
 * See libsecmsg(7) for an overview and one manual page per call.
 */
#ifndef SECMSG_H
#define SECMSG_H

#include <stddef.h>
#include <stdint.h>

#include <linux/secmsg.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The interface this header declares: the version node of the newest calls
 * (LIBSECMSG_1.6).  sm_version() tells which library is running.
 */
#define LIBSECMSG_VERSION_MAJOR 1
#define LIBSECMSG_VERSION_MINOR 6

/* ------------------------------------------------------------------------
 * Status codes
 *
 * Negative values are failures, 0 and positive values success, as with
 * HRESULT and SECURITY_STATUS.  Values with SM_STATUS_PRIVATE set (the
 * HRESULT "customer" bit) are secmsg refinements of a standard code;
 * sm_status_sspi() gives that standard code.
 * ------------------------------------------------------------------------
 */
typedef int32_t sm_status;

#define SM_SUCCEEDED(s) ((sm_status)(s) >= 0)
#define SM_FAILED(s) ((sm_status)(s) < 0)

#define SM_STATUS_PRIVATE 0x20000000
#define SM_STATUS_IS_PRIVATE(s) ((SM_STATUS_PRIVATE & (uint32_t)(s)) != 0)

/* Success */
#define SM_E_OK ((sm_status)0x00000000)
/* Context establishment needs another round (sm_init_context()) */
#define SM_I_CONTINUE_NEEDED ((sm_status)0x00090312)

/* Standard SSPI failures (SEC_E_x has the same value) */
#define SM_E_INSUFFICIENT_MEMORY ((sm_status)0x80090300) /* ENOMEM */
#define SM_E_INVALID_HANDLE ((sm_status)0x80090301) /* not a context */
#define SM_E_UNSUPPORTED_FUNCTION ((sm_status)0x80090302)
#define SM_E_TARGET_UNKNOWN ((sm_status)0x80090303) /* Kerberos: no such service */
#define SM_E_INTERNAL_ERROR ((sm_status)0x80090304) /* see errno */
#define SM_E_SECPKG_NOT_FOUND ((sm_status)0x80090305) /* no /dev/secmsg */
#define SM_E_INVALID_TOKEN ((sm_status)0x80090308) /* short, bad, used */
#define SM_E_QOP_NOT_SUPPORTED ((sm_status)0x8009030A)
#define SM_E_NO_IMPERSONATION ((sm_status)0x8009030B) /* see errno */
#define SM_E_LOGON_DENIED ((sm_status)0x8009030C) /* not the target */
#define SM_E_NO_CREDENTIALS ((sm_status)0x8009030E) /* Kerberos: no ticket/key */
#define SM_E_MESSAGE_ALTERED ((sm_status)0x8009030F) /* tag check failed */
#define SM_E_OUT_OF_SEQUENCE ((sm_status)0x80090310) /* gap or late */
#define SM_E_CONTEXT_EXPIRED ((sm_status)0x80090317)
#define SM_E_INCOMPLETE_MESSAGE ((sm_status)0x80090318)
#define SM_E_BUFFER_TOO_SMALL ((sm_status)0x80090321)
#define SM_E_ALGORITHM_MISMATCH ((sm_status)0x80090331) /* suite missing */
#define SM_E_INVALID_PARAMETER ((sm_status)0x8009035D)

/* secmsg refinements (private range); standard code in brackets */
#define SM_E_REPLAYED ((sm_status)0xA0091001) /* [OUT_OF_SEQUENCE] seen */
#define SM_E_TOO_OLD ((sm_status)0xA0091002) /* [OUT_OF_SEQUENCE] < window */
#define SM_E_TOO_MANY_CONTEXTS \
	((sm_status)0xA0091003) /* [INSUFFICIENT_MEMORY] EMFILE */
#define SM_E_CONTEXT_INCOMPLETE \
	((sm_status)0xA0091004) /* [INVALID_HANDLE] not established yet */
#define SM_E_CONTEXT_REVOKED \
	((sm_status)0xA0091005) /* [CONTEXT_EXPIRED] revoked (1.2) */
#define SM_E_ACCESS_DENIED \
	((sm_status)0xA0091006) /* [NOT_OWNER] may not open /dev/secmsg (1.5) */

/**
 * sm_status_string() - name and meaning of a status
 * @status: any value
 *
 * Return: a static string such as "SM_E_MESSAGE_ALTERED: the message or its
 * token was altered", never NULL; "unknown status" for values not listed
 * above.  Thread-safe.
 */
const char *sm_status_string(sm_status status);

/**
 * sm_status_sspi() - the standard SSPI code nearest to a status
 * @status: any value
 *
 * Return: SM_E_OUT_OF_SEQUENCE for SM_E_REPLAYED and SM_E_TOO_OLD,
 * SM_E_INSUFFICIENT_MEMORY for SM_E_TOO_MANY_CONTEXTS, SM_E_INVALID_HANDLE
 * for SM_E_CONTEXT_INCOMPLETE, SM_E_CONTEXT_EXPIRED for
 * SM_E_CONTEXT_REVOKED, SM_E_NOT_OWNER for SM_E_ACCESS_DENIED,
 * SM_E_INTERNAL_ERROR for any other private value, and @status itself
 * otherwise.
 */
sm_status sm_status_sspi(sm_status status);

/**
 * sm_version() - the version of the running library (since 1.5)
 *
 * Return: a static string such as "1.5.0", the release the library was
 * built from: major.minor.patch, where major.minor is the newest version
 * node it exports (LIBSECMSG_VERSION_MAJOR and LIBSECMSG_VERSION_MINOR of
 * the header it was built with).  Never NULL.  Thread-safe.
 */
const char *sm_version(void);

/* ------------------------------------------------------------------------
 * Constants (the values of <linux/secmsg.h>, which are SSPI's)
 * ------------------------------------------------------------------------
 */
#define SM_PKG_LOCAL SECMSG_PKG_LOCAL
#define SM_PKG_RAW SECMSG_PKG_RAW
#define SM_PKG_KERBEROS SECMSG_PKG_KERBEROS /* MIT GSSAPI, krb5 (1.4) */
#define SM_PKG_NEGOTIATE SECMSG_PKG_NEGOTIATE /* the same behind SPNEGO */

/* Enctypes: the suite of a Kerberos context (RFC 3961 numbers, 1.4) */
#define SM_KRB5_AES128_CTS_HMAC_SHA1_96 SECMSG_KRB5_AES128_CTS_HMAC_SHA1_96
#define SM_KRB5_AES256_CTS_HMAC_SHA1_96 SECMSG_KRB5_AES256_CTS_HMAC_SHA1_96
#define SM_KRB5_AES128_CTS_HMAC_SHA256_128 \
	SECMSG_KRB5_AES128_CTS_HMAC_SHA256_128
#define SM_KRB5_AES256_CTS_HMAC_SHA384_192 \
	SECMSG_KRB5_AES256_CTS_HMAC_SHA384_192
/* RFC 6803; a kernel without camellia refuses their contexts (ENOENT) */
#define SM_KRB5_CAMELLIA128_CTS_CMAC SECMSG_KRB5_CAMELLIA128_CTS_CMAC
#define SM_KRB5_CAMELLIA256_CTS_CMAC SECMSG_KRB5_CAMELLIA256_CTS_CMAC

/* A buffer this big always holds a Kerberos establishment token (1.4) */
#define SM_KRB5_MAX_TOKEN 65536

#define SM_ROLE_INITIATOR SECMSG_ROLE_INITIATOR
#define SM_ROLE_ACCEPTOR SECMSG_ROLE_ACCEPTOR

#define SM_SUITE_AES128_GCM SECMSG_SUITE_AES128_GCM
#define SM_SUITE_AES256_GCM SECMSG_SUITE_AES256_GCM
#define SM_SUITE_CHACHA20_POLY1305 SECMSG_SUITE_CHACHA20_POLY1305

/* Context flags: ISC_REQ_x / ISC_RET_x */
#define SM_CTX_DELEGATE SECMSG_CTX_DELEGATE /* granted: level DELEGATE */
#define SM_CTX_MUTUAL_AUTH SECMSG_CTX_MUTUAL_AUTH /* local contexts */
#define SM_CTX_REPLAY_DETECT SECMSG_CTX_REPLAY_DETECT
#define SM_CTX_SEQUENCE_DETECT SECMSG_CTX_SEQUENCE_DETECT
#define SM_CTX_CONFIDENTIALITY SECMSG_CTX_CONFIDENTIALITY
#define SM_CTX_INTEGRITY SECMSG_CTX_INTEGRITY
#define SM_CTX_IDENTIFY SECMSG_CTX_IDENTIFY /* granted: level IDENTIFY */

/* Impersonation levels: SECURITY_IMPERSONATION_LEVEL's order */
#define SM_IMP_ANONYMOUS SECMSG_IMP_ANONYMOUS
#define SM_IMP_IDENTIFY SECMSG_IMP_IDENTIFY
#define SM_IMP_IMPERSONATE SECMSG_IMP_IMPERSONATE
#define SM_IMP_DELEGATE SECMSG_IMP_DELEGATE

/* Targets of sm_init_context() */
#define SM_TARGET_UID SECMSG_TARGET_UID

/* Buffer types: SECBUFFER_x */
#define SM_BUF_EMPTY SECMSG_BUF_EMPTY
#define SM_BUF_DATA SECMSG_BUF_DATA
#define SM_BUF_TOKEN SECMSG_BUF_TOKEN
#define SM_BUF_STREAM_TRAILER SECMSG_BUF_STREAM_TRAILER
#define SM_BUF_STREAM_HEADER SECMSG_BUF_STREAM_HEADER
#define SM_BUF_PADDING SECMSG_BUF_PADDING
#define SM_BUF_STREAM SECMSG_BUF_STREAM

/* Buffer flags, DATA buffers only: SECBUFFER_READONLY[_WITH_CHECKSUM] */
#define SM_BUF_READONLY SECMSG_BUF_READONLY /* neither signed nor sealed */
#define SM_BUF_READONLY_WITH_CHECKSUM SECMSG_BUF_READONLY_WITH_CHECKSUM

/* Quality of protection */
#define SM_QOP_DEFAULT SECMSG_QOP_DEFAULT
#define SM_QOP_WRAP_NO_ENCRYPT SECMSG_QOP_WRAP_NO_ENCRYPT /* sign-only */

/* Fixed sizes; sm_query_sizes() reports the same numbers */
#define SM_TOKEN_SIZE SECMSG_TOKEN_SIZE
#define SM_STREAM_HEADER_SIZE SECMSG_STREAM_HEADER_SIZE
#define SM_STREAM_TRAILER_SIZE SECMSG_STREAM_TRAILER_SIZE
#define SM_MAX_BUFFERS SECMSG_MAX_BUFFERS /* per message */
#define SM_MAX_MESSAGE SECMSG_MAX_MESSAGE /* covered bytes per message */
#define SM_MAX_SIGNED SECMSG_MAX_SIGNED /* of which signed only */
#define SM_CONTRIB_SIZE SECMSG_CONTRIB_SIZE /* SM_IMPORT_FRESH (1.3) */
#define SM_KEY_MIN SECMSG_KEY_MIN
#define SM_KEY_MAX SECMSG_KEY_MAX
#define SM_NAME_MAX SECMSG_NAME_MAX
#define SM_LOCAL_TOKEN_SIZE SECMSG_LOCAL_TOKEN_SIZE /* establishment token */
#define SM_LOCAL_TOKEN_LIFETIME SECMSG_LOCAL_TOKEN_LIFETIME /* seconds */

/* sm_batch() operations */
#define SM_OP_SIGN SECMSG_OP_SIGN
#define SM_OP_VERIFY SECMSG_OP_VERIFY
#define SM_OP_SEAL SECMSG_OP_SEAL
#define SM_OP_UNSEAL SECMSG_OP_UNSEAL

/* struct sm_message.index when no buffer is meant */
#define SM_INDEX_NONE 0xffffffffu

/* ------------------------------------------------------------------------
 * Contexts
 * ------------------------------------------------------------------------
 */
typedef struct sm_ctx sm_ctx;

/* sm_import_params.flags (since 1.3) */
#define SM_IMPORT_FRESH SECMSG_IMPORT_FRESH /* keys new at every import */

/**
 * struct sm_import_params - a raw context from a session key
 * @size:      sizeof(struct sm_import_params)
 * @flags:     0, or SM_IMPORT_FRESH: required for a key used more than
 *             once, such as a pre-shared key (sm_import(3))
 * @role:      SM_ROLE_INITIATOR or SM_ROLE_ACCEPTOR; the peer takes the
 *             other role with the same key
 * @suite:     SM_SUITE_*
 * @ctx_flags: SM_CTX_* wanted; INTEGRITY is always granted, sealing needs
 *             CONFIDENTIALITY
 * @lifetime:  seconds; 0 for the module's default (capped by the module)
 * @key:       the session key, copied by the kernel; wipe yours after
 * @key_len:   SM_KEY_MIN..SM_KEY_MAX bytes
 * @send_seq:  first sequence number this side sends
 * @recv_seq:  first sequence number expected from the peer
 *
 * Since 1.3:
 *
 * @contrib:     SM_IMPORT_FRESH: receives this side's contribution
 *               (SM_CONTRIB_SIZE bytes) for the peer's
 *               sm_import_complete(); else NULL
 * @contrib_len: SM_IMPORT_FRESH: bytes at @contrib, at least
 *               SM_CONTRIB_SIZE; else 0
 */
struct sm_import_params {
	uint32_t size;
	uint32_t flags;
	uint32_t role;
	uint32_t suite;
	uint32_t ctx_flags;
	uint32_t lifetime;
	const void *key;
	size_t key_len;
	uint64_t send_seq;
	uint64_t recv_seq;
	void *contrib;
	size_t contrib_len;
};

/**
 * sm_import() - create a context from a session key
 * @params: see struct sm_import_params
 * @out:    receives the context; NULL on failure
 *
 * Opens /dev/secmsg for the duration of the call.  WARNING: two plain
 * imports of one key in one role repeat nonces (uapi "Pre-shared keys");
 * a key used more than once needs SM_IMPORT_FRESH.
 *
 * Return: SM_E_OK; with SM_IMPORT_FRESH, SM_I_CONTINUE_NEEDED: the context
 * is incomplete until sm_import_complete() with the peer's contribution;
 * SM_E_SECPKG_NOT_FOUND when /dev/secmsg is missing (module not loaded),
 * SM_E_ACCESS_DENIED when this process may not open it (errno EACCES or
 * EPERM), SM_E_ALGORITHM_MISMATCH when the kernel lacks the suite's
 * algorithm, SM_E_TOO_MANY_CONTEXTS at the per-user context limit (or the
 * process fd limit), SM_E_INVALID_PARAMETER (also: SM_IMPORT_FRESH without
 * a contribution buffer, or on a kernel without it),
 * SM_E_INSUFFICIENT_MEMORY, SM_E_INTERNAL_ERROR (errno tells).
 */
sm_status sm_import(const struct sm_import_params *params, sm_ctx **out);

/**
 * sm_import_dev() - sm_import() through an open /dev/secmsg
 * @devfd:  a descriptor of /dev/secmsg, e.g. opened before entering a
 *          sandbox; not closed
 * @params: as sm_import()
 * @out:    as sm_import()
 *
 * Return: as sm_import(), but never SM_E_SECPKG_NOT_FOUND or
 * SM_E_ACCESS_DENIED (it opens nothing); SM_E_INVALID_HANDLE if @devfd is
 * not /dev/secmsg.
 */
sm_status sm_import_dev(int devfd, const struct sm_import_params *params,
			sm_ctx **out);

/**
 * sm_import_complete() - take the peer's contribution (since 1.3)
 * @ctx:  a context sm_import() returned with SM_I_CONTINUE_NEEDED
 *        (SM_IMPORT_FRESH)
 * @peer: the peer's contribution, as its sm_import() wrote it
 * @len:  its length, SM_CONTRIB_SIZE
 *
 * Derives the keys from the session key and both contributions; the
 * context is then complete.  On failure nothing changes.
 *
 * Return: SM_E_OK; SM_E_INVALID_TOKEN (not SM_CONTRIB_SIZE bytes: errno
 * EMSGSIZE; this context's own contribution: EBADMSG),
 * SM_E_CONTEXT_EXPIRED, SM_E_CONTEXT_REVOKED, SM_E_INVALID_HANDLE (not a
 * context, or complete already: errno EISCONN), SM_E_INVALID_PARAMETER
 * (also: not imported with SM_IMPORT_FRESH), SM_E_INSUFFICIENT_MEMORY,
 * SM_E_INTERNAL_ERROR.
 */
sm_status sm_import_complete(sm_ctx *ctx, const void *peer, size_t len);

/**
 * sm_ctx_from_fd() - adopt a context descriptor
 * @fd:  a context fd, e.g. received over SCM_RIGHTS (use MSG_CMSG_CLOEXEC)
 *       or inherited
 * @out: receives the context, which owns @fd from then on
 *
 * Checks with a query that @fd is a secmsg context.
 *
 * Return: SM_E_OK; SM_E_INVALID_HANDLE if it is not (@fd stays the
 * caller's); SM_E_INVALID_PARAMETER, SM_E_INSUFFICIENT_MEMORY.
 */
sm_status sm_ctx_from_fd(int fd, sm_ctx **out);

/**
 * sm_ctx_fd() - the descriptor of a context
 * @ctx: a context
 *
 * To hand the context to another process, send this fd over SCM_RIGHTS.
 * It stays owned by @ctx: do not close it.
 *
 * Return: the fd, or -1 (errno EINVAL) if @ctx is NULL.
 */
int sm_ctx_fd(const sm_ctx *ctx);

/**
 * sm_close() - DeleteSecurityContext
 * @ctx: a context, or NULL
 *
 * Closes the descriptor and frees @ctx.  The kernel context, and its key,
 * ends when its last descriptor (in any process) is closed.  errno is
 * preserved.
 */
void sm_close(sm_ctx *ctx);

/* ------------------------------------------------------------------------
 * Establishing a local context (since 1.1, LIBSECMSG_1.1)
 *
 * InitializeSecurityContext / AcceptSecurityContext between two processes
 * of this host, the kernel vouching for both identities:
 *
 *   client  sm_init_context()     -> SM_I_CONTINUE_NEEDED, token A
 *           ... send A to the server, by any transport ...
 *   server  sm_accept_context(A)  -> SM_E_OK, a complete context, token B
 *           ... send B back ...
 *   client  sm_complete_context(B) -> SM_E_OK, the context is complete
 *
 * Tokens are opaque, SM_LOCAL_TOKEN_SIZE bytes (sm_query_sizes()'s
 * max_token), good once and for SM_LOCAL_TOKEN_LIFETIME seconds.  Loop on
 * the status as with SSPI: SM_I_CONTINUE_NEEDED means "send the token and
 * wait for the peer's".  Until sm_complete_context() succeeds the client's
 * message calls fail with SM_E_CONTEXT_INCOMPLETE.
 * ------------------------------------------------------------------------
 */

/**
 * struct sm_init_params - what the client asks for
 * @size:        sizeof(struct sm_init_params)
 * @flags:       none defined yet; 0
 * @target_type: SM_TARGET_UID
 * @target_uid:  the user id the server runs as (effective uid), in the
 *               client's user namespace; no other user can accept
 * @suite:       SM_SUITE_*, or 0 for SM_SUITE_AES256_GCM
 * @ctx_flags:   SM_CTX_MUTUAL_AUTH, _REPLAY_DETECT, _SEQUENCE_DETECT,
 *               _CONFIDENTIALITY, _INTEGRITY (always granted)
 * @imp_level:   SM_IMP_* granted to the server, or 0 for SM_IMP_IDENTIFY
 * @lifetime:    seconds, as for sm_import(); counted from sm_init_context()
 *
 * Since 1.4 (a caller built against 1.3 gives the smaller size: local):
 *
 * @package:     0 or SM_PKG_LOCAL; SM_PKG_KERBEROS or SM_PKG_NEGOTIATE
 *               (MIT GSSAPI establishes, see "Kerberos contexts" below);
 *               Kerberos takes @ctx_flags and @imp_level (SM_IMP_DELEGATE
 *               delegates the client's TGT) and wants @target_type,
 *               @target_uid, @suite 0 and @lifetime 0 (the ticket's)
 * @reserved:    0
 * @target:      Kerberos: the service, "service@host" (host-based) or a
 *               principal "service/host@REALM"; local: NULL
 * @principal:   Kerberos: the client principal to be, or NULL for the
 *               credential cache's default; local: NULL
 * @ccache:      Kerberos: the credential cache ("FILE:/path",
 *               "KEYRING:...") or NULL for MIT's default (KRB5CCNAME,
 *               krb5.conf, gssproxy); local: NULL
 */
struct sm_init_params {
	uint32_t size;
	uint32_t flags;
	uint32_t target_type;
	uint32_t target_uid;
	uint32_t suite;
	uint32_t ctx_flags;
	uint32_t imp_level;
	uint32_t lifetime;
	uint32_t package;
	uint32_t reserved;
	const char *target;
	const char *principal;
	const char *ccache;
};

/**
 * sm_init_context() - InitializeSecurityContext, first call
 * @params:    see struct sm_init_params
 * @ctx_out:   receives the new, incomplete client context; NULL on failure
 * @token_out: buffer for the token to send to the server; may be NULL if
 *             *@token_len is 0 (to learn the size)
 * @token_len: in: bytes at @token_out; out: bytes written, or with
 *             SM_E_BUFFER_TOO_SMALL the bytes needed
 *
 * Opens /dev/secmsg for the duration of the call.
 *
 * Return: SM_I_CONTINUE_NEEDED (send the token, then call
 * sm_complete_context() with the reply); SM_E_BUFFER_TOO_SMALL (nothing
 * created, *@token_len says how much is needed), SM_E_SECPKG_NOT_FOUND,
 * SM_E_ACCESS_DENIED (may not open /dev/secmsg: errno EACCES or EPERM),
 * SM_E_UNSUPPORTED_FUNCTION (a module without local contexts),
 * SM_E_ALGORITHM_MISMATCH, SM_E_TOO_MANY_CONTEXTS, SM_E_INVALID_PARAMETER,
 * SM_E_INSUFFICIENT_MEMORY, SM_E_INTERNAL_ERROR.
 */
sm_status sm_init_context(const struct sm_init_params *params,
			  sm_ctx **ctx_out, void *token_out,
			  size_t *token_len);

/**
 * sm_init_context_dev() - sm_init_context() through an open /dev/secmsg
 * @devfd: a descriptor of /dev/secmsg; not closed
 *
 * Return: as sm_init_context(), but SM_E_INVALID_HANDLE (not SM_E_SECPKG_
 * NOT_FOUND or SM_E_UNSUPPORTED_FUNCTION) if @devfd does not answer, and
 * never SM_E_ACCESS_DENIED (it opens nothing).
 */
sm_status sm_init_context_dev(int devfd, const struct sm_init_params *params,
			      sm_ctx **ctx_out, void *token_out,
			      size_t *token_len);

/**
 * struct sm_accept_params - how the server accepts
 * @size:  sizeof(struct sm_accept_params)
 * @flags: none defined yet; 0
 *
 * Since 1.4 (a caller built against 1.3 gives the smaller size: local):
 *
 * @package:   0 or SM_PKG_LOCAL; SM_PKG_KERBEROS or SM_PKG_NEGOTIATE
 * @reserved:  0
 * @principal: Kerberos: the service to be, "service@host" or a principal,
 *             or NULL for any key in the keytab; local: NULL
 * @keytab:    Kerberos: the keytab ("FILE:/path"), or NULL for MIT's
 *             default (KRB5_KTNAME, krb5.conf, gssproxy); local: NULL
 *
 * The flags and impersonation level are the client's choice; read them
 * with sm_query() on the new context.
 */
struct sm_accept_params {
	uint32_t size;
	uint32_t flags;
	uint32_t package;
	uint32_t reserved;
	const char *principal;
	const char *keytab;
};

/**
 * sm_accept_context() - AcceptSecurityContext
 * @params:    see struct sm_accept_params
 * @token_in:  the client's token
 * @in_len:    its length
 * @ctx_out:   receives the complete server context; NULL on failure
 * @token_out: buffer for the reply token to send back; may be NULL if
 *             *@out_len is 0
 * @out_len:   in: bytes at @token_out; out: bytes written, or needed
 *
 * The kernel checks that the caller's effective uid is the client's target
 * and records both identities (sm_query_names()).  A refused token stays
 * good for the right server unless it was used or expired.
 *
 * Return: SM_E_OK; SM_E_LOGON_DENIED (the caller is not the user the
 * client named; errno EACCES), SM_E_INVALID_TOKEN (truncated, garbled,
 * forged, of the wrong kind, already used, or its client context closed;
 * errno EMSGSIZE, EBADMSG or EALREADY), SM_E_CONTEXT_EXPIRED (the token's
 * lifetime is over), SM_E_BUFFER_TOO_SMALL, SM_E_SECPKG_NOT_FOUND,
 * SM_E_ACCESS_DENIED, SM_E_UNSUPPORTED_FUNCTION, SM_E_TOO_MANY_CONTEXTS,
 * SM_E_INVALID_PARAMETER, SM_E_INSUFFICIENT_MEMORY, SM_E_INTERNAL_ERROR.
 */
sm_status sm_accept_context(const struct sm_accept_params *params,
			    const void *token_in, size_t in_len,
			    sm_ctx **ctx_out, void *token_out,
			    size_t *out_len);

/**
 * sm_accept_context_dev() - sm_accept_context() through an open /dev/secmsg
 * @devfd: a descriptor of /dev/secmsg; not closed
 *
 * Return: as sm_accept_context(), but SM_E_INVALID_HANDLE (not
 * SM_E_SECPKG_NOT_FOUND or SM_E_UNSUPPORTED_FUNCTION) if @devfd does not
 * answer, and never SM_E_ACCESS_DENIED (it opens nothing).
 */
sm_status sm_accept_context_dev(int devfd,
				const struct sm_accept_params *params,
				const void *token_in, size_t in_len,
				sm_ctx **ctx_out, void *token_out,
				size_t *out_len);

/**
 * sm_complete_context() - InitializeSecurityContext, second call
 * @ctx:      the context sm_init_context() returned
 * @token_in: the server's reply token
 * @in_len:   its length
 *
 * On success the context is complete and knows the server's identity
 * (mutual authentication: only the target user can have accepted).  On
 * failure nothing changes.
 *
 * Return: SM_E_OK; SM_E_INVALID_TOKEN (truncated, garbled, an init token,
 * used already, or issued for another context), SM_E_CONTEXT_EXPIRED,
 * SM_E_CONTEXT_REVOKED (the context was revoked: sm_ctl_revoke()),
 * SM_E_INVALID_HANDLE (not a context, or complete already: errno EISCONN),
 * SM_E_INVALID_PARAMETER (also: not a local client context),
 * SM_E_INSUFFICIENT_MEMORY, SM_E_INTERNAL_ERROR.
 */
sm_status sm_complete_context(sm_ctx *ctx, const void *token_in,
			      size_t in_len);

/* ------------------------------------------------------------------------
 * Kerberos contexts (since 1.4, LIBSECMSG_1.4)
 *
 * The "kerberos" (SM_PKG_KERBEROS) and "negotiate" (SM_PKG_NEGOTIATE:
 * SPNEGO, as Windows' Negotiate and HTTP Negotiate use) packages: MIT
 * GSSAPI establishes the context in this process with the credentials it
 * finds (the client's ccache, the service's keytab, or those named in the
 * params), then the library imports it into the kernel and wipes its own
 * copies of the keys.  The peer may be any GSSAPI or SSPI program.
 *
 *   client  sm_init_context(target)   -> SM_I_CONTINUE_NEEDED, token A
 *   server  sm_accept_context(A)      -> SM_E_OK (or CONTINUE), token B
 *   client  sm_continue_context(B)    -> SM_E_OK, maybe a token for the
 *                                        server; or sm_complete_context(B)
 *
 * Loop as with SSPI: while a call returns SM_I_CONTINUE_NEEDED, send its
 * token (if any: *out_len may be 0) and pass the peer's next one to
 * sm_continue_context().  A call that returns SM_E_OK with a token has
 * completed the context: send the token all the same.  Until complete a
 * context has no descriptor (sm_ctx_fd() is -1) and no message call works
 * on it.  A token never exceeds SM_KRB5_MAX_TOKEN bytes.
 * ------------------------------------------------------------------------
 */

/**
 * sm_continue_context() - the next leg of an establishment
 * @ctx:       a context sm_init_context() or sm_accept_context() returned
 *             with SM_I_CONTINUE_NEEDED (or SM_E_BUFFER_TOO_SMALL)
 * @token_in:  the peer's token; NULL with @in_len 0 only to fetch a token
 *             kept after SM_E_BUFFER_TOO_SMALL
 * @in_len:    its length
 * @token_out: buffer for the token to send; may be NULL if *@out_len is 0
 * @out_len:   in: bytes at @token_out; out: bytes written (0: nothing to
 *             send), or with SM_E_BUFFER_TOO_SMALL the bytes needed
 *
 * For a local client context it is sm_complete_context() (*@out_len 0).
 * When GSSAPI completes, the context is imported into the kernel
 * (IMPORT_KRB5): its keys are then in the kernel only, and the context
 * has its descriptor.
 *
 * Return: SM_E_OK (complete), SM_I_CONTINUE_NEEDED; SM_E_BUFFER_TOO_SMALL
 * (the token waits in @ctx: call again with no input and a buffer of
 * *@out_len bytes), SM_E_INVALID_TOKEN (errno EBADMSG; EALREADY: a
 * replayed authenticator), SM_E_LOGON_DENIED, SM_E_CONTEXT_EXPIRED
 * (ticket expired, clock skew), SM_E_NO_CREDENTIALS, SM_E_TARGET_UNKNOWN,
 * SM_E_ALGORITHM_MISMATCH (an enctype the kernel refuses: errno
 * EPROTONOSUPPORT), SM_E_UNSUPPORTED_FUNCTION (a module without Kerberos
 * contexts: errno ENOTTY), SM_E_INVALID_HANDLE (complete already: errno
 * EISCONN; a failed import: EBADF), SM_E_SECPKG_NOT_FOUND,
 * SM_E_ACCESS_DENIED (importing, when the context was not made through a
 * caller's descriptor), SM_E_TOO_MANY_CONTEXTS, SM_E_INSUFFICIENT_MEMORY,
 * SM_E_INTERNAL_ERROR (errno EPROTO: a GSSAPI failure without a nearer
 * status).
 */
sm_status sm_continue_context(sm_ctx *ctx, const void *token_in,
			      size_t in_len, void *token_out,
			      size_t *out_len);

/* ------------------------------------------------------------------------
 * Messages
 * ------------------------------------------------------------------------
 */

/**
 * struct sm_buffer - one buffer of a message (SSPI's SecBuffer)
 * @type:  SM_BUF_*
 * @flags: SM_BUF_READONLY or SM_BUF_READONLY_WITH_CHECKSUM (DATA only), or 0
 * @data:  the bytes; may be NULL when @len is 0
 * @len:   in: bytes at @data (at most 4 GiB - 1); out: bytes used, for
 *         TOKEN, PADDING, STREAM_HEADER, STREAM_TRAILER and the DATA of a
 *         stream sm_unseal() (whose @data is also set)
 *
 * Buffers are written back only when the call succeeds.
 */
struct sm_buffer {
	uint32_t type;
	uint32_t flags;
	void *data;
	size_t len;
};

/*
 * Buffer layouts (any other gives SM_E_INVALID_PARAMETER):
 *
 *   sm_sign     TOKEN (>= SM_TOKEN_SIZE), DATA..., EMPTY...
 *   sm_verify   TOKEN (the signature), DATA..., EMPTY...
 *   sm_seal     TOKEN (>= SM_TOKEN_SIZE), DATA..., [PADDING], EMPTY...
 *            or STREAM_HEADER (>= 16), DATA..., STREAM_TRAILER (>= 16),
 *               EMPTY...: laid out back to back they are the stream
 *   sm_unseal   as sm_seal's token form, decrypted in place
 *            or STREAM (a whole sealed stream), DATA (set to point at the
 *               plaintext inside the stream), EMPTY...
 *
 * At most SM_MAX_BUFFERS buffers and SM_MAX_MESSAGE covered bytes, of which
 * at most SM_MAX_SIGNED signed only (sm_sign data, READONLY_WITH_CHECKSUM
 * buffers, a sign-only wrap's data).
 *
 * Sizes needed: the TOKEN must hold SM_TOKEN_SIZE bytes, STREAM_HEADER and
 * STREAM_TRAILER 16 each (all from sm_query_sizes() and
 * sm_query_stream_sizes()); a STREAM shorter than header + trailer gives
 * SM_E_INCOMPLETE_MESSAGE.  To learn which buffer was too small and how many
 * bytes it needs, pass the message to sm_batch() (count 1): its struct
 * sm_message reports @index and @needed.
 *
 * The send sequence number (@seq_out) and received one are 64-bit; the
 * received QOP (@qop_out) is SM_QOP_WRAP_NO_ENCRYPT for a sign-only wrap.
 * @seq_out and @qop_out may be NULL, and are written only on success.
 *
 * Return, for the four calls: SM_E_OK; on the receive side
 * SM_E_MESSAGE_ALTERED, SM_E_REPLAYED, SM_E_TOO_OLD, SM_E_OUT_OF_SEQUENCE,
 * SM_E_INVALID_TOKEN; on both SM_E_CONTEXT_EXPIRED,
 * SM_E_CONTEXT_INCOMPLETE (a client context before sm_complete_context()),
 * SM_E_BUFFER_TOO_SMALL,
 * SM_E_INCOMPLETE_MESSAGE (unseal), SM_E_QOP_NOT_SUPPORTED,
 * SM_E_INVALID_PARAMETER, SM_E_INVALID_HANDLE, SM_E_INSUFFICIENT_MEMORY,
 * SM_E_UNSUPPORTED_FUNCTION (a kernel without the call), SM_E_INTERNAL_ERROR
 * (any other errno).  A failed verify or unseal changes no buffer and no
 * receive state.
 */

/** sm_sign() - MakeSignature: a detached signature into the TOKEN buffer */
sm_status sm_sign(sm_ctx *ctx, uint32_t qop, struct sm_buffer *bufs,
		  unsigned int n, uint64_t *seq_out);

/** sm_verify() - VerifySignature: check the TOKEN over the DATA buffers */
sm_status sm_verify(sm_ctx *ctx, struct sm_buffer *bufs, unsigned int n,
		    uint64_t *seq_out, uint32_t *qop_out);

/** sm_seal() - EncryptMessage: encrypt DATA in place, token or stream form */
sm_status sm_seal(sm_ctx *ctx, uint32_t qop, struct sm_buffer *bufs,
		  unsigned int n, uint64_t *seq_out);

/** sm_unseal() - DecryptMessage: check and decrypt in place */
sm_status sm_unseal(sm_ctx *ctx, struct sm_buffer *bufs, unsigned int n,
		    uint64_t *seq_out, uint32_t *qop_out);

/**
 * struct sm_message - one message of sm_batch()
 * @bufs:   in: its buffers, laid out as for the single call
 * @nbufs:  in: 1..SM_MAX_BUFFERS
 * @qop:    in for SIGN and SEAL; out for VERIFY and UNSEAL
 * @flags:  in: none defined yet; 0
 * @status: out: this message's result
 * @error:  out: the errno behind @status, 0 on success
 * @seq:    out: sequence number sent or received (on success)
 * @needed: out: bytes buffer @index must hold (SM_E_BUFFER_TOO_SMALL,
 *          SM_E_INCOMPLETE_MESSAGE), else 0
 * @index:  out: the buffer @needed refers to, else SM_INDEX_NONE
 */
struct sm_message {
	struct sm_buffer *bufs;
	unsigned int nbufs;
	uint32_t qop;
	uint32_t flags;
	sm_status status;
	int error;
	uint32_t needed;
	uint32_t index;
	uint64_t seq;
};

/**
 * sm_batch() - run many messages of one kind in one system call per 1024
 * @ctx:   a context
 * @op:    SM_OP_SIGN, SM_OP_VERIFY, SM_OP_SEAL or SM_OP_UNSEAL
 * @msgs:  the messages, processed in order; one failing does not stop the
 *         others
 * @count: any number >= 1
 *
 * No memory is allocated for up to 16 messages of up to 64 buffers in
 * all; larger batches make one allocation per call.
 *
 * Return: SM_E_OK once every message has its own @status (which may be a
 * failure).  Otherwise the batch could not be run (bad argument, a
 * malformed message, not a context, no memory): the messages not processed
 * have @status equal to the return value; those before them have their
 * results.
 */
sm_status sm_batch(sm_ctx *ctx, int op, struct sm_message *msgs,
		   unsigned int count);

/* ------------------------------------------------------------------------
 * io_uring (1.6): the message calls as requests of any ring (liburing's or
 * another); libsecmsg fills the SQE and reads the result, and needs no
 * io_uring library.  See sm_uring_prep(3) and <linux/secmsg.h> "io_uring".
 * ------------------------------------------------------------------------
 */
struct io_uring_sqe;	/* <linux/io_uring.h> */

/* sizeof(struct sm_uring_slot); it is aligned to 8 */
#define SM_URING_SLOT_SIZE 512

/**
 * struct sm_uring_slot - the kernel's copy of one message in flight
 * @u.priv: libsecmsg's: the caller neither reads nor writes it
 *
 * The kernel may read it after io_uring_enter(2) has returned: it must
 * stay in place, unchanged, from sm_uring_prep() until the request's CQE
 * has been passed to sm_uring_result().  Then it may be reused.
 */
struct sm_uring_slot {
	union {
		struct {
			struct secmsg_message km;
			struct secmsg_buffer kb[SM_MAX_BUFFERS];
			struct sm_message *msg;
		} priv;
		unsigned char size[SM_URING_SLOT_SIZE];
		uint64_t align;
	} u;
};

/**
 * sm_uring_prep() - fill an SQE with one message call on @ctx
 * @sqe:  a 64-byte SQE of the caller's ring; every field but user_data
 *        is written (set user_data and IOSQE_* flags after)
 * @ctx:  a context
 * @op:   SM_OP_SIGN, SM_OP_VERIFY, SM_OP_SEAL or SM_OP_UNSEAL
 * @msg:  in: the message, as for sm_batch(); out: by sm_uring_result()
 * @slot: the kernel's copy of @msg, until the CQE is reaped
 *
 * @msg, its buffer array and its buffers must stay valid until then too.
 *
 * Return: SM_E_OK; else SM_E_INVALID_PARAMETER, as sm_batch() checks a
 * message (@msg's status and error set too, if @msg is not NULL), and
 * @sqe is made an IORING_OP_NOP (if not NULL).
 */
sm_status sm_uring_prep(struct io_uring_sqe *sqe, sm_ctx *ctx, int op,
			struct sm_message *msg, struct sm_uring_slot *slot);

/**
 * sm_uring_result() - the result of a request sm_uring_prep() filled
 * @slot:    the request's slot
 * @cqe_res: its CQE's res
 *
 * Writes @msg's out fields and buffers as sm_batch() does, once per
 * request.
 *
 * Return: @msg's status; SM_E_INVALID_PARAMETER (errno EINVAL, @msg
 * untouched) if @slot holds no request.
 */
sm_status sm_uring_result(struct sm_uring_slot *slot, int32_t cqe_res);

/* ------------------------------------------------------------------------
 * QueryContextAttributes
 * ------------------------------------------------------------------------
 */

/** struct sm_sizes - SECPKG_ATTR_SIZES (SecPkgContext_Sizes) */
struct sm_sizes {
	uint32_t max_token; /* cbMaxToken: largest establishment token */
	uint32_t max_signature; /* cbMaxSignature: sm_sign's TOKEN */
	uint32_t block_size; /* cbBlockSize: 1, no padding ever */
	uint32_t security_trailer; /* cbSecurityTrailer: sm_seal's TOKEN */
};

/** struct sm_stream_sizes - SECPKG_ATTR_STREAM_SIZES */
struct sm_stream_sizes {
	uint32_t header; /* cbHeader: STREAM_HEADER */
	uint32_t trailer; /* cbTrailer: STREAM_TRAILER */
	uint32_t max_message; /* cbMaximumMessage: covered bytes */
	uint32_t buffers; /* cBuffers: buffers per message */
	uint32_t block_size; /* cbBlockSize */
};

/** sm_query_sizes() - QueryContextAttributes(SECPKG_ATTR_SIZES) */
sm_status sm_query_sizes(sm_ctx *ctx, struct sm_sizes *sizes);

/** sm_query_stream_sizes() - QueryContextAttributes(STREAM_SIZES) */
sm_status sm_query_stream_sizes(sm_ctx *ctx, struct sm_stream_sizes *sizes);

/* struct sm_context_info.state */
#define SM_STATE_ACTIVE SECMSG_STATE_ACTIVE
#define SM_STATE_EXPIRED SECMSG_STATE_EXPIRED
#define SM_STATE_INCOMPLETE SECMSG_STATE_INCOMPLETE /* before completion */
#define SM_STATE_REVOKED SECMSG_STATE_REVOKED /* sm_ctl_revoke() (1.2) */

/* struct sm_context_info.driver_flags */
#define SM_DRIVER_ASYNC SECMSG_DRIVER_ASYNC
#define SM_DRIVER_INLINE SECMSG_DRIVER_INLINE	/* 1.5.1 */

/** struct sm_counters - messages handled and failures, by kind */
struct sm_counters {
	uint64_t signed_msgs; /* sm_sign */
	uint64_t verified; /* sm_verify succeeded */
	uint64_t sealed; /* sm_seal, sign-only wraps included */
	uint64_t unsealed; /* sm_unseal succeeded */
	uint64_t altered; /* failures: SM_E_MESSAGE_ALTERED */
	uint64_t replayed; /* SM_E_REPLAYED */
	uint64_t too_old; /* SM_E_TOO_OLD */
	uint64_t out_of_sequence; /* SM_E_OUT_OF_SEQUENCE */
	uint64_t expired; /* SM_E_CONTEXT_EXPIRED */
	uint64_t bad_token; /* SM_E_INVALID_TOKEN */
	uint64_t other_failures; /* buffer too small, incomplete, qop */
};

/* struct sm_identity.flags */
#define SM_ID_VALID SECMSG_ID_VALID /* the fields are set */
#define SM_ID_ANONYMOUS SECMSG_ID_ANONYMOUS /* withheld: SM_IMP_ANONYMOUS */
#define SM_ID_UNMAPPED SECMSG_ID_UNMAPPED /* an id reads as the overflow id */
#define SM_ID_LSM_TRUNCATED SECMSG_ID_LSM_TRUNCATED /* struct sm_names */
#define SM_ID_SETID SECMSG_ID_SETID /* real or saved id not the effective */
#define SM_ID_ASSERTED SECMSG_ID_ASSERTED /* Kerberos: ids the importer asserted (1.4) */

#define SM_ID_GROUPS SECMSG_ID_GROUPS /* groups reported */

/**
 * struct sm_identity - one side's credentials, as the kernel saw them
 * @flags:   SM_ID_VALID, with SM_ID_SETID when the task's real or saved
 *           uid or gid was not its effective one (a set-user-ID program
 *           that initialized or accepted: see sm_init_context(3)), or
 *           with SM_ID_ASSERTED (1.4) for a Kerberos client: the account
 *           its principal maps to, as the importer asserted it, not seen
 *           by the kernel (@pid 0); SM_ID_ANONYMOUS alone (all else zero)
 *           for the client seen by its server when the client chose
 *           SM_IMP_ANONYMOUS; or 0 when unknown (raw contexts, the server
 *           of an incomplete context, a kernel before local contexts)
 * @uid:     effective uid, as seen from the caller's user namespace (the
 *           overflow uid, usually 65534, if unmapped there; SM_ID_UNMAPPED
 *           in @flags then, as for an unmapped @gid or group)
 * @gid:     effective gid, likewise
 * @pid:     process of the task that initialized or accepted, in the
 *           caller's pid namespace; 0 if not visible or gone
 * @ngroups: number of supplementary groups (may exceed SM_ID_GROUPS)
 * @ruid:    real uid, mapped as @uid (since 1.4; 0 from a kernel that does
 *           not report it, which also never sets SM_ID_SETID)
 * @userns:  inode number of its user namespace (as /proc/PID/ns/user)
 * @groups:  the first min(@ngroups, SM_ID_GROUPS) groups, ascending
 */
struct sm_identity {
	uint32_t flags;
	uint32_t uid;
	uint32_t gid;
	uint32_t pid;
	uint32_t ngroups;
	uint32_t ruid;
	uint64_t userns;
	uint32_t groups[SM_ID_GROUPS];
};

/**
 * struct sm_context_info - everything about a context
 * @size:          in: sizeof(struct sm_context_info); out: bytes filled
 * @package:       SM_PKG_* (SECPKG_ATTR_PACKAGE_INFO)
 * @role:          SM_ROLE_*
 * @suite:         SM_SUITE_*; for a Kerberos context its enctype,
 *                 SM_KRB5_* (1.4)
 * @ctx_flags:     SM_CTX_* granted (SECPKG_ATTR_FLAGS)
 * @state:         SM_STATE_*
 * @driver_flags:  SM_DRIVER_ASYNC if the crypto driver is asynchronous;
 *                 SM_DRIVER_INLINE if it completes in the calling task
 *                 all the same (1.5.1; <linux/secmsg.h> "io_uring")
 * @lifetime:      seconds, as granted
 * @replay_window: sequence numbers tracked on the receive side
 * @sizes:         as sm_query_sizes()
 * @stream_sizes:  as sm_query_stream_sizes()
 * @algorithm:     crypto API algorithm requested, e.g. "gcm(aes)"; a
 *                 Kerberos context's cipher and HMAC, space-separated
 * @driver:        crypto API driver bound, e.g. "generic-gcm-aesni"; for
 *                 Kerberos the two drivers, in the same order
 * @created:       creation time, seconds since the epoch
 * @expires:       expiry time, seconds since the epoch (SECPKG_ATTR_LIFESPAN);
 *                 for Kerberos the ticket's end time, or earlier at the
 *                 module's max_lifetime
 * @send_seq:      next sequence number to send
 * @recv_seq:      highest received and accepted + 1 (at first the initial
 *                 receive number)
 * @counters:      see struct sm_counters
 *
 * Since 1.1 (a caller with the 1.0 struct simply does not get these):
 *
 * @imp_level:     SM_IMP_* the client granted; 0 for raw contexts
 * @reserved:      0
 * @local:         this side's identity (SECPKG_ATTR_NATIVE_NAMES)
 * @peer:          the other side's (a client learns it on completion)
 *
 * Since 1.5.1:
 *
 * @kept:          bytes the kernel keeps now for the context's message
 *                 calls, 0 before its first message and once it has been
 *                 idle; at most SECMSG_MAX_KEPT (<linux/secmsg.h>); 0 from
 *                 a kernel that does not report it
 *
 * The principal names of a Kerberos context: sm_query_names().  The
 * Kerberos formats: "Kerberos contexts" in <linux/secmsg.h>.
 */
struct sm_context_info {
	uint32_t size;
	uint32_t package;
	uint32_t role;
	uint32_t suite;
	uint32_t ctx_flags;
	uint32_t state;
	uint32_t driver_flags;
	uint32_t lifetime;
	uint32_t replay_window;
	struct sm_sizes sizes;
	struct sm_stream_sizes stream_sizes;
	char algorithm[SM_NAME_MAX];
	char driver[SM_NAME_MAX];
	int64_t created;
	int64_t expires;
	uint64_t send_seq;
	uint64_t recv_seq;
	struct sm_counters counters;
	uint32_t imp_level;
	uint32_t reserved;
	struct sm_identity local;
	struct sm_identity peer;
	uint64_t kept;
};

/**
 * sm_query() - all attributes of a context at once
 * @ctx:  a context
 * @info: set @info->size first (at least the 1.0 struct, which ends with
 *        @counters); filled up to that size (the fields of later library
 *        versions are left zero), and @info->size is set to the bytes
 *        filled.  On a kernel without local contexts the 1.1 fields are 0.
 *
 * Return: SM_E_OK, SM_E_INVALID_HANDLE, SM_E_INVALID_PARAMETER (@size below
 * that of the first version), SM_E_INSUFFICIENT_MEMORY, SM_E_INTERNAL_ERROR.
 * sm_query_sizes() and sm_query_stream_sizes() return the same.
 */
sm_status sm_query(sm_ctx *ctx, struct sm_context_info *info);

/* struct sm_name.flags */
#define SM_NAME_USER_NUMERIC 0x1 /* @user is the uid in decimal */
#define SM_NAME_GROUP_NUMERIC 0x2 /* @group is the gid in decimal */

#define SM_NAME_LEN 256 /* struct sm_name's strings, with NUL */

/**
 * struct sm_name - one identity, as numbers and as names
 * @id:    the numbers, as in struct sm_context_info
 * @flags: SM_NAME_*_NUMERIC: the name is the number, because the user
 *         database has no entry for it (or could not be read, or the name
 *         does not fit SM_NAME_LEN); names are never truncated
 * @user:  the user name of @id.uid (getpwuid_r()), or the uid in decimal;
 *         "" if @id is not valid
 * @group: the group name of @id.gid (getgrgid_r()), or the gid in decimal
 */
struct sm_name {
	struct sm_identity id;
	uint32_t flags;
	char user[SM_NAME_LEN];
	char group[SM_NAME_LEN];
};

#define SM_LSM_LEN SECMSG_LSM_MAX /* LSM contexts, with NUL */
#define SM_PRINCIPAL_LEN SECMSG_PRINCIPAL_MAX /* principal names, with NUL */

/**
 * struct sm_names - SECPKG_ATTR_NAMES / SECPKG_ATTR_NATIVE_NAMES
 * @size:      in: sizeof(struct sm_names); out: bytes filled
 * @local:     this side (the client for a client context)
 * @peer:      the other side
 *
 * Since libsecmsg 1.1 (a caller built against 1.0 gives the smaller size
 * and does not get them):
 *
 * @local_lsm: this side's LSM context (an SELinux or Smack label, an
 *             AppArmor profile), "" when no LSM gives one or the kernel
 *             does not say; cut to SM_LSM_LEN - 1 bytes, with
 *             SM_ID_LSM_TRUNCATED in @local.id.flags
 * @peer_lsm:  the other side's, likewise
 *
 * Since libsecmsg 1.4 (a caller built against 1.3 gives the smaller size
 * and does not get them), Kerberos contexts (SM_PKG_KERBEROS and
 * SM_PKG_NEGOTIATE; "" for the other packages):
 *
 * @client_principal:  the client's principal name, as GSSAPI displayed it
 *                     ("alice@EXAMPLE.COM"), whichever side this is (the
 *                     @peer of a service's context, the @local of a
 *                     client's: SECPKG_ATTR_NATIVE_NAMES' sClientName)
 * @service_principal: the service's ("HTTP/www.example.com@EXAMPLE.COM")
 *
 * On a Kerberos service's context, @peer is the local account the client
 * maps to (krb5_aname_to_localname()), as this library asserted it when
 * it imported the context: SM_ID_ASSERTED in @peer.id.flags and no pid,
 * or @peer.id.flags 0 if the client maps to none; @local is the process
 * that imported it.  A Kerberos client's context knows no @peer.
 */
struct sm_names {
	uint32_t size;
	uint32_t reserved;
	struct sm_name local;
	struct sm_name peer;
	char local_lsm[SM_LSM_LEN];
	char peer_lsm[SM_LSM_LEN];
	char client_principal[SM_PRINCIPAL_LEN];
	char service_principal[SM_PRINCIPAL_LEN];
};

/**
 * sm_query_names() - both identities of a context, with readable names
 * @ctx:   a context
 * @names: set @names->size first; filled up to that size
 *
 * One query, then getpwuid_r() and getgrgid_r() with buffers allocated
 * for the call (thread-safe; NSS modules may be consulted).  Names are
 * those of this process's user database for the numbers as seen from this
 * process's user namespace.  Principal names (1.4) are the kernel's, as
 * the importer gave them: never looked up.
 *
 * Return: as sm_query(); SM_E_INSUFFICIENT_MEMORY also when the user
 * database lookups run out of memory.
 */
sm_status sm_query_names(sm_ctx *ctx, struct sm_names *names);

/* ------------------------------------------------------------------------
 * Impersonation (local acceptor contexts)
 * ------------------------------------------------------------------------
 */

/**
 * sm_impersonate() - ImpersonateSecurityContext
 * @ctx: a context this process accepted (sm_accept_context()): local,
 *       or Kerberos (then the client is the account its principal maps
 *       to, and the thread's GSSAPI ccache becomes the client's delegated
 *       credentials, KEYRING:thread:secmsg, empty without delegation;
 *       sm_impersonate(3))
 *
 * The calling thread, and only it, takes the client's identity as the
 * kernel recorded it at sm_init_context(): effective and filesystem uid
 * and gid, supplementary groups, and capabilities only as far as both the
 * client and this thread hold them (none if the client is in another user
 * namespace).  Real and saved ids stay this thread's.  The client's
 * identity: sm_query_names(ctx)'s peer.  Allowed when the client granted
 * SM_IMP_IMPERSONATE or SM_IMP_DELEGATE and this thread holds CAP_SETUID
 * and CAP_SETGID over the client's user namespace or already is the
 * client (same effective ids, the client's groups among its own).
 * Refused, nothing changes.  Note that glibc's setuid() family changes
 * every thread of the process; call sm_revert() to come back.
 *
 * Return: SM_E_OK; SM_E_NO_IMPERSONATION (errno EACCES: the client granted
 * SM_IMP_IDENTIFY or SM_IMP_ANONYMOUS only; EPERM: this thread may not
 * become the client; EBUSY: it is impersonating already),
 * SM_E_UNSUPPORTED_FUNCTION (not an acceptor context: an initiator or a
 * raw context; errno EINVAL), SM_E_CONTEXT_EXPIRED, SM_E_CONTEXT_REVOKED,
 * SM_E_CONTEXT_INCOMPLETE, SM_E_INVALID_HANDLE, SM_E_INVALID_PARAMETER
 * (@ctx NULL), SM_E_INSUFFICIENT_MEMORY, SM_E_INTERNAL_ERROR.
 */
sm_status sm_impersonate(sm_ctx *ctx);

/**
 * sm_revert() - RevertSecurityContext
 * @ctx: any context, or NULL to go through /dev/secmsg (for a thread whose
 *       context is closed already: an impersonation belongs to the thread,
 *       not to the context)
 *
 * The calling thread gets back exactly the credentials it had before
 * sm_impersonate().  Another thread's impersonation is never touched.
 *
 * Return: SM_E_OK; SM_E_NO_IMPERSONATION (errno ENOENT: this thread is not
 * impersonating; ESTALE: its credentials changed since sm_impersonate(),
 * by setuid() for instance, so nothing was restored and it keeps its
 * current ones), SM_E_INVALID_HANDLE, SM_E_INVALID_PARAMETER (a kernel
 * that refuses the request: EINVAL, E2BIG, EFAULT), and with @ctx NULL,
 * opening /dev/secmsg: SM_E_SECPKG_NOT_FOUND (none), SM_E_ACCESS_DENIED
 * (EACCES, EPERM), SM_E_TOO_MANY_CONTEXTS (EMFILE, ENFILE: no descriptor
 * left), SM_E_INSUFFICIENT_MEMORY; SM_E_INTERNAL_ERROR.
 */
sm_status sm_revert(sm_ctx *ctx);

/* ------------------------------------------------------------------------
 * Control plane (since 1.2): the kernel's generic netlink family "secmsg"
 * through libnl-genl-3.  A caller sees and may revoke the contexts it owns
 * (those its effective uid created) in its network namespace; with
 * CAP_NET_ADMIN it sees and may revoke all of them, and (in the initial
 * user namespace) read statistics and change the configuration.  See the
 * "Control plane" section of <linux/secmsg.h> and sm_ctl_open(3).  Since
 * 1.3, events and statistics say how failure events were coalesced
 * (struct sm_ctl_event's count, struct sm_ctl_stats' events_coalesced).
 * Since 1.4, struct sm_ctl_ctx has the algorithm, a Kerberos context's
 * principal names and SM_CTL_PEER_ASSERTED.
 *
 * Statuses as everywhere: SM_E_SECPKG_NOT_FOUND (no such family: module
 * not loaded), SM_E_INVALID_HANDLE (no such context, or not the caller's;
 * errno ENOENT), SM_E_NOT_OWNER (not allowed; errno EPERM),
 * SM_E_CONTEXT_REVOKED (revoked already; errno EALREADY),
 * SM_E_INVALID_PARAMETER (EINVAL, ERANGE), SM_E_INSUFFICIENT_MEMORY,
 * SM_E_INTERNAL_ERROR (errno tells).  sm_ctl_error() gives the kernel's
 * message for the last refusal.
 * ------------------------------------------------------------------------
 */
#define SM_E_NOT_OWNER ((sm_status)0x80090306) /* not allowed (EPERM) */

typedef struct sm_ctl sm_ctl;

/* Counters of one context, or sums over all (struct sm_counters + revoked) */
struct sm_ctl_counters {
	uint64_t signed_msgs;
	uint64_t verified;
	uint64_t sealed;
	uint64_t unsealed;
	uint64_t altered;
	uint64_t replayed;
	uint64_t too_old;
	uint64_t out_of_sequence;
	uint64_t expired;
	uint64_t bad_token;
	uint64_t other_failures;
	uint64_t revoked; /* calls refused: SM_E_CONTEXT_REVOKED */
};

/* struct sm_ctl_ctx.valid */
#define SM_CTL_PEER 0x1 /* peer_uid, peer_gid, peer_pid are known */
#define SM_CTL_IMP_LEVEL 0x2 /* imp_level is set (local, Kerberos) */
#define SM_CTL_PEER_ASSERTED 0x4 /* with SM_CTL_PEER: asserted (1.4) */

/**
 * struct sm_ctl_ctx - one context as the control plane shows it
 * @id:        the context's id (also in /proc/PID/fdinfo/FD, "secmsg-id")
 * @package:   SECMSG_PKG_*
 * @role:      SECMSG_ROLE_*
 * @suite:     SECMSG_SUITE_*, or a Kerberos context's enctype (SM_KRB5_*)
 * @flags:     SECMSG_CTX_* granted
 * @state:     SECMSG_STATE_* (ACTIVE, EXPIRED, INCOMPLETE, REVOKED)
 * @owner_uid: the owner, as the caller's user namespace sees it
 * @pid:       the creating process, in the caller's pid namespace (0: gone
 *             or not visible)
 * @valid:     SM_CTL_PEER, SM_CTL_IMP_LEVEL, SM_CTL_PEER_ASSERTED
 * @imp_level: SM_IMP_* (local and Kerberos contexts; 0 for a Kerberos
 *             client's)
 * @peer_uid:  the other side's effective uid (local, once known); with
 *             SM_CTL_PEER_ASSERTED, the account a Kerberos service's
 *             client maps to, as the importer asserted it
 * @peer_gid:  its effective gid; SECMSG_NO_ID for an asserted account
 *             without a group
 * @peer_pid:  its process (0 when asserted)
 * @lifetime:  seconds granted
 * @created:   CLOCK_REALTIME seconds
 * @expires:   CLOCK_REALTIME seconds (Kerberos: the ticket's end, or
 *             earlier at the module's max_lifetime)
 * @send_seq:  next number to send
 * @recv_seq:  highest accepted + 1
 * @driver:    crypto driver bound, or "" before the keys are set
 *             (Kerberos: its cipher's and HMAC's, space-separated)
 * @counters:  messages and failures
 *
 * Since 1.4 (programs built against 1.2 or 1.3 keep the struct without
 * them, also in struct sm_ctl_event):
 *
 * @algorithm:         crypto API names requested, as @driver
 * @client_principal:  Kerberos: the client's principal name, "" if none
 *                     (as in struct sm_names)
 * @service_principal: Kerberos: the service's
 *
 * Since 1.6 (programs built against 1.4 or 1.5 keep the struct without
 * it, also in struct sm_ctl_event):
 *
 * @kept:      bytes the kernel keeps now for the context's message calls,
 *             as struct sm_context_info's @kept; 0 from a kernel without
 *             it
 */
struct sm_ctl_ctx {
	uint64_t id;
	uint32_t package;
	uint32_t role;
	uint32_t suite;
	uint32_t flags;
	uint32_t state;
	uint32_t owner_uid;
	uint32_t pid;
	uint32_t valid;
	uint32_t imp_level;
	uint32_t peer_uid;
	uint32_t peer_gid;
	uint32_t peer_pid;
	uint32_t lifetime;
	uint32_t reserved;
	int64_t created;
	int64_t expires;
	uint64_t send_seq;
	uint64_t recv_seq;
	char driver[SM_NAME_MAX];
	struct sm_ctl_counters counters;
	char algorithm[SM_NAME_MAX];
	char client_principal[SM_PRINCIPAL_LEN];
	char service_principal[SM_PRINCIPAL_LEN];
	uint64_t kept;
};

/* struct sm_ctl_config.set: the fields sm_ctl_config_set() changes */
#define SM_CTL_CFG_MAX_CONTEXTS 0x1
#define SM_CTL_CFG_DEFAULT_LIFETIME 0x2
#define SM_CTL_CFG_MAX_LIFETIME 0x4
#define SM_CTL_CFG_SUITES 0x8
#define SM_CTL_CFG_REPLAY_WINDOW 0x10

/**
 * struct sm_ctl_config - the module's configuration
 * @set:                   sm_ctl_config_set(): SM_CTL_CFG_* to change
 * @max_contexts_per_user: contexts each user may hold
 * @default_lifetime:      seconds, for a context asking for none
 * @max_lifetime:          seconds, the longest granted
 * @suites:                allowed suites, bit (1 << SECMSG_SUITE_*)
 * @replay_window:         receive window of new contexts, in messages: a
 *                         power of two, SECMSG_REPLAY_WINDOW_MIN to _MAX
 */
struct sm_ctl_config {
	uint32_t set;
	uint32_t max_contexts_per_user;
	uint32_t default_lifetime;
	uint32_t max_lifetime;
	uint32_t suites;
	uint32_t replay_window;
};

/**
 * struct sm_ctl_stats - module-wide statistics since it was loaded
 * @contexts: contexts alive now
 * @created:  contexts created
 * @revoked:  contexts revoked
 * @totals:   every context's counters, summed
 * @events_coalesced: failures reported in another failure's event (since
 *            1.3; see struct sm_ctl_event's @count)
 */
struct sm_ctl_stats {
	uint64_t contexts;
	uint64_t created;
	uint64_t revoked;
	struct sm_ctl_counters totals;
	uint64_t events_coalesced;
};

/* struct sm_ctl_event.event: SECMSG_EVENT_* */
#define SM_CTL_EV_CREATED SECMSG_EVENT_CREATED
#define SM_CTL_EV_COMPLETED SECMSG_EVENT_COMPLETED
#define SM_CTL_EV_EXPIRED SECMSG_EVENT_EXPIRED
#define SM_CTL_EV_REVOKED SECMSG_EVENT_REVOKED
#define SM_CTL_EV_ALTERED SECMSG_EVENT_ALTERED
#define SM_CTL_EV_REPLAY SECMSG_EVENT_REPLAY

/**
 * struct sm_ctl_event - one event of the "events" group
 * @event:   SM_CTL_EV_*
 * @verdict: SECMSG_VERDICT_* of a failure (ALTERED, REPLAYED, TOO_OLD,
 *           EXPIRED), else 0
 * @ctx:     the context as it was when the event was sent (ids as its
 *           namespace's owner and its creator see them)
 * @count:   SM_CTL_EV_ALTERED and SM_CTL_EV_REPLAY: how many failures of
 *           @verdict the event reports (at least 1: they are coalesced, at
 *           most one event per context and verdict a second; see "Events"
 *           in <linux/secmsg.h>); 0 for the other events (since 1.3)
 *
 * Since 1.3 (programs built against 1.2 keep the 1.2 struct, without
 * @count).
 */
struct sm_ctl_event {
	uint32_t event;
	uint32_t verdict;
	struct sm_ctl_ctx ctx;
	uint64_t count;
};

/**
 * sm_ctl_open() - a control handle
 * @out: the handle, for the sm_ctl_*() calls; sm_ctl_close() frees it
 *
 * Return: SM_E_OK; SM_E_SECPKG_NOT_FOUND (the module is not loaded),
 * SM_E_INSUFFICIENT_MEMORY, SM_E_INVALID_PARAMETER, SM_E_INTERNAL_ERROR.
 */
sm_status sm_ctl_open(sm_ctl **out);

/**
 * sm_ctl_close() - free a handle (NULL is ignored)
 * @ctl: the handle
 */
void sm_ctl_close(sm_ctl *ctl);

/**
 * sm_ctl_error() - the kernel's message about the last refusal
 * @ctl: the handle
 *
 * Return: a string owned by @ctl, valid until its next call; "" if the
 * kernel said nothing (or the last call succeeded).
 */
const char *sm_ctl_error(sm_ctl *ctl);

/* sm_ctl_list()'s callback: nonzero stops the listing (SM_E_OK still). */
typedef int (*sm_ctl_list_fn)(const struct sm_ctl_ctx *ctx, void *arg);

/**
 * sm_ctl_list() - every context the caller may see, in id order
 * @ctl: the handle
 * @fn:  called once per context (the struct is valid during the call)
 * @arg: passed to @fn
 *
 * Return: SM_E_OK, or a status of the conventions above.
 */
sm_status sm_ctl_list(sm_ctl *ctl, sm_ctl_list_fn fn, void *arg);

/**
 * sm_ctl_get() - one context by id
 * @ctl: the handle
 * @id:  its id
 * @out: filled
 *
 * Return: SM_E_OK; SM_E_INVALID_HANDLE (ENOENT: no such context, or not
 * the caller's), SM_E_INVALID_PARAMETER (@id 0), ...
 */
sm_status sm_ctl_get(sm_ctl *ctl, uint64_t id, struct sm_ctl_ctx *out);

/**
 * sm_ctl_revoke() - revoke a context for good
 * @ctl: the handle
 * @id:  its id
 *
 * Every later call on it fails with SM_E_CONTEXT_REVOKED; calls under way
 * finish.
 *
 * Return: SM_E_OK; SM_E_INVALID_HANDLE (ENOENT), SM_E_CONTEXT_REVOKED
 * (EALREADY: revoked already), SM_E_INVALID_PARAMETER, ...
 */
sm_status sm_ctl_revoke(sm_ctl *ctl, uint64_t id);

/**
 * sm_ctl_config_get() - read the configuration
 * @ctl: the handle
 * @out: filled (@out->set is set to 0)
 *
 * Return: SM_E_OK, or a status of the conventions above.
 */
sm_status sm_ctl_config_get(sm_ctl *ctl, struct sm_ctl_config *out);

/**
 * sm_ctl_config_set() - change settings, all or none
 * @ctl: the handle
 * @cfg: @cfg->set says which fields to change (not 0)
 * @out: may be NULL; else the whole configuration afterwards
 *
 * Return: SM_E_OK; SM_E_NOT_OWNER (EPERM: needs CAP_NET_ADMIN),
 * SM_E_INVALID_PARAMETER (EINVAL: @cfg->set 0 or unknown bits, a suite
 * bit of no suite, a default lifetime above the maximum; ERANGE: a value
 * out of range), ...
 */
sm_status sm_ctl_config_set(sm_ctl *ctl, const struct sm_ctl_config *cfg,
			    struct sm_ctl_config *out);

/**
 * sm_ctl_stats() - module-wide statistics
 * @ctl: the handle
 * @out: filled (@out->events_coalesced since 1.3: programs built against
 *       1.2 keep the 1.2 struct)
 *
 * Return: SM_E_OK; SM_E_NOT_OWNER (EPERM: needs CAP_NET_ADMIN), ...
 */
sm_status sm_ctl_stats(sm_ctl *ctl, struct sm_ctl_stats *out);

/**
 * sm_ctl_subscribe() - receive events from now on
 * @ctl: the handle
 *
 * Return: SM_E_OK; SM_E_NOT_OWNER (EPERM: needs CAP_NET_ADMIN), ...
 */
sm_status sm_ctl_subscribe(sm_ctl *ctl);

/**
 * sm_ctl_event_fd() - the descriptor to poll for events
 * @ctl: a subscribed handle
 *
 * Return: a descriptor readable when an event is waiting, or -1 (errno
 * EINVAL) before sm_ctl_subscribe().
 */
int sm_ctl_event_fd(sm_ctl *ctl);

/**
 * sm_ctl_event_read() - the next event, waiting for it
 * @ctl: a subscribed handle
 * @ev:  filled
 *
 * Return: SM_E_OK; SM_E_INVALID_PARAMETER (not subscribed);
 * SM_E_INTERNAL_ERROR with errno ENOBUFS when events were lost because
 * the reader was too slow (the next call goes on with newer ones), EINTR,
 * or another errno.
 */
sm_status sm_ctl_event_read(sm_ctl *ctl, struct sm_ctl_event *ev);

#ifdef __cplusplus
}
#endif

#endif /* SECMSG_H */
