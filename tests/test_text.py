from podium.alignment.text import WILDCARD, detect_language, spoken_number, tokenize


def keys(text, **kw):
    return [t.key for t in tokenize(text, **kw)]


def test_digits_meet_spoken_numbers():
    assert keys("52.6万") == keys("五十二点六万")
    assert keys("3.2%") == keys("百分之三点二")
    assert keys("18650元") == keys("一万八千六百五十元")
    assert keys("5月15日") == keys("五月十五日")
    assert keys("2022年") == keys("二零二二年")


def test_spoken_number_readings():
    assert spoken_number("2022", "年") == "二零二二"
    assert spoken_number("16") == "十六"
    assert spoken_number("3.2%") == "百分之三点二"


def test_homophones_share_a_key():
    assert keys("郑镇")[1] == keys("乡镇")[1]
    assert keys("权") == keys("全")


def test_traditional_and_full_width_meet_simplified():
    assert keys("經濟發展") == keys("经济发展")
    assert keys("ＰＰＴ２") == keys("ppt2")


def test_punctuation_dropped_and_offsets_kept():
    text = "同志们：\n刚才，几位"
    tokens = tokenize(text)
    assert [text[t.offset] for t in tokens] == list("同志们刚才几位")


def test_redactions_are_one_wildcard_each():
    tokens = tokenize("全县**多万人，*书记")
    assert [t.key for t in tokens].count(WILDCARD) == 2
    assert tokenize("**", redactions=False) == []


def test_brackets_are_optional():
    tokens = tokenize("则不信（自身不作表率）。")
    assert [t.optional for t in tokens] == [False] * 3 + [True] * 6


def test_detect_language():
    assert detect_language("在2022年全县乡镇党委书记座谈会上的发言") == "zh"
    assert detect_language("And so, my fellow Americans") == "en"
