"""CMA-ES runs of the M2N2 paper's digits experiment with the reference code's own setup, for comparison with
evomerge's table (results/reference/m2n2-digits/reference-code.md).

Run from a checkout of SakanaAI/natural_niches (it imports that repository's data.py and model.py), in an
environment with jax, optax, scikit-learn and cma (pycma):

    python natural_niches_cma_es.py FIRST_RUN END_RUN FORWARD_PASSES [OPTIONS]

Run r starts from jax.random.normal(PRNGKey(42 + r)) * 0.01 with pycma seeded 42 + r, sigma0 0.01, population
20, fitness minus the training accuracy, never stopping early, as cma_es_fn.py does; it prints the test
accuracy of the best-on-train solution and a trace every 250 generations. OPTIONS is a Python dict added to
pycma's options; full pycma at 19,210 dimensions holds a 3 GB covariance matrix, so the table's runs used
{'CMA_on': 0, 'CMA_diagonal': True, 'AdaptSigma': cma.sigma_adaptation.CMAAdaptSigmaCSA}: isotropic
sampling (what full CMA-ES's learning rates of ~1e-8 amount to here) with its cumulative step-size control.
"""
import sys
import time

import jax

# JAX 0.4's default random numbers, which the reference code was written against.
jax.config.update('jax_threefry_partitionable', False)
import cma  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from data import load_data  # noqa: E402
from model import get_acc, mlp, num_params  # noqa: E402

batched_mlp = jax.vmap(mlp, in_axes=(0, None))
batched_acc = jax.vmap(get_acc, in_axes=(0, None))
(x_train, y_train), (x_test, y_test) = load_data()
first, end, passes = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
extra = eval(sys.argv[4]) if len(sys.argv) > 4 else {}
population = 20
for run in range(first, end):
    started = time.time()
    seed = 42 + run
    x0 = jax.random.normal(jax.random.PRNGKey(seed=seed), shape=(num_params,)) * 0.01
    options = {'popsize': population, 'seed': seed, 'randn': np.random.randn, 'verbose': -9}
    options.update(extra)
    es = cma.CMAEvolutionStrategy(x0=x0, sigma0=0.01, inopts=options)
    trace = []
    test = float('nan')
    for generation in range(passes // population):
        candidates = es.ask()
        accuracy = batched_acc(batched_mlp(jnp.array(candidates), x_train), y_train)
        es.tell(candidates, (-accuracy).tolist())
        if (generation + 1) % 250 == 0:
            test = float(get_acc(mlp(jnp.array(es.result.xbest), x_test), y_test))
            trace.append('g%d train %.3f test %.3f sigma %.4f'
                         % (generation + 1, -es.result.fbest, test, es.sigma))
    print('run', run, 'test %.4f train %.4f' % (test, -es.result.fbest),
          'seconds %.0f' % (time.time() - started), '|', '; '.join(trace), flush=True)
