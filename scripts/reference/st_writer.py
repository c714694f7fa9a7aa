"""The reference scripts' safetensors writer: float32 tensors, sorted keys, header padded to 8 bytes."""
import json
import struct


def write_safetensors(tensors, path, metadata=None):
    """Writes {name: torch tensor} to path as F32, with __metadata__ (default {"format": "pt"})."""
    header, blobs, at = {}, [], 0
    for name in sorted(tensors):
        b = tensors[name].contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    header["__metadata__"] = metadata or {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
