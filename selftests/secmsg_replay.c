// SPDX-License-Identifier: GPL-2.0
/*
 * Receive-side sequence checks: replayed (EALREADY), too old (ESTALE),
 * out of sequence (EILSEQ), the exact edges of the 1024-message window, the
 * initial receive number, and contexts without REPLAY_DETECT.
 *
 * Messages with arbitrary sequence numbers come from throw-away initiator
 * contexts imported from the same session key with send_seq = that number.
 */
#include "secmsg_test.h"

#define SUITE	SECMSG_SUITE_AES256_GCM
#define INIT	1000ull		/* the receiver's initial number */
#define DLEN	24

FIXTURE(replay) {
	int dev;
	uint8_t data[DLEN];
};

FIXTURE_SETUP(replay)
{
	SM_OPEN_DEV_OR_SKIP(self->dev);
	ts_fill(self->data, DLEN, 42);
}

FIXTURE_TEARDOWN(replay)
{
	if (self->dev >= 0)
		close(self->dev);
}

static int receiver(struct __test_metadata *_metadata,
		    struct _test_data_replay *self, uint32_t flags)
{
	int fd = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR, SUITE,
				  flags, 0, INIT);

	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	return fd;
}

/* A SIGN token from the initiator for sequence number @seq. */
static void sign_at(struct __test_metadata *_metadata,
		    struct _test_data_replay *self, uint64_t seq, uint8_t *tok)
{
	struct secmsg_message m;
	int fd;

	fd = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR, SUITE,
			      SM_FLAGS_DEFAULT, seq, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ts_sign1(fd, tok, self->data, DLEN, &m));
	ASSERT_EQ(seq, m.seq);
	close(fd);
}

/* VERIFY a fresh token for @seq; returns 0 or -errno, checks the verdict. */
static int verify_at(struct __test_metadata *_metadata,
		     struct _test_data_replay *self, int rx, uint64_t seq)
{
	struct secmsg_message m;
	uint8_t tok[32];
	int ret;

	sign_at(_metadata, self, seq, tok);
	ret = ts_verify1(rx, tok, self->data, DLEN, &m);
	switch (ret) {
	case 0:
		ASSERT_EQ((__u32)SECMSG_VERDICT_OK, m.verdict);
		ASSERT_EQ(seq, m.seq);
		break;
	case -EALREADY:
		ASSERT_EQ((__u32)SECMSG_VERDICT_REPLAYED, m.verdict);
		break;
	case -ESTALE:
		ASSERT_EQ((__u32)SECMSG_VERDICT_TOO_OLD, m.verdict);
		break;
	case -EILSEQ:
		ASSERT_EQ((__u32)SECMSG_VERDICT_OUT_OF_SEQUENCE, m.verdict);
		break;
	default:
		ASSERT_EQ(0, ret) TH_LOG("seq %llu: verdict %u",
					 (unsigned long long)seq, m.verdict);
	}
	if (ret)
		ASSERT_EQ(ret, m.error);
	return ret;
}

#define ACCEPT(rx, seq)	ASSERT_EQ(0, verify_at(_metadata, self, rx, seq)) \
				TH_LOG("seq %llu", (unsigned long long)(seq))
#define REJECT(rx, seq, err) \
	ASSERT_EQ(-(err), verify_at(_metadata, self, rx, seq)) \
		TH_LOG("seq %llu", (unsigned long long)(seq))

TEST_F(replay, replay_is_ealready)
{
	uint8_t tok[32];
	struct secmsg_message m;
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT);

	sign_at(_metadata, self, INIT, tok);
	ASSERT_OK_MSG(ts_verify1(rx, tok, self->data, DLEN, &m), m);
	ASSERT_VERDICT(ts_verify1(rx, tok, self->data, DLEN, &m), m,
		       EALREADY, SECMSG_VERDICT_REPLAYED);
	ASSERT_VERDICT(ts_verify1(rx, tok, self->data, DLEN, &m), m,
		       EALREADY, SECMSG_VERDICT_REPLAYED);
	close(rx);
}

TEST_F(replay, unseal_replay_leaves_buffer)
{
	uint8_t tok[32], data[DLEN], sealed[DLEN];
	struct secmsg_message m;
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT);
	int tx = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR, SUITE,
				  SM_FLAGS_DEFAULT, INIT, 0);

	ASSERT_LE(0, tx);
	memcpy(data, self->data, DLEN);
	ASSERT_EQ(0, ts_seal1(tx, tok, data, DLEN, 0, &m));
	memcpy(sealed, data, DLEN);
	ASSERT_OK_MSG(ts_unseal1(rx, tok, data, DLEN, &m), m);
	memcpy(data, sealed, DLEN);
	ASSERT_VERDICT(ts_unseal1(rx, tok, data, DLEN, &m), m,
		       EALREADY, SECMSG_VERDICT_REPLAYED);
	/* no plaintext for a replay */
	ASSERT_EQ(0, memcmp(sealed, data, DLEN));
	close(tx);
	close(rx);
}

