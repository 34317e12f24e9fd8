#include "render/admin_page.hpp"

namespace amur::render {

std::string_view AdminPageHtml() {
  static constexpr std::string_view kHtml = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Moderation desk · Amur</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/page.css">
<link rel="stylesheet" href="/assets/admin.css">
<script src="/assets/admin.js" defer></script>
</head>
<body class="desk">
<header class="desk-bar">
  <h1 class="desk-title">Amur <span>Moderation desk</span></h1>
  <p class="desk-status" id="desk-status" role="status" aria-live="polite"></p>
  <div class="desk-user" id="desk-user"></div>
</header>
<div class="desk-alert" id="desk-alert" role="alert"></div>
<main class="desk-main" id="desk-main">
  <noscript><p>The moderation desk needs JavaScript.</p></noscript>
</main>
</body>
</html>
)html";
  return kHtml;
}

}  // namespace amur::render
