/* System calls the engine needs and Swift's Glibc module does not declare. */
#ifndef BOLTZMANN_SYSTEM_CALLS_H
#define BOLTZMANN_SYSTEM_CALLS_H

#include <stdint.h>

/* The calling thread's kernel id, gettid(2): what bz_interrupt_thread names. */
int64_t boltzmann_thread_id(void);

#endif
