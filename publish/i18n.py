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
    # corrections: the mark every reader sees on a corrected row; the editing server's controls (publish/edit.py)
    "corrected": {"zh": "已修改", "en": "corrected"},
    "corrected_title": {"zh": "经编辑人工修改（修改记录见 changes 表）", "en": "corrected by an editor (see the changes table)"},
    "editing": {"zh": "编辑", "en": "Editing"},
    "edit_reason": {"zh": "修改理由（可选，随下一处修改保存）", "en": "Reason (optional, kept with the next change)"},
    "edit_keys": {"zh": "快捷键", "en": "Keys"},
    "key_select": {"zh": "选择上一句 / 下一句（或点击句子、脱稿段）",
                   "en": "select the previous / next sentence (or click a sentence or passage)"},
    "key_set_start": {"zh": "开始时间设为播放位置", "en": "set the start to the playhead"},
    "key_set_end": {"zh": "结束时间设为播放位置", "en": "set the end to the playhead"},
    "key_nudge_start": {"zh": "开始时间 −0.1 / +0.1 秒（加 Alt：0.01 秒）", "en": "start −0.1 / +0.1 s (with Alt: 0.01 s)"},
    "key_nudge_end": {"zh": "结束时间 −0.1 / +0.1 秒（加 Alt：0.01 秒）", "en": "end −0.1 / +0.1 s (with Alt: 0.01 s)"},
    "key_coupled": {"zh": "一句的结束与下一句的开始相接（相差 0.05 秒以内）时，两者一起移动。",
                    "en": "Where a sentence ends as the next begins (within 0.05 s), both boundaries move together."},
    "key_play_boundary": {"zh": "播放所选边界前后共 1.5 秒", "en": "play 1.5 s around the selected boundary"},
    "key_status": {"zh": "状态：已讲 / 部分讲述 / 未讲", "en": "status: spoken / partly spoken / not spoken"},
    "key_text": {"zh": "修改文字（Enter 保存，Esc 取消）；讲稿文字改后重新对齐", "en": "correct the text (Enter saves, Esc "
                 "cancels); a corrected official text is aligned again"},
    "key_strike": {"zh": "脱稿段：判为误识，从页面和搜索中删除（修改记录中保留）",
                   "en": "off-script passage: strike it as misheard (it leaves the page and search, stays in the history)"},
    "key_next": {"zh": "下一处待核对", "en": "next sentence to check"},
    "key_undo": {"zh": "撤销上一处修改", "en": "undo the last change"},
    "key_play_pause": {"zh": "播放 / 暂停", "en": "play / pause"},
    "history": {"zh": "修改记录", "en": "History"},
    "history_action": {"zh": "操作", "en": "Action"},
    "history_when": {"zh": "时间（UTC）", "en": "When (UTC)"},
    "history_who": {"zh": "修改人", "en": "Who"},
    "history_row": {"zh": "位置", "en": "Row"},
    "history_field": {"zh": "字段", "en": "Field"},
    "history_change": {"zh": "旧值 → 新值", "en": "Old → new"},
    "history_reason": {"zh": "理由", "en": "Reason"},
    "history_empty": {"zh": "尚无修改。", "en": "No changes yet."},
    "machine": {"zh": "机器", "en": "machine"},
    "edit_saving": {"zh": "正在保存…", "en": "Saving…"},
    "edit_saved": {"zh": "已保存", "en": "Saved"},
    "edit_undone": {"zh": "已撤销", "en": "Undone"},
    "edit_nothing_to_undo": {"zh": "没有可撤销的修改", "en": "Nothing to undo"},
    "edit_stale": {"zh": "他人已修改，未保存；现为：{value}", "en": "Changed by someone else meanwhile, not saved; now: {value}"},
    "edit_refused": {"zh": "未保存：{reason}", "en": "Not saved: {reason}"},
    "edit_failed": {"zh": "未保存：服务器无应答", "en": "Not saved: the server did not answer"},
    "edit_select_first": {"zh": "请先选择一句（点击或 ↑ / ↓）", "en": "Select a sentence first (click, or ↑ / ↓)"},
    "edit_no_time": {"zh": "此句尚无时间：在句首按 [，在句末按 ]", "en": "No time yet: press [ at its start, then ] at its end"},
    "edit_start_pending": {"zh": "开始 {time}：在句末按 ]", "en": "Start {time}: press ] at its end"},
    "edit_passages_only": {"zh": "x 只用于脱稿段", "en": "x strikes off-script passages only"},
    "edit_sentences_only": {"zh": "状态只用于讲稿句子", "en": "Statuses are for sentences of the official text"},
    "edit_struck": {"zh": "已删除脱稿段", "en": "Passage struck"},
    "edit_realign_error": {"zh": "文字已保存，但未能重新对齐：{reason}", "en": "Text saved, but not aligned again: {reason}"},
    "edit_conflicts": {"zh": "已重新对齐；冲突 {n} 处（以人工修改为准）：{list}",
                       "en": "Aligned again; {n} conflicts (the corrections stand): {list}"},
    "review": {"zh": "待核对", "en": "To check"},
    "review_title": {"zh": "待核对的会议", "en": "Meetings to check"},
    "review_intro": {"zh": "按待核对句数排列：可能已讲（时间估计）、部分讲述或置信度低于 0.5，且尚未经人工核对时间或状态的句子。",
                     "en": "By the number of sentences to check: probably said (times estimated), partly spoken or "
                           "with a confidence below 0.5, and whose times or status no editor has set yet."},
    "review_count": {"zh": "待核对句数", "en": "Sentences to check"},
    "review_sentences": {"zh": "句数", "en": "Sentences"},
    "review_first": {"zh": "第一处", "en": "First one"},
    "review_none": {"zh": "没有待核对的句子。", "en": "Nothing to check."},
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
    # --- browsing: home pages, speakers, search facets and the chart in time (browse.py) ---
    # --- quotes, clips, citation and the embedded player (clips.py, the meeting page) ---
    # --- the API, feeds and captions (api.py, feeds.py) ---
    # --- the corpus download (download.py) ---
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
