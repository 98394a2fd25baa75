#include <calendar/expand.h>
#include <calendar/ical_writer.h>
#include <date/date.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <optional>
#include <vector>

#include "vtimezone.h"

namespace treffpunkt::calendar {
namespace {

using std::chrono::seconds;

/// How long feeds look back, and how long a cancelled one-off event stays in them
/// (docs/calendar.md: members look back; a cancellation must reach clients that poll daily).
constexpr auto feed_past = date::days(90);
constexpr auto cancelled_kept = date::days(30);

/// Beyond any date a validated event can reach: where "until the end" of a series stops.
constexpr utc_seconds far_future{date::sys_days{date::year{2400} / date::January / 1}};

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20U || u == 0x7FU;
}

/// TEXT escaping (RFC 5545 §3.3.11) straight into `out`. CR is dropped so that CRLF in input
/// becomes one "\n"; other control characters except HTAB are not allowed in TEXT at all.
/// Runs of characters that stay as they are go in with one append.
void append_escaped(std::string& out, std::string_view text) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    std::string_view replacement;
    switch (c) {
      case '\\':
        replacement = "\\\\";
        break;
      case ';':
        replacement = "\\;";
        break;
      case ',':
        replacement = "\\,";
        break;
      case '\n':
        replacement = "\\n";
        break;
      case '\t':
        continue;
      default:
        if (!is_control(c)) continue;
        break;  // dropped: an empty replacement
    }
    out.append(text.data() + start, i - start);
    out += replacement;
    start = i + 1;
  }
  out.append(text.data() + start, text.size() - start);
}

/// A quoted parameter value (RFC 5545 §3.1: QSAFE-CHAR is anything but DQUOTE and control
/// characters). A DQUOTE in a name becomes an apostrophe, a control character a space, so
/// "Anna \"Nanni\" K." still shows as a name rather than breaking the line.
void append_quoted_param(std::string& out, std::string_view value) {
  out += '"';
  for (const char c : value) {
    if (c == '"') {
      out += '\'';
    } else if (is_control(c)) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '"';
}

/// A URI value (RFC 5545 §3.3.13) is not escaped; controls and spaces are dropped so that a
/// stored value can never end the line early or inject a property.
void append_uri(std::string& out, std::string_view uri) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < uri.size(); ++i) {
    if (!is_control(uri[i]) && uri[i] != ' ') continue;
    out.append(uri.data() + start, i - start);
    start = i + 1;
  }
  out.append(uri.data() + start, uri.size() - start);
}

void append_int(std::string& out, long long v) {
  std::array<char, 24> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), r.ptr);
}

void append_two(std::string& out, unsigned v) {
  out += static_cast<char>('0' + v / 10 % 10);
  out += static_cast<char>('0' + v % 10);
}

void append_date(std::string& out, date::days since_epoch) {
  const date::year_month_day ymd{date::sys_days{since_epoch}};
  const int y = static_cast<int>(ymd.year());
  append_two(out, static_cast<unsigned>(y / 100));
  append_two(out, static_cast<unsigned>(y % 100));
  append_two(out, static_cast<unsigned>(ymd.month()));
  append_two(out, static_cast<unsigned>(ymd.day()));
}

/// "YYYYMMDDTHHMMSS" of a count of seconds since the epoch of its clock.
void append_date_time(std::string& out, seconds since_epoch) {
  const auto day = date::floor<date::days>(since_epoch);
  append_date(out, day);
  const date::hh_mm_ss<seconds> tod{since_epoch - day};
  out += 'T';
  append_two(out, static_cast<unsigned>(tod.hours().count()));
  append_two(out, static_cast<unsigned>(tod.minutes().count()));
  append_two(out, static_cast<unsigned>(tod.seconds().count()));
}

/// DURATION (RFC 5545 §3.3.6): "PT6H", "P1D", "PT1H30M".
void append_duration(std::string& out, seconds d) {
  auto s = d.count();
  out += 'P';
  if (s >= 86400 && s % 86400 == 0) {
    append_int(out, s / 86400);
    out += 'D';
    return;
  }
  out += 'T';
  if (s >= 3600) {
    append_int(out, s / 3600);
    out += 'H';
    s %= 3600;
  }
  if (s >= 60) {
    append_int(out, s / 60);
    out += 'M';
    s %= 60;
  }
  if (s > 0 || d.count() < 60) {
    append_int(out, s);
    out += 'S';
  }
}

