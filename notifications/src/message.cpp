#include <date/date.h>
#include <notifications/message.h>

#include <algorithm>
#include <kainjow/mustache.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "catalog.h"

namespace treffpunkt::notifications {
namespace {

namespace mu = kainjow::mustache;

const detail::catalog& catalog_of(language lang) {
  return lang == language::en ? detail::catalog_en() : detail::catalog_de();
}

/// The HTML part. Raw here rather than embedded from a file as web/ does (web/embed.cmake):
/// one template of a dozen lines does not need a generator. Closing tags of sections that may
/// be skipped start the next line: kainjow leaves an empty line for a skipped section whose
/// closing tag stands alone on its line. Its values come from html_values below: a name used
/// here must be one of its members (no dotted names).
constexpr std::string_view html_template = R"(<!DOCTYPE html>
<html lang="{{lang}}">
<head><meta charset="utf-8"><title>{{subject}}</title></head>
<body style="font-family:sans-serif">
{{#paragraphs}}<p>{{.}}</p>
{{/paragraphs}}{{#link}}<p><a href="{{href}}">{{label}}</a></p>
{{/link}}<p>{{signature}}</p>
{{#has_note}}<p style="color:#666;font-size:small">{{note}}</p>
{{/has_note}}</body>
</html>
)";

/// Mustache's HTML escaping for texts written as plain text: a line end becomes <br> (and
/// stays a line end), and ' becomes &#39; as mails have always had it (kainjow writes &apos;,
/// which HTML 4 and some mail clients do not know). One pass, appending runs that need no
/// escaping at once: every value of every mail goes through here.
std::string escape_plain_text(const std::string& s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8 + 8);
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::string_view replacement;
    switch (s[i]) {
      case '&':
        replacement = "&amp;";
        break;
      case '<':
        replacement = "&lt;";
        break;
      case '>':
        replacement = "&gt;";
        break;
      case '"':
        replacement = "&quot;";
        break;
      case '\'':
        replacement = "&#39;";
        break;
      case '\n':
        replacement = "<br>\n";
        break;
      default:
        continue;
    }
    out.append(s, start, i - start);
    out += replacement;
    start = i + 1;
  }
  out.append(s, start);
  return out;
}

/// The HTML template, parsed once per thread: a mustache object keeps state (its error) while
/// it renders, so threads do not share one.
mu::mustache& html_mustache() {
  thread_local mu::mustache tmpl = [] {
    mu::mustache t{std::string(html_template)};
    if (!t.is_valid()) throw std::logic_error("mail HTML template: " + t.error_message());
    t.set_custom_escape(escape_plain_text);
    return t;
  }();
  return tmpl;
}

/// The values of html_template, looked up as kainjow's own context looks them up (the
/// innermost section first, {{.}} the innermost item), with the top level in named members
/// rather than a mustache object: building that map (each value copied into it, and copied
/// again by set()) cost more than rendering the template.
class html_values final : public mu::basic_context<std::string> {
 public:
  mu::data lang;
  mu::data subject;
  mu::data paragraphs{mu::data::type::list};
  mu::data link{false};
  mu::data signature;
  mu::data has_note{false};
  mu::data note;

  void push(const mu::data* data) override { stack_.push_back(data); }
  void pop() override { stack_.pop_back(); }

  const mu::data* get(const std::string& name) const override {
    if (name == ".") return stack_.empty() ? nullptr : stack_.back();
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (const mu::data* var = (*it)->get(name)) return var;
    }
    return top(name);
  }
  const mu::data* get_partial(const std::string& /*name*/) const override { return nullptr; }

 private:
  const mu::data* top(std::string_view name) const {
    if (name == "lang") return &lang;
    if (name == "subject") return &subject;
    if (name == "paragraphs") return &paragraphs;
    if (name == "link") return &link;
    if (name == "signature") return &signature;
    if (name == "has_note") return &has_note;
    if (name == "note") return &note;
    return nullptr;
  }

  std::vector<const mu::data*> stack_;
};

/// Where kainjow writes the rendered template: straight into a string, not an ostringstream.
struct string_sink {
  std::string& out;
  string_sink& operator<<(const std::string& s) {
    out += s;
    return *this;
  }
};

/// The template with each {placeholder} replaced by its fact, as plain text.
std::string fill(std::string_view tpl, const facts& f, std::string_view name) {
  std::string out;
  std::size_t pos = 0;
  while (pos < tpl.size()) {
    const std::size_t open = tpl.find('{', pos);
    const std::size_t close = open == std::string_view::npos ? open : tpl.find('}', open);
    if (close == std::string_view::npos) {
      out += tpl.substr(pos);
      break;
    }
    out += tpl.substr(pos, open - pos);
    const std::string_view key = tpl.substr(open + 1, close - open - 1);
    std::string_view value;
    if (key == "name") value = name;
    if (key == "unit") {
      value = f.unit_name.empty() ? std::string_view("treffpunkt") : std::string_view(f.unit_name);
    }
    if (key == "title") value = f.event_title;
    if (key == "when") value = f.when;
    if (key == "previous") value = f.previous_when;
    if (key == "location") value = f.location;
    if (key == "sender") value = f.sender_name;
    if (key == "body") value = f.body;
    if (key == "subject") value = f.subject;
    if (key == "expires") value = f.expires_in;
    if (key == "app") value = f.app;
    if (key == "delay") value = f.delay;
    out += value;
    pos = close + 1;
  }
  return out;
}

std::vector<std::string_view> split_paragraphs(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    const std::size_t end = std::min(s.find("\n\n", pos), s.size());
    out.push_back(s.substr(pos, end - pos));
    pos = end + 2;
  }
  return out;
}

bool is_event_kind(message_kind k) { return k != message_kind::login_link; }

bool is_lag_kind(message_kind k) {
  return k == message_kind::lag_moved || k == message_kind::lag_cancelled;
}

bool valid_link(std::string_view link) {
  if (!link.starts_with("https://") && !link.starts_with("http://")) return false;
  return std::ranges::none_of(link, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u >= 0x7f || c == '<' || c == '>' || c == '"';
  });
}

}  // namespace

language language_from_tag(std::string_view tag) {
  return tag.starts_with("en") ? language::en : language::de;
}

std::string_view kind_name(message_kind k) {
  switch (k) {
    case message_kind::login_link:
      return "login_link";
    case message_kind::guest_rsvp_link:
      return "guest_rsvp_link";
    case message_kind::rsvp_confirmation:
      return "rsvp_confirmation";
    case message_kind::reminder:
      return "reminder";
    case message_kind::moved:
      return "moved";
    case message_kind::cancelled:
      return "cancelled";
    case message_kind::waitlist_promotion:
      return "waitlist_promotion";
    case message_kind::responsibles_message:
      return "responsibles_message";
    case message_kind::offer_approved:
      return "offer_approved";
    case message_kind::offer_changes_requested:
      return "offer_changes_requested";
    case message_kind::offer_declined:
      return "offer_declined";
    case message_kind::wish_answered:
      return "wish_answered";
    case message_kind::series_confirmation:
      return "series_confirmation";
    case message_kind::lag_moved:
      return "lag_moved";
    case message_kind::lag_cancelled:
      return "lag_cancelled";
  }
  return "unknown";
}

bool wants_unsubscribe(message_kind k) {
  return k == message_kind::reminder || k == message_kind::moved || k == message_kind::cancelled ||
         k == message_kind::responsibles_message || is_lag_kind(k);
}

app_delay lagging_app(calendar::client_family f, language lang) {
  const auto& lag = catalog_of(lang).lag;
  switch (f) {
    case calendar::client_family::google:
      return {std::string(lag.google_app), std::string(lag.google_delay)};
    case calendar::client_family::microsoft:
      return {std::string(lag.microsoft_app), std::string(lag.microsoft_delay)};
    default:
      return {std::string(lag.other_app), std::string(lag.other_delay)};
  }
}

bool to_responsible(message_kind k) { return k == message_kind::series_confirmation; }

std::optional<calendar::imip_method> required_method(message_kind k) {
  switch (k) {
    case message_kind::rsvp_confirmation:
    case message_kind::moved:
      return calendar::imip_method::request;
    case message_kind::cancelled:
      return calendar::imip_method::cancel;
    default:
      return std::nullopt;
  }
}

texts write_texts(message_kind kind, language lang, const facts& f, std::string_view to_name) {
  const auto& cat = catalog_of(lang);
  const auto& e = cat.entries.at(static_cast<std::size_t>(kind));
  const std::string name = strip_controls(to_name);
  const std::string_view greeting = name.empty() ? cat.greeting_anonymous : cat.greeting;

  texts out;
  out.subject = fill(e.subject, f, name);
  // A subject is one line wherever it goes (the header strips controls again; the HTML
  // <title> and previews must not break either): C0 controls and DEL become spaces.
  std::replace_if(
      out.subject.begin(), out.subject.end(),
      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }, ' ');