TEST_F(replay, sign_and_seal_share_the_window)
{
	uint8_t tok[32], data[DLEN];
	struct secmsg_message m;
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT);
	int tx = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR, SUITE,
				  SM_FLAGS_DEFAULT, INIT + 1, 0);

	ASSERT_LE(0, tx);
	ACCEPT(rx, INIT + 1);		/* a SIGN at INIT + 1 */
	memcpy(data, self->data, DLEN);
	ASSERT_EQ(0, ts_seal1(tx, tok, data, DLEN, 0, &m));
	ASSERT_EQ(INIT + 1, m.seq);	/* a SEAL at the same number */
	ASSERT_VERDICT(ts_unseal1(rx, tok, data, DLEN, &m), m,
		       EALREADY, SECMSG_VERDICT_REPLAYED);
	close(tx);
	close(rx);
}

TEST_F(replay, out_of_order_inside_window)
{
	static const uint64_t order[] = { 5, 3, 4, 0, 1, 2, 7, 6 };
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT);
	unsigned int i;

	for (i = 0; i < SM_ARRAY_SIZE(order); i++)
		ACCEPT(rx, INIT + order[i]);
	for (i = 0; i < SM_ARRAY_SIZE(order); i++)
		REJECT(rx, INIT + order[i], EALREADY);
	ASSERT_EQ(INIT + 8, ts_recv_seq(rx));
	close(rx);
}

TEST_F(replay, window_edges)
{
	const uint64_t H = INIT + 5000;
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT);

	ACCEPT(rx, H);
	ASSERT_EQ(H + 1, ts_recv_seq(rx));
	/* H - 1023 is the oldest number inside the window */
	ACCEPT(rx, H - 1023);
	REJECT(rx, H - 1023, EALREADY);
	/* H - 1024 is outside */
	REJECT(rx, H - 1024, ESTALE);
	REJECT(rx, H - 1025, ESTALE);
	/* unseen numbers in between are fine */
	ACCEPT(rx, H - 1);
	ACCEPT(rx, H - 512);
	/* H itself is a replay, and accepting old ones did not move H */
	REJECT(rx, H, EALREADY);
	ASSERT_EQ(H + 1, ts_recv_seq(rx));
	close(rx);
}

TEST_F(replay, window_slides)
{
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT);

	ACCEPT(rx, INIT + 10);
	ACCEPT(rx, INIT + 11);
	/* move H so that INIT + 10 is exactly 1024 below it */
	ACCEPT(rx, INIT + 10 + 1024);
	REJECT(rx, INIT + 10, ESTALE);	/* seen, but now below the window */
	REJECT(rx, INIT + 11, EALREADY);	/* still inside, seen */
	ACCEPT(rx, INIT + 12);			/* inside, unseen */
	close(rx);
}

TEST_F(replay, big_jump_clears_window)
{
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT);

	ACCEPT(rx, INIT);
	ACCEPT(rx, INIT + 1000000);
	REJECT(rx, INIT + 1, ESTALE);
	ACCEPT(rx, INIT + 1000000 - 1023);
	REJECT(rx, INIT + 1000000, EALREADY);
	ACCEPT(rx, INIT + 1000001);
	close(rx);
}

TEST_F(replay, below_initial_is_too_old)
{
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT);

	/* before anything was accepted */
	REJECT(rx, INIT - 1, ESTALE);
	REJECT(rx, 0, ESTALE);
	ASSERT_EQ(INIT, ts_recv_seq(rx));
	/* the initial number itself may come after a higher one */
	ACCEPT(rx, INIT + 100);
	ACCEPT(rx, INIT);
	REJECT(rx, INIT - 1, ESTALE);
	close(rx);
}

TEST_F(replay, altered_message_does_not_move_window)
{
	uint8_t tok[32];
	struct secmsg_message m;
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT);

	ACCEPT(rx, INIT + 3);
	/* a genuine token with its sequence number rewritten far ahead */
	sign_at(_metadata, self, INIT + 4, tok);
	ts_put_be64(tok + 8, INIT + 5000);
	ASSERT_VERDICT(ts_verify1(rx, tok, self->data, DLEN, &m), m,
		       EBADMSG, SECMSG_VERDICT_ALTERED);
	ASSERT_EQ(INIT + 4, ts_recv_seq(rx));
	/* had H moved to INIT + 5000, INIT would now be too old */
	ACCEPT(rx, INIT);
	ACCEPT(rx, INIT + 5000);
	close(rx);
}

TEST_F(replay, sequence_detect_in_order)
{
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT |
			  SECMSG_CTX_SEQUENCE_DETECT);
	uint64_t i;

	for (i = 0; i < 5; i++)
		ACCEPT(rx, INIT + i);
	ASSERT_EQ(INIT + 5, ts_recv_seq(rx));
	close(rx);
}

