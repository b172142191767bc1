/*
 * prng.c -- the per-backend PRNG behind call seeds and new document ids.
 *
 * Seeds only need to differ between calls (Convex seeds per execution for
 * determinism, not secrecy), so one PRNG seeded once from pg_strong_random
 * serves; with udf.test_seed it restarts from that seed, so ids and random
 * values in test output are stable. Nothing here allocates or raises.
 */
#include "udf.h"

#include <limits.h>

#include "common/pg_prng.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

static int	udf_test_seed = 0;
static bool test_seed_changed = true;

static void TestSeedAssigned(int newval, void *extra);
static pg_prng_state *Prng(void);

/* Register udf.test_seed. */
void
PrngInit(void)
{
	DefineCustomIntVariable("udf.test_seed",
							"Testing aid: seed of every call's Math.random, crypto and new document ids.",
							"0 (the default) means fresh randomness. Setting it (again) restarts a "
							"reproducible sequence, so ids and random values in test output are stable. "
							"Not for production.",
							&udf_test_seed,
							0, 0, INT_MAX,
							PGC_USERSET, 0,
							NULL, TestSeedAssigned, NULL);
}

/* udf.test_seed was set: restart its sequence on the next draw. */
static void
TestSeedAssigned(int newval, void *extra)
{
	test_seed_changed = true;
}

/* The PRNG, (re)seeded as udf.test_seed says. */
static pg_prng_state *
Prng(void)
{
	static pg_prng_state state;
	static bool seeded = false;
	static bool seeded_for_test = false;

	if (udf_test_seed != 0 && (test_seed_changed || !seeded_for_test))
	{
		pg_prng_seed(&state, (uint64) udf_test_seed);
		seeded_for_test = true;
		seeded = true;
		test_seed_changed = false;
	}
	else if (udf_test_seed == 0 && (!seeded || seeded_for_test))
	{
		if (!pg_prng_strong_seed(&state))
			pg_prng_seed(&state, (uint64) MyProcPid ^ (uint64) GetCurrentTimestamp());
		seeded = true;
		seeded_for_test = false;
	}
	return &state;
}

/*
 * n random bytes. Each byte takes two nibbles of a draw, high nibble first:
 * the order seeds and the ids pinned by tests under udf.test_seed were made in.
 */
void
PrngBytes(uint8 *out, size_t n)
{
	pg_prng_state *state = Prng();

	for (size_t i = 0; i < n; i += 8)
	{
		uint64		r = pg_prng_uint64(state);

		for (size_t j = i; j < n && j < i + 8; j++, r >>= 8)
			out[j] = (uint8) (((r & 0x0f) << 4) | ((r >> 4) & 0x0f));
	}
}

/*
 * Fill hex with hexlen-1 (an even number, at most 64) random hex digits: a
 * PRNG seed. The digits PrngBytes' bytes would hex-encode to, written
 * straight from the generator (every call makes one).
 */
void
PrngSeedHex(char *hex, size_t hexlen)
{
	static char pairs[256][2];	/* each byte's two digits, low nibble first */
	static bool pairs_made = false;
	pg_prng_state *state = Prng();
	size_t		nbytes = (hexlen - 1) / 2;

	Assert(hexlen % 2 == 1 && nbytes <= 32);
	if (!pairs_made)
	{
		static const char digits[] = "0123456789abcdef";

		for (int b = 0; b < 256; b++)
		{
			pairs[b][0] = digits[b & 0x0f];
			pairs[b][1] = digits[b >> 4];
		}
		pairs_made = true;
	}
	for (size_t i = 0; i < nbytes; i += 8)
	{
		uint64		r = pg_prng_uint64(state);

		/* PrngBytes swaps each byte's nibbles: its low nibble is the first digit */
		for (size_t j = i; j < nbytes && j < i + 8; j++, r >>= 8)
			memcpy(hex + 2 * j, pairs[r & 0xff], 2);
	}
	hex[2 * nbytes] = '\0';
}
