/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * secmsg: SSPI-style message protection with keys held by the kernel.
 *
 * This header is the whole contract between secmsg.ko and user space.
 *
 * Objects
 * =======
 *
 * /dev/secmsg is a misc device.  Any user may open it and create security
 * contexts, up to a per-user limit (module parameter max_contexts_per_user;
 * the next create fails with EMFILE, as inotify does for its instances).
 *
 * A security context is an anonymous-inode file descriptor (always
 * O_CLOEXEC).  It holds the package that established it, the role
 * (initiator or acceptor), the negotiated flags, the lifetime, a key and a
 * 64-bit sequence number per direction, the receive replay window and the
 * crypto transform.  It may be passed over SCM_RIGHTS or inherited: all
 * descriptors share one kernel object, so sequence numbers never repeat.
 * The context dies with its last descriptor; the key is wiped then.
 *
 * Conventions
 * ===========
 *
 * - All structs start with __u32 size, set by the caller to the sizeof() of
 *   the struct it was compiled with.  The kernel accepts any size from the
 *   first published version (SECMSG_*_SIZE_VER0) up; bytes it does not know
 *   must be zero (else E2BIG), a size below VER0 gives EINVAL.  The size bits
 *   of the ioctl number are ignored; the size field decides.
 * - Pointers are __u64 (use (__u64)(uintptr_t)p); 32-bit callers need no
 *   translation.
 * - Every field named reserved, and every flag bit not defined here, must be
 *   zero; otherwise EINVAL.  Unknown ioctls give ENOTTY.
 *
 * Packages, roles, cipher suites
 * ==============================
 *
 * SECMSG_PKG_RAW: a context imported from a session key the caller already
 * holds (tests, pre-shared keys: see "Pre-shared keys" before using one
 * key twice).  SECMSG_PKG_LOCAL: a context established
 * between two processes of this host (see "Establishing a local context");
 * the kernel generates its session key, which never leaves the kernel.
 * Per direction, the kernel derives an AEAD key and a 12-byte IV with
 * HKDF-SHA256 (RFC 5869):
 *
 *   PRK  = HMAC-SHA256(salt = "secmsg-v1", IKM = session key)
 *          (a FRESH import: salt = "secmsg-v1" || C_I || C_A, see
 *          "Pre-shared keys")
 *   OKM  = HKDF-Expand(PRK, info, L = key length of the suite + 12)
 *   info = "secmsg-v1 initiator" or "secmsg-v1 acceptor" (the SENDER's role,
 *          no NUL) followed by one byte, the suite number
 *   key  = OKM[0 .. keylen), iv = OKM[keylen .. keylen + 12)
 *
 * An initiator and an acceptor imported from the same session key therefore
 * talk to each other, and neither can ever decrypt its own output.
 *
 * Suites and the crypto API names they are requested by (the highest-priority
 * driver is bound; QUERY names it):
 *
 *   SECMSG_SUITE_AES128_GCM         "gcm(aes)", 16-byte key
 *   SECMSG_SUITE_AES256_GCM         "gcm(aes)", 32-byte key
 *   SECMSG_SUITE_CHACHA20_POLY1305  "rfc7539(chacha20,poly1305)", 32-byte key
 *
 * All have a 16-byte tag and a 12-byte nonce:
 *
 *   nonce = iv XOR (4 zero bytes || big-endian 64-bit sequence number)
 *
 * Each direction has one sequence counter shared by SIGN and SEAL, starting at
 * the value given to IMPORT.  Every message takes the next number; a nonce
 * therefore never repeats under a key within one context.  Two contexts
 * imported from one session key can repeat each other's: see "Pre-shared
 * keys".  2^64 - 1 is never sent: a context
 * whose next send number is 2^64 - 1 is ended, and that call and all later
 * ones (of any kind) fail with SECMSG_VERDICT_EXPIRED.
 *
 * Pre-shared keys
 * ===============
 *
 * WARNING: a plain IMPORT derives the keys and IVs from the session key,
 * the role and the suite alone.  Two contexts imported from one session
 * key in the same role (imported twice, again after a restart, on two
 * hosts) seal and sign with the same key and, for equal sequence numbers,
 * the same nonce.  Under AES-GCM one repeated nonce gives away the
 * authentication key (whoever sees both messages can forge any message
 * under that key) and the XOR of the two plaintexts; under
 * ChaCha20-Poly1305 the XOR of the plaintexts and that nonce's one-time
 * Poly1305 key (forgeries under that nonce).  Import a session key without SECMSG_IMPORT_FRESH only
 * once per role for the key's whole life (a key just agreed by a key
 * exchange, say), or with sequence number ranges that never overlap.  A
 * key that is stored and used again, such as a pre-shared key, is safe
 * only with SECMSG_IMPORT_FRESH:
 *
 *   1. IMPORT with SECMSG_IMPORT_FRESH in @flags.  The kernel draws
 *      SECMSG_CONTRIB_SIZE (32) random bytes, this side's contribution,
 *      writes them to @contrib, and returns a context that is not complete
 *      yet: message calls fail with SECMSG_VERDICT_INCOMPLETE_CONTEXT,
 *      QUERY says SECMSG_STATE_INCOMPLETE.
 *   2. The two sides send each other their contributions, by any
 *      transport.
 *   3. COMPLETE on the context (struct secmsg_complete), @in_token pointing
 *      to the peer's contribution and @in_len = SECMSG_CONTRIB_SIZE.  It
 *      returns 0 with @status SECMSG_STATUS_OK, @ctx_flags the flags
 *      granted and @imp_level 0: the context is complete.  Its lifetime
 *      counts from IMPORT.
 *
 * Both sides derive their keys as in "Packages, roles, cipher suites" with
 * the salt
 *
 *   salt = "secmsg-v1" || C_I || C_A        (9 + 32 + 32 = 73 bytes)
 *
 * C_I being the initiator's contribution and C_A the acceptor's, on both
 * sides.  Since every FRESH import draws a contribution of its own, the
 * keys of both its directions are new whatever the peer sends: no (key,
 * nonce) pair repeats across imports.  Contributions are no secret and
 * need no protection: whoever sends one chooses half of the salt only,
 * which without the session key tells it nothing; a changed contribution
 * makes the two sides' keys differ, and every message is then
 * SECMSG_VERDICT_ALTERED.
 *
 * COMPLETE on a raw context fails, with nothing changed, with:
 *   EINVAL       a flag or reserved field set, or the context was
 *                imported without SECMSG_IMPORT_FRESH
 *   EISCONN      complete already (a context takes one contribution)
 *   EMSGSIZE     @in_len is not SECMSG_CONTRIB_SIZE
 *   EFAULT       @in_token cannot be read
 *   EBADMSG      the contribution is this context's own: never a peer's,
 *                but a reflection or a mistake
 *   EKEYEXPIRED  the lifetime is over
 *   EKEYREVOKED  revoked (see "Control plane")
 *   E2BIG, ENOMEM
 * Concurrent COMPLETEs on one context run one after the other: once one
 * has succeeded, the others get EISCONN.
 *
 * Token format (SECMSG_TOKEN_SIZE = 32 bytes, all integers big-endian)
 * ====================================================================
 *
 *   offset size  field
 *    0     2     token id: 0x5301 SIGN (detached signature), 0x5302 WRAP
 *    2     1     flags: 0x01 SENT_BY_ACCEPTOR, 0x02 SEALED (data encrypted)
 *    3     1     cipher suite (SECMSG_SUITE_*)
 *    4     4     reserved, zero
 *    8     8     sequence number
 *   16    16     AEAD tag
 *
 * The first 16 bytes are the header.  Every message is one AEAD operation
 * (nonce as above) whose associated data starts with the header:
 *
 *   SIGN:        AAD = header || every covered DATA buffer, in order
 *                plaintext empty; the tag is the signature.
 *   SEAL:        AAD = header || DATA buffers flagged READONLY_WITH_CHECKSUM,
 *                in order; plaintext = the other covered DATA buffers
 *                concatenated in order, encrypted in place.
 *   SEAL with SECMSG_QOP_WRAP_NO_ENCRYPT (sign-only wrap, SEALED clear):
 *                AAD = header || every covered DATA buffer; plaintext empty.
 *
 * DATA buffers flagged READONLY are not covered at all.  A receiver checks
 * the tag before anything else: any change to the header, the tag, signed
 * data or ciphertext (a wrong token id, direction, suite, reserved byte,
 * sequence number...) is reported as SECMSG_VERDICT_ALTERED.
 *
 * Stream form: a sealed stream is header (16) || data || tag (16), that is
 * SECMSG_STREAM_HEADER_SIZE + data + SECMSG_STREAM_TRAILER_SIZE: the
 * header is byte for byte the token form's first 16 bytes (id 0x5302 WRAP,
 * flags, suite, reserved, sequence number), the trailer its tag, and the
 * AEAD operation the same.  A stream and a token-form message with the
 * same data and number are the same bytes, rearranged.
 *
 * Quality of protection: SIGN takes qop 0 only (anything else is
 * QOP_NOT_SUPPORTED).  SEAL with qop 0 encrypts, and needs a context with
 * CONFIDENTIALITY (QOP_NOT_SUPPORTED otherwise); SEAL with
 * SECMSG_QOP_WRAP_NO_ENCRYPT (a sign-only wrap) works on every context.
 * VERIFY and UNSEAL ignore qop on input and report how the message was
 * protected; UNSEAL accepts both kinds whatever the receiver's flags.
 *
 * Buffers and messages
 * ====================
 *
 * A message is an array of struct secmsg_buffer, as SSPI's SecBufferDesc.
 * Types and flags have SSPI's values.  The buffers each call accepts:
 *
 *   SIGN     one TOKEN (>= 32 bytes; its len is set to 32), DATA*, EMPTY*
 *   VERIFY   one TOKEN (>= 32 bytes, the first 32 are read), DATA*, EMPTY*
 *   SEAL     token form:  one TOKEN (>= 32), DATA*, at most one PADDING
 *                         (its len is set to 0: the suites need none), EMPTY*
 *            stream form: one STREAM_HEADER (>= 16), DATA* (without
 *                         flags), one STREAM_TRAILER (>= 16), EMPTY*; their
 *                         lens are set to 16.  Laid out contiguously, they
 *                         are the stream.
 *   UNSEAL   token form:  as SEAL's token form, decrypted in place
 *            stream form: one STREAM holding a whole sealed stream, one
 *                         DATA (input ptr and len ignored) that is set to
 *                         point at the data inside the stream, EMPTY*.
 *                         Plaintext is written in place inside the stream.
 *
 * Any other layout, buffers that overlap, an unknown type or flag, or a
 * STREAM_HEADER, STREAM_TRAILER or STREAM in a call that does not take it
 * gives EINVAL.  For overlap, a TOKEN, STREAM_HEADER or STREAM_TRAILER
 * counts with the bytes the call uses of it (32, 16, 16), a READONLY DATA
 * buffer with its whole length (it is promised to stay untouched, so it
 * may not lie inside a buffer the call writes), EMPTY buffers and the
 * UNSEAL stream form's DATA not at all.  DATA buffers flagged READONLY_WITH_CHECKSUM are signed and
 * never written; READONLY ones are neither read nor written.  At most
 * SECMSG_MAX_BUFFERS buffers (EINVAL) and SECMSG_MAX_MESSAGE bytes of
 * covered data per message, of which at most SECMSG_MAX_SIGNED may be
 * signed only (SIGN and VERIFY data, READONLY_WITH_CHECKSUM buffers, the
 * data of a sign-only wrap); beyond either, EMSGSIZE.  (Drivers such as
 * AES-NI GCM need the associated data in one linear piece.)  A pointer
 * that cannot be read or written gives EFAULT.  A struct size above the
 * page size gives E2BIG.
 *
 * Results and verdicts
 * ====================
 *
 * A single-message ioctl returns 0 on success and writes back the message's
 * out fields and the buffers' lens (and, for UNSEAL stream form, the DATA
 * buffer's ptr).  A message that was well formed but failed gets a verdict:
 * the ioctl fails with the errno listed below and still writes back the
 * message's out fields (verdict, error, needed, index), never the buffers.
 *
 * Any other errno (EINVAL, E2BIG, EMSGSIZE, EFAULT, ENOMEM, ...) means the
 * call did nothing at all: no sequence number used, no replay window
 * moved, no counter changed, and no byte written, in the buffers, the
 * buffer array or the message struct.  A caller may retry it as it was.
 * To make that hold, a call checks, in this order, stopping at the first
 * failure:
 *
 *   1. the message struct can be read and its out fields (qop to index)
 *      written, the buffer array read (EFAULT); struct, flags and layout
 *      rules (EINVAL, E2BIG, EMSGSIZE; a buffer that wraps the address
 *      space, EFAULT);
 *   2. the context: INCOMPLETE_CONTEXT (decided before the buffer array
 *      is read), REVOKED, EXPIRED;
 *   3. the message's shape: QOP_NOT_SUPPORTED, then BUFFER_TOO_SMALL,
 *      BAD_TOKEN or INCOMPLETE_MESSAGE;
 *   4. memory: every byte the call may read must be readable, and every
 *      byte it may write writable (EFAULT), or ENOMEM.  The pages are
 *      pinned until the call ends, so a racing munmap() or mprotect()
 *      cannot make a later write-back fail;
 *   5. the operation, with its verdicts (ALTERED, REPLAYED, TOO_OLD,
 *      OUT_OF_SEQUENCE; EXPIRED when the send sequence space is used up).
 *      A sign-only wrap larger than SECMSG_MAX_SIGNED is known to be one
 *      only here, from its token: EMSGSIZE, with nothing done.
 *
 * The verdicts of steps 2 and 3 therefore win over an EFAULT of step 4,
 * and an EFAULT of step 4 wins over every verdict of step 5: an altered or
 * replayed message in memory the call cannot write gives EFAULT, and is
 * not counted.  From step 5 on, a result is always delivered.
 *
 * The bytes a call may write: SIGN, SEAL: the TOKEN's first 32 bytes (or
 * the first 16 of STREAM_HEADER and STREAM_TRAILER) and the buffer array;
 * SEAL with qop 0: also its DATA buffers without flags; UNSEAL: its DATA
 * buffers without flags (token form) or its STREAM (stream form, and then
 * the buffer array), whether or not the message turns out to be
 * encrypted.  They must be writable even when a call ends up not writing
 * them.
 *
 * Sequence numbers: SEAL and SIGN take theirs in step 5, so a call that
 * fails before, with any errno or verdict, uses none, and the next message
 * gets the number it would have had.  The one exception is an
 * asynchronous crypto driver that fails an operation after its number was
 * taken (the kernel's software ciphers never do): the number is given
 * back, unless another call has taken the next one meanwhile; then it
 * stays unused, and a peer with SEQUENCE_DETECT sees OUT_OF_SEQUENCE.
 *
 * The verdicts:
 *
 *   verdict                       errno        meaning
 *   SECMSG_VERDICT_OK             0
 *   SECMSG_VERDICT_ALTERED        EBADMSG      tag check failed
 *   SECMSG_VERDICT_REPLAYED       EALREADY     seen before, inside the window
 *   SECMSG_VERDICT_TOO_OLD        ESTALE       below the replay window, or
 *                                              below the initial number
 *   SECMSG_VERDICT_OUT_OF_SEQUENCE EILSEQ      SEQUENCE_DETECT: not the next
 *                                              expected number (gap or late)
 *   SECMSG_VERDICT_EXPIRED        EKEYEXPIRED  lifetime over or sequence
 *                                              space exhausted
 *   SECMSG_VERDICT_BAD_TOKEN      EPROTO       token shorter than 32 bytes
 *   SECMSG_VERDICT_BUFFER_TOO_SMALL ENOBUFS    buffer @index must hold
 *                                              @needed bytes
 *   SECMSG_VERDICT_INCOMPLETE_MESSAGE ENODATA  stream shorter than
 *                                              header + trailer (@needed)
 *   SECMSG_VERDICT_QOP_NOT_SUPPORTED EOPNOTSUPP unknown qop, or sealing
 *                                              without CONFIDENTIALITY
 *   SECMSG_VERDICT_INCOMPLETE_CONTEXT ENOTCONN  the context is not
 *                                              established yet (a local
 *                                              initiator, or a FRESH
 *                                              import, before COMPLETE)
 *   SECMSG_VERDICT_REVOKED        EKEYREVOKED  revoked by its owner or an
 *                                              administrator (see "Control
 *                                              plane"); final
 *
 * INCOMPLETE_CONTEXT is decided before the buffers are read: a message
 * struct that is itself well formed gets it, whatever its buffers.
 *
 * A failed VERIFY or UNSEAL releases no plaintext, leaves every buffer and
 * the replay window exactly as they were, and is counted (QUERY counters).
 *
 * Replay window (receive side)
 * ============================
 *
 * With SECMSG_CTX_REPLAY_DETECT the kernel keeps a bitmap of the last W
 * sequence numbers below the highest accepted one, H.  W is the context's
 * window (QUERY replay_window): the module's setting when the context was
 * created, SECMSG_REPLAY_WINDOW (1024) unless configured otherwise (a
 * power of two from SECMSG_REPLAY_WINDOW_MIN to _MAX).  A number n (after
 * its tag verified) is:
 *   - accepted if n > H, or if H - n < W and n was not seen;
 *   - REPLAYED if H - n < W and n was seen;
 *   - TOO_OLD if H - n >= W, or n is below the initial receive number
 *     (whether n was seen or not: below the window, nobody can tell).
 * With SECMSG_CTX_SEQUENCE_DETECT as well, only n == H + 1 (the initial
 * number first) is accepted; a seen number is REPLAYED, numbers below the
 * window TOO_OLD, anything else OUT_OF_SEQUENCE.  SEQUENCE_DETECT without
 * REPLAY_DETECT checks the same (strict order implies no replay); the
 * granted flags still show only what was asked.  Only accepted messages
 * change the window, and only in step 5 above: a call that fails otherwise
 * leaves it as it was.  Without either flag, sequence numbers are not
 * checked.
 *
 * Establishing a local context (SECMSG_PKG_LOCAL)
 * ===============================================
 *
 * SSPI's InitializeSecurityContext / AcceptSecurityContext loop between two
 * processes of this host, with the kernel vouching for both identities:
 *
 *   client: INIT on /dev/secmsg (struct secmsg_init), naming a target and
 *           the flags it requests.  Returns a new context fd, role
 *           initiator, not yet complete (message calls on it fail with
 *           SECMSG_VERDICT_INCOMPLETE_CONTEXT, QUERY says
 *           SECMSG_STATE_INCOMPLETE), status SECMSG_STATUS_CONTINUE_NEEDED,
 *           and an init token to send to the server by any transport.
 *   server: ACCEPT on /dev/secmsg (struct secmsg_accept) with that token.
 *           Returns a complete context fd, role acceptor, status
 *           SECMSG_STATUS_OK, and a reply token for the client.
 *   client: COMPLETE on its context fd (struct secmsg_complete) with the
 *           reply token.  Status SECMSG_STATUS_OK: the context is complete.
 *
 * Target: SECMSG_TARGET_UID names a user id (in the client's user
 * namespace).  Only a caller of ACCEPT whose effective uid is that user
 * may accept; anyone else gets EACCES and the token stays valid for the
 * right server.  (Other target types, such as a registered service name,
 * may follow.)
 *
 * Identities: INIT records the calling task's credentials (uids, gids,
 * supplementary groups, user namespace), LSM context and process; ACCEPT
 * records the server's.  Each context keeps both: QUERY reports them
 * (numbers as seen from the querying task's namespaces), and the client
 * learns the server's identity at COMPLETE (mutual authentication: only
 * the named target can have accepted).
 *
 * As for SO_PEERCRED and open(2), credentials are captured when the
 * context is created, and the context is a capability: whoever holds the
 * fd (a child, a process it was passed to, the same process after it
 * changed its ids) uses it with the identity recorded.  The identity is
 * the effective one: a set-user-ID program that calls INIT and then drops
 * its privilege, or hands the fd to its caller, gives away a context that
 * the server sees, and impersonates, as the program's effective user.  A
 * set-user-ID program that means to speak for its caller drops privilege
 * before INIT.  A server can tell such a client: struct secmsg_identity
 * has SECMSG_ID_SETID in its flags (real or saved ids other than the
 * effective ones when recorded) and the real uid in @ruid.
 *
 * Granted flags: the requested flags of SECMSG_INIT_CTX_FLAGS, plus
 * INTEGRITY always, plus SECMSG_CTX_IDENTIFY at level IDENTIFY and
 * SECMSG_CTX_DELEGATE at level DELEGATE.  Both contexts get the same flags,
 * impersonation level, suite and lifetime (counted from INIT), and start
 * both directions at sequence number 0.
 *
 * Tokens (SECMSG_LOCAL_TOKEN_SIZE = 64 bytes, big-endian, opaque to users)
 *
 *   offset size  field
 *    0     2     token id: 0x5310 INIT, 0x5311 REPLY
 *    2     1     version, 1
 *    3     5     reserved, zero
 *    8    16     handle: 128 random bits naming the pending establishment
 *   24     8     expiry, CLOCK_BOOTTIME nanoseconds
 *   32    32     HMAC-SHA256 of bytes 0..31 under a random key the module
 *                draws when it loads
 *
 * Tokens are good for SECMSG_LOCAL_TOKEN_LIFETIME (5) seconds from INIT
 * (the reply token: from ACCEPT), for one use, and only on the module
 * instance that issued them.  A token is refused, with nothing created and
 * nothing changed, with:
 *
 *   EMSGSIZE     its length is not SECMSG_LOCAL_TOKEN_SIZE (truncated)
 *   EBADMSG      its MAC, id, version or reserved bytes are wrong (garbled,
 *                forged, from another module instance, or a reply token
 *                given to ACCEPT / an init token given to COMPLETE)
 *   EKEYEXPIRED  its lifetime is over
 *   EALREADY     already used, or its initiator context was closed (its
 *                last fd: a kernel consumer's reference, see
 *                secmsg_kctx_from_fd(), keeps the context but not its
 *                establishment, which stays incomplete), or (for
 *                COMPLETE) it was issued for another context
 *   EACCES       ACCEPT: the caller is not the client's target
 * and for COMPLETE on a context that is complete already, EISCONN.  The
 * contexts' lifetime runs from INIT: once it is over, ACCEPT (after the
 * target check) and COMPLETE fail with EKEYEXPIRED, as every later call
 * on either context does.
 *
 * Kerberos contexts (SECMSG_PKG_KERBEROS, SECMSG_PKG_NEGOTIATE)
 * =============================================================
 *
 * A Kerberos context is established in user space (MIT GSSAPI, through
 * libsecmsg: sm_init_context(3) with the "kerberos" or "negotiate"
 * package), then handed to the kernel with IMPORT_KRB5 on /dev/secmsg,
 * from the fields of the established context's lucid export
 * (gss_krb5_export_lucid_sec_context(), version 1, RFC 4121 "CFX"
 * contexts only).  The importer wipes its copies afterwards; from then on
 * the keys exist only in the kernel.  Per-message tokens are RFC 4121
 * MIC and Wrap tokens, which a peer that uses plain GSSAPI (MIT, Heimdal)
 * or Windows' Kerberos provider reads and writes: see "Kerberos tokens".
 * NEGOTIATE differs from KERBEROS only in the package QUERY reports.
 *
 * Enctypes (RFC 3961 numbers; QUERY's @suite reports the enctype of a
 * Kerberos context, and @algorithm the crypto API names):
 *
 *   SECMSG_KRB5_AES128_CTS_HMAC_SHA1_96      17  RFC 3962, 16-byte key
 *   SECMSG_KRB5_AES256_CTS_HMAC_SHA1_96      18  RFC 3962, 32-byte key
 *   SECMSG_KRB5_AES128_CTS_HMAC_SHA256_128   19  RFC 8009, 16-byte key
 *   SECMSG_KRB5_AES256_CTS_HMAC_SHA384_192   20  RFC 8009, 32-byte key
 *   SECMSG_KRB5_CAMELLIA128_CTS_CMAC         25  RFC 6803, 16-byte key
 *   SECMSG_KRB5_CAMELLIA256_CTS_CMAC         26  RFC 6803, 32-byte key
 *
 * Any other enctype (des3, rc4, ...) gives EPROTONOSUPPORT, and one the
 * crypto API cannot serve ENOENT (25 and 26 on a kernel without
 * "cts(cbc(camellia))" and "cmac(camellia)": CONFIG_CRYPTO_CAMELLIA,
 * CONFIG_CRYPTO_CTS, CONFIG_CRYPTO_CMAC).  The kernel derives the
 * per-usage keys itself (RFC 3961 DK, RFC 8009 KDF-HMAC-SHA2, RFC 6803
 * KDF-FEEDBACK-CMAC) from @key, which is the acceptor subkey when
 * SECMSG_KRB5_ACCEPTOR_SUBKEY is set (the lucid export's
 * have_acceptor_subkey: tokens then carry the AcceptorSubkey flag), else
 * the context key (the initiator's subkey or the session key).
 *
 * Sequence numbers: @send_seq is the first number this side sends, and
 * @recv_seq the peer's initial number, as the lucid export gives them.
 * The lucid export does not say which of the peer's numbers were already
 * received while the context was being established; the kernel's window
 * starts at @recv_seq, so a token the peer sent before the import and
 * the importer already processed is accepted once more.  libsecmsg
 * therefore processes no message token before the import.
 *
 * Identity: the kernel cannot check a Kerberos identity.  An acceptor's
 * importer asserts the local account its client maps to (@peer_uid,
 * @peer_gid, @peer_groups: what krb5_aname_to_localname(3) and the
 * account database say), or SECMSG_NO_ID when the client maps to none;
 * QUERY reports it with SECMSG_ID_ASSERTED, and the importing process as
 * the context's creator.  Any process may import such a context: the
 * assertion gives no power, because IMPERSONATE keeps its rule (the thread
 * may already act as that account, or holds CAP_SETUID and CAP_SETGID;
 * see "Impersonation"), and the principal names are reported as given.
 *
 * Lifetime: the context expires at @endtime (the ticket's end), or
 * earlier at the module's max_lifetime from the import.
 *
 * IMPERSONATE on a Kerberos acceptor context (see "Impersonation") takes
 * the asserted account as the client: effective, filesystem, real and
 * saved uids and gids @peer_uid and @peer_gid (the overflow gid when
 * @peer_gid is SECMSG_NO_ID), the groups @peer_groups, and no
 * capability, with the same rule as for a local client.
 *
 * Delegation.  An acceptor whose client delegated its credentials
 * (@imp_level SECMSG_IMP_DELEGATE, SECMSG_CTX_DELEGATE granted, an
 * account asserted) may hand them to the kernel with the import:
 * @deleg_princ and @deleg_creds (struct secmsg_krb5_import, VER1).  The
 * kernel keeps them for the context, in no process's keyrings, laid out
 * as MIT krb5's KEYRING credential cache type reads a cache collection
 * named "secmsg": a keyring "_krb_secmsg" holding the user key
 * "krb_ccache:primary" (payload: be32 1, be32 6, "secmsg") and the cache
 * keyring "secmsg", which holds the user key "__krb5_princ__" (payload:
 * @deleg_princ) and one user key per credential (description: its
 * @desc; payload: its @data).  The kernel does not parse the bytes;
 * their format is MIT's credential cache version 4 (a principal, and a
 * credential, as krb5_marshal_credentials() writes one), and @desc is
 * the credential's server principal, unparsed.
 *
 * IMPERSONATE on such a context links the collection into the
 * impersonation's thread keyring (see "Impersonation"): in that thread,
 * and only there, "KEYRING:thread:secmsg" is then the client's
 * credential cache, so that GSSAPI pointed at it (libsecmsg's
 * sm_impersonate() does so) authenticates to further services as the
 * client.  REVERT unlinks it, whatever REVERT returns (ESTALE too).
 * Threads and processes the thread creates do not inherit it (the
 * kernel gives them a new thread keyring, or none).  Permissions are
 * the possessor's only: view, read and search; write on the cache
 * keyring too, so that the thread may add the service tickets it
 * obtains (they stay with the context for its later impersonations);
 * no key may be linked elsewhere or have its attributes changed.  The
 * keys expire with the context (their timeout is its lifetime); closing
 * its last fd, and its revocation, revoke them, which frees and wipes
 * their payloads.  A thread that reads them while impersonating has the
 * client's ticket-granting ticket in its memory: as with any
 * delegation, the server is trusted with it while it acts for the
 * client.
 *
 * Kerberos tokens (RFC 4121)
 * ==========================
 *
 * Integers big-endian; h is the enctype's checksum length: 12 for
 * enctypes 17 and 18, 16 for 19, 24 for 20, 16 for 25 and 26.  Every token starts with a
 * 16-byte header:
 *
 *   offset size  field
 *    0     2     token id: 04 04 MIC (SIGN), 05 04 Wrap (SEAL)
 *    2     1     flags: 0x01 SentByAcceptor (set by an acceptor),
 *                0x02 Sealed (Wrap, encrypted), 0x04 AcceptorSubkey (set
 *                when imported with SECMSG_KRB5_ACCEPTOR_SUBKEY)
 *    3     5     MIC: FF FF FF FF FF
 *    3     1     Wrap: FF
 *    4     2     Wrap: EC, the "extra count"
 *    6     2     Wrap: RRC, the "right rotation count"
 *    8     8     sequence number (SND_SEQ)
 *
 * Keys: the enctype's per-usage keys of the imported key (RFC 3961 DK,
 * RFC 8009 KDF or RFC 6803 KDF, derived by the kernel): usage 24 (initiator seal) and 25
 * (initiator sign) for the initiator's tokens, 22 and 23 for the
 * acceptor's; Ke and Ki of the seal usage encrypt Wrap tokens; Kc of the
 * sign usage checksums MIC tokens, Kc of the seal usage sign-only Wrap
 * tokens.  E(P) below is the enctype's encryption of P with a fresh
 * random 16-byte confounder, C || H (RFC 3962 / RFC 8009 / RFC 6803),
 * 16 + |P| + h bytes; CK(P) is the truncated HMAC (25, 26: the CMAC), h
 * bytes.
 *
 * SIGN (MakeSignature), buffers: one TOKEN (>= 16 + h), DATA*, EMPTY*.
 * TOKEN receives 16 + h bytes, the MIC token:
 *
 *   header(04 04) || CK(covered DATA in order || header)
 *
 * VERIFY: TOKEN (at least 16 + h bytes; the first 16 + h are read) and
 * the DATA the MIC covers.
 *
 * SEAL (EncryptMessage) with qop 0, a context with CONFIDENTIALITY:
 *
 *   W = E(data || header'), header' the header with EC 0 and RRC 0
 *
 *   token form, TOKEN (>= 48 + h), DATA*, PADDING?, EMPTY*: the token
 *   is sent as gss_wrap_iov without a trailer sends it, EC 0 and RRC =
 *   16 + h, and as Windows' Kerberos provider reads it:
 *     TOKEN   = header(EC 0, RRC 16 + h) || W[16 + n ..] (the last cipher
 *               block and H: 16 + h bytes) || W[0 .. 16) (confounder)
 *     DATA    = W[16 .. 16 + n), in place (n: the DATA bytes)
 *     PADDING = length set to 0
 *   so TOKEN || DATA is the token rotated by RRC (SIZES.cbSecurityTrailer
 *   is 48 + h: 60 for the sha1 enctypes).  EC 0 (Windows' own sealed
 *   tokens have EC 16 and rotate by RRC + EC) is read alike by MIT's
 *   gss_unwrap_iov, DCE style or not, and by Windows, which rotates by
 *   RRC + EC = RRC.
 *
 *   DATA flagged READONLY_WITH_CHECKSUM is GSSAPI's SIGN_ONLY: it does
 *   not travel in the token (the caller sends it as it is) but the tag
 *   covers it where it lies, as gss_wrap_iov's krb5_c_encrypt_iov does:
 *   the cipher runs over conf || the DATA buffers without flags, in
 *   order || header', the tag over conf || every covered DATA buffer in
 *   order || header' (sha1 and camellia enctypes: plaintext; sha2:
 *   ciphertext, the signed-only bytes as they are, behind the zero IV).
 *   TOKEN and the encrypted DATA are as above, with n the encrypted
 *   bytes.
 *
 *   stream form, STREAM_HEADER (>= 32), DATA*, STREAM_TRAILER (>= 16 + h),
 *   EMPTY*: gss_wrap's token, EC 0, RRC 0:
 *     STREAM_HEADER  = header(EC 0, RRC 0) || W[0 .. 16)     (32 bytes)
 *     DATA           = W[16 .. 16 + n), in place
 *     STREAM_TRAILER = W[16 + n ..]                          (16 + h)
 *
 * SEAL with SECMSG_QOP_WRAP_NO_ENCRYPT (any context), data = every
 * covered DATA buffer (READONLY_WITH_CHECKSUM included) in order, never
 * written:
 *
 *   token form: TOKEN = header(EC h, RRC h) || CK(data || header0),
 *               header0 the header with EC 0 and RRC 0 (16 + h bytes)
 *   stream form: STREAM_HEADER = header(EC h, RRC 0) (16 bytes),
 *               STREAM_TRAILER = CK(data || header0) (h bytes)
 *
 * UNSEAL (DecryptMessage):
 *
 *   token form, TOKEN, DATA*, PADDING?, EMPTY*: the token is TOKEN's
 *   bytes (at most 64 + h: header, a rotated part and the confounder;
 *   longer is BAD_TOKEN) followed by the DATA buffers' in order (for a
 *   sealed token, those without flags: READONLY_WITH_CHECKSUM ones are
 *   signed only and are checked as SEAL describes).  The decrypted data
 *   must be exactly as long as those buffers (BAD_TOKEN otherwise) and
 *   is written into them; a sign-only wrap's data must be the DATA
 *   buffers' bytes (BAD_TOKEN otherwise) and nothing is written.
 *
 *   stream form, STREAM holding a whole token, DATA: the data is written
 *   at byte 16 of the stream (in place; the rest of the stream is left
 *   as it was) and DATA set to point at it.
 *
 *   Any EC and RRC are accepted: the body after the header is rotated
 *   left by RRC (modulo its length).  A sealed token with both EC and RRC
 *   non-zero is also tried rotated by RRC + EC, the way Windows sends
 *   them (MS-KILE 3.4.5.4.1: EC 16, RRC 28); a sign-only token with a
 *   non-zero RRC likewise.  After the tag: a sealed token's decrypted
 *   header copy must equal the header but for RRC (EC included), a
 *   sign-only token's EC must be h, else ALTERED.  The token id, the
 *   SentByAcceptor flag (a token of our own direction) and the filler
 *   bytes are checked first (ALTERED); the AcceptorSubkey flag and
 *   unknown flags are not (as MIT: a wrong key fails the tag anyway).
 *   RRC itself is covered by nothing (RFC 4121): an RRC that rotates the
 *   same modulo the body's length is the same token.
 *
 * Sequence numbers, replay window and verdicts are as for every package:
 * the number is taken from the header only once the tag verified.  MIT's
 * receive states map as: DUPLICATE -> REPLAYED, OLD -> TOO_OLD, UNSEQ and
 * GAP -> OUT_OF_SEQUENCE (with SEQUENCE_DETECT).  The sizes QUERY
 * reports: max_signature 16 + h, security_trailer 48 + h, stream_header
 * 32, stream_trailer 16 + h, block_size 1.
 *
 * Impersonation (ImpersonateSecurityContext / RevertSecurityContext)
 *
 * IMPERSONATE on a local acceptor context switches the calling thread,
 * and only that thread, to the client's identity as INIT recorded it:
 * effective and filesystem uid and gid become the client's effective and
 * filesystem ids, the supplementary groups the client's groups, and the
 * capability sets (effective, permitted, inheritable, ambient, bounding)
 * the intersection of the client's and the thread's own when both are in
 * the same user namespace, empty otherwise.  The real and saved ids, the
 * user namespace, the LSM context, the securebits and the process and
 * session keyrings stay the thread's own (as with seteuid(2)).  The
 * thread keyring is replaced by an empty one of the impersonation's
 * (KEY_SPEC_THREAD_KEYRING, an MIT "KEYRING:thread:" ccache): the thread
 * may search, read and add keys there, not link it elsewhere; REVERT
 * gives the thread its own back, and what it added goes.  (A process or
 * session keyring the kernel creates for the thread meanwhile, on the
 * first use of one where there was none, is a change of credentials.)
 * As with any change of effective id, the process becomes non-dumpable
 * per fs.suid_dumpable and its parent-death signal is cleared; REVERT
 * does not undo either.
 * Impersonation confines what the thread does as the client (file access,
 * ownership, identity checks); it is not a sandbox against the server's
 * own code: with its real and saved ids the thread could seteuid(2) back.
 * The real and saved ids stay the server's on purpose (signals, resource
 * limits and the ownership of the process stay the server's, and the
 * client gains no right to signal or trace it), and so:
 *   - access(2) and faccessat(2) without AT_EACCESS check the real ids:
 *     the server's, with the impersonation's capabilities (for a root
 *     server, root's ids; a file only the client may read gives EACCES).
 *     Check as the client with faccessat2(2) and AT_EACCESS, or by open(2);
 *   - threads and processes the thread creates (clone(2), fork(2)) start
 *     with its credentials, the client's effective ids and the server's
 *     real and saved ids, but with no impersonation of their own: REVERT
 *     in them gives ENOENT and changes nothing;
 *   - execve(2), in the thread or in such a child, computes the program's
 *     credentials from these as for any process: with a real uid 0 the
 *     program starts with every capability of the bounding set permitted
 *     (none effective) and may setuid(0), although its effective uid is
 *     the client's.  An execve(2) ends every impersonation of the
 *     process: REVERT in the new program restores nothing (ESTALE, or
 *     ENOENT if only threads other than the main one impersonated).
 *
 * It is allowed when all of these hold, checked in this order:
 *   - the fd is a local acceptor context, or a Kerberos acceptor context
 *     (EINVAL otherwise), complete
 *     (ENOTCONN), not revoked (EKEYREVOKED), not expired (EKEYEXPIRED);
 *   - the client granted SECMSG_IMP_IMPERSONATE or SECMSG_IMP_DELEGATE
 *     (EACCES: ANONYMOUS and IDENTIFY allow queries only), and, for a
 *     Kerberos context, its importer asserted an account (EACCES when
 *     @peer_uid was SECMSG_NO_ID: the client is nobody here);
 *   - the thread holds CAP_SETUID and CAP_SETGID over the client's user
 *     namespace, or already is the client: same effective and filesystem
 *     uid and gid, and every group of the client is one of its own
 *     (EPERM otherwise);
 *   - the thread is not impersonating already (EBUSY).
 * Refused, it changes nothing.  ENOMEM is possible (or an LSM's refusal
 * of the impersonation's thread keyring), also with nothing changed.
 * On a Kerberos context holding delegated credentials, the thread keyring
 * also holds the client's credential cache (see "Kerberos contexts",
 * Delegation).
 *
 * REVERT, on any context fd or on /dev/secmsg, restores the thread's
 * credentials exactly as they were before IMPERSONATE (the same
 * credentials object: ids, groups, capabilities, keyrings, LSM context),
 * provided the thread still has the credentials IMPERSONATE gave it: the
 * same, or a copy equal in every field (ids, groups, capability sets,
 * securebits, keyrings, user namespace, LSM and Landlock state), as the
 * kernel commits for some calls that change nothing (setreuid(2) with
 * -1, -1; capset(2) or prctl(PR_SET_KEEPCAPS) of what the thread has).
 * Errors: ENOENT if the thread is not impersonating (another thread's
 * impersonation is never touched); ESTALE if the thread changed its
 * credentials since IMPERSONATE (seteuid(2) back to its real uid,
 * setgroups(2), capset(2) dropping a capability, an LSM or Landlock
 * restriction, ...) or executed a program.  Then nothing is restored and
 * the thread is no longer impersonating: it keeps its credentials as
 * they are now, which are the impersonation's as changed (after
 * seteuid(0), for instance: effective uid 0, but still the client's
 * groups and gids and only the impersonation's capabilities).  A thread
 * whose REVERT fails must not go on serving.
 *
 * An impersonation belongs to the thread, not to the fd: closing the
 * context (or its expiry, or its revocation) leaves the thread
 * impersonating until it reverts, through /dev/secmsg if it has no
 * context fd left.  An impersonation keeps the module loaded until its
 * thread reverts (whatever REVERT returns) or exits: delete_module(2)
 * fails with EWOULDBLOCK meanwhile, as while a context is open.  A thread
 * that exits while impersonating takes its credentials with it; the
 * module forgets the saved ones, and lets go, within about a second,
 * without any further call.
 */
#ifndef _UAPI_LINUX_SECMSG_H
#define _UAPI_LINUX_SECMSG_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define SECMSG_DEVICE_PATH		"/dev/secmsg"
/*
 * The device is char 10:SECMSG_MISC_MINOR (misc); where the module is
 * installed, the node exists before it is loaded and opening it loads it.
 * The minor is one of those devices.txt reserves for local use (243-254):
 * no kernel assigns it to a driver or hands it out dynamically.
 */
#define SECMSG_MISC_MINOR		249
#define SECMSG_VERSION			1

/* Packages (how a context was established) */
#define SECMSG_PKG_LOCAL		1
#define SECMSG_PKG_RAW			2
#define SECMSG_PKG_KERBEROS		3	/* Kerberos V5 (RFC 4121) */
#define SECMSG_PKG_NEGOTIATE		4	/* the same, behind SPNEGO */

/* Roles */
#define SECMSG_ROLE_INITIATOR		1
#define SECMSG_ROLE_ACCEPTOR		2

/* Cipher suites */
#define SECMSG_SUITE_AES128_GCM		1
#define SECMSG_SUITE_AES256_GCM		2
#define SECMSG_SUITE_CHACHA20_POLY1305	3

/* Context flags: the values of SSPI's ISC_REQ_* / ISC_RET_* bits. */
#define SECMSG_CTX_DELEGATE		0x00000001u	/* granted: level DELEGATE */
#define SECMSG_CTX_MUTUAL_AUTH		0x00000002u	/* local only */
#define SECMSG_CTX_REPLAY_DETECT	0x00000004u
#define SECMSG_CTX_SEQUENCE_DETECT	0x00000008u
#define SECMSG_CTX_CONFIDENTIALITY	0x00000010u
#define SECMSG_CTX_INTEGRITY		0x00010000u	/* always granted */
#define SECMSG_CTX_IDENTIFY		0x00020000u	/* granted: level IDENTIFY */

/* Flags INIT accepts in struct secmsg_init.ctx_flags */
#define SECMSG_INIT_CTX_FLAGS	(SECMSG_CTX_MUTUAL_AUTH | \
				 SECMSG_CTX_REPLAY_DETECT | \
				 SECMSG_CTX_SEQUENCE_DETECT | \
				 SECMSG_CTX_CONFIDENTIALITY | \
				 SECMSG_CTX_INTEGRITY)

