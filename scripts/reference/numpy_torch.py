"""A numpy stand-in for the small part of torch that mergekit's newer merge methods call.

It stands in for torch: it is NOT torch, and exists because the machine that writes the newer parity fixture
has numpy but no torch. `install()` puts it into sys.modules as `torch` (with `torch._tensor`, `torch.nn`,
`torch.nn.functional` and `torch.linalg`), so mergekit's own nuslerp.py, multislerp.py, karcher.py, sce.py,
ram.py, nearswap.py and arcee_fusion.py run unchanged against it. Only what those modules call is here; any
other attribute raises AttributeError, so a mergekit change that calls something new fails loudly rather than
being guessed at.

How float32 is kept, and where this differs from torch:
- Every tensor is a numpy array of an explicit dtype (float32, int64, int8 or bool). Element-wise arithmetic
  follows torch's type promotion, not numpy's: a Python number never widens a tensor (float32 * 0.3 stays
  float32), bool and integer tensors become float32 next to a float32 tensor, integer / integer is float32
  (torch's default dtype), and clamp of an integer tensor with a float bound is float32. numpy computes each
  such operation in float32 and rounds once, as torch's CPU kernels do, so element-wise results agree to the
  bit for +, -, *, /, abs, comparisons and sign.
- sin, cos, acos, exp and log use numpy's float32 routines; torch's (SLEEF or the C library) may differ by an
  ulp on some inputs.
- Reductions (sum, mean, norm, var, dot) accumulate in float64 and round to float32 once. torch sums float32
  in float32 with a cascade, so its results differ from these by a few float32 ulps of the result. The
  fixture's tolerances allow for that; a Java implementation that matches this stand-in to the bit would not
  for that reason match torch to the bit.
- softmax subtracts the row maximum, exponentiates in float32 and divides by the float64-accumulated sum.
- randperm is not provided: the fixture's tensors stay below arcee_fusion's 1M-entry sampling limit.
"""
import builtins
import sys
import types

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
int8 = np.dtype(np.int8)
bool_ = np.dtype(np.bool_)
long = int64
dtype = np.dtype   # only used in annotations


def _is_float(dtype):
    return dtype.kind == "f"


def _result_dtype(a, b, true_divide=False):
    """torch's promotion for a binary op between tensors/Python numbers (a Python number is 'weak')."""
    ta = a.dtype if isinstance(a, Tensor) else None
    tb = b.dtype if isinstance(b, Tensor) else None
    tensors = [t for t in (ta, tb) if t is not None]
    floats = [t for t in tensors if _is_float(t)]
    if floats:
        out = builtins.max(floats, key=lambda t: t.itemsize)
    else:
        py_float = any(isinstance(x, float) for x in (a, b))
        if py_float or true_divide:
            out = float32
        elif any(t == int64 for t in tensors) or any(isinstance(x, int) and not isinstance(x, builtins.bool)
                                                      for x in (a, b)):
            out = int64
        elif any(t == int8 for t in tensors):
            out = int8
        else:
            out = bool_
    return out


def _raw(x, dtype):
    if isinstance(x, Tensor):
        return x.a.astype(dtype, copy=False)
    return np.asarray(x, dtype=dtype)


