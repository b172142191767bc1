/*
 * fetch_policy.c -- which hosts and addresses an action's fetch may reach.
 *
 * udf.fetch_allowed_hosts (superuser only, default empty: no host) is a
 * comma-separated list of entries:
 *   example.com        that host, on any port
 *   *.example.com      any host under example.com (not example.com itself)
 *   example.com:8443   that host on that port only
 *   127.0.0.1:56650    an address literal (IPv6 in brackets: [::1]:8080)
 *   *                  any host
 * Only http and https are fetched. A URL's host is checked before the
 * request starts and again for every redirect (fetch.c follows redirects
 * itself, one hop at a time).
 *
 * Addresses are checked after DNS resolution, on the socket curl is about to
 * connect (CURLOPT_OPENSOCKETFUNCTION), so a name that resolves -- or is
 * rebound -- to an inner address is caught where it matters: loopback,
 * private (RFC 1918, unique-local), link-local (which holds the cloud
 * metadata address 169.254.169.254), carrier-grade NAT, unspecified,
 * multicast and broadcast addresses are refused, unless an entry names the
 * URL's host exactly (not through a wildcard or "*"): reaching an inner
 * service takes an explicit entry for it, such as 127.0.0.1:8080.
 *
 * Messages name the host refused and the setting to change. The URL check
 * may raise (palloc); the address check runs inside curl's callback, where
 * nothing may raise, so it formats into the caller's buffer.
 */
#include "udf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>

#include "fetch.h"
#include "utils/guc.h"
#include "utils/varlena.h"

static char *fetch_allowed_hosts = NULL;

static bool HostMatches(const char *pattern, const char *host, bool *exact);
static bool InnerV4(uint32 a);
static bool InnerV6(const struct in6_addr *a);

/* Register udf.fetch_allowed_hosts. */
void
FetchPolicyInit(void)
{
	DefineCustomStringVariable("udf.fetch_allowed_hosts",
							   "Hosts that fetch() in actions may reach.",
							   "A comma-separated list of host, *.domain, host:port and * entries; "
							   "empty (the default) allows no host. Loopback, private and link-local "
							   "addresses are refused unless an entry names the address itself.",
							   &fetch_allowed_hosts,
							   "",
							   PGC_SUSET, GUC_LIST_INPUT,
							   NULL, NULL, NULL);
}

/* Does one allowlist host pattern match host? *exact: it named the host itself. */
static bool
HostMatches(const char *pattern, const char *host, bool *exact)
{
	size_t		hl = strlen(host);

	*exact = false;
	if (strcmp(pattern, "*") == 0)
		return true;
	if (strncmp(pattern, "*.", 2) == 0)
	{
		size_t		sl = strlen(pattern + 1);	/* ".example.com" */

		return hl > sl && pg_strcasecmp(host + hl - sl, pattern + 1) == 0;
	}
	*exact = pg_strcasecmp(pattern, host) == 0;
	return *exact;
}

/*
 * Why a URL may not be fetched, or NULL. host is curl's form (IPv6 in
 * brackets), port the effective one. *private_ok: an entry names this host
 * exactly, so an inner address is allowed for it.
 */
char *
FetchPolicyCheckUrl(const char *scheme, const char *host, int port, bool *private_ok)
{
	char	   *raw;
	List	   *entries = NIL;
	ListCell   *lc;

	*private_ok = false;
	if (pg_strcasecmp(scheme, "http") != 0 && pg_strcasecmp(scheme, "https") != 0)
		return psprintf("fetch refused the URL scheme \"%s:\": only http and https are supported", scheme);
	raw = pstrdup(fetch_allowed_hosts ? fetch_allowed_hosts : "");
	if (!SplitGUCList(raw, ',', &entries))
		return psprintf("fetch refused host \"%s\": udf.fetch_allowed_hosts is not a valid list", host);
	foreach(lc, entries)
	{
		char	   *entry = pstrdup(lfirst(lc));
		char	   *colon = entry[0] == '[' ? strstr(entry, "]:") : strrchr(entry, ':');
		int			want_port = 0;
		bool		exact;

		if (colon)
		{
			if (entry[0] == '[')
				colon++;
			*colon = '\0';
			want_port = atoi(colon + 1);
		}
		if (HostMatches(entry, host, &exact) && (want_port == 0 || want_port == port))
		{
			*private_ok = exact;
			return NULL;
		}
	}
	return psprintf("fetch refused host \"%s\" (port %d): it is not in udf.fetch_allowed_hosts", host, port);
}

/* An IPv4 address (host order) in a range fetch refuses unless named. */
static bool
InnerV4(uint32 a)
{
	return (a >> 24) == 0 ||	/* 0.0.0.0/8 */
		(a >> 24) == 10 ||		/* 10/8 */
		(a >> 24) == 127 ||		/* loopback */
		(a >> 22) == ((100 << 2) | 1) ||	/* 100.64/10, carrier-grade NAT */
		(a >> 16) == ((169 << 8) | 254) ||	/* link-local, cloud metadata */
		(a >> 20) == ((172 << 4) | 1) ||	/* 172.16/12 */
		(a >> 16) == ((192 << 8) | 168) ||	/* 192.168/16 */
		(a >> 28) >= 14;		/* multicast, reserved, broadcast */
}

/* An IPv6 address in a range fetch refuses unless named (v4-mapped: as IPv4). */
static bool
InnerV6(const struct in6_addr *a)
{
	const uint8 *b = a->s6_addr;
	static const uint8 zero[16];

	if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a))
		return InnerV4(((uint32) b[12] << 24) | ((uint32) b[13] << 16) | ((uint32) b[14] << 8) | b[15]) ||
			memcmp(b, zero, 16) == 0;
	return IN6_IS_ADDR_LOOPBACK(a) || memcmp(b, zero, 16) == 0 ||
		(b[0] & 0xfe) == 0xfc ||	/* fc00::/7 unique local (fd00:ec2::254 metadata) */
		(b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||	/* fe80::/10 link-local */
		b[0] == 0xff;			/* multicast */
}

/* May a connection to addr be made for host? If not, why (in why[whylen]); never raises. */
bool
FetchPolicyCheckAddress(const struct sockaddr *addr, const char *host, bool private_ok,
						char *why, size_t whylen)
{
	char		text[INET6_ADDRSTRLEN] = "?";
	bool		inner;

	if (addr->sa_family == AF_INET)
	{
		const struct sockaddr_in *in = (const struct sockaddr_in *) addr;

		inner = InnerV4(ntohl(in->sin_addr.s_addr));
		inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
	}
	else if (addr->sa_family == AF_INET6)
	{
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) addr;

		inner = InnerV6(&in6->sin6_addr);
		inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
	}
	else
	{
		snprintf(why, whylen, "fetch refused host \"%s\": it resolved to an address that is not IP", host);
		return false;
	}
	if (!inner || private_ok)
		return true;
	snprintf(why, whylen, "fetch refused host \"%s\": it resolved to %s, a loopback, private or link-local "
			 "address, which is reached only through an entry of udf.fetch_allowed_hosts naming the host "
			 "exactly (not a wildcard)", host, text);
	return false;
}
