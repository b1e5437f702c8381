// Locking rules written in the code, checked by Clang's -Wthread-safety (no-ops on GCC).
#pragma once

#if defined(__clang__)
#define LOYALTY_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define LOYALTY_THREAD_ANNOTATION(x)
#endif

// The member may only be touched with `mutex` held.
#define GUARDED_BY(mutex) LOYALTY_THREAD_ANNOTATION(guarded_by(mutex))
// The function must be called with `...` held.
#define REQUIRES(...) LOYALTY_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