/* Impersonation levels (SSPI's SECURITY_IMPERSONATION_LEVEL order) */
#define SECMSG_IMP_ANONYMOUS		1	/* the server learns nothing */
#define SECMSG_IMP_IDENTIFY		2	/* queries only (the default) */
#define SECMSG_IMP_IMPERSONATE		3	/* may act as the client here */
#define SECMSG_IMP_DELEGATE		4	/* ... and pass that on */

/* Targets of INIT */
#define SECMSG_TARGET_UID		1

/* Establishment status (SSPI's SEC_E_OK, SEC_I_CONTINUE_NEEDED) */
#define SECMSG_STATUS_OK		0
#define SECMSG_STATUS_CONTINUE_NEEDED	1

/* Local establishment tokens */
#define SECMSG_LOCAL_TOKEN_SIZE		64	/* SIZES.cbMaxToken */
#define SECMSG_LOCAL_TOKEN_LIFETIME	5	/* seconds */
#define SECMSG_TOK_LOCAL_INIT		0x5310
#define SECMSG_TOK_LOCAL_REPLY		0x5311

/* Sizes */
#define SECMSG_TOKEN_SIZE		32	/* SIZES.cbMaxSignature, cbSecurityTrailer */
#define SECMSG_STREAM_HEADER_SIZE	16
#define SECMSG_STREAM_TRAILER_SIZE	16
#define SECMSG_BLOCK_SIZE		1
#define SECMSG_MAX_BUFFERS		16
#define SECMSG_MAX_MESSAGE		(16u << 20)	/* covered bytes per message */
#define SECMSG_MAX_SIGNED		(1u << 20)	/* of which signed only */
#define SECMSG_MAX_BATCH		1024	/* messages per BATCH call */
/*
 * What a context keeps for its message calls (QUERY's kept): at most
 * this many bytes.  A context that has run a message keeps its work area
 * (one page) and the buffers its calls needed, grown to the largest
 * message it ran: about that message's size for secmsg-v1 (raw and local
 * contexts; plus a linear copy of signed-only data), up to three times it
 * for an RFC 4121 UNSEAL, plus page tables of about 1/64 of that.  So a
 * context's next message of the same or a smaller size allocates nothing
 * (SIGN, VERIFY, SEAL, UNSEAL, BATCH and their io_uring requests alike);
 * a call that runs while another call on the same context is running
 * allocates a work area of its own for its duration.
 * A context that ran no message for between one and two idle periods
 * (the module parameter idle_release_ms, 1000 by default; 0 keeps it until
 * the last descriptor is closed) frees it all, wiped, and keeps 0.
 */
