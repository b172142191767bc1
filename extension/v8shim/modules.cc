/*
 * modules.cc -- the ES modules of a context: registered, compiled with their
 * whole import tree, resolved, instantiated and evaluated.
 *
 * Compiling: a module is compiled, with all its static imports,
 * recursively (CompileTree), before it is instantiated, so a syntax error or
 * a missing import is reported with the module, line and column that caused
 * it, not as V8's instantiation error. Compiled code comes from, and goes to,
 * the code cache (code_cache.cc) under the module's cache key. Instantiation
 * (ResolveCallback) then only looks up what CompileTree compiled.
 *
 * Resolution policy: the host's, handed in at udf_v8_initialize
 * (UdfV8Host.builtin_modules, see udf_v8.h): a bare specifier of the table
 * names its builtin module; any other import must be relative, must stay
 * inside the deployment's root, and names the deployed module of that path
 * (".js" added when the path has no extension), or else a builtin module
 * whose path the table lists. Builtin modules are small re-export modules
 * whose source the runtime generates (__udf.builtinModuleSource); they are
 * keyed "builtin:<name>", which no deployed path can be confused with. The
 * policy is compile-time only: nothing here runs per call.
 *
 * Evaluating: loading a module is a top-level entry (EnterCall/LeaveCall)
 * with its own entry token, and ends in call.cc's Settle like a function
 * call: a top-level await that never settles is UDF_V8_UNFINISHED, a throw
 * or a rejection UDF_V8_MODULE_ERROR. import() is refused, as Convex refuses
 * it.
 */
#include "shim_internal.h"
#include "watchdog.h"
#include "code_cache.h"

#include <string.h>

#include <vector>

using namespace v8;
using namespace udf_shim;

