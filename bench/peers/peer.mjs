// Peers for scripts/bench.sh, using Microsoft's official Graph JavaScript SDK against the emulator.
//   node peer.mjs a URL TENANT CLIENT   — what popular license report scripts do: page all users, then
//                                         GET /users/{id}/licenseDetails for each user, one at a time.
//   node peer.mjs b URL TENANT CLIENT   — the best a careful scripter does: one paged listing with
//                                         $select=id,assignedLicenses and $top=999.
// The client secret is read from the environment (PEER_CLIENT_SECRET), never from the command line.
// Prints one JSON line: {"peer":"a","users":N,"licenses":M,"requests":R,"seconds":S}.
import { Client, PageIterator } from "@microsoft/microsoft-graph-client";

const [mode, root, tenant, clientId] = process.argv.slice(2);
const secret = process.env.PEER_CLIENT_SECRET;
if (!mode || !root || !tenant || !clientId || !secret) {
  console.error("usage: PEER_CLIENT_SECRET=... node peer.mjs a|b URL TENANT CLIENT");
  process.exit(2);
}

let requests = 0;
async function token() {
  const body = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: secret,
    scope: "https://graph.microsoft.com/.default",
  });
  const response = await fetch(`${root}/${tenant}/oauth2/v2.0/token`, { method: "POST", body });
  if (!response.ok) throw new Error(`token request failed: ${response.status}`);
  return (await response.json()).access_token;
}

const accessToken = await token();
const client = Client.init({
  baseUrl: `${root}/`,
  defaultVersion: "v1.0",
  authProvider: (done) => done(null, accessToken),
  // The SDK only sends the token to Graph hosts it knows; the emulator's host must be named.
  customHosts: new Set([new URL(root).hostname]),
});

const started = process.hrtime.bigint();
let users = 0;
let licenses = 0;
const ids = [];

const select = mode === "a" ? "id,userPrincipalName" : "id,assignedLicenses";
requests += 1;
const first = await client.api("/users").select(select).top(999).get();
const iterator = new PageIterator(client, first, (user) => {
  users += 1;
  if (mode === "a") ids.push(user.id);
  else licenses += (user.assignedLicenses || []).length;
  return true;
}, { middlewareOptions: [] });
// Count the follow-up page requests the iterator makes.
const original = iterator.fetchAndUpdateNextPageData.bind(iterator);
iterator.fetchAndUpdateNextPageData = async () => { requests += 1; return original(); };
await iterator.iterate();

if (mode === "a") {
  for (const id of ids) {
    requests += 1;
    const details = await client.api(`/users/${id}/licenseDetails`).get();
    licenses += details.value.length;
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ peer: mode, users, licenses, requests, seconds }));
