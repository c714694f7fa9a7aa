#!/usr/bin/env python3
"""Writes the merge methods' parity fixture: small tensors, and what mergekit's own code makes of them.

Not run by CI (the Java test, MergekitParityTest, reads the committed output). It needs torch and numpy, and a
directory holding mergekit's source tree at the version the README names, for example:

    git -C MERGEKIT_GIT archive v0.1.4 mergekit | tar -x -C /tmp/mergekit-0.1.4
    python3 scripts/reference/mergekit_reference.py /tmp/mergekit-0.1.4 \
        search-spaces/src/test/resources/mergekit-parity

mergekit's pipeline (pydantic v2, transformers, its config and graph machinery) is not installed here, and
none of it is needed to run one tensor through a method. So this script loads mergekit's real method modules
(sparsify.py, generalized_task_arithmetic.py, linear.py, slerp.py, model_stock.py, passthrough.py,
rectify_embed.py) from the given tree and stands in only for the infrastructure they import: pydantic's
BaseModel (keyword arguments become attributes), Task, WeightInfo, ImmutableMap and the merge-method base
classes. The methods' parameter lists and defaults are mergekit's own (each method's parameters() and
tensor_parameters()), and the task-arithmetic family is configured by evaluating the
GeneralizedTaskArithmeticMerge(...) calls of mergekit's registry.py, so a drift in mergekit's table shows up
here rather than being copied by hand.

Writes DIR/inputs.safetensors (base.NAME, m1.NAME, m2.NAME, m3.NAME: float32, seeded normals), DIR/expected.
safetensors (CASE.NAME: mergekit's result) and DIR/cases.json (each case's method, global parameters, and
models with their parameters, as a recipe would give them). DARE's and DELLA's masks are random draws (in
mergekit from torch's generator), so for them DIR/random.safetensors and the "random" entry of cases.json hold
statistics over many draws instead.
"""
import ast
import importlib
import json
import os
import sys
import types
from abc import ABC
from typing import Generic, TypeVar

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from st_writer import write_safetensors  # noqa: E402

SEED = 20261124
SHAPES = {"mlp.weight": (16, 40), "norm.weight": (40,)}
MODELS = ["m1", "m2", "m3"]
RANDOM_SHAPE = (256, 40)
RANDOM_RUNS = 400

W3 = [0.5, 0.3, 0.7]
CASES = [
    # name, method, global parameters, [(model, parameters)], whether the base is an input
    ("linear", "linear", {}, [("m1", {"weight": 0.5}), ("m2", {"weight": 0.3}), ("m3", {"weight": 0.2})], False),
    ("linear_raw", "linear", {"normalize": False},
     [("m1", {"weight": 1.0}), ("m2", {"weight": 0.5}), ("m3", {"weight": -0.25})], False),
    ("task_arithmetic", "task_arithmetic", {}, [(m, {"weight": w}) for m, w in zip(MODELS, W3)], True),
    ("task_arithmetic_norm", "task_arithmetic", {"normalize": True, "lambda": 0.8},
     [(m, {"weight": w}) for m, w in zip(MODELS, W3)], True),
    ("task_arithmetic_two", "task_arithmetic", {}, [("m1", {"weight": 1.0}), ("m3", {"weight": 0.6})], True),
    ("ties", "ties", {},
     [(m, {"weight": w, "density": d}) for m, w, d in zip(MODELS, W3, [0.5, 0.7, 0.3])], True),
    ("ties_raw", "ties", {"normalize": False, "lambda": 1.5},
     [(m, {"weight": w, "density": d}) for m, w, d in zip(MODELS, W3, [0.5, 0.7, 0.3])], True),
    ("ties_fraction", "ties", {},   # density * n not whole: k rounds down
     [(m, {"weight": w, "density": d}) for m, w, d in zip(MODELS, W3, [0.33, 0.55, 0.71])], True),
    ("ties_int8", "ties", {"int8_mask": True},
     [(m, {"weight": w, "density": d}) for m, w, d in zip(MODELS, W3, [0.5, 0.7, 0.3])], True),
    ("ties_negative", "ties", {},
     [(m, {"weight": w, "density": d}) for m, w, d in zip(MODELS, [0.6, -0.3, 0.3], [0.4, 0.6, 0.5])], True),
    ("ties_two", "ties", {}, [("m2", {"weight": 1.0, "density": 0.25}), ("m3", {"weight": 0.5})], True),
    ("breadcrumbs", "breadcrumbs", {},
     [(m, {"weight": w, "density": d, "gamma": g})
      for m, w, d, g in zip(MODELS, W3, [0.8, 0.7, 0.9], [0.05, 0.1, 0.02])], True),
    ("breadcrumbs_default_gamma", "breadcrumbs", {},
     [(m, {"weight": w, "density": 0.9}) for m, w in zip(MODELS, W3)], True),
    ("breadcrumbs_ties", "breadcrumbs_ties", {"normalize": True},
     [(m, {"weight": w, "density": d, "gamma": 0.05}) for m, w, d in zip(MODELS, W3, [0.8, 0.7, 0.9])], True),
    ("slerp", "slerp", {"t": 0.3}, [("m1", {})], True),
    ("slerp_late", "slerp", {"t": 0.85}, [("m2", {})], True),
    ("model_stock", "model_stock", {}, [(m, {}) for m in MODELS], True),
    ("model_stock_two", "model_stock", {}, [("m1", {}), ("m2", {})], True),
    ("passthrough", "passthrough", {}, [("m2", {"scale": 0.5})], False),
    ("passthrough_plain", "passthrough", {}, [("m3", {})], False),
]


