// English texts, for people who chose English.
#include "catalog.h"

namespace treffpunkt::notifications::detail {

const catalog& catalog_en() {
  static const catalog c{
      .greeting = "Hello {name},",
      .greeting_anonymous = "Hello,",
      .location_line = "Where: {location}",
      .link_intro = "Link:",
      .signature = "Best wishes\n{unit}",
      .unsubscribe_note =
          "You get this email because you signed up for this session. You can change or turn "
          "off reminders in your profile.",
      .responsible_note =
          "You get this email because you are responsible for {unit}. If that is no longer "
          "so, please tell the admins of treffpunkt.",
      .entries = {{
          {.subject = "Your treffpunkt login link",
           .paragraphs = "use this link to log in to treffpunkt. It is valid for {expires} "
                         "and works once.\n\nIf this was not you, just ignore this email.",
           .action = "Log in now"},
          {.subject = "Please confirm your RSVP: {title}",
           .paragraphs = "you signed up for “{title}” on {when}. For your RSVP to count, "
                         "please confirm it within {expires}.\n\nIf this was not you, just "
                         "ignore this email.",
           .action = "Confirm RSVP"},
          {.subject = "You're going: {title}, {when}",
           .paragraphs = "we received your RSVP for “{title}”. See you there!\n\n"
                         "When: {when}",
           .action = "View session"},
          {.subject = "Reminder: {title}, {when}",
           .paragraphs = "a short reminder of “{title}”.\n\nWhen: {when}",
           .action = "View session"},
          {.subject = "Changed: {title}, now {when}",
           .paragraphs = "the session “{title}” has changed.\n\nNew: {when}\n"
                         "Before: {previous}\n\nYour RSVP still stands. This email updates "
                         "your calendar.",
           .action = "View session"},
          {.subject = "Cancelled: {title}, {when}",
           .paragraphs = "unfortunately the session “{title}” on {when} is cancelled.\n\n"
                         "This email updates your calendar.",
           .action = "More sessions"},
          {.subject = "You're in: {title}, {when}",
           .paragraphs = "a place came free: you moved up from the waitlist for "
                         "“{title}”.\n\nWhen: {when}\n\nIf you cannot make it after all, "
                         "please withdraw so that the next person can move up.",
           .action = "View session"},
          {.subject = "{subject} – {title}, {when}",
           .paragraphs = "{sender} writes to everyone going to “{title}” on {when}:\n\n"
                         "{body}",
           .action = "View session"},
          {.subject = "Your offer is approved: {title}, {when}",
           .paragraphs = "{unit} approved your exchange offer “{title}”. It is in the "
                         "calendar now.\n\nWhen: {when}\n\nAs its host you see on the "
                         "offer's page who is coming, and you can write to them all.",
           .action = "View offer"},
          {.subject = "A question about your offer: {title}",
           .paragraphs = "{unit} looked at your exchange offer “{title}” and asks you for a "
                         "change:\n\n{body}\n\nYou can revise your offer and send it "
                         "again.",
           .action = "Revise offer"},
          {.subject = "Your offer: {title}",
           .paragraphs = "{unit} did not take up your exchange offer “{title}” this "
                         "time.\n\n{body}\n\nThank you for wanting to share what you know!",
           .action = "View unit"},
          {.subject = "Your wish has an offer: {title}",
           .paragraphs = "there is an exchange offer for your wish at {unit} now: "
                         "“{title}”.\n\nWhen: {when}",
           .action = "View offer"},
          {.subject = "Is “{title}” still happening?",
           .paragraphs = "nobody has edited or confirmed the series “{title}” of {unit} since "
                         "{previous}. Does it go on like this? Then please confirm it: open the "
                         "link and press “Still happening” there. If something has changed, "
                         "edit the series or cancel it; that counts as an answer too.\n\n"
                         "Without an answer the series stays in the calendar. After four weeks "
                         "we mark it as unconfirmed on the unit's page.\n\nNext date: {when}",
           .action = "View and confirm the series"},
          {.subject = "Moved: {title}, now {when}",
           .paragraphs = "the session “{title}” of {unit} has been moved to {when}.\n\n"
                         "Before: {previous}\n\nYour calendar ({app}) may show this only in "
                         "{delay}: it fetches changes only every few hours. So we are telling "
                         "you now.",
           .action = "View session"},
          {.subject = "Cancelled: {title}, {when}",
           .paragraphs = "the session “{title}” of {unit} on {when} is cancelled.\n\n"
                         "Your calendar ({app}) may show this only in {delay}: it fetches "
                         "changes only every few hours. So we are telling you now.",
           .action = "More sessions"},
      }},
      .weekdays = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
      .months = {"January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"},
      .lag = {.google_app = "Google Calendar",
              .google_delay = "up to 24 hours",
              .microsoft_app = "Outlook",
              .microsoft_delay = "a few hours",
              .other_app = "your calendar app",
              .other_delay = "a few hours",
              .note = "You get this email because you follow this unit and your calendar shows "
                      "changes late. You can turn these notes off in your profile."},
  };
  return c;
}

}  // namespace treffpunkt::notifications::detail
