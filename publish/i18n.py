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
    "download_link": {"zh": "下载全部数据", "en": "Download the corpus"},
    "feed_new_meetings": {"zh": "订阅新会议（Atom）", "en": "New meetings (Atom feed)"},
    "filter_meetings": {"zh": "筛选会议", "en": "Filter meetings"},
    "title_words": {"zh": "标题含", "en": "Title contains"},
    "year": {"zh": "年份", "en": "Year"},
    "all_years": {"zh": "所有年份", "en": "All years"},
    "all_speakers": {"zh": "所有讲话人", "en": "All speakers"},
    "filter": {"zh": "筛选", "en": "Filter"},
    "clear_filters": {"zh": "清除筛选", "en": "Clear filters"},
    "meetings_per_year": {"zh": "每年会议数", "en": "Meetings per year"},
    "pages": {"zh": "分页", "en": "Pages"},
    "page_of": {"zh": "第 {page} / {pages} 页", "en": "Page {page} of {pages}"},
    "in_meetings": {"zh": "{n} 次会议", "en": "in {n} meetings"},
    "period": {"zh": "时间范围", "en": "Period"},
    "speaking_time": {"zh": "讲话总时长", "en": "Speaking time"},
    "of_speaking_time": {"zh": "占讲话时长", "en": "of the speaking time"},
    "search_speaker": {"zh": "搜索{name}的讲话", "en": "Search what {name} said"},
    "unscripted_share": {"zh": "脱稿时长占比", "en": "Off-script share of time"},
    "unscripted_passages": {"zh": "脱稿内容", "en": "Said off-script"},
    "no_unscripted": {"zh": "没有脱稿内容。", "en": "Nothing said off-script."},
    "latest_passages": {"zh": "显示最近的 {n} 段（共 {total} 段）；用搜索查找其余。",
                        "en": "The latest {n} of {total}; search to find the others."},
    "subscribe": {"zh": "订阅此搜索（Atom）", "en": "Subscribe to this search (Atom)"},
    "facets_link": {"zh": "结果数、按年份、讲话人和会议的分布", "en": "How many, by year, speaker and meeting"},
    "facets_title": {"zh": "分布", "en": "Where the hits are"},
    "back_to_results": {"zh": "返回搜索结果", "en": "Back to the results"},
    "hits_per_year": {"zh": "每年结果数（点击柱条筛选该年）", "en": "Hits per year (a bar narrows to its year)"},
    "hits_per_month": {"zh": "每月结果数（点击柱条筛选该月）", "en": "Hits per month (a bar narrows to its month)"},
    "by_speaker": {"zh": "按讲话人", "en": "By speaker"},
    "by_meeting": {"zh": "按会议", "en": "By meeting"},
    "top_of": {"zh": "前 {n} 个，共 {total} 个", "en": "top {n} of {total}"},
    # --- quotes, clips, citation and the embedded player (clips.py, the meeting page) ---
    "quote": {"zh": "引用", "en": "Quote"},
    "quote_count": {"zh": "{n} 句", "en": "{n} sentences"},
    "quote_count_one": {"zh": "1 句", "en": "1 sentence"},
    "quote_play": {"zh": "▶ 播放引用", "en": "▶ Play the quote"},
    "quote_press_play": {"zh": "浏览器不会自动播放声音：请按“播放引用”（或回车键）。",
                         "en": "Browsers do not start sound by themselves: press “Play the quote” (or Enter)."},
    "quote_copy_link": {"zh": "复制链接", "en": "Copy link"},
    "quote_copy_citation": {"zh": "复制引文", "en": "Copy citation"},
    "quote_copy_embed": {"zh": "复制嵌入代码", "en": "Copy embed code"},
    "quote_clear": {"zh": "取消引用", "en": "Clear the quote"},
    "quote_copied": {"zh": "已复制：", "en": "Copied:"},
    "quote_copy_by_hand": {"zh": "无法自动复制：请选中下面的文字，按 Ctrl+C 复制。",
                           "en": "Could not copy: select the text below and press Ctrl+C."},
    "quote_selected": {"zh": "已选引用：{n}，{start}–{end}。按 Q 复制链接或引文，Esc 取消。",
                       "en": "Quote selected: {n}, {start}–{end}. Press Q for its link and citation, Esc to clear."},
    "quote_cleared": {"zh": "已取消引用", "en": "Quote cleared"},
    "quote_hint": {"zh": "引用一段：点击第一句，再按住 Shift 点击最后一句。键盘：Tab 到句子，回车播放，Shift+↓ / Shift+↑ 扩展引用，Q 到引用按钮，Esc 取消。",
                   "en": "To quote: click the first sentence, then Shift+click the last. Keyboard: Tab to a sentence, "
                         "Enter plays it, Shift+↓ / Shift+↑ extend the quote, Q goes to its buttons, Esc clears it."},
    "quote_now": {"zh": "{time}：{text}", "en": "{time}: {text}"},
    "quote_recording": {"zh": "会议录音", "en": "Recording of the meeting"},
    "quote_captions": {"zh": "字幕（讲稿）", "en": "Captions (official text)"},
    "quote_no_words": {"zh": "录音 {start}–{end}", "en": "Recording {start}–{end}"},
    "quote_whole_meeting": {"zh": "打开整场会议", "en": "Open the whole meeting"},
    "quote_full_meeting": {"zh": "在完整会议中收听 ↗", "en": "Listen in the full meeting ↗"},
    "quote_new_window": {"zh": "（新窗口）", "en": "(new window)"},
    # a quote link's t or s that names nothing to play: 400, with one of these reasons
    "quote_bad": {"zh": "引用链接无效", "en": "Not a valid quote link"},
    "quote_bad_t": {"zh": "t 应为“开始,结束”，单位为秒（如 t=5.2,17.6），而不是“{value}”。",
                    "en": "t must be start,end in seconds (such as t=5.2,17.6), not “{value}”."},
    "quote_bad_s": {"zh": "s 应为“段-句..段-句”（如 s=3-0..3-2），而不是“{value}”。",
                    "en": "s must be paragraph-sentence..paragraph-sentence (such as s=3-0..3-2), not “{value}”."},
    "quote_both": {"zh": "请只给 t 或 s 其中之一。", "en": "Give t or s, not both."},
    "quote_order": {"zh": "引用的结束在开始之前。", "en": "The quote ends before it starts."},
    "quote_past_end": {"zh": "引用结束于 {end}，但录音只有 {duration}。",
                       "en": "The quote ends at {end}, past the end of the recording ({duration})."},
    "quote_no_sentence": {"zh": "本会议没有第 {id} 句。", "en": "This meeting has no sentence {id}."},
    "quote_not_spoken": {"zh": "所引的句子都未讲，无法播放。", "en": "None of the quoted sentences was spoken: nothing to play."},
    "quote_embed_needs_quote": {"zh": "嵌入播放器需要引用：?t=开始,结束 或 ?s=段-句..段-句。",
                                "en": "The embedded player needs a quote: ?t=start,end or ?s=paragraph-sentence..paragraph-sentence."},
    # the citation "copy citation" gives, in the page's language; its parts are left out where unknown
    "cite_text": {"zh": "“{text}”", "en": "“{text}”"},
    "cite_source": {"zh": "——{parts}", "en": "— {parts}"},
    "cite_separator": {"zh": "，", "en": ", "},
    "cite_and": {"zh": "、", "en": " and "},
    "cite_title": {"zh": "《{title}》", "en": "“{title}”"},
    "cite_range": {"zh": "录音 {start}–{end}", "en": "recording {start}–{end}"},
    "embed_title": {"zh": "{title}：引用 {start}–{end}", "en": "{title}: quote {start}–{end}"},
    # --- the API, feeds and captions (api.py, feeds.py) ---
    "feed_meetings": {"zh": "新会议", "en": "New meetings"},
    "feed_meetings_subtitle": {"zh": "最新归档的会议，按会议日期排列。", "en": "The newest meetings in the archive, by date."},
    "feed_search": {"zh": "搜索", "en": "Search"},
    "feed_search_subtitle": {"zh": "已保存搜索的新结果，最新的会议在前。",
                             "en": "New hits of a saved search, newest meetings first."},
    "captions_unscripted": {"zh": "［脱稿］", "en": "[off-script]"},
    "api_title": {"zh": "API 与数据接口", "en": "API"},
    "api_intro": {"zh": "网站页面所用的数据，以 JSON 提供，任何网站均可调用（CORS）；另有字幕（WebVTT）与订阅（Atom）。"
                        "完整说明见 OpenAPI 描述。",
                  "en": "The data the pages use, as JSON that any website may call (CORS); captions (WebVTT) and "
                        "feeds (Atom) besides. The OpenAPI description documents every parameter and field."},
    "api_endpoint": {"zh": "接口", "en": "Endpoint"},
    "api_what": {"zh": "内容", "en": "What it gives"},
    "api_example": {"zh": "示例", "en": "Example"},
    "api_meetings": {"zh": "会议列表，最新的在前；可按年份（year）、讲话人（speaker）、标题中的词（q）筛选，分页（page、size），"
                             "带总数及上一页、下一页链接。",
                     "en": "Meetings, newest first; filter by year, speaker and words of the title (q), a page at a "
                           "time (page, size), with the total and links to the next and previous pages."},
    "api_meeting": {"zh": "一次会议：各篇讲话、段落及其句子（带时间与状态）、脱稿内容。",
                    "en": "One meeting: its speeches, paragraphs with their sentences (times and status), and "
                          "what was said off-script."},
    "api_speakers": {"zh": "所有讲话人：讲话篇数、会议数、首次与最近一次的日期。",
                     "en": "Every speaker: speeches, meetings, the dates of the first and the last."},
    "api_speaker": {"zh": "一位讲话人的每篇讲话：时长、讲稿匹配率、脱稿段数及其占讲话时间的比例。",
                    "en": "A speaker's speeches: duration, share of the official text found, off-script passages "
                          "and their share of the speaking time."},
    "api_search": {"zh": "全文搜索（讲稿句子与脱稿内容），参数同搜索页。",
                   "en": "Full-text search of official sentences and off-script passages, with the search page's "
                         "parameters."},
    "api_search_csv": {"zh": "搜索的全部结果，CSV 格式。", "en": "Every hit of a search, as CSV."},
    "api_captions": {"zh": "一次会议的字幕（WebVTT）：每个有时间的句子一条，脱稿内容另加标记。",
                     "en": "A meeting's captions (WebVTT): a cue per timed sentence, off-script passages marked."},
    "api_feed": {"zh": "订阅新会议（Atom）。", "en": "New meetings, as an Atom feed."},
    "api_search_feed": {"zh": "订阅一项搜索的新结果（Atom），参数同搜索页。",
                        "en": "New hits of a saved search, as an Atom feed (the search page's parameters)."},
    "api_openapi": {"zh": "本 API 的 OpenAPI 3.1 描述（JSON）。", "en": "This API's OpenAPI 3.1 description (JSON)."},
    "api_errors": {"zh": "参数错误时返回 400 及 {\"error\": …}，说明是哪个参数；会议或讲话人不存在时返回 404。",
                   "en": "A bad parameter answers 400 with {\"error\": …} naming it; an unknown meeting or speaker "
                         "answers 404."},
    # --- the corpus download (download.py) ---
    "download_title": {"zh": "下载全部数据", "en": "Download the whole corpus"},
    "download_intro": {"zh": "本站发布的完整档案：本站所用的 SQLite 数据库，以及每个公开表一个 CSV 文件（UTF-8）的压缩包。"
                             "二者均在发布时生成；编辑判定为误识的脱稿内容不在其中。录音不在其中：每个会议的录音在 /media/<会议编号>。",
                       "en": "The whole archive as this site publishes it: the SQLite database the site serves, and a "
                             "zip of every public table as a CSV file (UTF-8). Both are built when the archive is "
                             "published; off-script passages struck by an editor as misheard are not in them. The "
                             "recordings are not: each meeting's is at /media/<meeting ID>."},
    "download_file": {"zh": "文件", "en": "File"},
    "download_size": {"zh": "大小", "en": "Size"},
    "download_built": {"zh": "生成时间", "en": "Built"},
    "download_rows": {"zh": "行数", "en": "Rows"},
    "download_database": {"zh": "SQLite 数据库（含修改记录 changes 表）",
                          "en": "SQLite database (with the correction history, the changes table)"},
    "download_csv": {"zh": "每表一个 CSV 的 ZIP 压缩包（不含修改记录）",
                     "en": "ZIP of one CSV per table (without the correction history)"},
    "download_verify": {"zh": "下载后可核对 SHA-256，确认文件完整：", "en": "Check a download against its SHA-256:"},
    "download_manifest": {"zh": "清单（JSON）", "en": "Manifest (JSON)"},
    "download_not_built": {"zh": "本站尚未生成下载文件。在编辑用的档案上运行 podium publish OUT_DIR 生成公开副本及其下载文件"
                                 "（OUT_DIR/download/），再用 podium serve --immutable 提供该副本。",
                           "en": "No download has been built for this site. Run podium publish OUT_DIR on the editing "
                                 "archive: it writes the public copy and its downloads (OUT_DIR/download/); then serve "
                                 "that copy with podium serve --immutable."},
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


def other_language(language: str) -> str:
    return "en" if language == "zh" else "zh"


def remember_language(response, request, language: str):
    """The response, remembering a language the reader chose (`?lang=`) in the podium_lang cookie."""
    if request.args.get("lang") in ("zh", "en"):
        response.set_cookie("podium_lang", language, max_age=365 * 24 * 3600, samesite="lax")
    return response
