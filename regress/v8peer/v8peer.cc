/*
 * v8peer.cc -- a second V8 embedder for regress/t/006_v8_peers.pl, standing in
 * for plv8 where plv8 is not installed (CI): a PostgreSQL library that embeds
 * V8 from the same libnode.so.108 as udf. Like plv8 it starts V8 in _PG_init,
 * so loading the library is starting V8; v8peer_start() loads it and runs a
 * script in an isolate of its own, to show its V8 works. The test builds it
 * (one g++ command) and creates the function itself; nothing installs it.
 */
extern "C"
{
#include "postgres.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;
PGDLLEXPORT void _PG_init(void);
PG_FUNCTION_INFO_V1(v8peer_start);
}

#include <signal.h>
#include <v8.h>
#include <libplatform/libplatform.h>

static v8::Platform *platform;

/* Start V8 as an embedder does: ICU, a platform (its threads get no signals), V8. */
void
_PG_init(void)
{
	sigset_t	all;
	sigset_t	old;

	v8::V8::InitializeICU();
	if (!platform)
	{
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		platform = v8::platform::NewDefaultPlatform(1).release();
		pthread_sigmask(SIG_SETMASK, &old, nullptr);
	}
	v8::V8::InitializePlatform(platform);
	v8::V8::Initialize();
}

/* v8peer_start() -> text: "6 * 7" evaluated by this library's V8. */
extern "C" Datum
v8peer_start(PG_FUNCTION_ARGS)
{
	v8::Isolate::CreateParams params;
	v8::Isolate *isolate;
	int			answer;

	params.array_buffer_allocator = v8::ArrayBuffer::Allocator::NewDefaultAllocator();
	isolate = v8::Isolate::New(params);
	{
		v8::Isolate::Scope isolate_scope(isolate);
		v8::HandleScope handles(isolate);
		v8::Local<v8::Context> context = v8::Context::New(isolate);
		v8::Context::Scope context_scope(context);
		v8::Local<v8::String> source = v8::String::NewFromUtf8Literal(isolate, "6 * 7");

		answer = v8::Script::Compile(context, source).ToLocalChecked()->Run(context).ToLocalChecked()
			->Int32Value(context).FromJust();
	}
	isolate->Dispose();
	delete params.array_buffer_allocator;
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("%d", answer)));
}
