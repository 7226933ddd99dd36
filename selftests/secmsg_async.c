// SPDX-License-Identifier: GPL-2.0
/*
 * Asynchronous crypto drivers.  pcrypt(gcm(aes)) is a real asynchronous
 * AEAD (requests go to padata workers and complete through the callback
 * with -EINPROGRESS first), and once instantiated it outranks the AES-NI
 * driver, so every later "gcm(aes)" context binds to it.  Contexts bound
 * before and after must produce the same bytes and understand each other.
 *
 * Each test registers one pcrypt instance, over the driver a context binds
 * without it, and its teardown removes that instance again (crypto_user's
 * CRYPTO_MSG_DELALG) and checks that /proc/crypto lists no pcrypt instance
 * more than before: the suites after this one bind the plain driver.
 */
#include "secmsg_test.h"

#include <linux/cryptouser.h>
#include <linux/if_alg.h>
#include <linux/netlink.h>
#include <liburing.h>
#include <pthread.h>
#include <sys/socket.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif

#define PCRYPT	"pcrypt("
#define ALG_NAME	128	/* the kernel's CRYPTO_MAX_ALG_NAME */

/*
 * Register @name, "pcrypt(DRIVER)", through AF_ALG: the bind instantiates
 * the template.  Whether the bind itself succeeds does not matter (on 6.1
 * it fails with ENOENT when given "pcrypt(gcm(aes))": the instance is
 * named gcm(aes)); the caller looks for the instance in /proc/crypto.
 */
static void instantiate_pcrypt(const char *name)
{
	struct sockaddr_alg sa = {
		.salg_family = AF_ALG,
		.salg_type = "aead",
	};
	size_t len = strlen(name);
	int fd;

	if (len >= sizeof(sa.salg_name))
		return;
	memcpy(sa.salg_name, name, len + 1);
	fd = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return;
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
}

/*
 * The pcrypt instances in /proc/crypto: their number; with @names, up to
 * @max of their driver names too.
 */
static int pcrypt_list(char (*names)[ALG_NAME], int max)
{
	char line[256], drv[ALG_NAME];
	FILE *f = fopen("/proc/crypto", "re");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "driver : %127s", drv) != 1 ||
		    strncmp(drv, PCRYPT, strlen(PCRYPT)))
			continue;
		if (names && n < max)
			snprintf(names[n], ALG_NAME, "%s", drv);
		n++;
	}
	fclose(f);
	return n;
}

static bool crypto_has_driver(const char *driver)
{
	char line[256], drv[ALG_NAME];
	FILE *f = fopen("/proc/crypto", "re");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "driver : %127s", drv) == 1 &&
			!strcmp(drv, driver);
	fclose(f);
	return found;
}

/* A socket for crypto_user (CONFIG_CRYPTO_USER), or -errno. */
static int crypto_user_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_CRYPTO);

	return fd < 0 ? -errno : fd;
}

/*
 * Unregister the template instance @driver (CRYPTO_MSG_DELALG, which
 * takes CAP_NET_ADMIN): 0 or -errno, -EBUSY while a transform uses it
 * (tried again for up to ten seconds: a context's last reference may go
 * in a worker, after its fd was closed).
 */