#define SECMSG_MAX_KEPT			(3ull * SECMSG_MAX_MESSAGE + (2u << 20))
#define SECMSG_REPLAY_WINDOW		1024	/* the default window */
#define SECMSG_REPLAY_WINDOW_MIN	64
#define SECMSG_REPLAY_WINDOW_MAX	4096
#define SECMSG_CONTRIB_SIZE		32	/* a FRESH import's contribution */
#define SECMSG_KEY_MIN			16	/* session key bytes for IMPORT */
#define SECMSG_KEY_MAX			64
#define SECMSG_NAME_MAX			128	/* crypto API name, with NUL */

/* Token ids and flags (see "Token format") */
#define SECMSG_TOK_SIGN			0x5301
#define SECMSG_TOK_WRAP			0x5302
#define SECMSG_TOK_FLAG_SENT_BY_ACCEPTOR 0x01
#define SECMSG_TOK_FLAG_SEALED		0x02

/* Buffer types: SSPI's SECBUFFER_* values */
#define SECMSG_BUF_EMPTY		0
#define SECMSG_BUF_DATA			1
#define SECMSG_BUF_TOKEN		2
#define SECMSG_BUF_STREAM_TRAILER	6
#define SECMSG_BUF_STREAM_HEADER	7
#define SECMSG_BUF_PADDING		9
#define SECMSG_BUF_STREAM		10

