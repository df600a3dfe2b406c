// tests/e2e/credential_fixtures.hpp — what the credential tests share: a device-code sign-in settled through the
// emulator's /_sim/device/ controls, and a small PKI (CA, app certificate, PFX files) made with the openssl CLI.
#pragma once

#include "e2e/emulated_tenant.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace e2e {

// Waits (at most 20 s) for Microsoft's device-code message on the binary's stderr; the user code in it, or "".
std::string wait_for_user_code(const std::filesystem::path& err_path);

// Runs the binary with args and env, settles the device code it shows as action ("approve" or "decline"), waits
// for it and returns its exit code; its stdout and stderr land in dir/out and dir/err.
int device_sign_in(const emulated_tenant& tenant, const std::vector<std::string>& args,
                   const std::vector<std::string>& env, const std::filesystem::path& dir, const std::string& action);

// The password of app-pw.pfx.
inline constexpr const char* pfx_password = "pfx-Pass word-4711";

// Writes into dir: ca.key/ca.crt, app.key/app.crt (signed by the CA), app-pw.pfx (with pfx_password) and
// app-nopw.pfx (no password), both with the CA in the chain.
void make_pfx_pki(const std::filesystem::path& dir);

}  // namespace e2e
