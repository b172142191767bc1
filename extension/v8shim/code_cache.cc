/*
 * code_cache.cc -- compiled module code, cached by source hash.
 *
 * V8 code caches let a module skip parsing and compiling its top level. They
 * are kept in process memory (every context of a backend compiles the same
 * modules) and, when the host names a folder, in one file per source hash so
 * a fresh backend starts from them too. Files are written whole under a
 * temporary name and renamed, so a reader never sees half a file, and carry
 * a hash of their content, checked before V8 sees them; V8 checks each cache
 * against its own version, flags and the source. A damaged or refused cache
 * is dropped and made again.
 *
 * Plain POSIX file calls: nothing here calls PostgreSQL.
 */
#include "code_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unordered_map>

#include "udf_v8.h"

namespace
{

/* Bytes of code kept in memory at most; past it the map starts over. */
constexpr size_t kMaxMemoryBytes = 64 * 1024 * 1024;

std::string g_dir;				/* empty: memory only */
std::unordered_map<std::string, std::string> *g_memory;
size_t		g_memory_bytes = 0;
UdfV8CodeCacheStats g_stats;

std::unordered_map<std::string, std::string> &
Memory(void)
{
	if (!g_memory)
		g_memory = new std::unordered_map<std::string, std::string>();
	return *g_memory;
}

/* A file: this magic, an FNV-1a hash of the code, the code (V8 may not check it itself). */
constexpr char kMagic[8] = {'u', 'd', 'f', 'c', 'c', '0', '0', '1'};
constexpr size_t kHeaderBytes = 16;

uint64_t
Fnv1a(const char *data, size_t len)
{
	uint64_t	h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++)
	{
		h ^= static_cast<unsigned char>(data[i]);
		h *= 1099511628211ULL;
	}
	return h;
}

std::string
FileFor(const std::string &key)
{
	return g_dir + "/" + key + ".v8cache";
}

bool
ReadFile(const std::string &path, std::string *out)
{
	int			fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > (off_t) kMaxMemoryBytes)
	{
		close(fd);
		return false;
	}
	out->resize(static_cast<size_t>(st.st_size));
	size_t		done = 0;

	while (done < out->size())
	{
		ssize_t		n = read(fd, &(*out)[done], out->size() - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += static_cast<size_t>(n);
	}
	close(fd);
	return done == out->size();
}

void
WriteFile(const std::string &path, const uint8_t *code, size_t code_len)
{
	std::string tmp = path + ".tmp" + std::to_string(getpid());
	int			fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	std::string content(kMagic, sizeof(kMagic));
	uint64_t	hash = Fnv1a(reinterpret_cast<const char *>(code), code_len);
	const char *data;
	size_t		len;
	size_t		done = 0;

	if (fd < 0)
		return;
	content.append(reinterpret_cast<const char *>(&hash), sizeof(hash));
	content.append(reinterpret_cast<const char *>(code), code_len);
	data = content.data();
	len = content.size();
	while (done < len)
	{
		ssize_t		n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += static_cast<size_t>(n);
	}
	/* a cache is only an optimisation: any failure just leaves no file */
	if (close(fd) != 0 || done != len || rename(tmp.c_str(), path.c_str()) != 0)
		unlink(tmp.c_str());
}

void
Remember(const std::string &key, std::string data)
{
	auto	   &memory = Memory();
	auto		old = memory.find(key);

	if (old != memory.end())
	{
		g_memory_bytes -= old->second.size();
		memory.erase(old);
	}
	if (g_memory_bytes + data.size() > kMaxMemoryBytes)
	{
		memory.clear();
		g_memory_bytes = 0;
	}
	g_memory_bytes += data.size();
	memory[key] = std::move(data);
}

}								/* namespace */

bool
CodeCacheLookup(const std::string &key, std::string *data, bool *damaged)
{
	auto	   &memory = Memory();
	auto		it = memory.find(key);
	std::string file;
	uint64_t	hash;

	*damaged = false;
	if (it != memory.end())
	{
		*data = it->second;
		return true;
	}
	if (g_dir.empty() || !ReadFile(FileFor(key), &file))
		return false;
	if (file.size() <= kHeaderBytes || memcmp(file.data(), kMagic, sizeof(kMagic)) != 0)
	{
		*damaged = true;
		return false;
	}
	memcpy(&hash, file.data() + sizeof(kMagic), sizeof(hash));
	if (hash != Fnv1a(file.data() + kHeaderBytes, file.size() - kHeaderBytes))
	{
		*damaged = true;
		return false;
	}
	*data = file.substr(kHeaderBytes);
	Remember(key, *data);
	return true;
}

void
CodeCacheStore(const std::string &key, const uint8_t *data, size_t len)
{
	Remember(key, std::string(reinterpret_cast<const char *>(data), len));
	g_stats.written++;
	if (!g_dir.empty())
		WriteFile(FileFor(key), data, len);
}

void
CodeCacheDrop(const std::string &key)
{
	auto	   &memory = Memory();
	auto		it = memory.find(key);

	if (it != memory.end())
	{
		g_memory_bytes -= it->second.size();
		memory.erase(it);
	}
	if (!g_dir.empty())
		unlink(FileFor(key).c_str());
}

void
CodeCacheCount(bool hit, bool rejected)
{
	if (rejected)
		g_stats.rejected++;
	else if (hit)
		g_stats.hits++;
	else
		g_stats.misses++;
}

extern "C" void
udf_v8_set_code_cache_dir(const char *dir)
{
	g_dir = dir ? dir : "";
}

extern "C" void
udf_v8_code_cache_stats(UdfV8CodeCacheStats *stats)
{
	*stats = g_stats;
}