/// Builds a calendar one content line at a time: a line is assembled in `line_`, then folded
/// into `out_`, so no line is ever copied twice and no iostream is involved.
class ical_builder {
 public:
  explicit ical_builder(std::size_t expected_size) {
    out_.reserve(expected_size);
    line_.reserve(256);
  }

  /// A line that needs no escaping ("BEGIN:VEVENT").
  void line(std::string_view text) { append_folded(out_, text); }
  /// Text that is already a sequence of folded CRLF lines (a cached VTIMEZONE).
  void lines(std::string_view text) { out_ += text; }

  /// Starts a property line: name and parameters, without the colon.
  std::string& begin(std::string_view name_and_params) {
    line_.assign(name_and_params);
    return line_;
  }
  void end() { append_folded(out_, line_); }

  void text(std::string_view name, std::string_view value) {
    begin(name) += ':';
    append_escaped(line_, value);
    end();
  }
  void text_if(std::string_view name, std::string_view value) {
    if (!value.empty()) text(name, value);
  }
  void uri(std::string_view name, std::string_view value) {
    begin(name) += ':';
    append_uri(line_, value);
    end();
  }
  void integer(std::string_view name, long long value) {
    begin(name) += ':';
    append_int(line_, value);
    end();
  }
  /// A DATE-TIME in UTC, "20251101T120000Z" (RFC 5545 §3.3.5 form 2).
  void utc(std::string_view name, utc_seconds t) {
    begin(name) += ':';
    append_date_time(line_, t.time_since_epoch());
    line_ += 'Z';
    end();
  }
  /// A start-like value in the event's frame: "DTSTART;TZID=Europe/Berlin:20251202T190000"
  /// (form 3, local time with a TZID that has a VTIMEZONE) or "DTSTART;VALUE=DATE:20251202".
  void local(std::string_view name, const event& e, local_seconds t) {
    begin(name);
    if (e.all_day) {
      line_ += ";VALUE=DATE:";
      append_date(line_, date::floor<date::days>(t.time_since_epoch()));
    } else {
      line_ += ";TZID=";
      line_ += e.zone;
      line_ += ':';
      append_date_time(line_, t.time_since_epoch());
    }
    end();
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::string line_;
};

/// Length of an all-day occurrence in whole days (at least one): DTEND;VALUE=DATE is the day
/// after the last day (RFC 5545 §3.6.1, the end is exclusive).
date::days whole_days(seconds d) {
  const auto n = date::ceil<date::days>(d);
  return n < date::days(1) ? date::days(1) : n;
}

/// The wall-clock end of an occurrence that starts at `start` and lasts `d` of real time.
local_seconds local_end(const event& e, local_seconds start, seconds d) {
  if (e.all_day) return start + whole_days(d);
  return to_local(to_utc(start, e.zone) + d, e.zone);
}

/// The original wall-clock start that an occurrence key names (its RECURRENCE-ID).
local_seconds original_local(const event& e, const occurrence_key& key) {
  if (e.all_day) return local_seconds{date::floor<date::days>(key.instant()).time_since_epoch()};
  return to_local(key.instant(), e.zone);
}

/// The texts and times of one VEVENT: the series itself, or one occurrence of it.
struct vevent_view {
  const occurrence_key* recurrence_id = nullptr;
  local_seconds start;
  local_seconds end;
  std::string_view title;
  std::string_view description;
  std::string_view location;
  std::string_view online_url;
  long long sequence = 0;
  utc_seconds stamp;
  bool cancelled = false;
  bool with_recurrence_set = false;  ///< writes RRULE, RDATE, EXDATE (the master)
};

vevent_view master_view(const event& e) {
  vevent_view v;
  v.start = e.start;
  v.end = local_end(e, e.start, e.duration);
  v.title = e.title;
  v.description = e.description;
  v.location = e.location;
  v.online_url = e.online_url;
  v.sequence = e.sequence;
  v.stamp = e.last_modified;
  v.cancelled = e.status == event_status::cancelled;
  v.with_recurrence_set = e.is_series();
  return v;
}

/// An override VEVENT (RFC 5545 §3.8.4.4): fields it leaves empty keep the series' value.
/// SEQUENCE is the larger of series and override, so that a change to the series (which
/// changes the inherited fields here too) is not older than the override for a client;
/// DTSTAMP/LAST-MODIFIED are the override's own, so that it reads back unchanged.
vevent_view override_view(const event& e, const occurrence_override& o) {
  vevent_view v;
  v.recurrence_id = &o.key;
  v.start = o.start ? *o.start : original_local(e, o.key);
  v.end = local_end(e, v.start, o.duration ? *o.duration : e.duration);
  v.title = o.title ? *o.title : e.title;
  v.description = o.description ? *o.description : e.description;
  v.location = o.location ? *o.location : e.location;
  v.online_url = o.online_url ? *o.online_url : e.online_url;
  v.sequence = std::max(e.sequence, o.sequence);
  v.stamp = o.last_modified != utc_seconds{} ? o.last_modified : e.last_modified;
  v.cancelled = e.status == event_status::cancelled || o.cancelled;
  return v;
}

/// What a VEVENT says beyond the event: the people of an iMIP message, the CATEGORIES of a feed.
struct vevent_extras {
  const imip_party* party = nullptr;
  bool categories = false;
  std::optional<language> lang;  ///< of the CATEGORIES label
};

/// The people of an iMIP message (RFC 6047 §3.2, RFC 5546 §3.2.2 and §3.2.5).
void write_people(ical_builder& w, const imip_party& party) {
  std::string& organizer = w.begin("ORGANIZER");
  if (!party.organizer_name.empty()) {
    organizer += ";CN=";
    append_quoted_param(organizer, party.organizer_name);
  }
  organizer += ":mailto:";
  append_uri(organizer, party.organizer_email);
  w.end();

  std::string& attendee = w.begin("ATTENDEE");
  if (!party.attendee_name.empty()) {
    attendee += ";CN=";
    append_quoted_param(attendee, party.attendee_name);
  }
  attendee += ";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:";
  append_uri(attendee, party.attendee_email);
  w.end();
}

void write_vevent(ical_builder& w, const event& e, const vevent_view& v,
                  const vevent_extras& extras) {
  w.line("BEGIN:VEVENT");
  w.text("UID", e.uid);
  // DTSTAMP is the last change, never "now": a feed rendered twice must be the same bytes,
  // or clients re-import every event on every poll.
  w.utc("DTSTAMP", v.stamp);
  if (e.created != utc_seconds{}) w.utc("CREATED", e.created);
  w.utc("LAST-MODIFIED", v.stamp);
  w.integer("SEQUENCE", v.sequence);
  if (v.recurrence_id != nullptr) w.local("RECURRENCE-ID", e, original_local(e, *v.recurrence_id));
  w.local("DTSTART", e, v.start);
  w.local("DTEND", e, v.end);
  if (v.with_recurrence_set) {
    if (e.rule) {
      w.begin("RRULE:").append(e.rule->to_string());
      w.end();
    } else {
      // A series of extra dates only. DTSTART is its first occurrence (RFC 5545 §3.8.5.3),
      // but ical.js (Thunderbird) expands RDATE-only events without it, and listing DTSTART
      // as an RDATE as well makes libical show it twice. A rule that yields exactly DTSTART
      // is read the same way by all of them.
      w.line("RRULE:FREQ=DAILY;COUNT=1");
    }
    // RDATE and EXDATE carry the value type and TZID of DTSTART (RFC 5545 §3.8.5.1, §3.8.5.2:
    // Outlook and Google ignore an EXDATE whose form differs), one per line, which every
    // client reads, unlike long comma lists.
    for (const local_seconds r : e.rdates) w.local("RDATE", e, r);
    for (const occurrence_override& o : e.overrides) {
      if (o.cancelled) w.local("EXDATE", e, original_local(e, o.key));
    }
  }
  w.text("SUMMARY", v.title);
  // A feed names the host of an exchange offer first, where they allowed it (ORGANIZER stays
  // the unit: it is who answers for the calendar).
  const std::string host =
      extras.categories && !e.host.empty() ? host_line(e.host, extras.lang) : std::string();
  if (!v.online_url.empty() || !host.empty()) {
    // The link also goes into the text: several clients show DESCRIPTION but not URL.
    std::string& d = w.begin("DESCRIPTION:");
    append_escaped(d, host);
    if (!host.empty() && (!v.description.empty() || !v.online_url.empty())) d += "\\n\\n";
    append_escaped(d, v.description);
    if (!v.description.empty() && !v.online_url.empty()) d += "\\n";
    append_escaped(d, v.online_url);
    w.end();
  } else {
    w.text_if("DESCRIPTION", v.description);
  }
  w.text_if("LOCATION", v.location);
  if (!v.online_url.empty()) w.uri("URL", v.online_url);
  if (extras.party != nullptr) write_people(w, *extras.party);
  w.line(v.cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
  w.line("TRANSP:OPAQUE");
  // The kind for people, in the feed's language (RFC 5545 §3.8.1.2), and for machines: the
  // X-property stays what `treffpunkt import` and other programs go by.
  if (extras.categories) w.text("CATEGORIES", category_label(e.kind, extras.lang));
  if (!host.empty()) w.text("X-TREFFPUNKT-HOST", e.host);
  w.line(e.kind == event_kind::meeting ? "X-TREFFPUNKT-KIND:MEETING"
                                       : "X-TREFFPUNKT-KIND:EXCHANGE-OFFER");
  if (v.recurrence_id == nullptr) w.text_if("RELATED-TO", e.related_to);
  w.line("END:VEVENT");
}

/// The series (or one-off) VEVENT, then one VEVENT per override that is not a cancellation
/// (cancellations are EXDATEs of the series).
void write_event_with_overrides(ical_builder& w, const event& e, const vevent_extras& extras) {
  if (!e.is_series()) {
    // A one-off event has one occurrence and no series for a RECURRENCE-ID to point into: a
    // change to that occurrence (moved, another room, cancelled) is the event as it now is.
    // A VEVENT with a RECURRENCE-ID of its own UID alone would be dropped by some clients
    // and shown twice by others.
    vevent_view v = master_view(e);
    for (const occurrence_override& o : e.overrides) {
      if (original_local(e, o.key) != e.start) continue;  // not its occurrence: cannot be
      v = override_view(e, o);
      v.recurrence_id = nullptr;
      v.with_recurrence_set = false;
    }
    write_vevent(w, e, v, extras);
    return;
  }
  write_vevent(w, e, master_view(e), extras);
  for (const occurrence_override& o : e.overrides) {
    if (!o.cancelled) write_vevent(w, e, override_view(e, o), extras);
  }
}

void write_calendar_head(ical_builder& w, std::string_view method) {
  w.line("BEGIN:VCALENDAR");
  w.line("VERSION:2.0");
  w.line("PRODID:-//treffpunkt//treffpunkt//DE");
  w.line("CALSCALE:GREGORIAN");
  w.begin("METHOD:").append(method);
  w.end();
}

}  // namespace

std::string_view category_label(event_kind kind, std::optional<language> lang) {
  const bool offer = kind == event_kind::exchange_offer;
  if (!lang) return offer ? "EXCHANGE-OFFER" : "MEETING";
  // The words of the pages (web/src/catalog.cpp: kind_meeting, kind_exchange_offer).
  if (*lang == language::en) return offer ? "Exchange offer" : "Meeting";
  return offer ? "Austauschangebot" : "Treffen";
}

std::string host_line(std::string_view host, std::optional<language> lang) {
  return std::string(lang == language::en ? "Host: " : "Gastgeber*in: ") + std::string(host);
}

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  append_escaped(out, text);
  return out;
}

