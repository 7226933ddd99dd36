/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsecmsg - SSPI-style message protection with keys held by the kernel.
 *
 * A security context (sm_ctx) wraps a file descriptor of the secmsg kernel
 * module.  The key never enters this process: every call below is one ioctl
 * on that descriptor.  The calls mirror SSPI's message support:
 *
 *   SSPI                          libsecmsg
 *   ImportSecurityContext         sm_import(), sm_ctx_from_fd()
 *   DeleteSecurityContext         sm_close()
 *   MakeSignature                 sm_sign()
 *   VerifySignature               sm_verify()
 *   EncryptMessage                sm_seal()
 *   DecryptMessage                sm_unseal()
 *   QueryContextAttributes        sm_query_sizes(), sm_query_stream_sizes(),
 *                                 sm_query()
 *   (none)                        sm_batch(): many messages, one call
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

#define LIBSECMSG_VERSION_MAJOR 1
#define LIBSECMSG_VERSION_MINOR 0

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
/* Context establishment needs another round; reserved for later packages */
#define SM_I_CONTINUE_NEEDED ((sm_status)0x00090312)

/* Standard SSPI failures (SEC_E_x has the same value) */
#define SM_E_INSUFFICIENT_MEMORY ((sm_status)0x80090300) /* ENOMEM */
#define SM_E_INVALID_HANDLE ((sm_status)0x80090301) /* not a context */
#define SM_E_UNSUPPORTED_FUNCTION ((sm_status)0x80090302)
#define SM_E_TARGET_UNKNOWN ((sm_status)0x80090303) /* reserved */
#define SM_E_INTERNAL_ERROR ((sm_status)0x80090304) /* see errno */
#define SM_E_SECPKG_NOT_FOUND ((sm_status)0x80090305) /* no /dev/secmsg */
#define SM_E_INVALID_TOKEN ((sm_status)0x80090308) /* token < 32 bytes */
#define SM_E_QOP_NOT_SUPPORTED ((sm_status)0x8009030A)
#define SM_E_NO_IMPERSONATION ((sm_status)0x8009030B) /* reserved */
#define SM_E_LOGON_DENIED ((sm_status)0x8009030C) /* reserved */
#define SM_E_NO_CREDENTIALS ((sm_status)0x8009030E) /* reserved */
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
 * SM_E_INSUFFICIENT_MEMORY for SM_E_TOO_MANY_CONTEXTS, SM_E_INTERNAL_ERROR
 * for any other private value, and @status itself otherwise.
 */
sm_status sm_status_sspi(sm_status status);

/* ------------------------------------------------------------------------
 * Constants (the values of <linux/secmsg.h>, which are SSPI's)
 * ------------------------------------------------------------------------
 */
#define SM_PKG_RAW SECMSG_PKG_RAW

#define SM_ROLE_INITIATOR SECMSG_ROLE_INITIATOR
#define SM_ROLE_ACCEPTOR SECMSG_ROLE_ACCEPTOR

#define SM_SUITE_AES128_GCM SECMSG_SUITE_AES128_GCM
#define SM_SUITE_AES256_GCM SECMSG_SUITE_AES256_GCM
#define SM_SUITE_CHACHA20_POLY1305 SECMSG_SUITE_CHACHA20_POLY1305

/* Context flags: ISC_REQ_x / ISC_RET_x */
#define SM_CTX_REPLAY_DETECT SECMSG_CTX_REPLAY_DETECT
#define SM_CTX_SEQUENCE_DETECT SECMSG_CTX_SEQUENCE_DETECT
#define SM_CTX_CONFIDENTIALITY SECMSG_CTX_CONFIDENTIALITY
#define SM_CTX_INTEGRITY SECMSG_CTX_INTEGRITY

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
#define SM_KEY_MIN SECMSG_KEY_MIN
#define SM_KEY_MAX SECMSG_KEY_MAX
#define SM_NAME_MAX SECMSG_NAME_MAX

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

