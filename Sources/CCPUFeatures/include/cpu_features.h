/* What the processor (and the operating system) lets the engine run: the one fact the
   engine cannot learn from Swift, asked once through the compiler's CPU-feature support
   (which also checks that the OS saves the AVX registers, via XGETBV). Not part of the
   public API: libboltzmann.so exports only bz_* symbols. */
#ifndef BOLTZMANN_CPU_FEATURES_H
#define BOLTZMANN_CPU_FEATURES_H

/* 1 when AVX2 and FMA instructions may run (x86-64-v3 level), else 0 (including every
   non-x86 processor). */
int boltzmann_cpu_has_avx2(void);

#endif