void append_folded(std::string& out, std::string_view line) {
  // RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets excluding the line break; a long
  // line continues after CRLF and one space, which counts toward the next line's 75. Breaking
  // inside a UTF-8 sequence is legal there but breaks real clients, so a break goes before
  // the lead byte of the character that does not fit.
  constexpr std::size_t limit = 75;
  if (line.size() <= limit) {
    out.append(line);
    out += "\r\n";
    return;
  }
  std::size_t pos = 0;
  bool first = true;
  while (true) {
    const std::size_t room = first ? limit : limit - 1;
    if (!first) out += ' ';
    if (line.size() - pos <= room) {
      out.append(line.substr(pos));
      out += "\r\n";
      return;
    }
    std::size_t cut = pos + room;
    while (cut > pos && is_utf8_continuation(line[cut])) --cut;
    // Only invalid UTF-8 (a run of continuation bytes) leaves no boundary: cut anywhere.
    if (cut == pos) cut = pos + room;
    out.append(line.substr(pos, cut - pos));
    out += "\r\n";
    pos = cut;
    first = false;
  }
}

std::string write_feed(const feed_info& info, std::span<const event> events) {
  // Roughly what an event takes, so that a unit's feed is built without reallocation.
  ical_builder w(1024 + 700 * events.size());
  write_calendar_head(w, "PUBLISH");
  w.text_if("NAME", info.name);  // RFC 7986 §5.1
  w.text_if("X-WR-CALNAME", info.name);
  w.text_if("DESCRIPTION", info.description);  // RFC 7986 §5.2
  w.text_if("X-WR-CALDESC", info.description);
  if (!info.colour.empty()) {
    w.text("COLOR", info.colour);  // RFC 7986 §5.9
    w.text("X-APPLE-CALENDAR-COLOR", info.colour);
  }
  if (!info.url.empty()) {
    w.uri("URL", info.url);
    w.uri("SOURCE;VALUE=URI", info.url);  // RFC 7986 §5.8
  }
  if (info.refresh_interval > seconds{0}) {
    // RFC 7986 §5.7, and the older name that Outlook and Nextcloud read.
    append_duration(w.begin("REFRESH-INTERVAL;VALUE=DURATION:"), info.refresh_interval);
    w.end();
    append_duration(w.begin("X-PUBLISHED-TTL:"), info.refresh_interval);
    w.end();
  }
  if (!events.empty()) w.text("X-WR-TIMEZONE", events.front().zone);

  // One VTIMEZONE per TZID used (RFC 5545 §3.6.5), in order of first use. All-day events
  // use DATE values and need none.
  std::vector<std::string_view> zones;
  for (const event& e : events) {
    if (!e.all_day && std::find(zones.begin(), zones.end(), e.zone) == zones.end()) {
      zones.push_back(e.zone);
    }
  }
  for (const std::string_view z : zones) w.lines(detail::vtimezone(z));

  const vevent_extras extras{nullptr, true, info.lang};
  for (const event& e : events) write_event_with_overrides(w, e, extras);
  w.line("END:VCALENDAR");
  return w.take();
}

