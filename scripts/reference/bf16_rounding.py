#!/usr/bin/env python3
"""How far mergekit's bf16 intermediates move a merge: the figure the README quotes under "Merging".

Unless a recipe sets `dtype`, mergekit computes in the inputs' dtype, so on bf16 checkpoints every
intermediate (delta, weighted delta, sum) is rounded to bf16; evomerge computes in float32 and rounds once.
This runs mergekit's own task_arithmetic and ties (loaded as mergekit_reference.py loads them) on bf16
tensors both ways and prints how many elements differ and by how many bf16 steps. Usage:

    git -C MERGEKIT_GIT archive v0.1.4 mergekit | tar -x -C /tmp/mergekit-0.1.4
    python3 scripts/reference/bf16_rounding.py /tmp/mergekit-0.1.4
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mergekit_reference as reference  # noqa: E402

SHAPE = (64, 256)
WEIGHTS = [0.5, 0.3, 0.7]
DENSITIES = [0.5, 0.7, 0.3]


def bf16_steps(a, b):
    """|a - b| in bf16 steps of the larger magnitude (bf16 keeps 8 significant bits)."""
    larger = torch.maximum(a.abs(), b.abs()).clamp(min=1e-30)
    step = torch.pow(2.0, torch.floor(torch.log2(larger)) - 7)
    return (a - b).abs() / step


def main(tree):
    weight_info, immutable = reference.install_stubs(tree)
    methods = reference.load_methods(tree)
    rng = np.random.RandomState(5)
    base = torch.from_numpy(rng.normal(0, 0.02, SHAPE).astype(np.float32)).to(torch.bfloat16)
    tensors = {"base": base}
    for i in (1, 2, 3):
        delta = torch.from_numpy(rng.normal(0, 0.0005, SHAPE).astype(np.float32))
        tensors[f"m{i}"] = (base.float() + delta).to(torch.bfloat16)
    names = ["m1", "m2", "m3"]
    cases = {
        "task_arithmetic": [(m, {"weight": w}) for m, w in zip(names, WEIGHTS)],
        "ties": [(m, {"weight": w, "density": d}) for m, w, d in zip(names, WEIGHTS, DENSITIES)],
    }
    for method, models in cases.items():
        in_bf16 = reference.run_case(methods[method], weight_info(name="w"), immutable,
                                     {k: v.clone() for k, v in tensors.items()}, {}, models, True).float()
        in_f32 = reference.run_case(methods[method], weight_info(name="w"), immutable,
                                    {k: v.float() for k, v in tensors.items()}, {}, models, True)
        in_f32 = in_f32.to(torch.bfloat16).float()
        differ = in_bf16 != in_f32
        steps = bf16_steps(in_bf16, in_f32)[differ].round().long()
        print(f"{method}: {differ.float().mean().item():.2%} of {differ.numel()} elements differ; "
              f"by 1 step: {(steps <= 1).sum().item()}, 2-9: {((steps >= 2) & (steps < 10)).sum().item()}, "
              f">= 10: {(steps >= 10).sum().item()}, largest {steps.max().item()} steps")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bf16_rounding.py MERGEKIT_SOURCE_TREE")
    main(sys.argv[1])
