// scanner/token_cache.hpp — the refresh tokens of device-code sign-ins, one file per authority + tenant + client in
// the user's cache directory, mode 0600 (docs/security.md, "The token cache"); `entra-audit sign-out` empties it.
#pragma once

#include "base/error.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scanner {

// One person's sign-in to one public client at one authority and tenant.
struct cached_sign_in {
  std::string authority;      // e.g. https://login.microsoftonline.com
  std::string tenant;         // as asked: a tenant id, a domain, or "organizations"
  std::string client_id;      // the public client
  std::string refresh_token;  // a secret: never logged
  std::string home_tenant{};  // the tid of the last access token
  std::string user{};         // who signed in (upn of the last access token), when the token names them
};

// The cache directory: flag, else ENTRA_AUDIT_TOKEN_CACHE, else $XDG_CACHE_HOME/entra-audit, else
// $HOME/.cache/entra-audit; a usage error naming --token-cache when none can be formed.
base::result<std::string> token_cache_dir(const std::string& flag,
                                          const std::function<std::optional<std::string>(std::string_view)>& getenv);

// The entry of authority + tenant + client_id, nullopt when there is none; a usage error naming the file and the fix
// when it is unsafe (not a regular file, a symbolic link, not the user's, readable or writable by others).
base::result<std::optional<cached_sign_in>> load_sign_in(const std::string& dir, const std::string& authority,
                                                         const std::string& tenant, const std::string& client_id);

// Writes entry (replacing the one of the same key) through a new file created with mode 0600 and renamed into
// place, so the file is never readable by others, not even half-written; creates dir with mode 0700.
base::result<void> save_sign_in(const std::string& dir, const cached_sign_in& entry);

// Deletes the entry of authority + tenant + client_id, if any.
base::result<void> drop_sign_in(const std::string& dir, const std::string& authority, const std::string& tenant,
                                const std::string& client_id);

// What sign_out deleted: the file and whose sign-in it held (refresh_token empty).
struct removed_sign_in {
  std::string path;
  cached_sign_in entry;
};

// Deletes every cached sign-in in dir (also unsafe or unreadable ones) and lists them; none when dir is missing.
base::result<std::vector<removed_sign_in>> sign_out(const std::string& dir);

}  // namespace scanner