/**
 * struct sm_import_params - a raw context from a session key
 * @size:      sizeof(struct sm_import_params)
 * @flags:     none defined yet; 0
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
};

/**
 * sm_import() - create a context from a session key
 * @params: see struct sm_import_params
 * @out:    receives the context; NULL on failure
 *
 * Opens /dev/secmsg for the duration of the call.
 *
 * Return: SM_E_OK; SM_E_SECPKG_NOT_FOUND when /dev/secmsg is missing (module
 * not loaded), SM_E_ALGORITHM_MISMATCH when the kernel lacks the suite's
 * algorithm, SM_E_TOO_MANY_CONTEXTS at the per-user context limit (or the
 * process fd limit), SM_E_INVALID_PARAMETER, SM_E_INSUFFICIENT_MEMORY,
 * SM_E_INTERNAL_ERROR (errno tells, e.g. EACCES).
 */
sm_status sm_import(const struct sm_import_params *params, sm_ctx **out);

/**
 * sm_import_dev() - sm_import() through an open /dev/secmsg
 * @devfd:  a descriptor of /dev/secmsg, e.g. opened before entering a
 *          sandbox; not closed
 * @params: as sm_import()
 * @out:    as sm_import()
 *
 * Return: as sm_import(); SM_E_INVALID_HANDLE if @devfd is not /dev/secmsg.
 */
sm_status sm_import_dev(int devfd, const struct sm_import_params *params,
			sm_ctx **out);

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
 * SM_E_INVALID_TOKEN; on both SM_E_CONTEXT_EXPIRED, SM_E_BUFFER_TOO_SMALL,
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
 * QueryContextAttributes
 * ------------------------------------------------------------------------
 */

/** struct sm_sizes - SECPKG_ATTR_SIZES (SecPkgContext_Sizes) */
struct sm_sizes {
	uint32_t max_token; /* cbMaxToken: establishment tokens, 0 if raw */
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

/* struct sm_context_info.driver_flags */
#define SM_DRIVER_ASYNC SECMSG_DRIVER_ASYNC

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

/**
 * struct sm_context_info - everything about a context
 * @size:          in: sizeof(struct sm_context_info); out: bytes filled
 * @package:       SM_PKG_* (SECPKG_ATTR_PACKAGE_INFO)
 * @role:          SM_ROLE_*
 * @suite:         SM_SUITE_*
 * @ctx_flags:     SM_CTX_* granted (SECPKG_ATTR_FLAGS)
 * @state:         SM_STATE_*
 * @driver_flags:  SM_DRIVER_ASYNC if the crypto driver is asynchronous
 * @lifetime:      seconds, as granted
 * @replay_window: sequence numbers tracked on the receive side
 * @sizes:         as sm_query_sizes()
 * @stream_sizes:  as sm_query_stream_sizes()
 * @algorithm:     crypto API algorithm requested, e.g. "gcm(aes)"
 * @driver:        crypto API driver bound, e.g. "generic-gcm-aesni"
 * @created:       creation time, seconds since the epoch
 * @expires:       expiry time, seconds since the epoch (SECPKG_ATTR_LIFESPAN)
 * @send_seq:      next sequence number to send
 * @recv_seq:      highest received and accepted + 1 (at first the initial
 *                 receive number)
 * @counters:      see struct sm_counters
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
};

/**
 * sm_query() - all attributes of a context at once
 * @ctx:  a context
 * @info: set @info->size first; filled up to that size (the fields of
 *        later library versions are left zero), and @info->size is set to
 *        the bytes filled
 *
 * Return: SM_E_OK, SM_E_INVALID_HANDLE, SM_E_INVALID_PARAMETER (@size below
 * that of the first version), SM_E_INSUFFICIENT_MEMORY, SM_E_INTERNAL_ERROR.
 * sm_query_sizes() and sm_query_stream_sizes() return the same.
 */
sm_status sm_query(sm_ctx *ctx, struct sm_context_info *info);

#ifdef __cplusplus
}
#endif

#endif /* SECMSG_H */
