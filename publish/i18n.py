"""Labels of Podium's own pages in Chinese and English, chosen per request."""

from __future__ import annotations

LABELS = {
    "search": {"zh": "搜索", "en": "Search"},
    "search_placeholder": {"zh": "搜索讲话内容（简体或繁体）", "en": "Search what was said (simplified or traditional)"},
    "results": {"zh": "搜索结果", "en": "Results"},
    "no_results": {"zh": "没有找到结果。", "en": "No results."},
    "official": {"zh": "讲稿", "en": "Official text"},
    "unscripted": {"zh": "脱稿", "en": "Off-script"},
    "meeting": {"zh": "会议", "en": "Meeting"},
    "all_meetings": {"zh": "所有会议", "en": "All meetings"},
    "date_from": {"zh": "起始日期", "en": "From"},
    "date_to": {"zh": "截止日期", "en": "To"},
    "kind": {"zh": "类别", "en": "Kind"},
    "all_kinds": {"zh": "全部", "en": "All"},
    "next": {"zh": "下一页", "en": "Next page"},
    "previous": {"zh": "上一页", "en": "Previous page"},
    "play": {"zh": "播放", "en": "Play"},
    "date": {"zh": "日期", "en": "Date"},
    "speaker": {"zh": "讲话人", "en": "Speaker"},
    "duration": {"zh": "时长", "en": "Duration"},
    "not_spoken": {"zh": "未讲", "en": "not spoken"},
    "partial": {"zh": "部分讲述", "en": "partly spoken"},
    "estimated": {"zh": "可能已讲但无把握，时间为估计", "en": "probably said, not placed with confidence: times estimated"},
    "unscripted_passage": {"zh": "脱稿内容", "en": "Said off-script"},
    "export": {"zh": "导出", "en": "Export"},
    "export_csv": {"zh": "句子 CSV", "en": "Sentences CSV"},
    "export_excel": {"zh": "Excel 用 CSV（UTF-8 BOM）", "en": "CSV for Excel (UTF-8 BOM)"},
    "export_results": {"zh": "导出全部结果（CSV）", "en": "Export all results (CSV)"},
    "ranked_window": {"zh": "匹配很多：排序只比较最新的 5,000 条；导出的 CSV 含全部匹配，按会议和原文顺序排列。",
                      "en": "Many matches: the ranking compares the newest 5,000 of them; the CSV export holds "
                            "every match, by meeting and in text order."},
    "language": {"zh": "English", "en": "中文"},
    "matched": {"zh": "讲稿匹配率", "en": "Official text found"},
    "click_hint": {"zh": "点击段落即从该处播放。", "en": "Click a paragraph to play from there."},
    # the meeting page: sentence by sentence, with a timeline
    "follow_hint": {"zh": "点击句子即从该处播放。空格键播放/暂停，← / → 后退/前进 5 秒。",
                    "en": "Click a sentence to play from there. Space: play/pause; ← / →: 5 s back/forward."},
    "speed": {"zh": "播放速度", "en": "Speed"},
    "timeline": {"zh": "时间轴（点击跳转）", "en": "Timeline (click to seek)"},
    "legend": {"zh": "图例", "en": "Legend"},
    "timeline_spoken": {"zh": "已讲", "en": "spoken"},
    "timeline_partial": {"zh": "部分讲述", "en": "partly spoken"},
    "timeline_estimated": {"zh": "可能已讲（时间估计）", "en": "probably said (times estimated)"},
    "timeline_unscripted": {"zh": "脱稿", "en": "off-script"},
    "timeline_host": {"zh": "讲话之外（主持、其他）", "en": "outside the speeches (host, others)"},
    "speeches": {"zh": "讲话", "en": "Speeches"},
    "unknown_speaker": {"zh": "讲话人", "en": "Speaker"},
    "timeline_gap": {"zh": "间隙（无讲话或未识别）", "en": "gap (no speech found)"},
    "timeline_not_spoken": {"zh": "未讲：{n} 句（无时间，不在时间轴上）",
                            "en": "sentences not spoken: {n} (no time, not on the timeline)"},
    # sentences a person should check first (podium.alignment.to_check), and the walk through them
    "to_check": {"zh": "待核对", "en": "to check"},
    "to_check_count": {"zh": "{n} 句待核对", "en": "{n} sentences to check"},
    "to_check_count_one": {"zh": "1 句待核对", "en": "1 sentence to check"},
    "next_to_check": {"zh": "下一处待核对", "en": "Next to check"},
    "next_to_check_key": {"zh": "N 键：下一处待核对。", "en": "N: next sentence to check."},
    "spoken": {"zh": "已讲", "en": "spoken"},
    "confidence": {"zh": "置信度", "en": "confidence"},
    "back_to_now": {"zh": "回到当前", "en": "Back to now"},
    "sentence_link": {"zh": "本句链接（可复制）", "en": "Link to this sentence (copy it)"},
    "data": {"zh": "数据", "en": "Data"},
    "home": {"zh": "首页", "en": "home"},
    "published_with": {"zh": "发布工具", "en": "published with"},
    "license": {"zh": "数据许可", "en": "Data license"},
    "column_help": {"zh": "列说明", "en": "Column help"},
    "home_title": {"zh": "会议录音档案", "en": "Meeting archive"},
    "meetings": {"zh": "会议", "en": "Meetings"},
    "no_meetings": {"zh": "档案中还没有会议。", "en": "No meetings in the archive yet."},
    "title": {"zh": "标题", "en": "Title"},
    "unscripted_count": {"zh": "脱稿段数", "en": "Off-script passages"},
    "bad_query": {"zh": "无法搜索", "en": "Cannot search"},
    # editors: signing in and out on the editing server (podium serve --edit; publish/auth.py)
    "sign_in": {"zh": "编辑登录", "en": "Sign in"},
    "sign_in_title": {"zh": "编辑登录", "en": "Editors: sign in"},
    "sign_in_intro": {"zh": "登录后可在会议页面修改时间、状态和文字；每处修改都留有记录。",
                      "en": "Signed in, you can correct times, statuses and text on the meeting pages; every change "
                            "is kept in the history."},
    "sign_out": {"zh": "退出登录", "en": "Sign out"},
    "editor_name": {"zh": "用户名", "en": "Name"},
    "password": {"zh": "密码", "en": "Password"},
    "signed_in_as": {"zh": "已登录：{name}", "en": "Signed in as {name}"},
    "sign_in_wrong": {"zh": "用户名或密码不正确。", "en": "Wrong name or password."},
    "sign_in_too_many": {"zh": "密码错误次数过多，请约 {minutes} 分钟后再试。",
                         "en": "Too many wrong passwords: try again in about {minutes} min."},
    "sign_in_expired": {"zh": "表单已过期，请重新登录。", "en": "The form has expired: please sign in again."},
    "operators_as_text": {"zh": "引号和 AND、OR、NOT 等运算符按普通文字搜索。",
                          "en": "Quotes and operators such as AND, OR, NOT are searched as plain text."},
}


def choose_language(request) -> str:
    """'zh' or 'en': ?lang=, else the podium_lang cookie, else Accept-Language."""
    asked = request.args.get("lang")
    if asked in ("zh", "en"):
        return asked
    cookie = request.cookies.get("podium_lang")
    if cookie in ("zh", "en"):
        return cookie
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


def labels(language: str) -> dict[str, str]:
    return {key: value[language] for key, value in LABELS.items()}
