/*
 * The thread-local buffer behind bz_last_error(). The Swift export layer writes
 * a failure's message into the buffer this function returns (at most
 * BZ_ERROR_MESSAGE_MAX bytes including the NUL); C owns the storage so that
 * every thread gets its own, zero-initialised, with no allocation.
 */
#include "boltzmann.h"

static _Thread_local char last_error_message[BZ_ERROR_MESSAGE_MAX];

const char *bz_last_error(void) { return last_error_message; }
