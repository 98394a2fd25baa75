#pragma once
/// The application as the HTTP and JSON harnesses see it: `server::app` over a store in a
/// temporary folder with the demo loaded, a responsible of "bildung" with an API token and a
/// session, and an admin with a session. Inputs name those secrets by placeholders that
/// `substitute` replaces, so the committed corpus reaches the authenticated routes although
/// tokens are random.

#include <server/http.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace treffpunkt::fuzz {

/// "{api}": the responsible's API token; "{session}": their session token; "{admin}": the
/// admin's session token; "{csrf}": a CSRF token of the right shape (43 base64url characters).
/// "{event}": the id of one of bildung's series; "{key}": the key of one of its occurrences.
std::string substitute(std::string_view text);

/// Answers `request` with the shared app. Every few hundred calls the store is put back to
/// its state after set-up, so that created events, RSVPs and queued mails do not pile up.
/// Aborts (a finding) on a 5xx answer, printing the request.
server::http_response handle(const server::http_request& request);

/// Sets everything up once (LLVMFuzzerInitialize).
void init();

}  // namespace treffpunkt::fuzz
