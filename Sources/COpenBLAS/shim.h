/* OpenBLAS's CBLAS interface (Debian: libopenblas-dev). */
#include <cblas.h>

/* LAPACK's LU factorisation, which OpenBLAS carries (Debian ships no lapack.h with
   it). Column-major; ipiv is 1-based; info > 0 names an exactly zero pivot. No
   character arguments, so no hidden string lengths. */
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);

/* LAPACK's inverse from dgetrf's factors (OpenBLAS carries it). lwork >= n. */
void dgetri_(const int *n, double *a, const int *lda, const int *ipiv, double *work, const int *lwork, int *info);