/* Buffer flags: SSPI's SECBUFFER_READONLY* values */
#define SECMSG_BUF_READONLY		0x80000000u	/* not covered */
#define SECMSG_BUF_READONLY_WITH_CHECKSUM 0x10000000u	/* signed, not encrypted */

/* Quality of protection */
#define SECMSG_QOP_DEFAULT		0
#define SECMSG_QOP_WRAP_NO_ENCRYPT	0x80000001u	/* SECQOP_WRAP_NO_ENCRYPT */

/* Verdicts (struct secmsg_message.verdict); errno in the table above */
#define SECMSG_VERDICT_OK			0
#define SECMSG_VERDICT_ALTERED			1
#define SECMSG_VERDICT_REPLAYED			2
#define SECMSG_VERDICT_TOO_OLD			3
#define SECMSG_VERDICT_OUT_OF_SEQUENCE		4
#define SECMSG_VERDICT_EXPIRED			5
#define SECMSG_VERDICT_BAD_TOKEN		6
#define SECMSG_VERDICT_BUFFER_TOO_SMALL		7
#define SECMSG_VERDICT_INCOMPLETE_MESSAGE	8
#define SECMSG_VERDICT_QOP_NOT_SUPPORTED	9
#define SECMSG_VERDICT_INCOMPLETE_CONTEXT	10
#define SECMSG_VERDICT_REVOKED			11
#define SECMSG_VERDICT_MAX			11

/* struct secmsg_import.flags */
#define SECMSG_IMPORT_FRESH		0x1	/* see "Pre-shared keys" */

