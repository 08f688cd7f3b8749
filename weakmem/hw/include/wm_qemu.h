/* wm_qemu.h -- QEMU's include/qemu/atomic.h as QEMU builds it with GCC on
 * x86-64, written for weakmem from QEMU's documentation of its atomics
 * (docs/devel/atomics.rst) and the definitions it describes: accesses and
 * read-modify-writes are GCC __atomic builtins (relaxed for qatomic_read /
 * qatomic_set, sequentially consistent for the RMWs), barriers are
 * __atomic_thread_fence (smp_mb: SEQ_CST, smp_wmb/smp_mb_release: RELEASE,
 * smp_rmb/smp_mb_acquire: ACQUIRE -- compiler barriers on x86), RMW
 * barriers smp_mb__before_rmw/after_rmw are compiler barriers on x86 (its
 * RMWs are LOCK'd).
 */
#ifndef WM_QEMU_H
#define WM_QEMU_H
#include <stdint.h>

#define barrier() __asm__ __volatile__("" ::: "memory")
#define typeof_strip_qual(x) __typeof__(x)

#define smp_mb() ({ barrier(); __atomic_thread_fence(__ATOMIC_SEQ_CST); })
#define smp_mb_release() ({ barrier(); __atomic_thread_fence(__ATOMIC_RELEASE); })
#define smp_mb_acquire() ({ barrier(); __atomic_thread_fence(__ATOMIC_ACQUIRE); })
#define smp_wmb() smp_mb_release()
#define smp_rmb() smp_mb_acquire()
#define smp_read_barrier_depends() barrier()
#define smp_mb__before_rmw() barrier()
#define smp_mb__after_rmw() barrier()

#define qatomic_read__nocheck(ptr) __atomic_load_n(ptr, __ATOMIC_RELAXED)
#define qatomic_read(ptr) qatomic_read__nocheck(ptr)
#define qatomic_read_i(ptr) qatomic_read(ptr)
#define qatomic_read_u(ptr) qatomic_read(ptr)
#define qatomic_set__nocheck(ptr, i) __atomic_store_n(ptr, i, __ATOMIC_RELAXED)
#define qatomic_set(ptr, i) qatomic_set__nocheck(ptr, i)
#define qatomic_set_i(ptr, i) qatomic_set(ptr, i)
#define qatomic_set_u(ptr, i) qatomic_set(ptr, i)
#define qatomic_load_acquire(ptr) __atomic_load_n(ptr, __ATOMIC_ACQUIRE)
#define qatomic_store_release(ptr, i) __atomic_store_n(ptr, i, __ATOMIC_RELEASE)
/* consume is promoted to relaxed + a compiler barrier, as QEMU does */
#define qatomic_rcu_read(ptr) ({ __typeof__(*(ptr)) _val = __atomic_load_n(ptr, __ATOMIC_RELAXED); \
	smp_read_barrier_depends(); _val; })
#define qatomic_rcu_set(ptr, i) __atomic_store_n(ptr, i, __ATOMIC_RELEASE)
#define qatomic_set_mb(ptr, i) ({ (void)qatomic_xchg(ptr, i); smp_mb__after_rmw(); })

#define qatomic_xchg(ptr, i) ({ smp_mb__before_rmw(); __typeof__(*(ptr)) _x = \
	__atomic_exchange_n(ptr, i, __ATOMIC_SEQ_CST); smp_mb__after_rmw(); _x; })
#define qatomic_cmpxchg(ptr, old, new) ({ __typeof__(*(ptr)) _old = (old); smp_mb__before_rmw(); \
	__atomic_compare_exchange_n(ptr, &_old, new, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
	smp_mb__after_rmw(); _old; })

#define qatomic_fetch_add(ptr, n) __atomic_fetch_add(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_sub(ptr, n) __atomic_fetch_sub(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_and(ptr, n) __atomic_fetch_and(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_or(ptr, n) __atomic_fetch_or(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_xor(ptr, n) __atomic_fetch_xor(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_inc(ptr) qatomic_fetch_add(ptr, 1)
#define qatomic_fetch_dec(ptr) qatomic_fetch_sub(ptr, 1)
#define qatomic_add_fetch(ptr, n) __atomic_add_fetch(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_sub_fetch(ptr, n) __atomic_sub_fetch(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_and_fetch(ptr, n) __atomic_and_fetch(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_or_fetch(ptr, n) __atomic_or_fetch(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_xor_fetch(ptr, n) __atomic_xor_fetch(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_inc_fetch(ptr) qatomic_add_fetch(ptr, 1)
#define qatomic_dec_fetch(ptr) qatomic_sub_fetch(ptr, 1)
#define qatomic_inc(ptr) ((void)__atomic_fetch_add(ptr, 1, __ATOMIC_SEQ_CST))
#define qatomic_dec(ptr) ((void)__atomic_fetch_sub(ptr, 1, __ATOMIC_SEQ_CST))
#define qatomic_add(ptr, n) ((void)__atomic_fetch_add(ptr, n, __ATOMIC_SEQ_CST))
#define qatomic_sub(ptr, n) ((void)__atomic_fetch_sub(ptr, n, __ATOMIC_SEQ_CST))
#define qatomic_and(ptr, n) ((void)__atomic_fetch_and(ptr, n, __ATOMIC_SEQ_CST))
#define qatomic_or(ptr, n) ((void)__atomic_fetch_or(ptr, n, __ATOMIC_SEQ_CST))
#define qatomic_xor(ptr, n) ((void)__atomic_fetch_xor(ptr, n, __ATOMIC_SEQ_CST))
#define qatomic_fetch_inc_nonzero(ptr) ({ __typeof__(*(ptr)) _oldn = qatomic_read(ptr); \
	while (_oldn && qatomic_cmpxchg(ptr, _oldn, _oldn + 1) != _oldn) _oldn = qatomic_read(ptr); _oldn; })

/* names of older QEMU releases (before the q prefix, and atomic_mb_*) */
#define qatomic_mb_read(ptr) qatomic_load_acquire(ptr)
#define qatomic_mb_set(ptr, i) ((void)qatomic_xchg(ptr, i))
#define atomic_mb_read(ptr) qatomic_mb_read(ptr)
#define atomic_mb_set(ptr, i) qatomic_mb_set(ptr, i)
#define atomic_rcu_read(ptr) qatomic_rcu_read(ptr)
#define atomic_rcu_set(ptr, i) qatomic_rcu_set(ptr, i)

#endif
