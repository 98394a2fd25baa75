#pragma once
/// Descriptions are written in Markdown (CommonMark) by responsibles.

#include <string>
#include <string_view>

namespace treffpunkt::web {

/// CommonMark to HTML in cmark's safe mode: raw HTML becomes a comment, and links or images
/// with javascript:, vbscript:, file: or (non-image) data: URLs lose their URL.
/// Gender stars ("Frauen*", "Bürger*innen") are text, not emphasis: see protect_gender_stars.
std::string markdown_to_html(std::string_view markdown);

/// `markdown` with each `*` that follows a letter escaped, unless it closes emphasis opened
/// by a `*` before a word earlier in the paragraph ("*wichtig*"). German texts write the
/// gender star inside and after words, which CommonMark would read as emphasis. Code spans
/// and code blocks are left alone; `**` is left alone.
std::string protect_gender_stars(std::string_view markdown);

}  // namespace treffpunkt::web