def install_stubs(tree):
    """Packages that resolve to mergekit's real files, and stand-ins for the infrastructure they import."""
    def package(name, path):
        module = types.ModuleType(name)
        module.__path__ = [path]
        sys.modules[name] = module

    def stub(name, **names):
        module = types.ModuleType(name)
        module.__dict__.update(names)
        sys.modules[name] = module

    class BaseModel:
        def __init_subclass__(cls, **_config):
            super().__init_subclass__()

        def __init__(self, **fields):
            for k, v in fields.items():
                setattr(self, k, v)

    T = TypeVar("T")

    class Task(BaseModel, Generic[T]):
        pass

    class WeightInfo(BaseModel):
        is_embed = False
        optional = False

    class ImmutableMap(dict):
        @property
        def data(self):
            return self

    class MergeMethod(ABC):
        def parameters(self):
            return []

        def tensor_parameters(self):
            return []

    class ConfigParameterDef(BaseModel):
        required = False
        default_value = None

    package("mergekit", os.path.join(tree, "mergekit"))
    package("mergekit.merge_methods", os.path.join(tree, "mergekit", "merge_methods"))
    stub("pydantic", BaseModel=BaseModel)
    stub("mergekit.graph", Task=Task)
    stub("mergekit.architecture", WeightInfo=WeightInfo)
    stub("mergekit.common", ImmutableMap=ImmutableMap, ModelReference=str)
    stub("mergekit.merge_methods.base", MergeMethod=MergeMethod, ConfigParameterDef=ConfigParameterDef,
         MergeTensorInput=object)
    return WeightInfo, ImmutableMap


def load_methods(tree):
    """mergekit's methods by name: the static ones this fixture covers, and the registry's GTA family."""
    gta = importlib.import_module("mergekit.merge_methods.generalized_task_arithmetic")
    sparsify = importlib.import_module("mergekit.sparsify")
    methods = {
        "linear": importlib.import_module("mergekit.merge_methods.linear").LinearMerge(),
        "slerp": importlib.import_module("mergekit.merge_methods.slerp").SlerpMerge(),
        "model_stock": importlib.import_module("mergekit.merge_methods.model_stock").ModelStockMerge(),
        "passthrough": importlib.import_module("mergekit.merge_methods.passthrough").PassthroughMerge(),
    }
    enums = {"ConsensusMethod": gta.ConsensusMethod, "SparsificationMethod": sparsify.SparsificationMethod}

    def value(node):
        if isinstance(node, ast.Attribute):
            return getattr(enums[node.value.id], node.attr)
        return ast.literal_eval(node)

    with open(os.path.join(tree, "mergekit", "merge_methods", "registry.py")) as f:
        registry = ast.parse(f.read())
    for node in ast.walk(registry):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "GeneralizedTaskArithmeticMerge":
            kwargs = {k.arg: value(k.value) for k in node.keywords}
            methods[kwargs["method_name"]] = gta.GeneralizedTaskArithmeticMerge(**kwargs)
    return methods


def resolve(defs, given, where):
    """Parameters as mergekit's config gives them to a method: the given values, else each default."""
    unknown = set(given) - {d.name for d in defs}
    if unknown:
        raise ValueError(f"{where}: {sorted(unknown)} not among mergekit's parameters")
    out = {}
    for d in defs:
        if d.name in given:
            out[d.name] = given[d.name]
        elif d.required:
            raise ValueError(f"{where}: missing required {d.name}")
        else:
            out[d.name] = d.default_value
    return out


