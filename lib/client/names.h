// Names the TUF client derives from repository-controlled strings: a role name or a
// target path becomes one URL path component or one file name, never a path that could
// leave its directory (CVE-2021-41131: "../", "/", "%", NUL in role names).
#pragma once

#include <string>
#include <string_view>

namespace ota::client {

// Percent-encodes every byte except A-Z a-z 0-9 - . _ ~ (Python's quote(text, safe=""),
// what the tuf-conformance server and python-tuf use for role names in URLs).
std::string quote_component(std::string_view text);

// A target path for a URL: '/' kept, each segment quoted, "." and ".." as %2E and %2E%2E
// (so no dot segment is resolved out of the targets URL).
std::string encode_target_path(std::string_view path);

// quote_component(), and a leading '.' encoded as well, so ".", ".." and hidden names
// cannot occur: a plain file name inside the directory, whatever `text` is.
std::string quote_file_name(std::string_view text);

// The file in the metadata directory that holds a role: "timestamp.json",
// "%2Fdelegatedrole.json".
std::string role_file_name(std::string_view role);

}  // namespace ota::client
