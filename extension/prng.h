/*
 * prng.h -- the per-backend PRNG behind call seeds and new ids (prng.c).
 */
#ifndef UDF_PRNG_H
#define UDF_PRNG_H

#include "c.h"

extern void PrngInit(void);
extern void PrngBytes(uint8 *out, size_t n);
extern void PrngSeedHex(char *hex, size_t hexlen);

#endif							/* UDF_PRNG_H */
