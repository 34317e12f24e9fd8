// The moderation desk's document, served at GET /admin: a static shell that
// loads /assets/admin.css and /assets/admin.js, which draw the sign-in form,
// the queues and the audit log from the JSON API. Nothing in it is user
// input, so nothing in it needs escaping.
#pragma once

#include <string_view>

namespace amur::render {

// The whole HTML document (doctype to </html>). The script finds its parts by
// id: #desk-alert (role="alert"), #desk-status (aria-live), #desk-main.
std::string_view AdminPageHtml();

}  // namespace amur::render