namespace
{

/* One row of the host's resolution policy, as the resolver uses it. */
struct BuiltinRow
{
	std::string specifier;		/* bare specifier, or a path from the root */
	std::string key;			/* kBuiltinPrefix + the runtime's name */
	bool		is_path;
};

/* Builtin module names as the resolver maps specifiers to them. */
const char *const kBuiltinPrefix = "builtin:";

std::vector<BuiltinRow> g_builtins;
/* why a bare specifier outside the table cannot be imported */
std::string g_bare_refusal = "only relative imports can be imported";

bool		IsRelative(const std::string &s);
bool		JoinPath(const std::string &referrer, const std::string &spec, std::string *out);
bool		HasExtension(const std::string &path);
bool		ResolveSpecifier(UdfV8Context *c, const std::string &referrer, const std::string &spec,
							 std::string *key, std::string *why);
bool		BuiltinSource(Local<Context> ctx, const std::string &name, std::string *out);
UdfV8Status CompileTree(UdfV8Context *c, Local<Context> ctx, const std::string &key, UdfV8Error *err);
MaybeLocal<Module> ResolveCallback(Local<Context> ctx, Local<String> specifier,
								   Local<FixedArray> import_assertions, Local<Module> referrer);
UdfV8Status LoadModuleImpl(UdfV8Context *c, const char *path, UdfV8Error *err);

/* How long the watchdog holds its stops while Module::Evaluate starts (see LoadModuleImpl). */
constexpr int64_t kEvaluatePrologueHoldNs = 1000 * 1000;

/* Is s a relative specifier ("./x", "../x")? */
bool
IsRelative(const std::string &s)
{
	return s.rfind("./", 0) == 0 || s.rfind("../", 0) == 0;
}

/* Join a relative specifier to the referrer's directory; false if it escapes the root. */
bool
JoinPath(const std::string &referrer, const std::string &spec, std::string *out)
{
	std::vector<std::string> parts;
	size_t		slash = referrer.rfind('/');
	std::string base = slash == std::string::npos ? "" : referrer.substr(0, slash);
	std::string all = base.empty() ? spec : base + "/" + spec;
	size_t		start = 0;

	while (start <= all.size())
	{
		size_t		end = all.find('/', start);

		if (end == std::string::npos)
			end = all.size();
		std::string seg = all.substr(start, end - start);

		if (seg == "..")
		{
			if (parts.empty())
				return false;
			parts.pop_back();
		}
		else if (!seg.empty() && seg != ".")
			parts.push_back(seg);
		start = end + 1;
	}
	out->clear();
	for (size_t i = 0; i < parts.size(); i++)
	{
		if (i)
			*out += "/";
		*out += parts[i];
	}
	return !out->empty();
}

/* Does the last segment of path have an extension? */
bool
HasExtension(const std::string &path)
{
	size_t		slash = path.rfind('/');
	size_t		dot = path.rfind('.');

	return dot != std::string::npos && (slash == std::string::npos || dot > slash);
}

/*
 * Map an import specifier to a module key, by the host's policy: a deployed
 * module path or a builtin. Returns false and sets *why when it cannot be
 * resolved.
 */
bool
ResolveSpecifier(UdfV8Context *c, const std::string &referrer, const std::string &spec,
				 std::string *key, std::string *why)
{
	for (const BuiltinRow &row : g_builtins)
	{
		if (!row.is_path && spec == row.specifier)
		{
			*key = row.key;
			return true;
		}
	}
	if (!IsRelative(spec))
	{
		*why = g_bare_refusal;
		return false;
	}
	std::string joined;

	if (!JoinPath(referrer, spec, &joined))
	{
		*why = "the path leaves the deployment's root";
		return false;
	}
	std::vector<std::string> candidates = {joined};

	if (!HasExtension(joined))
		candidates.push_back(joined + ".js");
	/* a deployed module wins over a builtin of the same path */
	for (const std::string &cand : candidates)
	{
		if (c->modules.count(cand))
		{
			*key = cand;
			return true;
		}
	}
	for (const std::string &cand : candidates)
	{
		for (const BuiltinRow &row : g_builtins)
		{
			if (row.is_path && cand == row.specifier)
			{
				*key = row.key;
				return true;
			}
		}
	}
	*why = "no such module in the deployment";
	return false;
}

/* Source text of a builtin module, generated by the runtime. */
bool
BuiltinSource(Local<Context> ctx, const std::string &name, std::string *out)
{
	Isolate    *iso = ctx->GetIsolate();
	Local<Object> udf;
	Local<Function> fn;
	Local<Value> arg = V8Str(iso, name);
	Local<Value> src;

	if (!RuntimeFunction(ctx, "builtinModuleSource", &udf, &fn) ||
		!fn->Call(ctx, udf, 1, &arg).ToLocal(&src) || !src->IsString())
		return false;
	*out = ToStdString(iso, src);
	return true;
}

/*
 * Compile the module `key` and, recursively, every module it imports.
 * Errors name the module, line and column.
 */
UdfV8Status
CompileTree(UdfV8Context *c, Local<Context> ctx, const std::string &key, UdfV8Error *err)
{
	Isolate    *iso = ctx->GetIsolate();
	auto		it = c->modules.find(key);

	if (it == c->modules.end())
	{
		if (key.rfind(kBuiltinPrefix, 0) != 0)
		{
			SetError(err, UDF_V8_MODULE_ERROR, "module \"" + key + "\" is not in the deployment");
			return err->status;
		}
		ModuleEntry e;

		e.builtin = true;
		if (!BuiltinSource(ctx, key.substr(strlen(kBuiltinPrefix)), &e.source))
		{
			SetError(err, UDF_V8_INTERNAL, "the runtime has no builtin module " + key);
			return err->status;
		}
		it = c->modules.emplace(key, std::move(e)).first;
	}
	if (!it->second.module.IsEmpty())
		return UDF_V8_OK;

	TryCatch	tc(iso);
	ScriptOrigin origin(iso, V8Str(iso, key), 0, 0, false, -1, Local<Value>(), false, false, true);
	const std::string &cache_key = it->second.cache_key;
	std::string cached;
	bool		damaged = false;
	ScriptCompiler::CachedData *cached_data = nullptr;

	if (!cache_key.empty() && CodeCacheLookup(cache_key, &cached, &damaged))
		cached_data = new ScriptCompiler::CachedData(reinterpret_cast<const uint8_t *>(cached.data()),
													 static_cast<int>(cached.size()));
	/* the source owns cached_data (not its bytes, which stay in cached) */
	ScriptCompiler::Source source(V8Str(iso, it->second.source), origin, cached_data);
	Local<Module> mod;

	if (!ScriptCompiler::CompileModule(iso, &source,
									   cached_data ? ScriptCompiler::kConsumeCodeCache
									   : ScriptCompiler::kNoCompileOptions).ToLocal(&mod))
	{
		if (!tc.HasCaught() || tc.HasTerminated())
		{
			DescribeException(ctx, tc, UDF_V8_TERMINATED, err);
			return err->status;
		}
		/* a syntax error has no useful stack: V8's own text and the location */
		Local<Message> msg = tc.Message();

		memset(err, 0, sizeof(*err));
		err->status = UDF_V8_SYNTAX_ERROR;
		err->message = HostStrdup(iso, tc.Exception());
		err->module = HostStrdup(key);
		if (!msg.IsEmpty())
		{
			err->line = msg->GetLineNumber(ctx).FromMaybe(0);
			err->column = msg->GetStartColumn(ctx).FromMaybe(-1) + 1;
		}
		return err->status;
	}
	if (!cache_key.empty())
	{
		bool		rejected = damaged || (cached_data && source.GetCachedData()->rejected);

		CodeCacheCount(cached_data != nullptr, rejected);
		if (rejected)
			CodeCacheDrop(cache_key);
		if (!cached_data || rejected)
		{
			/* made before instantiation, as V8 requires: the module's top level */
			std::unique_ptr<ScriptCompiler::CachedData> made(
				ScriptCompiler::CreateCodeCache(mod->GetUnboundModuleScript()));

			if (made && made->length > 0)
				CodeCacheStore(cache_key, made->data, static_cast<size_t>(made->length));
		}
	}
	it->second.module.Reset(iso, mod);
	it->second.evaluated = false;
	c->paths_by_hash.emplace(mod->GetIdentityHash(), key);

	Local<FixedArray> requests = mod->GetModuleRequests();

	for (int i = 0; i < requests->Length(); i++)
	{
		Local<ModuleRequest> req = requests->Get(ctx, i).As<ModuleRequest>();
		std::string spec = ToStdString(iso, req->GetSpecifier());
		std::string dep;
		std::string why;

		if (!ResolveSpecifier(c, key, spec, &dep, &why))
		{
			Location	loc = mod->SourceOffsetToLocation(req->GetSourceOffset());

			memset(err, 0, sizeof(*err));
			err->status = UDF_V8_MODULE_ERROR;
			err->message = HostStrdup("cannot import \"" + spec + "\" from \"" + key + "\": " + why);
			err->module = HostStrdup(key);
			err->line = loc.GetLineNumber() + 1;
			err->column = loc.GetColumnNumber() + 1;
			return err->status;
		}
		UdfV8Status st = CompileTree(c, ctx, dep, err);

		if (st != UDF_V8_OK)
			return st;
	}
	return UDF_V8_OK;
}

/* Instantiation-time resolver: every module was compiled by CompileTree already. */
MaybeLocal<Module>
ResolveCallback(Local<Context> ctx, Local<String> specifier,
				Local<FixedArray> import_assertions, Local<Module> referrer)
{
	Isolate    *iso = ctx->GetIsolate();
	UdfV8Context *c = OwnerOf(ctx);
	std::string referrer_key;
	auto		range = c->paths_by_hash.equal_range(referrer->GetIdentityHash());

	for (auto it = range.first; it != range.second; ++it)
	{
		if (c->modules[it->second].module.Get(iso) == referrer)
		{
			referrer_key = it->second;
			break;
		}
	}
	std::string spec = ToStdString(iso, specifier);
	std::string key;
	std::string why;

	if (ResolveSpecifier(c, referrer_key, spec, &key, &why))
	{
		auto		it = c->modules.find(key);

		if (it != c->modules.end() && !it->second.module.IsEmpty())
			return it->second.module.Get(iso);
	}
	iso->ThrowException(Exception::Error(V8Str(iso, "cannot import \"" + spec + "\": " + why)));
	return MaybeLocal<Module>();
}

/* Compile, instantiate and evaluate the module at path, inside an entry. */
UdfV8Status
LoadModuleImpl(UdfV8Context *c, const char *path, UdfV8Error *err)
{
	Isolate    *iso = g_isolate;
	Isolate::Scope is(iso);
	HandleScope hs(iso);
	Local<Context> ctx = c->context.Get(iso);
	Context::Scope cs(ctx);
	EntryToken	token(iso, ctx, c);
	std::string key(path);

	memset(err, 0, sizeof(*err));
	if (!c->modules.count(key))
	{
		SetError(err, UDF_V8_MODULE_ERROR, "module \"" + key + "\" is not in the deployment");
		return err->status;
	}
	UdfV8Status st = CompileTree(c, ctx, key, err);

	if (st != UDF_V8_OK)
		return st;
	Local<Module> mod = c->modules[key].module.Get(iso);

	if (mod->GetStatus() == Module::kEvaluated)
		return UDF_V8_OK;
	if (mod->GetStatus() == Module::kErrored)
	{
		DescribeValue(ctx, mod->GetException(), Local<Message>(), UDF_V8_MODULE_ERROR, err);
		return err->status;
	}

	TryCatch	tc(iso);

	if (mod->GetStatus() == Module::kUninstantiated &&
		!mod->InstantiateModule(ctx, ResolveCallback).FromMaybe(false))
	{
		DescribeException(ctx, tc, UDF_V8_MODULE_ERROR, err);
		return err->status;
	}
	std::string unfinished = "module \"" + key +
		"\" did not finish evaluating (a top-level await never settled)";
	Local<Value> result;
	MaybeLocal<Value> evaluated;

	/*
	 * V8 10.2 aborts the process (CHECK module->status() == kErrored) when a
	 * termination lands after Module::Evaluate's first interrupt check and
	 * before the root module is marked evaluating: a window of a few
	 * instructions, no JS in it. The watchdog holds its stops for 1 ms
	 * meanwhile; a stop asked for earlier is still taken at the first check.
	 */
	WatchdogHold(kEvaluatePrologueHoldNs);
	evaluated = mod->Evaluate(ctx);
	WatchdogHold(0);
	return Settle(ctx, c->microtasks.get(), tc, evaluated, UDF_V8_MODULE_ERROR,
				  unfinished.c_str(), &result, err);
}

} /* namespace */