/**
 * struct secmsg_import - create a context from a session key (IMPORT)
 * @size:      sizeof(struct secmsg_import)
 * @flags:     0, or SECMSG_IMPORT_FRESH (see "Pre-shared keys")
 * @package:   SECMSG_PKG_RAW
 * @role:      SECMSG_ROLE_INITIATOR or SECMSG_ROLE_ACCEPTOR
 * @suite:     SECMSG_SUITE_*
 * @ctx_flags: SECMSG_CTX_REPLAY_DETECT, _SEQUENCE_DETECT, _CONFIDENTIALITY,
 *             _INTEGRITY (INTEGRITY is granted whether asked or not)
 * @key_len:   session key length, SECMSG_KEY_MIN..SECMSG_KEY_MAX
 * @lifetime:  seconds; 0 takes the module's default_lifetime, and values
 *             above its max_lifetime are clamped to it (QUERY tells)
 * @key:       pointer to the session key; the kernel keeps only the
 *             derived keys, and wipes its copy
 * @send_seq:  first sequence number this side sends
 * @recv_seq:  first sequence number expected from the peer
 * @contrib:   SECMSG_IMPORT_FRESH: pointer to the buffer where the kernel
 *             writes this side's contribution (SECMSG_CONTRIB_SIZE bytes);
 *             else zero
 * @contrib_len: SECMSG_IMPORT_FRESH: bytes at @contrib, at least
 *             SECMSG_CONTRIB_SIZE; else zero
 * @reserved:  zero
 *
 * ioctl(devfd, SECMSG_IOC_IMPORT, &imp) returns a new context fd
 * (O_CLOEXEC): complete, or with SECMSG_IMPORT_FRESH incomplete until
 * COMPLETE.  Errors (nothing created): EINVAL (bad field), E2BIG, EFAULT,
 * EMFILE (per-user context limit), ENOENT (the crypto API has no such
 * algorithm), ENOMEM, EPERM (the suite is not among the configuration's
 * allowed suites).
 */
struct secmsg_import {
	__u32 size;
	__u32 flags;
	__u32 package;
	__u32 role;
	__u32 suite;
	__u32 ctx_flags;
	__u32 key_len;
	__u32 lifetime;
	__u64 key;
	__u64 send_seq;
	__u64 recv_seq;
	__u64 contrib;
	__u32 contrib_len;
	__u32 reserved;
};
#define SECMSG_IMPORT_SIZE_VER0		72

/* Enctypes of IMPORT_KRB5 (RFC 3961 numbers) */
#define SECMSG_KRB5_AES128_CTS_HMAC_SHA1_96	17
#define SECMSG_KRB5_AES256_CTS_HMAC_SHA1_96	18
#define SECMSG_KRB5_AES128_CTS_HMAC_SHA256_128	19
#define SECMSG_KRB5_AES256_CTS_HMAC_SHA384_192	20
#define SECMSG_KRB5_CAMELLIA128_CTS_CMAC	25
#define SECMSG_KRB5_CAMELLIA256_CTS_CMAC	26

/* struct secmsg_krb5_import.flags */
#define SECMSG_KRB5_ACCEPTOR_SUBKEY	0x1	/* @key is the acceptor subkey */

#define SECMSG_KRB5_DELEG_MAX		8	/* delegated credentials */
#define SECMSG_KRB5_DELEG_DATA_MAX	32767	/* bytes of a principal or one */
#define SECMSG_KRB5_DELEG_DESC_MAX	4095	/* bytes of a @desc */

/**
 * struct secmsg_krb5_cred - one delegated credential (see "Kerberos
 * contexts", Delegation)
 * @desc:     pointer to its server principal, unparsed (the key's
 *            description): 1..SECMSG_KRB5_DELEG_DESC_MAX bytes, no NUL,
 *            not starting with "__krb5" (the cache's own keys), each
 *            credential's different
 * @data:     pointer to the credential, in credential cache format
 *            version 4: 1..SECMSG_KRB5_DELEG_DATA_MAX bytes
 * @desc_len: bytes at @desc
 * @data_len: bytes at @data
 */
struct secmsg_krb5_cred {
	__u64 desc;
	__u64 data;
	__u32 desc_len;
	__u32 data_len;
};

#define SECMSG_NO_ID			0xffffffffu	/* no local account */
#define SECMSG_PRINCIPAL_MAX		256	/* principal name, with NUL */

/**
 * struct secmsg_krb5_import - a Kerberos context from user space
 * @size:        sizeof(struct secmsg_krb5_import)
 * @flags:       SECMSG_KRB5_ACCEPTOR_SUBKEY, or 0
 * @package:     SECMSG_PKG_KERBEROS or SECMSG_PKG_NEGOTIATE
 * @role:        SECMSG_ROLE_INITIATOR or SECMSG_ROLE_ACCEPTOR (the lucid
 *               export's initiate)
 * @enctype:     SECMSG_KRB5_* (the key's enctype)
 * @ctx_flags:   SECMSG_CTX_* the establishment granted (GSSAPI's
 *               ret_flags, mapped); SECMSG_CTX_INTEGRITY is always granted
 * @key_len:     bytes at @key: the enctype's key length
 * @imp_level:   acceptor: SECMSG_IMP_* the client's flags grant, as
 *               Windows' Kerberos reads them: IDENTIFY if it asked for
 *               identification only (GSS_C_IDENTIFY_FLAG), DELEGATE if it
 *               delegated (GSS_C_DELEG_FLAG), else IMPERSONATE;
 *               initiator: 0
 * @key:         pointer to the key; the kernel keeps only derived keys
 * @send_seq:    first sequence number this side sends
 * @recv_seq:    the peer's initial sequence number
 * @endtime:     CLOCK_REALTIME seconds at which the context expires
 * @local_name:  pointer to this side's principal name (UTF-8, no NUL)
 * @peer_name:   pointer to the other side's
 * @local_name_len: bytes at @local_name, below SECMSG_PRINCIPAL_MAX
 * @peer_name_len: bytes at @peer_name, likewise
 * @peer_uid:    acceptor: the local account the client maps to, in the
 *               importer's user namespace, or SECMSG_NO_ID; initiator:
 *               SECMSG_NO_ID
 * @peer_gid:    that account's primary group, or SECMSG_NO_ID
 * @peer_groups: pointer to its supplementary groups (__u32 each)
 * @peer_ngroups: how many, at most NGROUPS_MAX (65536)
 * @reserved:    zero
 *
 * Since VER1 (a VER0 caller delegates nothing):
 *
 * @deleg_princ: acceptor: pointer to the client's principal in
 *               credential cache format version 4, the delegated
 *               credentials' default principal; else 0
 * @deleg_creds: pointer to struct secmsg_krb5_cred[@deleg_ncreds]
 * @deleg_princ_len: bytes at @deleg_princ, 1..SECMSG_KRB5_DELEG_DATA_MAX
 *               (0 with no delegation)
 * @deleg_ncreds: 1..SECMSG_KRB5_DELEG_MAX, or 0 with no delegation; the
 *               four delegation fields are all zero, or all set on an
 *               acceptor at level SECMSG_IMP_DELEGATE with
 *               SECMSG_CTX_DELEGATE in @ctx_flags and @peer_uid set
 *
 * ioctl(devfd, SECMSG_IOC_IMPORT_KRB5, &imp) returns a new, complete
 * context fd (O_CLOEXEC).  See "Kerberos contexts".  Errors (nothing
 * created): EINVAL (bad field, a name too long or with a NUL, an id
 * outside the importer's user namespace, a delegation field against the
 * rules above or at struct secmsg_krb5_cred), E2BIG, EFAULT, EMFILE
 * (per-user context limit), ENOENT (the crypto API cannot serve the
 * enctype), ENOMEM, EOPNOTSUPP (delegation on a kernel without
 * CONFIG_KEYS), EPROTONOSUPPORT (an enctype not listed), EKEYEXPIRED
 * (@endtime passed); or an LSM's refusal of a key.
 */
struct secmsg_krb5_import {
	__u32 size;
	__u32 flags;
	__u32 package;
	__u32 role;
	__u32 enctype;
	__u32 ctx_flags;
	__u32 key_len;
	__u32 imp_level;
	__u64 key;
	__u64 send_seq;
	__u64 recv_seq;
	__s64 endtime;
	__u64 local_name;
	__u64 peer_name;
	__u32 local_name_len;
	__u32 peer_name_len;
	__u32 peer_uid;
	__u32 peer_gid;
	__u64 peer_groups;
	__u32 peer_ngroups;
	__u32 reserved;
	__u64 deleg_princ;
	__u64 deleg_creds;
	__u32 deleg_princ_len;
	__u32 deleg_ncreds;
};
#define SECMSG_KRB5_IMPORT_SIZE_VER0	112
#define SECMSG_KRB5_IMPORT_SIZE_VER1	136

/**
 * struct secmsg_buffer - one buffer of a message (SSPI's SecBuffer)
 * @type:     SECMSG_BUF_*
 * @flags:    SECMSG_BUF_READONLY or SECMSG_BUF_READONLY_WITH_CHECKSUM (DATA
 *            buffers only), or 0
 * @ptr:      user pointer; may be 0 when @len is 0
 * @len:      in: bytes at @ptr; out: bytes used (SIGN and SEAL: TOKEN,
 *            PADDING, STREAM_HEADER, STREAM_TRAILER; UNSEAL: the DATA of
 *            the stream form); other lens are not written
 * @reserved: zero (room for per-buffer options such as zero-copy)
 */
struct secmsg_buffer {
	__u32 type;
	__u32 flags;
	__u64 ptr;
	__u32 len;
	__u32 reserved;
};

/**
 * struct secmsg_message - one message for SIGN, VERIFY, SEAL, UNSEAL, BATCH
 * @size:     sizeof(struct secmsg_message)
 * @flags:    none defined yet; zero (room for zero-copy of pinned pages)
 * @qop:      in for SIGN and SEAL (SECMSG_QOP_*); out for VERIFY and UNSEAL
 *            (SECMSG_QOP_WRAP_NO_ENCRYPT when the wrap was not sealed)
 * @nbuffers: entries at @buffers, 1..SECMSG_MAX_BUFFERS
 * @buffers:  pointer to struct secmsg_buffer[@nbuffers]
 * @seq:      out: the sequence number sent or received
 * @error:    out: 0, or the negative errno of this message
 * @verdict:  out: SECMSG_VERDICT_*; SECMSG_VERDICT_OK when @error is not
 *            a verdict's errno (BATCH: EINVAL, EFAULT, ENOMEM...)
 * @needed:   out: bytes needed (BUFFER_TOO_SMALL, INCOMPLETE_MESSAGE)
 * @index:    out: the buffer @needed refers to, else 0xffffffff
 */
struct secmsg_message {
	__u32 size;
	__u32 flags;
	__u32 qop;
	__u32 nbuffers;
	__u64 buffers;
	__u64 seq;
	__s32 error;
	__u32 verdict;
	__u32 needed;
	__u32 index;
};
#define SECMSG_MESSAGE_SIZE_VER0	48

/* BATCH operations */
#define SECMSG_OP_SIGN			1
#define SECMSG_OP_VERIFY		2
#define SECMSG_OP_SEAL			3
#define SECMSG_OP_UNSEAL		4

/**
 * struct secmsg_batch - many messages of one kind in one call (BATCH)
 * @size:      sizeof(struct secmsg_batch)
 * @op:        SECMSG_OP_*
 * @flags:     none defined yet; zero
 * @count:     messages at @msgs, 1..SECMSG_MAX_BATCH
 * @msgs:      pointer to @count struct secmsg_message, @msg_size apart
 * @msg_size:  sizeof(struct secmsg_message); every message's size must
 *             equal it
 * @completed: out: messages that succeeded
 * @failed:    out: messages that failed (their @error is set)
 * @reserved:  zero
 *
 * All message structs are read and checked before any is processed, and
 * their out fields and @completed and @failed must be writable: a
 * malformed or unwritable batch struct or message struct fails the whole
 * call (EINVAL, E2BIG, EFAULT...) with nothing processed and nothing
 * written.  Then each message is processed as by the single ioctl, in
 * array order, one failure not stopping the others; each gets its out
 * fields written, @error included: a message whose buffers cannot be read
 * or written gets EFAULT (verdict OK) and, as a single call would, has done
 * nothing.  The ioctl returns 0 once every message has its result,
 * whatever the verdicts and errors.
 */