std::string write_event(const event& e, std::optional<language> lang) {
  feed_info info;
  info.name = e.title;
  info.lang = lang;
  return write_feed(info, std::span<const event>(&e, 1));
}

std::vector<const event*> select_for_feed(std::span<const event> events, utc_seconds now) {
  std::vector<const event*> out;
  out.reserve(events.size());
  const utc_seconds past = now - feed_past;
  for (const event& e : events) {
    if (e.status == event_status::cancelled) {
      // Long enough for every subscriber to poll at least once and show it as cancelled.
      if (e.last_modified >= now - cancelled_kept) out.push_back(&e);
      continue;
    }
    bool keep = false;
    if (!e.is_series()) {
      keep = to_utc(e.start, e.zone) + e.duration > past;
    } else if (e.rule && !e.rule->count() && !e.rule->until()) {
      keep = true;  // never ends
    } else {
      expand_limits limits;
      limits.max_occurrences = 1;
      keep = !expand(e, past, far_future, limits).empty();
    }
    if (keep) out.push_back(&e);
  }
  return out;
}

std::string_view method_name(imip_method m) {
  return m == imip_method::request ? "REQUEST" : "CANCEL";
}

std::string write_imip(imip_method method, const event& e, const std::optional<occurrence_key>& key,
                       const imip_party& party) {
  ical_builder w(4096);
  write_calendar_head(w, method_name(method));
  if (!e.all_day) w.lines(detail::vtimezone(e.zone));

  // No CATEGORIES in a message: it knows no language, and the feed's copy of the event says it.
  const vevent_extras extras{&party, false, std::nullopt};
  const bool cancel = method == imip_method::cancel;
  if (!key || !e.is_series()) {
    if (!cancel) {
      // The whole event as the feed has it, moved occurrences included (RFC 5546 §3.2.2
      // allows the override VEVENTs of the same UID in a REQUEST).
      write_event_with_overrides(w, e, extras);
    } else {
      vevent_view v = master_view(e);
      v.cancelled = true;
      // RFC 5546 §2.1.4: above every SEQUENCE sent for this UID (overrides included), or
      // clients ignore the cancellation as stale.
      for (const occurrence_override& o : e.overrides)
        v.sequence = std::max<long long>(v.sequence, o.sequence);
      v.sequence += 1;
      write_vevent(w, e, v, extras);
    }
    w.line("END:VCALENDAR");
    return w.take();
  }

  // One occurrence: RECURRENCE-ID names it (RFC 5546 §3.2.2.1 and §3.2.5), DTSTART/DTEND are
  // where it is now.
  vevent_view v;
  const occurrence_override* o = e.find_override(*key);
  if (o != nullptr) {
    v = override_view(e, *o);
  } else {
    v = master_view(e);
    v.with_recurrence_set = false;
    v.recurrence_id = &*key;
    v.start = original_local(e, *key);
    v.end = local_end(e, v.start, e.duration);
  }
  if (const auto occ = find_occurrence(e, *key)) {
    v.start = occ->local_start;
    v.end = occ->local_end;
    if (e.all_day && v.end <= v.start) v.end = v.start + date::days(1);
  }
  v.with_recurrence_set = false;
  v.cancelled = cancel;
  if (cancel) v.sequence += 1;
  write_vevent(w, e, v, extras);
  w.line("END:VCALENDAR");
  return w.take();
}

}  // namespace treffpunkt::calendar
