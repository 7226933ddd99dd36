// SPDX-License-Identifier: GPL-2.0
/*
 * The module cannot be removed while a context is open, and can be once
 * the last one is closed.  This UNLOADS secmsg.ko: run_tests.sh runs it
 * last (it is TEST_GEN_PROGS_EXTENDED, not run by kselftest's runner).
 */
#include "secmsg_test.h"

#include <liburing.h>
#include <sys/syscall.h>

static int delete_module(const char *name, unsigned int flags)
{
	return syscall(__NR_delete_module, name, flags) ? -errno : 0;
}

static int module_loaded(void)
{
	return access("/sys/module/secmsg", F_OK) == 0;
}

FIXTURE(unload) {
	int dev, ctx;
};

FIXTURE_SETUP(unload)
{
	self->ctx = -1;
	if (geteuid() != 0)
		SM_SKIP_SETUP("needs root");
	SM_OPEN_DEV_OR_SKIP(self->dev);
	self->ctx = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
				     SECMSG_SUITE_AES128_GCM, SM_FLAGS_DEFAULT,
				     0, 0);
	ASSERT_LE(0, self->ctx);
}

FIXTURE_TEARDOWN(unload)
{
	if (self->ctx >= 0)
		close(self->ctx);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F(unload, busy_while_context_open)
{
	uint8_t tok[32];
	struct secmsg_message m;

	/* only the context holds the module now */
	close(self->dev);
	self->dev = -1;
	/* 6.1: try_stop_module() fails with -EWOULDBLOCK (== EAGAIN) */
	ASSERT_EQ(-EWOULDBLOCK, delete_module("secmsg", O_NONBLOCK));
	ASSERT_TRUE(module_loaded());
	ASSERT_EQ(0, ts_sign1(self->ctx, tok, "still here", 10, &m));
}

TEST_F(unload, busy_while_device_open)
{
	close(self->ctx);
	self->ctx = -1;
	ASSERT_EQ(-EWOULDBLOCK, delete_module("secmsg", O_NONBLOCK));
	ASSERT_TRUE(module_loaded());
}

/*
 * An io_uring ring that holds a context (a registered fd) holds the
 * module, as an open fd does, and its requests still run; once the ring
 * is gone (io_uring frees it asynchronously), nothing holds the module.
 */
TEST_F_TIMEOUT(unload, busy_while_ring_holds_context, 300)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct secmsg_uring_cmd c;
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	struct io_uring ring;
	uint8_t tok[32];
	int ret;

	ret = io_uring_queue_init(8, &ring, 0);
	if (ret == -ENOSYS)
		SKIP(return, "no io_uring in this kernel (CONFIG_IO_URING)");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, io_uring_register_files(&ring, &self->ctx, 1));
	close(self->ctx);
	self->ctx = -1;
	close(self->dev);
	self->dev = -1;
	ASSERT_EQ(-EWOULDBLOCK, delete_module("secmsg", O_NONBLOCK));
	ASSERT_TRUE(module_loaded());

	/* the registered context still signs */
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, "still here", 10);
	ts_msg_init(&m, b, 2, 0);
	memset(&c, 0, sizeof(c));
	c.arg = SM_PTR(&m);
	sqe = io_uring_get_sqe(&ring);
	ASSERT_TRUE(sqe != NULL);
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, 0, NULL, 0, 0);
	sqe->cmd_op = SECMSG_IOC_SIGN;
	sqe->flags |= IOSQE_FIXED_FILE;
	memcpy(sqe->cmd, &c, sizeof(c));
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
	ASSERT_EQ(0, cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	ASSERT_EQ(0u, m.verdict);
	ASSERT_EQ(0ull, m.seq);

	io_uring_queue_exit(&ring);
	ASSERT_EQ(0, ts_wait_refcnt(0));
}

TEST_F(unload, unloads_after_last_close)
{
	int i;

	close(self->ctx);
	self->ctx = -1;
	close(self->dev);
	self->dev = -1;
	/* the files are released at close, synchronously (no fput delay
	 * left for a single-threaded caller once close() returned) */
	ASSERT_EQ(0, delete_module("secmsg", O_NONBLOCK));
	for (i = 0; i < 1000 && access(SECMSG_DEVICE_PATH, F_OK) == 0; i++)
		usleep(10000);	/* until it is gone; 10 s for a broken run */
	ASSERT_NE(0, access(SECMSG_DEVICE_PATH, F_OK));
	ASSERT_FALSE(module_loaded());
}

TEST_HARNESS_MAIN
