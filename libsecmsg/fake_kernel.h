/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small fake of secmsg.ko in user space, following <linux/secmsg.h>, for
 * the host tests (test_lib.c) and the libFuzzer targets
 * (selftests/fuzz/lib/).  Not part of the library.
 *
 * fake_kernel.c defines ioctl() itself, which the library's calls bind to
 * (symbol interposition, or a static link).  For the descriptors registered
 * in kern.dev_fd and kern.ctx_fd it is the fake; every other descriptor
 * goes to the real ioctl system call.  QUERY answers (VER1, with both
 * identities), message calls write lengths and sequence numbers, INIT /
 * ACCEPT / COMPLETE check token lengths and write tokens of 'I' and 'R'
 * bytes, an IMPORT with SECMSG_IMPORT_FRESH writes a contribution of 'C'
 * bytes (and COMPLETE on a ctx_fresh context takes any other 32 bytes),
 * and failures are scripted: by the fields below, or wholesale by the
 * hooks.
 *
 * It defines open() too, and open64() as the same function, for the
 * library's open of /dev/secmsg: they call fake_open_hook() below.
 */
#ifndef SECMSG_FAKE_KERNEL_H
#define SECMSG_FAKE_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/secmsg.h>

struct fake_kern {
	int dev_fd; /* stands for /dev/secmsg */
	int ctx_fd; /* stands for a context */
	unsigned int calls; /* ioctls on any fd */
	unsigned int batch_calls;
	unsigned int dirty; /* messages arriving with stale out fields */
	uint64_t next_seq;
	uint32_t recv_qop;
	/* IMPORT */
	struct secmsg_import import;
	int import_fd;
	int import_errno;
	/* COMPLETE on ctx_fd is a FRESH import's (uapi "Pre-shared keys") */
	int ctx_fresh;
	/* single calls: fail with this errno and verdict */
	int fail_errno;
	uint32_t fail_verdict, fail_needed, fail_index;
	/* BATCH: fail the whole call, or message i when i % mod == rem */
	int batch_errno;
	unsigned int fail_mod, fail_rem;
	/* QUERY: leave names unterminated */
	int long_names;
	/* INIT and ACCEPT (on dev_fd), COMPLETE (on ctx_fd): the structs
	 * received, the fds returned, scripted errnos (after the struct is
	 * recorded), and a status to write instead of the right one */
	struct secmsg_init init;
	struct secmsg_accept accept;
	struct secmsg_complete complete;
	int init_fd, accept_fd;
	int init_errno, accept_errno, complete_errno;
	uint32_t bad_status;
	/*
	 * IMPORT_KRB5 (dev_fd): the struct received (its pointers stale
	 * after the call), what they pointed to, the fd returned or a
	 * scripted errno.  Of the key only its length and a hash are kept,
	 * so that a scan of this process's memory finds no copy of ours.
	 */
	struct secmsg_krb5_import krb5;
	unsigned int krb5_calls;
	uint64_t krb5_key_hash; /* FNV-1a 64 of the key */
	char krb5_local[SECMSG_PRINCIPAL_MAX], krb5_peer[SECMSG_PRINCIPAL_MAX];
	uint32_t krb5_groups[64];
	int krb5_fd, krb5_errno;
	/* IMPERSONATE (ctx_fd), REVERT (ctx_fd or dev_fd): calls seen, the
	 * last struct, scripted errnos */
	unsigned int imp_calls, revert_calls;
	struct secmsg_impersonate imp;
	int imp_errno, revert_errno;

	/*
	 * Hooks, for the fuzzers; NULL for the behaviour above.
	 * msg_hook: replaces the processing of one well-formed message (single
	 *   call or BATCH entry, @op SECMSG_OP_*) after the stale-field check;
	 *   writes what it likes and returns 0 or -errno.
	 * batch_hook: called for every BATCH call before anything else;
	 *   nonzero (-errno) fails the whole call.
	 * query_hook: edits the QUERY answer; returns 0 or -errno (the
	 *   answer is then not written).
	 */
	int (*msg_hook)(unsigned int op, struct secmsg_message *m);
	int (*batch_hook)(struct secmsg_batch *b);
	int (*query_hook)(struct secmsg_query *q);
};

extern struct fake_kern kern;

/* Fill @q as the fake kernel's QUERY answers (without query_hook). */
void fake_kern_query(struct secmsg_query *q);

/* FNV-1a, 64 bits: how the fake remembers a key without keeping it. */
uint64_t fake_kern_hash(const void *p, size_t n);

/*
 * Every call of open() or open64() (the library's, the harness's, the
 * program's own; not glibc's inside fopen() and the like) comes here,
 * with @mode read from the variable arguments when @flags has O_CREAT or
 * O_TMPFILE, else 0: the hook reads no va_list.  Returns a descriptor,
 * or -1 with errno set, as open() does.  A program may define it to
 * redirect or fail the open of SECMSG_DEVICE_PATH; every other path must
 * get the real open, syscall(SYS_openat, AT_FDCWD, path, flags, mode).
 * fake_kernel.c's default (a weak definition) is that real open for every
 * path.
 */
int fake_open_hook(const char *path, int flags, mode_t mode);

#endif /* SECMSG_FAKE_KERNEL_H */