namespace udf_shim
{

/* The module of path in context c, or nullptr; the last one found is kept at hand. */
ModuleEntry *
FindModule(UdfV8Context *c, const char *path)
{
	if (c->last_module && strcmp(c->last_module_path.c_str(), path) == 0)
		return c->last_module;
	auto		it = c->modules.find(path);

	if (it == c->modules.end())
		return nullptr;
	c->last_module_path = path;
	c->last_module = &it->second;
	return c->last_module;
}

/* Take the host's module-resolution policy (copied). */
void
SetBuiltinModules(const UdfV8BuiltinModule *table, int n)
{
	std::vector<std::string> bare;

	g_builtins.clear();
	for (int i = 0; i < n; i++)
	{
		g_builtins.push_back({table[i].specifier, std::string(kBuiltinPrefix) + table[i].name,
							  table[i].is_path});
		if (!table[i].is_path)
			bare.push_back(std::string("\"") + table[i].specifier + "\"");
	}
	/* e.g. only relative imports, "convex/server" and "convex/values" can be imported */
	g_bare_refusal = "only relative imports";
	for (size_t i = 0; i < bare.size(); i++)
		g_bare_refusal += (i + 1 == bare.size() ? " and " : ", ") + bare[i];
	g_bare_refusal += " can be imported";
}

/* import() is refused, as Convex refuses it: every import must be static. */
MaybeLocal<Promise>
RefuseDynamicImport(Local<Context> ctx, Local<Data> options, Local<Value> resource,
					Local<String> specifier, Local<FixedArray> assertions)
{
	Isolate    *iso = ctx->GetIsolate();
	Local<Promise::Resolver> resolver;

	if (!Promise::Resolver::New(ctx).ToLocal(&resolver))
		return MaybeLocal<Promise>();
	std::string spec = ToStdString(iso, specifier);

	if (resolver->Reject(ctx, Exception::TypeError(V8Str(iso,
		"udf does not support dynamic import(\"" + spec + "\"): import modules statically"))).IsNothing())
		return MaybeLocal<Promise>();
	return resolver->GetPromise();
}

} /* namespace udf_shim */