  // The paragraphs before the link: the greeting, the kind's own, where.
  std::vector<std::string> paragraphs;
  paragraphs.push_back(fill(greeting, f, name));
  for (const auto paragraph : split_paragraphs(e.paragraphs)) {
    // A paragraph of only an empty fact (a decline without a message) is left out.
    if (auto filled = fill(paragraph, f, name); !filled.empty()) {
      paragraphs.push_back(std::move(filled));
    }
  }
  if (is_event_kind(kind) && !f.location.empty()) {
    paragraphs.push_back(fill(cat.location_line, f, name));
  }
  const bool has_link = !e.action.empty() && !f.link.empty();
  const std::string signature = fill(cat.signature, f, name);

  // Under the signature: why they get it (and for reminders and notices how to stop them; a
  // lag notice goes to followers who may never have answered, and says why they get it).
  std::string note;
  if (wants_unsubscribe(kind)) {
    note = is_lag_kind(kind) ? std::string(cat.lag.note) : std::string(cat.unsubscribe_note);
  }
  if (to_responsible(kind)) note = fill(cat.responsible_note, f, name);

  for (const auto& paragraph : paragraphs) {
    out.text += paragraph;
    out.text += "\n\n";
  }
  if (has_link) {
    out.text += e.action;
    out.text += ": ";
    out.text += f.link;
    out.text += "\n\n";
  }
  out.text += signature;
  out.text += "\n";
  if (!note.empty()) {
    out.text += "\n-- \n";
    out.text += note;
    out.text += "\n";
  }

