#include <stdio.h>
#include "boltzmann.h"

int main(void) {
    const double energies[3] = {0.0, 1.0, 2.0}, degeneracies[3] = {1, 2, 1};
    const double betas[3] = {0.5, 1.0, 2.0};
    double log_z[3], energy[3], heat_capacity[3];
    bz_spectrum *s = NULL;
    if (bz_spectrum_create(&s, energies, degeneracies, 3) != BZ_OK ||
        bz_spectrum_thermo(s, betas, 3, log_z, NULL, energy, NULL, heat_capacity) != BZ_OK) {
        fprintf(stderr, "error: %s\n", bz_last_error());
        return 1;
    }
    for (int k = 0; k < 3; k++)
        printf("beta %.1f: log Z = %.6f, U = %.6f, C = %.6f\n", betas[k], log_z[k], energy[k], heat_capacity[k]);
    bz_spectrum_free(s);
    return 0;
}