struct secmsg_batch {
	__u32 size;
	__u32 op;
	__u32 flags;
	__u32 count;
	__u64 msgs;
	__u32 msg_size;
	__u32 completed;
	__u32 failed;
	__u32 reserved;
};
#define SECMSG_BATCH_SIZE_VER0		40

/**
 * struct secmsg_init - client: start a local context (INIT)
 * @size:        sizeof(struct secmsg_init)
 * @flags:       none defined yet; zero
 * @package:     SECMSG_PKG_LOCAL
 * @target_type: SECMSG_TARGET_UID
 * @target_uid:  the server's user id, in the caller's user namespace
 *               (EINVAL if it has no mapping there)
 * @suite:       SECMSG_SUITE_*, or 0 for SECMSG_SUITE_AES256_GCM
 * @ctx_flags:   requested, of SECMSG_INIT_CTX_FLAGS
 * @imp_level:   SECMSG_IMP_*, or 0 for SECMSG_IMP_IDENTIFY
 * @lifetime:    seconds, as for IMPORT
 * @token_len:   in: bytes at @token; out: bytes written (or needed)
 * @token:       pointer to the buffer for the init token
 * @status:      out: SECMSG_STATUS_CONTINUE_NEEDED
 * @reserved:    zero
 *
 * Out fields are not read.
 *
 * ioctl(devfd, SECMSG_IOC_INIT, &ini) returns a new, incomplete initiator
 * context fd (O_CLOEXEC) and writes the init token, @token_len and
 * @status.  Errors (nothing created): EINVAL, E2BIG, EFAULT, EMFILE
 * (per-user context limit), ENOENT (no such algorithm), ENOMEM, EPERM
 * (suite not allowed), and ENOBUFS when @token_len is below
 * SECMSG_LOCAL_TOKEN_SIZE (then @token_len alone is written: the size
 * needed).
 */
struct secmsg_init {
	__u32 size;
	__u32 flags;
	__u32 package;
	__u32 target_type;
	__u32 target_uid;
	__u32 suite;
	__u32 ctx_flags;
	__u32 imp_level;
	__u32 lifetime;
	__u32 token_len;
	__u64 token;
	__u32 status;
	__u32 reserved;
	__u64 reserved2[2];
};
#define SECMSG_INIT_SIZE_VER0		72

/**
 * struct secmsg_accept - server: accept a local context (ACCEPT)
 * @size:      sizeof(struct secmsg_accept)
 * @flags:     none defined yet; zero
 * @package:   SECMSG_PKG_LOCAL
 * @in_len:    bytes of the init token at @in_token
 * @in_token:  pointer to the client's init token
 * @out_token: pointer to the buffer for the reply token
 * @out_len:   in: bytes at @out_token; out: bytes written (or needed)
 * @status:    out: SECMSG_STATUS_OK
 * @ctx_flags: out: the flags granted
 * @imp_level: out: the impersonation level the client granted
 * @reserved:  zero
 *
 * Out fields are not read.
 *
 * ioctl(devfd, SECMSG_IOC_ACCEPT, &acc) returns a complete acceptor
 * context fd (O_CLOEXEC) and writes the reply token and the out fields.
 * Errors (nothing created, the token still usable unless it was used or
 * expired): EINVAL, E2BIG, EFAULT, EMFILE, ENOMEM, EPERM (the client's
 * suite is no longer allowed), ENOBUFS (@out_len below
 * SECMSG_LOCAL_TOKEN_SIZE; @out_len alone is written), and the token
 * errors of "Establishing a local context".
 */
struct secmsg_accept {
	__u32 size;
	__u32 flags;
	__u32 package;
	__u32 in_len;
	__u64 in_token;
	__u64 out_token;
	__u32 out_len;
	__u32 status;
	__u32 ctx_flags;
	__u32 imp_level;
	__u64 reserved[2];
};
#define SECMSG_ACCEPT_SIZE_VER0		64

/**
 * struct secmsg_complete - client: finish a local context (COMPLETE)
 * @size:      sizeof(struct secmsg_complete)
 * @flags:     none defined yet; zero
 * @in_token:  pointer to the server's reply token
 * @in_len:    its length
 * @status:    out: SECMSG_STATUS_OK
 * @ctx_flags: out: the flags granted
 * @imp_level: out: the impersonation level granted
 * @reserved:  zero
 *
 * Out fields are not read.
 *
 * ioctl(ctxfd, SECMSG_IOC_COMPLETE, &cmp) on the initiator context INIT
 * returned.  Returns 0 and writes the out fields; the context is complete
 * and QUERY shows the server's identity.  Errors (nothing changed):
 * EINVAL (also: neither a local initiator nor a FRESH raw context), E2BIG,
 * EFAULT, ENOMEM, EISCONN (complete already), EBUSY (another COMPLETE on
 * this context is at work; retry if it fails; local only), EKEYEXPIRED,
 * and the token errors above.  On a raw context imported with
 * SECMSG_IMPORT_FRESH, @in_token is the peer's contribution: see
 * "Pre-shared keys".
 */
struct secmsg_complete {
	__u32 size;
	__u32 flags;
	__u64 in_token;
	__u32 in_len;
	__u32 status;
	__u32 ctx_flags;
	__u32 imp_level;
	__u64 reserved[2];
};
#define SECMSG_COMPLETE_SIZE_VER0	48

/* Per-context counters (QUERY, and later netlink) */
struct secmsg_counters {
	__u64 signed_msgs;	/* SIGN */
	__u64 verified;		/* VERIFY ok */
	__u64 sealed;		/* SEAL, incl. sign-only wraps */
	__u64 unsealed;		/* UNSEAL ok */
	__u64 altered;		/* failures by verdict ... */
	__u64 replayed;
	__u64 too_old;
	__u64 out_of_sequence;
	__u64 expired;
	__u64 bad_token;
	__u64 other_failures;	/* buffer too small, incomplete, qop */
};

/* QUERY driver_flags */
#define SECMSG_DRIVER_ASYNC		0x1	/* transform is asynchronous */
#define SECMSG_DRIVER_INLINE		0x2	/* completes in the caller: "io_uring" */

/* QUERY state */
#define SECMSG_STATE_ACTIVE		1
#define SECMSG_STATE_EXPIRED		2
#define SECMSG_STATE_INCOMPLETE		3	/* before COMPLETE: a local
						 * initiator, a FRESH import */
#define SECMSG_STATE_REVOKED		4	/* see "Control plane" */

/* struct secmsg_identity.flags */
#define SECMSG_ID_VALID			0x1	/* the fields below are set */
#define SECMSG_ID_ANONYMOUS		0x2	/* withheld: level ANONYMOUS */
#define SECMSG_ID_UNMAPPED		0x4	/* an id below reads as overflow */
#define SECMSG_ID_LSM_TRUNCATED		0x8	/* LSM context cut to fit */
#define SECMSG_ID_SETID			0x10	/* real or saved uid or gid
						 * not the effective one */
#define SECMSG_ID_ASSERTED		0x20	/* ids an importer asserted
						 * (Kerberos), not seen */

#define SECMSG_LSM_MAX			256	/* LSM context with its NUL */

#define SECMSG_ID_GROUPS		32	/* groups reported inline */

/**
 * struct secmsg_identity - one side's credentials, as the kernel saw them
 * @flags:    SECMSG_ID_VALID, with SECMSG_ID_SETID when the task's real
 *            or saved uid or gid differed from its effective one (a
 *            set-user-ID or set-group-ID program; see "Establishing a
 *            local context"); or SECMSG_ID_ANONYMOUS alone (all else zero)
 *            for the client as its acceptor sees it at level ANONYMOUS;
 *            or 0 when unknown (raw contexts, the server
 *            of an incomplete context)
 * @uid:      effective uid, as seen from the querying task's user
 *            namespace (the overflow uid if unmapped there; then, as for
 *            an unmapped @gid or group, @flags has SECMSG_ID_UNMAPPED, so
 *            that a real 65534 is told from an unmapped id)
 * @gid:      effective gid, likewise
 * @pid:      process id (thread group) of the task that called INIT or
 *            ACCEPT, in the querying task's pid namespace; 0 if not
 *            visible or gone
 * @ngroups:  number of supplementary groups
 * @ruid:     real uid, mapped as @uid (0 in modules before
 *            SECMSG_ID_SETID)
 * @userns:   inode number of the task's user namespace (as in
 *            /proc/PID/ns/user)
 * @groups:   the first min(@ngroups, SECMSG_ID_GROUPS) supplementary
 *            groups, ascending, mapped as @gid
 */
struct secmsg_identity {
	__u32 flags;
	__u32 uid;
	__u32 gid;
	__u32 pid;
	__u32 ngroups;
	__u32 ruid;
	__u64 userns;
	__u32 groups[SECMSG_ID_GROUPS];
};

/**
 * struct secmsg_query - everything about a context (QUERY)
 * @size:         in: sizeof(struct secmsg_query); out: bytes written
 * @flags:        in: none defined yet; zero
 * @package:      SECMSG_PKG_*
 * @role:         SECMSG_ROLE_*
 * @suite:        SECMSG_SUITE_*
 * @ctx_flags:    SECMSG_CTX_* granted
 * @state:        SECMSG_STATE_*
 * @max_token:    SIZES.cbMaxToken: the largest establishment token
 *                (SECMSG_LOCAL_TOKEN_SIZE for local contexts,
 *                SECMSG_CONTRIB_SIZE for a FRESH import, 0 for other raw)
 * @max_signature: SIZES.cbMaxSignature
 * @block_size:   SIZES.cbBlockSize
 * @security_trailer: SIZES.cbSecurityTrailer
 * @stream_header: STREAM_SIZES.cbHeader
 * @stream_trailer: STREAM_SIZES.cbTrailer
 * @max_message:  STREAM_SIZES.cbMaximumMessage
 * @max_buffers:  STREAM_SIZES.cBuffers
 * @replay_window: bits in the receive window (0 without REPLAY_DETECT
 *                or SEQUENCE_DETECT)
 * @driver_flags: SECMSG_DRIVER_*
 * @lifetime:     seconds, as granted
 * @algorithm:    crypto API name requested, NUL-terminated
 * @driver:       crypto API driver bound, NUL-terminated
 * @created:      CLOCK_REALTIME seconds at creation
 * @expires:      CLOCK_REALTIME seconds at expiry (LIFESPAN)
 * @send_seq:     next sequence number to send
 * @recv_seq:     receive side: highest accepted + 1 (initially the
 *                initial receive number)
 * @counters:     message and failure counters
 *
 * Since SECMSG_QUERY_SIZE_VER1 (a caller with a VER0 struct simply does
 * not get these):
 *
 * @imp_level:    SECMSG_IMP_* the client granted (0 for raw contexts)
 * @reserved:     out: zero
 * @local:        this side's identity (NAMES): for local contexts, the
 *                credentials of the task that called INIT or ACCEPT
 * @peer:         the other side's (for an initiator, known at COMPLETE)
 *
 * Since SECMSG_QUERY_SIZE_VER2:
 *
 * @local_lsm:    the LSM context (security_secid_to_secctx(): an SELinux
 *                or Smack label, an AppArmor profile such as "unconfined")
 *                of the task that called INIT or ACCEPT, NUL-terminated;
 *                "" when no LSM gives one.  Longer than SECMSG_LSM_MAX - 1
 *                bytes: cut, and SECMSG_ID_LSM_TRUNCATED in @local.flags
 * @peer_lsm:     the other side's, likewise (withheld with @peer)
 *
 * Since SECMSG_QUERY_SIZE_VER3:
 *
 * @local_principal: Kerberos contexts: this side's principal name as
 *                IMPORT_KRB5 gave it, NUL-terminated; "" when none was
 *                given, and for other packages
 * @peer_principal: the other side's, likewise (given whatever the
 *                impersonation level: Kerberos names it to the acceptor)
 *
 * Since SECMSG_QUERY_SIZE_VER4:
 *
 * @kept:         bytes the context keeps now for its message calls (work
 *                area, bounce buffers, scatterlist tables), 0 before its
 *                first message and once idle; at most SECMSG_MAX_KEPT,
 *                see there
 *
 * For a Kerberos context: @suite is the enctype (SECMSG_KRB5_*),
 * @algorithm the crypto API names of its cipher and HMAC
 * ("cts(cbc(aes)) hmac(sha1)"), @driver the drivers bound to them, in the
 * same order; the sizes are those of "Kerberos tokens"; @local is the
 * importing task's identity, @peer (acceptor) the account the importer
 * asserted, with SECMSG_ID_ASSERTED (and no pid), or 0 when it asserted
 * none.
 *
 * Names a user can read are a library job (getpwuid_r in libsecmsg).
 */