TEST_F(replay, sequence_detect_first_must_be_initial)
{
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT |
			  SECMSG_CTX_SEQUENCE_DETECT);

	REJECT(rx, INIT + 1, EILSEQ);
	ASSERT_EQ(INIT, ts_recv_seq(rx));
	ACCEPT(rx, INIT);
	ACCEPT(rx, INIT + 1);
	close(rx);
}

TEST_F(replay, sequence_detect_gap)
{
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT |
			  SECMSG_CTX_SEQUENCE_DETECT);

	ACCEPT(rx, INIT);
	ACCEPT(rx, INIT + 1);
	REJECT(rx, INIT + 3, EILSEQ);		/* INIT + 2 missing */
	REJECT(rx, INIT + 1000, EILSEQ);
	ASSERT_EQ(INIT + 2, ts_recv_seq(rx));
	ACCEPT(rx, INIT + 2);
	ACCEPT(rx, INIT + 3);			/* the gap is closed now */
	close(rx);
}

TEST_F(replay, sequence_detect_duplicate_and_old)
{
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT |
			  SECMSG_CTX_SEQUENCE_DETECT);

	ACCEPT(rx, INIT);
	ACCEPT(rx, INIT + 1);
	/* seen numbers are REPLAYED, not OUT_OF_SEQUENCE */
	REJECT(rx, INIT, EALREADY);
	REJECT(rx, INIT + 1, EALREADY);
	/* below the initial number is TOO_OLD */
	REJECT(rx, INIT - 1, ESTALE);
	ACCEPT(rx, INIT + 2);
	close(rx);
}

TEST_F(replay, no_replay_detect_accepts_anything)
{
	uint8_t tok[32];
	struct secmsg_message m;
	int rx = receiver(_metadata, self, SECMSG_CTX_CONFIDENTIALITY);

	sign_at(_metadata, self, INIT + 7, tok);
	ASSERT_OK_MSG(ts_verify1(rx, tok, self->data, DLEN, &m), m);
	ASSERT_OK_MSG(ts_verify1(rx, tok, self->data, DLEN, &m), m);
	ASSERT_EQ(INIT + 7, m.seq);
	ACCEPT(rx, INIT + 3);
	ACCEPT(rx, INIT - 1);
	ACCEPT(rx, 0);
	ACCEPT(rx, INIT + 5000);
	ACCEPT(rx, INIT + 7);
	close(rx);
}

TEST_F(replay, failure_counters_by_kind)
{
	struct secmsg_query q;
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT |
			  SECMSG_CTX_SEQUENCE_DETECT);

	ACCEPT(rx, INIT);
	REJECT(rx, INIT, EALREADY);
	REJECT(rx, INIT, EALREADY);
	REJECT(rx, INIT - 5, ESTALE);
	REJECT(rx, INIT + 2, EILSEQ);
	REJECT(rx, INIT + 3, EILSEQ);
	REJECT(rx, INIT + 4, EILSEQ);
	ACCEPT(rx, INIT + 1);
	ASSERT_EQ(0, ts_query(rx, &q));
	ASSERT_EQ(2ull, q.counters.verified);
	ASSERT_EQ(2ull, q.counters.replayed);
	ASSERT_EQ(1ull, q.counters.too_old);
	ASSERT_EQ(3ull, q.counters.out_of_sequence);
	ASSERT_EQ(0ull, q.counters.altered);
	ASSERT_EQ(0ull, q.counters.unsealed);
	close(rx);
}

/* SEQUENCE_DETECT alone checks replays too; the granted flags say so. */
TEST_F(replay, sequence_detect_without_replay_detect)
{
	int rx = receiver(_metadata, self, SECMSG_CTX_CONFIDENTIALITY |
			  SECMSG_CTX_SEQUENCE_DETECT);
	struct secmsg_query q;

	ASSERT_EQ(0, ts_query(rx, &q));
	ASSERT_EQ(0u, q.ctx_flags & SECMSG_CTX_REPLAY_DETECT);
	ACCEPT(rx, INIT);
	ACCEPT(rx, INIT + 1);
	REJECT(rx, INIT + 1, EALREADY);
	REJECT(rx, INIT + 3, EILSEQ);
	REJECT(rx, INIT - 1, ESTALE);
	ACCEPT(rx, INIT + 2);
	close(rx);
}

/* Below the window, a number is TOO_OLD whether it was seen or not. */
TEST_F(replay, seen_below_window_is_too_old)
{
	int rx = receiver(_metadata, self, SM_FLAGS_DEFAULT);
	struct secmsg_query q;
	uint64_t w;

	ASSERT_EQ(0, ts_query(rx, &q));
	w = q.replay_window;
	ACCEPT(rx, INIT);
	ACCEPT(rx, INIT + 1);
	ACCEPT(rx, INIT + w);
	REJECT(rx, INIT + 1, EALREADY);		/* H - n = w - 1: inside */
	REJECT(rx, INIT, ESTALE);		/* seen, H - n = w: below */
	REJECT(rx, INIT + w, EALREADY);
	close(rx);
}

TEST_HARNESS_MAIN