def run_case(method, weight_info, immutable, tensors, global_params, models, with_base):
    params = immutable(resolve(method.parameters(), global_params, method.name()))
    per_model = immutable({m: immutable(resolve(method.tensor_parameters(), p, m)) for m, p in models})
    inputs = {m: tensors[m] for m, _ in models}
    if with_base:
        inputs["base"] = tensors["base"]
    task = method.make_task(output_weight=weight_info, tensors=None, base_model="base" if with_base else None,
                            parameters=params, tensor_parameters=per_model)
    with torch.no_grad():
        return task.execute(tensors=dict(inputs)).float()


def random_statistics(rng, out):
    """DARE's and DELLA's masks are random draws, so their fixture holds statistics over many of mergekit's
    draws (torch seeds 0 .. 2 * RANDOM_RUNS - 1): DELLA's keep rate per element (density 0.5, epsilon 0.2, no
    rescale) and DARE's keep rate and mean L1 rescale factor (density 0.3)."""
    sparsify = importlib.import_module("mergekit.sparsify")
    base = rng.normal(0, 0.02, RANDOM_SHAPE).astype(np.float32)
    model = (base + rng.normal(0, 0.01, RANDOM_SHAPE)).astype(np.float32)
    delta = torch.from_numpy(model) - torch.from_numpy(base)
    della_kept = torch.zeros(RANDOM_SHAPE)
    dare_kept, dare_scale = 0, 0.0
    for run in range(RANDOM_RUNS):
        torch.manual_seed(run)
        d = sparsify.sparsify(delta, density=0.5, method=sparsify.SparsificationMethod.della_magprune,
                              epsilon=0.2, rescale_norm=None)
        della_kept += (d != 0).float()
        torch.manual_seed(RANDOM_RUNS + run)
        r = sparsify.sparsify(delta, density=0.3, method=sparsify.SparsificationMethod.random,
                              rescale_norm=sparsify.RescaleNorm.l1)
        kept = r != 0
        dare_kept += int(kept.sum())
        dare_scale += float((r[kept] / delta[kept]).mean())
    write_safetensors({"base": torch.from_numpy(base), "model": torch.from_numpy(model),
                       "della_keep_rate": della_kept / RANDOM_RUNS}, os.path.join(out, "random.safetensors"))
    return {"runs": RANDOM_RUNS, "della": {"density": 0.5, "epsilon": 0.2},
            "dare": {"density": 0.3, "keep_rate": dare_kept / (RANDOM_RUNS * delta.numel()),
                     "mean_scale": dare_scale / RANDOM_RUNS}}


def main(tree, out):
    weight_info, immutable = install_stubs(tree)
    methods = load_methods(tree)
    rng = np.random.RandomState(SEED)
    inputs, expected, cases = {}, {}, []
    for name, shape in SHAPES.items():
        base = rng.normal(0, 0.02, shape).astype(np.float32)
        inputs[f"base.{name}"] = torch.from_numpy(base)
        for m in MODELS:
            inputs[f"{m}.{name}"] = torch.from_numpy((base + rng.normal(0, 0.01, shape)).astype(np.float32))
    for case, method, global_params, models, with_base in CASES:
        for name in SHAPES:
            tensors = {k.split(".", 1)[0]: v.clone() for k, v in inputs.items() if k.split(".", 1)[1] == name}
            expected[f"{case}.{name}"] = run_case(methods[method], weight_info(name=name), immutable, tensors,
                                                  global_params, models, with_base)
        cases.append({"name": case, "method": method, "parameters": global_params, "base": with_base,
                      "models": [{"model": m, "parameters": p} for m, p in models]})
    os.makedirs(out, exist_ok=True)
    write_safetensors(inputs, os.path.join(out, "inputs.safetensors"))
    write_safetensors(expected, os.path.join(out, "expected.safetensors"))
    random = random_statistics(rng, out)
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"mergekit": os.path.basename(os.path.normpath(tree)), "seed": SEED, "cases": cases,
                   "random": random}, f, indent=1)
    print(f"wrote {len(cases)} cases x {len(SHAPES)} tensors to {out}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: mergekit_reference.py MERGEKIT_SOURCE_DIR OUT_DIR")
    main(sys.argv[1], sys.argv[2])
