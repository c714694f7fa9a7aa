"""Pretrained-seed M2N2 runs of the M2N2 paper's digits experiment with the reference code itself, for
comparison with evomerge's table (results/reference/m2n2-digits/reference-code.md).

Run from a checkout of SakanaAI/natural_niches (it calls that repository's run_natural_niches), in an
environment with jax, optax, scikit-learn and tqdm:

    python natural_niches_pretrained.py RUNS [FORWARD_PASSES]

Runs 0 .. RUNS-1 (run r seeded with PRNGKey(42 + r)), archive 20, the two specialists of
get_pre_trained_models() as seeds, 10,000 forward passes unless given; prints the test accuracy of the
best-on-train member at the end of each run.
"""
import os
import sys

os.environ['TQDM_DISABLE'] = '1'
import jax  # noqa: E402

# JAX 0.4's default random numbers, which decide the pretrained pair's initial vectors.
jax.config.update('jax_threefry_partitionable', False)
from natural_niches_fn import run_natural_niches  # noqa: E402

runs = int(sys.argv[1])
passes = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
results = run_natural_niches(runs=runs, pop_size=20, total_forward_passes=passes, store_train_results=True,
                             no_matchmaker=False, no_crossover=False, no_splitpoint=False, use_pre_trained=True)
for run, result in enumerate(results):
    print('run', run, 'test %.4f train %.4f' % (float(result['test_values'][-1]), float(result['train_values'][-1])))