struct secmsg_query {
	__u32 size;
	__u32 flags;
	__u32 package;
	__u32 role;
	__u32 suite;
	__u32 ctx_flags;
	__u32 state;
	__u32 max_token;
	__u32 max_signature;
	__u32 block_size;
	__u32 security_trailer;
	__u32 stream_header;
	__u32 stream_trailer;
	__u32 max_message;
	__u32 max_buffers;
	__u32 replay_window;
	__u32 driver_flags;
	__u32 lifetime;
	char algorithm[SECMSG_NAME_MAX];
	char driver[SECMSG_NAME_MAX];
	__s64 created;
	__s64 expires;
	__u64 send_seq;
	__u64 recv_seq;
	struct secmsg_counters counters;
	__u32 imp_level;
	__u32 reserved;
	struct secmsg_identity local;
	struct secmsg_identity peer;
	char local_lsm[SECMSG_LSM_MAX];
	char peer_lsm[SECMSG_LSM_MAX];
	char local_principal[SECMSG_PRINCIPAL_MAX];
	char peer_principal[SECMSG_PRINCIPAL_MAX];
	__u64 kept;
};
#define SECMSG_QUERY_SIZE_VER0		448
#define SECMSG_QUERY_SIZE_VER1		776
#define SECMSG_QUERY_SIZE_VER2		1288
#define SECMSG_QUERY_SIZE_VER3		1800
#define SECMSG_QUERY_SIZE_VER4		1808

/**
 * struct secmsg_impersonate - IMPERSONATE and REVERT
 * @size:     sizeof(struct secmsg_impersonate)
 * @flags:    none defined yet; zero
 * @reserved: zero
 *
 * See "Impersonation" above.  Both return 0 or a negative errno.
 */
struct secmsg_impersonate {
	__u32 size;
	__u32 flags;
	__u64 reserved;
};
#define SECMSG_IMPERSONATE_SIZE_VER0	16

#define SECMSG_IOC_MAGIC		0xE5

/* On /dev/secmsg */
#define SECMSG_IOC_IMPORT	_IOW(SECMSG_IOC_MAGIC, 0x01, struct secmsg_import)
#define SECMSG_IOC_INIT		_IOWR(SECMSG_IOC_MAGIC, 0x02, struct secmsg_init)
#define SECMSG_IOC_ACCEPT	_IOWR(SECMSG_IOC_MAGIC, 0x03, struct secmsg_accept)
#define SECMSG_IOC_IMPORT_KRB5	_IOW(SECMSG_IOC_MAGIC, 0x04, struct secmsg_krb5_import)

/* On a context fd */
#define SECMSG_IOC_SIGN		_IOWR(SECMSG_IOC_MAGIC, 0x10, struct secmsg_message)
#define SECMSG_IOC_VERIFY	_IOWR(SECMSG_IOC_MAGIC, 0x11, struct secmsg_message)
#define SECMSG_IOC_SEAL		_IOWR(SECMSG_IOC_MAGIC, 0x12, struct secmsg_message)
#define SECMSG_IOC_UNSEAL	_IOWR(SECMSG_IOC_MAGIC, 0x13, struct secmsg_message)
#define SECMSG_IOC_QUERY	_IOWR(SECMSG_IOC_MAGIC, 0x14, struct secmsg_query)
#define SECMSG_IOC_BATCH	_IOWR(SECMSG_IOC_MAGIC, 0x15, struct secmsg_batch)
#define SECMSG_IOC_COMPLETE	_IOWR(SECMSG_IOC_MAGIC, 0x20, struct secmsg_complete)
#define SECMSG_IOC_IMPERSONATE	_IOW(SECMSG_IOC_MAGIC, 0x21, struct secmsg_impersonate)

/* On a context fd or /dev/secmsg */
#define SECMSG_IOC_REVERT	_IOW(SECMSG_IOC_MAGIC, 0x22, struct secmsg_impersonate)

/*
 * io_uring
 * ========
 *
 * The message calls SIGN, VERIFY, SEAL, UNSEAL and BATCH may also be
 * submitted through io_uring (liburing), many at once and without a
 * system call each, as IORING_OP_URING_CMD requests on a context fd.
 * The SQE (a 64-byte one; a ring set up with IORING_SETUP_SQE128 works
 * too):
 *
 *   opcode           IORING_OP_URING_CMD
 *   fd               the context fd (or, with IOSQE_FIXED_FILE, its index
 *                    among the ring's registered files)
 *   cmd_op           SECMSG_IOC_SIGN, SECMSG_IOC_VERIFY, SECMSG_IOC_SEAL,
 *                    SECMSG_IOC_UNSEAL or SECMSG_IOC_BATCH; as for the
 *                    ioctls, the size bits are ignored
 *   cmd              a struct secmsg_uring_cmd (its 16 bytes): @arg is
 *                    the ioctl's argument, @reserved zero; with
 *                    IORING_SETUP_SQE128, the 64 bytes after it zero too
 *                    (which io_uring_prep_rw() leaves as they were)
 *   uring_cmd_flags  zero
 *   user_data, flags, personality: as for any request
 *   all other fields zero (io_uring_prep_rw() with a NULL address, length
 *   0 and offset 0 sets them so, before cmd_op is set)
 *
 * cqe->res is what the ioctl returns, as a negative errno: 0; a verdict's
 * errno with the message's out fields written; or another errno with
 * nothing done.  Buffers, verdicts, out fields and the failure contract
 * are the ioctl's exactly: see "Buffers and messages", "Results and
 * verdicts" and struct secmsg_batch.  With IORING_SETUP_CQE32, the big
 * CQE's extra 16 bytes are zero.  Errors of the request itself, with
 * nothing done:
 *
 *   ENOTTY      cmd_op is none of the five (QUERY, COMPLETE, IMPERSONATE
 *               and REVERT are ioctls only)
 *   EINVAL      @reserved or the SQE128 bytes not zero; uring_cmd_flags
 *               not zero (no registered buffers are used: io_uring itself
 *               refuses IORING_URING_CMD_FIXED first, with EFAULT, on a
 *               ring that has none, and other flags with EINVAL)
 *   EOPNOTSUPP  (from io_uring) the fd is not a context, such as
 *               /dev/secmsg; or the ring was set up with IORING_SETUP_IOPOLL
 *   ECANCELED   (from io_uring) the request was cancelled before it ran
 *               (IORING_OP_ASYNC_CANCEL, the ring closed)
 *
 * The message struct (or batch struct), its buffer array and its buffers
 * are read when the request runs, which may be after io_uring_enter(2)
 * has returned: they must stay valid, and unchanged, until the request's
 * CQE is reaped.
 *
 * A request runs in the task that submits it (the SQPOLL thread with
 * IORING_SETUP_SQPOLL) and completes at once (without SQPOLL: its CQE is
 * there when io_uring_enter(2) returns) if the context's crypto driver
 * completes in the calling task (QUERY @driver_flags
 * SECMSG_DRIVER_INLINE: synchronous drivers, and the SIMD wrappers that
 * run one at once, such as x86's AES-NI GCM, which is flagged
 * SECMSG_DRIVER_ASYNC as well), and the SQE has no IOSQE_ASYNC.
 * Otherwise io_uring's worker threads run it, several at once, and the
 * submitter does not wait for the driver.  Requests complete in any
 * order, and SIGN and SEAL take their sequence numbers in the order they
 * run, which for requests on the workers is not that of submission:
 * IOSQE_IO_LINK orders them.  The request acts on the context its fd names and on the
 * memory of the submitting process, whichever thread runs it.
 *
 * A request holds the context from submission to completion: closing
 * every fd of it meanwhile does not stop the request, which completes as
 * it would have, and the module cannot be unloaded while a ring holds a
 * request or a registered context fd.
 */

/**
 * struct secmsg_uring_cmd - the command area of an IORING_OP_URING_CMD SQE
 * @arg:      pointer to the struct secmsg_message (SIGN, VERIFY, SEAL,
 *            UNSEAL) or struct secmsg_batch (BATCH), as for the ioctl
 * @reserved: zero
 */
struct secmsg_uring_cmd {
	__u64 arg;
	__u64 reserved;
};
#define SECMSG_URING_CMD_SIZE		16

