"""The offline base weights converted to openai-whisper give CTranslate2's own greedy tokens."""

import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_converted_checkpoint_decodes_like_ctranslate2(seed, tmp_path, monkeypatch):
    import ctranslate2
    import whisper

    from podium.ingest import weights
    from podium.ingest.audio import decode, to_float

    monkeypatch.setenv("PODIUM_CACHE_DIR", str(tmp_path))  # convert from scratch
    model = weights.load_openai_whisper("base")
    assert sum(p.numel() for p in model.parameters()) > 70_000_000
    assert model.alignment_heads.to_dense().sum() == 8

    samples = to_float(decode(seed.audio))
    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(samples))
    tokenizer = whisper.tokenizer.get_tokenizer(True, language="zh", task="transcribe")
    options = whisper.DecodingOptions(language="zh", without_timestamps=True, fp16=False, temperature=0.0)
    ours = whisper.decode(model, mel, options).tokens

    ct2 = ctranslate2.models.Whisper(str(weights.packaged_ct2_model("base")), device="cpu", compute_type="float32")
    features = ctranslate2.StorageView.from_array(np.ascontiguousarray(mel.numpy()[None]))
    prompt = [tokenizer.sot, tokenizer.language_token, tokenizer.transcribe, tokenizer.no_timestamps]
    theirs = ct2.generate(features, [prompt], beam_size=1)[0].sequences_ids[0]
    assert len(ours) > 10
    assert ours == theirs
    assert "黨委書記是用人的" in tokenizer.decode(ours)  # 党委书记是用人的: base writes traditional characters
