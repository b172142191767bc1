/*
 * snapshot.cc -- build time: the startup snapshot of the runtime.
 *
 * The snapshot tool (snapshot_main.cc) calls udf_v8_make_snapshot once per
 * build; nothing here runs in a backend. It starts V8 as a backend would
 * (StartV8), makes a SnapshotCreator isolate with the natives listed as
 * external references, runs the runtime bundle in its default context, and
 * then the runtime's warm-up call (__udf.warmUp), so that the bytecode of the
 * whole call path is compiled into the snapshot rather than lazily in every
 * backend. The warm-up is an entry like any other: its answer settles
 * through call.cc's Settle and is read by ReadAnswer, in the one answer form.
 * The context has no UdfV8Context (natives.cc then lets syscalls through)
 * and uses the isolate's default microtask queue.
 *
 * Failures are printed on stderr, and the tool exits non-zero: the build
 * stops. Host strings are malloc'd here, and never freed (the tool exits).
 */
#include "shim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

using namespace v8;
using namespace udf_shim;

namespace
{

bool		WarmUp(Local<Context> ctx);

/*
 * Run the runtime's warm-up call, so the bytecode of the call path is
 * compiled into the snapshot rather than lazily in every backend.
 */
bool
WarmUp(Local<Context> ctx)
{
	Isolate    *iso = ctx->GetIsolate();
	TryCatch	tc(iso);
	Local<Object> udf;
	Local<Function> fn;
	Local<Value> answer;
	char	   *json = nullptr;
	UdfV8Error	err;

	memset(&err, 0, sizeof(err));
	if (!RuntimeFunction(ctx, "warmUp", &udf, &fn))
	{
		fprintf(stderr, "udf snapshot: the runtime has no warm-up call\n");
		return false;
	}
	if (Settle(ctx, ctx->GetMicrotaskQueue(), tc, fn->Call(ctx, udf, 0, nullptr), UDF_V8_JS_ERROR,
			   "it did not finish", &answer, &err) != UDF_V8_OK ||
		ReadAnswer(ctx, answer, "warmUp", &json, &err) != UDF_V8_OK)
	{
		fprintf(stderr, "udf snapshot: the warm-up call failed: %s\n", err.message ? err.message : "?");
		return false;
	}
	return true;
}

} /* namespace */

/*
 * Build time: run the runtime bundle in a fresh context and write a startup
 * snapshot of it to out_path. Returns 0 on success.
 */
extern "C" int
udf_v8_make_snapshot(const char *runtime_source, size_t runtime_len, const char *out_path)
{
	if (!g_host.alloc)
		g_host.alloc = malloc;
	StartV8();
	g_runtime_source = runtime_source;
	g_runtime_source_len = runtime_len;
	StartupData blob;

	{
		SnapshotCreator creator(ExternalReferences());
		Isolate    *iso = creator.GetIsolate();

		g_isolate = iso;
		{
			HandleScope hs(iso);
			Local<Context> ctx = Context::New(iso);
			Context::Scope cs(ctx);
			UdfV8Error	err;

			memset(&err, 0, sizeof(err));
			if (!InstallNatives(ctx) || !RunRuntime(ctx, &err))
			{
				fprintf(stderr, "udf snapshot: the runtime failed: %s\n", err.message ? err.message : "?");
				return 1;
			}
			if (!WarmUp(ctx))
				return 1;
			creator.SetDefaultContext(ctx);
		}
		g_isolate = nullptr;
		blob = creator.CreateBlob(SnapshotCreator::FunctionCodeHandling::kKeep);
	}
	FILE	   *f = fopen(out_path, "wb");

	if (!f || fwrite(blob.data, 1, blob.raw_size, f) != static_cast<size_t>(blob.raw_size) || fclose(f) != 0)
	{
		fprintf(stderr, "udf snapshot: could not write %s\n", out_path);
		return 1;
	}
	delete[] blob.data;
	return 0;
}
