"""A pure-Python stand-in for the `safetensors` package, for the reference script only.

The real package is a Rust extension that cannot be built on the development machine (no PyPI). transformers
imports `safetensors`, `safetensors.torch` and checks `importlib.metadata.version("safetensors")` at import
time, so `install(tmpdir)` writes this module as a package plus a minimal dist-info there and puts it first
on sys.path. It also stubs the names transformers imports from `tokenizers` (another Rust extension) at import time.
It implements only what loading a float32 checkpoint needs: safe_open (keys, get_tensor,
metadata), load_file, save_file, storage_ptr and storage_size. It is never used when the real package exists.
"""
import json
import os
import struct
import sys

_DTYPES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16", "I64": "int64", "I32": "int32",
           "F64": "float64", "U8": "uint8", "I8": "int8", "BOOL": "bool", "I16": "int16"}

_PACKAGE = r'''
import json, struct
__version__ = "0.4.5"
class SafetensorError(Exception):
    pass
def _read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    return header, memoryview(data)[8 + n:]
class safe_open:
    def __init__(self, filename, framework="pt", device="cpu"):
        self._header, self._data = _read(filename)
        self._meta = self._header.pop("__metadata__", None)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return False
    def keys(self):
        return list(self._header.keys())
    def metadata(self):
        return self._meta
    def get_slice(self, name):
        return self.get_tensor(name)
    def get_tensor(self, name):
        import torch
        from safetensors.torch import _TORCH
        info = self._header[name]
        start, end = info["data_offsets"]
        dtype = getattr(torch, _TORCH[info["dtype"]])
        raw = bytearray(self._data[start:end])
        if len(raw) == 0:
            return torch.empty(info["shape"], dtype=dtype)
        return torch.frombuffer(raw, dtype=dtype).reshape(info["shape"]).clone()
'''

_TORCH_MODULE = r'''
import json, struct
from safetensors import safe_open
_TORCH = %r
_NAMES = {v: k for k, v in _TORCH.items()}
def storage_ptr(tensor):
    return tensor.untyped_storage().data_ptr() if hasattr(tensor, "untyped_storage") else tensor.storage().data_ptr()
def storage_size(tensor):
    if hasattr(tensor, "untyped_storage"):
        return tensor.untyped_storage().nbytes()
    return tensor.storage().size() * tensor.element_size()
def load_file(filename, device="cpu"):
    with safe_open(filename) as f:
        return {k: f.get_tensor(k) for k in f.keys()}
def save_file(tensors, filename, metadata=None):
    header, blobs, at = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        b = t.numpy().tobytes() if str(t.dtype) != "torch.bfloat16" else t.view(dtype=__import__("torch").int16).numpy().tobytes()
        header[name] = {"dtype": _NAMES[str(t.dtype).replace("torch.", "")], "shape": list(t.shape),
                        "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) %% 8)
    with open(filename, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
''' % (_DTYPES,)


_TOKENIZERS_STUB = r'''
# Placeholder names only: transformers 4.48 imports these unconditionally (configuration_utils ->
# modeling_gguf_pytorch_utils -> integrations.ggml) but uses them only to convert tokenizers, never here.
class _Unavailable:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("tokenizers stub: the real tokenizers package is not installed")
def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return type(name, (_Unavailable,), {})
'''


def install(tmpdir, extra_dists=()):
    """Makes `import safetensors` work from tmpdir; extra_dists are (name, version) pairs that only need metadata."""
    try:
        import safetensors.torch  # noqa: F401  the real one wins
        return False
    except ImportError:
        pass
    pkg = os.path.join(tmpdir, "safetensors")
    os.makedirs(pkg, exist_ok=True)
    with open(os.path.join(pkg, "__init__.py"), "w") as f:
        f.write(_PACKAGE)
    with open(os.path.join(pkg, "torch.py"), "w") as f:
        f.write(_TORCH_MODULE)
    try:
        import tokenizers  # noqa: F401
    except ImportError:
        # No dist-info for it, so transformers still reports tokenizers as unavailable.
        tok = os.path.join(tmpdir, "tokenizers")
        os.makedirs(tok, exist_ok=True)
        for mod in ("__init__", "models", "decoders", "normalizers", "pre_tokenizers", "processors", "trainers"):
            with open(os.path.join(tok, mod + ".py"), "w") as f:
                f.write(_TOKENIZERS_STUB)
    for name, version in (("safetensors", "0.4.5"),) + tuple(extra_dists):
        meta = os.path.join(tmpdir, f"{name}-{version}.dist-info")
        os.makedirs(meta, exist_ok=True)
        with open(os.path.join(meta, "METADATA"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    sys.path.insert(0, tmpdir)
    return True
