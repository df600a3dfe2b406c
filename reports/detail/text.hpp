// reports/detail/text.hpp — escaping of untrusted text (names come from the tenant) for each output language.
#pragma once

#include <string>
#include <string_view>

namespace reports {

// C0 controls (U+0000-U+001F, tab and line breaks included) and DEL (U+007F). No text output carries them raw
// (docs/reports.md, "Control characters"): CSV, Markdown, HTML and terminal text show U+FFFD in their place, JSON
// escapes them (\u0000). The database keeps what Graph sent.
bool is_control(char c);

// The text with every invalid UTF-8 sequence replaced by U+FFFD (outputs are UTF-8 by contract).
std::string valid_utf8(std::string_view text);
// True when text is valid UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool is_valid_utf8(std::string_view text);

// Appends text for HTML element content or a quoted attribute: & < > " ' become entities, controls U+FFFD.
void append_html_escaped(std::string& out, std::string_view text);

// Appends text as a JSON string literal safe inside <script>: " and \ are escaped, controls become \ufffd (the
// page shows U+FFFD like every text output), < > & and U+2028/2029 are written as \u escapes so the data can
// never close the script element or break the JavaScript parser.
void append_script_json_string(std::string& out, std::string_view text);

// Appends text for inline Markdown (a table cell or a list item): \ | * _ ` [ ] < > # & ~ ! are backslash-escaped
// and controls (line breaks included) become U+FFFD, so a name can neither format nor break the table.
void append_markdown_escaped(std::string& out, std::string_view text);

// Appends text for a terminal line: controls (ESC included) become U+FFFD, so a name cannot move the cursor or
// change colours.
void append_controls_replaced(std::string& out, std::string_view text);

// A file name from an owner: characters outside [A-Za-z0-9._@-] become '_', a leading '.' becomes '_', at most
// 120 bytes, never empty.
std::string sanitize_file_name(std::string_view text);

// An ASCII lower-case copy (ids and principal names compare case-insensitively); other bytes unchanged.
std::string ascii_lower(std::string_view text);

// "2026-11-23 02:03 UTC" from "2026-11-23T02:03:41Z" (or +00:00); other text is returned unchanged.
std::string readable_time(std::string_view iso);

}  // namespace reports
