/* wm_linux.h -- the Linux kernel's memory-model API as the kernel defines it
 * for x86-64, written for weakmem from the kernel's documented definitions
 * (include/asm-generic/rwonce.h, arch/x86/include/asm/barrier.h,
 * cmpxchg.h, atomic.h; tools/memory-model/linux-kernel.def for the list of
 * names).  On x86-64: READ_ONCE/WRITE_ONCE are volatile accesses; smp_mb()
 * is a LOCK'd add to the stack (the kernel's choice since 4.15, cheaper than
 * MFENCE); smp_rmb()/smp_wmb() and the acquire/release accesses are
 * compiler barriers around plain moves (TSO orders them already); every
 * value-returning atomic is a LOCK'd instruction, hence fully ordered.
 */
#ifndef WM_LINUX_H
#define WM_LINUX_H
#include "wm_x86_atomic.h"

typedef int spinlock_t;
struct srcu_struct { int dummy; };

#define cpu_relax() __asm__ __volatile__("pause" ::: "memory")

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val) do { *(volatile __typeof__(x) *)&(x) = (val); } while (0)

#define smp_mb() __asm__ __volatile__("lock; addl $0,-4(%%rsp)" ::: "memory", "cc")
#define smp_rmb() barrier()
#define smp_wmb() barrier()
#define smp_mb__before_atomic() barrier()
#define smp_mb__after_atomic() barrier()
#define smp_mb__after_spinlock() do { } while (0)
#define smp_mb__after_unlock_lock() do { } while (0)

#define smp_store_release(p, v) do { barrier(); WRITE_ONCE(*(p), (v)); } while (0)
#define smp_load_acquire(p) ({ __typeof__(*(p)) ___p1 = READ_ONCE(*(p)); barrier(); ___p1; })

/* xchg, cmpxchg and the atomic_t RMWs: wm_x86_atomic.h */
#define xchg_relaxed(ptr, v) xchg(ptr, v)
#define xchg_acquire(ptr, v) xchg(ptr, v)
#define xchg_release(ptr, v) xchg(ptr, v)
#define smp_store_mb(var, value) do { (void)xchg(&(var), (value)); } while (0)

#define cmpxchg_relaxed(ptr, o, n) cmpxchg(ptr, o, n)
#define cmpxchg_acquire(ptr, o, n) cmpxchg(ptr, o, n)
#define cmpxchg_release(ptr, o, n) cmpxchg(ptr, o, n)

/* atomic_t: `counter` is the first member, so an int * works too */
#define atomic_read(v) READ_ONCE(__wm_ctr(v))
#define atomic_read_acquire(v) smp_load_acquire(&__wm_ctr(v))
#define atomic_set(v, i) WRITE_ONCE(__wm_ctr(v), (i))
#define atomic_set_release(v, i) smp_store_release(&__wm_ctr(v), (i))
#define atomic_fetch_add(i, v) __wm_xadd(&__wm_ctr(v), (int)(i))
#define atomic_fetch_sub(i, v) atomic_fetch_add(-(i), v)
#define atomic_fetch_inc(v) atomic_fetch_add(1, v)
#define atomic_fetch_dec(v) atomic_fetch_add(-1, v)
#define atomic_fetch_add_relaxed atomic_fetch_add
#define atomic_fetch_add_acquire atomic_fetch_add
#define atomic_fetch_add_release atomic_fetch_add
#define atomic_fetch_sub_relaxed atomic_fetch_sub
#define atomic_fetch_sub_acquire atomic_fetch_sub
#define atomic_fetch_sub_release atomic_fetch_sub
#define atomic_fetch_inc_relaxed atomic_fetch_inc
#define atomic_fetch_inc_acquire atomic_fetch_inc
#define atomic_fetch_inc_release atomic_fetch_inc
#define atomic_fetch_dec_relaxed atomic_fetch_dec
#define atomic_fetch_dec_acquire atomic_fetch_dec
#define atomic_fetch_dec_release atomic_fetch_dec
#define atomic_add_return_relaxed atomic_add_return
#define atomic_add_return_acquire atomic_add_return
#define atomic_add_return_release atomic_add_return
#define atomic_sub_return_relaxed atomic_sub_return
#define atomic_sub_return_acquire atomic_sub_return
#define atomic_sub_return_release atomic_sub_return
#define atomic_inc_return_relaxed atomic_inc_return
#define atomic_inc_return_acquire atomic_inc_return
#define atomic_inc_return_release atomic_inc_return
#define atomic_dec_return_relaxed atomic_dec_return
#define atomic_dec_return_acquire atomic_dec_return
#define atomic_dec_return_release atomic_dec_return
#define atomic_xchg_relaxed atomic_xchg
#define atomic_xchg_acquire atomic_xchg
#define atomic_xchg_release atomic_xchg
#define atomic_cmpxchg_relaxed atomic_cmpxchg
#define atomic_cmpxchg_acquire atomic_cmpxchg
#define atomic_cmpxchg_release atomic_cmpxchg

/* adds a to *v unless *v is u; says whether it added (a cmpxchg loop, fully
 * ordered when it adds) */
#define atomic_add_unless(v, a, u) ({ int __wm_c = atomic_read(v), __wm_o; \
	while (__wm_c != (u) && (__wm_o = atomic_cmpxchg(v, __wm_c, __wm_c + (a))) != __wm_c) __wm_c = __wm_o; \
	__wm_c != (u); })
#define atomic_inc_not_zero(v) atomic_add_unless(v, 1, 0)

/* spinlocks: a test-and-set lock (the kernel's queued spinlock has the same
 * ordering on x86: a LOCK'd RMW to take it, a release store to drop it) */
#define spin_lock(l) do { while (xchg((int *)(l), 1)) cpu_relax(); } while (0)
#define spin_trylock(l) (!xchg((int *)(l), 1))
#define spin_unlock(l) smp_store_release((int *)(l), 0)
#define spin_is_locked(l) (READ_ONCE(*(int *)(l)) != 0)

/* RCU readers on a non-preemptible kernel: compiler barriers */
#define rcu_read_lock() barrier()
#define rcu_read_unlock() barrier()
#define rcu_dereference(p) READ_ONCE(p)
#define rcu_assign_pointer(p, v) smp_store_release(&(p), (v))
/* SRCU readers: the kernel's __srcu_read_lock() ends with smp_mb(),
 * __srcu_read_unlock() starts with one */
#define srcu_read_lock(s) ({ (void)(s); smp_mb(); 0; })
#define srcu_read_unlock(s, idx) do { (void)(s); (void)(idx); smp_mb(); } while (0)
#define smp_mb__after_srcu_read_unlock() barrier()
/* synchronize_rcu() waits for every reader of the whole system: the harness
 * has no grace-period machinery, so tests calling it are refused before
 * they get here (see weakmem/hw/cthread.py). */

#endif
