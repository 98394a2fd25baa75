#include <cmark.h>
#include <web/markdown.h>

#include <cctype>
#include <cstdlib>
#include <memory>

namespace treffpunkt::web {
namespace {

bool is_word_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || u >= 0x80;  // UTF-8 letters such as ü
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

/// One line outside code blocks: gender stars escaped, code spans left alone. `open` says
/// whether a single `*` opened emphasis earlier in the paragraph.
void protect_line(std::string_view line, bool& open, std::string& out) {
  bool in_code = false;
  for (std::size_t i = 0; i < line.size();) {
    const char c = line[i];
    if (c == '`') {
      in_code = !in_code;
    } else if (c == '\\' && i + 1 < line.size()) {
      out += line.substr(i, 2);  // an escape the writer typed stays as it is
      i += 2;
      continue;
    } else if (c == '*' && !in_code) {
      std::size_t run = 1;
      while (i + run < line.size() && line[i + run] == '*') ++run;
      if (run == 1) {
        const bool after_word = i > 0 && is_word_byte(line[i - 1]);
        const bool before_space = i + 1 == line.size() || is_space(line[i + 1]);
        if (!after_word && !before_space) {
          open = true;  // "*wichtig": opens emphasis
        } else if (after_word && open) {
          open = false;  // "wichtig*": closes it
        } else if (after_word) {
          out += '\\';  // "Frauen*", "Bürger*innen": the gender star is text
        }
      }
      out += line.substr(i, run);
      i += run;
      continue;
    }
    out += c;
    ++i;
  }
}

}  // namespace

std::string protect_gender_stars(std::string_view markdown) {
  std::string out;
  out.reserve(markdown.size() + 16);
  bool open = false;
  bool fenced = false;
  while (!markdown.empty()) {
    const auto newline = markdown.find('\n');
    const auto line = markdown.substr(0, newline);
    const auto body = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (body.starts_with("```") || body.starts_with("~~~")) fenced = !fenced;
    if (fenced || line.starts_with("    ") || line.starts_with('\t') || body.starts_with("```") ||
        body.starts_with("~~~")) {
      out += line;
    } else {
      if (body.empty()) open = false;  // emphasis does not cross paragraphs
      protect_line(line, open, out);
    }
    if (newline == std::string_view::npos) break;
    out += '\n';
    markdown.remove_prefix(newline + 1);
  }
  return out;
}

std::string markdown_to_html(std::string_view markdown) {
  const std::string text = protect_gender_stars(markdown);
  // No CMARK_OPT_UNSAFE: raw HTML and dangerous URLs are dropped (cmark's safe mode).
  // SMART turns "--" and quotes into typographic ones, as people type them on phones.
  const std::unique_ptr<char, decltype(&std::free)> html(
      cmark_markdown_to_html(text.data(), text.size(), CMARK_OPT_SMART), &std::free);
  return html ? std::string(html.get()) : std::string();
}

}  // namespace treffpunkt::web
