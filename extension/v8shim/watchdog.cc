/*
 * watchdog.cc -- stops running JavaScript on cancel, timeout or shutdown.
 *
 * One thread per backend, created with every signal blocked the first time
 * V8 starts; nothing is created or installed per call. While a call runs
 * ("armed"), the thread wakes every 2 ms and asks the host whether
 * PostgreSQL has an interrupt pending (pg_cancel_backend, statement_timeout,
 * pg_terminate_backend and postmaster shutdown all end up as such flags,
 * set by PostgreSQL's own signal handlers on the backend's main thread), and
 * compares the clock with the call's deadline. Either way it calls
 * Isolate::TerminateExecution, which JavaScript cannot catch.
 *
 * Arming is a few atomic stores; the thread keeps polling for a second after
 * the last call so that busy sessions never pay for a wake-up, then sleeps on
 * a condition variable until the next call. Disarming takes the mutex the
 * thread fires under, so a termination requested just as a call finished is
 * cancelled rather than leaking into the next call.
 *
 * Time spent in host syscalls (SPI) is not counted against the deadline, as
 * Convex counts only user JavaScript time; statement_timeout covers the rest.
 *
 * The objects below are heap-allocated and never freed: a backend exits
 * through exit(), and destroying a mutex or condition variable that the
 * thread still waits on would be undefined behaviour.
 */
#include "watchdog.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace
{

constexpr int64_t kPollNs = 2 * 1000 * 1000;
constexpr int64_t kIdleBeforeSleepNs = 1000LL * 1000 * 1000;

struct WatchdogState
{
	std::mutex	mu;
	std::condition_variable cv;
	std::atomic<bool> armed{false};
	std::atomic<bool> sleeping{false};
	std::atomic<int64_t> deadline_ns{0};	/* 0: no deadline */
	std::atomic<int64_t> paused_at_ns{0};	/* 0: not paused */
	std::atomic<int64_t> hold_until_ns{0};	/* no termination before then */
	std::atomic<bool> stop_requested{false};	/* the shim asked for a stop */
	std::atomic<int> fired{UDF_WATCHDOG_NONE};
	bool		(*interrupt_pending) (void) = nullptr;
	void		(*terminate) (void) = nullptr;
};

WatchdogState *g_state = nullptr;

int64_t
NowNs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

/* Under mu: stop the running JS for reason, once per call. */
void
Fire(WatchdogState *s, int reason)
{
	if (!s->armed.load() || s->fired.load() != UDF_WATCHDOG_NONE)
		return;
	s->fired.store(reason);
	s->terminate();
}

void *
WatchdogMain(void *arg)
{
	WatchdogState *s = static_cast<WatchdogState *>(arg);
	int64_t		idle_since = NowNs();

	for (;;)
	{
		struct timespec pause = {0, kPollNs};

		nanosleep(&pause, nullptr);
		if (!s->armed.load())
		{
			if (NowNs() - idle_since < kIdleBeforeSleepNs)
				continue;
			std::unique_lock<std::mutex> lk(s->mu);

			s->sleeping.store(true);
			while (!s->armed.load())
				s->cv.wait(lk);
			s->sleeping.store(false);
			continue;
		}
		idle_since = NowNs();
		if (s->paused_at_ns.load() != 0)
			continue;

		int			reason = UDF_WATCHDOG_NONE;
		int64_t		deadline = s->deadline_ns.load();

		if (s->interrupt_pending() || s->stop_requested.load())
			reason = UDF_WATCHDOG_INTERRUPT;
		else if (deadline != 0 && NowNs() > deadline)
			reason = UDF_WATCHDOG_TIMEOUT;
		/* a hold defers the stop to a later poll; the reason will still be there */
		if (reason != UDF_WATCHDOG_NONE && NowNs() >= s->hold_until_ns.load())
		{
			std::lock_guard<std::mutex> lk(s->mu);

			Fire(s, reason);
		}
	}
	return nullptr;
}

} /* namespace */

bool
WatchdogStart(bool (*interrupt_pending) (void), void (*terminate) (void))
{
	sigset_t	all;
	sigset_t	old;
	pthread_t	thread;
	pthread_attr_t attr;
	int			rc;

	if (g_state)
		return true;
	g_state = new WatchdogState();
	g_state->interrupt_pending = interrupt_pending;
	g_state->terminate = terminate;
	/* PostgreSQL's signal handlers must only ever run on the main thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	rc = pthread_create(&thread, &attr, WatchdogMain, g_state);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, nullptr);
	if (rc != 0)
	{
		delete g_state;
		g_state = nullptr;
		return false;
	}
	return true;
}

void
WatchdogArm(double timeout_ms)
{
	WatchdogState *s = g_state;

	/* plain stores: the seq_cst store of armed publishes them to the thread */
	s->fired.store(UDF_WATCHDOG_NONE, std::memory_order_relaxed);
	s->paused_at_ns.store(0, std::memory_order_relaxed);
	s->hold_until_ns.store(0, std::memory_order_relaxed);
	s->stop_requested.store(false, std::memory_order_relaxed);
	s->deadline_ns.store(timeout_ms > 0 ? NowNs() + static_cast<int64_t>(timeout_ms * 1e6) : 0,
						 std::memory_order_relaxed);
	s->armed.store(true);
	if (s->sleeping.load())
	{
		std::lock_guard<std::mutex> lk(s->mu);

		s->cv.notify_one();
	}
}

int
WatchdogDisarm(void)
{
	WatchdogState *s = g_state;
	std::lock_guard<std::mutex> lk(s->mu);

	s->armed.store(false);
	return s->fired.load();
}

void
WatchdogPause(void)
{
	if (g_state && g_state->armed.load())
		g_state->paused_at_ns.store(NowNs());
}

void
WatchdogResume(void)
{
	WatchdogState *s = g_state;
	int64_t		paused;

	if (!s || (paused = s->paused_at_ns.load()) == 0)
		return;
	int64_t		deadline = s->deadline_ns.load();

	if (deadline != 0)
		s->deadline_ns.store(deadline + (NowNs() - paused));
	s->paused_at_ns.store(0);
}

/* No termination from the watchdog for the next ns nanoseconds (0: lift the hold). */
void
WatchdogHold(int64_t ns)
{
	if (g_state)
		g_state->hold_until_ns.store(ns > 0 ? NowNs() + ns : 0);
}

/* Is a hold in force now? */
bool
WatchdogHolding(void)
{
	return g_state && NowNs() < g_state->hold_until_ns.load();
}

/* Stop the running call from the watchdog thread, once no hold is in force. */
void
WatchdogRequestStop(void)
{
	if (g_state)
		g_state->stop_requested.store(true);
}

int
WatchdogFired(void)
{
	return g_state ? g_state->fired.load() : UDF_WATCHDOG_NONE;
}
