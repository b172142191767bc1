/*
 * snapshot_main.cc -- build-time tool: writes the V8 startup snapshot of the
 * runtime bundle (udf_v8_make_snapshot), which the Makefile then embeds in
 * udf.so. Runs once per build; nothing of it ships.
 */
#include <stdio.h>

#include "udf_v8.h"

extern "C" const char udf_runtime_js[];
extern "C" const size_t udf_runtime_js_len;

int
main(int argc, char **argv)
{
	if (argc != 2)
	{
		fprintf(stderr, "usage: %s OUTPUT\n", argv[0]);
		return 2;
	}
	return udf_v8_make_snapshot(udf_runtime_js, udf_runtime_js_len, argv[1]);
}