class Tensor:
    """A numpy array with torch's dtype rules for the operations mergekit's methods use."""

    def __init__(self, array):
        self.a = np.asarray(array)
        if self.a.dtype == np.float64 or self.a.dtype == np.float16:
            raise TypeError(f"stand-in tensors are float32, not {self.a.dtype}")

    # -- shape and views
    @property
    def shape(self):
        return tuple(self.a.shape)

    @property
    def dtype(self):
        return self.a.dtype

    @property
    def device(self):
        return "cpu"

    def dim(self):
        return self.a.ndim

    def numel(self):
        return int(self.a.size)

    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        if tuple(shape) == self.a.shape:
            return Tensor(self.a)   # torch allows a same-shape view of any strides
        if not self.a.flags.c_contiguous:
            raise RuntimeError("view of a non-contiguous tensor")
        out = self.a.reshape(shape)
        assert np.shares_memory(out, self.a) or out.size == 0
        return Tensor(out)

    def reshape_as(self, other):
        return Tensor(self.a.reshape(other.a.shape))

    def flatten(self):
        return Tensor(self.a.reshape(-1))

    def transpose(self, d0, d1):
        return Tensor(np.swapaxes(self.a, d0, d1))

    def unsqueeze(self, dim):
        return Tensor(np.expand_dims(self.a, dim))

    def squeeze(self, dim=None):
        if dim is None:
            return Tensor(np.squeeze(self.a))
        return Tensor(np.squeeze(self.a, axis=dim) if self.a.shape[dim] == 1 else self.a)

    def contiguous(self):
        return Tensor(np.ascontiguousarray(self.a))

    def clone(self):
        return Tensor(self.a.copy())

    def numpy(self):
        return self.a

    # -- conversions
    def to(self, dtype):
        return Tensor(self.a.astype(dtype))

    def float(self):
        return Tensor(self.a.astype(np.float32))

    def long(self):
        return Tensor(self.a.astype(np.int64))

    def item(self):
        return self.a.item()

    def __float__(self):
        return float(self.a)

    def __bool__(self):
        return builtins.bool(self.a)

    def __int__(self):
        return int(self.a)

    def __iter__(self):
        return (Tensor(x) for x in self.a)

    def __len__(self):
        return len(self.a)

    # -- indexing
    def __getitem__(self, index):
        return Tensor(self.a[_index(index)])

    def __setitem__(self, index, value):
        self.a[_index(index)] = _raw(value, self.a.dtype)

    # -- arithmetic
    def _binary(self, other, op, reverse=False, true_divide=False):
        dtype = _result_dtype(self, other, true_divide)
        x, y = _raw(self, dtype), _raw(other, dtype)
        if reverse:
            x, y = y, x
        return Tensor(op(x, y).astype(dtype, copy=False))

    def __add__(self, o):
        return self._binary(o, np.add)

    def __radd__(self, o):
        return self._binary(o, np.add, True)

    def __sub__(self, o):
        return self._binary(o, np.subtract)

    def __rsub__(self, o):
        return self._binary(o, np.subtract, True)

    def __mul__(self, o):
        return self._binary(o, np.multiply)

    def __rmul__(self, o):
        return self._binary(o, np.multiply, True)

    def __truediv__(self, o):
        return self._binary(o, np.true_divide, true_divide=True)

    def __rtruediv__(self, o):
        return self._binary(o, np.true_divide, True, true_divide=True)

    def __pow__(self, p):
        if p != 2:
            raise NotImplementedError("only squaring is mirrored")
        return Tensor(self.a * self.a)

    def __neg__(self):
        return Tensor(-self.a)

    def __iadd__(self, o):
        self.a[...] = _raw(self + o, self.a.dtype)
        return self

    def __isub__(self, o):
        self.a[...] = _raw(self - o, self.a.dtype)
        return self

    def __and__(self, o):
        return Tensor(self.a & o.a)

    def _compare(self, o, op):
        dtype = _result_dtype(self, o)
        return Tensor(op(_raw(self, dtype), _raw(o, dtype)))

    def __lt__(self, o):
        return self._compare(o, np.less)

    def __le__(self, o):
        return self._compare(o, np.less_equal)

    def __gt__(self, o):
        return self._compare(o, np.greater)

    def __ge__(self, o):
        return self._compare(o, np.greater_equal)

    def __eq__(self, o):
        return self._compare(o, np.equal)

    __hash__ = None

    # -- element-wise functions
    def abs(self):
        return Tensor(np.abs(self.a))

    def sign(self):
        return Tensor(np.sign(self.a))

    def clamp(self, min=None, max=None):
        dtype = self.a.dtype
        if not _is_float(dtype) and any(isinstance(b, float) for b in (min, max)):
            dtype = float32   # torch promotes an integer tensor clamped by a float bound
        out = self.a.astype(dtype)
        if min is not None:
            out = np.maximum(out, np.asarray(min, dtype=dtype))
        if max is not None:
            out = np.minimum(out, np.asarray(max, dtype=dtype))
        return Tensor(out)

    # -- reductions (float64 accumulation, one rounding)
    def sum(self, dim=None, keepdim=False):
        return sum(self, dim=dim, keepdim=keepdim)


