#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>

#include "system_calls.h"

int64_t boltzmann_thread_id(void) { return (int64_t)syscall(SYS_gettid); }
