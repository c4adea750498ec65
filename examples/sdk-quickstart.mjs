// Create a reusable policy through the official Cloudflare SDK against a local portcullis.
// The same variables as the CLI (docs/cli.md); PORTCULLIS_URL is the API base, /client/v4 included.
//   PORTCULLIS_URL=http://127.0.0.1:8787/client/v4 PORTCULLIS_TOKEN=$(cat data/root-token) PORTCULLIS_ACCOUNT=$(cat data/account-id) node examples/sdk-quickstart.mjs
import Cloudflare from 'cloudflare';

const client = new Cloudflare({ apiToken: process.env.PORTCULLIS_TOKEN, baseURL: process.env.PORTCULLIS_URL ?? 'http://127.0.0.1:8787/client/v4' });
const policy = await client.zeroTrust.access.policies.create({
  account_id: process.env.PORTCULLIS_ACCOUNT,
  name: 'Engineers with MFA',
  decision: 'allow',
  include: [{ email_domain: { domain: 'example.com' } }],
  require: [{ auth_method: { auth_method: 'mfa' } }],
});
console.log(policy.id, policy.reusable);
