/* wm_x86_atomic.h -- the x86 read-modify-writes Linux and Xen both build
 * their APIs from (written for weakmem from the two projects' x86 headers,
 * which agree instruction for instruction): XCHG (implicitly locked), LOCK
 * CMPXCHG, LOCK XADD, LOCK'd add/sub/and on an atomic_t's counter.  Every
 * one is a full barrier on x86.
 */
#ifndef WM_X86_ATOMIC_H
#define WM_X86_ATOMIC_H
#include <stdint.h>

typedef struct { int counter; } atomic_t;

#define barrier() __asm__ __volatile__("" ::: "memory")

#define xchg(ptr, v) ({ __typeof__(*(ptr)) __wm_v = (v); \
	__asm__ __volatile__("xchg %0,%1" : "+r"(__wm_v), "+m"(*(ptr)) : : "memory"); __wm_v; })
#define cmpxchg(ptr, o, n) ({ __typeof__(*(ptr)) __wm_old = (o), __wm_new = (n); \
	__asm__ __volatile__("lock; cmpxchg %2,%1" : "+a"(__wm_old), "+m"(*(ptr)) : "r"(__wm_new) : "memory", "cc"); \
	__wm_old; })
/* LOCK XADD: adds, returns the old value */
#define __wm_xadd(ptr, v) ({ __typeof__(*(ptr)) __wm_a = (v); \
	__asm__ __volatile__("lock; xadd %0,%1" : "+r"(__wm_a), "+m"(*(ptr)) : : "memory", "cc"); __wm_a; })

/* atomic_t: `counter` is the first member, so an int * works too */
#define __wm_ctr(v) (*(int *)(v))
#define __wm_lock_op(op, i, v) __asm__ __volatile__("lock; " op "l %1,%0" : "+m"(__wm_ctr(v)) : "ir"((int)(i)) : "memory", "cc")
#define atomic_add(i, v) __wm_lock_op("add", i, v)
#define atomic_sub(i, v) __wm_lock_op("sub", i, v)
#define atomic_and(i, v) __wm_lock_op("and", i, v)
#define atomic_inc(v) __wm_lock_op("add", 1, v)
#define atomic_dec(v) __wm_lock_op("sub", 1, v)
#define atomic_add_return(i, v) ({ int __wm_i = (i); __wm_xadd(&__wm_ctr(v), __wm_i) + __wm_i; })
#define atomic_sub_return(i, v) atomic_add_return(-(i), v)
#define atomic_inc_return(v) atomic_add_return(1, v)
#define atomic_dec_return(v) atomic_add_return(-1, v)
#define atomic_add_negative(i, v) (atomic_add_return(i, v) < 0)
#define atomic_sub_and_test(i, v) (atomic_sub_return(i, v) == 0)
#define atomic_inc_and_test(v) (atomic_inc_return(v) == 0)
#define atomic_dec_and_test(v) (atomic_dec_return(v) == 0)
#define atomic_xchg(v, n) xchg(&__wm_ctr(v), (n))
#define atomic_cmpxchg(v, o, n) cmpxchg(&__wm_ctr(v), (o), (n))

#endif