  html_values html;
  html.lang = std::string(calendar::tag(lang));
  html.subject = out.subject;
  mu::basic_list<std::string> list;
  list.reserve(paragraphs.size());
  for (const auto& paragraph : paragraphs) list.emplace_back(paragraph);
  html.paragraphs = mu::data{list};
  if (has_link) {
    html.link = mu::data{mu::data::type::object};
    html.link.set("href", f.link);
    html.link.set("label", std::string(e.action));
  }
  html.signature = signature;
  html.has_note = mu::data{!note.empty()};
  html.note = note;
  auto& tmpl = html_mustache();
  out.html.reserve(html_template.size() + out.text.size() * 5 / 4 + 64);
  string_sink sink{out.html};
  tmpl.render(html, sink);
  if (!tmpl.is_valid()) throw std::logic_error("mail HTML template: " + tmpl.error_message());
  return out;
}

std::string format_when(calendar::local_seconds start, bool all_day, language lang) {
  const auto& cat = catalog_of(lang);
  const auto day = date::floor<date::days>(start);
  const date::year_month_day ymd(day);
  const date::weekday wd(day);
  const date::hh_mm_ss hms(start - day);
  const auto d = static_cast<unsigned>(ymd.day());
  const std::string month(cat.months.at(static_cast<unsigned>(ymd.month()) - 1));
  const std::string year = std::to_string(static_cast<int>(ymd.year()));
  std::string out(cat.weekdays.at(wd.c_encoding()));
  const auto h = static_cast<int>(hms.hours().count());
  const auto m = static_cast<int>(hms.minutes().count());
  const std::string mm = (m < 10 ? "0" : "") + std::to_string(m);
  if (lang == language::en) {
    out += ", " + std::to_string(d) + " " + month + " " + year;
    if (!all_day) {
      const int h12 = h % 12 == 0 ? 12 : h % 12;
      out += ", " + std::to_string(h12) + ":" + mm + (h < 12 ? " am" : " pm");
    }
  } else {
    out += ", " + std::to_string(d) + ". " + month + " " + year;
    if (!all_day) out += ", " + std::to_string(h) + ":" + mm + " Uhr";
  }
  return out;
}

result<std::string> compose(message_kind kind, language lang, const facts& f, const envelope& env,
                            const std::optional<calendar_part>& invitation) {
  if (const auto method = required_method(kind)) {
    if (!invitation) return error{errc::invalid_value, "an invitation is required", "invitation"};
    if (invitation->method != *method) {
      return error{
          errc::method_mismatch,
          std::string(kind_name(kind)) + " needs " + std::string(calendar::method_name(*method)),
          "invitation"};
    }
  }
  if (wants_unsubscribe(kind) && env.unsubscribe_url.empty()) {
    return error{errc::invalid_value, "reminders and notices need an unsubscribe URL",
                 "unsubscribe"};
  }
  if (!f.link.empty() && !valid_link(f.link)) {
    return error{errc::invalid_value, "invalid link", "link"};
  }
  for (const auto& [field, value] :
       {std::pair<const char*, const std::string*>{"unit", &f.unit_name},
        {"title", &f.event_title},
        {"when", &f.when},
        {"previous", &f.previous_when},
        {"location", &f.location},
        {"sender", &f.sender_name},
        {"body", &f.body},
        {"subject", &f.subject},
        {"expires", &f.expires_in},
        {"app", &f.app},
        {"delay", &f.delay}}) {
    if (!valid_utf8(*value)) return error{errc::invalid_value, "not UTF-8", field};
  }
  auto t = write_texts(kind, lang, f, env.to.name);
  mail m{.from = env.from,
         .to = env.to,
         .subject = std::move(t.subject),
         .text = std::move(t.text),
         .html = std::move(t.html),
         .invitation = invitation,
         .unsubscribe_url = wants_unsubscribe(kind) ? env.unsubscribe_url : std::string(),
         .date = env.date,
         .message_id = env.message_id};
  return render(m);
}

}  // namespace treffpunkt::notifications