static int crypto_del_instance(const char *driver)
{
	struct {
		struct nlmsghdr h;
		struct crypto_user_alg a;
	} req;
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} ack;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int fd, ret, i;

	if (strlen(driver) >= sizeof(req.a.cru_driver_name))
		return -ENAMETOOLONG;
	fd = crypto_user_socket();
	if (fd < 0)
		return fd;
	for (i = 0; i < 100; i++) {
		memset(&req, 0, sizeof(req));
		req.h.nlmsg_len = sizeof(req);
		req.h.nlmsg_type = CRYPTO_MSG_DELALG;
		req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		req.h.nlmsg_seq = i + 1;
		strcpy(req.a.cru_driver_name, driver);
		if (sendto(fd, &req, sizeof(req), 0,
			   (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
			ret = -errno;
			break;
		}
		ret = recv(fd, &ack, sizeof(ack), 0);
		if (ret < 0) {
			ret = -errno;
			break;
		}
		if (ret < (int)sizeof(ack) || ack.h.nlmsg_type != NLMSG_ERROR) {
			ret = -EPROTO;
			break;
		}
		ret = ack.e.error;
		if (ret != -EBUSY)
			break;
		usleep(100 * 1000);
	}
	close(fd);
	return ret;
}

/*
 * The pcrypt instances there when this program started.  At its end
 * (the harness' process, not a test's), any other one is a leftover of
 * a test that did not reach its teardown (a failed setup, a timeout):
 * removed, and said on stderr.
 */
#define PCRYPT_MAX	16
static char pcrypt_start[PCRYPT_MAX][ALG_NAME];
static int pcrypt_nstart = -1;

static void __attribute__((constructor)) pcrypt_note_start(void)
{
	pcrypt_nstart = pcrypt_list(pcrypt_start, PCRYPT_MAX);
}

static bool pcrypt_was_there(const char *driver)
{
	int i;

	for (i = 0; i < pcrypt_nstart && i < PCRYPT_MAX; i++)
		if (!strcmp(pcrypt_start[i], driver))
			return true;
	return false;
}

static void __attribute__((destructor)) pcrypt_remove_leftovers(void)
{
	char now[PCRYPT_MAX][ALG_NAME];
	int n, i, pass, removed;

	if (pcrypt_nstart < 0 || pcrypt_nstart > PCRYPT_MAX)
		return;
	/*
	 * /proc/crypto lists the newest first, so an outer instance before
	 * the one inside it (whose removal would take the outer one along).
	 */
	for (pass = 0; pass < PCRYPT_MAX; pass++) {
		n = pcrypt_list(now, PCRYPT_MAX);
		removed = 0;
		for (i = 0; i < n && i < PCRYPT_MAX; i++) {
			if (pcrypt_was_there(now[i]) ||
			    crypto_del_instance(now[i]))
				continue;
			fprintf(stderr, "# removed %s, left by a test\n",
				now[i]);
			removed++;
		}
		if (!removed)
			break;
	}
}

static int import_gcm(int dev, uint32_t role)
{
	return ts_import_simple(dev, role, SECMSG_SUITE_AES128_GCM,
				SM_FLAGS_DEFAULT, 0, 0);
}

static bool is_pcrypt(int fd, bool *async)
{
	struct secmsg_query q;

	if (ts_query(fd, &q))
		return false;
	*async = q.driver_flags & SECMSG_DRIVER_ASYNC;
	return !strncmp(q.driver, PCRYPT, strlen(PCRYPT));
}

FIXTURE(async) {
	int dev;
	int sync_ini, sync_acc;	/* bound before pcrypt existed */
	int async_ini, async_acc;
	int pcrypt_before;	/* pcrypt instances before the test */
	char created[CRYPTO_MAX_NAME];	/* the one it registered */
};

FIXTURE_SETUP(async)
{
	struct secmsg_query q;
	char name[ALG_NAME + 16];
	bool async;
	int nl;

	self->sync_ini = self->sync_acc = -1;
	self->async_ini = self->async_acc = -1;
	self->created[0] = 0;
	SM_OPEN_DEV_OR_SKIP(self->dev);
	/* what it registers, it must be able to remove */
	if (geteuid() != 0)
		SM_SKIP_SETUP("needs root (CRYPTO_MSG_DELALG of its pcrypt instance)");
	nl = crypto_user_socket();
	if (nl < 0)
		SM_SKIP_SETUP("no crypto_user (CONFIG_CRYPTO_USER): %s",
			      strerror(-nl));
	close(nl);
	self->pcrypt_before = pcrypt_list(NULL, 0);
	ASSERT_LE(0, self->pcrypt_before);
	self->sync_ini = import_gcm(self->dev, SECMSG_ROLE_INITIATOR);
	self->sync_acc = import_gcm(self->dev, SECMSG_ROLE_ACCEPTOR);
	ASSERT_LE(0, self->sync_ini);
	ASSERT_LE(0, self->sync_acc);

	/* pcrypt over the plain driver, never over another pcrypt */
	ASSERT_EQ(0, ts_query(self->sync_ini, &q));
	snprintf(name, sizeof(name), PCRYPT "%s)", q.driver);
	if (strncmp(q.driver, PCRYPT, strlen(PCRYPT)) &&
	    strlen(name) < sizeof(self->created) && !crypto_has_driver(name)) {
		instantiate_pcrypt(name);
		if (crypto_has_driver(name))
			memcpy(self->created, name, strlen(name) + 1);
	}
	self->async_ini = import_gcm(self->dev, SECMSG_ROLE_INITIATOR);
	self->async_acc = import_gcm(self->dev, SECMSG_ROLE_ACCEPTOR);
	ASSERT_LE(0, self->async_ini);
	ASSERT_LE(0, self->async_acc);
	if (!is_pcrypt(self->async_ini, &async))
		SM_SKIP_SETUP("no pcrypt(gcm(aes)) instance (CONFIG_CRYPTO_PCRYPT?)");
	ASSERT_TRUE(async);
}

/*
 * The contexts closed (they hold the instance's transforms), the pcrypt
 * instance the test registered is removed, and no other one is left: as
 * many pcrypt instances as before the test.  EXPECT, not ASSERT: an
 * ASSERT here would jump back into the harness' wrapper.
 */
FIXTURE_TEARDOWN(async)
{
	int *fds[] = { &self->sync_ini, &self->sync_acc, &self->async_ini,
		       &self->async_acc, &self->dev };
	unsigned int i;
	int ret;

	for (i = 0; i < SM_ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	if (self->created[0]) {
		ret = crypto_del_instance(self->created);
		EXPECT_EQ(0, ret) TH_LOG("CRYPTO_MSG_DELALG %s: %s",
					 self->created, strerror(-ret));
		EXPECT_FALSE(crypto_has_driver(self->created))
			TH_LOG("%s still registered", self->created);
	}
	EXPECT_EQ(self->pcrypt_before, pcrypt_list(NULL, 0))
		TH_LOG("pcrypt instances left in /proc/crypto");
}

/*
 * The same messages through a context on the synchronous path (if the
 * guest had it before pcrypt) and one on pcrypt give the same bytes, and
 * each side opens the other's.
 */
TEST_F_TIMEOUT(async, same_bytes_as_sync, 120)
{
	static const uint32_t lens[] = { 0, 1, 15, 16, 17, 255, 4096, 65537 };
	bool sync_is_async;
	unsigned int i;

	/* the sync driver, unless pcrypt was there before this suite */
	if (is_pcrypt(self->sync_ini, &sync_is_async))
		SKIP(return, "pcrypt was instantiated before this test");
	for (i = 0; i < SM_ARRAY_SIZE(lens); i++) {
		uint32_t len = lens[i];
		uint8_t *a = malloc(len + 1), *b = malloc(len + 1);
		uint8_t *plain = malloc(len + 1);
		uint8_t ta[32], tb[32];
		struct secmsg_message m;

		ASSERT_TRUE(a && b && plain);
		ts_fill(plain, len, i);
		memcpy(a, plain, len);
		memcpy(b, plain, len);
		ASSERT_OK_MSG(ts_seal1(self->sync_ini, ta, a, len, 0, &m), m);
		ASSERT_OK_MSG(ts_seal1(self->async_ini, tb, b, len, 0, &m), m);
		ASSERT_EQ(0, memcmp(ta, tb, 32));
		ASSERT_EQ(0, memcmp(a, b, len));
		/* crosswise: the async acceptor opens the sync output */
		ASSERT_OK_MSG(ts_unseal1(self->async_acc, ta, a, len, &m), m);
		ASSERT_OK_MSG(ts_unseal1(self->sync_acc, tb, b, len, &m), m);
		ASSERT_EQ(0, memcmp(a, plain, len));
		ASSERT_EQ(0, memcmp(b, plain, len));

		ASSERT_OK_MSG(ts_sign1(self->sync_ini, ta, plain, len, &m), m);
		ASSERT_OK_MSG(ts_sign1(self->async_ini, tb, plain, len, &m), m);
		ASSERT_EQ(0, memcmp(ta, tb, 32));
		ASSERT_OK_MSG(ts_verify1(self->async_acc, ta, plain, len, &m),
			      m);
		ASSERT_OK_MSG(ts_verify1(self->sync_acc, tb, plain, len, &m),
			      m);
		free(a);
		free(b);
		free(plain);
	}
}

TEST_F(async, binds_async_driver)
{
	struct secmsg_query q;

	ASSERT_EQ(0, ts_query(self->async_acc, &q));
	ASSERT_STREQ("gcm(aes)", q.algorithm);
	ASSERT_EQ(0, strncmp(q.driver, "pcrypt(", 7)) TH_LOG("%s", q.driver);
	ASSERT_NE(0u, q.driver_flags & SECMSG_DRIVER_ASYNC);
	/* pcrypt completes on another CPU: not in the caller */
	ASSERT_EQ(0u, q.driver_flags & SECMSG_DRIVER_INLINE);
}

/* A bad tag is found on the asynchronous path too, and changes nothing. */
TEST_F(async, altered_on_async_path)
{
	uint8_t tok[32], data[100], copy[100];
	struct secmsg_message m;

	ts_fill(data, sizeof(data), 9);
	ASSERT_OK_MSG(ts_seal1(self->async_ini, tok, data, sizeof(data), 0,
			       &m), m);
	data[50] ^= 0x01;
	memcpy(copy, data, sizeof(data));
	ASSERT_VERDICT(ts_unseal1(self->async_acc, tok, data, sizeof(data), &m),
		       m, EBADMSG, SECMSG_VERDICT_ALTERED);
	ASSERT_EQ(0, memcmp(copy, data, sizeof(data)));
	data[50] ^= 0x01;
	ASSERT_OK_MSG(ts_unseal1(self->async_acc, tok, data, sizeof(data), &m),
		      m);
}

/* A batch on the async path: every message waits for its completion. */
TEST_F_TIMEOUT(async, batch, 120)
{
	enum { N = 32, LEN = 64 };
	static uint8_t data[N][LEN], tok[N][32];
	struct secmsg_buffer b[N][2];
	struct secmsg_message m[N];
	struct secmsg_batch bt;
	unsigned int i;

	for (i = 0; i < N; i++) {
		ts_fill(data[i], LEN, 100 + i);
		ts_buf(&b[i][0], SECMSG_BUF_TOKEN, 0, tok[i], 32);
		ts_buf(&b[i][1], SECMSG_BUF_DATA, 0, data[i], LEN);
		ts_msg_init(&m[i], b[i], 2, 0);
	}
	memset(&bt, 0, sizeof(bt));
	bt.size = sizeof(bt);
	bt.op = SECMSG_OP_SEAL;
	bt.count = N;
	bt.msgs = SM_PTR(m);
	bt.msg_size = sizeof(m[0]);
	ASSERT_EQ(0, ts_ioctl(self->async_ini, SECMSG_IOC_BATCH, &bt));
	ASSERT_EQ((uint32_t)N, bt.completed);
	for (i = 0; i < N; i++) {
		uint8_t expect[LEN];

		ASSERT_EQ((uint64_t)i, m[i].seq);
		ASSERT_OK_MSG(ts_unseal1(self->async_acc, tok[i], data[i], LEN,
					 &m[i]), m[i]);
		ts_fill(expect, LEN, 100 + i);
		ASSERT_EQ(0, memcmp(expect, data[i], LEN));
	}
}

struct sealer {
	int fd;
	uint64_t seq[100];
	uint8_t tok[100][32];
	uint8_t data[100][32];
};

static void *seal_many(void *arg)
{
	struct sealer *s = arg;
	struct secmsg_message m;
	unsigned int i;

	for (i = 0; i < 100; i++) {
		ts_fill(s->data[i], 32, i);
		if (ts_seal1(s->fd, s->tok[i], s->data[i], 32, 0, &m))
			return (void *)1;
		s->seq[i] = m.seq;
	}
	return NULL;
}

/* Concurrent senders on an async context: unique numbers, all open. */
TEST_F_TIMEOUT(async, threads, 300)
{
	enum { T = 4 };
	static struct sealer s[T];
	static bool seen[T * 100];
	pthread_t th[T];
	struct secmsg_message m;
	unsigned int t, i;
	void *ret;

	for (t = 0; t < T; t++) {
		s[t].fd = self->async_ini;
		ASSERT_EQ(0, pthread_create(&th[t], NULL, seal_many, &s[t]));
	}
	for (t = 0; t < T; t++) {
		ASSERT_EQ(0, pthread_join(th[t], &ret));
		ASSERT_EQ(NULL, ret);
	}
	memset(seen, 0, sizeof(seen));
	for (t = 0; t < T; t++)
		for (i = 0; i < 100; i++) {
			ASSERT_LT(s[t].seq[i], (uint64_t)T * 100);
			ASSERT_FALSE(seen[s[t].seq[i]]);
			seen[s[t].seq[i]] = true;
			ASSERT_OK_MSG(ts_unseal1(self->async_acc, s[t].tok[i],
						 s[t].data[i], 32, &m), m);
		}
}

/*
 * 64 seals, then 64 unseals, at once through io_uring on the async
 * context (uapi "io_uring": such requests go to io_uring's workers, so
 * that several are in the driver at once): every CQE once, numbers
 * unique, all open, and a tampered one ALTERED with nothing changed.
 */
TEST_F_TIMEOUT(async, uring, 300)
{
	enum { N = 64, LEN = 100 };
	static uint8_t data[N][LEN], tok[N][32];
	static struct secmsg_buffer b[N][2];
	static struct secmsg_message m[N];
	bool seen[N] = { false };
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned int i, k;
	int ret;

	ret = io_uring_queue_init(2 * N, &ring, 0);
	if (ret == -ENOSYS)
		SKIP(return, "no io_uring in this kernel (CONFIG_IO_URING)");
	ASSERT_EQ(0, ret);
	for (k = 0; k < 2; k++) {
		int fd = k ? self->async_acc : self->async_ini;
		unsigned int op = k ? SECMSG_IOC_UNSEAL : SECMSG_IOC_SEAL;

		for (i = 0; i < N; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			struct secmsg_uring_cmd c = { .arg = SM_PTR(&m[i]) };

			ASSERT_TRUE(sqe != NULL);
			if (!k)
				ts_fill(data[i], LEN, 300 + i);
			if (k && i == 7)
				tok[i][20] ^= 1;
			ts_buf(&b[i][0], SECMSG_BUF_TOKEN, 0, tok[i], 32);
			ts_buf(&b[i][1], SECMSG_BUF_DATA, 0, data[i], LEN);
			ts_msg_init(&m[i], b[i], 2, 0);
			io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL,
					 0, 0);
			sqe->cmd_op = op;
			memcpy(sqe->cmd, &c, sizeof(c));
			io_uring_sqe_set_data64(sqe, i);
		}
		ASSERT_EQ(N, io_uring_submit(&ring));
		memset(seen, 0, sizeof(seen));
		for (i = 0; i < N; i++) {
			unsigned int j;

			ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
			j = (unsigned int)cqe->user_data;
			ASSERT_LT(j, (unsigned int)N);
			ASSERT_FALSE(seen[j]);
			seen[j] = true;
			if (k && j == 7) {
				ASSERT_VERDICT(cqe->res, m[j], EBADMSG,
					       SECMSG_VERDICT_ALTERED);
			} else {
				ASSERT_OK_MSG(cqe->res, m[j]);
			}
			io_uring_cqe_seen(&ring, cqe);
		}
		if (!k) {
			memset(seen, 0, sizeof(seen));
			for (i = 0; i < N; i++) {
				ASSERT_LT(m[i].seq, (uint64_t)N);
				ASSERT_FALSE(seen[m[i].seq]);
				seen[m[i].seq] = true;
			}
		}
	}
	for (i = 0; i < N; i++) {
		uint8_t expect[LEN];

		ts_fill(expect, LEN, 300 + i);
		if (i == 7) {
			ASSERT_NE(0, memcmp(expect, data[i], LEN));
		} else {
			ASSERT_EQ(0, memcmp(expect, data[i], LEN));
		}
	}
	io_uring_queue_exit(&ring);
}

TEST_HARNESS_MAIN
