import numpy as np
import boltzmann as bz

# Three levels, the middle one twice degenerate; thermodynamics at many temperatures at once.
spectrum = bz.Spectrum(energies=[0.0, 1.0, 2.0], degeneracies=[1, 2, 1])
t = spectrum.thermo(beta=np.array([0.5, 1.0, 2.0]))
print(t)                                   # beta, log Z, F, U, S, C as a table
print(spectrum.probabilities(beta=1.0))    # Boltzmann probabilities of the levels
print(bz.solve_beta([1, 2, 3, 4, 5, 6], target_mean=4.5))  # maximum entropy: Jaynes' dice
print(round(np.exp(bz.log_multiplicity([7, 2, 1]))))       # 10!/(7! 2! 1!) = 360