/* Register a module's source (not compiled until loaded). */
extern "C" void
udf_v8_context_add_module(UdfV8Context *c, const char *path, const char *source, size_t source_len,
						  const char *source_map, size_t map_len, const char *cache_key)
{
	ModuleEntry e;

	e.source.assign(source, source_len);
	if (cache_key)
		e.cache_key = cache_key;
	if (source_map)
		e.source_map.assign(source_map, map_len);
	c->modules[path] = std::move(e);
}

/* True if the module was compiled, linked and evaluated in this context. */
extern "C" bool
udf_v8_module_ready(UdfV8Context *c, const char *path)
{
	ModuleEntry *m = FindModule(c, path);

	if (m == nullptr || m->module.IsEmpty())
		return false;
	/* an evaluated module stays evaluated: every call after the first asks no V8 */
	if (m->evaluated)
		return true;
	Isolate::Scope is(g_isolate);
	HandleScope hs(g_isolate);

	m->evaluated = m->module.Get(g_isolate)->GetStatus() == Module::kEvaluated;
	return m->evaluated;
}

/* Compile, link and evaluate a module and its imports, once: a top-level entry. */
extern "C" UdfV8Status
udf_v8_load_module(UdfV8Context *c, const char *path, UdfV8Error *err)
{
	EnterCall();
	return LeaveCall(LoadModuleImpl(c, path, err), err);
}
