import json

from podium.alignment.segment import split_paragraphs, split_text


def texts(text, spans):
    return [text[s.start:s.end] for s in spans]


def test_paragraphs_are_non_empty_lines():
    text = "标题\n\n  第一段。 \n第二段\n"
    assert texts(text, split_paragraphs(text)) == ["标题", "第一段。", "第二段"]


def test_sentences_never_split_inside_brackets_and_keep_closing_marks():
    text = "人不率，则不从；身不先，则不信（自身不作表率，人就不会服从；不以自身为先）。他说：“过河。”好的！"
    _, sentences = split_text(text)
    assert texts(text, sentences) == [
        "人不率，则不从；",
        "身不先，则不信（自身不作表率，人就不会服从；不以自身为先）。",
        "他说：“过河。”",
        "好的！",
    ]


def test_english_sentences_split_on_end_mark_and_space():
    text = "Ask not what your country can do for you. Ask what you can do! Dr.Who stays."
    _, sentences = split_text(text)
    assert texts(text, sentences) == ["Ask not what your country can do for you.", "Ask what you can do!", "Dr.Who stays."]


def test_seed_text_splits_like_the_truth(fixtures):
    text = (fixtures / "seed" / "official.txt").read_text(encoding="utf-8")
    truth = json.loads((fixtures / "seed" / "seed_plain_truth.json").read_text(encoding="utf-8"))
    paragraphs, sentences = split_text(text)
    assert len(paragraphs) == len(truth["paragraphs"])
    assert [(s.paragraph_seq, s.seq, text[s.start:s.end]) for s in sentences] == [
        (t["paragraph"], t["sentence"], t["official"]) for t in truth["sentences"]
    ]
