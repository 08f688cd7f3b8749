/* wm_c11.h -- C11 atomics: the compiler's own <stdatomic.h>. */
#ifndef WM_C11_H
#define WM_C11_H
#include <stdatomic.h>
#include <stdint.h>
#endif
