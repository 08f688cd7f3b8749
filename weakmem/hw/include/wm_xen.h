/* wm_xen.h -- the Xen hypervisor's atomics and barriers as Xen defines them
 * for x86 (xen/arch/x86/include/asm/system.h and atomic.h,
 * xen/include/xen/compiler.h), written for weakmem from those definitions:
 * read_atomic/write_atomic are single MOVs through a volatile pointer,
 * ACCESS_ONCE a volatile lvalue, smp_mb() is MFENCE, smp_rmb()/smp_wmb()
 * compiler barriers, xchg/cmpxchg and the atomic_t RMWs LOCK'd instructions.
 */
#ifndef WM_XEN_H
#define WM_XEN_H
#include "wm_x86_atomic.h"

#define smp_mb() __asm__ __volatile__("mfence" ::: "memory")
#define smp_rmb() barrier()
#define smp_wmb() barrier()
#define smp_mb__before_atomic() barrier()
#define smp_mb__after_atomic() barrier()

#define ACCESS_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define read_atomic(p) (*(const volatile __typeof__(*(p)) *)(p))
#define write_atomic(p, x) do { *(volatile __typeof__(*(p)) *)(p) = (x); } while (0)
#define add_sized(p, x) do { write_atomic(p, read_atomic(p) + (x)); } while (0)

/* xchg, cmpxchg and the atomic_t RMWs: wm_x86_atomic.h */
#define arch_fetch_and_add(ptr, v) __wm_xadd(ptr, v)

#define rcu_dereference(p) (p)
#define rcu_assign_pointer(p, v) do { smp_wmb(); (p) = (v); } while (0)

#define atomic_read(v) read_atomic(&__wm_ctr(v))
#define atomic_set(v, i) write_atomic(&__wm_ctr(v), (i))
/* returns the old value, as Xen's does */
#define atomic_add_unless(v, a, u) ({ int __wm_c = atomic_read(v), __wm_o; \
	while (__wm_c != (u) && (__wm_o = atomic_cmpxchg(v, __wm_c, __wm_c + (a))) != __wm_c) __wm_c = __wm_o; __wm_c; })

#endif