def _index(index):
    if isinstance(index, Tensor):
        return index.a
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    return index


def _axis(dim):
    return tuple(dim) if isinstance(dim, list) else dim


def _reduce_dtype(t):
    return t.a.dtype if _is_float(t.a.dtype) else int64


def sum(t, dim=None, keepdim=False):
    dtype = _reduce_dtype(t)
    acc = np.float64 if _is_float(dtype) else np.int64
    return Tensor(np.sum(t.a, axis=_axis(dim), keepdims=keepdim, dtype=acc).astype(dtype))


def mean(t, dim=None, keepdim=False):
    return Tensor(np.mean(t.a, axis=_axis(dim), keepdims=keepdim, dtype=np.float64).astype(t.a.dtype))


def var(t, dim=None, unbiased=True):
    return Tensor(np.var(t.a.astype(np.float64), axis=_axis(dim), ddof=1 if unbiased else 0).astype(t.a.dtype))


def norm(t, dim=None, keepdim=False):
    x = t.a.astype(np.float64)
    return Tensor(np.sqrt(np.sum(x * x, axis=_axis(dim), keepdims=keepdim)).astype(t.a.dtype))


def dot(a, b):
    return Tensor(np.dot(a.a.astype(np.float64), b.a.astype(np.float64)).astype(a.a.dtype))


def count_nonzero(t):
    return Tensor(np.asarray(np.count_nonzero(t.a), dtype=np.int64))


# -- element-wise functions in float32
def _unary(f):
    return lambda t: Tensor(f(t.a))


acos = _unary(np.arccos)
arccos = acos
sin = _unary(np.sin)
cos = _unary(np.cos)
log = _unary(np.log)
exp = _unary(np.exp)
abs = _unary(np.abs)


def clamp(t, min=None, max=None):
    return t.clamp(min=min, max=max)


# -- construction
def stack(tensors, dim=0):
    return Tensor(np.stack([t.a for t in tensors], axis=dim))


def tensor(values, dtype=None, device=None):
    if dtype is None:
        arr = np.asarray(values)
        dtype = float32 if arr.dtype.kind == "f" else (int64 if arr.dtype.kind in "iu" else arr.dtype)
    return Tensor(np.asarray(values, dtype=dtype))


def zeros_like(t, dtype=None):
    return Tensor(np.zeros(t.a.shape, dtype=dtype or t.a.dtype))


def ones_like(t, dtype=None):
    return Tensor(np.ones(t.a.shape, dtype=dtype or t.a.dtype))


def from_numpy(array):
    return Tensor(array)


# -- selection
def topk(t, k, largest=True):
    if not largest or t.a.ndim != 1:
        raise NotImplementedError("only 1-D largest topk is mirrored")
    # Stable on the negated values: among equal values the lower index comes first. torch leaves the order
    # of ties unspecified; the fixture's variances have no ties at the cut.
    order = np.argsort(-t.a, kind="stable")[:k]
    return Tensor(t.a[order]), Tensor(order.astype(np.int64))


def sort(t):
    order = np.argsort(t.a, kind="stable")
    return Tensor(t.a[order]), Tensor(order.astype(np.int64))


def softmax(t, dim=-1):
    x = t.a
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    s = np.sum(e, axis=dim, keepdims=True, dtype=np.float64).astype(x.dtype)
    return Tensor(e / s)


class no_grad:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def install():
    """Registers this module as `torch` (and the submodules mergekit imports); returns it."""
    me = sys.modules[__name__]
    sys.modules["torch"] = me
    tensor_module = types.ModuleType("torch._tensor")
    tensor_module.Tensor = Tensor
    sys.modules["torch._tensor"] = tensor_module
    nn = types.ModuleType("torch.nn")
    functional = types.ModuleType("torch.nn.functional")
    functional.softmax = softmax
    nn.functional = functional
    sys.modules["torch.nn"] = nn
    sys.modules["torch.nn.functional"] = functional
    linalg = types.ModuleType("torch.linalg")
    linalg.norm = norm
    sys.modules["torch.linalg"] = linalg
    me.nn = nn
    me.linalg = linalg
    me._tensor = tensor_module
    return me


bool = bool_  # noqa: A001 - torch.bool
