/*
 * watchdog.h -- internal to the shim: the per-backend watchdog thread.
 */
#ifndef UDF_WATCHDOG_H
#define UDF_WATCHDOG_H

#include <stdint.h>

enum
{
	UDF_WATCHDOG_NONE = 0,
	UDF_WATCHDOG_INTERRUPT = 1,	/* PostgreSQL has an interrupt pending */
	UDF_WATCHDOG_TIMEOUT = 2	/* the call's deadline passed */
};

/* Start the thread once; false if it could not be created. */
bool		WatchdogStart(bool (*interrupt_pending) (void), void (*terminate) (void));
/* A top-level call begins; timeout_ms <= 0 means no deadline of our own. */
void		WatchdogArm(double timeout_ms);
/* The call ended; returns why it was stopped (UDF_WATCHDOG_*), if it was. */
int			WatchdogDisarm(void);
/* Host syscalls do not count against the deadline. */
void		WatchdogPause(void);
void		WatchdogResume(void);
int			WatchdogFired(void);
/*
 * Hold off terminations for ns nanoseconds (0 lifts it): V8 aborts the
 * process if a termination lands in the few instructions between
 * Module::Evaluate's first interrupt check and the root module's own.
 */
void		WatchdogHold(int64_t ns);
/* Ask the watchdog to stop the call as soon as no hold is in force. */
void		WatchdogRequestStop(void);
/* Is a hold in force? */
bool		WatchdogHolding(void);

#endif							/* UDF_WATCHDOG_H */
