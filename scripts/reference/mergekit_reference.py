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

The eight methods mergekit added later (nuslerp, multislerp, karcher, sce, ram, ramplus_tl, nearswap,
arcee_fusion) have their own fixture, written on a machine without torch: with --numpy-torch the script runs
mergekit's real modules for those methods against numpy_torch.py, a numpy stand-in for the part of torch they
call (its docstring says how float32 is kept and where it differs from torch), and stands in for
easy_define's decorator as install_easy_define() describes:

    git -C MERGEKIT_GIT archive a6e4028 mergekit | tar -x -C /tmp/mergekit-0.1.4-18-ga6e4028
    python3 scripts/reference/mergekit_reference.py --numpy-torch /tmp/mergekit-0.1.4-18-ga6e4028 \
        search-spaces/src/test/resources/mergekit-parity-numpy-torch

That fixture also holds, for arcee_fusion, mergekit's importance scores (CASE.importance.NAME) and thresholds
(cases.json's arcee_fusion_thresholds), since its mask can only be compared away from the threshold.
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
if __name__ == "__main__" and "--numpy-torch" in sys.argv:
    import numpy_torch  # noqa: E402
    numpy_torch.install()
import torch  # noqa: E402
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


# 360 entries: int(360 * 0.35) is 126 in float32, as torch takes it, but 125 in double (sce_float32_k)
NEWER_SHAPES = {"mlp.weight": (16, 40), "attn.weight": (9, 40), "norm.weight": (40,)}
NEWER_CASES = [
    # name, method, global parameters, [(model, parameters)], whether the base is an input
    ("nuslerp", "nuslerp", {}, [("m1", {"weight": 0.3}), ("m2", {"weight": 0.7})], False),
    ("nuslerp_columns", "nuslerp", {"nuslerp_flatten": False},
     [("m1", {"weight": 0.4}), ("m3", {"weight": 0.6})], False),
    ("nuslerp_rows", "nuslerp", {"nuslerp_flatten": False, "nuslerp_row_wise": True},
     [("m2", {"weight": 1.0}), ("m3", {"weight": 3.0})], False),
    ("nuslerp_base", "nuslerp", {}, [("m1", {"weight": 0.6}), ("m2", {"weight": 0.4})], True),
    ("nuslerp_zero_sum", "nuslerp", {}, [("m1", {"weight": 0.5}), ("m2", {"weight": -0.5})], False),
    ("multislerp", "multislerp", {},
     [("m1", {"weight": 0.5}), ("m2", {"weight": 0.3}), ("m3", {"weight": 0.2})], False),
    ("multislerp_base", "multislerp", {},
     [("m1", {"weight": 1.0}), ("m2", {"weight": 2.0}), ("m3", {"weight": 1.0})], True),
    ("multislerp_raw", "multislerp", {"normalize_weights": False, "eps": 1e-6},
     [("m1", {"weight": 0.7}), ("m3", {"weight": 0.6})], False),
    ("karcher", "karcher", {}, [("m1", {}), ("m2", {}), ("m3", {})], False),
    ("karcher_base", "karcher", {"max_iter": 3}, [("m1", {}), ("m3", {})], True),
    ("sce", "sce", {}, [("m1", {}), ("m2", {}), ("m3", {})], True),
    ("sce_topk", "sce", {"select_topk": 0.3}, [("m1", {}), ("m2", {}), ("m3", {})], True),
    ("sce_float32_k", "sce", {"select_topk": 0.35}, [("m1", {}), ("m2", {}), ("m3", {})], True),
    ("sce_two", "sce", {"select_topk": 0.55, "int8_mask": True}, [("m2", {}), ("m3", {})], True),
    ("ram", "ram", {"epsilon": 0.01}, [("m1", {}), ("m2", {}), ("m3", {})], True),
    ("ram_default", "ram", {}, [("m1", {}), ("m2", {})], True),
    ("ramplus_tl", "ramplus_tl", {"epsilon": 0.01, "r": 0.3, "alpha": 0.5},
     [("m1", {}), ("m2", {}), ("m3", {})], True),
    ("ramplus_tl_default", "ramplus_tl", {"epsilon": 0.008}, [("m1", {}), ("m3", {})], True),
    ("nearswap", "nearswap", {"t": 0.008}, [("m1", {})], True),
    ("arcee_fusion", "arcee_fusion", {}, [("m1", {})], True),
    ("arcee_fusion_other", "arcee_fusion", {}, [("m3", {})], True),
]


def install_easy_define():
    """A stand-in for mergekit's easy_define.merge_method decorator (which builds pydantic models): it derives
    the method's parameters from the function's signature by the same rules (a float/int/bool argument is a
    global parameter, a List[float] one a per-model parameter, no default meaning required; base_tensor typed
    torch.Tensor means a base is required), and its task calls the function as mergekit's does: the base's
    tensor as base_tensor, the other models' tensors in order, per-model parameters as lists in that order."""
    import inspect
    import typing
    from typing import get_args, get_origin

    base = sys.modules["mergekit.merge_methods.base"]
    registered = {}

    def merge_method(name, reference_url=None, pretty_name=None):
        def register(func):
            sig = inspect.signature(func)
            globals_, per_model = [], []
            for arg, info in sig.parameters.items():
                if arg in ("tensors", "base_tensor", "output_weight", "base_model"):
                    continue
                required = info.default is inspect.Parameter.empty
                d = base.ConfigParameterDef(name=arg, required=required,
                                            default_value=None if required else info.default)
                if info.annotation in (int, float, bool):
                    globals_.append(d)
                elif get_origin(info.annotation) is list:
                    per_model.append(d)
            bt = sig.parameters.get("base_tensor")
            takes_base = bt is not None
            needs_base = takes_base and get_origin(bt.annotation) is not typing.Union

            class Method(base.MergeMethod):
                def name(self):
                    return name

                def parameters(self):
                    return globals_

                def tensor_parameters(self):
                    return per_model

                def make_task(self, *, output_weight, tensors, parameters, tensor_parameters, base_model, **_):
                    return EasyTask(parameters, tensor_parameters, base_model)

            class EasyTask:
                def __init__(self, parameters, tensor_parameters, base_model):
                    self.parameters, self.tensor_parameters, self.base_model = (parameters, tensor_parameters,
                                                                                base_model)

                def execute(self, tensors):
                    refs = [r for r in tensors if r != self.base_model]
                    kwargs = {}
                    if takes_base:
                        kwargs["base_tensor"] = tensors.get(self.base_model)
                        if needs_base and kwargs["base_tensor"] is None:
                            raise ValueError("Base model tensor required but not present")
                    elif self.base_model in tensors:
                        refs = [self.base_model] + refs
                    for d in globals_:
                        kwargs[d.name] = self.parameters[d.name]
                    for d in per_model:
                        kwargs[d.name] = [self.tensor_parameters[r][d.name] for r in refs]
                    return func(tensors=[tensors[r] for r in refs], **kwargs)

            registered[name] = Method()
            return func
        return register

    module = types.ModuleType("mergekit.merge_methods.easy_define")
    module.merge_method = merge_method
    sys.modules["mergekit.merge_methods.easy_define"] = module
    return registered


def load_newer_methods():
    """The eight methods evomerge added after 0.1.4's twelve, from mergekit's own modules."""
    registered = install_easy_define()
    for module in ("multislerp", "sce", "ram", "nearswap"):
        importlib.import_module("mergekit.merge_methods." + module)
    methods = dict(registered)
    methods["nuslerp"] = importlib.import_module("mergekit.merge_methods.nuslerp").NuSlerpMerge()
    methods["karcher"] = importlib.import_module("mergekit.merge_methods.karcher").KarcherMerge()
    methods["arcee_fusion"] = importlib.import_module("mergekit.merge_methods.arcee_fusion").ArceeFusionMerge()
    return methods


def fusion_importance(tensors, model):
    """arcee_fusion's importance scores and threshold, from mergekit's own task and DynamicThresholdFusion."""
    fusion = importlib.import_module("mergekit.merge_methods.arcee_fusion")
    task = fusion.ArceeFusionMergeTask(gather_tensors=None, base_model="base", weight_info=None)
    importance = task._compute_importance(tensors[model], tensors["base"])
    _, threshold = fusion.DynamicThresholdFusion().compute_fusion_mask(importance)
    return importance, float(threshold)


def main_newer(tree, out):
    """The newer methods' fixture, made with numpy_torch standing in for torch (see its docstring)."""
    weight_info, immutable = install_stubs(tree)
    methods = load_newer_methods()
    rng = np.random.RandomState(SEED + 1)
    inputs, expected, cases, thresholds = {}, {}, [], {}
    for name, shape in NEWER_SHAPES.items():
        base = rng.normal(0, 0.02, shape).astype(np.float32)
        inputs[f"base.{name}"] = torch.from_numpy(base)
        for m in MODELS:
            inputs[f"{m}.{name}"] = torch.from_numpy((base + rng.normal(0, 0.01, shape)).astype(np.float32))
    for case, method, global_params, models, with_base in NEWER_CASES:
        for name in NEWER_SHAPES:
            tensors = {k.split(".", 1)[0]: v.clone() for k, v in inputs.items() if k.split(".", 1)[1] == name}
            expected[f"{case}.{name}"] = run_case(methods[method], weight_info(name=name), immutable, tensors,
                                                  global_params, models, with_base)
            if method == "arcee_fusion":
                importance, threshold = fusion_importance(tensors, models[0][0])
                expected[f"{case}.importance.{name}"] = importance
                thresholds[f"{case}.{name}"] = threshold
        cases.append({"name": case, "method": method, "parameters": global_params, "base": with_base,
                      "models": [{"model": m, "parameters": p} for m, p in models]})
    os.makedirs(out, exist_ok=True)
    write_safetensors(inputs, os.path.join(out, "inputs.safetensors"))
    write_safetensors(expected, os.path.join(out, "expected.safetensors"))
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"mergekit": os.path.basename(os.path.normpath(tree)), "torch": "scripts/reference/numpy_torch.py",
                   "seed": SEED + 1, "cases": cases, "arcee_fusion_thresholds": thresholds}, f, indent=1)
    print(f"wrote {len(cases)} cases x {len(NEWER_SHAPES)} tensors to {out}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--numpy-torch"]
    if len(args) != 2:
        sys.exit("usage: mergekit_reference.py [--numpy-torch] MERGEKIT_SOURCE_DIR OUT_DIR")
    (main_newer if "--numpy-torch" in sys.argv else main)(*args)