/*
 * Control plane (generic netlink family "secmsg")
 * ===============================================
 *
 * Resolve the family by SECMSG_GENL_NAME (CTRL_CMD_GETFAMILY).  Version
 * SECMSG_GENL_VERSION; a later version only adds commands and attributes.
 * Every request is validated strictly: an attribute a command does not
 * take, an unknown attribute type, a wrong length or a value out of range
 * is refused with EINVAL (ERANGE for ranges) and an extended ack message
 * naming the attribute (NLM_F_ACK_TLVS / NETLINK_EXT_ACK).  Every refusal
 * below carries such a message too (the generic netlink core's own, such
 * as EOPNOTSUPP for an unknown command, may not).  Replies use the
 * request's command.
 *
 * Scope: a context belongs to the network namespace of the task that
 * created it, like a socket; the control plane of a network namespace
 * lists, shows and revokes only the contexts created in it, and events go
 * to listeners in that namespace only.  Within it:
 *   - a caller sees and may revoke the contexts whose owner (the effective
 *     uid that created them, whatever its user namespace) is its own
 *     effective uid;
 *   - a caller with CAP_NET_ADMIN over the namespace's user namespace
 *     sees and may revoke every context of the namespace.
 * Contexts the caller may not see do not exist for it (ENOENT).
 *
 * Who the caller is: every request has two parties, the task that sends
 * it and the task that opened the socket it is sent on (the credentials
 * of the socket's file), which differ when a socket is handed over (an
 * inherited descriptor, SCM_RIGHTS).  A request may do only what EACH of
 * them may do on its own: a context is visible (GET, dump, REVOKE) only
 * if each party owns it or has CAP_NET_ADMIN as above, and a command that
 * needs CAP_NET_ADMIN needs it in both.  So a privileged program made to
 * write (or sendto()) an unprivileged user's bytes to the user's socket
 * gets exactly the user's answers, and a socket root opened gives an
 * unprivileged sender only the sender's.  A dump is judged once, when it
 * starts, from its request's sender and the opener (its later parts are
 * made in whichever task calls recvmsg()); pids in it are given in the
 * pid namespace of that sender.  Joining the events group is checked by
 * the netlink core against the task that joins, when it joins (the
 * family cannot see the socket's opener then): a privileged program must
 * not join it on a socket it did not open; the events go to the socket,
 * whoever holds it afterwards.
 * Uids and gids are reported as mapped in the requesting socket's user
 * namespace (for events: in the network namespace's owning user
 * namespace), pids in the pid namespace of the requesting task (events:
 * of the creating task); unmapped ids are the overflow id, pids not
 * visible 0.
 *
 * Commands (who may call, request attributes, reply, errors):
 *
 * SECMSG_CMD_CTX_GET     anyone.  doit: SECMSG_A_CTX_ID (required): one
 *                        context (ENOENT if absent or not visible).
 *                        dump (NLM_F_DUMP): every visible context, one
 *                        message each, in id order, over as many reply
 *                        messages as needed; with SECMSG_A_CTX_ID, only
 *                        those from that id on (to resume a dump).  Each
 *                        part resumes after the last id sent, so contexts
 *                        created meanwhile appear (ids only grow), closed
 *                        ones do not, and none appears twice.
 *                        Reply attributes: the SECMSG_A_CTX_* below.
 * SECMSG_CMD_CTX_REVOKE  the owner, or CAP_NET_ADMIN over the namespace.
 *                        SECMSG_A_CTX_ID (required).  Marks the context
 *                        revoked for good: ENOENT (absent or not visible),
 *                        EALREADY (revoked already).
 * SECMSG_CMD_CONFIG_GET  anyone.  Reply: every SECMSG_A_CFG_*.
 * SECMSG_CMD_CONFIG_SET  CAP_NET_ADMIN in the initial user namespace
 *                        (the settings are module-wide; EPERM otherwise).
 *                        Any non-empty subset of SECMSG_A_CFG_*; all are
 *                        checked first and applied together, or none is
 *                        (EINVAL/ERANGE).  Applies to contexts created
 *                        afterwards.  Reply: every SECMSG_A_CFG_*.
 * SECMSG_CMD_STATS_GET   CAP_NET_ADMIN in the initial user namespace
 *                        (module-wide, every namespace).  Reply:
 *                        SECMSG_A_STATS_*.
 * SECMSG_CMD_EVENT       never requested: the command of the messages of
 *                        the multicast group SECMSG_GENL_MCGRP_EVENTS,
 *                        which only CAP_NET_ADMIN over the namespace's
 *                        user namespace may join (EPERM).  A module built
 *                        for a kernel whose genetlink cannot restrict a
 *                        group (no GENL_MCAST_CAP_NET_ADMIN) has no
 *                        group: CTRL_CMD_GETFAMILY lists none, so
 *                        resolving "events" fails (libnl's
 *                        genl_ctrl_resolve_grp(): -NLE_OBJ_NOTFOUND), and
 *                        no event is ever sent.
 *
 * Revocation: every later call on a revoked context fails: message calls
 * (SIGN, VERIFY, SEAL, UNSEAL and each message of BATCH) with
 * SECMSG_VERDICT_REVOKED (EKEYREVOKED, counted as "revoked"), COMPLETE
 * and IMPERSONATE with EKEYREVOKED (IMPERSONATE after its EINVAL and
 * ENOTCONN checks, in place of EKEYEXPIRED); QUERY and REVERT still work
 * and QUERY reports SECMSG_STATE_REVOKED.  Calls already past the check
 * when the context is revoked finish normally: the keys live until the
 * last descriptor is closed.  Revocation cannot be undone.
 *
 * Configuration (SECMSG_A_CFG_*, u32 each; also module parameters):
 *   MAX_CONTEXTS_PER_USER  0..SECMSG_CFG_MAX_CONTEXTS; 0 forbids new ones
 *   DEFAULT_LIFETIME       1..SECMSG_CFG_MAX_LIFETIME seconds, and not
 *                          above MAX_LIFETIME (as it will be after the
 *                          call)
 *   MAX_LIFETIME           1..SECMSG_CFG_MAX_LIFETIME seconds
 *   SUITES                 allowed cipher suites, bit (1 << SECMSG_SUITE_*);
 *                          bits of no suite are refused.  IMPORT, INIT
 *                          and ACCEPT of a suite not allowed fail with
 *                          EPERM, nothing created.
 *   REPLAY_WINDOW          bits of the receive window of contexts created
 *                          afterwards: a power of two, from
 *                          SECMSG_REPLAY_WINDOW_MIN to _MAX (EINVAL
 *                          otherwise); contexts keep the window they were
 *                          created with.
 *
 * Events (SECMSG_CMD_EVENT on group "events"): SECMSG_A_EVENT, then the
 * context's attributes as CTX_GET gives them (counters included, as they
 * are when the event is sent; never a key or anything derived from one),
 * and SECMSG_A_EVENT_VERDICT and SECMSG_A_EVENT_COUNT for failures.  Sent
 * only while someone listens, without blocking.  Nothing is lost
 * silently: a listener whose socket is full, or an event the kernel
 * cannot allocate (a failure event's count is kept and tried again
 * instead, but when its context is freed), gives ENOBUFS on the
 * listener's recv (as for any netlink multicast).
 *   CREATED    a context was created (IMPORT, INIT or ACCEPT)
 *   COMPLETED  a local initiator or a FRESH import completed (COMPLETE)
 *   EXPIRED    a call found the context expired; expiry is detected
 *              lazily, on the first call after it: once per context
 *   REVOKED    CTX_REVOKE
 *   ALTERED    messages failed their integrity check
 *              (SECMSG_VERDICT_ALTERED)
 *   REPLAY     replayed or too old messages (SECMSG_VERDICT_REPLAYED or
 *              SECMSG_VERDICT_TOO_OLD: one event stands for one verdict)
 * A peer can cause ALTERED and REPLAY failures as fast as it can send, so
 * their events are coalesced.  A failure met while someone listens is
 * counted; per context and verdict, the first one after a quiet
 * interval is reported at once (by a work item, shortly after the call
 * that met it), and then at most one event goes out per
 * SECMSG_EVENT_INTERVAL_MS: those counted during an interval are reported
 * together at its end.  SECMSG_A_EVENT_COUNT
 * says how many failures an event reports (at least 1), so the counts of
 * a context's events add up exactly to the growth of its counter
 * (SECMSG_A_CNT_ALTERED, _REPLAYED, _TOO_OLD) while someone listened;
 * what is still counted when the context is freed is reported then.
 * Module-wide, at most SECMSG_EVENT_BUDGET of these events go out per
 * interval; the others wait for a later interval, their failures still
 * counted (so they only grow).  Being deferred, they can arrive after
 * events of other kinds about the same context that came later (REVOKED,
 * for example).  STATS_GET's SECMSG_A_STATS_EVENTS_COALESCED counts the
 * failures that had no event of their own (COUNT - 1 for each event).
 */
#define SECMSG_GENL_NAME		"secmsg"
#define SECMSG_GENL_VERSION		1
#define SECMSG_GENL_MCGRP_EVENTS	"events"

enum secmsg_genl_cmd {
	SECMSG_CMD_UNSPEC,
	SECMSG_CMD_CTX_GET,
	SECMSG_CMD_CTX_REVOKE,
	SECMSG_CMD_CONFIG_GET,
	SECMSG_CMD_CONFIG_SET,
	SECMSG_CMD_STATS_GET,
	SECMSG_CMD_EVENT,

	__SECMSG_CMD_MAX,
	SECMSG_CMD_MAX = __SECMSG_CMD_MAX - 1
};

/*
 * Attributes.  Types: u32 and u64 in host byte order, s64 as u64 two's
 * complement, strings NUL-terminated.  In replies, attributes that do not
 * apply are left out (peer identity unknown, no driver bound yet).
 */
enum secmsg_genl_attr {
	SECMSG_A_UNSPEC,
	SECMSG_A_PAD,
	SECMSG_A_CTX_ID,		/* u64, >= 1: the context's id (fdinfo
					 * "secmsg-id") */
	SECMSG_A_CTX_PACKAGE,		/* u32 SECMSG_PKG_* */
	SECMSG_A_CTX_ROLE,		/* u32 SECMSG_ROLE_* */
	SECMSG_A_CTX_SUITE,		/* u32 SECMSG_SUITE_* */
	SECMSG_A_CTX_FLAGS,		/* u32 SECMSG_CTX_* granted */
	SECMSG_A_CTX_STATE,		/* u32 SECMSG_STATE_* */
	SECMSG_A_CTX_OWNER_UID,		/* u32 owner (creator's euid) */
	SECMSG_A_CTX_PID,		/* u32 creating process */
	SECMSG_A_CTX_PEER_UID,		/* u32 local contexts, once known and
					 * not withheld (ANONYMOUS) */
	SECMSG_A_CTX_PEER_GID,		/* u32 likewise */
	SECMSG_A_CTX_PEER_PID,		/* u32 likewise */
	SECMSG_A_CTX_IMP_LEVEL,		/* u32 SECMSG_IMP_*, local and
					 * Kerberos */
	SECMSG_A_CTX_DRIVER,		/* string: crypto driver bound */
	SECMSG_A_CTX_LIFETIME,		/* u32 seconds granted */
	SECMSG_A_CTX_CREATED,		/* s64 CLOCK_REALTIME seconds */
	SECMSG_A_CTX_EXPIRES,		/* s64 CLOCK_REALTIME seconds */
	SECMSG_A_CTX_SEND_SEQ,		/* u64 next number to send */
	SECMSG_A_CTX_RECV_SEQ,		/* u64 highest accepted + 1 */
	SECMSG_A_CTX_COUNTERS,		/* nested SECMSG_A_CNT_* */
	SECMSG_A_CFG_MAX_CONTEXTS_PER_USER,	/* u32 */
	SECMSG_A_CFG_DEFAULT_LIFETIME,	/* u32 */
	SECMSG_A_CFG_MAX_LIFETIME,	/* u32 */
	SECMSG_A_CFG_SUITES,		/* u32 bitmask */
	SECMSG_A_STATS_CONTEXTS,	/* u64 contexts alive */
	SECMSG_A_STATS_CREATED,		/* u64 created since load */
	SECMSG_A_STATS_REVOKED,		/* u64 revoked since load */
	SECMSG_A_STATS_COUNTERS,	/* nested SECMSG_A_CNT_*: sums over
					 * every context since load */
	SECMSG_A_EVENT,			/* u32 SECMSG_EVENT_* */
	SECMSG_A_EVENT_VERDICT,		/* u32 SECMSG_VERDICT_* */
	SECMSG_A_CFG_REPLAY_WINDOW,	/* u32 bits */
	SECMSG_A_EVENT_COUNT,		/* u64 >= 1: failures the event reports
					 * (ALTERED, REPLAY) */
	SECMSG_A_STATS_EVENTS_COALESCED,	/* u64 failures reported in
						 * another's event since load */
	SECMSG_A_CTX_ALGORITHM,		/* string: crypto API names requested
					 * (QUERY's algorithm) */
	SECMSG_A_CTX_LOCAL_PRINCIPAL,	/* string: Kerberos, this side's
					 * principal, when imported with one */
	SECMSG_A_CTX_PEER_PRINCIPAL,	/* string: Kerberos, the other side's */
	SECMSG_A_CTX_PEER_ASSERTED,	/* flag: SECMSG_A_CTX_PEER_UID and _GID
					 * are what a Kerberos acceptor's
					 * importer asserted (no PEER_PID) */
	SECMSG_A_CTX_KEPT,		/* u64 bytes kept for message calls
					 * (QUERY's kept, SECMSG_MAX_KEPT);
					 * CTX_GET only, not in events */

	__SECMSG_A_MAX,
	SECMSG_A_MAX = __SECMSG_A_MAX - 1
};

/* Counters (u64 each), as struct secmsg_counters, plus revoked */
enum secmsg_genl_counter {
	SECMSG_A_CNT_UNSPEC,
	SECMSG_A_CNT_PAD,
	SECMSG_A_CNT_SIGNED,
	SECMSG_A_CNT_VERIFIED,
	SECMSG_A_CNT_SEALED,
	SECMSG_A_CNT_UNSEALED,
	SECMSG_A_CNT_ALTERED,
	SECMSG_A_CNT_REPLAYED,
	SECMSG_A_CNT_TOO_OLD,
	SECMSG_A_CNT_OUT_OF_SEQUENCE,
	SECMSG_A_CNT_EXPIRED,
	SECMSG_A_CNT_BAD_TOKEN,
	SECMSG_A_CNT_OTHER,
	SECMSG_A_CNT_REVOKED,		/* calls refused: revoked */

	__SECMSG_A_CNT_MAX,
	SECMSG_A_CNT_MAX = __SECMSG_A_CNT_MAX - 1
};

/* SECMSG_A_EVENT */
#define SECMSG_EVENT_CREATED		1
#define SECMSG_EVENT_COMPLETED		2
#define SECMSG_EVENT_EXPIRED		3
#define SECMSG_EVENT_REVOKED		4
#define SECMSG_EVENT_ALTERED		5
#define SECMSG_EVENT_REPLAY		6

/* Coalescing of ALTERED and REPLAY events (see "Events" above) */
#define SECMSG_EVENT_INTERVAL_MS	1000	/* per context and verdict */
#define SECMSG_EVENT_BUDGET		64	/* module-wide, per interval */

/* Configuration limits */
#define SECMSG_CFG_MAX_CONTEXTS		(1u << 20)
#define SECMSG_CFG_MAX_LIFETIME		(10u * 366 * 86400)	/* 10 years */
#define SECMSG_CFG_SUITES_ALL		((1u << SECMSG_SUITE_AES128_GCM) | \
					 (1u << SECMSG_SUITE_AES256_GCM) | \
					 (1u << SECMSG_SUITE_CHACHA20_POLY1305))

#endif /* _UAPI_LINUX_SECMSG_H */
